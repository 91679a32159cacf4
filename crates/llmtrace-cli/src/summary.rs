//! One small record per trace, built span by span as a file streams by: root, times, cost,
//! tokens, errors, loops and models — what `find`, `stats` and `view` decide on.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{Status, TraceId};
use serde::Serialize;

use llmtrace::export::format_cost;
use llmtrace::semconv::attribute as sc;
use llmtrace::semconv::llmtrace as ours;

use crate::span::{OwnCost, Span};

/// Entries kept in each list of a summary (errors, loops, models).
const MAX_LISTED: usize = 20;
/// Traces summarised at most; spans of further traces are counted, not summarised.
const MAX_TRACES: usize = 1_000_000;

/// A failed span.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ErrorSpan {
    /// The span's name.
    pub(crate) span: String,
    /// Its `error.type`.
    pub(crate) error_type: Option<String>,
    /// Its status message.
    pub(crate) message: String,
}

/// A detected agent loop.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LoopFlag {
    /// The repeated tool.
    pub(crate) tool: String,
    /// How often it was called with the same arguments.
    pub(crate) repeats: Option<i64>,
}

/// What a set of spans used and cost, summed span by span (each span's own part): tokens, and
/// the priced cost with the calls that had no price counted apart (never as $0).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Spend {
    pub(crate) input_tokens: i64,
    pub(crate) output_tokens: i64,
    pub(crate) cached_input_tokens: i64,
    /// The summed `llmtrace.cost.usd` of the priced calls.
    pub(crate) cost: f64,
    pub(crate) priced_calls: usize,
    /// Calls whose model had no price (`llmtrace.cost.unknown`).
    pub(crate) unpriced_calls: usize,
}

impl Spend {
    /// Adds `span`'s own tokens and cost.
    pub(crate) fn add(&mut self, span: &Span) {
        let tokens = |key| span.own_tokens(key);
        self.input_tokens = self
            .input_tokens
            .saturating_add(tokens(sc::GEN_AI_USAGE_INPUT_TOKENS));
        self.output_tokens = self
            .output_tokens
            .saturating_add(tokens(sc::GEN_AI_USAGE_OUTPUT_TOKENS));
        self.cached_input_tokens = self
            .cached_input_tokens
            .saturating_add(tokens(sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS));
        match span.own_cost() {
            OwnCost::Priced(cost) => {
                self.cost += cost;
                self.priced_calls += 1;
            }
            OwnCost::Unknown => self.unpriced_calls += 1,
            OwnCost::None => {}
        }
    }

    /// The cost, `None` when no call was priced.
    pub(crate) fn priced_cost(&self) -> Option<f64> {
        (self.priced_calls > 0).then_some(self.cost)
    }
}

/// What is known of one trace.
#[derive(Debug, Clone)]
pub(crate) struct TraceSummary {
    pub(crate) trace_id: TraceId,
    /// The root span's name, once it was seen.
    pub(crate) root: Option<String>,
    pub(crate) service: Option<String>,
    pub(crate) start: SystemTime,
    pub(crate) end: SystemTime,
    pub(crate) spans: usize,
    /// Tokens and cost of the trace's spans.
    pub(crate) spend: Spend,
    pub(crate) error_count: usize,
    pub(crate) errors: Vec<ErrorSpan>,
    pub(crate) loops: Vec<LoopFlag>,
    pub(crate) models: Vec<String>,
    /// Bit `i`: a span had the `i`-th attribute asked for.
    pub(crate) attr_matches: u64,
}

impl TraceSummary {
    fn new(span: &Span) -> Self {
        TraceSummary {
            trace_id: span.trace_id(),
            root: None,
            service: span.service.clone(),
            start: span.data.start_time,
            end: span.data.end_time,
            spans: 0,
            spend: Spend::default(),
            error_count: 0,
            errors: Vec::new(),
            loops: Vec::new(),
            models: Vec::new(),
            attr_matches: 0,
        }
    }

    /// From the earliest start to the latest end.
    pub(crate) fn duration(&self) -> Duration {
        self.end.duration_since(self.start).unwrap_or_default()
    }

    fn add(&mut self, span: &Span, attrs: &[(String, String)]) {
        self.spans += 1;
        self.start = self.start.min(span.data.start_time);
        self.end = self.end.max(span.data.end_time);
        if span.is_root() && self.root.is_none() {
            self.root = Some(span.data.name.to_string());
            self.service = span.service.clone();
        }
        self.spend.add(span);
        self.add_error(span);
        self.add_loops(span);
        if let Some(model) = span.model() {
            if !self.models.contains(&model) && self.models.len() < MAX_LISTED {
                self.models.push(model);
            }
        }
        for (i, (key, value)) in attrs.iter().enumerate().take(64) {
            if has_attr(span, key, value) {
                self.attr_matches |= 1 << i;
            }
        }
    }

