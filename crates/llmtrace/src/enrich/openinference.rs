//! The OpenInference mirror of a span's `gen_ai.*` attributes: pure functions from attributes to
//! attributes, one per concern, composed by [`openinference_attributes`].

use opentelemetry::{Array, KeyValue, Value};

use llmtrace_semconv::openinference::{
    self as oi, document_key, DocumentField, SpanKind as OiKind, RETRIEVAL_DOCUMENTS_PREFIX,
};
use llmtrace_semconv::{aliases, attribute as semconv, llmtrace as ours, Operation};

use super::messages;

/// The OpenInference attributes a span with these attributes should also carry, leaving out
/// every key it already has (a key set by the application or an OpenInference-aware library
/// wins). Empty for spans that are not GenAI operations (no `gen_ai.operation.name`,
/// `gen_ai.tool.name` or `gen_ai.agent.name`).
///
/// | OpenInference | from |
/// |---|---|
/// | `openinference.span.kind` | `gen_ai.operation.name`: `chat`, `text_completion`, `generate_content` → `LLM`; `embeddings` → `EMBEDDING`; `retrieval` → `RETRIEVER`; `rerank` → `RERANKER`; `execute_tool` → `TOOL`; `invoke_agent`, `create_agent` → `AGENT`; anything else (`invoke_workflow`, `retry`) → `CHAIN` |
/// | `llm.provider`, `llm.system` | `gen_ai.provider.name`, in OpenInference's names (`azure.ai.openai` → `azure` / `openai`) |
/// | `llm.model_name` (LLM), `embedding.model_name`, `reranker.model_name` | `gen_ai.response.model`, else `gen_ai.request.model` |
/// | `llm.invocation_parameters` | `gen_ai.request.*` as a JSON object in the OpenAI names (`max_tokens`, `stop`, `n`…) |
/// | `llm.token_count.{prompt,completion,total}`, `…prompt_details.{cache_read,cache_write}`, `…completion_details.reasoning` | `gen_ai.usage.*` (total = input + output); none with `llmtrace.usage.rollup` |
/// | `llm.input_messages.N.message.*` | `gen_ai.system_instructions` (as message 0, role `system`) and `gen_ai.input.messages` |
/// | `llm.output_messages.N.message.*` | `gen_ai.output.messages` |
/// | `llm.tools.N.tool.json_schema` | `gen_ai.tool.definitions`, each in OpenAI's tool format |
/// | `input.value` / `input.mime_type` | `gen_ai.input.messages`, else `gen_ai.tool.call.arguments`, else `gen_ai.retrieval.query.text`, else `gen_ai.prompt` |
/// | `output.value` / `output.mime_type` | `gen_ai.output.messages`, else `gen_ai.tool.call.result`, else `gen_ai.completion` |
/// | `tool.name`, `tool.description`, `tool.id`, `tool.parameters` | `gen_ai.tool.name`, `….description`, `….call.id`, `….call.arguments` |
/// | `agent.name` | `gen_ai.agent.name` |
/// | `retrieval.documents.N.document.{id,score,content,metadata}` | `gen_ai.retrieval.documents` |
/// | `session.id` | `gen_ai.conversation.id` |
///
/// ```
/// use opentelemetry::KeyValue;
///
/// let mirror = llmtrace::enrich::openinference_attributes(&[
///     KeyValue::new("gen_ai.operation.name", "chat"),
///     KeyValue::new("gen_ai.request.model", "gpt-4o"),
///     KeyValue::new("gen_ai.response.model", "gpt-4o-2024-08-06"),
///     KeyValue::new("gen_ai.usage.input_tokens", 12),
///     KeyValue::new("gen_ai.usage.output_tokens", 3),
/// ]);
/// let get = |key: &str| mirror.iter().find(|kv| kv.key.as_str() == key).map(|kv| kv.value.to_string());
/// assert_eq!(get("openinference.span.kind").as_deref(), Some("LLM"));
/// assert_eq!(get("llm.model_name").as_deref(), Some("gpt-4o-2024-08-06"));
/// assert_eq!(get("llm.token_count.total").as_deref(), Some("15"));
/// ```
pub fn openinference_attributes(attributes: &[KeyValue]) -> Vec<KeyValue> {
    let span = Attributes(attributes);
    let Some(kind) = span_kind(&span) else {
        return Vec::new();
    };
    let mut out = Mirror::new(&span);
    out.set(oi::OPENINFERENCE_SPAN_KIND, kind.as_str());
    provider(&span, &mut out);
    model(&span, kind, &mut out);
    invocation_parameters(&span, &mut out);
    token_counts(&span, &mut out);
    tool(&span, &mut out);
    names(&span, &mut out);
    input_value(&span, &mut out);
    output_value(&span, &mut out);
    messages::input_messages(&span, &mut out);
    messages::output_messages(&span, &mut out);
    messages::tools(&span, &mut out);
    documents(&span, &mut out);
    out.added
}

