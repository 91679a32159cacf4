//! The console tree: each finished trace printed on stderr as a tree of spans with durations,
//! tokens, cost and errors, and the renderer the command line shares.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry::Value;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use llmtrace_semconv::{attribute as semconv, llmtrace as ours};

use super::is_local_root;
use crate::content::EventMarks;
use crate::span_data::{attribute, float_attribute, int_attribute};

/// Traces held while waiting for their root; older ones are printed incomplete past this.
const MAX_PENDING_TRACES: usize = 1024;
/// Spans held for one trace; later ones are counted, not kept.
const MAX_SPANS_PER_TRACE: usize = 10_000;

/// The embedded default destination: prints each finished trace as a tree (name, duration,
/// tokens, cost, errors) when its local root span ends.
///
/// ```text
/// trace 5b8aa5a2d2c872e8321cf37308d69df2 · 7 spans · 1.21 s · tokens 812 in / 173 out · $0.00391
/// invoke_agent travel-planner  1.21 s
/// ├─ chat gpt-4o  402 ms  tokens 310 in / 52 out  $0.00130
/// ├─ execute_tool get_weather  12 ms  ✗ error.type=TimeoutError: upstream timed out
/// └─ chat gpt-4o  388 ms  tokens 502 in / 121 out  $0.00261
/// ```
pub struct TreeExporter {
    out: Mutex<Box<dyn Write + Send>>,
    pending: Mutex<PendingTraces>,
    marks: Option<EventMarks>,
}

#[derive(Default)]
struct PendingTraces {
    traces: HashMap<TraceId, Vec<SpanData>>,
    order: std::collections::VecDeque<TraceId>,
    overflow: HashMap<TraceId, usize>,
    /// Pending spans that emitted an inference log record.
    with_event: HashSet<SpanId>,
}

/// A trace ready to print.
struct ReadyTrace {
    spans: Vec<SpanData>,
    dropped: usize,
    complete: bool,
    with_event: HashSet<SpanId>,
}

impl PendingTraces {
    /// Takes a trace out, with its spans' event marks.
    fn take(&mut self, trace_id: TraceId, complete: bool) -> ReadyTrace {
        let spans = self.traces.remove(&trace_id).unwrap_or_default();
        let with_event = spans
            .iter()
            .map(|s| s.span_context.span_id())
            .filter(|id| self.with_event.remove(id))
            .collect();
        ReadyTrace {
            spans,
            dropped: self.overflow.remove(&trace_id).unwrap_or(0),
            complete,
            with_event,
        }
    }
}

impl std::fmt::Debug for TreeExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeExporter").finish_non_exhaustive()
    }
}

impl TreeExporter {
    /// Prints to standard error.
    pub fn stderr() -> Self {
        TreeExporter::new(Box::new(std::io::stderr()))
    }

    /// Prints to any writer.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        TreeExporter {
            out: Mutex::new(out),
            pending: Mutex::new(PendingTraces::default()),
            marks: None,
        }
    }

    /// Marks the spans that emitted an inference log record (`✉ event`).
    pub(crate) fn with_event_marks(mut self, marks: Option<EventMarks>) -> Self {
        self.marks = marks;
        self
    }

    fn write(&self, text: &str) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        // A broken stderr must not fail the pipeline.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn accept(&self, batch: Vec<SpanData>) -> Vec<ReadyTrace> {
        let mut ready = Vec::new();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        for span in batch {
            let trace_id = span.span_context.trace_id();
            let root = is_local_root(&span);
            if let Some(marks) = &self.marks {
                if marks.take(span.span_context.span_id()) {
                    pending.with_event.insert(span.span_context.span_id());
                }
            }
            let PendingTraces {
                traces,
                order,
                overflow,
                ..
            } = &mut *pending;
            let spans = traces.entry(trace_id).or_insert_with(|| {
                order.push_back(trace_id);
                Vec::new()
            });
            if spans.len() < MAX_SPANS_PER_TRACE || root {
                spans.push(span);
            } else {
                *overflow.entry(trace_id).or_default() += 1;
            }
            if root {
                order.retain(|t| *t != trace_id);
                ready.push(pending.take(trace_id, true));
            }
        }
        while pending.order.len() > MAX_PENDING_TRACES {
            if let Some(oldest) = pending.order.pop_front() {
                ready.push(pending.take(oldest, false));
            }
        }
        ready
    }

    fn drain(&self) {
        let rest: Vec<ReadyTrace> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            let order: Vec<TraceId> = pending.order.drain(..).collect();
            order.into_iter().map(|t| pending.take(t, false)).collect()
        };
        for trace in rest {
            self.print(&trace);
        }
    }

    fn print(&self, trace: &ReadyTrace) {
        let rendered = render_trace(
            &trace.spans,
            trace.dropped,
            trace.complete,
            &trace.with_event,
            MAX_PRINTED_DEPTH,
        );
        self.write(&rendered);
    }
}

