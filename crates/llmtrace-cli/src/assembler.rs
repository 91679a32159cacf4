//! Gathers spans arriving over time (from `serve` or a followed file) into traces, and hands a
//! trace on once it is complete: its root arrived and no span came for a quiet period. Memory
//! is bounded: at most [`MAX_PENDING`] traces wait, the oldest is handed on incomplete past
//! that, and a trace whose root never comes is handed on after [`ROOTLESS_TIMEOUT`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use opentelemetry::trace::TraceId;

use crate::render::TraceSpans;
use crate::span::Span;

/// Traces waiting at most.
pub(crate) const MAX_PENDING: usize = 1024;
/// A trace without a root is printed incomplete after this long without a new span.
pub(crate) const ROOTLESS_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct Pending {
    trace: TraceSpans,
    first: Instant,
    last: Instant,
}

/// The traces still waiting.
#[derive(Debug)]
pub(crate) struct Assembler {
    pending: HashMap<TraceId, Pending>,
    quiet: Duration,
}

impl Assembler {
    /// Completes a trace `quiet` after its last span, once the root arrived.
    pub(crate) fn new(quiet: Duration) -> Self {
        Assembler {
            pending: HashMap::new(),
            quiet,
        }
    }

    /// Adds spans that arrived at `now`; returns the traces evicted to stay bounded.
    pub(crate) fn add(&mut self, spans: Vec<Span>, now: Instant) -> Vec<TraceSpans> {
        for span in spans {
            let entry = self
                .pending
                .entry(span.trace_id())
                .or_insert_with(|| Pending {
                    trace: TraceSpans::default(),
                    first: now,
                    last: now,
                });
            entry.last = now;
            entry.trace.push(span);
        }
        let mut evicted = Vec::new();
        while self.pending.len() > MAX_PENDING {
            let oldest = self
                .pending
                .iter()
                .min_by_key(|(_, p)| p.first)
                .map(|(id, _)| *id);
            match oldest.and_then(|id| self.pending.remove(&id)) {
                Some(p) => evicted.push(p.trace),
                None => break,
            }
        }
        evicted
    }

    /// Takes the traces complete at `now`, oldest first.
    pub(crate) fn ready(&mut self, now: Instant) -> Vec<TraceSpans> {
        let quiet = self.quiet;
        let mut done: Vec<(Instant, TraceId)> = self
            .pending
            .iter()
            .filter(|(_, p)| {
                let idle = now.saturating_duration_since(p.last);
                (p.trace.complete && idle >= quiet) || idle >= ROOTLESS_TIMEOUT
            })
            .map(|(id, p)| (p.first, *id))
            .collect();
        done.sort_by_key(|(first, id)| (*first, id.to_bytes()));
        done.into_iter()
            .filter_map(|(_, id)| self.pending.remove(&id).map(|p| p.trace))
            .collect()
    }

    /// Takes every waiting trace (at shutdown), oldest first.
    pub(crate) fn drain(&mut self) -> Vec<TraceSpans> {
        let mut all: Vec<Pending> = self.pending.drain().map(|(_, p)| p).collect();
        all.sort_by_key(|p| p.first);
        all.into_iter().map(|p| p.trace).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

    /// A span of trace `trace` (1-based), a root or a child.
    fn span(trace: u8, root: bool) -> Span {
        let parent = if root { "" } else { "0909090909090909" };
        let json = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{trace:032x}",
            "spanId":"010203040506070{}","parentSpanId":"{parent}","name":"s"}}]}}]}}]}}"#,
            u8::from(root)
        );
        let request: ExportTraceServiceRequest = serde_json::from_str(&json).expect("JSON");
        crate::convert::spans_of(request).0.remove(0)
    }

    #[test]
    fn a_trace_completes_after_its_root_and_a_quiet_period() {
        let t0 = Instant::now();
        let mut a = Assembler::new(Duration::from_millis(500));
        assert!(a.add(vec![span(1, false)], t0).is_empty());
        assert!(
            a.ready(t0 + Duration::from_secs(5)).is_empty(),
            "no root yet"
        );
        a.add(vec![span(1, true)], t0 + Duration::from_secs(5));
        assert!(
            a.ready(t0 + Duration::from_millis(5400)).is_empty(),
            "not quiet yet"
        );
        let done = a.ready(t0 + Duration::from_millis(5500));
        assert_eq!(done.len(), 1);
        assert!(done[0].complete);
        assert_eq!(done[0].spans.len(), 2);
    }

    #[test]
    fn rootless_traces_time_out_and_memory_is_bounded() {
        let t0 = Instant::now();
        let mut a = Assembler::new(Duration::from_millis(500));
        let mut evicted = 0;
        for i in 0..(MAX_PENDING + 10) {
            let trace = (i % 250) as u8 + 1;
            let mut s = span(trace, false);
            let id = (i as u128 + 1).to_be_bytes();
            s.data.span_context = opentelemetry::trace::SpanContext::new(
                TraceId::from_bytes(id),
                s.span_id(),
                s.data.span_context.trace_flags(),
                false,
                Default::default(),
            );
            evicted += a.add(vec![s], t0 + Duration::from_millis(i as u64)).len();
        }
        assert_eq!(evicted, 10, "the oldest are handed on past the bound");
        assert_eq!(a.pending.len(), MAX_PENDING);
        let late = t0 + ROOTLESS_TIMEOUT + Duration::from_secs(10);
        let done = a.ready(late);
        assert_eq!(done.len(), MAX_PENDING);
        assert!(done.iter().all(|t| !t.complete));
        assert!(a.drain().is_empty());
    }
}
