//! [`LlmSpanExt`]: recording usage, responses, content and outcomes on a started span, in
//! batched attribute writes.

use std::cell::Cell;
use std::time::Duration;

use opentelemetry::trace::Status;
use opentelemetry::trace::TraceContextExt;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace_semconv::openinference::{
    document_key, DocumentField, RERANKER_INPUT_DOCUMENTS_PREFIX, RERANKER_OUTPUT_DOCUMENTS_PREFIX,
};
use llmtrace_semconv::{attribute as semconv, openinference as oi};

use super::types::{messages_json, Document, Message, Response, Usage};
use crate::settings;

/// Records what happened during a GenAI operation on a [`tracing::Span`].
///
/// Every method is a no-op when the span is disabled or no OpenTelemetry layer is installed, and
/// content (messages, tool results, document text) is recorded only when the pipeline the span
/// belongs to captures content ([`ContentCapture`](crate::ContentCapture),
/// [`capture_content`](crate::capture_content)).
///
/// Facts are written under their `gen_ai.*` keys; the OpenInference mirror of them
/// (`llm.token_count.*`, `retrieval.documents.N.document.*`, `input.value`, `output.value`,
/// flattened messages) is derived when the span ends by
/// [`OpenInferenceProcessor`](crate::enrich::OpenInferenceProcessor).
pub trait LlmSpanExt {
    /// Token usage (`gen_ai.usage.*`); output tokens only when
    /// [`Usage::output_tokens`] is set (not for embeddings, see [`Usage::input_only`]).
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// span.record_usage(llmtrace::Usage::new(1200, 85));
    /// ```
    fn record_usage(&self, usage: Usage);

