//! Hard bounds of the TailSampler: traces, bytes and spans per trace, with the heap measured by
//! a counting allocator. Run with `--nocapture` to see the figures.

mod tail_support;

use llmtrace_processor::sample::{PolicyConfig, TailSampler, TailSamplingConfig};
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::KeyValue;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks, SpanProcessor};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::sync::atomic::{AtomicIsize, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tail_support::Recorder;

/// Counts live heap bytes of this test binary.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap measurements are only meaningful when one test runs at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const MIB: f64 = 1024.0 * 1024.0;

/// Counts what reaches it and remembers the kept trace ids (cheap, so it does not distort
/// the heap figures much).
#[derive(Debug, Default, Clone)]
struct Sink {
    spans: Arc<AtomicU64>,
    traces: Arc<Mutex<HashSet<TraceId>>>,
}

impl SpanProcessor for Sink {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &opentelemetry::Context) {}
    fn on_end(&self, span: SpanData) {
        self.spans.fetch_add(1, Ordering::Relaxed);
        self.traces
            .lock()
            .expect("not poisoned")
            .insert(span.span_context.trace_id());
    }
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// A typical LLM child span whose root has not ended: `chat gpt-4o` with GenAI attributes.
fn open_child(trace: u64, span: u64, error: bool) -> SpanData {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(u128::from(tail_support::splitmix(trace)) << 64 | u128::from(trace)),
            SpanId::from_bytes((span + 2).to_be_bytes()),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::from_bytes([1; 8]), // the root, still open
        parent_span_is_remote: false,
        span_kind: SpanKind::Client,
        name: "chat gpt-4o".into(),
        start_time: start,
        end_time: start + Duration::from_millis(800),
        attributes: vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.provider.name", "openai"),
            KeyValue::new("gen_ai.request.model", "gpt-4o"),
            KeyValue::new("gen_ai.response.model", "gpt-4o-2024-08-06"),
            KeyValue::new("gen_ai.response.id", format!("chatcmpl-{trace:016x}")),
            KeyValue::new("gen_ai.usage.input_tokens", 1200i64),
            KeyValue::new("gen_ai.usage.output_tokens", 350i64),
            KeyValue::new("llmtrace.cost.usd", 0.0065),
        ],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: if error {
            Status::error("rate limited")
        } else {
            Status::Unset
        },
        instrumentation_scope: Default::default(),
    }
}

#[test]
fn ten_thousand_open_traces_stay_buffered_within_the_estimate() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let sink = Sink::default();
    let sampler = TailSampler::new(sink.clone(), TailSamplingConfig::recommended()).expect("valid");
    let before = LIVE.load(Ordering::Relaxed);
    for n in 0..10_000u64 {
        sampler.on_end(open_child(n, n, n % 100 == 0));
    }
    let heap = (LIVE.load(Ordering::Relaxed) - before) as f64;
    let st = sampler.stats();
    println!(
        "10 000 open traces, default bounds: buffered {} traces / {} spans, estimated {:.1} MiB, \
         measured heap growth {:.1} MiB ({:.0} B per buffered trace), forced decisions {}",
        st.buffered_traces,
        st.buffered_spans,
        st.buffered_bytes as f64 / MIB,
        heap / MIB,
        heap / st.buffered_traces.max(1) as f64,
        st.decided_forced,
    );
    // Under every bound: all buffered, none decided early, nothing exported yet.
    assert_eq!((st.buffered_traces, st.buffered_spans), (10_000, 10_000));
    assert_eq!(st.decided_forced, 0);
    assert!(sink.traces.lock().expect("ok").is_empty());
    // The sampler's own estimate (what its byte bound counts) covers the real heap.
    assert!(
        heap <= 1.25 * st.buffered_bytes as f64,
        "heap grew {:.1} MiB against an estimate of {:.1} MiB",
        heap / MIB,
        st.buffered_bytes as f64 / MIB
    );
}

