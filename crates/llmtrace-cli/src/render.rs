//! One trace's console tree, drawn by the library's renderer (the one the embedded default
//! prints), and its JSON form.

use serde::Serialize;

use crate::span::Span;
use crate::timefmt::rfc3339;

/// Spans kept per trace for printing; later ones are counted, not kept.
pub(crate) const MAX_SPANS_PER_TRACE: usize = 10_000;

/// The spans of one trace, ready to print.
#[derive(Debug, Default)]
pub(crate) struct TraceSpans {
    pub(crate) spans: Vec<Span>,
    /// Spans not kept (past [`MAX_SPANS_PER_TRACE`]).
    pub(crate) dropped: usize,
    /// Whether the root span was seen.
    pub(crate) complete: bool,
}

impl TraceSpans {
    /// Keeps `span` unless the trace is full (a root is always kept).
    pub(crate) fn push(&mut self, span: Span) {
        let root = span.is_root();
        self.complete |= root;
        if self.spans.len() < MAX_SPANS_PER_TRACE || root {
            self.spans.push(span);
        } else {
            self.dropped += 1;
        }
    }

    /// The plain-text tree.
    pub(crate) fn tree(&self, depth: Option<usize>) -> String {
        let data: Vec<_> = self.spans.iter().map(|s| s.data.clone()).collect();
        let mut text = llmtrace::export::render_spans(&data, self.complete, depth);
        if self.dropped > 0 {
            text.push_str(&format!("… {} more spans not kept\n", self.dropped));
        }
        text
    }

    /// The trace as JSON: its spans (name, ids, times, status) and the tree text.
    pub(crate) fn json(&self, depth: Option<usize>) -> TraceJson {
        let first = self.spans.first();
        let root = self.spans.iter().find(|s| s.is_root()).or(first);
        TraceJson {
            trace_id: first.map(|s| s.trace_id().to_string()).unwrap_or_default(),
            root: root.map(|s| s.data.name.to_string()),
            start: self
                .spans
                .iter()
                .map(|s| s.data.start_time)
                .min()
                .map(rfc3339),
            complete: self.complete,
            span_count: self.spans.len() + self.dropped,
            spans: self.spans.iter().map(SpanJson::of).collect(),
            tree: self.tree(depth),
        }
    }
}

/// A trace in `--json` output.
#[derive(Debug, Serialize)]
pub(crate) struct TraceJson {
    trace_id: String,
    root: Option<String>,
    start: Option<String>,
    complete: bool,
    span_count: usize,
    spans: Vec<SpanJson>,
    tree: String,
}

/// A span in `--json` output.
#[derive(Debug, Serialize)]
pub(crate) struct SpanJson {
    name: String,
    span_id: String,
    parent_span_id: Option<String>,
    start: String,
    duration_ms: f64,
    error: Option<String>,
    service: Option<String>,
}

impl SpanJson {
    fn of(span: &Span) -> Self {
        let parent = span.data.parent_span_id;
        SpanJson {
            name: span.data.name.to_string(),
            span_id: span.span_id().to_string(),
            parent_span_id: (parent != opentelemetry::trace::SpanId::INVALID)
                .then(|| parent.to_string()),
            start: rfc3339(span.data.start_time),
            duration_ms: span.duration().as_secs_f64() * 1e3,
            error: match &span.data.status {
                opentelemetry::trace::Status::Error { description } => {
                    Some(description.to_string())
                }
                _ => None,
            },
            service: span.service.clone(),
        }
    }
}
