//! Building and running the example binaries of the workspace root package (`examples/`).

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
    let bin = example_bin(name);
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("example starts");
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "example {name} still running after {limit:?}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    (child.wait_with_output().expect("output"), elapsed)
}
