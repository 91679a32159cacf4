//! Spans per second through the processor chain, against the plain `BatchSpanProcessor`.
//!
//! Every iteration hands one LLM-style trace (4 children + root, GenAI attributes, a message
//! with an e-mail address) with a fresh trace id to the chain; the exporter is a no-op.
//!
//! | arm | chain |
//! |---|---|
//! | `noop` | a processor that drops every span (floor: clone-free hand-over only) |
//! | `tail_keep_all→noop` | `TailSampler(always_sample)` → noop: the sampler's own cost, without the batch thread |
//! | `batch` | `BatchSpanProcessor` (baseline) |
//! | `tail_keep_all→batch` | `TailSampler(always_sample)` → batch: the sampler's full cost |
//! | `tail_recommended→batch` | `TailSampler(errors + >5 s + 10 %)` → batch: the usual setup |
//! | `redact→batch` | `RedactingProcessor` → batch |
//! | `redact→tail_recommended→batch` | the full llmtrace chain |
//!
//! Measured 2026-11-23 on a shared 2-vCPU VM (median of three runs; details and ranges in the
//! `## Tail sampling` section of BENCHMARKS.md): `batch` 4.1 M spans/s; `tail_keep_all→batch`
//! 0.32×, `tail_recommended→batch` 0.44×, `redact→tail_recommended→batch` 0.11× of it; the
//! sampler's own cost ≈ 0.19 µs per span (`tail_keep_all→noop` − `noop`).
//! Command: `cargo bench -p llmtrace-processor --bench pipeline -- --warm-up-time 1 --measurement-time 3`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use llmtrace_processor::redact::{RedactingProcessor, RedactionConfig, Redactor};
use llmtrace_processor::sample::{PolicyConfig, TailSampler, TailSamplingConfig};
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::KeyValue;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SpanData, SpanEvents, SpanExporter, SpanLinks,
    SpanProcessor,
};
use std::hint::black_box;
use std::time::{Duration, SystemTime};

const SPANS_PER_TRACE: u64 = 5;

#[derive(Debug)]
struct NoopExporter;

impl SpanExporter for NoopExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

/// Drops every span: isolates a processor's own cost from the batch processor's thread.
#[derive(Debug)]
struct NoopProcessor;

impl SpanProcessor for NoopProcessor {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &opentelemetry::Context) {}
    fn on_end(&self, span: SpanData) {
        black_box(span);
    }
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

fn batch() -> BatchSpanProcessor {
    BatchSpanProcessor::builder(NoopExporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(65_536)
                .with_max_export_batch_size(2_048)
                .build(),
        )
        .build()
}

fn tail<P: SpanProcessor>(inner: P, config: TailSamplingConfig) -> TailSampler<P> {
    TailSampler::new(inner, config).expect("valid sampler config")
}

fn redact<P: SpanProcessor>(inner: P) -> RedactingProcessor<P> {
    RedactingProcessor::new(
        inner,
        Redactor::new(&RedactionConfig::default()).expect("default redaction config"),
    )
}

fn span(trace: TraceId, id: u64, parent: Option<u64>, name: &'static str) -> SpanData {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    SpanData {
        span_context: SpanContext::new(
            trace,
            SpanId::from_bytes(id.to_be_bytes()),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: parent.map_or(SpanId::INVALID, |p| SpanId::from_bytes(p.to_be_bytes())),
        parent_span_is_remote: false,
        span_kind: SpanKind::Client,
        name: name.into(),
        start_time: start,
        end_time: start + Duration::from_millis(700),
        attributes: vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.provider.name", "openai"),
            KeyValue::new("gen_ai.request.model", "gpt-4o"),
            KeyValue::new("gen_ai.usage.input_tokens", 1200i64),
            KeyValue::new("gen_ai.usage.output_tokens", 350i64),
            KeyValue::new("llmtrace.cost.usd", 0.0065),
            KeyValue::new(
                "gen_ai.input.messages",
                r#"[{"role":"user","parts":[{"type":"text","content":"Mail the summary to jane.doe@example.com please"}]}]"#,
            ),
        ],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: Default::default(),
    }
}

/// One trace: four children, then the root (children end first, as in a real tree).
fn trace(n: u64) -> Vec<SpanData> {
    let id = TraceId::from(u128::from(n.wrapping_mul(0x9e37_79b9_7f4a_7c15)) << 64 | u128::from(n));
    let mut spans: Vec<_> = (0..4)
        .map(|c| span(id, 2 + c, Some(1), "chat gpt-4o"))
        .collect();
    spans.push(span(id, 1, None, "invoke_agent planner"));
    spans
}

fn run<P: SpanProcessor>(c: &mut Criterion, name: &str, processor: P) {
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(SPANS_PER_TRACE));
    let mut n = 0u64;
    group.bench_function(name, |b| {
        b.iter_batched(
            || {
                n += 1;
                trace(n)
            },
            |spans| {
                for s in spans {
                    processor.on_end(s);
                }
            },
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
    let _ = processor.shutdown();
}

fn pipeline(c: &mut Criterion) {
    let keep_all = || TailSamplingConfig::default().with_policy(PolicyConfig::always_sample("all"));
    run(c, "noop", NoopProcessor);
    run(c, "tail_keep_all→noop", tail(NoopProcessor, keep_all()));
    run(c, "batch", batch());
    run(c, "tail_keep_all→batch", tail(batch(), keep_all()));
    run(
        c,
        "tail_recommended→batch",
        tail(batch(), TailSamplingConfig::recommended()),
    );
    run(c, "redact→batch", redact(batch()));
    run(
        c,
        "redact→tail_recommended→batch",
        redact(tail(batch(), TailSamplingConfig::recommended())),
    );
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
