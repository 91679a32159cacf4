//! The typestate span builder: attributes collected before the span starts, so samplers and
//! processors see them.

use std::fmt::Display;
use std::marker::PhantomData;

use opentelemetry::trace::TraceContextExt;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace_semconv::{
    attribute as semconv, llmtrace as ours, openinference as oi, span_name, Operation, SpanKind,
};

use super::types::{messages_json, Message, ToolDefinition};
use crate::{settings, LlmContext};

thread_local! {
    /// Set while the attribute macros build attributes for a span they created (at their own
    /// target and level), so the builder does not second-guess that span's filter.
    static FORCE_ENABLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a subscriber wants `llmtrace` spans here (or the attribute macros said so).
#[inline]
fn builders_enabled() -> bool {
    FORCE_ENABLED.with(std::cell::Cell::get)
        || tracing::enabled!(target: "llmtrace", tracing::Level::INFO)
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
    /// A tool execution ([`tool`](crate::tool())).
    #[derive(Debug)]
    pub struct Tool;
    /// An agent invocation ([`agent`](crate::agent())).
    #[derive(Debug)]
    pub struct Agent;
    /// A chain or workflow step ([`chain`](crate::chain())).
    #[derive(Debug)]
    pub struct Chain;
}

/// Builds a GenAI span; [`start`](Self::start) creates the `tracing` span with every attribute
/// set before it starts, so samplers and processors see them.
///
/// Each fact is written once, under its `gen_ai.*` key where the conventions have one; the
/// OpenInference mirror (`openinference.span.kind`, `llm.*`, `input.value`…) is derived from
/// those by [`OpenInferenceProcessor`](crate::enrich::OpenInferenceProcessor) when the span ends.
/// Facts the GenAI conventions have no key for (reranker documents, prompt-template versions,
/// the input of agents and chains) are written under their OpenInference key directly.
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
    /// Everything a wanted span needs; `None` when no subscriber wants `llmtrace` spans. Every
    /// method is then a no-op, and the builder (two words) moves through the chained calls for
    /// free: with tracing off, building and starting a span costs a few nanoseconds.
    parts: Option<Box<Parts>>,
    _kind: PhantomData<K>,
}

/// The name, kind and attributes of a span a subscriber wants.
#[derive(Debug)]
struct Parts {
    name: String,
    span_kind: SpanKind,
    attributes: Vec<KeyValue>,
    context: Option<LlmContext>,
    /// An explicit parent context (remote parents); otherwise the current context.
    parent: Option<opentelemetry::Context>,
}

fn text_array(values: impl IntoIterator<Item = impl Into<String>>) -> Value {
    let values: Vec<StringValue> = values
        .into_iter()
        .map(|v| StringValue::from(v.into()))
        .collect();
    Value::Array(Array::String(values))
}

impl<K> SpanBuilder<K> {
    /// `operation` is the value of `gen_ai.operation.name`: a registry value, or one of the
    /// custom values of [`llmtrace_semconv::llmtrace`] (`rerank`, `retry`).
    fn new(
        operation: Option<&'static str>,
        name: impl FnOnce() -> String,
        span_kind: SpanKind,
    ) -> Self {
        Self::with_enabled(builders_enabled(), operation, name, span_kind)
    }

    /// [`new`](Self::new) once it is known whether a subscriber wants the span.
    fn with_enabled(
        enabled: bool,
        operation: Option<&'static str>,
        name: impl FnOnce() -> String,
        span_kind: SpanKind,
    ) -> Self {
        let parts = enabled.then(|| {
            let mut attributes = Vec::with_capacity(16);
            if let Some(op) = operation {
                attributes.push(KeyValue::new(semconv::GEN_AI_OPERATION_NAME, op));
            }
            Box::new(Parts {
                name: name(),
                span_kind,
                attributes,
                context: None,
                parent: None,
            })
        });
        SpanBuilder {
            operation: operation.and_then(Operation::from_name),
            parts,
            _kind: PhantomData,
        }
    }

