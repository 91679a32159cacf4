//! `TailSampler`: the span processor that buffers, decides and forwards.

use opentelemetry::metrics::Meter;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{Context, KeyValue, StringValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::buffer::{Decision, PendingTrace, Shard, TRACE_OVERHEAD_BYTES};
use super::clock::{Clock, SystemClock};
use super::config::TailSamplingConfig;
use super::error::SamplingConfigError;
use super::policy::{PolicySet, TraceView};
use super::stats::{add, sub, Counters, Instruments, SamplerStats, SamplerStatsHandle, Trigger};
use llmtrace_semconv::llmtrace::SAMPLING_POLICY;

/// Number of independently locked shards of the trace buffer (`2^SHARD_BITS`).
const SHARD_BITS: u32 = 5;
const SHARDS: usize = 1 << SHARD_BITS;

/// A [`SpanProcessor`] that decides per **trace** which spans reach `inner`.
///
/// It buffers the ended spans of each trace, decides when the trace's local root ends (or
/// `decision_wait` after its first span, or early when a bound is hit), then forwards all
/// spans of a kept trace — each with `llmtrace.sampling.policy` naming the policy that kept it
/// — and drops the rest. See the [module docs](super) for semantics, bounds and metrics.
///
/// ```
/// use llmtrace_processor::sample::{TailSampler, TailSamplingConfig};
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
///
/// let exporter = InMemorySpanExporter::default();
/// let sampler = TailSampler::new(
///     SimpleSpanProcessor::new(exporter.clone()),
///     TailSamplingConfig::recommended(),
/// )?;
/// let provider = SdkTracerProvider::builder().with_span_processor(sampler).build();
/// # drop(provider);
/// # Ok::<(), llmtrace_processor::sample::SamplingConfigError>(())
/// ```
pub struct TailSampler<P: SpanProcessor> {
    inner: P,
    policies: PolicySet,
    shards: Box<[Mutex<Shard>]>,
    decision_wait: Duration,
    num_traces: u64,
    max_spans_per_trace: usize,
    max_buffered_bytes: u64,
    resource: Vec<KeyValue>,
    clock: Arc<dyn Clock>,
    epoch: Instant,
    seq: AtomicU64,
    /// Nanoseconds since `epoch` of the last timeout sweep.
    last_sweep: AtomicU64,
    sweep_every: Duration,
    is_shutdown: AtomicBool,
    counters: Arc<Counters>,
    instruments: Instruments,
}

impl<P: SpanProcessor> fmt::Debug for TailSampler<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TailSampler")
            .field("inner", &self.inner)
            .field("policies", &self.policies)
            .field("decision_wait", &self.decision_wait)
            .field("num_traces", &self.num_traces)
            .field("max_spans_per_trace", &self.max_spans_per_trace)
            .field("max_buffered_bytes", &self.max_buffered_bytes)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Builder of a [`TailSampler`] with a custom clock or meter.
#[derive(Debug)]
pub struct TailSamplerBuilder<P: SpanProcessor> {
    inner: P,
    config: TailSamplingConfig,
    clock: Arc<dyn Clock>,
    meter: Option<Meter>,
}

impl<P: SpanProcessor> TailSamplerBuilder<P> {
    /// Sets the configuration (default: [`TailSamplingConfig::recommended`]).
    pub fn config(mut self, config: TailSamplingConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the time source (default: [`SystemClock`]); tests pass a
    /// [`ManualClock`](super::ManualClock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the meter of the sampler's counters (default: `global::meter("llmtrace")`).
    pub fn meter(mut self, meter: Meter) -> Self {
        self.meter = Some(meter);
        self
    }

    /// Validates the configuration and builds the sampler.
    pub fn build(self) -> Result<TailSampler<P>, SamplingConfigError> {
        let policies = PolicySet::compile(&self.config)?;
        let c = &self.config;
        let kept_cap = c.decision_cache.sampled_cache_size.div_ceil(SHARDS);
        let dropped_cap = c.decision_cache.non_sampled_cache_size.div_ceil(SHARDS);
        let shards = (0..SHARDS)
            .map(|_| Mutex::new(Shard::new(kept_cap, dropped_cap)))
            .collect();
        let meter = self
            .meter
            .unwrap_or_else(|| opentelemetry::global::meter("llmtrace"));
        let counters = Arc::new(Counters::default());
        let instruments = Instruments::new(&meter, &counters);
        let epoch = self.clock.now();
        Ok(TailSampler {
            inner: self.inner,
            policies,
            shards,
            decision_wait: c.decision_wait,
            num_traces: c.num_traces as u64,
            max_spans_per_trace: c.max_spans_per_trace,
            max_buffered_bytes: c.max_buffered_bytes as u64,
            resource: Vec::new(),
            clock: self.clock,
            epoch,
            seq: AtomicU64::new(0),
            last_sweep: AtomicU64::new(0),
            sweep_every: (c.decision_wait / 10)
                .clamp(Duration::from_millis(1), Duration::from_secs(1)),
            is_shutdown: AtomicBool::new(false),
            counters,
            instruments,
        })
    }
}

/// The outcome of deciding one trace, handed to `inner` after the shard lock is released.
struct Decided {
    spans: Vec<SpanData>,
    policy: Decision,
}

fn lock(m: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A local root: no parent in this process (no parent, or a remote one).
fn is_local_root(span: &SpanData) -> bool {
    span.parent_span_id == SpanId::INVALID || span.parent_span_is_remote
}

impl<P: SpanProcessor> TailSampler<P> {
    /// A sampler in front of `inner` with the given configuration.
    pub fn new(inner: P, config: TailSamplingConfig) -> Result<Self, SamplingConfigError> {
        Self::builder(inner).config(config).build()
    }

    /// A builder, for a custom clock or meter.
    pub fn builder(inner: P) -> TailSamplerBuilder<P> {
        TailSamplerBuilder {
            inner,
            config: TailSamplingConfig::recommended(),
            clock: Arc::new(SystemClock),
            meter: None,
        }
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> SamplerStats {
        self.counters.snapshot()
    }

    /// A handle to the counters that outlives moving the sampler into a provider.
    pub fn stats_handle(&self) -> SamplerStatsHandle {
        SamplerStatsHandle(Arc::clone(&self.counters))
    }

    /// The wrapped processor.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// The shard of a trace: all 128 bits folded and multiplied (Fibonacci hashing), so ids
    /// with structure (sequential, zero-padded 64-bit ids, timestamp prefixes) spread evenly too.
    fn shard_of(&self, id: TraceId) -> &Mutex<Shard> {
        let v = u128::from_be_bytes(id.to_bytes());
        let folded = (v as u64) ^ ((v >> 64) as u64);
        let h = folded.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let i = (h >> (64 - SHARD_BITS)) as usize;
        &self.shards[i.min(SHARDS - 1)]
    }

    fn nanos_since_epoch(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    /// Removes and decides one pending trace; the caller holds the shard lock.
    fn decide_locked(
        &self,
        shard: &mut Shard,
        id: TraceId,
        trigger: Trigger,
        now: Instant,
    ) -> Option<Decided> {
        let pending: PendingTrace = shard.take(&id)?;
        sub(&self.counters.buffered_traces, 1);
        sub(&self.counters.buffered_spans, pending.spans.len() as u64);
        sub(&self.counters.buffered_bytes, pending.bytes as u64);
        let view = TraceView {
            trace_id: id,
            spans: &pending.spans,
            resource: &self.resource,
            second: now.saturating_duration_since(self.epoch).as_secs(),
        };
        let policy = self.policies.decide(&view);
        shard.remember(id, policy.clone());
        let kept = policy.is_some();
        add(
            if kept {
                &self.counters.traces_kept
            } else {
                &self.counters.traces_dropped
            },
            1,
        );
        add(
            match trigger {
                Trigger::Root => &self.counters.decided_on_root,
                Trigger::Timeout => &self.counters.decided_on_timeout,
                Trigger::Forced => &self.counters.decided_forced,
                Trigger::Flush => &self.counters.decided_on_flush,
            },
            1,
        );
        self.instruments.trace_decided(kept, trigger);
        Some(Decided {
            spans: pending.spans,
            policy,
        })
    }

    /// Hands a decided trace to `inner` (kept) or counts it away (dropped). No lock held.
    fn forward(&self, decided: Decided) {
        let n = decided.spans.len() as u64;
        match decided.policy {
            Some(policy) => {
                add(&self.counters.spans_kept, n);
                self.instruments.spans(true, n);
                for span in decided.spans {
                    self.forward_kept(span, &policy);
                }
            }
            None => {
                add(&self.counters.spans_dropped, n);
                self.instruments.spans(false, n);
            }
        }
    }

    fn forward_kept(&self, mut span: SpanData, policy: &Arc<str>) {
        span.attributes.push(KeyValue::new(
            SAMPLING_POLICY,
            Value::String(StringValue::from(Arc::clone(policy))),
        ));
        self.inner.on_end(span);
    }

    /// Decides the globally oldest pending traces while a bound is exceeded.
    fn enforce_bounds(&self, now: Instant) {
        // Each round decides one trace; the cap only guards against livelock under contention.
        for _ in 0..(4 * SHARDS) {
            let traces = self.counters.buffered_traces.load(Ordering::Relaxed);
            let bytes = self.counters.buffered_bytes.load(Ordering::Relaxed);
            if traces <= self.num_traces && bytes <= self.max_buffered_bytes {
                return;
            }
            let mut oldest: Option<(u64, usize)> = None;
            for (i, shard) in self.shards.iter().enumerate() {
                if let Some((seq, _, _)) = lock(shard).oldest() {
                    if oldest.is_none_or(|(s, _)| seq < s) {
                        oldest = Some((seq, i));
                    }
                }
            }
            let Some((seq, i)) = oldest else { return };
            let decided = {
                let mut shard = lock(&self.shards[i]);
                match shard.oldest() {
                    Some((s, _, id)) if s == seq => {
                        self.decide_locked(&mut shard, id, Trigger::Forced, now)
                    }
                    _ => None, // someone else decided it meanwhile; look again
                }
            };
            if let Some(d) = decided {
                self.forward(d);
            }
        }
    }

    /// Decides traces older than `decision_wait`, at most once per `sweep_every`.
    fn maybe_sweep(&self, now: Instant) {
        let now_nanos = self.nanos_since_epoch(now);
        let last = self.last_sweep.load(Ordering::Relaxed);
        let every = u64::try_from(self.sweep_every.as_nanos()).unwrap_or(u64::MAX);
        if now_nanos.saturating_sub(last) < every {
            return;
        }
        if self
            .last_sweep
            .compare_exchange(last, now_nanos, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return; // another thread sweeps
        }
        for shard in self.shards.iter() {
            let mut expired = Vec::new();
            {
                let mut s = lock(shard);
                while let Some((_, first_seen, id)) = s.oldest() {
                    if now.saturating_duration_since(first_seen) < self.decision_wait {
                        break;
                    }
                    match self.decide_locked(&mut s, id, Trigger::Timeout, now) {
                        Some(d) => expired.push(d),
                        None => break,
                    }
                }
            }
            for d in expired {
                self.forward(d);
            }
        }
    }

    /// Decides every pending trace (flush/shutdown) and forwards the kept ones.
    fn decide_all(&self) {
        let now = self.clock.now();
        for shard in self.shards.iter() {
            let decided: Vec<Decided> = {
                let mut s = lock(shard);
                let decided = s
                    .pending_ids()
                    .into_iter()
                    .filter_map(|id| self.decide_locked(&mut s, id, Trigger::Flush, now))
                    .collect();
                s.release_memory();
                decided
            };
            for d in decided {
                self.forward(d);
            }
        }
    }
}

enum Action {
    Done,
    Late(Decision, Box<SpanData>),
    Decide(Decided),
}

impl<P: SpanProcessor> SpanProcessor for TailSampler<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            add(&self.counters.unsampled_spans, 1);
            self.instruments.unsampled();
            return;
        }
        if self.is_shutdown.load(Ordering::Relaxed) {
            add(&self.counters.spans_after_shutdown, 1);
            return;
        }
        let now = self.clock.now();
        let id = span.span_context.trace_id();
        let action = {
            let mut shard = lock(self.shard_of(id));
            if let Some(d) = shard.decision(&id) {
                Action::Late(d.clone(), Box::new(span))
            } else {
                let root = is_local_root(&span);
                let mut new_trace = None;
                let pending = shard.pending.entry(id).or_insert_with(|| {
                    let seq = self.seq.fetch_add(1, Ordering::Relaxed);
                    new_trace = Some(seq);
                    PendingTrace::new(now, seq)
                });
                let mut added_bytes = pending.push(span);
                let full = pending.spans.len() >= self.max_spans_per_trace;
                if let Some(seq) = new_trace {
                    added_bytes += TRACE_OVERHEAD_BYTES;
                    shard.push_order(seq, id);
                    add(&self.counters.buffered_traces, 1);
                }
                add(&self.counters.buffered_spans, 1);
                add(&self.counters.buffered_bytes, added_bytes as u64);
                let trigger = if root {
                    Some(Trigger::Root)
                } else if full {
                    Some(Trigger::Forced)
                } else {
                    None
                };
                match trigger.and_then(|t| self.decide_locked(&mut shard, id, t, now)) {
                    Some(d) => Action::Decide(d),
                    None => Action::Done,
                }
            }
        };
        match action {
            Action::Done => {}
            Action::Decide(d) => self.forward(d),
            Action::Late(decision, span) => {
                add(&self.counters.late_spans, 1);
                match decision {
                    Some(policy) => {
                        add(&self.counters.spans_kept, 1);
                        self.instruments.spans(true, 1);
                        self.forward_kept(*span, &policy);
                    }
                    None => {
                        add(&self.counters.spans_dropped, 1);
                        self.instruments.spans(false, 1);
                    }
                }
            }
        }
        self.enforce_bounds(now);
        self.maybe_sweep(now);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.decide_all();
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.decide_all();
        self.is_shutdown.store(true, Ordering::Relaxed);
        // Spans that raced with the flag are decided here too.
        self.decide_all();
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
            .collect();
        self.inner.set_resource(resource);
    }
}
