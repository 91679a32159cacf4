//! The cost processor: prices each span with token usage and sums cost and tokens per trace.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use llmtrace_semconv::{attribute as semconv, llmtrace as ours, Operation};

use super::{PriceTable, TokenCounts};
use crate::export::is_local_root;
use crate::span_data::{attribute, int_attribute, text_attribute};

/// Traces whose totals are being summed at once; past this the oldest is forgotten (its root
/// then shows only what arrived after).
const MAX_OPEN_TRACES: usize = 65_536;
/// Independently locked parts of the open traces, chosen by trace id, so spans of different
/// traces ending on different threads rarely wait for each other.
const SHARDS: usize = 16;

/// Writes the cost of each span with token usage and sums cost and tokens onto each local root;
/// a decorator in front of the redacting and sampling processors, so sampling policies can use
/// `llmtrace.cost.usd`.
///
/// On a span with usage and a priced model: `llmtrace.cost.usd`, `llmtrace.cost.input_usd`,
/// `llmtrace.cost.output_usd`. With usage but no price: `llmtrace.cost.unknown = true`.
/// On a local root: `llmtrace.cost.usd` becomes the sum over the trace's spans that ended before
/// it (including its own), plus `llmtrace.trace.input_tokens` / `llmtrace.trace.output_tokens`,
/// and `llmtrace.cost.unknown = true` if any span of the trace was unpriced.
///
/// An `invoke_agent` or `invoke_workflow` span whose descendants carried usage (rig writes the
/// run's total on its agent span) is not priced or summed again: it gets
/// `llmtrace.usage.rollup = true` instead, which the metrics and the OpenInference mirror read
/// too.
#[derive(Debug)]
pub struct CostProcessor<P> {
    inner: P,
    prices: PriceTable,
    open: [Mutex<OpenTraces>; SHARDS],
    stats: Arc<Counters>,
}

#[derive(Debug, Default)]
struct OpenTraces {
    totals: HashMap<TraceId, Open>,
    order: VecDeque<TraceId>,
}

/// What is known of a trace whose local root has not ended.
#[derive(Debug, Default)]
struct Open {
    totals: Totals,
    /// Spans some ended descendant of which carried usage (children end before their parent, so
    /// each ending carrier hands the mark to its parent).
    carriers: Vec<SpanId>,
}

/// Carrier marks kept per trace; past this a run span may be counted again.
const MAX_CARRIERS: usize = 256;

#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    cost: f64,
    input: i64,
    output: i64,
    unknown: bool,
    priced: bool,
}

impl Totals {
    /// Adds `other`; token sums saturate (counts come from span attributes anyone can set).
    fn add(&mut self, other: Totals) {
        self.cost += other.cost;
        self.input = self.input.saturating_add(other.input);
        self.output = self.output.saturating_add(other.output);
        self.unknown |= other.unknown;
        self.priced |= other.priced;
    }
}

impl OpenTraces {
    /// Takes a trace's totals out.
    fn remove(&mut self, trace_id: &TraceId) -> Option<Open> {
        self.totals.remove(trace_id)
    }

