//! Traced chat completions: the request becomes the span's attributes, the response its usage,
//! response metadata and output messages.

use std::time::Instant;

use async_openai::config::Config;
use async_openai::error::OpenAIError;
use async_openai::traits::RequestOptionsBuilder;
use async_openai::types::chat::{
    ChatChoice, CreateChatCompletionRequest, CreateChatCompletionResponse, ResponseFormat,
    StopConfiguration,
};
use async_openai::RequestOptions;
use llmtrace::{LlmSpanExt, Message, OutputType, Response};
use tracing::Instrument;

use crate::attributes::{OPENAI_API_TYPE, OPENAI_REQUEST_SERVICE_TIER};
use crate::mapping::{input_messages, output_message, tool_definitions, usage, widen, wire_name};
use crate::record::{record_attempts, record_openai_response};
use crate::stream::ChatCompletionStream;
use crate::target::Target;
use crate::{error, http};

/// Traced chat completions, from [`Client::chat`](crate::Client::chat); mirrors [`async_openai::Chat`].
#[derive(Debug)]
pub struct Chat<'c, C: Config> {
    inner: &'c async_openai::Client<C>,
    target: &'c Target,
    options: RequestOptions,
}

impl<'c, C: Config> Chat<'c, C> {
    pub(crate) fn new(inner: &'c async_openai::Client<C>, target: &'c Target) -> Self {
        Chat {
            inner,
            target,
            options: RequestOptions::default(),
        }
    }

    /// Creates a chat completion in a `chat {model}` span (see the [crate docs](crate) for what
    /// is recorded).
    pub async fn create(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<CreateChatCompletionResponse, OpenAIError> {
        let span = request_span(self.target, &request, false);
        let mut chat = self.inner.chat();
        *chat.options_mut() = self.options.clone();
        let (result, attempts) = http::counting_attempts(chat.create(request))
            .instrument(span.clone())
            .await;
        record_attempts(&span, attempts);
        match &result {
            Ok(response) => record_response(&span, response),
            Err(e) => error::record(&span, e),
        }
        result
    }

    /// Creates a streamed chat completion. The returned stream keeps the `chat {model}` span
    /// open until it ends or is dropped, and records the time to the first chunk, the chunk
    /// count, finish reasons and output (tool-call deltas assembled), and usage when the request
    /// set `stream_options.include_usage`. A stream dropped before its end is marked
    /// `llmtrace.stream.cancelled = true`.
    pub async fn create_stream(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<ChatCompletionStream, OpenAIError> {
        let span = request_span(self.target, &request, true);
        let started = Instant::now();
        let mut chat = self.inner.chat();
        *chat.options_mut() = self.options.clone();
        let (result, attempts) = http::counting_attempts(chat.create_stream(request))
            .instrument(span.clone())
            .await;
        record_attempts(&span, attempts);
        match result {
            Ok(inner) => Ok(ChatCompletionStream::new(inner, span, started)),
            Err(e) => {
                error::record(&span, &e);
                Err(e)
            }
        }
    }
}

fn request_span(
    target: &Target,
    request: &CreateChatCompletionRequest,
    stream: bool,
) -> tracing::Span {
    let mut span = target
        .apply(llmtrace::chat(request.model.as_str()))
        .attribute(OPENAI_API_TYPE, "chat_completions")
        .stream(stream);
    if let Some(t) = request.temperature {
        span = span.temperature(widen(t));
    }
    if let Some(p) = request.top_p {
        span = span.top_p(widen(p));
    }
    #[allow(deprecated)] // deprecated by OpenAI, still sent by users and honored by servers
    let (max_tokens, seed) = (request.max_tokens, request.seed);
    if let Some(max) = request.max_completion_tokens.or(max_tokens) {
        span = span.max_tokens(max);
    }
    if let Some(seed) = seed {
        span = span.seed(seed);
    }
    if let Some(p) = request.frequency_penalty {
        span = span.frequency_penalty(widen(p));
    }
    if let Some(p) = request.presence_penalty {
        span = span.presence_penalty(widen(p));
    }
    if let Some(n) = request.n.filter(|n| *n != 1) {
        span = span.choice_count(u32::from(n));
    }
    match &request.stop {
        Some(StopConfiguration::String(s)) => span = span.stop_sequences([s.clone()]),
        Some(StopConfiguration::StringArray(v)) => span = span.stop_sequences(v.iter().cloned()),
        None => {}
    }
    match &request.response_format {
        Some(ResponseFormat::Text) => span = span.output_type(OutputType::Text),
        Some(ResponseFormat::JsonObject | ResponseFormat::JsonSchema { .. }) => {
            span = span.output_type(OutputType::Json);
        }
        None => {}
    }
    if let Some(tier) = request.service_tier.as_ref().and_then(wire_name) {
        span = span.attribute(OPENAI_REQUEST_SERVICE_TIER, tier);
    }
    if llmtrace::capture_content() {
        span = span.input_messages(&input_messages(&request.messages));
        if let Some(tools) = &request.tools {
            span = span.tool_definitions(&tool_definitions(tools));
        }
    }
    span.start()
}

fn record_response(span: &tracing::Span, response: &CreateChatCompletionResponse) {
    if let Some(u) = &response.usage {
        span.record_usage(usage(u));
    }
    let mut choices: Vec<&ChatChoice> = response.choices.iter().collect();
    choices.sort_by_key(|c| c.index);
    let mut meta = Response::new()
        .id(response.id.as_str())
        .model(response.model.as_str());
    for reason in choices
        .iter()
        .filter_map(|c| c.finish_reason.as_ref().and_then(wire_name))
    {
        meta = meta.finish_reason(reason);
    }
    span.record_response(&meta);
    #[allow(deprecated)] // the field is deprecated by OpenAI but still sent
    let fingerprint = response.system_fingerprint.as_ref();
    record_openai_response(
        span,
        response.service_tier.as_ref().and_then(wire_name),
        fingerprint,
    );
    if llmtrace::capture_content() {
        let messages: Vec<Message> = choices.iter().map(|c| output_message(c)).collect();
        span.record_output_messages(&messages);
    }
}

/// Headers, query parameters and a path override for the next call, as on async-openai's
/// groups: `client.chat().header("x-tenant", "acme")?.create(request)`.
impl<C: Config> RequestOptionsBuilder for Chat<'_, C> {
    fn options_mut(&mut self) -> &mut RequestOptions {
        &mut self.options
    }

    fn options(&self) -> &RequestOptions {
        &self.options
    }
}