    /// The builder of a span no subscriber wants: every method is a no-op.
    #[inline]
    fn disabled(operation: Option<Operation>) -> Self {
        SpanBuilder {
            operation,
            parts: None,
            _kind: PhantomData,
        }
    }

    /// Whether a subscriber wants the span (else every method is a no-op).
    #[inline]
    fn enabled(&self) -> bool {
        self.parts.is_some()
    }

    /// An attribute whose value is made only when the span is wanted (no allocation otherwise).
    #[inline]
    fn attr_with<V: Into<Value>>(mut self, key: &'static str, value: impl FnOnce() -> V) -> Self {
        if let Some(parts) = &mut self.parts {
            parts.push(KeyValue::new(key, value()));
        }
        self
    }

    #[inline]
    fn attr(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        if let Some(parts) = &mut self.parts {
            parts.push(KeyValue::new(key, value));
        }
        self
    }

    /// Content attributes are kept only when capture is on.
    #[inline]
    fn content_attr(self, key: &'static str, value: impl FnOnce() -> String) -> Self {
        if self.enabled() && settings::capture_content() {
            self.attr(key, value())
        } else {
            self
        }
    }

    /// The GenAI provider (`gen_ai.provider.name`), e.g. [`Provider::OpenAi`](crate::Provider)
    /// or a free-form name for a provider the registry does not list.
    ///
    /// An agent span ([`agent`]) without one names
    /// [`PROVIDER_LLMTRACE`](llmtrace_semconv::llmtrace::PROVIDER_LLMTRACE) (`llmtrace`), since
    /// the conventions require a provider on `invoke_agent` spans; give the provider of the model
    /// the agent runs on here when there is one.
    #[inline]
    pub fn provider(self, provider: impl Display) -> Self {
        self.attr_with(semconv::GEN_AI_PROVIDER_NAME, || provider.to_string())
    }

    /// The server's host (`server.address`).
    #[inline]
    pub fn server_address(self, address: impl Into<String>) -> Self {
        self.attr_with(semconv::SERVER_ADDRESS, || address.into())
    }

    /// The server's port (`server.port`).
    #[inline]
    pub fn server_port(self, port: u16) -> Self {
        self.attr(semconv::SERVER_PORT, i64::from(port))
    }

    /// Overrides the span kind (e.g. CLIENT for an agent that runs on a remote service).
    #[inline]
    pub fn span_kind(mut self, kind: SpanKind) -> Self {
        if let Some(parts) = &mut self.parts {
            parts.span_kind = kind;
        }
        self
    }

    /// Context values (session, user, tags…) for this span and all its descendants.
    #[inline]
    pub fn context(mut self, context: LlmContext) -> Self {
        if let Some(parts) = &mut self.parts {
            parts.context = Some(context);
        }
        self
    }

    /// Any other attribute.
    #[inline]
    pub fn attribute(
        mut self,
        key: impl Into<opentelemetry::Key>,
        value: impl Into<Value>,
    ) -> Self {
        if let Some(parts) = &mut self.parts {
            parts.push(KeyValue::new(key, value));
        }
        self
    }

    /// The span name this builder will give (`{operation} {target}`).
    #[inline]
    pub fn name(&self) -> &str {
        self.parts.as_ref().map_or("", |parts| parts.name.as_str())
    }

    /// The GenAI operation of this span, if the conventions define one.
    #[inline]
    pub fn operation(&self) -> Option<Operation> {
        self.operation
    }

    /// Creates the span (INFO level, target `llmtrace`) with every attribute set.
    ///
    /// The span is not entered: enter it, or `instrument` a future with it.
    /// When no subscriber wanted `llmtrace` spans as the builder was made, this is
    /// [`tracing::Span::none`].
    #[inline]
    pub fn start(self) -> tracing::Span {
        match self.parts {
            // No subscriber wants `llmtrace` spans: nothing to create.
            None => tracing::Span::none(),
            Some(parts) => parts.start(self.operation),
        }
    }

