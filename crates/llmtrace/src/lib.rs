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
