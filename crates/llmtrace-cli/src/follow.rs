//! `llmtrace view -f`: follows growing files, printing each trace once it is complete (its
//! root arrived and no span came for a moment), in the order they complete.

use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::assembler::Assembler;
use crate::cli::ViewArgs;
use crate::error::CliError;
use crate::input::LineReader;
use crate::out::print;
use crate::render::TraceSpans;
use crate::style::Style;

/// How often the files are polled for new lines.
const POLL: Duration = Duration::from_millis(250);
/// A followed trace is complete this long after its last span, once its root arrived.
const QUIET: Duration = Duration::from_millis(500);

/// Follows the files until interrupted.
pub(crate) fn run(args: &ViewArgs, style: Style) -> Result<ExitCode, CliError> {
    let mut readers = Vec::new();
    for path in &args.input.files {
        let file = File::open(path).map_err(|source| CliError::Io {
            what: "cannot open",
            path: path.clone(),
            source,
        })?;
        readers.push(LineReader::new(path, BufReader::new(file)));
    }
    let wanted = args.trace.as_deref().map(str::to_ascii_lowercase);
    let mut assembler = Assembler::new(QUIET);
    loop {
        let now = Instant::now();
        let mut batch = Vec::new();
        for reader in &mut readers {
            reader.read_available(&mut |spans| batch.extend(spans));
        }
        let mut done = assembler.add(batch, now);
        done.extend(assembler.ready(now));
        for trace in done {
            if wanted
                .as_ref()
                .is_none_or(|w| trace_id_of(&trace).starts_with(w))
            {
                show(&trace, args, style)?;
            }
        }
        std::thread::sleep(POLL);
    }
}

fn trace_id_of(trace: &TraceSpans) -> String {
    trace
        .spans
        .first()
        .map(|s| s.trace_id().to_string())
        .unwrap_or_default()
}

fn show(trace: &TraceSpans, args: &ViewArgs, style: Style) -> Result<(), CliError> {
    if args.input.json {
        let text = serde_json::to_string(&trace.json(args.depth))
            .map_err(|e| CliError::Output(std::io::Error::other(e)))?;
        print(&format!("{text}\n"))
    } else {
        print(&style.tree(&trace.tree(args.depth)))
    }
}
