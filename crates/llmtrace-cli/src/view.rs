//! `llmtrace view`: the console tree of each trace, newest first. Two passes over the files
//! keep memory bounded: the first summarises every trace (a few hundred bytes each) to pick the
//! newest, the second keeps the spans of those only.

use std::collections::HashMap;
use std::process::ExitCode;

use opentelemetry::trace::TraceId;

use crate::cli::ViewArgs;
use crate::error::CliError;
use crate::input::{read_files, ReadOptions};
use crate::out::{print, print_json};
use crate::render::TraceSpans;
use crate::style::Style;
use crate::summary::{Summaries, TraceSummary};

/// Runs the command.
pub(crate) fn run(args: &ViewArgs, style: Style) -> Result<ExitCode, CliError> {
    if args.follow {
        return crate::follow::run(args, style);
    }
    let input = &args.input;
    let mut options = ReadOptions {
        progress: !input.quiet,
        report_errors: true,
    };
    let mut summaries = Summaries::default();
    let report = read_files(&input.files, options, |spans| {
        spans.iter().for_each(|s| summaries.add(s));
    });
    let selected = select(summaries.newest_first(), args.trace.as_deref(), args.limit)?;
    let mut traces: HashMap<TraceId, TraceSpans> = selected
        .iter()
        .map(|id| (*id, TraceSpans::default()))
        .collect();
    options.report_errors = false;
    read_files(&input.files, options, |spans| {
        for span in spans {
            if let Some(trace) = traces.get_mut(&span.trace_id()) {
                trace.push(span);
            }
        }
    });
    let ordered = selected
        .iter()
        .filter_map(|id| traces.remove(id))
        .filter(|t| !t.spans.is_empty());
    if input.json {
        let list: Vec<_> = ordered.map(|t| t.json(args.depth)).collect();
        print_json(&list)?;
    } else {
        let mut printed = 0;
        for trace in ordered {
            print(&style.tree(&trace.tree(args.depth)))?;
            printed += 1;
        }
        if printed == 0 {
            eprintln!("no traces in the input");
        }
    }
    Ok(crate::exit_code(report.errors))
}

/// The traces to print: the one asked for, or the newest `limit` (0: all).
fn select(
    newest_first: Vec<TraceSummary>,
    wanted: Option<&str>,
    limit: usize,
) -> Result<Vec<TraceId>, CliError> {
    let Some(wanted) = wanted else {
        let take = if limit == 0 { usize::MAX } else { limit };
        return Ok(newest_first.iter().take(take).map(|s| s.trace_id).collect());
    };
    let wanted = wanted.to_ascii_lowercase();
    let matching: Vec<TraceId> = newest_first
        .iter()
        .map(|s| s.trace_id)
        .filter(|id| id.to_string().starts_with(&wanted))
        .collect();
    match matching.len() {
        0 => Err(CliError::Usage(format!("no trace {wanted} in the input"))),
        1 => Ok(matching),
        n => Err(CliError::Usage(format!(
            "{n} traces start with {wanted}; give more of the id"
        ))),
    }
}
