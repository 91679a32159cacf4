//! OpenTelemetry tracing for LLM and AI-agent applications.
//!
//! llmtrace turns each request of an LLM application into one trace: a tree of spans for model
//! calls, embeddings, retrievals, reranking, tool calls, agent steps and chains, carrying the
//! [OpenTelemetry GenAI semantic conventions](https://opentelemetry.io/docs/specs/semconv/gen-ai/)
//! (v1.41.1) and OpenInference attributes, so Jaeger, Tempo, Arize Phoenix, Langfuse or any OTel
//! Collector show them. With no backend configured, each finished trace is printed as a tree.
//!
//! ```
//! use llmtrace::{LlmSpanExt, Response, Usage};
//!
//! # fn main() -> Result<(), llmtrace::InitError> {
//! let guard = llmtrace::builder().install_global(false).console(false).build()?;
//! tracing::dispatcher::with_default(&guard.dispatch(), || {
//!     let agent = llmtrace::agent("support-bot").start();
//!     let _in_agent = agent.enter();
//!
//!     let chat = llmtrace::chat("gpt-4o").provider("openai").temperature(0.0).start();
//!     chat.in_scope(|| {
//!         // … call the model …
//!     });
//!     chat.record_usage(Usage::new(812, 64));
//!     chat.record_response(&Response::new().id("chatcmpl-1").finish_reason("stop"));
//! });
//! # Ok(())
//! # }
//! ```
//!
//! # Macros
//! One attribute on an existing function gives it the right span (feature `macros`, on by
//! default):
//!
//! ```
//! use llmtrace::{RecordOutcome, Usage};
//!
//! struct Reply { text: String, usage: Usage }
//!
//! impl RecordOutcome for Reply {
//!     fn record_outcome(&self, span: &tracing::Span) {
//!         self.usage.record_outcome(span); // tokens recorded from the return value
//!     }
//! }
//!
//! #[llmtrace::llm(model = "gpt-4o", provider = "openai")]
//! fn ask(prompt: &str) -> Reply {
//!     Reply { text: prompt.to_uppercase(), usage: Usage::new(12, 3) }
//! }
//!
//! #[derive(Debug)]
//! struct NotFound;
//! impl std::fmt::Display for NotFound {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("not found") }
//! }
//! impl std::error::Error for NotFound {}
//!
//! #[llmtrace::tool(description = "Looks up an order")]
//! fn lookup(id: u32) -> Result<String, NotFound> {
//!     if id == 0 { Err(NotFound) } else { Ok(format!("order {id}")) }
//! }
//!
//! #[llmtrace::agent(name = "support-bot")]
//! fn support(question: &str) -> String {
//!     let reply = ask(question);
//!     let _ = lookup(0); // error recorded: status ERROR, error.type, exception event
//!     reply.text
//! }
//! # support("hi");
//! ```
//!
//! | macro | span | target from |
//! |---|---|---|
//! | `#[llm(model = …)]` | `chat {model}` (or `operation = "text_completion"`) | `model` (string or expression over the arguments) |
//! | `#[embedding(model = …)]` | `embeddings {model}` | `model` |
//! | `#[retriever(data_source = …)]` | `retrieval {data_source}` | `data_source`, else the function name |
//! | `#[tool]` | `execute_tool {name}` | `name`, else the function name |
//! | `#[agent]` | `invoke_agent {name}` | `name`, else the function name |
//! | `#[chain]` | `invoke_workflow {name}` | `name`, else the function name |
//!
//! Every macro takes `#[tracing::instrument]`'s arguments — `name`, `skip(..)`, `skip_all`,
//! `fields(..)`, `err` / `err(error_type = "…")`, `ret`, `level = "debug"` — plus `capture`
//! (arguments as a JSON object in `input.value`, the return value in `output.value`; each value
//! as its `serde` JSON when its type implements `Serialize`, else its `Debug` text, else left
//! out — for a generic parameter, what its bounds promise; only while content capture is on,
//! and always through the redactor; `ret` alone records only the return value),
//! `provider = …`, `description = …` (tools, agents), `stream` (`#[llm]` on a function returning `impl Stream`: time to first chunk, chunk
//! count, final usage, cancellation) and `crate = "path"` for a renamed dependency. A returned
//! `Result::Err` always marks the span failed (`error.type` = the error's type name, or
//! `err(error_type = …)`); a panic marks it failed and keeps unwinding; a return value whose type
//! implements [`RecordOutcome`] is recorded. `async fn`, methods, generic functions, `impl Trait`
//! returns and `#[async_trait]` methods work (a body ending in `Box::pin(async move { .. })` or
//! `async move { .. }` is instrumented as the future it returns). `#[llm]` detects an
//! `impl Stream` return type by itself. Kinds are
//! CLIENT for `#[llm]`, `#[embedding]`, `#[retriever]` and INTERNAL for the others.
//!
//! # Conventions
//! Spans follow the GenAI semantic conventions v1.41.1. Where the registry leaves a choice:
//!
//! - **One write per fact.** The span API, the macros and `llmtrace-openai` write `gen_ai.*`
//!   attributes; the OpenInference mirror Phoenix renders (span kind, model, token counts,
//!   `input.value` / `output.value`, flattened `llm.input_messages.*` / `llm.output_messages.*`,
//!   `llm.tools.*`, retrieval documents) is derived from them when a span ends, by
//!   [`enrich::OpenInferenceProcessor`] — for spans of other libraries (rig, genai, a hand-written
//!   `tracing::info_span!` with `gen_ai.*` fields) as well. OpenInference keys a span already has
//!   are kept. Facts the GenAI conventions have no key for (reranker documents, prompt-template
//!   versions, agent and chain inputs, session, user, tags, metadata) are written under their
//!   OpenInference keys directly.
//! - **Provider of in-process work.** `invoke_agent` spans require `gen_ai.provider.name`, and so
//!   do the points of the GenAI client metrics. An agent names the provider of the model it runs on
//!   when given one ([`SpanBuilder::provider`], `#[agent(provider = …)]`); otherwise agent spans and
//!   the metric points of agents, tools, workflows and retrievals name `llmtrace`, the
//!   instrumentation, as the registry's open enum allows ("if one of them applies, then the
//!   respective value MUST be used; otherwise, a custom value MAY be used").
//! - **Custom operations.** The registry has no reranking or retry operation: reranking spans
//!   carry `gen_ai.operation.name = "rerank"` (`rerank {model}`), the parent span of [`Retry`]
//!   `"retry"` (`retry {model}`; its attempts are ordinary `chat` spans).
//! - **Embeddings** record input tokens only ([`Usage::input_only`]; `#[embedding]` leaves out
//!   output tokens of any usage its return value records).
//! - **`error.type`** of a Rust error is its full type path (`my_agent::tools::ApiError`), the
//!   "canonical class name identifying the type within the artifact" the registry asks for;
//!   `Box`, `Arc`, `Rc` and references are looked through and a trait object gives `_OTHER`.
//!
//! # Processors
//! Every span passes, in this order: cost ([`cost::CostProcessor`]), OpenInference enrichment
//! ([`enrich::OpenInferenceProcessor`], unless `LLMTRACE_OPENINFERENCE=false`), metrics
//! ([`metrics::MetricsProcessor`]), redaction ([`processor::redact`], on by default), tail
//! sampling ([`processor::sample`], off until configured) and content events
//! ([`content::ContentEventProcessor`]: in the event capture modes, one
//! `gen_ai.client.inference.operation.details` log record per inference, built from the
//! scrubbed span; in `event_only`, content removed from the span), then the exporters. How
//! [`Builder::build`] assembles them, stage by stage, is described on [`Builder::build`]. Both processor
//! policies can come from `LLMTRACE_REDACTION_*` / `LLMTRACE_SAMPLING_*` variables, from code
//! ([`Builder::redaction`], [`Builder::tail_sampling`]) or from a YAML file named by
//! `LLMTRACE_CONFIG` with `redaction:` and `tail_sampling:` sections in the OpenTelemetry
//! Collector's keys (`${env:VAR:-default}` references work as in the collector). That file may
//! also be a whole OpenTelemetry Collector configuration: its traces pipeline's `redaction`,
//! `tail_sampling`, `attributes`, `resource`, `batch` and `memory_limiter` processors then run
//! in-process in the pipeline's order, and its OTLP, `debug` or `file` exporter is used when no
//! `OTEL_EXPORTER_OTLP_*` variable is set (the repository's `docs/configuration.md`).
//!
//! # Setting up
//! [`init`] reads the environment and installs the global subscriber; [`builder`] does the same
//! with values from code taking precedence. Keep the returned [`Guard`]: dropping it flushes.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `OTEL_SERVICE_NAME` | `service.name` | SDK default |
//! | `OTEL_RESOURCE_ATTRIBUTES` | extra resource attributes, `k=v,k=v` | none |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` | OTLP base endpoint (HTTP adds `/v1/traces`) | none: console tree |
//! | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | OTLP traces endpoint, used as given | none |
//! | `OTEL_EXPORTER_OTLP_PROTOCOL` | `grpc` or `http/protobuf` | `http/protobuf` |
//! | `OTEL_EXPORTER_OTLP_HEADERS` | headers, `k=v,k=v`, percent-encoded | none |
//! | `OTEL_EXPORTER_OTLP_TIMEOUT` | export timeout in ms | 10000 |
//! | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | head sampler | `parentbased_always_on` |
//! | `OTEL_SDK_DISABLED` | `true` turns tracing off | `false` |
//! | `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` | where prompts, completions, tool args go: `no_content`, `span_only`, `event_only`, `span_and_event` (any case), or `true` (= `span_only`) / `false`; see [`CaptureMode`] | `no_content` |
//! | `LLMTRACE_CAPTURE_CONTENT` | same, takes precedence | |
//! | `OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT` | emit the `gen_ai.client.inference.operation.details` log record | on in the event modes |
//! | `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` | OTLP logs endpoint for that record, used as given | base endpoint + `/v1/logs` |
//! | `LLMTRACE_CONSOLE` | print trees on stderr even with an endpoint | on without endpoint |
//! | `LLMTRACE_FILE` | also append OTLP-JSON lines to this file | none |
//! | `LLMTRACE_OPENINFERENCE` | add the OpenInference mirror of `gen_ai.*` attributes ([`enrich`]) | `true` |
//! | `LLMTRACE_LOG` | which `tracing` spans become OTel spans (filter directives) | `info` |
//! | `LLMTRACE_SPAN_EVENTS` | which `tracing` events inside a span become span events (target/level directives; `off` for none); async-openai's are off unless named | `info` |
//! | `LLMTRACE_CONFIG` | YAML file with `redaction:` / `tail_sampling:` sections, or an OpenTelemetry Collector configuration | none |
//! | `LLMTRACE_PIPELINE` | the collector configuration's pipeline to run, e.g. `traces/phoenix` | `traces` |
//! | `LLMTRACE_REDACTION` | `false` turns in-process redaction off | `true` |
//! | `LLMTRACE_PRICES` | YAML price table laid over the built-in one | none |
//! | `LLMTRACE_METRICS` | record GenAI metrics | on with an OTLP endpoint |
//! | `LLMTRACE_SHUTDOWN_TIMEOUT` | how long dropping the guard may flush, ms | 5000 |
//! | `LLMTRACE_EXPORT_WORKERS` | OTLP export workers (batch processor + connection each) | 4 |
//! | `LLMTRACE_OTLP_TRACE_EXPORTER` | `opentelemetry-otlp`: send spans with that crate's exporter instead of llmtrace's, which encodes each batch once (`direct`; `https` endpoints always use opentelemetry-otlp's) | llmtrace's |
//!
//! An unknown value of the capture variables, which llmtrace shares with other languages'
//! instrumentations, does not fail `init()`: llmtrace warns on stderr and records no content
//! ([`check_config`] reports it as an error). Every other bad value is an [`InitError`] naming
//! the variable and the fix. [`check_config`] runs the
//! same checks on a set of variables and a config file's text without setting anything up.
//!
//! # Feature flags
//! - `macros` (default): the `#[llm]`, `#[tool]`, `#[agent]`, `#[retriever]`, `#[embedding]` and
//!   `#[chain]` attribute macros.
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