    /// Gives a span created elsewhere (for example by the attribute macros, at another level)
    /// this builder's name, kind and attributes. The span must declare the fields `otel.name` and
    /// `otel.kind` (as [`tracing::field::Empty`]) and must not have been entered yet.
    #[inline]
    pub fn apply(self, span: &tracing::Span) {
        let Some(parts) = self.parts else {
            return;
        };
        if span.is_disabled() {
            return;
        }
        span.record("otel.name", parts.name.as_str());
        span.record("otel.kind", parts.span_kind.as_str());
        parts.set_parent_and_attributes(self.operation, span);
    }
}

impl Parts {
    fn push(&mut self, attribute: KeyValue) {
        self.attributes.push(attribute);
    }

    fn start(self: Box<Self>, operation: Option<Operation>) -> tracing::Span {
        // Name and kind as creation-time fields: the layer reads them once, no `record` calls.
        let span = tracing::info_span!(
            target: "llmtrace",
            "gen_ai",
            otel.name = self.name.as_str(),
            otel.kind = self.span_kind.as_str(),
        );
        if !span.is_disabled() {
            self.set_parent_and_attributes(operation, &span);
        }
        span
    }

    fn set_parent_and_attributes(
        mut self: Box<Self>,
        operation: Option<Operation>,
        span: &tracing::Span,
    ) {
        if let Some(parent) = self.parent.take() {
            let _ = span.set_parent(parent);
        } else if let Some(context) = &self.context {
            // A contextual span's parent is the current OpenTelemetry context; lay the values
            // over it so this span and its descendants carry them.
            let _ = span.set_parent(context.merged_into_current());
        }
        let agent = matches!(
            operation,
            Some(Operation::InvokeAgent | Operation::CreateAgent)
        );
        let has_provider = || {
            self.attributes
                .iter()
                .any(|kv| kv.key.as_str() == semconv::GEN_AI_PROVIDER_NAME)
        };
        if agent && !has_provider() {
            self.attributes.push(KeyValue::new(
                semconv::GEN_AI_PROVIDER_NAME,
                ours::PROVIDER_LLMTRACE,
            ));
        }
        if operation == Some(Operation::ExecuteTool) {
            let tool = self
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == semconv::GEN_AI_TOOL_NAME);
            if let Some(KeyValue {
                value: Value::String(name),
                ..
            }) = tool
            {
                super::adopt::mark_tool_span(span, name.as_str());
            }
        }
        // One lookup of the OpenTelemetry span for all attributes (this starts it; its start
        // time is the tracing span's creation time).
        let Parts { attributes, .. } = *self;
        span.context().span().set_attributes(attributes);
    }
}

impl<K> SpanBuilder<K> {
    /// The span `{op} {target}`, with the target (model, tool, agent…) also under `key`. The
    /// target becomes a `String` only when a subscriber wants the span: with none, starting a
    /// builder allocates nothing.
    #[inline]
    fn for_target(op: Operation, target: impl Into<String>, key: &'static str) -> Self {
        if !builders_enabled() {
            return Self::disabled(Some(op));
        }
        let target = target.into();
        Self::with_enabled(
            true,
            Some(op.as_str()),
            || span_name(op, Some(&target)),
            op.span_kind(),
        )
        .attr(key, target)
    }
}

/// Starts building a chat-completion span: `chat {model}`, kind CLIENT, OpenInference `LLM`.
#[inline]
pub fn chat(model: impl Into<String>) -> SpanBuilder<kind::Llm> {
    SpanBuilder::for_target(Operation::Chat, model, semconv::GEN_AI_REQUEST_MODEL)
}

/// Starts building a text-completion span: `text_completion {model}`, kind CLIENT.
#[inline]
pub fn completion(model: impl Into<String>) -> SpanBuilder<kind::Llm> {
    SpanBuilder::for_target(
        Operation::TextCompletion,
        model,
        semconv::GEN_AI_REQUEST_MODEL,
    )
}

/// Starts building an embeddings span: `embeddings {model}`, kind CLIENT, OpenInference
/// `EMBEDDING`.
#[inline]
pub fn embeddings(model: impl Into<String>) -> SpanBuilder<kind::Embedding> {
    SpanBuilder::for_target(Operation::Embeddings, model, semconv::GEN_AI_REQUEST_MODEL)
}