    /// Response id, model and finish reasons (`gen_ai.response.*`).
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// span.record_response(
    ///     &llmtrace::Response::new()
    ///         .id("chatcmpl-123")
    ///         .model("gpt-4o-2024-08-06")
    ///         .finish_reason("stop"),
    /// );
    /// ```
    fn record_response(&self, response: &Response<'_>);

    /// Documents a retriever returned (`gen_ai.retrieval.documents`: ids and scores; text and
    /// metadata only with capture on).
    ///
    /// ```
    /// use llmtrace::{Document, LlmSpanExt};
    ///
    /// let span = llmtrace::retrieval("kb").query("oslo weather").start();
    /// span.record_documents(&[Document::new("doc-7").score(0.82).content("Oslo is cold")]);
    /// ```
    fn record_documents(&self, documents: &[Document]);

    /// Documents a reranker received and kept (`reranker.input_documents.*`,
    /// `reranker.output_documents.*`: the conventions have no reranking attributes, so these
    /// OpenInference keys are the only record).
    ///
    /// ```
    /// use llmtrace::{Document, LlmSpanExt};
    ///
    /// let span = llmtrace::rerank("rerank-v3").start();
    /// let input = [Document::new("a"), Document::new("b")];
    /// span.record_reranked(&input, &[Document::new("b").score(0.9)]);
    /// ```
    fn record_reranked(&self, input: &[Document], output: &[Document]);

    /// Messages the model returned (`gen_ai.output.messages`).
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// span.record_output_messages(&[llmtrace::Message::assistant("Hi!").with_finish_reason("stop")]);
    /// ```
    fn record_output_messages(&self, messages: &[Message]);

    /// Messages sent to the model, when they were not known when the span started.
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// span.record_input_messages(&[
    ///     llmtrace::Message::system("Be brief."),
    ///     llmtrace::Message::user("Hello"),
    /// ]);
    /// ```
    fn record_input_messages(&self, messages: &[Message]);

    /// A plain-text output (`output.value`), e.g. an agent's final answer.
    ///
    /// ```
    /// use llmtrace::LlmSpanExt;
    ///
    /// let span = llmtrace::agent("travel-planner").start();
    /// span.record_output("Fly on Tuesday.");
    /// ```
    fn record_output(&self, text: &str);

    /// A tool's result (`gen_ai.tool.call.result`).
    ///
    /// ```
    /// use llmtrace::LlmSpanExt;
    ///
    /// let span = llmtrace::tool("get_weather").start();
    /// span.record_tool_result(&serde_json::json!({"celsius": -3}));
    /// ```
    fn record_tool_result(&self, result: &serde_json::Value);

    /// Seconds until the first chunk of a stream (`gen_ai.response.time_to_first_chunk`).
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// let started = std::time::Instant::now();
    /// // … the first chunk of the stream arrives …
    /// span.record_time_to_first_chunk(started.elapsed());
    /// ```
    fn record_time_to_first_chunk(&self, elapsed: Duration);

    /// Marks the operation failed: `error.type` from the error's type (its full Rust path, such
    /// as `my_agent::tools::ApiError`; `Box`, `Arc`, `Rc` and references looked through; `_OTHER`
    /// for a trait object), status ERROR with the message, and an `exception` event.
    ///
    /// ```
    /// use llmtrace::LlmSpanExt;
    ///
    /// let span = llmtrace::tool("read_file").start();
    /// if let Err(error) = std::fs::read_to_string("/no/such/file") {
    ///     span.record_error(&error);
    /// }
    /// ```
    fn record_error<E: std::error::Error + ?Sized>(&self, error: &E);

    /// Marks the operation failed with an explicit `error.type` (an HTTP status, an API error
    /// code) and message.
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// span.record_error_type("429", "rate limited");
    /// ```
    fn record_error_type(&self, error_type: &str, message: &str);

    /// An evaluation of this span's output, as a `gen_ai.evaluation.result` event.
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// span.record_evaluation(&llmtrace::Evaluation::new("relevance").score(0.9).label("relevant"));
    /// ```
    fn record_evaluation(&self, evaluation: &crate::Evaluation);

    /// Any attribute.
    ///
    /// ```
    /// # use llmtrace::LlmSpanExt;
    /// # let span = llmtrace::chat("gpt-4o").start();
    /// span.record_attribute("app.request.priority", "high");
    /// ```
    fn record_attribute(&self, key: impl Into<opentelemetry::Key>, value: impl Into<Value>);
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The `error.type` of an error of type `E`: its full Rust path, as [`canonical_type_name`]
/// writes it. The attribute macros' generated code names errors through this function too.
pub(crate) fn error_type_name<E: ?Sized>() -> &'static str {
    canonical_type_name(std::any::type_name::<E>())
}

thread_local! {
    /// Set while an `#[embedding]` function's return value is recorded: usage it records has no
    /// output tokens (embeddings produce none), whatever [`Usage`] says.
    static INPUT_ONLY_USAGE: Cell<bool> = const { Cell::new(false) };
}

fn input_only_usage() -> bool {
    INPUT_ONLY_USAGE.with(Cell::get)
}

/// Runs `record` (which records an embeddings call's outcome) with output tokens left out of
/// any usage it records.
pub(crate) fn with_input_only_usage(record: impl FnOnce()) {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            INPUT_ONLY_USAGE.with(|f| f.set(self.0));
        }
    }
    let _reset = Reset(INPUT_ONLY_USAGE.with(|f| f.replace(true)));
    record();
}

