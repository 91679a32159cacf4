//! `llmtrace check-config`: validates a configuration file with [`llmtrace::check_config`],
//! the parsing and validation `init()` runs, and exits non-zero when it is wrong (for CI).

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::CheckConfigArgs;
use crate::error::CliError;
use crate::out::{print, print_json};
use crate::style::Style;

/// `check-config --json`.
#[derive(Debug, Serialize)]
struct CheckJson {
    file: String,
    valid: bool,
    /// The error and its causes, outermost first.
    errors: Vec<String>,
}

/// Runs the command: exit 0 when valid, 1 when not.
pub(crate) fn run(args: &CheckConfigArgs, style: Style) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(&args.file).map_err(|source| CliError::Io {
        what: "cannot read",
        path: args.file.clone(),
        source,
    })?;
    let file = args.file.display().to_string();
    let mut vars: Vec<(String, String)> = if args.no_env {
        Vec::new()
    } else {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("LLMTRACE_") || k.starts_with("OTEL_"))
            .collect()
    };
    // The file is named in the messages as the LLMTRACE_CONFIG it would be.
    vars.retain(|(k, _)| k != "LLMTRACE_CONFIG");
    vars.push(("LLMTRACE_CONFIG".to_owned(), file.clone()));
    let errors = match llmtrace::check_config(vars, Some(&text)) {
        Ok(()) => Vec::new(),
        Err(e) => chain(&e),
    };
    let valid = errors.is_empty();
    if args.json {
        print_json(&CheckJson {
            file,
            valid,
            errors,
        })?;
    } else if valid {
        print(&format!("{}: {file} is valid\n", style.bold("ok")))?;
    } else {
        let mut text = format!("{}: {file}: {}\n", style.red("error"), errors[0]);
        for cause in &errors[1..] {
            text.push_str(&format!("  caused by: {cause}\n"));
        }
        print(&text)?;
    }
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The error's message and its sources' (those not already part of it).
fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.iter().any(|o| o.contains(&text)) {
            out.push(text);
        }
        source = cause.source();
    }
    out
}