/// Starts building a retrieval span: `retrieval {data_source}`, kind CLIENT, OpenInference
/// `RETRIEVER`.
#[inline]
pub fn retrieval(data_source: impl Into<String>) -> SpanBuilder<kind::Retrieval> {
    SpanBuilder::for_target(
        Operation::Retrieval,
        data_source,
        semconv::GEN_AI_DATA_SOURCE_ID,
    )
}

/// Starts building a reranking span: `rerank {model}`, kind CLIENT, OpenInference `RERANKER`.
/// The GenAI conventions define no reranking operation: `gen_ai.operation.name` is the custom
/// value [`OPERATION_RERANK`](llmtrace_semconv::llmtrace::OPERATION_RERANK) (`rerank`).
#[inline]
pub fn rerank(model: impl Into<String>) -> SpanBuilder<kind::Rerank> {
    let operation = Some(ours::OPERATION_RERANK);
    if !builders_enabled() {
        return SpanBuilder::disabled(None);
    }
    let model = model.into();
    SpanBuilder::with_enabled(
        true,
        operation,
        || format!("{} {model}", ours::OPERATION_RERANK),
        SpanKind::Client,
    )
    .attr(semconv::GEN_AI_REQUEST_MODEL, model)
}

/// Starts building a tool span: `execute_tool {name}`, kind INTERNAL, OpenInference `TOOL`.
#[inline]
pub fn tool(name: impl Into<String>) -> SpanBuilder<kind::Tool> {
    SpanBuilder::for_target(Operation::ExecuteTool, name, semconv::GEN_AI_TOOL_NAME)
}

/// Starts building an agent span: `invoke_agent {name}`, kind INTERNAL (see
/// [`SpanBuilder::span_kind`] for a remote agent), OpenInference `AGENT`.
///
/// The conventions require `gen_ai.provider.name` on agent spans: give the provider of the model
/// the agent runs on with [`provider`](SpanBuilder::provider) (and the model with
/// [`model`](SpanBuilder::model)); without one the span names `llmtrace`.
#[inline]
pub fn agent(name: impl Into<String>) -> SpanBuilder<kind::Agent> {
    SpanBuilder::for_target(Operation::InvokeAgent, name, semconv::GEN_AI_AGENT_NAME)
}

/// Starts building a chain (workflow step) span: `invoke_workflow {name}`, kind INTERNAL,
/// OpenInference `CHAIN`.
#[inline]
pub fn chain(name: impl Into<String>) -> SpanBuilder<kind::Chain> {
    SpanBuilder::for_target(
        Operation::InvokeWorkflow,
        name,
        semconv::GEN_AI_WORKFLOW_NAME,
    )
}

