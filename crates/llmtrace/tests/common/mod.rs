//! Helpers shared by the integration tests: a pipeline exporting into memory, and lookups on
//! the exported spans.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use opentelemetry::Value;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor, SpanData};

/// A pipeline that exports synchronously into memory; nothing is installed globally.
pub fn pipeline(capture_content: bool) -> (llmtrace::Guard, InMemorySpanExporter) {
    let exporter = InMemorySpanExporter::default();
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .capture_content(capture_content)
        .with_span_processor(SimpleSpanProcessor::new(exporter.clone()))
        .build()
        .expect("pipeline builds");
    (guard, exporter)
}

/// Runs `f` with the pipeline's subscriber and returns the exported spans.
pub fn run(capture_content: bool, f: impl FnOnce()) -> Vec<SpanData> {
    let (guard, exporter) = pipeline(capture_content);
    tracing::dispatcher::with_default(&guard.dispatch(), f);
    guard.flush();
    exporter.get_finished_spans().expect("spans")
}

pub fn find_span<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span named {name:?} in {:?}", names(spans)))
}

pub fn names(spans: &[SpanData]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

pub fn attr<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

pub fn attr_str(span: &SpanData, key: &str) -> Option<String> {
    attr(span, key).map(|v| v.as_str().into_owned())
}

pub fn attr_i64(span: &SpanData, key: &str) -> Option<i64> {
    match attr(span, key) {
        Some(Value::I64(v)) => Some(*v),
        _ => None,
    }
}

pub fn is_child_of(child: &SpanData, parent: &SpanData) -> bool {
    child.parent_span_id == parent.span_context.span_id()
        && child.span_context.trace_id() == parent.span_context.trace_id()
}

/// Every string value of every attribute and event attribute of every span, to search for
/// content that must not be there.
pub fn all_strings(spans: &[SpanData]) -> String {
    let mut out = String::new();
    for span in spans {
        for kv in &span.attributes {
            out.push_str(&kv.value.as_str());
            out.push('\n');
        }
        for event in span.events.iter() {
            for kv in &event.attributes {
                out.push_str(&kv.value.as_str());
                out.push('\n');
            }
        }
    }
    out
}
