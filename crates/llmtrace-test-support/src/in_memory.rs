//! A pipeline that exports synchronously into memory, running code under it, and an exporter
//! that discards (for benches).
//!
//! Nothing is installed globally: the code under test runs with the pipeline's subscriber as
//! the default of the current thread only, so tests in one binary do not see each other's
//! spans.

use std::future::Future;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor, SpanData, SpanExporter};

/// A span exporter that drops every batch (through `black_box`, so the work before it is not
/// optimised away): the end of a pipeline in benches that measure everything but the export.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiscardingExporter;

impl SpanExporter for DiscardingExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        std::hint::black_box(batch);
        Ok(())
    }
}

/// A pipeline that exports synchronously into memory, built from no environment variables,
/// with the console tree off and content capture as given; nothing is installed globally.
pub fn pipeline(capture_content: bool) -> (llmtrace::Guard, InMemorySpanExporter) {
    pipeline_with(capture_content, |builder| builder)
}

/// [`pipeline`] with further settings: `configure` gets the builder before it is built (e.g.
/// `|b| b.metrics(false)`, `|b| b.tail_sampling(config)`).
pub fn pipeline_with(
    capture_content: bool,
    configure: impl FnOnce(llmtrace::Builder) -> llmtrace::Builder,
) -> (llmtrace::Guard, InMemorySpanExporter) {
    let exporter = InMemorySpanExporter::default();
    let builder = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .capture_content(capture_content)
        .with_span_processor(SimpleSpanProcessor::new(exporter.clone()));
    let guard = configure(builder).build().expect("pipeline builds");
    (guard, exporter)
}

/// Runs `f` under a new [`pipeline`]'s subscriber and returns the exported spans.
pub fn run(capture_content: bool, f: impl FnOnce()) -> Vec<SpanData> {
    let (guard, exporter) = pipeline(capture_content);
    run_in(&guard, &exporter, f)
}

/// Runs `f` under `guard`'s subscriber, flushes, and returns every span `exporter` holds
/// (including those of earlier runs on the same pipeline).
pub fn run_in(
    guard: &llmtrace::Guard,
    exporter: &InMemorySpanExporter,
    f: impl FnOnce(),
) -> Vec<SpanData> {
    tracing::dispatcher::with_default(&guard.dispatch(), f);
    guard.flush();
    exporter.get_finished_spans().expect("spans")
}

/// Runs the future `test` makes on a current-thread Tokio runtime under a new [`pipeline`]'s
/// subscriber; returns its output and the exported spans. The runtime is dropped before the
/// flush, so spans of tasks it still held have ended.
pub fn run_async<F, T>(capture_content: bool, test: impl FnOnce() -> F) -> (T, Vec<SpanData>)
where
    F: Future<Output = T>,
{
    let (guard, exporter) = pipeline(capture_content);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let output = tracing::dispatcher::with_default(&guard.dispatch(), || runtime.block_on(test()));
    drop(runtime);
    guard.flush();
    (output, exporter.get_finished_spans().expect("spans"))
}