impl SpanBuilder<kind::Llm> {
    /// Sampling temperature (`gen_ai.request.temperature`).
    #[inline]
    pub fn temperature(self, value: f64) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_TEMPERATURE, value)
    }

    /// Top-p (`gen_ai.request.top_p`).
    #[inline]
    pub fn top_p(self, value: f64) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_TOP_P, value)
    }

    /// Top-k (`gen_ai.request.top_k`).
    #[inline]
    pub fn top_k(self, value: f64) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_TOP_K, value)
    }

    /// Maximum tokens to generate (`gen_ai.request.max_tokens`).
    #[inline]
    pub fn max_tokens(self, value: u32) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_MAX_TOKENS, i64::from(value))
    }

    /// Seed (`gen_ai.request.seed`).
    #[inline]
    pub fn seed(self, value: i64) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_SEED, value)
    }

    /// Frequency penalty (`gen_ai.request.frequency_penalty`).
    #[inline]
    pub fn frequency_penalty(self, value: f64) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_FREQUENCY_PENALTY, value)
    }

    /// Presence penalty (`gen_ai.request.presence_penalty`).
    #[inline]
    pub fn presence_penalty(self, value: f64) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_PRESENCE_PENALTY, value)
    }

    /// Number of choices requested (`gen_ai.request.choice.count`).
    #[inline]
    pub fn choice_count(self, value: u32) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_CHOICE_COUNT, i64::from(value))
    }

    /// Whether the response is streamed (`gen_ai.request.stream`).
    #[inline]
    pub fn stream(self, value: bool) -> Self {
        self.attr(semconv::GEN_AI_REQUEST_STREAM, value)
    }

    /// Stop sequences (`gen_ai.request.stop_sequences`).
    #[inline]
    pub fn stop_sequences(self, stops: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.attr_with(semconv::GEN_AI_REQUEST_STOP_SEQUENCES, || text_array(stops))
    }

    /// The requested output type (`gen_ai.output.type`).
    #[inline]
    pub fn output_type(self, output: llmtrace_semconv::OutputType) -> Self {
        self.attr(semconv::GEN_AI_OUTPUT_TYPE, output.as_str())
    }

    /// The messages sent (`gen_ai.input.messages`); recorded only when content capture is on.
    #[inline]
    pub fn input_messages(self, messages: &[Message]) -> Self {
        self.content_attr(semconv::GEN_AI_INPUT_MESSAGES, || messages_json(messages))
    }

    /// System instructions (`gen_ai.system_instructions`); recorded only when content capture is
    /// on.
    #[inline]
    pub fn system_instructions(self, text: &str) -> Self {
        self.content_attr(semconv::GEN_AI_SYSTEM_INSTRUCTIONS, || {
            serde_json::json!([{"type": "text", "content": text}]).to_string()
        })
    }

    /// The tools offered to the model (`gen_ai.tool.definitions`: a JSON array of
    /// `{"type", "name", "description", "parameters"}` objects, see [`ToolDefinition`]);
    /// recorded only when content capture is on, since descriptions and schemas are large and
    /// the conventions recommend leaving such optional properties out by default.
    #[inline]
    pub fn tool_definitions(self, definitions: &[ToolDefinition]) -> Self {
        self.content_attr(semconv::GEN_AI_TOOL_DEFINITIONS, || {
            serde_json::Value::Array(definitions.iter().map(ToolDefinition::to_json).collect())
                .to_string()
        })
    }

    /// The prompt template this call was rendered from (`gen_ai.prompt.name`,
    /// `llm.prompt_template.*`); the variables are content and follow the capture rule.
    #[inline]
    pub fn prompt_template(
        self,
        name: impl Into<String>,
        version: impl Into<String>,
        variables: &serde_json::Value,
    ) -> Self {
        // The conventions name prompts but not their versions or variables: those are written
        // under their OpenInference keys only.
        self.attr_with(semconv::GEN_AI_PROMPT_NAME, || name.into())
            .attr_with(oi::LLM_PROMPT_TEMPLATE_VERSION, || version.into())
            .content_attr(oi::LLM_PROMPT_TEMPLATE_VARIABLES, || variables.to_string())
    }
}

impl SpanBuilder<kind::Embedding> {
    /// Requested encoding formats (`gen_ai.request.encoding_formats`).
    #[inline]
    pub fn encoding_formats(self, formats: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.attr_with(semconv::GEN_AI_REQUEST_ENCODING_FORMATS, || {
            text_array(formats)
        })
    }

    /// The dimension of the embeddings (`gen_ai.embeddings.dimension.count`).
    #[inline]
    pub fn dimensions(self, count: u32) -> Self {
        self.attr(semconv::GEN_AI_EMBEDDINGS_DIMENSION_COUNT, i64::from(count))
    }

    /// The texts embedded (`input.value`); recorded only when content capture is on.
    #[inline]
    pub fn inputs(self, texts: &[&str]) -> Self {
        self.content_attr(oi::INPUT_VALUE, || serde_json::json!(texts).to_string())
    }
}

impl SpanBuilder<kind::Retrieval> {
    /// The query (`gen_ai.retrieval.query.text`); recorded only when content capture is on.
    #[inline]
    pub fn query(self, text: &str) -> Self {
        self.content_attr(semconv::GEN_AI_RETRIEVAL_QUERY_TEXT, || text.to_owned())
    }