/// A span's attributes, read by key. The SDK keeps every value set, so the last one set wins.
#[derive(Clone, Copy)]
pub(super) struct Attributes<'a>(&'a [KeyValue]);

impl<'a> Attributes<'a> {
    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.0
            .iter()
            .rev()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }

    /// A string attribute (other types are not what the conventions write under these keys).
    pub(super) fn text(&self, key: &str) -> Option<&'a str> {
        match self.get(key) {
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        }
    }

    fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Value::I64(n)) => Some(*n),
            _ => None,
        }
    }

    fn has(&self, key: &str) -> bool {
        self.0.iter().any(|kv| kv.key.as_str() == key)
    }

    /// Whether any key starts with `prefix` followed by a dot.
    pub(super) fn has_under(&self, prefix: &str) -> bool {
        self.0.iter().any(|kv| {
            kv.key
                .as_str()
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

/// The attributes being added: a key the span has, or that was added already, is not set again.
pub(super) struct Mirror<'a> {
    span: Attributes<'a>,
    pub(super) added: Vec<KeyValue>,
}

impl<'a> Mirror<'a> {
    fn new(span: &Attributes<'a>) -> Self {
        Mirror {
            span: *span,
            added: Vec::new(),
        }
    }

    /// Adds `key` unless the span or the mirror has it; whether it was added.
    pub(super) fn set(&mut self, key: &'static str, value: impl Into<Value>) -> bool {
        if self.span.has(key) || self.added.iter().any(|kv| kv.key.as_str() == key) {
            return false;
        }
        self.added.push(KeyValue::new(key, value));
        true
    }

    /// Adds a whole flattened group (keys under one prefix the span has none of).
    pub(super) fn extend(&mut self, group: Vec<KeyValue>) {
        self.added.extend(group);
    }
}

/// The OpenInference kind of a GenAI operation; `None` for spans that are not GenAI operations.
fn span_kind(span: &Attributes<'_>) -> Option<OiKind> {
    match span.text(semconv::GEN_AI_OPERATION_NAME) {
        Some(operation) => Some(kind_of_operation(operation)),
        None if span.has(semconv::GEN_AI_TOOL_NAME) => Some(OiKind::Tool),
        None if span.has(semconv::GEN_AI_AGENT_NAME) => Some(OiKind::Agent),
        None => None,
    }
}

fn kind_of_operation(operation: &str) -> OiKind {
    if operation == ours::OPERATION_RERANK {
        return OiKind::Reranker;
    }
    match Operation::from_name(operation) {
        Some(Operation::Chat | Operation::TextCompletion | Operation::GenerateContent) => {
            OiKind::Llm
        }
        Some(Operation::Embeddings) => OiKind::Embedding,
        Some(Operation::Retrieval) => OiKind::Retriever,
        Some(Operation::ExecuteTool) => OiKind::Tool,
        Some(Operation::InvokeAgent | Operation::CreateAgent) => OiKind::Agent,
        _ => OiKind::Chain,
    }
}

/// `llm.provider` and `llm.system` in OpenInference's vocabulary (its `OpenInferenceLLMProvider`
/// and `OpenInferenceLLMSystem` values); a provider it does not list keeps its name.
fn provider(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    let Some(name) = span.text(semconv::GEN_AI_PROVIDER_NAME) else {
        return;
    };
    if name == ours::PROVIDER_LLMTRACE {
        // The stand-in for "no provider given": not a model provider to show.
        return;
    }
    let (provider, system) = match name {
        "openai" => ("openai", Some("openai")),
        "azure.ai.openai" => ("azure", Some("openai")),
        "azure.ai.inference" => ("azure", None),
        "anthropic" => ("anthropic", Some("anthropic")),
        "cohere" => ("cohere", Some("cohere")),
        "mistral_ai" => ("mistralai", Some("mistralai")),
        "gcp.vertex_ai" => ("google", Some("vertexai")),
        "gcp.gemini" | "gcp.gen_ai" => ("google", None),
        "aws.bedrock" => ("aws", None),
        "x_ai" => ("xai", None),
        other => (other, None),
    };
    out.set(oi::LLM_PROVIDER, provider.to_owned());
    if let Some(system) = system {
        out.set(oi::LLM_SYSTEM, system);
    }
}

/// The model that answered (`gen_ai.response.model`), else the one asked for, under the key of
/// the span's kind.
fn model(span: &Attributes<'_>, kind: OiKind, out: &mut Mirror<'_>) {
    let key = match kind {
        OiKind::Llm => oi::LLM_MODEL_NAME,
        OiKind::Embedding => oi::EMBEDDING_MODEL_NAME,
        OiKind::Reranker => oi::RERANKER_MODEL_NAME,
        _ => return,
    };
    let model = span
        .text(semconv::GEN_AI_RESPONSE_MODEL)
        .filter(|m| !m.is_empty())
        .or_else(|| span.text(semconv::GEN_AI_REQUEST_MODEL));
    if let Some(model) = model {
        out.set(key, model.to_owned());
    }
}

/// Request parameters and the names OpenAI's API gives them (which OpenInference's own OpenAI
/// instrumentation records).
const PARAMETERS: &[(&str, &str)] = &[
    (semconv::GEN_AI_REQUEST_MODEL, "model"),
    (semconv::GEN_AI_REQUEST_TEMPERATURE, "temperature"),
    (semconv::GEN_AI_REQUEST_TOP_P, "top_p"),
    (semconv::GEN_AI_REQUEST_TOP_K, "top_k"),
    (semconv::GEN_AI_REQUEST_MAX_TOKENS, "max_tokens"),
    (semconv::GEN_AI_REQUEST_SEED, "seed"),
    (
        semconv::GEN_AI_REQUEST_FREQUENCY_PENALTY,
        "frequency_penalty",
    ),
    (semconv::GEN_AI_REQUEST_PRESENCE_PENALTY, "presence_penalty"),
    (semconv::GEN_AI_REQUEST_CHOICE_COUNT, "n"),
    (semconv::GEN_AI_REQUEST_STREAM, "stream"),
    (semconv::GEN_AI_REQUEST_STOP_SEQUENCES, "stop"),
];

/// `llm.invocation_parameters`: the request parameters as one JSON object, in the order they
/// were first set, each with its last value. Only when a parameter other than the model is set.
fn invocation_parameters(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    // Names in the order first set, each with its last value.
    let mut params: Vec<(&str, &Value)> = Vec::new();
    for kv in span.0 {
        let key = kv.key.as_str();
        if let Some((_, name)) = PARAMETERS.iter().find(|(k, _)| *k == key) {
            match params.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = &kv.value,
                None => params.push((name, &kv.value)),
            }
        }
    }
    if params.iter().any(|(name, _)| *name != "model") {
        // Written by hand to keep the order (a `serde_json::Map` sorts its keys), in one buffer;
        // the names are this module's ASCII identifiers and need no escaping.
        let mut json = Vec::with_capacity(24 * params.len() + 2);
        json.push(b'{');
        for (i, (name, value)) in params.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            json.push(b'"');
            json.extend_from_slice(name.as_bytes());
            json.extend_from_slice(b"\":");
            write_json(&mut json, value);
        }
        json.push(b'}');
        // Only JSON text was written: always UTF-8.
        if let Ok(json) = String::from_utf8(json) {
            out.set(oi::LLM_INVOCATION_PARAMETERS, json);
        }
    }
}

