//! What turning a batch of finished spans into OTLP protobuf bytes costs per span:
//! opentelemetry-otlp 0.33's path (clone the batch, which it keeps for retries; convert to the
//! generated `opentelemetry-proto` structs; prost-encode them) against llmtrace's
//! `TraceEncoder` (encode straight from `SpanData` into a reused buffer, then copy the bytes out
//! once to send them), and that encoding gzip-compressed. Each span is a chat span with the ~20 attributes of the `stress` binary's
//! spans after the cost and OpenInference processors.
//!
//! Run: `cargo bench -p llmtrace --bench encode -- --warm-up-time 1 --measurement-time 3`.
//! Figures: BENCHMARKS.md, section "OTLP trace export: direct encoder (issue 19)".
#![allow(missing_docs, clippy::unwrap_used)]

use std::borrow::Cow;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use opentelemetry_sdk::Resource;
use prost::Message;

const BATCH: usize = 512;

fn chat_span(i: u64, scope: &InstrumentationScope) -> SpanData {
    let start = SystemTime::now();
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(u128::from(i) + 1),
            SpanId::from(i + 1),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Client,
        name: Cow::Borrowed("chat gpt-4o"),
        start_time: start,
        end_time: start + Duration::from_micros(350),
        attributes: vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.request.model", "gpt-4o"),
            KeyValue::new("gen_ai.provider.name", "openai"),
            KeyValue::new("gen_ai.request.temperature", 0.2),
            KeyValue::new("gen_ai.usage.input_tokens", (i % 1000) as i64),
            KeyValue::new("gen_ai.usage.output_tokens", 10_i64),
            KeyValue::new("llmtrace.cost.usd", 0.000_125),
            KeyValue::new("llmtrace.cost.input_usd", 0.000_025),
            KeyValue::new("llmtrace.cost.output_usd", 0.000_1),
            KeyValue::new("openinference.span.kind", "LLM"),
            KeyValue::new("llm.model_name", "gpt-4o"),
            KeyValue::new("llm.provider", "openai"),
            KeyValue::new("llm.system", "openai"),
            KeyValue::new("llm.token_count.prompt", (i % 1000) as i64),
            KeyValue::new("llm.token_count.completion", 10_i64),
            KeyValue::new("llm.token_count.total", (i % 1000) as i64 + 10),
            KeyValue::new("llm.invocation_parameters", "{\"temperature\":0.2}"),
            KeyValue::new("code.filepath", "src/bin/stress.rs"),
            KeyValue::new("code.lineno", 221_i64),
            KeyValue::new("thread.id", 2_i64),
        ],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: scope.clone(),
    }
}

fn bench(c: &mut Criterion) {
    let scope = InstrumentationScope::builder("llmtrace")
        .with_version("0.1.0")
        .build();
    let batch: Vec<SpanData> = (0..BATCH as u64).map(|i| chat_span(i, &scope)).collect();
    let resource = Resource::builder().with_service_name("stress").build();

    let mut group = c.benchmark_group("otlp_encode");
    group.throughput(Throughput::Elements(BATCH as u64));

    let converted = ResourceAttributesWithSchema::from(&resource);
    let mut out = Vec::new();
    group.bench_function("otlp_clone_convert_encode", |b| {
        b.iter(|| {
            let resource_spans = group_spans_by_resource_and_scope(batch.clone(), &converted);
            out.clear();
            ExportTraceServiceRequest { resource_spans }
                .encode(&mut out)
                .unwrap();
            black_box(out.len())
        });
    });

    let mut encoder = llmtrace::export::TraceEncoder::new();
    encoder.set_resource(&resource);
    group.bench_function("direct_encode", |b| {
        b.iter(|| black_box(bytes::Bytes::copy_from_slice(encoder.encode(&batch))));
    });

    // `OTEL_EXPORTER_OTLP_COMPRESSION=gzip` over HTTP: the same bytes, then gzip at level 1, as
    // the direct exporter compresses each batch once.
    let gzip = |body: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body).unwrap();
        gz.finish().unwrap()
    };
    let plain = encoder.encode(&batch).len();
    let compressed = gzip(encoder.encode(&batch)).len();
    eprintln!(
        "a batch of {BATCH} chat spans: {plain} bytes encoded, {compressed} gzip-compressed ({:.1}x smaller)",
        plain as f64 / compressed as f64
    );
    group.bench_function("direct_encode_gzip", |b| {
        b.iter(|| black_box(gzip(encoder.encode(&batch)).len()));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
