//! The sustained rate with the receiver in **another process**: what a collector on another
//! machine would see, except that here it shares the two cores.
//!
//! `stress --sustained` starts `stress --receive` as a child. The child serves the count-only
//! OTLP/gRPC receiver on 127.0.0.1, writes its endpoint as its first line of output, and then
//! answers each `count` line on its standard input with the number of spans received so far;
//! it exits when its standard input closes. The parent offers rising fixed rates through the
//! full default chain (cost → redaction → batch → OTLP gRPC) and prints, as its last line,
//! `sustained <N> spans/s, lost 0`: the highest rate the host threads achieved (never more
//! than the offered one) in a run in which every span arrived.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use super::{exporter_name, receiver_runtime, serve_count_only, Load, SpanCount};

/// Offered rates, spans/s, in rising order; the runs stop at the first one that loses spans.
const RATES: [u64; 9] = [
    50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 400_000, 500_000, 600_000,
];
/// How long each rate is offered.
const SECONDS: u64 = 3;
/// Host threads that end spans.
const THREADS: u64 = 2;

type Error = Box<dyn std::error::Error>;

/// `stress --receive`: the child side.
pub(crate) fn receive() -> Result<(), Error> {
    let runtime = receiver_runtime()?;
    let (endpoint, counter) = serve_count_only(&runtime)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{endpoint}")?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        if line?.trim() == "count" {
            writeln!(out, "{}", counter.get())?;
            out.flush()?;
        }
    }
    runtime.shutdown_background();
    Ok(())
}

/// The receiver child, asked for its count over its standard input and output.
struct RemoteReceiver {
    child: Child,
    pipes: Mutex<(ChildStdin, BufReader<ChildStdout>)>,
    endpoint: String,
}

impl RemoteReceiver {
    fn start() -> Result<Self, Error> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--receive")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err("the receiver's pipes are missing".into());
        };
        let mut stdout = BufReader::new(stdout);
        let mut endpoint = String::new();
        stdout.read_line(&mut endpoint)?;
        let endpoint = endpoint.trim().to_owned();
        if !endpoint.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            return Err(format!("the receiver did not start: {endpoint:?}").into());
        }
        Ok(Self {
            child,
            pipes: Mutex::new((stdin, stdout)),
            endpoint,
        })
    }

    fn ask(&self) -> Result<u64, Error> {
        let mut pipes = self.pipes.lock().map_err(|_| "receiver pipes poisoned")?;
        let (stdin, stdout) = &mut *pipes;
        writeln!(stdin, "count")?;
        stdin.flush()?;
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        Ok(line.trim().parse()?)
    }
}

impl SpanCount for RemoteReceiver {
    /// A receiver that stopped answering counts nothing more, so its spans show as lost.
    fn count(&self) -> u64 {
        self.ask().unwrap_or(0)
    }
}

impl Drop for RemoteReceiver {
    fn drop(&mut self) {
        // Closing its standard input ends the child; kill it if it does not go.
        if let Ok(mut pipes) = self.pipes.lock() {
            let _ = pipes.0.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `stress --sustained`: the parent side.
pub(crate) fn sustained() -> Result<(), Error> {
    let receiver = RemoteReceiver::start()?;
    println!(
        "OTLP trace exporter: {}; receiver: count only, in process {}\n",
        exporter_name(),
        receiver.child.id()
    );
    println!(
        "| chain | offered spans/s | spans | host time | achieved spans/s | received | lost | until all exported |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    // The highest rate the host threads achieved (spans over the time they took to end them,
    // which exceeds the offered time when they cannot keep pace) in a run that lost nothing.
    let mut sustained: Option<u64> = None;
    for rate in RATES {
        let run = Load {
            endpoint: &receiver.endpoint,
            counter: &receiver,
            redaction: true,
            threads: THREADS,
            spans: rate * SECONDS,
            rate: Some(rate),
        }
        .run()?;
        let missing = run.spans.saturating_sub(run.received).max(run.lost);
        let achieved = (run.spans as f64 / run.host.as_secs_f64()).min(rate as f64) as u64;
        println!(
            "| cost → redact → batch → OTLP gRPC | {rate} | {} | {:.2} s | {achieved} | {} | {missing} | {:.2} s |",
            run.spans,
            run.host.as_secs_f64(),
            run.received,
            run.total.as_secs_f64()
        );
        if missing > 0 {
            break;
        }
        sustained = sustained.max(Some(achieved));
    }
    match sustained {
        Some(rate) => println!("sustained {rate} spans/s, lost 0"),
        None => println!("sustained none: {} spans/s already lost spans", RATES[0]),
    }
    Ok(())
}