    /// Whether a descendant of `span_id` carried usage; forgets the mark.
    fn take_carrier(&mut self, trace_id: &TraceId, span_id: SpanId) -> bool {
        let Some(open) = self.totals.get_mut(trace_id) else {
            return false;
        };
        match open.carriers.iter().position(|id| *id == span_id) {
            Some(i) => {
                open.carriers.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// Adds a span's own totals to its trace's and marks its parent as having usage below,
    /// forgetting the oldest trace past the bound.
    fn add(&mut self, trace_id: TraceId, own: Totals, parent: SpanId) {
        let OpenTraces { totals, order } = self;
        let open = totals.entry(trace_id).or_insert_with(|| {
            order.push_back(trace_id);
            Open::default()
        });
        open.totals.add(own);
        if !open.carriers.contains(&parent) && open.carriers.len() < MAX_CARRIERS {
            open.carriers.push(parent);
        }
        while totals.len() > MAX_OPEN_TRACES / SHARDS {
            match order.pop_front() {
                Some(oldest) => {
                    totals.remove(&oldest);
                }
                None => break,
            }
        }
        if order.len() > 2 * MAX_OPEN_TRACES / SHARDS {
            order.retain(|t| totals.contains_key(t));
        }
    }
}

/// Whether a span is an agent or workflow run, whose usage (when it has any) is the total of
/// the model calls inside it.
fn is_run(span: &SpanData) -> bool {
    matches!(
        attribute(span, semconv::GEN_AI_OPERATION_NAME),
        Some(Value::String(op)) if op.as_str() == Operation::InvokeAgent.as_str()
            || op.as_str() == Operation::InvokeWorkflow.as_str()
    )
}

#[derive(Debug, Default)]
struct Counters {
    priced_spans: AtomicU64,
    unknown_spans: AtomicU64,
    micro_usd: AtomicU64,
    unknown_models: Mutex<BTreeSet<String>>,
}

/// A snapshot of what the [`CostProcessor`] has seen.
#[derive(Debug, Clone, PartialEq)]
pub struct CostStats {
    /// Spans that got a cost.
    pub priced_spans: u64,
    /// Spans with usage whose model had no price.
    pub unknown_spans: u64,
    /// Total cost of all priced spans, in dollars.
    pub total_usd: f64,
    /// Models seen without a price.
    pub unknown_models: Vec<String>,
}

fn count(value: Option<i64>) -> u64 {
    value.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

impl<P: SpanProcessor> CostProcessor<P> {
    /// Prices spans with `prices` and hands them to `inner`.
    pub fn new(inner: P, prices: PriceTable) -> Self {
        CostProcessor {
            inner,
            prices,
            open: std::array::from_fn(|_| Mutex::new(OpenTraces::default())),
            stats: Arc::new(Counters::default()),
        }
    }

    /// What has been priced so far.
    pub fn stats(&self) -> CostStats {
        CostStats {
            priced_spans: self.stats.priced_spans.load(Ordering::Relaxed),
            unknown_spans: self.stats.unknown_spans.load(Ordering::Relaxed),
            total_usd: self.stats.micro_usd.load(Ordering::Relaxed) as f64 / 1e6,
            unknown_models: self
                .stats
                .unknown_models
                .lock()
                .map(|m| m.iter().cloned().collect())
                .unwrap_or_default(),
        }
    }

    /// The open traces of `trace_id`'s shard, locked.
    fn shard(&self, trace_id: TraceId) -> std::sync::MutexGuard<'_, OpenTraces> {
        let index = (u128::from_be_bytes(trace_id.to_bytes()) % SHARDS as u128) as usize;
        self.open[index].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cost of one span's own usage, written onto it; `None` when it has no usage.
    fn price_span(&self, span: &mut SpanData) -> Option<Totals> {
        let input = int_attribute(span, semconv::GEN_AI_USAGE_INPUT_TOKENS);
        let output = int_attribute(span, semconv::GEN_AI_USAGE_OUTPUT_TOKENS);
        if input.is_none() && output.is_none() {
            return None;
        }
        let tokens = TokenCounts {
            input: count(input),
            output: count(output),
            cache_read: count(int_attribute(
                span,
                semconv::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
            )),
            cache_creation: count(int_attribute(
                span,
                semconv::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
            )),
            reasoning: count(int_attribute(
                span,
                semconv::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
            )),
        };
        let mut totals = Totals {
            input: input.unwrap_or(0),
            output: output.unwrap_or(0),
            ..Totals::default()
        };
        // The response model when it has a price, else the request model; the name is kept
        // only when neither is priced (for the stats).
        let priced = |key| {
            let model = text_attribute(span, key)?;
            Some(self.prices.price(&model).ok_or(model))
        };
        let price = match priced(semconv::GEN_AI_RESPONSE_MODEL) {
            Some(Ok(price)) => Ok(price),
            _ => priced(semconv::GEN_AI_REQUEST_MODEL)
                .unwrap_or(Err(std::borrow::Cow::Borrowed("(no model)")))
                .map_err(std::borrow::Cow::into_owned),
        };
        match price {
            Ok(price) => {
                let (input_usd, output_usd) = price.cost(tokens);
                totals.cost = input_usd + output_usd;
                totals.priced = true;
                span.attributes.extend([
                    KeyValue::new(ours::COST_USD, totals.cost),
                    KeyValue::new(ours::COST_INPUT_USD, input_usd),
                    KeyValue::new(ours::COST_OUTPUT_USD, output_usd),
                ]);
                self.stats.priced_spans.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .micro_usd
                    .fetch_add((totals.cost * 1e6).round() as u64, Ordering::Relaxed);
            }
            Err(model) => {
                totals.unknown = true;
                span.attributes
                    .push(KeyValue::new(ours::COST_UNKNOWN, true));
                self.stats.unknown_spans.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut models) = self.stats.unknown_models.lock() {
                    if models.len() < 1024 {
                        models.insert(model);
                    }
                }
            }
        }
        Some(totals)
    }
}

/// Writes a trace's sums onto its local root (`own`: the root's own totals, already in `sum`).
fn write_trace_totals(span: &mut SpanData, sum: Totals, own: Option<Totals>) {
    if !(sum.priced || sum.unknown) {
        return;
    }
    span.attributes
        .retain(|kv| kv.key.as_str() != ours::COST_USD);
    if sum.priced {
        span.attributes
            .push(KeyValue::new(ours::COST_USD, sum.cost));
    }
    if sum.unknown && own.is_none_or(|o| !o.unknown) {
        span.attributes
            .push(KeyValue::new(ours::COST_UNKNOWN, true));
    }
    span.attributes.extend([
        KeyValue::new(ours::TRACE_INPUT_TOKENS, sum.input),
        KeyValue::new(ours::TRACE_OUTPUT_TOKENS, sum.output),
    ]);
}

impl<P: SpanProcessor> SpanProcessor for CostProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &opentelemetry::Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        let trace_id = span.span_context.trace_id();
        let span_id = span.span_context.span_id();
        let root = is_local_root(&span);
        let (open, below) = if root {
            let open = self.shard(trace_id).remove(&trace_id).unwrap_or_default();
            let below = open.carriers.contains(&span_id);
            (Some(open), below)
        } else {
            (None, self.shard(trace_id).take_carrier(&trace_id, span_id))
        };
        // A run's usage repeats its model calls': not priced or summed again.
        let own = if below && is_run(&span) {
            span.attributes
                .push(KeyValue::new(ours::USAGE_ROLLUP, true));
            None
        } else {
            self.price_span(&mut span)
        };
        if let Some(open) = open {
            let mut sum = open.totals;
            if let Some(own) = own {
                sum.add(own);
            }
            write_trace_totals(&mut span, sum, own);
        } else if own.is_some() || below {
            let parent = span.parent_span_id;
            self.shard(trace_id)
                .add(trace_id, own.unwrap_or_default(), parent);
        }
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{Tracer as _, TracerProvider as _};
    use opentelemetry::KeyValue;
    use opentelemetry_sdk::trace::{
        InMemorySpanExporter, SdkTracer, SdkTracerProvider, SimpleSpanProcessor,
    };

    use super::*;

    /// Runs `spans` (given a tracer whose spans pass a cost processor) and returns the input and
    /// output token sums written on the `root` spans, sorted.
    fn root_sums(spans: impl FnOnce(&SdkTracer)) -> Vec<(i64, i64)> {
        let exporter = InMemorySpanExporter::default();
        let processor = CostProcessor::new(
            SimpleSpanProcessor::new(exporter.clone()),
            PriceTable::built_in(),
        );
        let provider = SdkTracerProvider::builder()
            .with_span_processor(processor)
            .build();
        spans(&provider.tracer("test"));
        let mut sums: Vec<(i64, i64)> = exporter
            .get_finished_spans()
            .expect("spans")
            .iter()
            .filter(|s| s.name == "root")
            .map(|s| {
                let sum = |key| int_attribute(s, key).expect("a trace sum");
                (
                    sum(ours::TRACE_INPUT_TOKENS),
                    sum(ours::TRACE_OUTPUT_TOKENS),
                )
            })
            .collect();
        sums.sort_unstable();
        sums
    }

    /// Starts and ends a priced chat span with this usage.
    fn chat(tracer: &SdkTracer, input: i64, output: i64) {
        tracer
            .span_builder("chat gpt-4o")
            .with_attributes([
                KeyValue::new(semconv::GEN_AI_REQUEST_MODEL, "gpt-4o"),
                KeyValue::new(semconv::GEN_AI_USAGE_INPUT_TOKENS, input),
                KeyValue::new(semconv::GEN_AI_USAGE_OUTPUT_TOKENS, output),
            ])
            .start(tracer);
    }

    #[test]
    fn token_sums_saturate_instead_of_overflowing() {
        let sums = root_sums(|tracer| {
            tracer.in_span("root", |_| {
                for _ in 0..3 {
                    chat(tracer, i64::MAX, i64::MAX - 1);
                }
            });
        });
        assert_eq!(sums, [(i64::MAX, i64::MAX)]);
    }

    #[test]
    fn spans_of_many_traces_are_summed_per_trace() {
        let sums = root_sums(|tracer| {
            for n in 1..=40_i64 {
                tracer.in_span("root", |_| chat(tracer, n, 1));
            }
        });
        assert_eq!(sums, (1..=40).map(|n| (n, 1)).collect::<Vec<_>>());
    }

    /// Starts and ends an agent span carrying the run's total usage around `body`.
    fn agent(tracer: &SdkTracer, name: &'static str, body: impl FnOnce()) {
        let span = tracer
            .span_builder(name)
            .with_attributes([
                KeyValue::new(semconv::GEN_AI_OPERATION_NAME, "invoke_agent"),
                KeyValue::new(semconv::GEN_AI_REQUEST_MODEL, "gpt-4o"),
                KeyValue::new(semconv::GEN_AI_USAGE_INPUT_TOKENS, 30_i64),
                KeyValue::new(semconv::GEN_AI_USAGE_OUTPUT_TOKENS, 3_i64),
            ])
            .start(tracer);
        let cx = opentelemetry::Context::current_with_span(span);
        let attached = cx.clone().attach();
        body();
        drop(attached);
        use opentelemetry::trace::TraceContextExt as _;
        cx.span().end();
    }

    #[test]
    fn a_run_span_whose_calls_carry_usage_is_not_counted_again() {
        // The agent is the root, and the agent under another root: only the calls count.
        let sums = root_sums(|tracer| {
            agent(tracer, "root", || {
                chat(tracer, 10, 1);
                chat(tracer, 20, 2);
            });
            tracer.in_span("root", |_| {
                agent(tracer, "invoke_agent", || {
                    tracer.in_span("step", |_| chat(tracer, 30, 3));
                });
            });
        });
        assert_eq!(sums, [(30, 3), (30, 3)]);
    }

    #[test]
    fn a_run_span_without_usage_below_is_counted() {
        let sums = root_sums(|tracer| {
            tracer.in_span("root", |_| agent(tracer, "invoke_agent", || {}));
        });
        assert_eq!(sums, [(30, 3)]);
    }
}
