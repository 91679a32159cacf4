use std::time::Duration;

use opentelemetry::trace::Status;
use opentelemetry::trace::TraceContextExt;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace_semconv::openinference::{
    document_key, DocumentField, RERANKER_INPUT_DOCUMENTS_PREFIX, RERANKER_OUTPUT_DOCUMENTS_PREFIX,
    RETRIEVAL_DOCUMENTS_PREFIX,
};
use llmtrace_semconv::{attribute as semconv, openinference as oi};

use super::types::{messages_json, Document, Message, Response, Usage};
use crate::settings;

/// Records what happened during a GenAI operation on a [`tracing::Span`].
///
/// Every method is a no-op when the span is disabled or no OpenTelemetry layer is installed, and
/// content (messages, tool results, document text) is recorded only when
/// [`capture_content`](crate::capture_content) is on.
pub trait LlmSpanExt {
    /// Token usage (`gen_ai.usage.*`, `llm.token_count.*`).
    fn record_usage(&self, usage: Usage);

    /// Response id, model and finish reasons (`gen_ai.response.*`).
    fn record_response(&self, response: &Response);

    /// Documents a retriever returned (`retrieval.documents.N.document.*`, and
    /// `gen_ai.retrieval.documents` with ids and scores; text only with capture on).
    fn record_documents(&self, documents: &[Document]);

    /// Documents a reranker received and kept (`reranker.input_documents.*`,
    /// `reranker.output_documents.*`).
    fn record_reranked(&self, input: &[Document], output: &[Document]);

    /// Messages the model returned (`gen_ai.output.messages`, `output.value`).
    fn record_output_messages(&self, messages: &[Message]);

    /// Messages sent to the model, when they were not known when the span started.
    fn record_input_messages(&self, messages: &[Message]);

    /// A plain-text output (`output.value`), e.g. an agent's final answer.
    fn record_output(&self, text: &str);

    /// A tool's result (`gen_ai.tool.call.result`, `output.value`).
    fn record_tool_result(&self, result: &serde_json::Value);

    /// Seconds until the first chunk of a stream (`gen_ai.response.time_to_first_chunk`).
    fn record_time_to_first_chunk(&self, elapsed: Duration);

    /// Marks the operation failed: `error.type` from the error's type name, status ERROR with
    /// the message, and an `exception` event.
    fn record_error<E: std::error::Error + ?Sized>(&self, error: &E);

    /// Marks the operation failed with an explicit `error.type` (an HTTP status, an API error
    /// code) and message.
    fn record_error_type(&self, error_type: &str, message: &str);

    /// An evaluation of this span's output, as a `gen_ai.evaluation.result` event.
    fn record_evaluation(&self, evaluation: &crate::Evaluation);

    /// Any attribute.
    fn record_attribute(&self, key: impl Into<opentelemetry::Key>, value: impl Into<Value>);
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The error type name the conventions ask for; `_OTHER` for unnamed (`dyn`) types.
fn error_type_name<E: ?Sized>() -> &'static str {
    let name = std::any::type_name::<E>();
    if name.starts_with("dyn ") {
        semconv::ERROR_TYPE_OTHER
    } else {
        name
    }
}

/// Attributes gathered for one write: the OpenTelemetry span is looked up once for all of them.
struct Batch {
    attributes: Vec<KeyValue>,
    openinference: bool,
}

impl Batch {
    fn new() -> Self {
        Batch {
            attributes: Vec::with_capacity(8),
            openinference: settings::openinference(),
        }
    }

    fn set(&mut self, key: impl Into<opentelemetry::Key>, value: impl Into<Value>) {
        self.attributes.push(KeyValue::new(key, value));
    }

    fn set_oi(&mut self, key: impl Into<opentelemetry::Key>, value: impl Into<Value>) {
        if self.openinference {
            self.set(key, value);
        }
    }

    fn write(self, span: &tracing::Span) {
        if !self.attributes.is_empty() {
            span.context().span().set_attributes(self.attributes);
        }
    }
}

