//! `llmtrace find`: the traces matching every criterion given, one line each with why they
//! matched; `--tree` prints their trees too (a second pass keeps only their spans).

use std::collections::HashMap;
use std::process::ExitCode;

use opentelemetry::trace::TraceId;
use serde::Serialize;

use llmtrace::export::{format_cost, format_duration};

use crate::cli::FindArgs;
use crate::error::CliError;
use crate::input::{read_files, ReadOptions};
use crate::out::{print, print_json};
use crate::render::TraceSpans;
use crate::style::Style;
use crate::summary::{cost_text, ErrorSpan, LoopFlag, Summaries, TraceSummary};
use crate::timefmt::rfc3339;

/// Error spans named in a text line.
const ERRORS_SHOWN: usize = 3;

/// A matching trace in `--json` output.
#[derive(Debug, Serialize)]
struct Found {
    trace_id: String,
    root: Option<String>,
    service: Option<String>,
    start: String,
    duration_ms: f64,
    cost_usd: Option<f64>,
    unpriced_calls: usize,
    spans: usize,
    errors: Vec<ErrorSpan>,
    loops: Vec<LoopFlag>,
    models: Vec<String>,
    matched: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tree: Option<String>,
}

/// Runs the command.
pub(crate) fn run(args: &FindArgs, style: Style) -> Result<ExitCode, CliError> {
    if !has_criterion(args) {
        return Err(CliError::Usage(
            "give a criterion: --slow, --errors, --loops, --cost-above, --model or --attr"
                .to_owned(),
        ));
    }
    let input = &args.input;
    let mut options = ReadOptions {
        progress: !input.quiet,
        report_errors: true,
    };
    let mut summaries = Summaries::with_attrs(args.attr.clone());
    let report = read_files(&input.files, options, |spans| {
        spans.iter().for_each(|s| summaries.add(s));
    });
    let found: Vec<(TraceSummary, Vec<String>)> = summaries
        .newest_first()
        .into_iter()
        .filter_map(|s| reasons(&s, args).map(|r| (s, r)))
        .collect();
    let mut trees: HashMap<TraceId, TraceSpans> = HashMap::new();
    if args.tree {
        trees = found
            .iter()
            .map(|(s, _)| (s.trace_id, TraceSpans::default()))
            .collect();
        options.report_errors = false;
        read_files(&input.files, options, |spans| {
            for span in spans {
                if let Some(trace) = trees.get_mut(&span.trace_id()) {
                    trace.push(span);
                }
            }
        });
    }
    if input.json {
        let list: Vec<Found> = found
            .into_iter()
            .map(|(s, r)| {
                let tree = trees.get(&s.trace_id).map(|t| t.tree(None));
                found_json(s, r, tree)
            })
            .collect();
        print_json(&list)?;
    } else {
        if found.is_empty() {
            eprintln!("no trace matches");
        }
        for (summary, why) in &found {
            print(&line(summary, why, style))?;
            if let Some(trace) = trees.get(&summary.trace_id) {
                print(&style.tree(&trace.tree(None)))?;
            }
        }
    }
    Ok(crate::exit_code(report.errors))
}

fn has_criterion(args: &FindArgs) -> bool {
    args.slow.is_some()
        || args.errors
        || args.loops
        || args.cost_above.is_some()
        || args.model.is_some()
        || !args.attr.is_empty()
}

/// Why the trace matches every criterion, or `None` when one fails.
fn reasons(s: &TraceSummary, args: &FindArgs) -> Option<Vec<String>> {
    let mut why = Vec::new();
    if let Some(limit) = args.slow {
        if s.duration() < limit {
            return None;
        }
        why.push(format!("slow: {}", format_duration(s.duration())));
    }
    if args.errors {
        if s.error_count == 0 {
            return None;
        }
        why.push(errors_reason(s));
    }
    if args.loops {
        let first = s.loops.first()?;
        let mut text = format!("loop: {}", first.tool);
        if let Some(n) = first.repeats {
            text.push_str(&format!(" ×{n}"));
        }
        why.push(text);
    }
    if let Some(limit) = args.cost_above {
        let cost = s.spend.priced_cost().filter(|c| *c > limit)?;
        why.push(format!("cost {} > ${limit}", format_cost(cost)));
    }
    if let Some(model) = &args.model {
        if !s.models.contains(model) {
            return None;
        }
        why.push(format!("model {model}"));
    }
    for (i, (key, value)) in args.attr.iter().enumerate() {
        if i >= 64 || s.attr_matches & (1 << i) == 0 {
            return None;
        }
        why.push(format!("{key}={value}"));
    }
    Some(why)
}

fn errors_reason(s: &TraceSummary) -> String {
    let named: Vec<String> = s
        .errors
        .iter()
        .take(ERRORS_SHOWN)
        .map(|e| match &e.error_type {
            Some(ty) => format!("{} {ty}", e.span),
            None => e.span.clone(),
        })
        .collect();
    let more = if s.error_count > named.len() {
        ", …"
    } else {
        ""
    };
    format!(
        "{} error{}: {}{more}",
        s.error_count,
        if s.error_count == 1 { "" } else { "s" },
        named.join(", ")
    )
}

fn line(s: &TraceSummary, why: &[String], style: Style) -> String {
    format!(
        "{}  {}  {}  {}  {}\n",
        style.dim(&s.trace_id.to_string()),
        style.bold(s.root.as_deref().unwrap_or("(root not seen)")),
        format_duration(s.duration()),
        cost_text(s.spend.priced_cost(), s.spend.unpriced_calls),
        style.yellow(&why.join("; "))
    )
}

fn found_json(s: TraceSummary, matched: Vec<String>, tree: Option<String>) -> Found {
    Found {
        trace_id: s.trace_id.to_string(),
        start: rfc3339(s.start),
        duration_ms: s.duration().as_secs_f64() * 1e3,
        cost_usd: s.spend.priced_cost(),
        unpriced_calls: s.spend.unpriced_calls,
        spans: s.spans,
        root: s.root,
        service: s.service,
        errors: s.errors,
        loops: s.loops,
        models: s.models,
        matched,
        tree,
    }
}
