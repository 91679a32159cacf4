//! `llmtrace`, the command line of llmtrace: prints the trees of OTLP-JSON trace files
//! (`view`), their calls, tokens, cost and latency (`stats`), the slow, failing, looping or
//! expensive traces (`find`), receives OTLP locally (`serve`) and validates configuration files
//! (`check-config`).

mod assembler;
mod check;
mod cli;
mod convert;
mod error;
mod find;
mod follow;
mod histogram;
mod input;
mod out;
mod progress;
mod render;
mod serve;
mod span;
mod stats;
mod style;
mod summary;
mod table;
mod timefmt;
mod view;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use error::CliError;
use style::Style;

/// Exit code when the command ran but some input could not be read.
const INPUT_ERRORS: u8 = 1;
/// Exit code when the command could not run.
const FAILED: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = Style::detect(cli.color);
    let result = match &cli.command {
        Command::View(args) => view::run(args, style),
        Command::Stats(args) => stats::run(args, style),
        Command::Find(args) => find::run(args, style),
        Command::Serve(args) => serve::run(args, style),
        Command::CheckConfig(args) => check::run(args, style),
    };
    match result {
        Ok(code) => code,
        Err(CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(FAILED)
        }
    }
}

/// Success, or [`INPUT_ERRORS`] when `errors` lines or files could not be read.
pub(crate) fn exit_code(errors: usize) -> ExitCode {
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(INPUT_ERRORS)
    }
}