/// An attribute value as JSON (a NaN or infinite float as `null`), appended to `out`.
fn write_json(out: &mut Vec<u8>, value: &Value) {
    let before = out.len();
    let written = match value {
        Value::Bool(b) => serde_json::to_writer(&mut *out, b),
        Value::I64(n) => serde_json::to_writer(&mut *out, n),
        Value::F64(f) if f.is_finite() => serde_json::to_writer(&mut *out, f),
        Value::F64(_) => serde_json::to_writer(&mut *out, &()),
        Value::String(s) => serde_json::to_writer(&mut *out, s.as_str()),
        Value::Array(Array::String(items)) => {
            let items: Vec<&str> = items.iter().map(|s| s.as_str()).collect();
            serde_json::to_writer(&mut *out, &items)
        }
        Value::Array(Array::I64(items)) => serde_json::to_writer(&mut *out, items),
        Value::Array(Array::Bool(items)) => serde_json::to_writer(&mut *out, items),
        other => serde_json::to_writer(&mut *out, &other.to_string()),
    };
    // Writing to a `Vec` cannot fail; should it, the value is `null`, never half a value.
    if written.is_err() {
        out.truncate(before);
        out.extend_from_slice(b"null");
    }
}

/// `llm.token_count.*` from `gen_ai.usage.*`; none on a run span whose usage repeats its model
/// calls' (`llmtrace.usage.rollup`), which backends would otherwise add to its children's.
fn token_counts(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    if matches!(span.get(ours::USAGE_ROLLUP), Some(Value::Bool(true))) {
        return;
    }
    let input = span.int(semconv::GEN_AI_USAGE_INPUT_TOKENS);
    let output = span.int(semconv::GEN_AI_USAGE_OUTPUT_TOKENS);
    if let Some(n) = input {
        out.set(oi::LLM_TOKEN_COUNT_PROMPT, n);
    }
    if let Some(n) = output {
        out.set(oi::LLM_TOKEN_COUNT_COMPLETION, n);
    }
    if input.is_some() || output.is_some() {
        let total = input.unwrap_or(0).saturating_add(output.unwrap_or(0));
        out.set(oi::LLM_TOKEN_COUNT_TOTAL, total);
    }
    for (from, to) in [
        (
            semconv::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
            oi::LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ,
        ),
        (
            semconv::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
            oi::LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE,
        ),
        (
            semconv::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
            oi::LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING,
        ),
    ] {
        if let Some(n) = span.int(from) {
            out.set(to, n);
        }
    }
}

