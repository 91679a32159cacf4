//! Helpers of the command's integration tests: running `llmtrace`, and the OTLP-JSON lines the
//! workspace's examples write.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use llmtrace_test_support::examples::run_example;

/// The `llmtrace` binary under test.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_llmtrace"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    cmd
}

/// Runs `llmtrace args…` to completion.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("llmtrace runs")
}

/// Runs `llmtrace args… --json`, expecting success, and parses its output.
pub fn json(args: &[&str]) -> serde_json::Value {
    let out = bin()
        .args(args)
        .arg("--json")
        .output()
        .expect("llmtrace runs");
    assert!(
        out.status.success(),
        "llmtrace {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// A fresh, empty scratch directory of its own for each call: tests run in parallel, so two
/// calls with the same `name` never share (or empty) one directory.
pub fn scratch(name: &str) -> PathBuf {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("llmtrace-cli")
        .join(format!("{name}-{call}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The OTLP-JSON lines the agent example writes with `LLMTRACE_FILE` (written once).
pub fn agent_jsonl() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = scratch("agent").join("agent.jsonl");
        let file = path.to_str().expect("UTF-8 path");
        let (out, _) = run_example(
            "agent",
            &[("LLMTRACE_FILE", file)],
            Duration::from_secs(120),
        );
        assert!(
            out.status.success(),
            "agent example failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        path
    })
}

/// The text of a path, for arguments.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}
