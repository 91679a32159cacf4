//! Where finished spans go: OTLP (gRPC or HTTP/protobuf), the console tree printed on stderr
//! when no backend is configured, and an OTLP-JSON lines file (which also takes the inference
//! log records).

mod direct;
mod encode;
mod fanout;
mod jsonl;
mod otlp;
mod stats;
mod tree;
mod wire;

pub use encode::TraceEncoder;
pub(crate) use fanout::Shards;
pub use fanout::{DynProcessor, FanOut};
pub use jsonl::JsonLinesExporter;
pub(crate) use otlp::{
    build_otlp_log_exporter, build_otlp_metric_exporter, build_otlp_span_exporter, Transport,
};
pub use stats::ExportStats;
pub(crate) use stats::{Counters, CountingExporter, CountingProcessor};
pub use tree::{format_cost, format_duration, render_spans, TreeExporter};

use opentelemetry::trace::SpanId;
use opentelemetry_sdk::trace::SpanData;

/// Whether a span is the local root of its trace in this process: no parent, or a parent in
/// another process.
pub fn is_local_root(span: &SpanData) -> bool {
    span.parent_span_id == SpanId::INVALID || span.parent_span_is_remote
}