#[doc(hidden)]
pub mod __private;
mod agent_loop;
mod attributes;
pub mod config;
pub mod content;
mod context;
pub mod cost;
pub mod enrich;
mod eval;
pub mod export;
mod init;
pub mod metrics;
mod outcome;
pub mod retry;
mod settings;
mod span;
mod span_data;

pub use agent_loop::{AgentLoop, AgentLoopError};
pub use config::{check_config, Compression, ConfigError, HeadSampler, Protocol};
pub use content::CaptureMode;
pub use context::{ContextProcessor, LlmContext, WithContext};
pub use eval::{evaluate, Evaluation, InvalidId};
pub use init::{builder, init, Builder, Guard, InitError};
pub use outcome::{instrument_stream, InstrumentedStream, RecordOutcome};
pub use retry::{Answered, Attempt, Retry, RetryError};
pub use settings::{capture_content, set_capture_content, ContentCapture};
pub use span::{
    adopt_tool_span, agent, chain, chat, completion, embeddings, rerank, retrieval, tool,
};
pub use span::{
    kind, Document, LlmSpanExt, Message, Response, Role, SpanBuilder, ToolCall, ToolDefinition,
    Usage,
};

#[cfg(feature = "macros")]
pub use llmtrace_macros::{agent, chain, embedding, llm, retriever, tool};
pub use llmtrace_processor as processor;
pub use llmtrace_semconv as semconv;
pub use llmtrace_semconv::{Operation, OutputType, Provider, SpanKind};
