//! Building and running the example binaries of the workspace root package (`examples/`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The workspace root: this crate sits at `crates/llmtrace-test-support` below it.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("llmtrace-test-support lives two levels below the workspace root")
        .to_path_buf()
}

/// Builds (if needed) and returns the path of an example binary of the workspace root
/// package. The binary is looked for next to the running test binary, in the same target
/// directory.
pub fn example_bin(name: &str) -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", name])
        .current_dir(workspace_root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building example {name} failed");
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop(); // deps/
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "example binary not found at {}",
        path.display()
    );
    path
}

/// Runs an example with only the given variables set (plus `PATH`), returning its output and
/// how long it took; fails the test if it runs longer than `limit`.
pub fn run_example(name: &str, env: &[(&str, &str)], limit: Duration) -> (Output, Duration) {
    let mut cmd = Command::new(example_bin(name));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run = run_bounded(&mut cmd, limit);
    assert!(
        !run.killed,
        "example {name} still running after {limit:?}\nstderr:\n{}",
        String::from_utf8_lossy(&run.output.stderr)
    );
    (run.output, run.elapsed)
}

/// What [`run_bounded`] saw.
#[derive(Debug)]
pub struct BoundedRun {
    /// Exit status and everything the process wrote.
    pub output: Output,
    /// How long it ran.
    pub elapsed: Duration,
    /// Whether it was killed for running past its limit.
    pub killed: bool,
}

/// Runs `cmd` with no standard input and its output piped, until it exits or `limit` passes
/// (then it is killed). Its stdout and stderr are read on their own threads while it runs, so
/// a process that writes more than a pipe holds never blocks on it.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> BoundedRun {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("the process starts");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            killed = true;
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    BoundedRun {
        output,
        elapsed,
        killed,
    }
}
