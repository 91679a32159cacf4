//! [`RedactingProcessor`]: the span-processor decorator that scrubs every finished span.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use super::report::{Counters, RedactionStats, StatsHandle};
use super::{RedactionConfig, RedactionError, Redactor};

/// Wraps the next [`SpanProcessor`] and scrubs each span in `on_end` before handing it on.
///
/// Span attributes (strings, string arrays, JSON inside strings), event names and attributes,
/// link attributes, the span name and the error status description all pass the [`Redactor`];
/// over-long values are truncated. `on_start`, `force_flush`, `shutdown_with_timeout` and
/// `set_resource` are forwarded.
///
/// Unsampled spans are dropped early (no exporter sends them) unless
/// [`forward_unsampled`](Self::forward_unsampled) is set, in which case they are redacted too.
/// If redaction ever failed unexpectedly, the span is dropped (fail closed) and counted in
/// [`RedactionStats::spans_failed`]; the host never sees a panic.
///
/// ```
/// use llmtrace_processor::redact::{RedactingProcessor, RedactionConfig};
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
///
/// let exporter = InMemorySpanExporter::default();
/// let processor = RedactingProcessor::from_config(
///     SimpleSpanProcessor::new(exporter.clone()),
///     &RedactionConfig::default(),
/// )?;
/// let stats = processor.stats_handle();
/// let provider = SdkTracerProvider::builder().with_span_processor(processor).build();
/// # drop(provider);
/// # let _ = stats.snapshot();
/// # Ok::<(), llmtrace_processor::redact::RedactionError>(())
/// ```
#[derive(Debug)]
pub struct RedactingProcessor<P: SpanProcessor> {
    inner: P,
    redactor: Arc<Redactor>,
    counters: Arc<Counters>,
    forward_unsampled: bool,
}

impl<P: SpanProcessor> RedactingProcessor<P> {
    /// Wraps `inner`, scrubbing with `redactor`.
    pub fn new(inner: P, redactor: Redactor) -> Self {
        Self::with_shared(inner, Arc::new(redactor))
    }

    /// Wraps `inner` with a redactor shared with other code.
    pub fn with_shared(inner: P, redactor: Arc<Redactor>) -> Self {
        Self {
            inner,
            redactor,
            counters: Arc::new(Counters::default()),
            forward_unsampled: false,
        }
    }

    /// Compiles `config` and wraps `inner`.
    pub fn from_config(inner: P, config: &RedactionConfig) -> Result<Self, RedactionError> {
        Ok(Self::new(inner, Redactor::new(config)?))
    }

    /// Also redact and forward spans whose context is not sampled (default: drop them).
    pub fn forward_unsampled(mut self, on: bool) -> Self {
        self.forward_unsampled = on;
        self
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> RedactionStats {
        self.counters.snapshot()
    }

    /// A handle that still reads the counters after the processor moved into a provider.
    pub fn stats_handle(&self) -> StatsHandle {
        StatsHandle(Arc::clone(&self.counters))
    }

    /// The redactor in use.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The wrapped processor.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

impl<P: SpanProcessor> SpanProcessor for RedactingProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.counters.span_seen();
        if !span.span_context.is_sampled() && !self.forward_unsampled {
            self.counters.span_unsampled();
            return;
        }
        let redactor = &self.redactor;
        let result = catch_unwind(AssertUnwindSafe(move || {
            let mut span = span;
            let report = redactor.redact_span(&mut span);
            (span, report)
        }));
        match result {
            Ok((span, report)) => {
                self.counters.record(&report);
                self.inner.on_end(span);
            }
            Err(_) => self.counters.span_failed(),
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