#[test]
fn bounds_hold_under_100_000_open_traces() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let sink = Sink::default();
    let config = TailSamplingConfig::recommended(); // 50 000 traces, 64 MiB, 10 000 spans/trace
    let sampler = TailSampler::new(sink.clone(), config).expect("valid");

    let before = LIVE.load(Ordering::Relaxed);
    let mut peak_traces = 0;
    let mut peak_bytes = 0;
    for n in 0..100_000u64 {
        sampler.on_end(open_child(n, n, n % 100 == 0));
        if n % 1_000 == 999 {
            let st = sampler.stats();
            peak_traces = peak_traces.max(st.buffered_traces);
            peak_bytes = peak_bytes.max(st.buffered_bytes);
        }
    }
    let after = LIVE.load(Ordering::Relaxed);
    let st = sampler.stats();
    let heap = (after - before) as f64;
    println!(
        "100 000 open traces, default bounds: buffered {} traces / {} spans, estimated {:.1} MiB, \
         measured heap growth {:.1} MiB ({:.0} B per buffered trace incl. decision caches), \
         forced decisions {}, kept {} traces",
        st.buffered_traces,
        st.buffered_spans,
        st.buffered_bytes as f64 / MIB,
        heap / MIB,
        heap / st.buffered_traces.max(1) as f64,
        st.decided_forced,
        st.traces_kept,
    );
    assert_eq!(st.buffered_traces, 50_000, "num_traces bound");
    assert!(peak_traces <= 50_000);
    assert!(peak_bytes <= 64 * 1024 * 1024 && st.buffered_bytes <= 64 * 1024 * 1024);
    assert_eq!(
        st.decided_forced, 50_000,
        "the 50 000 oldest were decided early"
    );
    // Every error among the forced traces (every 100th of the first 50 000) was kept.
    let kept = sink.traces.lock().expect("ok");
    for n in (0..50_000u64).step_by(100) {
        let id = open_child(n, n, true).span_context.trace_id();
        assert!(kept.contains(&id), "forced error trace {n} kept");
    }
    drop(kept);
    // The real heap stays within the byte bound plus the bounded decision caches.
    assert!(heap < 80.0 * MIB, "heap grew {:.1} MiB", heap / MIB);

    // Flushing empties the buffer and returns the memory.
    sampler.force_flush().expect("flush");
    let st = sampler.stats();
    assert_eq!(
        (st.buffered_traces, st.buffered_spans, st.buffered_bytes),
        (0, 0, 0)
    );
    let flushed = LIVE.load(Ordering::Relaxed);
    println!(
        "after force_flush: heap above start {:.1} MiB (the decision caches, 100 000 ids)",
        (flushed - before) as f64 / MIB
    );
    assert!(((flushed - before) as f64) < heap / 2.0);
    // The decisions are remembered: late spans of the last traces follow them.
    for n in 99_000..100_000u64 {
        sampler.on_end(open_child(n, n + 1, false));
    }
    assert_eq!(sampler.stats().late_spans, 1_000);
}

#[test]
fn byte_bound_decides_the_oldest_early() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let sink = Sink::default();
    let max_bytes = 4 * 1024 * 1024;
    let config = TailSamplingConfig::default()
        .with_num_traces(1_000_000)
        .with_max_buffered_bytes(max_bytes)
        .with_policy(PolicyConfig::errors("errors"));
    let sampler = TailSampler::new(sink.clone(), config).expect("valid");
    let before = LIVE.load(Ordering::Relaxed);
    for n in 0..100_000u64 {
        sampler.on_end(open_child(n, n, n % 100 == 0));
        assert!(sampler.stats().buffered_bytes <= max_bytes as u64);
    }
    let heap = (LIVE.load(Ordering::Relaxed) - before) as f64;
    let st = sampler.stats();
    println!(
        "100 000 open traces, max_buffered_bytes 4 MiB: buffered {} traces, estimated {:.2} MiB, \
         measured heap growth {:.1} MiB, forced {}",
        st.buffered_traces,
        st.buffered_bytes as f64 / MIB,
        heap / MIB,
        st.decided_forced
    );
    assert!(st.buffered_traces < 100_000 && st.decided_forced > 0);
    assert_eq!(
        st.buffered_traces + st.decided_forced,
        100_000,
        "every trace is either buffered or was decided early"
    );
    // Errors among the forced traces are kept; the buffered ones are decided by flush.
    sampler.force_flush().expect("flush");
    assert_eq!(sink.traces.lock().expect("ok").len(), 1_000);
    assert_eq!(sink.spans.load(Ordering::Relaxed), 1_000);
    // The dropped-decision cache (50 000 entries) dominates what remains; the byte bound holds.
    assert!(heap < 24.0 * MIB, "heap grew {:.1} MiB", heap / MIB);
}

#[test]
fn num_traces_bound_decides_the_oldest_first() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let recorder = Recorder::default();
    let config = TailSamplingConfig::default()
        .with_num_traces(10)
        .with_policy(PolicyConfig::always_sample("all"));
    let sampler = TailSampler::new(recorder.clone(), config).expect("valid");
    for n in 0..10 {
        sampler.on_end(open_child(n, n, false));
    }
    assert_eq!(recorder.len(), 0);
    sampler.on_end(open_child(10, 10, false));
    let spans = recorder.spans.lock().expect("ok").clone();
    assert_eq!(spans.len(), 1);
    assert_eq!(
        spans[0].span_context.trace_id(),
        open_child(0, 0, false).span_context.trace_id(),
        "the oldest trace was decided"
    );
    assert_eq!(sampler.stats().buffered_traces, 10);
}

#[test]
fn max_spans_per_trace_forces_a_decision_and_the_rest_follows() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let recorder = Recorder::default();
    let config = TailSamplingConfig::default()
        .with_max_spans_per_trace(100)
        .with_policy(PolicyConfig::errors("errors"));
    let sampler = TailSampler::new(recorder.clone(), config).expect("valid");
    for s in 0..250u64 {
        sampler.on_end(open_child(7, s, s == 10));
        assert!(sampler.stats().buffered_spans <= 100);
    }
    let st = sampler.stats();
    assert_eq!(st.decided_forced, 1);
    assert_eq!(st.late_spans, 150);
    assert_eq!(recorder.len(), 250, "every span of the error trace kept");
}
