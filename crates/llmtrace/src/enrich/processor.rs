//! [`OpenInferenceProcessor`]: the decorator that adds the OpenInference mirror to each span.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use super::openinference_attributes;

/// Wraps the next [`SpanProcessor`] and adds to each finished span the OpenInference attributes
/// derived from its `gen_ai.*` ones (see [`openinference_attributes`]) before handing it on.
///
/// Keys the span already has are left as they are. Spans without a GenAI operation pass
/// unchanged, and so do unsampled spans (nothing exports them). If the mapping ever failed
/// unexpectedly, the span is handed on without the mirror and counted in
/// [`failed_spans`](Self::failed_spans); the host never sees a panic. `on_start`, `force_flush`,
/// `shutdown_with_timeout` and `set_resource` are forwarded.
///
/// `llmtrace::builder()` puts it in front of the metrics and redacting processors unless
/// [`Builder::openinference(false)`](crate::Builder::openinference) or
/// `LLMTRACE_OPENINFERENCE=false`.
///
/// ```
/// use llmtrace::enrich::OpenInferenceProcessor;
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
///
/// let exporter = InMemorySpanExporter::default();
/// let provider = SdkTracerProvider::builder()
///     .with_span_processor(OpenInferenceProcessor::new(SimpleSpanProcessor::new(exporter.clone())))
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct OpenInferenceProcessor<P> {
    inner: P,
    failed: Arc<AtomicU64>,
}

impl<P: SpanProcessor> OpenInferenceProcessor<P> {
    /// Enriches spans, then hands them to `inner`.
    pub fn new(inner: P) -> Self {
        OpenInferenceProcessor {
            inner,
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Spans whose mapping failed and that were handed on without the mirror.
    pub fn failed_spans(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// The wrapped processor.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

impl<P: SpanProcessor> SpanProcessor for OpenInferenceProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        if span.span_context.is_sampled() {
            let attributes = &span.attributes;
            match catch_unwind(AssertUnwindSafe(|| openinference_attributes(attributes))) {
                Ok(mirror) => span.attributes.extend(mirror),
                Err(_) => {
                    self.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        self.inner.on_end(span);
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
