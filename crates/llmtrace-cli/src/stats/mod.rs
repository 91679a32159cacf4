//! `llmtrace stats`: calls, errors, tokens, cost and latency per model, per operation and
//! optionally per service, session, user or tool, and the top traces by cost and duration.

mod aggregate;
mod text;

use std::process::ExitCode;

use crate::cli::StatsArgs;
use crate::error::CliError;
use crate::input::{read_files, ReadOptions};
use crate::out::print_json;
use crate::style::Style;
use aggregate::{Stats, StatsJson};

/// Runs the command.
pub(crate) fn run(args: &StatsArgs, style: Style) -> Result<ExitCode, CliError> {
    let options = ReadOptions {
        progress: !args.input.quiet,
        report_errors: true,
    };
    let mut stats = Stats::new(args.by);
    let report = read_files(&args.input.files, options, |spans| {
        spans.iter().for_each(|s| stats.add(s));
    });
    let traces = std::mem::take(&mut stats.summaries).newest_first();
    if args.input.json {
        print_json(&StatsJson::of(&stats, &traces, args.top))?;
    } else {
        text::print_stats(&stats, &traces, args.top, style)?;
    }
    Ok(crate::exit_code(report.errors))
}