impl SpanExporter for TreeExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        for trace in self.accept(batch) {
            self.print(&trace);
        }
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.drain();
        Ok(())
    }
}

/// Human duration as the console tree prints it: `812 µs`, `12 ms`, `1.21 s`.
pub fn format_duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 {
        format!("{micros} µs")
    } else if micros < 1_000_000 {
        format!("{} ms", micros / 1_000)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// A cost in US dollars as the console tree prints it: five decimals (`$0.00391`, `$1.20000`),
/// and below a tenth of a cent two significant digits, so small calls do not read as zero
/// (`$0.0000048`).
pub fn format_cost(usd: f64) -> String {
    if !usd.is_finite() || usd <= 0.0 || usd >= 0.001 {
        return format!("${usd:.5}");
    }
    // Digits after the point up to the first significant one, plus one more.
    let decimals = (-usd.log10()).ceil() as usize + 1;
    format!("${usd:.prec$}", prec = decimals.min(12))
}

fn duration(span: &SpanData) -> Duration {
    span.end_time
        .duration_since(span.start_time)
        .unwrap_or_default()
}

/// One line describing a span (without the tree prefix); `with_event`: it emitted an inference
/// log record.
fn describe(span: &SpanData, with_event: bool) -> String {
    let mut line = format!("{}  {}", span.name, format_duration(duration(span)));
    describe_usage(&mut line, span);
    describe_retry(&mut line, span);
    if let Some(Value::String(policy)) = attribute(span, ours::SAMPLING_POLICY) {
        let _ = write!(line, "  kept by {policy}");
    }
    describe_events(&mut line, span);
    if with_event {
        line.push_str("  ✉ event");
    }
    if let Status::Error { description } = &span.status {
        line.push_str("  ✗");
        if let Some(ty) = attribute(span, semconv::ERROR_TYPE) {
            let _ = write!(line, " error.type={}", ty.as_str());
        }
        if !description.is_empty() {
            let _ = write!(line, ": {description}");
        }
    }
    line
}

/// Tokens, time to first chunk and cost.
fn describe_usage(line: &mut String, span: &SpanData) {
    let input = int_attribute(span, semconv::GEN_AI_USAGE_INPUT_TOKENS);
    let output = int_attribute(span, semconv::GEN_AI_USAGE_OUTPUT_TOKENS);
    if input.is_some() || output.is_some() {
        let _ = write!(
            line,
            "  tokens {} in / {} out",
            input.unwrap_or(0),
            output.unwrap_or(0)
        );
    }
    if let Some(ttfc) = float_attribute(span, semconv::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) {
        let _ = write!(
            line,
            "  first chunk {}",
            format_duration(Duration::from_secs_f64(ttfc.max(0.0)))
        );
    }
    if let Some(cost) = float_attribute(span, ours::COST_USD) {
        let _ = write!(line, "  {}", format_cost(cost));
    }
    if matches!(attribute(span, ours::COST_UNKNOWN), Some(Value::Bool(true))) {
        line.push_str("  $?");
    }
}

/// The attempt number (past the first, or when failed) and a fallback model.
fn describe_retry(line: &mut String, span: &SpanData) {
    let failed = matches!(span.status, Status::Error { .. });
    if let Some(attempt) = int_attribute(span, ours::RETRY_ATTEMPT).filter(|a| *a > 1 || failed) {
        let _ = write!(line, "  attempt {attempt}");
    }
    if let Some(model) = attribute(span, ours::RETRY_MODEL_USED) {
        if matches!(
            attribute(span, ours::RETRY_FALLBACK_USED),
            Some(Value::Bool(true))
        ) {
            let _ = write!(line, "  ↪ fallback {}", model.as_str());
        }
    }
}

/// Loop flags, evaluations and llmtrace's other events.
fn describe_events(line: &mut String, span: &SpanData) {
    for event in span.events.iter() {
        let event_attr = |key: &str| {
            event
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == key)
                .map(|kv| kv.value.as_str())
        };
        if event.name == ours::AGENT_LOOP_DETECTED_EVENT {
            let _ = write!(
                line,
                "  ⚑ loop: {} ×{}",
                event_attr(semconv::GEN_AI_TOOL_NAME).unwrap_or_default(),
                event_attr(ours::AGENT_REPEAT_COUNT).unwrap_or_default()
            );
        } else if event.name == semconv::GEN_AI_EVALUATION_RESULT_EVENT {
            let _ = write!(
                line,
                "  ★ {}={}",
                event_attr(semconv::GEN_AI_EVALUATION_NAME).unwrap_or_default(),
                event_attr(semconv::GEN_AI_EVALUATION_SCORE_VALUE)
                    .or_else(|| event_attr(semconv::GEN_AI_EVALUATION_SCORE_LABEL))
                    .unwrap_or_default()
            );
        } else if event.name.starts_with("llmtrace.") {
            let _ = write!(line, "  ⚑ {}", event.name);
        }
    }
}