    /// How many documents were asked for (`llmtrace.retrieval.top_k`).
    #[inline]
    pub fn top_k(self, k: u32) -> Self {
        self.attr("llmtrace.retrieval.top_k", i64::from(k))
    }
}

impl SpanBuilder<kind::Rerank> {
    /// The query (`reranker.query`); recorded only when content capture is on.
    #[inline]
    pub fn query(self, text: &str) -> Self {
        self.content_attr(oi::RERANKER_QUERY, || text.to_owned())
    }

    /// How many documents the reranker keeps (`reranker.top_k`).
    #[inline]
    pub fn top_k(self, k: u32) -> Self {
        self.attr(oi::RERANKER_TOP_K, i64::from(k))
    }
}

impl SpanBuilder<kind::Tool> {
    /// The id of the tool call the model made (`gen_ai.tool.call.id`).
    #[inline]
    pub fn call_id(self, id: impl Into<String>) -> Self {
        self.attr_with(semconv::GEN_AI_TOOL_CALL_ID, || id.into())
    }

    /// The tool's type: `function`, `extension` or `datastore` (`gen_ai.tool.type`).
    #[inline]
    pub fn tool_type(self, ty: impl Into<String>) -> Self {
        self.attr_with(semconv::GEN_AI_TOOL_TYPE, || ty.into())
    }

    /// The tool's description (`gen_ai.tool.description`).
    #[inline]
    pub fn description(self, text: impl Into<String>) -> Self {
        self.attr_with(semconv::GEN_AI_TOOL_DESCRIPTION, || text.into())
    }

    /// The call's arguments as JSON (`gen_ai.tool.call.arguments`); recorded only when content
    /// capture is on.
    #[inline]
    pub fn arguments(self, arguments: &serde_json::Value) -> Self {
        self.content_attr(semconv::GEN_AI_TOOL_CALL_ARGUMENTS, || {
            arguments.to_string()
        })
    }
}

impl SpanBuilder<kind::Agent> {
    /// The agent's id (`gen_ai.agent.id`).
    #[inline]
    pub fn id(self, id: impl Into<String>) -> Self {
        self.attr_with(semconv::GEN_AI_AGENT_ID, || id.into())
    }

    /// The agent's description (`gen_ai.agent.description`).
    #[inline]
    pub fn description(self, text: impl Into<String>) -> Self {
        self.attr_with(semconv::GEN_AI_AGENT_DESCRIPTION, || text.into())
    }

    /// The agent's version (`gen_ai.agent.version`).
    #[inline]
    pub fn version(self, version: impl Into<String>) -> Self {
        self.attr_with(semconv::GEN_AI_AGENT_VERSION, || version.into())
    }

    /// The model the agent runs on (`gen_ai.request.model`); name its provider with
    /// [`provider`](SpanBuilder::provider).
    #[inline]
    pub fn model(self, model: impl Into<String>) -> Self {
        self.attr_with(semconv::GEN_AI_REQUEST_MODEL, || model.into())
    }

    /// The request the agent answers (`input.value`); recorded only when content capture is on.
    #[inline]
    pub fn input(self, text: &str) -> Self {
        self.content_attr(oi::INPUT_VALUE, || text.to_owned())
    }
}

impl SpanBuilder<kind::Chain> {
    /// The chain's input (`input.value`); recorded only when content capture is on.
    #[inline]
    pub fn input(self, text: &str) -> Self {
        self.content_attr(oi::INPUT_VALUE, || text.to_owned())
    }
}

impl<K> SpanBuilder<K> {
    /// Makes the span a child of `parent` (e.g. a remote span) instead of the current context.
    pub(crate) fn with_parent(mut self, parent: opentelemetry::Context) -> Self {
        if let Some(parts) = &mut self.parts {
            parts.parent = Some(parent);
        }
        self
    }
}

/// An INTERNAL span with a free-form name and the given `gen_ai.operation.name`, if any (retry
/// parents, evaluations).
pub(crate) fn custom_span(
    name: String,
    operation: Option<&'static str>,
) -> SpanBuilder<kind::Chain> {
    SpanBuilder::new(operation, || name, SpanKind::Internal)
}
