//! The figures of `llmtrace stats`, aggregated span by span: memory grows with the number of
//! groups and traces, not spans.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use llmtrace::semconv::attribute as sc;
use llmtrace::semconv::openinference as oi;

use crate::cli::GroupBy;
use crate::histogram::{Histogram, Percentiles};
use crate::span::Span;
use crate::summary::{Spend, Summaries, TraceSummary};

/// Groups kept per table; further keys share the group `(other)`.
const MAX_GROUPS: usize = 10_000;
/// Operations that are not model calls, even when a model is recorded on them.
const NOT_MODEL_CALLS: [&str; 3] = ["invoke_agent", "create_agent", "execute_tool"];

/// The figures of one group of calls.
#[derive(Debug, Default)]
pub(crate) struct Group {
    pub(crate) calls: u64,
    pub(crate) errors: u64,
    pub(crate) spend: Spend,
    pub(crate) latency: Histogram,
    pub(crate) first_chunk: Histogram,
}

impl Group {
    pub(super) fn add(&mut self, span: &Span) {
        self.calls += 1;
        self.errors += u64::from(span.is_error());
        self.spend.add(span);
        self.latency.record(span.duration());
        if let Some(seconds) = span.float(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) {
            if seconds.is_finite() && seconds >= 0.0 {
                self.first_chunk.record(Duration::from_secs_f64(seconds));
            }
        }
    }
}

/// One table: groups by name.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) groups: BTreeMap<String, Group>,
}

impl Table {
    pub(super) fn add(&mut self, key: String, span: &Span) {
        let key = if self.groups.len() >= MAX_GROUPS && !self.groups.contains_key(&key) {
            "(other)".to_owned()
        } else {
            key
        };
        self.groups.entry(key).or_default().add(span);
    }
}

/// Everything `stats` reports.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) spans: u64,
    pub(crate) models: Table,
    pub(crate) operations: Table,
    pub(crate) by: Option<(GroupBy, Table)>,
    pub(super) summaries: Summaries,
}

impl Stats {
    pub(super) fn new(by: Option<GroupBy>) -> Self {
        Stats {
            by: by.map(|b| (b, Table::default())),
            ..Stats::default()
        }
    }

    pub(super) fn add(&mut self, span: &Span) {
        self.spans += 1;
        self.summaries.add(span);
        let Some(operation) = span.text(sc::GEN_AI_OPERATION_NAME) else {
            return;
        };
        if let Some(model) = span.model() {
            if !NOT_MODEL_CALLS.contains(&operation.as_str()) {
                self.models.add(model, span);
            }
        }
        if let Some((by, table)) = &mut self.by {
            if let Some(key) = group_key(*by, span) {
                table.add(key, span);
            }
        }
        self.operations.add(operation, span);
    }
}

/// The key a span is grouped under by `--by`.
fn group_key(by: GroupBy, span: &Span) -> Option<String> {
    match by {
        GroupBy::Service => Some(span.service.clone().unwrap_or_else(|| "(none)".to_owned())),
        GroupBy::Session => span
            .text(oi::SESSION_ID)
            .or_else(|| span.text("gen_ai.conversation.id")),
        GroupBy::User => span.text(oi::USER_ID),
        GroupBy::Tool => span.text(sc::GEN_AI_TOOL_NAME),
    }
}

/// The `n` traces first by `key`, largest first.
pub(crate) fn top_by(
    traces: &[TraceSummary],
    n: usize,
    key: impl Fn(&TraceSummary) -> f64,
) -> Vec<&TraceSummary> {
    let mut list: Vec<&TraceSummary> = traces.iter().collect();
    list.sort_by(|a, b| key(b).total_cmp(&key(a)));
    list.truncate(n);
    list
}

/// A group in `--json` output.
#[derive(Debug, Serialize)]
struct GroupJson {
    name: String,
    calls: u64,
    errors: u64,
    input_tokens: i64,
    output_tokens: i64,
    cached_input_tokens: i64,
    /// `null` when no call was priced.
    cost_usd: Option<f64>,
    unpriced_calls: usize,
    latency_ms: Option<Percentiles>,
    time_to_first_chunk_ms: Option<Percentiles>,
}

/// A trace in the top lists of `--json` output.
#[derive(Debug, Serialize)]
struct TopJson {
    trace_id: String,
    root: Option<String>,
    duration_ms: f64,
    cost_usd: Option<f64>,
    unpriced_calls: usize,
}

/// `stats --json`.
#[derive(Debug, Serialize)]
pub(super) struct StatsJson {
    spans: u64,
    traces: usize,
    models: Vec<GroupJson>,
    operations: Vec<GroupJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<BTreeMap<String, Vec<GroupJson>>>,
    top_by_cost: Vec<TopJson>,
    top_by_duration: Vec<TopJson>,
}

impl StatsJson {
    pub(super) fn of(stats: &Stats, traces: &[TraceSummary], top: usize) -> Self {
        let groups = |t: &Table| -> Vec<GroupJson> {
            t.groups.iter().map(|(k, g)| group_json(k, g)).collect()
        };
        let tops = |list: Vec<&TraceSummary>| list.into_iter().map(top_json).collect();
        StatsJson {
            spans: stats.spans,
            traces: traces.len(),
            models: groups(&stats.models),
            operations: groups(&stats.operations),
            by: stats.by.as_ref().map(|(by, t)| {
                let name = format!("{by:?}").to_ascii_lowercase();
                BTreeMap::from([(name, groups(t))])
            }),
            top_by_cost: tops(top_by(traces, top, |t| {
                t.spend.priced_cost().unwrap_or(-1.0)
            })),
            top_by_duration: tops(top_by(traces, top, |t| t.duration().as_secs_f64())),
        }
    }
}

fn group_json(name: &str, g: &Group) -> GroupJson {
    GroupJson {
        name: name.to_owned(),
        calls: g.calls,
        errors: g.errors,
        input_tokens: g.spend.input_tokens,
        output_tokens: g.spend.output_tokens,
        cached_input_tokens: g.spend.cached_input_tokens,
        cost_usd: g.spend.priced_cost(),
        unpriced_calls: g.spend.unpriced_calls,
        latency_ms: g.latency.percentiles(),
        time_to_first_chunk_ms: g.first_chunk.percentiles(),
    }
}

fn top_json(t: &TraceSummary) -> TopJson {
    TopJson {
        trace_id: t.trace_id.to_string(),
        root: t.root.clone(),
        duration_ms: t.duration().as_secs_f64() * 1e3,
        cost_usd: t.spend.priced_cost(),
        unpriced_calls: t.spend.unpriced_calls,
    }
}