fn record_document_list(batch: &mut Batch, prefix: &str, documents: &[Document]) {
    if !batch.openinference {
        return;
    }
    let capture = settings::capture_content();
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

impl LlmSpanExt for tracing::Span {
    fn record_usage(&self, usage: Usage) {
        if self.is_disabled() {
            return;
        }
        let mut b = Batch::new();
        b.set(
            semconv::GEN_AI_USAGE_INPUT_TOKENS,
            count(usage.input_tokens),
        );
        b.set(
            semconv::GEN_AI_USAGE_OUTPUT_TOKENS,
            count(usage.output_tokens),
        );
        b.set_oi(oi::LLM_TOKEN_COUNT_PROMPT, count(usage.input_tokens));
        b.set_oi(oi::LLM_TOKEN_COUNT_COMPLETION, count(usage.output_tokens));
        b.set_oi(oi::LLM_TOKEN_COUNT_TOTAL, count(usage.total()));
        if let Some(n) = usage.cache_read_input_tokens {
            b.set(semconv::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, count(n));
            b.set_oi(oi::LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ, count(n));
        }
        if let Some(n) = usage.cache_creation_input_tokens {
            b.set(semconv::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, count(n));
        }
        if let Some(n) = usage.reasoning_output_tokens {
            b.set(semconv::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, count(n));
            b.set_oi(oi::LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING, count(n));
        }
        b.write(self);
    }

    fn record_response(&self, response: &Response) {
        if self.is_disabled() {
            return;
        }
        let mut b = Batch::new();
        if let Some(id) = &response.id {
            b.set(semconv::GEN_AI_RESPONSE_ID, id.clone());
        }
        if let Some(model) = &response.model {
            b.set(semconv::GEN_AI_RESPONSE_MODEL, model.clone());
        }
        if !response.finish_reasons.is_empty() {
            let reasons: Vec<StringValue> = response
                .finish_reasons
                .iter()
                .cloned()
                .map(StringValue::from)
                .collect();
            b.set(
                semconv::GEN_AI_RESPONSE_FINISH_REASONS,
                Value::Array(Array::String(reasons)),
            );
        }
        b.write(self);
    }

    fn record_documents(&self, documents: &[Document]) {
        if self.is_disabled() {
            return;
        }
        let mut b = Batch::new();
        record_document_list(&mut b, RETRIEVAL_DOCUMENTS_PREFIX, documents);
        let capture = settings::capture_content();
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
        record_document_list(&mut b, RERANKER_INPUT_DOCUMENTS_PREFIX, input);
        record_document_list(&mut b, RERANKER_OUTPUT_DOCUMENTS_PREFIX, output);
        b.write(self);
    }

    fn record_output_messages(&self, messages: &[Message]) {
        if self.is_disabled() || !settings::capture_content() {
            return;
        }
        let mut b = Batch::new();
        let json = messages_json(messages);
        b.set_oi(oi::OUTPUT_MIME_TYPE, "application/json");
        b.set_oi(oi::OUTPUT_VALUE, json.clone());
        b.set(semconv::GEN_AI_OUTPUT_MESSAGES, json);
        b.write(self);
    }

    fn record_input_messages(&self, messages: &[Message]) {
        if self.is_disabled() || !settings::capture_content() {
            return;
        }
        let mut b = Batch::new();
        let json = messages_json(messages);
        b.set_oi(oi::INPUT_MIME_TYPE, "application/json");
        b.set_oi(oi::INPUT_VALUE, json.clone());
        b.set(semconv::GEN_AI_INPUT_MESSAGES, json);
        b.write(self);
    }

    fn record_output(&self, text: &str) {
        if self.is_disabled() || !settings::capture_content() {
            return;
        }
        let mut b = Batch::new();
        b.set_oi(oi::OUTPUT_VALUE, text.to_owned());
        b.write(self);
    }

    fn record_tool_result(&self, result: &serde_json::Value) {
        if self.is_disabled() || !settings::capture_content() {
            return;
        }
        let mut b = Batch::new();
        let json = result.to_string();
        b.set_oi(oi::OUTPUT_VALUE, json.clone());
        b.set(semconv::GEN_AI_TOOL_CALL_RESULT, json);
        b.write(self);
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
