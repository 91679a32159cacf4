//! Counters of the tail sampler: atomics for [`TailSampler::stats`](super::TailSampler::stats)
//! and the same figures through the OTel metrics API.

use opentelemetry::metrics::{Counter, Meter, ObservableGauge};
use opentelemetry::KeyValue;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A snapshot of the sampler's counters (all since the sampler was built).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SamplerStats {
    /// Traces kept by a policy.
    pub traces_kept: u64,
    /// Traces no policy kept.
    pub traces_dropped: u64,
    /// Traces decided because their local root ended (the normal case).
    pub decided_on_root: u64,
    /// Traces decided because `decision_wait` elapsed before their local root ended.
    pub decided_on_timeout: u64,
    /// Traces decided early because a bound (`num_traces`, `max_spans_per_trace`,
    /// `max_buffered_bytes`) was hit.
    pub decided_forced: u64,
    /// Traces decided by `force_flush` or `shutdown`.
    pub decided_on_flush: u64,
    /// Spans forwarded to the inner processor (including late spans of kept traces).
    pub spans_kept: u64,
    /// Spans discarded (including late spans of dropped traces).
    pub spans_dropped: u64,
    /// Spans that arrived after their trace was decided and followed the decision.
    pub late_spans: u64,
    /// Spans not sampled by the head sampler (`is_sampled() == false`), ignored.
    pub unsampled_spans: u64,
    /// Spans received after shutdown, discarded.
    pub spans_after_shutdown: u64,
    /// Undecided traces buffered now.
    pub buffered_traces: u64,
    /// Spans of undecided traces buffered now.
    pub buffered_spans: u64,
    /// Approximate bytes buffered now.
    pub buffered_bytes: u64,
}

/// Why a trace was decided; the `trigger` attribute of `llmtrace.sampler.traces`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    Root,
    Timeout,
    Forced,
    Flush,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Root => "root",
            Trigger::Timeout => "timeout",
            Trigger::Forced => "forced",
            Trigger::Flush => "flush",
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) traces_kept: AtomicU64,
    pub(crate) traces_dropped: AtomicU64,
    pub(crate) decided_on_root: AtomicU64,
    pub(crate) decided_on_timeout: AtomicU64,
    pub(crate) decided_forced: AtomicU64,
    pub(crate) decided_on_flush: AtomicU64,
    pub(crate) spans_kept: AtomicU64,
    pub(crate) spans_dropped: AtomicU64,
    pub(crate) late_spans: AtomicU64,
    pub(crate) unsampled_spans: AtomicU64,
    pub(crate) spans_after_shutdown: AtomicU64,
    pub(crate) buffered_traces: AtomicU64,
    pub(crate) buffered_spans: AtomicU64,
    pub(crate) buffered_bytes: AtomicU64,
}

pub(crate) fn add(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

pub(crate) fn sub(c: &AtomicU64, n: u64) {
    // Never wraps: every sub matches an earlier add made under the same shard lock.
    let _ = c.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
        Some(v.saturating_sub(n))
    });
}

impl Counters {
    pub(crate) fn snapshot(&self) -> SamplerStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        SamplerStats {
            traces_kept: g(&self.traces_kept),
            traces_dropped: g(&self.traces_dropped),
            decided_on_root: g(&self.decided_on_root),
            decided_on_timeout: g(&self.decided_on_timeout),
            decided_forced: g(&self.decided_forced),
            decided_on_flush: g(&self.decided_on_flush),
            spans_kept: g(&self.spans_kept),
            spans_dropped: g(&self.spans_dropped),
            late_spans: g(&self.late_spans),
            unsampled_spans: g(&self.unsampled_spans),
            spans_after_shutdown: g(&self.spans_after_shutdown),
            buffered_traces: g(&self.buffered_traces),
            buffered_spans: g(&self.buffered_spans),
            buffered_bytes: g(&self.buffered_bytes),
        }
    }
}

