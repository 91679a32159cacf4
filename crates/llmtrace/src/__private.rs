//! What the attribute macros' generated code calls. Not a public API: names and signatures
//! change without notice.
#![allow(missing_docs, missing_debug_implementations, unreachable_pub)]

use std::fmt::Debug;

pub use std::time::Instant;
pub use tracing;
pub use tracing::Instrument;

pub use crate::outcome::InstrumentedStream;
use crate::outcome::RecordOutcome;
use crate::span::{error_type_name, with_builders_enabled, with_input_only_usage, SpanBuilder};
use crate::{settings, LlmSpanExt};
use llmtrace_semconv::openinference as oi;

/// The `otel.kind` of the spans `#[llm]` and `#[embedding]` create with their attributes as
/// fields.
pub const CLIENT_KIND: &str = llmtrace_semconv::SpanKind::Client.as_str();

/// Builds the span's attributes with `builder` and gives them to the macro's span.
pub fn apply<K>(span: &tracing::Span, builder: impl FnOnce() -> SpanBuilder<K>) {
    with_builders_enabled(builder).apply(span);
}

/// Records the named arguments as `input.value` (a JSON object of their captured forms), only
/// when content capture is on.
pub fn record_input(
    span: &tracing::Span,
    args: impl FnOnce() -> Vec<(&'static str, Option<serde_json::Value>)>,
) {
    if !settings::capture_content_on(span) {
        return;
    }
    let object: serde_json::Map<String, serde_json::Value> = args()
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), value?)))
        .collect();
    span.record_attribute(oi::INPUT_MIME_TYPE, "application/json");
    span.record_attribute(
        oi::INPUT_VALUE,
        serde_json::Value::Object(object).to_string(),
    );
}

/// Records the return value's captured form as `output.value` (a string as itself, anything
/// else as JSON), only when content capture is on.
pub fn record_output(span: &tracing::Span, value: impl FnOnce() -> Option<serde_json::Value>) {
    if !settings::capture_content_on(span) {
        return;
    }
    match value() {
        Some(serde_json::Value::String(text)) => span.record_attribute(oi::OUTPUT_VALUE, text),
        Some(json) => {
            span.record_attribute(oi::OUTPUT_MIME_TYPE, "application/json");
            span.record_attribute(oi::OUTPUT_VALUE, json.to_string());
        }
        None => {}
    }
}

/// Marks the span failed if the function panics (the panic continues).
pub struct PanicGuard<'a> {
    span: &'a tracing::Span,
    armed: bool,
}

impl<'a> PanicGuard<'a> {
    pub fn new(span: &'a tracing::Span) -> Self {
        PanicGuard { span, armed: true }
    }

    pub fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if self.armed && std::thread::panicking() {
            self.span
                .record_error_type("panic", "the instrumented function panicked");
        }
    }
}

/// Autoref specialization probe: `(&&&&Probe(&value)).method()` picks the most specific impl
/// (error: `Error`, then `Display`, then `Debug`, then nothing). Nothing is formatted while the
/// span is disabled. An error's `error.type` is its full type path as the span API writes it
/// (`crate::span::error_type_name`: wrappers looked through, `_OTHER` for trait objects), unless
/// the macro was given `err(error_type = "…")`.
pub struct Probe<'a, T: ?Sized>(pub &'a T);

pub trait ErrViaError {
    fn __llmtrace_error(&self, span: &tracing::Span, error_type: Option<&str>);
}

impl<T, E: std::error::Error + 'static> ErrViaError for &&&Probe<'_, Result<T, E>> {
    fn __llmtrace_error(&self, span: &tracing::Span, error_type: Option<&str>) {
        if let (Err(error), false) = (self.0, span.is_disabled()) {
            match error_type {
                Some(ty) => span.record_error_type(ty, &error.to_string()),
                None => span.record_error(error),
            }
        }
    }
}

pub trait ErrViaDisplay {
    fn __llmtrace_error(&self, span: &tracing::Span, error_type: Option<&str>);
}

impl<T, E: std::fmt::Display> ErrViaDisplay for &&Probe<'_, Result<T, E>> {
    fn __llmtrace_error(&self, span: &tracing::Span, error_type: Option<&str>) {
        if let (Err(error), false) = (self.0, span.is_disabled()) {
            let ty = error_type.unwrap_or_else(|| error_type_name::<E>());
            span.record_error_type(ty, &error.to_string());
        }
    }
}

pub trait ErrViaDebug {
    fn __llmtrace_error(&self, span: &tracing::Span, error_type: Option<&str>);
}

impl<T, E: Debug> ErrViaDebug for &Probe<'_, Result<T, E>> {
    fn __llmtrace_error(&self, span: &tracing::Span, error_type: Option<&str>) {
        if let (Err(error), false) = (self.0, span.is_disabled()) {
            let ty = error_type.unwrap_or_else(|| error_type_name::<E>());
            span.record_error_type(ty, &format!("{error:?}"));
        }
    }
}

pub trait ErrViaNothing {
    fn __llmtrace_error(&self, span: &tracing::Span, error_type: Option<&str>);
}

impl<T: ?Sized> ErrViaNothing for Probe<'_, T> {
    fn __llmtrace_error(&self, _span: &tracing::Span, _error_type: Option<&str>) {}
}

pub trait OutcomeVia {
    fn __llmtrace_outcome(&self, span: &tracing::Span);
}

impl<T: RecordOutcome + ?Sized> OutcomeVia for &Probe<'_, T> {
    fn __llmtrace_outcome(&self, span: &tracing::Span) {
        // User implementations may compute before recording: skip them when tracing is off.
        if !span.is_disabled() {
            self.0.record_outcome(span);
        }
    }
}

/// Records an `#[embedding]` function's outcome: usage it records has no output tokens
/// (embeddings produce none, and the conventions' embeddings span has no output-token count).
pub fn embedding_outcome(record: impl FnOnce()) {
    with_input_only_usage(record);
}

pub trait OutcomeViaNothing {
    fn __llmtrace_outcome(&self, span: &tracing::Span);
}

impl<T: ?Sized> OutcomeViaNothing for Probe<'_, T> {
    fn __llmtrace_outcome(&self, _span: &tracing::Span) {}
}

/// How `capture` / `ret` turn a value into content: its `serde` JSON form when it implements
/// `Serialize`, else its `Debug` form as a JSON string, else nothing (left out).
pub trait CaptureViaSerialize {
    fn __llmtrace_capture(&self) -> Option<serde_json::Value>;
}

impl<T: serde::Serialize + ?Sized> CaptureViaSerialize for &&Probe<'_, T> {
    fn __llmtrace_capture(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self.0).ok()
    }
}

pub trait CaptureViaDebug {
    fn __llmtrace_capture(&self) -> Option<serde_json::Value>;
}

impl<T: Debug + ?Sized> CaptureViaDebug for &Probe<'_, T> {
    fn __llmtrace_capture(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(format!("{:?}", self.0)))
    }
}

pub trait CaptureViaNothing {
    fn __llmtrace_capture(&self) -> Option<serde_json::Value>;
}

impl<T: ?Sized> CaptureViaNothing for Probe<'_, T> {
    fn __llmtrace_capture(&self) -> Option<serde_json::Value> {
        None
    }
}