/// Renders the spans of one trace as the console tree [`TreeExporter`] prints: a summary line
/// (trace id, span count, duration, tokens, errors), then each root with its children, sorted
/// by start time.
///
/// `max_depth` limits the levels printed below a root (`Some(0)`: the roots only); deeper
/// subtrees are summarised as `… deeper spans not shown`. `complete`: the trace's root span was
/// seen (otherwise the summary line says it is incomplete). Returns an empty string for no
/// spans. This is what tools reading spans back (the `llmtrace` command line) use to print the
/// same tree as the embedded default.
pub fn render_spans(spans: &[SpanData], complete: bool, max_depth: Option<usize>) -> String {
    let depth = max_depth.map_or(MAX_PRINTED_DEPTH, |d| d.min(MAX_PRINTED_DEPTH));
    render_trace(spans, 0, complete, &HashSet::new(), depth)
}

/// Renders one trace as a tree; spans in `with_event` emitted an inference log record.
pub(crate) fn render_trace(
    spans: &[SpanData],
    dropped: usize,
    complete: bool,
    with_event: &HashSet<SpanId>,
    max_depth: usize,
) -> String {
    let Some(first) = spans.first() else {
        return String::new();
    };
    let ids: HashSet<SpanId> = spans.iter().map(|s| s.span_context.span_id()).collect();
    let mut children: HashMap<SpanId, Vec<&SpanData>> = HashMap::new();
    let mut roots = Vec::new();
    for span in spans {
        if ids.contains(&span.parent_span_id) {
            children.entry(span.parent_span_id).or_default().push(span);
        } else {
            roots.push(span);
        }
    }
    for list in children.values_mut() {
        list.sort_by_key(|s| s.start_time);
    }
    roots.sort_by_key(|s| s.start_time);

    let mut out = trace_header(first, spans, dropped, complete);
    let tree = Tree {
        children: &children,
        with_event,
        max_depth,
    };
    for root in roots {
        let marked = with_event.contains(&root.span_context.span_id());
        out.push_str(&describe(root, marked));
        out.push('\n');
        tree.render_children(&mut out, root, "", 0);
    }
    out
}

fn is_usage_rollup(span: &SpanData) -> bool {
    span.attributes
        .iter()
        .any(|kv| kv.key.as_str() == ours::USAGE_ROLLUP && kv.value == Value::Bool(true))
}

/// The trace's summary line: id, span count, duration, tokens, errors, what is missing.
fn trace_header(first: &SpanData, spans: &[SpanData], dropped: usize, complete: bool) -> String {
    // Spans whose usage is their children's, summed (an agent run's total), count once: there.
    let counted = spans.iter().filter(|s| !is_usage_rollup(s));
    let (input, output) = counted.fold((0i64, 0i64), |(i, o), s| {
        (
            i.saturating_add(int_attribute(s, semconv::GEN_AI_USAGE_INPUT_TOKENS).unwrap_or(0)),
            o.saturating_add(int_attribute(s, semconv::GEN_AI_USAGE_OUTPUT_TOKENS).unwrap_or(0)),
        )
    });
    let start = spans
        .iter()
        .map(|s| s.start_time)
        .min()
        .unwrap_or(first.start_time);
    let end = spans
        .iter()
        .map(|s| s.end_time)
        .max()
        .unwrap_or(first.end_time);
    let count = spans.len() + dropped;
    let mut out = format!(
        "\ntrace {} · {count} span{} · {}",
        first.span_context.trace_id(),
        if count == 1 { "" } else { "s" },
        format_duration(end.duration_since(start).unwrap_or_default())
    );
    if input > 0 || output > 0 {
        let _ = write!(out, " · tokens {input} in / {output} out");
    }
    let errors = spans
        .iter()
        .filter(|s| matches!(s.status, Status::Error { .. }))
        .count();
    if errors > 0 {
        let _ = write!(
            out,
            " · {errors} error{}",
            if errors == 1 { "" } else { "s" }
        );
    }
    if !complete {
        out.push_str(" · incomplete (root not seen)");
    }
    if dropped > 0 {
        let _ = write!(out, " · {dropped} spans not shown");
    }
    out.push('\n');
    out
}