/// The OTel instruments:
///
/// | instrument | kind | attributes |
/// |---|---|---|
/// | `llmtrace.sampler.traces` | counter | `decision` = `kept`/`dropped`, `trigger` = `root`/`timeout`/`forced`/`flush` |
/// | `llmtrace.sampler.spans` | counter | `decision` = `kept`/`dropped`/`unsampled` |
/// | `llmtrace.sampler.buffered.traces` | gauge | — |
/// | `llmtrace.sampler.buffered.bytes` | gauge | — |
pub(crate) struct Instruments {
    traces: Counter<u64>,
    spans: Counter<u64>,
    _buffered_traces: ObservableGauge<u64>,
    _buffered_bytes: ObservableGauge<u64>,
    attrs: [[KeyValue; 2]; 8],
    kept: [KeyValue; 1],
    dropped: [KeyValue; 1],
    unsampled: [KeyValue; 1],
}

impl fmt::Debug for Instruments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instruments").finish_non_exhaustive()
    }
}

const TRIGGERS: [Trigger; 4] = [
    Trigger::Root,
    Trigger::Timeout,
    Trigger::Forced,
    Trigger::Flush,
];

impl Instruments {
    pub(crate) fn new(meter: &Meter, counters: &Arc<Counters>) -> Self {
        let traces = meter
            .u64_counter("llmtrace.sampler.traces")
            .with_description("Traces decided by the tail sampler, by decision and trigger")
            .with_unit("{trace}")
            .build();
        let spans = meter
            .u64_counter("llmtrace.sampler.spans")
            .with_description("Spans seen by the tail sampler, by decision")
            .with_unit("{span}")
            .build();
        let c = Arc::clone(counters);
        let buffered_traces = meter
            .u64_observable_gauge("llmtrace.sampler.buffered.traces")
            .with_description("Undecided traces buffered by the tail sampler")
            .with_unit("{trace}")
            .with_callback(move |o| o.observe(c.buffered_traces.load(Ordering::Relaxed), &[]))
            .build();
        let c = Arc::clone(counters);
        let buffered_bytes = meter
            .u64_observable_gauge("llmtrace.sampler.buffered.bytes")
            .with_description("Approximate bytes of span data buffered by the tail sampler")
            .with_unit("By")
            .with_callback(move |o| o.observe(c.buffered_bytes.load(Ordering::Relaxed), &[]))
            .build();
        let attrs = std::array::from_fn(|i| {
            let decision = if i < 4 { "kept" } else { "dropped" };
            [
                KeyValue::new("decision", decision),
                KeyValue::new("trigger", TRIGGERS[i % 4].as_str()),
            ]
        });
        Self {
            traces,
            spans,
            _buffered_traces: buffered_traces,
            _buffered_bytes: buffered_bytes,
            attrs,
            kept: [KeyValue::new("decision", "kept")],
            dropped: [KeyValue::new("decision", "dropped")],
            unsampled: [KeyValue::new("decision", "unsampled")],
        }
    }

    pub(crate) fn trace_decided(&self, kept: bool, trigger: Trigger) {
        let t = TRIGGERS.iter().position(|x| *x == trigger).unwrap_or(0);
        let i = if kept { t } else { 4 + t };
        if let Some(a) = self.attrs.get(i) {
            self.traces.add(1, a);
        }
    }

    pub(crate) fn spans(&self, kept: bool, n: u64) {
        if n > 0 {
            self.spans
                .add(n, if kept { &self.kept } else { &self.dropped });
        }
    }

    pub(crate) fn unsampled(&self) {
        self.spans.add(1, &self.unsampled);
    }
}

/// A cheap, clonable handle to a sampler's counters that stays valid after the sampler was
/// moved into a tracer provider.
#[derive(Debug, Clone)]
pub struct SamplerStatsHandle(pub(crate) Arc<Counters>);

impl SamplerStatsHandle {
    /// A snapshot of the counters, like [`TailSampler::stats`](super::TailSampler::stats).
    pub fn snapshot(&self) -> SamplerStats {
        self.0.snapshot()
    }
}
