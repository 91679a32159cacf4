//! `check_config`: environment variables and a config file's text through
//! `llmtrace::config::check_config`, the parsing and validation `Builder::build` runs.
//!
//! Input (UTF-8, invalid bytes replaced): `NAME=value` lines, then a line `===`, then the config
//! file's text. Without the `===` line the whole input is the file and there are no variables.
//! Names not starting with `LLMTRACE_` or `OTEL_` are still passed (they feed the file's
//! `${env:NAME}` substitutions).
//!
//! Invariants:
//! 1. never panics, whatever the text (YAML of any shape, regexes, durations, numbers);
//! 2. every rejection is one of the three configuration errors (`Config`, `Redaction`,
//!    `Sampling`) with a message.
//!
//! One call per input: a call compiles the redaction rules (~10 ms in a release build), which
//! bounds the rate at a few dozen inputs per second.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llmtrace::config::check_config;
use llmtrace::InitError;

/// `Ok`, or the error's message; panics on anything but a configuration error.
fn verdict(vars: &[(String, String)], file: Option<&str>) -> Result<(), String> {
    match check_config(vars.iter().cloned(), file) {
        Ok(()) => Ok(()),
        Err(e @ (InitError::Config(_) | InitError::Redaction(_) | InitError::Sampling(_))) => {
            let message = e.to_string();
            assert!(!message.trim().is_empty(), "empty message for {e:?}");
            Err(message)
        }
        Err(other) => panic!("check_config returned a non-configuration error: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (vars_text, file) = match text.split_once("\n===\n") {
        Some((vars, file)) => (vars, Some(file)),
        None => ("", Some(text.as_ref())),
    };
    let vars: Vec<(String, String)> = vars_text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    verdict(&vars, file).ok();
});