    fn add_error(&mut self, span: &Span) {
        let Status::Error { description } = &span.data.status else {
            return;
        };
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED {
            self.errors.push(ErrorSpan {
                span: span.data.name.to_string(),
                error_type: span.text(sc::ERROR_TYPE),
                message: description.to_string(),
            });
        }
    }

    fn add_loops(&mut self, span: &Span) {
        for event in span.data.events.iter() {
            if event.name != ours::AGENT_LOOP_DETECTED_EVENT || self.loops.len() >= MAX_LISTED {
                continue;
            }
            let attr = |key: &str| event.attributes.iter().find(|kv| kv.key.as_str() == key);
            self.loops.push(LoopFlag {
                tool: attr(sc::GEN_AI_TOOL_NAME)
                    .map(|kv| kv.value.as_str().into_owned())
                    .unwrap_or_default(),
                repeats: attr(ours::AGENT_REPEAT_COUNT).and_then(|kv| match kv.value {
                    opentelemetry::Value::I64(n) => Some(n),
                    _ => kv.value.as_str().parse().ok(),
                }),
            });
        }
    }
}

/// Whether the span, or its resource, has attribute `key` with text `value`.
fn has_attr(span: &Span, key: &str, value: &str) -> bool {
    span.attr(key).is_some_and(|v| v.as_str() == value)
        || span.resource.iter().any(|(k, v)| k == key && v == value)
}

/// The summaries of every trace read so far.
#[derive(Debug, Default)]
pub(crate) struct Summaries {
    traces: HashMap<TraceId, TraceSummary>,
    attrs: Vec<(String, String)>,
    /// Spans of traces past [`MAX_TRACES`].
    unsummarised: usize,
}

impl Summaries {
    /// Summaries recording which of `attrs` each trace has.
    pub(crate) fn with_attrs(attrs: Vec<(String, String)>) -> Self {
        Summaries {
            attrs,
            ..Summaries::default()
        }
    }

    /// Adds a span to its trace's summary.
    pub(crate) fn add(&mut self, span: &Span) {
        let full = self.traces.len() >= MAX_TRACES;
        match self.traces.get_mut(&span.trace_id()) {
            Some(summary) => summary.add(span, &self.attrs),
            None if full => self.unsummarised += 1,
            None => {
                let mut summary = TraceSummary::new(span);
                summary.add(span, &self.attrs);
                self.traces.insert(span.trace_id(), summary);
            }
        }
    }

    /// Every summary, newest (latest start) first; warns on standard error when traces were
    /// left out to bound memory.
    pub(crate) fn newest_first(self) -> Vec<TraceSummary> {
        if self.unsummarised > 0 {
            eprintln!(
                "warning: more than {MAX_TRACES} traces: {} spans of later traces are left out",
                self.unsummarised
            );
        }
        let mut all: Vec<TraceSummary> = self.traces.into_values().collect();
        all.sort_by(|a, b| {
            b.start
                .cmp(&a.start)
                .then(a.trace_id.to_bytes().cmp(&b.trace_id.to_bytes()))
        });
        all
    }
}

/// A cost for people: `$0.01230`, `$0.01230 + 2 unpriced`, `$? (2 unpriced)`, or `-` when no
/// call was priced or flagged; never `$0` for unknown prices.
pub(crate) fn cost_text(cost: Option<f64>, unpriced: usize) -> String {
    match (cost, unpriced) {
        (Some(c), 0) => format_cost(c),
        (Some(c), n) => format!("{} + {n} unpriced", format_cost(c)),
        (None, 0) => "-".to_owned(),
        (None, n) => format!("$? ({n} unpriced)"),
    }
}

#[cfg(test)]
mod tests {
    use super::cost_text;

    #[test]
    fn unknown_cost_is_never_zero() {
        assert_eq!(cost_text(Some(0.0123), 0), "$0.01230");
        assert_eq!(cost_text(Some(0.0123), 2), "$0.01230 + 2 unpriced");
        assert_eq!(cost_text(None, 3), "$? (3 unpriced)");
        assert_eq!(cost_text(None, 0), "-");
    }
}