/// The `error.type` for a Rust type name as [`std::any::type_name`] gives it.
///
/// The registry: "`error.type` SHOULD be predictable, and SHOULD have low cardinality. When
/// `error.type` is set to a type (e.g., an exception type), its canonical class name identifying
/// the type within the artifact SHOULD be used" (example `java.net.UnknownHostException`), and
/// "if the recorded error type is a wrapper that is not meaningful for failure classification,
/// instrumentation MAY use the type of the inner error instead".
///
/// So llmtrace keeps the full path (`my_agent::tools::ApiError`): a Rust type's canonical name is
/// its path, and stripping it would merge the many crates whose error type is simply `Error`
/// (`std::io::Error`, `reqwest::Error`, `serde_json::Error`). One value per type keeps the
/// cardinality that of the program's error types. Wrappers are looked through: `Box<E>`,
/// `Arc<E>`, `Rc<E>` and references give `E`'s name; a trait object (`dyn Error`, `Box<dyn
/// Error + Send>`) names no type and gives `_OTHER`. A type-erasing error type such as
/// `anyhow::Error` names itself: give a better class with `err(error_type = "…")` or
/// [`LlmSpanExt::record_error_type`].
pub(crate) fn canonical_type_name(name: &'static str) -> &'static str {
    const WRAPPERS: &[&str] = &["alloc::boxed::Box<", "alloc::sync::Arc<", "alloc::rc::Rc<"];
    let mut inner = name;
    loop {
        inner = inner.trim_start_matches('&').trim_start_matches("mut ");
        match WRAPPERS.iter().find_map(|w| inner.strip_prefix(w)) {
            Some(rest) => inner = rest.strip_suffix('>').unwrap_or(rest),
            None => break,
        }
    }
    if inner.starts_with("dyn ") {
        semconv::ERROR_TYPE_OTHER
    } else {
        inner
    }
}

/// Attributes gathered for one write: the OpenTelemetry span is looked up once for all of them.
struct Batch {
    attributes: Vec<KeyValue>,
}

impl Batch {
    fn new() -> Self {
        Batch {
            attributes: Vec::with_capacity(8),
        }
    }

    fn set(&mut self, key: impl Into<opentelemetry::Key>, value: impl Into<Value>) {
        self.attributes.push(KeyValue::new(key, value));
    }

    fn write(self, span: &tracing::Span) {
        if !self.attributes.is_empty() {
            span.context().span().set_attributes(self.attributes);
        }
    }
}

/// A reranker's documents under their OpenInference keys (the conventions have none).
fn record_document_list(batch: &mut Batch, prefix: &str, documents: &[Document], capture: bool) {
    for (i, doc) in documents.iter().enumerate() {
        batch.set(document_key(prefix, i, DocumentField::Id), doc.id.clone());
        if let Some(score) = doc.score {
            batch.set(document_key(prefix, i, DocumentField::Score), score);
        }
        if capture {
            if let Some(content) = &doc.content {
                batch.set(
                    document_key(prefix, i, DocumentField::Content),
                    content.clone(),
                );
            }
            if let Some(metadata) = &doc.metadata {
                batch.set(
                    document_key(prefix, i, DocumentField::Metadata),
                    metadata.to_string(),
                );
            }
        }
    }
}

/// [`LlmSpanExt::record_usage`] on an enabled span.
fn write_usage(span: &tracing::Span, usage: Usage) {
    let mut b = Batch::new();
    b.set(
        semconv::GEN_AI_USAGE_INPUT_TOKENS,
        count(usage.input_tokens),
    );
    if let Some(n) = usage.output_tokens.filter(|_| !input_only_usage()) {
        b.set(semconv::GEN_AI_USAGE_OUTPUT_TOKENS, count(n));
    }
    if let Some(n) = usage.cache_read_input_tokens {
        b.set(semconv::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, count(n));
    }
    if let Some(n) = usage.cache_creation_input_tokens {
        b.set(semconv::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, count(n));
    }
    if let Some(n) = usage.reasoning_output_tokens {
        b.set(semconv::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, count(n));
    }
    b.write(span);
}

/// [`LlmSpanExt::record_response`] on an enabled span.
fn write_response(span: &tracing::Span, response: &Response<'_>) {
    let mut b = Batch::new();
    if let Some(id) = &response.id {
        b.set(semconv::GEN_AI_RESPONSE_ID, String::from(&**id));
    }
    if let Some(model) = &response.model {
        b.set(semconv::GEN_AI_RESPONSE_MODEL, String::from(&**model));
    }
    if !response.finish_reasons.is_empty() {
        let reasons: Vec<StringValue> = response
            .finish_reasons
            .iter()
            .map(|reason| StringValue::from(String::from(&**reason)))
            .collect();
        b.set(
            semconv::GEN_AI_RESPONSE_FINISH_REASONS,
            Value::Array(Array::String(reasons)),
        );
    }
    b.write(span);
}

impl LlmSpanExt for tracing::Span {
    // Inlined into the caller: with tracing off, recording is one check.
    #[inline]
    fn record_usage(&self, usage: Usage) {
        if !self.is_disabled() {
            write_usage(self, usage);
        }
    }

    #[inline]
    fn record_response(&self, response: &Response<'_>) {
        if !self.is_disabled() {
            write_response(self, response);
        }
    }

    fn record_documents(&self, documents: &[Document]) {
        if self.is_disabled() {
            return;
        }
        let mut b = Batch::new();
        let capture = settings::capture_content_on(self);
        let listed: Vec<serde_json::Value> = documents
            .iter()
            .map(|d| {
                let mut v = serde_json::json!({"id": d.id});
                if let Some(score) = d.score {
                    v["score"] = score.into();
                }
                if capture {
                    if let Some(content) = &d.content {
                        v["content"] = content.clone().into();
                    }
                    if let Some(metadata) = &d.metadata {
                        v["metadata"] = metadata.clone();
                    }
                }
                v
            })
            .collect();
        b.set(
            semconv::GEN_AI_RETRIEVAL_DOCUMENTS,
            serde_json::Value::Array(listed).to_string(),
        );
        b.write(self);
    }

    fn record_reranked(&self, input: &[Document], output: &[Document]) {
        if self.is_disabled() {
            return;
        }
        let mut b = Batch::new();
        let capture = settings::capture_content_on(self);
        record_document_list(&mut b, RERANKER_INPUT_DOCUMENTS_PREFIX, input, capture);
        record_document_list(&mut b, RERANKER_OUTPUT_DOCUMENTS_PREFIX, output, capture);
        b.write(self);
    }

    fn record_output_messages(&self, messages: &[Message]) {
        if self.is_disabled() || !settings::capture_content_on(self) {
            return;
        }
        self.set_attribute(semconv::GEN_AI_OUTPUT_MESSAGES, messages_json(messages));
    }

    fn record_input_messages(&self, messages: &[Message]) {
        if self.is_disabled() || !settings::capture_content_on(self) {
            return;
        }
        self.set_attribute(semconv::GEN_AI_INPUT_MESSAGES, messages_json(messages));
    }

    fn record_output(&self, text: &str) {
        if self.is_disabled() || !settings::capture_content_on(self) {
            return;
        }
        // The conventions have no attribute for a free-form output: OpenInference's is the record.
        self.set_attribute(oi::OUTPUT_VALUE, text.to_owned());
    }

    fn record_tool_result(&self, result: &serde_json::Value) {
        if self.is_disabled() || !settings::capture_content_on(self) {
            return;
        }
        self.set_attribute(semconv::GEN_AI_TOOL_CALL_RESULT, result.to_string());
    }

    fn record_time_to_first_chunk(&self, elapsed: Duration) {
        if self.is_disabled() {
            return;
        }
        self.set_attribute(
            semconv::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
            elapsed.as_secs_f64(),
        );
    }

    fn record_error<E: std::error::Error + ?Sized>(&self, error: &E) {
        if self.is_disabled() {
            return;
        }
        self.record_error_type(error_type_name::<E>(), &error.to_string());
    }

    fn record_error_type(&self, error_type: &str, message: &str) {
        if self.is_disabled() {
            return;
        }
        let mut b = Batch::new();
        b.set(semconv::ERROR_TYPE, error_type.to_owned());
        self.add_event(
            semconv::EXCEPTION_EVENT,
            vec![
                KeyValue::new(semconv::EXCEPTION_TYPE, error_type.to_owned()),
                KeyValue::new(semconv::EXCEPTION_MESSAGE, message.to_owned()),
            ],
        );
        self.set_status(Status::error(message.to_owned()));
        b.write(self);
    }

    fn record_evaluation(&self, evaluation: &crate::Evaluation) {
        if self.is_disabled() {
            return;
        }
        self.add_event(
            semconv::GEN_AI_EVALUATION_RESULT_EVENT,
            evaluation.attributes(),
        );
    }

    fn record_attribute(&self, key: impl Into<opentelemetry::Key>, value: impl Into<Value>) {
        if self.is_disabled() {
            return;
        }
        self.set_attribute(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_type_name;

    #[test]
    fn error_types_are_full_paths_with_wrappers_looked_through() {
        assert_eq!(
            canonical_type_name("my_agent::tools::ApiError"),
            "my_agent::tools::ApiError"
        );
        assert_eq!(
            canonical_type_name("&std::io::error::Error"),
            "std::io::error::Error"
        );
        assert_eq!(
            canonical_type_name("alloc::sync::Arc<alloc::boxed::Box<my::Failed<u8>>>"),
            "my::Failed<u8>"
        );
        assert_eq!(canonical_type_name("dyn core::error::Error"), "_OTHER");
        assert_eq!(
            canonical_type_name(
                "alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"
            ),
            "_OTHER"
        );
        assert_eq!(canonical_type_name("anyhow::Error"), "anyhow::Error");
    }
}
