//! [`ChatCompletionStream`]: a streamed chat completion that records on its span as chunks
//! arrive, and closes the span when it ends or is dropped.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionResponseStream, CompletionUsage, CreateChatCompletionStreamResponse,
};
use futures_core::Stream;
use llmtrace::semconv::llmtrace as ours;
use llmtrace::{LlmSpanExt, Message, Response, Role, ToolCall};

use crate::error;
use crate::mapping::{arguments, usage, wire_name};
use crate::record::record_openai_response;

/// A traced streamed chat completion, from
/// [`Chat::create_stream`](crate::Chat::create_stream): yields async-openai's chunks unchanged
/// (it is a [`Stream`] of `Result<CreateChatCompletionStreamResponse, OpenAIError>`).
pub struct ChatCompletionStream {
    inner: ChatCompletionResponseStream,
    span: tracing::Span,
    started: Instant,
    /// `None` once the span has been finished.
    state: Option<Accumulated>,
}

impl std::fmt::Debug for ChatCompletionStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatCompletionStream")
            .field("span", &self.span)
            .field("finished", &self.state.is_none())
            .finish_non_exhaustive()
    }
}

/// What the chunks said so far.
#[derive(Default)]
struct Accumulated {
    chunks: u64,
    failed: bool,
    capture: bool,
    id: Option<String>,
    model: Option<String>,
    usage: Option<CompletionUsage>,
    service_tier: Option<String>,
    fingerprint: Option<String>,
    choices: BTreeMap<u32, ChoiceSoFar>,
}

#[derive(Default)]
struct ChoiceSoFar {
    text: Option<String>,
    /// Tool calls by their index in the choice.
    tool_calls: BTreeMap<u32, ToolCallSoFar>,
    finish_reason: Option<String>,
}

#[derive(Default)]
struct ToolCallSoFar {
    id: String,
    name: String,
    arguments: String,
}

impl Accumulated {
    fn add(&mut self, chunk: &CreateChatCompletionStreamResponse) {
        self.chunks = self.chunks.saturating_add(1);
        if self.id.is_none() && !chunk.id.is_empty() {
            self.id = Some(chunk.id.clone());
        }
        if self.model.is_none() && !chunk.model.is_empty() {
            self.model = Some(chunk.model.clone());
        }
        if let Some(u) = &chunk.usage {
            self.usage = Some(u.clone());
        }
        if let Some(tier) = chunk.service_tier.as_ref().and_then(wire_name) {
            self.service_tier = Some(tier);
        }
        #[allow(deprecated)] // deprecated by OpenAI but still sent
        let fingerprint = chunk.system_fingerprint.as_ref();
        if let Some(fingerprint) = fingerprint {
            self.fingerprint = Some(fingerprint.clone());
        }
        for choice in &chunk.choices {
            let so_far = self.choices.entry(choice.index).or_default();
            if let Some(reason) = choice.finish_reason.as_ref().and_then(wire_name) {
                so_far.finish_reason = Some(reason);
            }
            if !self.capture {
                continue;
            }
            let delta = &choice.delta;
            if let Some(text) = delta.content.as_ref().or(delta.refusal.as_ref()) {
                so_far.text.get_or_insert_with(String::new).push_str(text);
            }
            for call in delta.tool_calls.iter().flatten() {
                let call_so_far = so_far.tool_calls.entry(call.index).or_default();
                if let Some(id) = &call.id {
                    call_so_far.id.push_str(id);
                }
                if let Some(function) = &call.function {
                    if let Some(name) = &function.name {
                        call_so_far.name.push_str(name);
                    }
                    if let Some(args) = &function.arguments {
                        call_so_far.arguments.push_str(args);
                    }
                }
            }
        }
    }

    fn output_messages(&self) -> Vec<Message> {
        self.choices
            .values()
            .map(|choice| Message {
                role: Role::Assistant,
                text: choice.text.clone(),
                tool_calls: choice
                    .tool_calls
                    .values()
                    .map(|c| ToolCall::new(c.id.clone(), c.name.clone(), arguments(&c.arguments)))
                    .collect(),
                tool_call_id: None,
                finish_reason: choice.finish_reason.clone(),
            })
            .collect()
    }
}

impl ChatCompletionStream {
    pub(crate) fn new(
        inner: ChatCompletionResponseStream,
        span: tracing::Span,
        started: Instant,
    ) -> Self {
        ChatCompletionStream {
            inner,
            span,
            started,
            state: Some(Accumulated {
                capture: llmtrace::capture_content(),
                ..Accumulated::default()
            }),
        }
    }

    /// The span of this call (`chat {model}`), open until the stream ends or is dropped.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    fn on_item(&mut self, item: &Result<CreateChatCompletionStreamResponse, OpenAIError>) {
        let Some(state) = self.state.as_mut() else {
            return;
        };
        match item {
            Ok(chunk) => {
                if state.chunks == 0 {
                    self.span.record_time_to_first_chunk(self.started.elapsed());
                }
                state.add(chunk);
            }
            Err(e) => {
                state.failed = true;
                error::record(&self.span, e);
            }
        }
    }

    /// Records what the stream produced and ends the span.
    fn finish(&mut self, ended: bool) {
        let Some(state) = self.state.take() else {
            return;
        };
        let span = std::mem::replace(&mut self.span, tracing::Span::none());
        span.record_attribute(
            ours::STREAM_CHUNK_COUNT,
            i64::try_from(state.chunks).unwrap_or(i64::MAX),
        );
        if !ended && !state.failed {
            span.record_attribute(ours::STREAM_CANCELLED, true);
        }
        if let Some(u) = &state.usage {
            span.record_usage(usage(u));
        }
        let meta = Response {
            id: state.id.as_deref().map(Into::into),
            model: state.model.as_deref().map(Into::into),
            finish_reasons: state
                .choices
                .values()
                .filter_map(|c| c.finish_reason.as_deref().map(Into::into))
                .collect(),
        };
        span.record_response(&meta);
        record_openai_response(
            &span,
            state.service_tier.clone(),
            state.fingerprint.as_ref(),
        );
        if state.capture && state.chunks > 0 {
            span.record_output_messages(&state.output_messages());
        }
    }
}

impl Stream for ChatCompletionStream {
    type Item = Result<CreateChatCompletionStreamResponse, OpenAIError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let poll = {
            let _entered = this.span.enter();
            this.inner.as_mut().poll_next(cx)
        };
        match &poll {
            Poll::Ready(Some(item)) => this.on_item(item),
            Poll::Ready(None) => this.finish(true),
            Poll::Pending => {}
        }
        poll
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl Drop for ChatCompletionStream {
    fn drop(&mut self) {
        self.finish(false);
    }
}
