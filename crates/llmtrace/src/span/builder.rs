use std::fmt::Display;
use std::marker::PhantomData;

use opentelemetry::trace::TraceContextExt;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace_semconv::{attribute as semconv, openinference as oi, span_name, Operation, SpanKind};

use super::types::{messages_json, Message};
use crate::{settings, LlmContext};

thread_local! {
    /// Set while the attribute macros build attributes for a span they created (at their own
    /// target and level), so the builder does not second-guess that span's filter.
    static FORCE_ENABLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `build` with builders enabled regardless of the `llmtrace` target's filter.
pub(crate) fn with_builders_enabled<T>(build: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            FORCE_ENABLED.with(|f| f.set(self.0));
        }
    }
    let _reset = Reset(FORCE_ENABLED.with(|f| f.replace(true)));
    build()
}

/// Marker types that select which methods a [`SpanBuilder`] offers.
pub mod kind {
    /// A chat or text-completion call ([`chat`](crate::chat), [`completion`](crate::completion)).
    #[derive(Debug)]
    pub struct Llm;
    /// An embeddings call ([`embeddings`](crate::embeddings)).
    #[derive(Debug)]
    pub struct Embedding;
    /// A retrieval ([`retrieval`](crate::retrieval)).
    #[derive(Debug)]
    pub struct Retrieval;
    /// A reranking ([`rerank`](crate::rerank)).
    #[derive(Debug)]
    pub struct Rerank;
    /// A tool execution ([`tool`](crate::tool)).
    #[derive(Debug)]
    pub struct Tool;
    /// An agent invocation ([`agent`](crate::agent)).
    #[derive(Debug)]
    pub struct Agent;
    /// A chain or workflow step ([`chain`](crate::chain)).
    #[derive(Debug)]
    pub struct Chain;
}

/// Builds a GenAI span; [`start`](Self::start) creates the `tracing` span with every attribute
/// set before it starts, so samplers and processors see them.
///
/// ```
/// use llmtrace::{LlmSpanExt, Usage};
///
/// let span = llmtrace::chat("gpt-4o").provider("openai").temperature(0.2).max_tokens(256).start();
/// let _entered = span.enter();
/// span.record_usage(Usage::new(120, 48));
/// ```
#[must_use = "a span builder does nothing until `start` is called"]
#[derive(Debug)]
pub struct SpanBuilder<K> {
    operation: Option<Operation>,
    name: String,
    span_kind: SpanKind,
    attributes: Vec<KeyValue>,
    invocation_parameters: InvocationParameters,
    context: Option<LlmContext>,
    /// An explicit parent context (remote parents); otherwise the current context.
    parent: Option<opentelemetry::Context>,
    /// False when no subscriber wants `llmtrace` spans: every method is then a no-op.
    enabled: bool,
    _kind: PhantomData<K>,
}

