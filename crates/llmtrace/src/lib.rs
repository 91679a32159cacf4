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
//! With the default `macros` feature, attribute macros wrap a function — sync or `async`, free
//! or a method, generic, returning `impl Trait`, `#[async_trait]` methods — in the span of its
//! operation, named by the GenAI conventions and with its required attributes set at start:
//!
//! | macro | span name | kind |
//! |---|---|---|
//! | `#[llm(model = …)]` | `chat {model}` (`operation = "text_completion"`: `text_completion {model}`) | CLIENT |
//! | `#[embedding(model = …)]` | `embeddings {model}` | CLIENT |
//! | `#[retriever(data_source = …)]` | `retrieval {data_source}` (default: the function name) | CLIENT |
//! | `#[tool]` | `execute_tool {name}` (default: the function name) | INTERNAL |
//! | `#[agent]` | `invoke_agent {name}` (default: the function name) | INTERNAL |
//! | `#[chain]` | `invoke_workflow {name}` (default: the function name) | INTERNAL |
//!
//! ```
//! use llmtrace::{RecordOutcome, Usage};
//!
//! struct Reply { text: String, usage: Usage }
//!
//! // Return values that implement `RecordOutcome` are recorded: tokens, response id, documents.
//! impl RecordOutcome for Reply {
//!     fn record_outcome(&self, span: &tracing::Span) {
//!         self.usage.record_outcome(span);
//!     }
//! }
//!
//! struct Request { model: String, prompt: String }
//!
//! #[llmtrace::llm(model = req.model, provider = "openai", skip(req))]
//! fn ask(req: &Request) -> Result<Reply, std::io::Error> {
//!     Ok(Reply { text: req.prompt.clone(), usage: Usage::new(12, 3) })
//! }
//!
//! #[llmtrace::tool(description = "Looks up the weather", capture)]
//! async fn get_weather(city: String) -> Result<String, std::fmt::Error> {
//!     Ok(format!("sunny in {city}"))
//! }
//!
//! #[llmtrace::agent(name = "planner")]
//! fn plan(question: &str) -> String {
//!     let request = Request { model: "gpt-4o".into(), prompt: question.into() };
//!     ask(&request).map(|reply| reply.text).unwrap_or_default()
//! }
//! # plan("hi");
//! ```
//!
//! Arguments, besides each macro's own (`model`, `provider`, `operation`, `stream` for `#[llm]`;
//! `model`, `provider` for `#[embedding]`; `data_source`; `description`, `tool_type` for
//! `#[tool]`; `description` for `#[agent]`) — `model`, `provider`, `name`, `data_source` and
//! `description` take a literal or any expression over the arguments (`model = req.model`):
//! - `name = …`: the operation's target (tool, agent, chain name) instead of the function name.
//! - `skip(a, b)`, `skip_all`: arguments `capture` must not record.
//! - `fields(key = value, …)`: extra `tracing` fields, as in `#[tracing::instrument]`.
//! - `level = "debug"`: the span's level (default `info`; `LLMTRACE_LOG` filters on it).
//! - `capture`: record the arguments (a JSON object of their `Debug` forms, as `input.value`) and
//!   the return value (`Debug`, as `output.value`), **only while [`capture_content`] is on**, and
//!   then through the redacting processor like all content. `ret` records only the return value.
//! - `err`: a returned `Err` always ends the span with status ERROR, `error.type` (the error's
//!   type name) and an `exception` event — a failed model call must be visible — so `err` is
//!   implied; `err(error_type = "rate_limited")` gives `error.type` yourself.
//! - `crate = "path"`: where the `llmtrace` crate is, when it was renamed.
//!
//! A panic in the function ends its span with `error.type = "panic"`, and keeps unwinding.
//! `#[llm]` on a function returning `impl Stream` (or with `stream`) keeps the span open until the
//! stream ends or is dropped, recording the time to the first chunk, the chunk count, what each
//! chunk records through [`RecordOutcome`] (the final usage chunk), and
//! `llmtrace.stream.cancelled = true` when dropped early. With tracing off, an instrumented call
//! costs a few nanoseconds (BENCHMARKS.md).
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
//! (arguments as `input.value`, the return value as `output.value`, as `Debug`, only while content
//! capture is on and always through the redactor), `provider = …`, `description = …` (tools,
//! agents), `stream` (`#[llm]` on a function returning `impl Stream`: time to first chunk, chunk
//! count, final usage, cancellation) and `crate = "path"` for a renamed dependency. A returned
//! `Result::Err` always marks the span failed (`error.type` = the error's type name, or
//! `err(error_type = …)`); a panic marks it failed and keeps unwinding; a return value whose type
//! implements [`RecordOutcome`] is recorded. `async fn`, methods and generic functions work; for
//! `async-trait` methods put `#[async_trait]` outermost so the macro sees the `async fn`.
//!
//! # Processors
//! Every span passes, in this order: cost ([`cost::CostProcessor`]), metrics
//! ([`metrics::MetricsProcessor`]), redaction ([`processor::redact`], on by default) and tail
//! sampling ([`processor::sample`], off until configured), then the exporters. Both processor
//! policies can come from `LLMTRACE_REDACTION_*` / `LLMTRACE_SAMPLING_*` variables, from code
//! ([`Builder::redaction`], [`Builder::tail_sampling`]) or from a YAML file named by
//! `LLMTRACE_CONFIG` with `redaction:` and `tail_sampling:` sections in the OpenTelemetry
//! Collector's keys (`${env:VAR:-default}` references work as in the collector).
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
//! | `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` | record prompts, completions, tool args | `false` |
//! | `LLMTRACE_CAPTURE_CONTENT` | same, takes precedence | |
//! | `LLMTRACE_CONSOLE` | print trees on stderr even with an endpoint | on without endpoint |
//! | `LLMTRACE_FILE` | also append OTLP-JSON lines to this file | none |
//! | `LLMTRACE_OPENINFERENCE` | write OpenInference mirror attributes | `true` |
//! | `LLMTRACE_LOG` | which `tracing` spans become OTel spans (filter directives) | `info` |
//! | `LLMTRACE_CONFIG` | YAML file with `redaction:` / `tail_sampling:` sections | none |
//! | `LLMTRACE_REDACTION` | `false` turns in-process redaction off | `true` |
//! | `LLMTRACE_PRICES` | YAML price table laid over the built-in one | none |
//! | `LLMTRACE_METRICS` | record GenAI metrics | on with an OTLP endpoint |
//! | `LLMTRACE_SHUTDOWN_TIMEOUT` | how long dropping the guard may flush, ms | 5000 |
//!
//! Every bad value is an [`InitError`] naming the variable and the fix.
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
pub mod config;
mod context;
pub mod cost;
mod eval;
pub mod export;
mod init;
pub mod metrics;
mod outcome;
pub mod retry;
mod settings;
mod span;

pub use agent_loop::{AgentLoop, AgentLoopError};
pub use config::{ConfigError, HeadSampler, Protocol};
pub use context::{ContextProcessor, LlmContext};
pub use eval::{evaluate, Evaluation, InvalidId};
pub use init::{builder, init, Builder, Guard, InitError};
pub use outcome::{instrument_stream, InstrumentedStream, RecordOutcome};
pub use retry::{Answered, Attempt, Retry, RetryError};
pub use settings::{capture_content, openinference, set_capture_content, set_openinference};
pub use span::{agent, chain, chat, completion, embeddings, rerank, retrieval, tool};
pub use span::{kind, Document, LlmSpanExt, Message, Response, Role, SpanBuilder, ToolCall, Usage};

#[cfg(feature = "macros")]
pub use llmtrace_macros::{agent, chain, embedding, llm, retriever, tool};
pub use llmtrace_processor as processor;
pub use llmtrace_semconv as semconv;
pub use llmtrace_semconv::{Operation, OutputType, Provider, SpanKind};
