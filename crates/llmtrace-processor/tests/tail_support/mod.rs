//! Helpers shared by the tail-sampler integration tests.
#![allow(dead_code, unreachable_pub)]

use llmtrace_processor::sample::{
    ManualClock, SamplerStatsHandle, TailSampler, TailSamplingConfig, SAMPLING_POLICY_ATTRIBUTE,
};
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::Value;
use opentelemetry_sdk::trace::{
    IdGenerator, InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor, SpanData,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Deterministic ids: the n-th trace id is `splitmix(seed + n)`, so every run sees the same ids.
#[derive(Debug)]
pub struct SeqIds {
    next_trace: AtomicU64,
    next_span: AtomicU64,
}

impl SeqIds {
    pub fn new(seed: u64) -> Self {
        Self {
            next_trace: AtomicU64::new(seed),
            next_span: AtomicU64::new(1),
        }
    }
}

pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl IdGenerator for SeqIds {
    fn new_trace_id(&self) -> TraceId {
        let n = self.next_trace.fetch_add(1, Ordering::Relaxed);
        let hi = splitmix(n);
        let lo = splitmix(n ^ 0xdead_beef);
        TraceId::from((u128::from(hi) << 64) | u128::from(lo))
    }
    fn new_span_id(&self) -> SpanId {
        SpanId::from_bytes(self.next_span.fetch_add(1, Ordering::Relaxed).to_be_bytes())
    }
}

/// A provider whose only processor is `TailSampler -> SimpleSpanProcessor -> InMemory`.
pub struct Harness {
    pub provider: SdkTracerProvider,
    pub exporter: InMemorySpanExporter,
    pub clock: Arc<ManualClock>,
    pub stats: SamplerStatsHandle,
}

impl Harness {
    pub fn new(config: TailSamplingConfig) -> Self {
        Self::with_seed(config, 1)
    }

    pub fn with_seed(config: TailSamplingConfig, seed: u64) -> Self {
        let exporter = InMemorySpanExporter::default();
        let clock = Arc::new(ManualClock::new());
        let sampler = TailSampler::builder(SimpleSpanProcessor::new(exporter.clone()))
            .config(config)
            .clock(clock.clone())
            .build()
            .expect("valid config");
        let stats = sampler.stats_handle();
        let provider = SdkTracerProvider::builder()
            .with_id_generator(SeqIds::new(seed))
            .with_span_processor(sampler)
            .build();
        Self {
            provider,
            exporter,
            clock,
            stats,
        }
    }

    pub fn spans(&self) -> Vec<SpanData> {
        self.exporter
            .get_finished_spans()
            .expect("exporter readable")
    }

    pub fn trace_ids(&self) -> HashSet<TraceId> {
        self.spans()
            .iter()
            .map(|s| s.span_context.trace_id())
            .collect()
    }

    pub fn spans_of(&self, trace: TraceId) -> Vec<SpanData> {
        self.spans()
            .into_iter()
            .filter(|s| s.span_context.trace_id() == trace)
            .collect()
    }
}

pub fn attr<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

pub fn policy_of(span: &SpanData) -> Option<String> {
    attr(span, SAMPLING_POLICY_ATTRIBUTE).map(|v| v.as_str().into_owned())
}

/// An inner processor that records what it receives and how many spans it had when it was
/// flushed / shut down (to prove the sampler forwards before it shuts the inner down).
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    pub spans: Arc<std::sync::Mutex<Vec<SpanData>>>,
    pub at_shutdown: Arc<std::sync::Mutex<Option<usize>>>,
}

impl Recorder {
    pub fn len(&self) -> usize {
        self.spans.lock().expect("not poisoned").len()
    }
}

impl opentelemetry_sdk::trace::SpanProcessor for Recorder {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &opentelemetry::Context) {}
    fn on_end(&self, span: SpanData) {
        self.spans.lock().expect("not poisoned").push(span);
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(
        &self,
        _timeout: std::time::Duration,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        *self.at_shutdown.lock().expect("not poisoned") = Some(self.len());
        Ok(())
    }
}
