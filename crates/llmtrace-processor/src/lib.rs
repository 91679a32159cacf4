//! Span processors that sit between the tracing pipeline and the exporter of llmtrace.
//!
//! Each processor is a decorator around the next [`SpanProcessor`](opentelemetry_sdk::trace::SpanProcessor):
//! it changes or filters the finished span in `on_end` and hands it on.
//!
//! - [`redact`]: `RedactingProcessor` — PII and secrets never leave the process.
//! - [`sample`]: `TailSampler` — keep error and slow traces, sample the rest, bounded memory.
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

pub mod redact;
pub mod sample;

pub use redact::{RedactingProcessor, RedactionConfig, RedactionError, Redactor};

pub use sample::{
    PolicyConfig, SamplerStats, SamplingConfigError, TailSampler, TailSamplingConfig,
};
