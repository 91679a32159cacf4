//! Counting what reaches the backend: spans handed to the OTLP destination, exported, failed
//! (the exporter gave up after its retries) and lost otherwise (queue full, shutdown deadline).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};
use opentelemetry_sdk::Resource;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    submitted: AtomicU64,
    exported: AtomicU64,
    failed: AtomicU64,
}

/// A snapshot of the OTLP destination's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportStats {
    /// Spans handed to the OTLP destination.
    pub submitted: u64,
    /// Spans the backend accepted.
    pub exported: u64,
    /// Spans in batches the exporter gave up on (backend down, rejected, timed out).
    pub failed: u64,
    /// Spans neither exported nor failed yet: still queued, or — after shutdown — dropped
    /// (queue full, shutdown deadline reached).
    pub pending_or_dropped: u64,
}

impl ExportStats {
    /// Spans that did not reach the backend (after shutdown: all that were lost).
    pub fn lost(&self) -> u64 {
        self.failed + self.pending_or_dropped
    }
}

impl Counters {
    pub(crate) fn snapshot(&self) -> ExportStats {
        let submitted = self.submitted.load(Ordering::Relaxed);
        let exported = self.exported.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        ExportStats {
            submitted,
            exported,
            failed,
            pending_or_dropped: submitted.saturating_sub(exported + failed),
        }
    }
}

/// Counts the outcome of every export call.
#[derive(Debug)]
pub(crate) struct CountingExporter<E> {
    pub(crate) inner: E,
    pub(crate) counters: Arc<Counters>,
}

impl<E: SpanExporter> SpanExporter for CountingExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let n = batch.len() as u64;
        let result = self.inner.export(batch).await;
        let counter = if result.is_ok() {
            &self.counters.exported
        } else {
            &self.counters.failed
        };
        counter.fetch_add(n, Ordering::Relaxed);
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Counts the spans handed to a destination.
#[derive(Debug)]
pub(crate) struct CountingProcessor<P> {
    pub(crate) inner: P,
    pub(crate) counters: Arc<Counters>,
}

impl<P: SpanProcessor> SpanProcessor for CountingProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.counters.submitted.fetch_add(1, Ordering::Relaxed);
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
