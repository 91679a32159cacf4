//! [async-openai](async_openai) with every call traced by
//! [llmtrace]: swap `async_openai::Client` for [`llmtrace_openai::Client`](Client)
//! and each chat completion, streamed chat completion and embeddings call becomes a GenAI span
//! (OpenTelemetry GenAI semantic conventions plus the OpenInference mirror). It works with
//! OpenAI and with every OpenAI-compatible server (vLLM, Ollama, LiteLLM, …).
//!
//! ```no_run
//! use async_openai::config::OpenAIConfig;
//! use async_openai::types::chat::{
//!     ChatCompletionRequestUserMessage, CreateChatCompletionRequestArgs,
//! };
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let _guard = llmtrace::init()?;
//! // Was: async_openai::Client::with_config(…)
//! let client = llmtrace_openai::Client::with_config(
//!     OpenAIConfig::new().with_api_base("http://127.0.0.1:11434/v1"),
//! );
//! let request = CreateChatCompletionRequestArgs::default()
//!     .model("gpt-4o-mini")
//!     .temperature(0.2)
//!     .messages([ChatCompletionRequestUserMessage::from("Say hi").into()])
//!     .build()?;
//! let response = client.chat().create(request).await?; // span `chat gpt-4o-mini`
//! println!("{:?}", response.choices[0].message.content);
//! # Ok(())
//! # }
//! ```
//!
//! # What each call records
//! Every span has `gen_ai.provider.name` (`openai`, see [`Client::with_provider`]),
//! `server.address` and `server.port` from the client's API base, and kind CLIENT.
//!
//! | call | span | attributes |
//! |---|---|---|
//! | [`chat().create`](Chat::create) | `chat {model}` | request: model, temperature, top_p, max tokens (`max_completion_tokens`, else `max_tokens`), seed, stop sequences, `n` (when ≠ 1), penalties, `stream`, `gen_ai.output.type` from `response_format`, `openai.request.service_tier`; response: id, model, finish reasons of all choices, usage with cached (`cache_read`) and reasoning tokens, `openai.response.service_tier`, `openai.response.system_fingerprint` |
//! | [`chat().create_stream`](Chat::create_stream) | `chat {model}` | the same, assembled from the chunks, plus `gen_ai.response.time_to_first_chunk` (seconds from sending the request), `llmtrace.stream.chunk_count`, `llmtrace.stream.cancelled = true` when dropped before the end; usage only when the request sets `stream_options.include_usage` (the server sends it in the last chunk) |
//! | [`embeddings().create`](Embeddings::create) | `embeddings {model}` | model, encoding format, `gen_ai.embeddings.dimension.count`, `llmtrace.embeddings.input_count`, input tokens (no output-token count: embeddings produce none), response model |
//!
//! Content follows llmtrace's capture rule ([`llmtrace::capture_content`], off by default) and,
//! once captured, passes the redacting processor: with capture on, chat spans also get
//! `gen_ai.input.messages` (the request's messages, text parts), `gen_ai.tool.definitions` (each
//! tool in the conventions' `{type, name, description, parameters}` shape, see
//! [`tool_definitions`]), and `gen_ai.output.messages` — one message per choice, with the tool calls the model
//! requested (id, name, arguments parsed as JSON); embeddings spans get the input texts.
//!
//! # Errors and retries
//! A failed call's span has status ERROR, an `exception` event, `http.response.status_code`
//! when there was a response, and `error.type` as [`error_type`] describes: the API error's
//! `type` (else `code`, else the HTTP status), `rate_limit_exceeded` for every 429 except
//! `insufficient_quota`, the status for a 5xx, else the async-openai error variant.
//!
//! async-openai retries 429s, 5xx and connection errors itself (3 times by default, waiting
//! `retry-after` or 100 ms doubling). Clients built by this crate make those retries visible:
//! one `llmtrace.http.retryable_response` event per retryable response (status, attempt,
//! `retry-after`) and `llmtrace.retry.attempts` when a call took more than one attempt.
//! [`Client::with_max_retries`] bounds them.
//!
//! # Agent turns over llmtrace messages
//! [`ChatModel`] runs one traced chat turn over a history of [`llmtrace::Message`]s (system,
//! user, assistant tool calls, tool results) with the tools it offers, and returns the reply as
//! a [`llmtrace::Message`]; [`ChatModel::from_env`] builds one when `OPENAI_API_KEY` or
//! `OPENAI_BASE_URL` is set, so an agent can use a real model when one is configured and a fake
//! one otherwise (see `examples/agent_openai.rs`).
//!
//! # Feature flags
//! - `rustls` (default): TLS through rustls, as async-openai's default.
//! - `native-tls`: TLS through the platform library (OpenSSL on Linux).
//!
//! # Environment
//! | variable | meaning |
//! |---|---|
//! | `OPENAI_API_KEY` | the API key ([`Client::new`], [`ChatModel::from_env`]) |
//! | `OPENAI_BASE_URL` | the API base, e.g. `http://127.0.0.1:8000/v1` for vLLM |
//! | `OPENAI_MODEL` | the model [`ChatModel::from_env`] uses (default `gpt-4o-mini`) |
//!
//! Tracing itself is configured by llmtrace (`OTEL_*`, `LLMTRACE_*`; see [`llmtrace`]).
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

mod agent;
pub mod attributes;
mod chat;
mod client;
mod embeddings;
mod error;
mod http;
mod mapping;
mod record;
mod stream;
mod target;

pub use agent::{ChatModel, DEFAULT_MODEL};
pub use chat::Chat;
pub use client::{Client, DEFAULT_MAX_RETRIES};
pub use embeddings::{input_count, Embeddings};
pub use error::{error_type, INSUFFICIENT_QUOTA, RATE_LIMIT_EXCEEDED};
pub use mapping::{input_messages, tool_definitions};
pub use stream::ChatCompletionStream;

pub use async_openai;
