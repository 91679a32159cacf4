//! What the attribute macros cost: a no-op function called plain, with
//! `#[tracing::instrument]`, and with `#[llmtrace::llm]` — first with no subscriber (tracing
//! off: the path every application pays when it does not trace), then through an llmtrace
//! pipeline (tracing-opentelemetry layer, `BatchSpanProcessor` with a no-op exporter; redaction
//! and metrics off so the figures are the span's own cost).
//!
//! Run: `cargo bench -p llmtrace --bench macros -- --warm-up-time 1 --measurement-time 3`.
//! Figures and ratios: BENCHMARKS.md, section "Macros".
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use llmtrace_test_support::DiscardingExporter;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor};

fn pipeline() -> llmtrace::Guard {
    let batch = BatchSpanProcessor::builder(DiscardingExporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(65_536)
                .with_max_export_batch_size(4096)
                .build(),
        )
        .build();
    llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .metrics(false)
        .without_redaction()
        .with_span_processor(batch)
        .build()
        .expect("pipeline builds")
}

fn plain(x: u64) -> u64 {
    black_box(x)
}

#[tracing::instrument(level = "info")]
fn instrumented(x: u64) -> u64 {
    black_box(x)
}

#[llmtrace::llm(model = "gpt-4o", provider = "openai")]
fn llm(x: u64) -> u64 {
    black_box(x)
}

#[llmtrace::tool]
fn tool(x: u64) -> Result<u64, std::fmt::Error> {
    Ok(black_box(x))
}

fn macros(c: &mut Criterion) {
    let mut group = c.benchmark_group("macros");
    // No subscriber exists yet in this process: tracing is off.
    group.bench_function("disabled/plain", |b| b.iter(|| plain(black_box(1))));
    group.bench_function("disabled/tracing_instrument", |b| {
        b.iter(|| instrumented(black_box(1)))
    });
    group.bench_function("disabled/llm", |b| b.iter(|| llm(black_box(1))));
    group.bench_function("disabled/tool_result", |b| b.iter(|| tool(black_box(1))));

    let guard = pipeline();
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        group.bench_function("enabled/plain", |b| b.iter(|| plain(black_box(1))));
        group.bench_function("enabled/tracing_instrument", |b| {
            b.iter(|| instrumented(black_box(1)))
        });
        group.bench_function("enabled/llm", |b| b.iter(|| llm(black_box(1))));
        group.bench_function("enabled/tool_result", |b| b.iter(|| tool(black_box(1))));
    });
    drop(guard);
    group.finish();
}

criterion_group!(benches, macros);
criterion_main!(benches);
