//! Per-span overhead, side by side in one run:
//!
//! - `a_raw_sdk`: an `opentelemetry_sdk` span with 12 attributes;
//! - `b_raw_tracing`: a `tracing` span with the same 12 attributes through tracing-opentelemetry;
//! - `c_llmtrace_api`: the same LLM call through llmtrace's typed API (start, usage, response);
//! - `d_llmtrace_full_chain`: (c) + redaction + tail sampling, as `llmtrace::init` sets up;
//! - `disabled`: (c) with no subscriber installed;
//! - macros (issue 3): a no-op fn plain, with `#[tracing::instrument]` (`b_instrument_noop`),
//!   with `#[llmtrace::llm]` (`c_macro_llm_noop`, and `disabled_macro_llm_noop`).
//!
//! Every variant ends in the same `BatchSpanProcessor` with a no-op exporter.
//! Run: `cargo bench --bench overhead -- --warm-up-time 1 --measurement-time 3`.
//! Figures and ratios: BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use llmtrace::{LlmSpanExt, Response, Usage};
use llmtrace_test_support::DiscardingExporter;
use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt;

fn batch() -> BatchSpanProcessor {
    BatchSpanProcessor::builder(DiscardingExporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(65_536)
                .with_max_export_batch_size(4096)
                .build(),
        )
        .build()
}

fn twelve_attributes() -> [KeyValue; 12] {
    [
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.provider.name", "openai"),
        KeyValue::new("gen_ai.request.model", "gpt-4o"),
        KeyValue::new("gen_ai.request.temperature", 0.2),
        KeyValue::new("gen_ai.request.max_tokens", 512_i64),
        KeyValue::new("gen_ai.request.top_p", 0.9),
        KeyValue::new("gen_ai.response.id", "chatcmpl-123"),
        KeyValue::new("gen_ai.response.model", "gpt-4o-2024-08-06"),
        KeyValue::new("gen_ai.usage.input_tokens", 812_i64),
        KeyValue::new("gen_ai.usage.output_tokens", 64_i64),
        KeyValue::new("server.address", "api.openai.test"),
        KeyValue::new("server.port", 443_i64),
    ]
}

fn llm_call() {
    let span = llmtrace::chat("gpt-4o")
        .provider("openai")
        .temperature(0.2)
        .max_tokens(512)
        .top_p(0.9)
        .server_address("api.openai.test")
        .server_port(443)
        .start();
    span.in_scope(|| black_box(()));
    span.record_usage(Usage::new(812, 64));
    span.record_response(
        &Response::new()
            .id("chatcmpl-123")
            .model("gpt-4o-2024-08-06"),
    );
}

#[llmtrace::llm(model = "gpt-4o", provider = "openai")]
fn llm_macro_noop(x: u64) -> u64 {
    black_box(x)
}

#[tracing::instrument(level = "info")]
fn instrument_noop(x: u64) -> u64 {
    black_box(x)
}

fn plain_noop(x: u64) -> u64 {
    black_box(x)
}

fn full_chain_guard() -> llmtrace::Guard {
    llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .metrics(false)
        .tail_sampling(llmtrace::processor::sample::TailSamplingConfig::recommended())
        .with_span_processor(batch())
        .build()
        .expect("pipeline")
}

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("span");
    // First, before any subscriber exists in this process: what an application pays when
    // tracing is off.
    disabled(&mut group);
    a_raw_sdk(&mut group);
    b_raw_tracing(&mut group);
    c_llmtrace(&mut group);
    d_full_chain(&mut group);
    group.finish();
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// No subscriber: the span API, the `#[llm]` macro and a plain function.
fn disabled(group: &mut Group<'_>) {
    group.bench_function("disabled", |b| b.iter(llm_call));
    group.bench_function("disabled_macro_llm_noop", |b| {
        b.iter(|| llm_macro_noop(black_box(1)))
    });
    group.bench_function("plain_noop", |b| b.iter(|| plain_noop(black_box(1))));
}

/// (a) The OpenTelemetry SDK alone: one span with twelve attributes.
fn a_raw_sdk(group: &mut Group<'_>) {
    let provider = SdkTracerProvider::builder()
        .with_span_processor(batch())
        .build();
    let tracer = provider.tracer("bench");
    group.bench_function("a_raw_sdk", |b| {
        b.iter(|| {
            let mut span = tracer
                .span_builder("chat gpt-4o")
                .with_kind(opentelemetry::trace::SpanKind::Client)
                .with_attributes(twelve_attributes())
                .start(&tracer);
            span.end();
        })
    });
}

/// (b) `tracing` through tracing-opentelemetry: `#[instrument]` and the same span by hand.
fn b_raw_tracing(group: &mut Group<'_>) {
    let provider_b = SdkTracerProvider::builder()
        .with_span_processor(batch())
        .build();
    let subscriber = tracing_subscriber::registry().with(
        tracing_opentelemetry::layer()
            .with_tracer(provider_b.tracer("bench"))
            .with_tracked_inactivity(false)
            .with_threads(false)
            .with_location(false)
            .with_target(false),
    );
    tracing::subscriber::with_default(subscriber, || {
        group.bench_function("b_instrument_noop", |b| {
            b.iter(|| instrument_noop(black_box(1)))
        });
        group.bench_function("b_raw_tracing", |b| {
            b.iter(|| {
                let span = tracing::info_span!(
                    "chat gpt-4o",
                    otel.kind = "client",
                    gen_ai.operation.name = "chat",
                    gen_ai.provider.name = "openai",
                    gen_ai.request.model = "gpt-4o",
                    gen_ai.request.temperature = 0.2,
                    gen_ai.request.max_tokens = 512_i64,
                    gen_ai.request.top_p = 0.9,
                    gen_ai.response.id = tracing::field::Empty,
                    gen_ai.response.model = tracing::field::Empty,
                    gen_ai.usage.input_tokens = tracing::field::Empty,
                    gen_ai.usage.output_tokens = tracing::field::Empty,
                    server.address = "api.openai.test",
                    server.port = 443_i64,
                );
                span.in_scope(|| black_box(()));
                span.record("gen_ai.usage.input_tokens", 812_i64);
                span.record("gen_ai.usage.output_tokens", 64_i64);
                span.record("gen_ai.response.id", "chatcmpl-123");
                span.record("gen_ai.response.model", "gpt-4o-2024-08-06");
            })
        });
    });
}

/// (c) llmtrace's span API and `#[llm]`, without redaction or sampling.
fn c_llmtrace(group: &mut Group<'_>) {
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .metrics(false)
        .without_redaction()
        .with_span_processor(batch())
        .build()
        .expect("pipeline");
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        group.bench_function("c_llmtrace_api", |b| b.iter(llm_call));
        group.bench_function("c_macro_llm_noop", |b| {
            b.iter(|| llm_macro_noop(black_box(1)))
        });
    });
    drop(guard);
}

/// (d) The span API through redaction and tail sampling.
fn d_full_chain(group: &mut Group<'_>) {
    let guard = full_chain_guard();
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        group.bench_function("d_llmtrace_redact_tail", |b| b.iter(llm_call));
    });
    drop(guard);
}

criterion_group!(benches, overhead);
criterion_main!(benches);
