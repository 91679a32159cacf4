//! The span model every command works on: an OpenTelemetry SDK [`SpanData`] (what the
//! library's tree renderer prints) and the `service.name` of the resource it came from.

use std::time::Duration;

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;

/// One finished span read from a file or received over OTLP.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    /// The span as the SDK would have exported it.
    pub(crate) data: SpanData,
    /// The resource's `service.name`, if it had one.
    pub(crate) service: Option<String>,
    /// The resource's attributes, as `key=value` text pairs (for `find --attr`).
    pub(crate) resource: std::sync::Arc<Vec<(String, String)>>,
}

impl Span {
    /// The trace it belongs to.
    pub(crate) fn trace_id(&self) -> TraceId {
        self.data.span_context.trace_id()
    }

    /// Its own id.
    pub(crate) fn span_id(&self) -> SpanId {
        self.data.span_context.span_id()
    }

    /// Whether it is the root of its trace (no parent, or a parent in another process).
    pub(crate) fn is_root(&self) -> bool {
        llmtrace::export::is_local_root(&self.data)
    }

    /// End minus start (zero when the clock went backwards).
    pub(crate) fn duration(&self) -> Duration {
        self.data
            .end_time
            .duration_since(self.data.start_time)
            .unwrap_or_default()
    }

    /// Whether its status is an error.
    pub(crate) fn is_error(&self) -> bool {
        matches!(self.data.status, Status::Error { .. })
    }

    /// The value of attribute `key`.
    pub(crate) fn attr(&self, key: &str) -> Option<&Value> {
        self.data
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }

    /// A text attribute (any type, as text).
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        self.attr(key).map(|v| v.as_str().into_owned())
    }

    /// An integer attribute (integers, or doubles without fraction).
    pub(crate) fn int(&self, key: &str) -> Option<i64> {
        match self.attr(key)? {
            Value::I64(v) => Some(*v),
            Value::F64(v) if v.fract() == 0.0 => Some(*v as i64),
            Value::String(s) => s.as_str().parse().ok(),
            _ => None,
        }
    }

    /// A floating-point attribute (doubles or integers).
    pub(crate) fn float(&self, key: &str) -> Option<f64> {
        match self.attr(key)? {
            Value::F64(v) => Some(*v),
            Value::I64(v) => Some(*v as f64),
            Value::String(s) => s.as_str().parse().ok(),
            _ => None,
        }
    }

    /// Tokens of this span's own call under `key` (a `gen_ai.usage.*` key): none on a span
    /// whose usage is its children's, summed (`llmtrace.usage.rollup`), and never negative.
    pub(crate) fn own_tokens(&self, key: &str) -> i64 {
        if self.flag(llmtrace::semconv::llmtrace::USAGE_ROLLUP) {
            return 0;
        }
        self.int(key).unwrap_or(0).max(0)
    }

    /// A boolean attribute.
    pub(crate) fn flag(&self, key: &str) -> bool {
        matches!(self.attr(key), Some(Value::Bool(true)))
    }

    /// The cost of this span's own call, not the trace totals llmtrace writes on a local root
    /// (recognised by `llmtrace.trace.input_tokens`; its own part is then the input and output
    /// cost, which the totals do not overwrite).
    pub(crate) fn own_cost(&self) -> OwnCost {
        use llmtrace::semconv::attribute as sc;
        use llmtrace::semconv::llmtrace as ours;
        if self.attr(ours::TRACE_INPUT_TOKENS).is_some() {
            let parts = (
                self.float(ours::COST_INPUT_USD),
                self.float(ours::COST_OUTPUT_USD),
            );
            let has_usage = self.attr(sc::GEN_AI_USAGE_INPUT_TOKENS).is_some()
                || self.attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS).is_some();
            return match parts {
                (Some(i), o) => OwnCost::Priced(i + o.unwrap_or(0.0)),
                (None, Some(o)) => OwnCost::Priced(o),
                (None, None) if has_usage && self.flag(ours::COST_UNKNOWN) => OwnCost::Unknown,
                (None, None) => OwnCost::None,
            };
        }
        match self.float(ours::COST_USD) {
            Some(cost) => OwnCost::Priced(cost),
            None if self.flag(ours::COST_UNKNOWN) => OwnCost::Unknown,
            None => OwnCost::None,
        }
    }

    /// The model: the response's if known, else the request's.
    pub(crate) fn model(&self) -> Option<String> {
        use llmtrace::semconv::attribute as sc;
        self.text(sc::GEN_AI_RESPONSE_MODEL)
            .or_else(|| self.text(sc::GEN_AI_REQUEST_MODEL))
    }
}

/// What a span's own call cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum OwnCost {
    /// Priced, in US dollars.
    Priced(f64),
    /// The model had no price (`llmtrace.cost.unknown`).
    Unknown,
    /// Not a priced call.
    None,
}
