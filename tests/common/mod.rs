//! What the real-collector tests share: the `LLMTRACE_BACKENDS` gate, the paths under
//! `target/backends/`, free ports, and the collector process (killed on drop).

use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

pub(crate) fn enabled(test: &str) -> bool {
    if std::env::var("LLMTRACE_BACKENDS").as_deref() == Ok("1") {
        return true;
    }
    let _ = writeln!(
        std::io::stderr(),
        "{test}: SKIPPED — real-collector test; run `bash .ci/install-backends.sh` and set \
         LLMTRACE_BACKENDS=1 to run it (CI does)"
    );
    false
}

pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn backends_dir() -> PathBuf {
    std::env::var_os("LLMTRACE_BACKENDS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target").join("backends"))
}

/// The collector binary; its absence fails the test with what its build said.
pub(crate) fn collector_bin() -> PathBuf {
    let bin = backends_dir().join("otelcol-llmtrace");
    if !bin.exists() {
        let why = fs::read_to_string(backends_dir().join("otelcol-llmtrace.error"))
            .unwrap_or_else(|_| "no build was attempted".to_owned());
        panic!(
            "the collector built from collector/builder-config.yaml is missing at {} — \
             `bash .ci/install-backends.sh` builds it. Its build said:\n{why}",
            bin.display()
        );
    }
    bin
}

/// A fresh directory under `target/backends/run/`.
pub(crate) fn fresh_dir(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = backends_dir()
        .join("run")
        .join(format!("{name}-{}-{nanos}", std::process::id()));
    fs::create_dir_all(&dir).expect("create a run directory");
    dir
}

pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// The collector, killed on drop; its log is read before.
pub(crate) struct Collector {
    child: Child,
    log: PathBuf,
}

impl Collector {
    pub(crate) fn start(
        config: &Path,
        overlays: &[&str],
        env: &[(String, String)],
        dir: &Path,
        grpc_port: u16,
    ) -> Self {
        let log = dir.join("collector.log");
        let out = fs::File::create(&log).expect("collector log");
        let mut cmd = Command::new(collector_bin());
        cmd.arg("--config").arg(config);
        for overlay in overlays {
            cmd.arg("--config").arg(overlay);
        }
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log handle"))
            .stderr(out);
        let child = cmd.spawn().expect("the collector starts");
        let collector = Collector { child, log };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", grpc_port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the collector did not listen within 60 s:\n{}",
                collector.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        collector
    }

    pub(crate) fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        // The collector starts no other process: killing the child itself is enough.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