/// Copies each string attribute `from` present to `to`.
fn copy_text(span: &Attributes<'_>, out: &mut Mirror<'_>, pairs: &[(&str, &'static str)]) {
    for (from, to) in pairs {
        if let Some(text) = span.text(from) {
            out.set(to, text.to_owned());
        }
    }
}

fn tool(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    copy_text(
        span,
        out,
        &[
            (semconv::GEN_AI_TOOL_NAME, oi::TOOL_NAME),
            (semconv::GEN_AI_TOOL_DESCRIPTION, oi::TOOL_DESCRIPTION),
            (semconv::GEN_AI_TOOL_CALL_ID, oi::TOOL_ID),
            (semconv::GEN_AI_TOOL_CALL_ARGUMENTS, oi::TOOL_PARAMETERS),
        ],
    );
}

fn names(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    copy_text(
        span,
        out,
        &[
            (semconv::GEN_AI_AGENT_NAME, oi::AGENT_NAME),
            (semconv::GEN_AI_CONVERSATION_ID, oi::SESSION_ID),
        ],
    );
}

/// The MIME type OpenInference gives a value: JSON for an object or array, else none (plain
/// text is its default).
fn mime_type(value: &str) -> Option<&'static str> {
    let trimmed = value.trim_start();
    let json = (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(value).is_ok();
    json.then_some("application/json")
}

/// Sets `value_key` (and `mime_key` when the value is JSON) from the first of `sources` present.
fn value_from(
    span: &Attributes<'_>,
    out: &mut Mirror<'_>,
    (value_key, mime_key): (&'static str, &'static str),
    sources: &[&str],
) {
    let Some(value) = sources.iter().find_map(|key| span.text(key)) else {
        return;
    };
    // The MIME type describes the value written here, not one the span already had.
    if out.set(value_key, value.to_owned()) {
        if let Some(mime) = mime_type(value) {
            out.set(mime_key, mime);
        }
    }
}

fn input_value(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    value_from(
        span,
        out,
        (oi::INPUT_VALUE, oi::INPUT_MIME_TYPE),
        &[
            semconv::GEN_AI_INPUT_MESSAGES,
            semconv::GEN_AI_TOOL_CALL_ARGUMENTS,
            semconv::GEN_AI_RETRIEVAL_QUERY_TEXT,
            aliases::GEN_AI_PROMPT,
        ],
    );
}

fn output_value(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    value_from(
        span,
        out,
        (oi::OUTPUT_VALUE, oi::OUTPUT_MIME_TYPE),
        &[
            semconv::GEN_AI_OUTPUT_MESSAGES,
            semconv::GEN_AI_TOOL_CALL_RESULT,
            aliases::GEN_AI_COMPLETION,
        ],
    );
}

/// `retrieval.documents.N.document.*` from the `gen_ai.retrieval.documents` JSON array.
fn documents(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    if span.has_under(RETRIEVAL_DOCUMENTS_PREFIX) {
        return;
    }
    let Some(json) = span.text(semconv::GEN_AI_RETRIEVAL_DOCUMENTS) else {
        return;
    };
    let Ok(serde_json::Value::Array(documents)) = serde_json::from_str(json) else {
        return;
    };
    let mut group = Vec::with_capacity(2 * documents.len());
    for (i, doc) in documents.iter().enumerate() {
        let key = |field| document_key(RETRIEVAL_DOCUMENTS_PREFIX, i, field);
        match &doc["id"] {
            serde_json::Value::String(id) => {
                group.push(KeyValue::new(key(DocumentField::Id), id.clone()))
            }
            serde_json::Value::Null => {}
            id => group.push(KeyValue::new(key(DocumentField::Id), id.to_string())),
        }
        if let Some(score) = doc["score"].as_f64() {
            group.push(KeyValue::new(key(DocumentField::Score), score));
        }
        if let Some(content) = doc["content"].as_str() {
            group.push(KeyValue::new(
                key(DocumentField::Content),
                content.to_owned(),
            ));
        }
        if let Some(metadata) = doc.get("metadata").filter(|m| !m.is_null()) {
            group.push(KeyValue::new(
                key(DocumentField::Metadata),
                metadata.to_string(),
            ));
        }
    }
    out.extend(group);
}

#[cfg(test)]
mod tests;