/// The request parameters for OpenInference's `llm.invocation_parameters` (a JSON object in
/// the provider's own names), in the order they were first set; setting one again replaces it.
#[derive(Debug, Default)]
struct InvocationParameters(Vec<(&'static str, serde_json::Value)>);

impl InvocationParameters {
    fn set(&mut self, key: &'static str, value: serde_json::Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The JSON object, or `None` when no parameter was set.
    fn to_json(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(16 * self.0.len());
        out.push(b'{');
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Keys are this module's ASCII identifiers: no escaping needed.
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":");
            // Writing a `Value` into a `Vec` cannot fail.
            serde_json::to_writer(&mut out, value).ok()?;
        }
        out.push(b'}');
        String::from_utf8(out).ok()
    }
}

fn text_array(values: impl IntoIterator<Item = impl Into<String>>) -> Value {
    let values: Vec<StringValue> = values
        .into_iter()
        .map(|v| StringValue::from(v.into()))
        .collect();
    Value::Array(Array::String(values))
}

impl<K> SpanBuilder<K> {
    fn new(
        operation: Option<Operation>,
        name: impl FnOnce() -> String,
        span_kind: SpanKind,
        oi_kind: oi::SpanKind,
    ) -> Self {
        let enabled = FORCE_ENABLED.with(std::cell::Cell::get)
            || tracing::enabled!(target: "llmtrace", tracing::Level::INFO);
        if !enabled {
            return SpanBuilder {
                operation,
                name: String::new(),
                span_kind,
                attributes: Vec::new(),
                invocation_parameters: InvocationParameters::default(),
                context: None,
                parent: None,
                enabled,
                _kind: PhantomData,
            };
        }
        let mut attributes = Vec::with_capacity(16);
        if let Some(op) = operation {
            attributes.push(KeyValue::new(semconv::GEN_AI_OPERATION_NAME, op.as_str()));
        }
        if settings::openinference() {
            attributes.push(KeyValue::new(oi::OPENINFERENCE_SPAN_KIND, oi_kind.as_str()));
        }
        SpanBuilder {
            operation,
            name: name(),
            span_kind,
            attributes,
            invocation_parameters: InvocationParameters::default(),
            context: None,
            parent: None,
            enabled,
            _kind: PhantomData,
        }
    }

    fn attr(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        if self.enabled {
            self.attributes.push(KeyValue::new(key, value));
        }
        self
    }

    fn oi_attr(self, key: &'static str, value: impl Into<Value>) -> Self {
        if settings::openinference() {
            self.attr(key, value)
        } else {
            self
        }
    }

    /// Content attributes are kept only when capture is on.
    fn content_attr(self, key: &'static str, value: impl FnOnce() -> String) -> Self {
        if self.enabled && settings::capture_content() {
            self.attr(key, value())
        } else {
            self
        }
    }

    fn param(
        mut self,
        key: &'static str,
        semconv_key: &'static str,
        value: impl Into<Value> + Into<serde_json::Value> + Clone,
    ) -> Self {
        if !self.enabled {
            return self;
        }
        self.invocation_parameters.set(key, value.clone().into());
        self.attr(semconv_key, value)
    }

    /// The GenAI provider (`gen_ai.provider.name`), e.g. [`Provider::OpenAi`](crate::Provider)
    /// or a free-form name for a provider the registry does not list.
    pub fn provider(self, provider: impl Display) -> Self {
        if !self.enabled {
            return self;
        }
        let name = provider.to_string();
        self.oi_attr(oi::LLM_PROVIDER, name.clone())
            .attr(semconv::GEN_AI_PROVIDER_NAME, name)
    }

    /// The server's host (`server.address`).
    pub fn server_address(self, address: impl Into<String>) -> Self {
        self.attr(semconv::SERVER_ADDRESS, address.into())
    }

    /// The server's port (`server.port`).
    pub fn server_port(self, port: u16) -> Self {
        self.attr(semconv::SERVER_PORT, i64::from(port))
    }

    /// Overrides the span kind (e.g. CLIENT for an agent that runs on a remote service).
    pub fn span_kind(mut self, kind: SpanKind) -> Self {
        self.span_kind = kind;
        self
    }

    /// Context values (session, user, tags…) for this span and all its descendants.
    pub fn context(mut self, context: LlmContext) -> Self {
        self.context = Some(context);
        self
    }

    /// Any other attribute.
    pub fn attribute(
        mut self,
        key: impl Into<opentelemetry::Key>,
        value: impl Into<Value>,
    ) -> Self {
        if self.enabled {
            self.attributes.push(KeyValue::new(key, value));
        }
        self
    }

    /// The span name this builder will give (`{operation} {target}`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The GenAI operation of this span, if the conventions define one.
    pub fn operation(&self) -> Option<Operation> {
        self.operation
    }

    /// Creates the span (INFO level, target `llmtrace`) with every attribute set.
    ///
    /// The span is not entered: enter it, or `instrument` a future with it.
    pub fn start(self) -> tracing::Span {
        // Name and kind as creation-time fields: the layer reads them once, no `record` calls.
        let span = tracing::info_span!(
            target: "llmtrace",
            "gen_ai",
            otel.name = self.name.as_str(),
            otel.kind = self.span_kind.as_str(),
        );
        if self.enabled && !span.is_disabled() {
            self.set_parent_and_attributes(&span);
        }
        span
    }

    /// Gives a span created elsewhere (for example by the attribute macros, at another level)
    /// this builder's name, kind and attributes. The span must declare the fields `otel.name` and
    /// `otel.kind` (as [`tracing::field::Empty`]) and must not have been entered yet.
    pub fn apply(self, span: &tracing::Span) {
        if !self.enabled || span.is_disabled() {
            return;
        }
        span.record("otel.name", self.name.as_str());
        span.record("otel.kind", self.span_kind.as_str());
        self.set_parent_and_attributes(span);
    }

    fn set_parent_and_attributes(mut self, span: &tracing::Span) {
        if let Some(parent) = self.parent.take() {
            let _ = span.set_parent(parent);
        } else if let Some(context) = &self.context {
            // A contextual span's parent is the current OpenTelemetry context; lay the values
            // over it so this span and its descendants carry them.
            let _ = span.set_parent(context.merged_into_current());
        }
        if settings::openinference() {
            if let Some(params) = self.invocation_parameters.to_json() {
                self.attributes
                    .push(KeyValue::new(oi::LLM_INVOCATION_PARAMETERS, params));
            }
        }
        // One lookup of the OpenTelemetry span for all attributes (this starts it; its start
        // time is the tracing span's creation time).
        span.context().span().set_attributes(self.attributes);
    }
}

impl<K> SpanBuilder<K> {
    fn for_operation(op: Operation, target: &str, oi_kind: oi::SpanKind) -> Self {
        SpanBuilder::new(
            Some(op),
            || span_name(op, Some(target)),
            op.span_kind(),
            oi_kind,
        )
    }
}

fn llm(op: Operation, model: String) -> SpanBuilder<kind::Llm> {
    SpanBuilder::for_operation(op, &model, oi::SpanKind::Llm)
        .oi_attr(oi::LLM_MODEL_NAME, model.clone())
        .attr(semconv::GEN_AI_REQUEST_MODEL, model)
}

/// Starts building a chat-completion span: `chat {model}`, kind CLIENT, OpenInference `LLM`.
pub fn chat(model: impl Into<String>) -> SpanBuilder<kind::Llm> {
    llm(Operation::Chat, model.into())
}

/// Starts building a text-completion span: `text_completion {model}`, kind CLIENT.
pub fn completion(model: impl Into<String>) -> SpanBuilder<kind::Llm> {
    llm(Operation::TextCompletion, model.into())
}

/// Starts building an embeddings span: `embeddings {model}`, kind CLIENT, OpenInference
/// `EMBEDDING`.
pub fn embeddings(model: impl Into<String>) -> SpanBuilder<kind::Embedding> {
    let model = model.into();
    SpanBuilder::for_operation(Operation::Embeddings, &model, oi::SpanKind::Embedding)
        .oi_attr(oi::EMBEDDING_MODEL_NAME, model.clone())
        .attr(semconv::GEN_AI_REQUEST_MODEL, model)
}

/// Starts building a retrieval span: `retrieval {data_source}`, kind CLIENT, OpenInference
/// `RETRIEVER`.
pub fn retrieval(data_source: impl Into<String>) -> SpanBuilder<kind::Retrieval> {
    let source = data_source.into();
    SpanBuilder::for_operation(Operation::Retrieval, &source, oi::SpanKind::Retriever)
        .attr(semconv::GEN_AI_DATA_SOURCE_ID, source)
}

/// Starts building a reranking span: `rerank {model}`, kind CLIENT, OpenInference `RERANKER`.
/// The GenAI conventions define no reranking operation, so `gen_ai.operation.name` is not set.
pub fn rerank(model: impl Into<String>) -> SpanBuilder<kind::Rerank> {
    let model = model.into();
    SpanBuilder::new(
        None,
        || format!("rerank {model}"),
        SpanKind::Client,
        oi::SpanKind::Reranker,
    )
    .oi_attr(oi::RERANKER_MODEL_NAME, model.clone())
    .attr(semconv::GEN_AI_REQUEST_MODEL, model)
}

/// Starts building a tool span: `execute_tool {name}`, kind INTERNAL, OpenInference `TOOL`.
pub fn tool(name: impl Into<String>) -> SpanBuilder<kind::Tool> {
    let name = name.into();
    SpanBuilder::for_operation(Operation::ExecuteTool, &name, oi::SpanKind::Tool)
        .oi_attr(oi::TOOL_NAME, name.clone())
        .attr(semconv::GEN_AI_TOOL_NAME, name)
}

/// Starts building an agent span: `invoke_agent {name}`, kind INTERNAL (see
/// [`SpanBuilder::span_kind`] for a remote agent), OpenInference `AGENT`.
pub fn agent(name: impl Into<String>) -> SpanBuilder<kind::Agent> {
    let name = name.into();
    SpanBuilder::for_operation(Operation::InvokeAgent, &name, oi::SpanKind::Agent)
        .attr(semconv::GEN_AI_AGENT_NAME, name)
}

/// Starts building a chain (workflow step) span: `invoke_workflow {name}`, kind INTERNAL,
/// OpenInference `CHAIN`.
pub fn chain(name: impl Into<String>) -> SpanBuilder<kind::Chain> {
    let name = name.into();
    SpanBuilder::for_operation(Operation::InvokeWorkflow, &name, oi::SpanKind::Chain)
        .attr(semconv::GEN_AI_WORKFLOW_NAME, name)
}

impl SpanBuilder<kind::Llm> {
    /// Sampling temperature (`gen_ai.request.temperature`).
    pub fn temperature(self, value: f64) -> Self {
        self.param("temperature", semconv::GEN_AI_REQUEST_TEMPERATURE, value)
    }

    /// Top-p (`gen_ai.request.top_p`).
    pub fn top_p(self, value: f64) -> Self {
        self.param("top_p", semconv::GEN_AI_REQUEST_TOP_P, value)
    }

    /// Top-k (`gen_ai.request.top_k`).
    pub fn top_k(self, value: f64) -> Self {
        self.param("top_k", semconv::GEN_AI_REQUEST_TOP_K, value)
    }

    /// Maximum tokens to generate (`gen_ai.request.max_tokens`).
    pub fn max_tokens(self, value: u32) -> Self {
        self.param(
            "max_tokens",
            semconv::GEN_AI_REQUEST_MAX_TOKENS,
            i64::from(value),
        )
    }

    /// Seed (`gen_ai.request.seed`).
    pub fn seed(self, value: i64) -> Self {
        self.param("seed", semconv::GEN_AI_REQUEST_SEED, value)
    }

    /// Frequency penalty (`gen_ai.request.frequency_penalty`).
    pub fn frequency_penalty(self, value: f64) -> Self {
        self.param(
            "frequency_penalty",
            semconv::GEN_AI_REQUEST_FREQUENCY_PENALTY,
            value,
        )
    }

    /// Presence penalty (`gen_ai.request.presence_penalty`).
    pub fn presence_penalty(self, value: f64) -> Self {
        self.param(
            "presence_penalty",
            semconv::GEN_AI_REQUEST_PRESENCE_PENALTY,
            value,
        )
    }

    /// Number of choices requested (`gen_ai.request.choice.count`).
    pub fn choice_count(self, value: u32) -> Self {
        self.param("n", semconv::GEN_AI_REQUEST_CHOICE_COUNT, i64::from(value))
    }

    /// Whether the response is streamed (`gen_ai.request.stream`).
    pub fn stream(self, value: bool) -> Self {
        self.param("stream", semconv::GEN_AI_REQUEST_STREAM, value)
    }

    /// Stop sequences (`gen_ai.request.stop_sequences`).
    pub fn stop_sequences(mut self, stops: impl IntoIterator<Item = impl Into<String>>) -> Self {
        if !self.enabled {
            return self;
        }
        let stops: Vec<String> = stops.into_iter().map(Into::into).collect();
        self.invocation_parameters
            .set("stop", serde_json::Value::from(stops.clone()));
        self.attr(semconv::GEN_AI_REQUEST_STOP_SEQUENCES, text_array(stops))
    }

    /// The requested output type (`gen_ai.output.type`).
    pub fn output_type(self, output: llmtrace_semconv::OutputType) -> Self {
        self.attr(semconv::GEN_AI_OUTPUT_TYPE, output.as_str())
    }

    /// The messages sent (`gen_ai.input.messages`, `input.value`); recorded only when content
    /// capture is on.
    pub fn input_messages(self, messages: &[Message]) -> Self {
        if !self.enabled || !settings::capture_content() {
            return self;
        }
        let json = messages_json(messages);
        self.oi_attr(oi::INPUT_MIME_TYPE, "application/json")
            .oi_attr(oi::INPUT_VALUE, json.clone())
            .attr(semconv::GEN_AI_INPUT_MESSAGES, json)
    }

    /// System instructions (`gen_ai.system_instructions`); recorded only when content capture is
    /// on.
    pub fn system_instructions(self, text: &str) -> Self {
        self.content_attr(semconv::GEN_AI_SYSTEM_INSTRUCTIONS, || {
            serde_json::json!([{"type": "text", "content": text}]).to_string()
        })
    }

    /// The tools offered to the model, as JSON definitions (`gen_ai.tool.definitions`); recorded
    /// only when content capture is on.
    pub fn tool_definitions(self, definitions: &serde_json::Value) -> Self {
        self.content_attr(semconv::GEN_AI_TOOL_DEFINITIONS, || definitions.to_string())
    }

    /// The prompt template this call was rendered from (`gen_ai.prompt.name`,
    /// `llm.prompt_template.*`); the variables are content and follow the capture rule.
    pub fn prompt_template(
        self,
        name: impl Into<String>,
        version: impl Into<String>,
        variables: &serde_json::Value,
    ) -> Self {
        let name = name.into();
        self.attr(semconv::GEN_AI_PROMPT_NAME, name)
            .oi_attr(oi::LLM_PROMPT_TEMPLATE_VERSION, version.into())
            .content_attr(oi::LLM_PROMPT_TEMPLATE_VARIABLES, || variables.to_string())
    }
}

impl SpanBuilder<kind::Embedding> {
    /// Requested encoding formats (`gen_ai.request.encoding_formats`).
    pub fn encoding_formats(self, formats: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.attr(
            semconv::GEN_AI_REQUEST_ENCODING_FORMATS,
            text_array(formats),
        )
    }

    /// The dimension of the embeddings (`gen_ai.embeddings.dimension.count`).
    pub fn dimensions(self, count: u32) -> Self {
        self.attr(semconv::GEN_AI_EMBEDDINGS_DIMENSION_COUNT, i64::from(count))
    }

    /// The texts embedded (`input.value`); recorded only when content capture is on.
    pub fn inputs(self, texts: &[&str]) -> Self {
        self.content_attr(oi::INPUT_VALUE, || serde_json::json!(texts).to_string())
    }
}

impl SpanBuilder<kind::Retrieval> {
    /// The query (`gen_ai.retrieval.query.text`, `input.value`); recorded only when content
    /// capture is on.
    pub fn query(self, text: &str) -> Self {
        self.content_attr(oi::INPUT_VALUE, || text.to_owned())
            .content_attr(semconv::GEN_AI_RETRIEVAL_QUERY_TEXT, || text.to_owned())
    }

    /// How many documents were asked for (`llmtrace.retrieval.top_k`).
    pub fn top_k(self, k: u32) -> Self {
        self.attr("llmtrace.retrieval.top_k", i64::from(k))
    }
}

impl SpanBuilder<kind::Rerank> {
    /// The query (`reranker.query`); recorded only when content capture is on.
    pub fn query(self, text: &str) -> Self {
        self.content_attr(oi::RERANKER_QUERY, || text.to_owned())
    }

    /// How many documents the reranker keeps (`reranker.top_k`).
    pub fn top_k(self, k: u32) -> Self {
        self.oi_attr(oi::RERANKER_TOP_K, i64::from(k))
    }
}

impl SpanBuilder<kind::Tool> {
    /// The id of the tool call the model made (`gen_ai.tool.call.id`).
    pub fn call_id(self, id: impl Into<String>) -> Self {
        self.attr(semconv::GEN_AI_TOOL_CALL_ID, id.into())
    }

    /// The tool's type: `function`, `extension` or `datastore` (`gen_ai.tool.type`).
    pub fn tool_type(self, ty: impl Into<String>) -> Self {
        self.attr(semconv::GEN_AI_TOOL_TYPE, ty.into())
    }

    /// The tool's description (`gen_ai.tool.description`).
    pub fn description(self, text: impl Into<String>) -> Self {
        let text = text.into();
        self.oi_attr(oi::TOOL_DESCRIPTION, text.clone())
            .attr(semconv::GEN_AI_TOOL_DESCRIPTION, text)
    }

    /// The call's arguments as JSON (`gen_ai.tool.call.arguments`, `input.value`); recorded only
    /// when content capture is on.
    pub fn arguments(self, arguments: &serde_json::Value) -> Self {
        if !self.enabled || !settings::capture_content() {
            return self;
        }
        let json = arguments.to_string();
        self.oi_attr(oi::INPUT_MIME_TYPE, "application/json")
            .oi_attr(oi::INPUT_VALUE, json.clone())
            .oi_attr(oi::TOOL_PARAMETERS, json.clone())
            .attr(semconv::GEN_AI_TOOL_CALL_ARGUMENTS, json)
    }
}

impl SpanBuilder<kind::Agent> {
    /// The agent's id (`gen_ai.agent.id`).
    pub fn id(self, id: impl Into<String>) -> Self {
        self.attr(semconv::GEN_AI_AGENT_ID, id.into())
    }

    /// The agent's description (`gen_ai.agent.description`).
    pub fn description(self, text: impl Into<String>) -> Self {
        self.attr(semconv::GEN_AI_AGENT_DESCRIPTION, text.into())
    }

    /// The agent's version (`gen_ai.agent.version`).
    pub fn version(self, version: impl Into<String>) -> Self {
        self.attr(semconv::GEN_AI_AGENT_VERSION, version.into())
    }

    /// The request the agent answers (`input.value`); recorded only when content capture is on.
    pub fn input(self, text: &str) -> Self {
        self.content_attr(oi::INPUT_VALUE, || text.to_owned())
    }
}

impl SpanBuilder<kind::Chain> {
    /// The chain's input (`input.value`); recorded only when content capture is on.
    pub fn input(self, text: &str) -> Self {
        self.content_attr(oi::INPUT_VALUE, || text.to_owned())
    }
}

impl<K> SpanBuilder<K> {
    /// Makes the span a child of `parent` (e.g. a remote span) instead of the current context.
    pub(crate) fn with_parent(mut self, parent: opentelemetry::Context) -> Self {
        self.parent = Some(parent);
        self
    }
}

/// A CHAIN span with a free-form name and no GenAI operation (retry parents, evaluations).
pub(crate) fn custom_span(name: String, oi_kind: oi::SpanKind) -> SpanBuilder<kind::Chain> {
    SpanBuilder::new(None, || name, SpanKind::Internal, oi_kind)
}

#[cfg(test)]
mod tests {
    use super::InvocationParameters;

    #[test]
    fn invocation_parameters_are_a_json_object_in_first_set_order_with_the_last_value() {
        let mut params = InvocationParameters::default();
        assert_eq!(params.to_json(), None);
        params.set("temperature", 0.2.into());
        params.set("stop", serde_json::json!(["\"end\"", "\n"]));
        params.set("max_tokens", 512.into());
        params.set("temperature", 0.7.into());
        params.set("top_p", f64::NAN.into());
        let json = params.to_json().expect("parameters were set");
        assert_eq!(
            json,
            r#"{"temperature":0.7,"stop":["\"end\"","\n"],"max_tokens":512,"top_p":null}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(parsed["stop"][0], "\"end\"");
    }
}
