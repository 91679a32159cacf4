//! One processor chain in front of several destinations: the fan-out and the type-erased
//! processor the decorators wrap.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

/// Hands every finished span to several processors (one per destination), so that the
/// redacting and sampling decorators run once, in front of all of them.
#[derive(Debug, Default)]
pub struct FanOut {
    processors: Vec<Box<dyn SpanProcessor>>,
}

impl FanOut {
    /// No destinations yet.
    pub fn new() -> Self {
        FanOut::default()
    }

    /// Adds a destination.
    pub fn push(&mut self, processor: impl SpanProcessor + 'static) {
        self.processors.push(Box::new(processor));
    }

    /// Adds an already boxed destination.
    pub fn push_boxed(&mut self, processor: Box<dyn SpanProcessor>) {
        self.processors.push(processor);
    }

    /// Whether there is no destination.
    pub fn is_empty(&self) -> bool {
        self.processors.is_empty()
    }

    /// Runs `f` on every processor (all of them, even after a failure) and joins the errors.
    fn each(&self, f: impl Fn(&dyn SpanProcessor) -> OTelSdkResult) -> OTelSdkResult {
        let errors: Vec<String> = self
            .processors
            .iter()
            .filter_map(|p| f(p.as_ref()).err().map(|e| e.to_string()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(OTelSdkError::InternalFailure(errors.join("; ")))
        }
    }
}

impl SpanProcessor for FanOut {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        for p in &self.processors {
            p.on_start(span, cx);
        }
    }

    fn on_end(&self, span: SpanData) {
        if let Some((last, rest)) = self.processors.split_last() {
            for p in rest {
                p.on_end(span.clone());
            }
            last.on_end(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.each(|p| p.force_flush())
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        // One deadline for all destinations, not one each.
        let deadline = std::time::Instant::now() + timeout;
        self.each(|p| {
            p.shutdown_with_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
        })
    }

    fn set_resource(&mut self, resource: &Resource) {
        for p in &mut self.processors {
            p.set_resource(resource);
        }
    }
}

/// A type-erased span processor, so decorators (`CostProcessor<P>`, `RedactingProcessor<P>`…)
/// can wrap a chain whose concrete type depends on configuration.
#[derive(Debug)]
pub struct DynProcessor(Box<dyn SpanProcessor>);

impl DynProcessor {
    /// Erases `processor`'s type.
    pub fn new(processor: impl SpanProcessor + 'static) -> Self {
        DynProcessor(Box::new(processor))
    }
}

impl SpanProcessor for DynProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.0.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.0.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}

/// Spreads finished spans over several copies of one destination — each a batch processor
/// with its own exporter and connection — so that one batch is converted and encoded while
/// another is on the wire or being received. Runs of [`Shards::RUN`] consecutive spans go to
/// the same copy, so a trace's spans mostly travel together.
#[derive(Debug)]
pub(crate) struct Shards {
    /// Every copy; start, flush, shutdown and resource go to all of them.
    all: FanOut,
    next: AtomicUsize,
}

impl Shards {
    /// Consecutive spans handed to one copy before moving to the next.
    const RUN: usize = 256;

    /// Spans spread over `processors`; with none, spans are dropped.
    pub(crate) fn new(processors: Vec<Box<dyn SpanProcessor>>) -> Self {
        Shards {
            all: FanOut { processors },
            next: AtomicUsize::new(0),
        }
    }
}

impl SpanProcessor for Shards {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.all.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        let copies = &self.all.processors;
        if copies.is_empty() {
            return;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        copies[(n / Self::RUN) % copies.len()].on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.all.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.all.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.all.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry_sdk::trace::InMemorySpanExporter;
    use opentelemetry_sdk::trace::SimpleSpanProcessor;

    use super::*;

    fn span(i: u64) -> SpanData {
        use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(u128::from(i) + 1),
                SpanId::from(i + 1),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: opentelemetry::trace::SpanKind::Internal,
            name: format!("span {i}").into(),
            start_time: std::time::SystemTime::UNIX_EPOCH,
            end_time: std::time::SystemTime::UNIX_EPOCH,
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status: opentelemetry::trace::Status::Unset,
            instrumentation_scope: Default::default(),
        }
    }

    #[test]
    fn shards_hand_every_span_to_exactly_one_copy_in_runs() {
        let exporters: Vec<InMemorySpanExporter> =
            (0..3).map(|_| InMemorySpanExporter::default()).collect();
        let shards = Shards::new(
            exporters
                .iter()
                .map(|e| Box::new(SimpleSpanProcessor::new(e.clone())) as Box<dyn SpanProcessor>)
                .collect(),
        );
        let n = 10 * Shards::RUN as u64 + 7;
        for i in 0..n {
            shards.on_end(span(i));
        }
        shards.force_flush().expect("flush");
        let received: Vec<Vec<u64>> = exporters
            .iter()
            .map(|e| {
                e.get_finished_spans()
                    .expect("spans")
                    .iter()
                    .map(|s| u64::from_be_bytes(s.span_context.span_id().to_bytes()) - 1)
                    .collect()
            })
            .collect();
        let mut all: Vec<u64> = received.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>(), "each span exactly once");
        // Runs of RUN consecutive spans go to one copy, round robin.
        for (copy, spans) in received.iter().enumerate() {
            for i in spans {
                assert_eq!((*i as usize / Shards::RUN) % 3, copy, "span {i}");
            }
        }
        assert!(shards.shutdown_with_timeout(Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn shards_with_no_copy_drop_spans_without_panicking() {
        let shards = Shards::new(Vec::new());
        shards.on_end(span(0));
        assert!(shards.force_flush().is_ok());
    }
}