/// Levels printed below a root; deeper subtrees are summarised (and recursion stays bounded).
const MAX_PRINTED_DEPTH: usize = 64;

/// The parent → children index of one trace, and its marked spans.
struct Tree<'a> {
    children: &'a HashMap<SpanId, Vec<&'a SpanData>>,
    with_event: &'a HashSet<SpanId>,
    /// Levels printed below a root.
    max_depth: usize,
}

impl Tree<'_> {
    fn render_children(&self, out: &mut String, span: &SpanData, prefix: &str, depth: usize) {
        let Some(list) = self.children.get(&span.span_context.span_id()) else {
            return;
        };
        if depth >= self.max_depth {
            let _ = writeln!(out, "{prefix}… deeper spans not shown");
            return;
        }
        for (i, child) in list.iter().enumerate() {
            let last = i + 1 == list.len();
            let marked = self.with_event.contains(&child.span_context.span_id());
            let _ = writeln!(
                out,
                "{prefix}{}{}",
                if last { "└─ " } else { "├─ " },
                describe(child, marked)
            );
            let deeper = format!("{prefix}{}", if last { "   " } else { "│  " });
            self.render_children(out, child, &deeper, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {

    use opentelemetry::trace::{SpanContext, TraceFlags, TraceState};
    use std::time::UNIX_EPOCH;

    use super::*;

    /// Span `id` under `parent` (0: a root), one millisecond per id.
    fn span(id: u64, parent: u64) -> SpanData {
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(7u128),
                SpanId::from(id),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: if parent == 0 {
                SpanId::INVALID
            } else {
                SpanId::from(parent)
            },
            parent_span_is_remote: false,
            span_kind: opentelemetry::trace::SpanKind::Internal,
            name: format!("span {id}").into(),
            start_time: at(id),
            end_time: at(id + 10),
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status: Status::Unset,
            instrumentation_scope: Default::default(),
        }
    }

    #[test]
    fn render_spans_draws_the_tree_to_the_depth_asked() {
        let spans = [span(1, 0), span(2, 1), span(3, 2), span(4, 1)];
        let full = render_spans(&spans, true, None);
        assert!(full.contains("span 1  10 ms\n├─ span 2  10 ms\n│  └─ span 3  10 ms\n└─ span 4"));
        assert!(!full.contains("deeper spans not shown"), "{full}");

        let one = render_spans(&spans, true, Some(1));
        assert!(
            one.contains("├─ span 2  10 ms\n│  … deeper spans not shown\n└─ span 4"),
            "{one}"
        );
        assert!(!one.contains("span 3"), "{one}");

        let roots = render_spans(&spans, false, Some(0));
        assert!(roots.contains("incomplete (root not seen)"), "{roots}");
        assert!(
            roots.contains("span 1  10 ms\n… deeper spans not shown\n"),
            "{roots}"
        );
        assert_eq!(render_spans(&[], true, None), "");
    }

    #[test]
    fn costs_below_a_tenth_of_a_cent_keep_two_significant_digits() {
        assert_eq!(format_cost(0.00391), "$0.00391");
        assert_eq!(format_cost(1.2), "$1.20000");
        assert_eq!(format_cost(0.0000048), "$0.0000048");
        assert_eq!(format_cost(0.00099), "$0.00099");
        assert_eq!(format_cost(0.000_000_000_000_1), "$0.000000000000");
        assert_eq!(format_cost(0.0), "$0.00000");
    }

    #[test]
    fn the_header_counts_an_agent_run_total_once() {
        use opentelemetry::KeyValue;
        let usage = |input: i64, output: i64| {
            vec![
                KeyValue::new(semconv::GEN_AI_USAGE_INPUT_TOKENS, input),
                KeyValue::new(semconv::GEN_AI_USAGE_OUTPUT_TOKENS, output),
            ]
        };
        let mut agent = span(1, 0);
        agent.attributes = usage(30, 7);
        agent
            .attributes
            .push(KeyValue::new(ours::USAGE_ROLLUP, true));
        let mut first = span(2, 1);
        first.attributes = usage(10, 2);
        let mut second = span(3, 1);
        second.attributes = usage(20, 5);
        let text = render_spans(&[agent, first, second], true, None);
        assert!(text.contains("tokens 30 in / 7 out\n"), "{text}");
    }
}
