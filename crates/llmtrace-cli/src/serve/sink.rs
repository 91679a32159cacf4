//! Where received requests go: the OTLP-JSON lines file, and the assembler that prints each
//! trace once complete.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::sync::Mutex;
use std::time::Instant;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use crate::assembler::Assembler;
use crate::cli::ServeArgs;
use crate::convert::spans_of;
use crate::error::CliError;
use crate::out::print;
use crate::render::TraceSpans;
use crate::style::Style;

/// Shared by the gRPC and HTTP receivers.
#[derive(Debug)]
pub(super) struct Sink {
    assembler: Mutex<Assembler>,
    out: Option<Mutex<BufWriter<File>>>,
    depth: Option<usize>,
    style: Style,
}

impl Sink {
    /// Opens the `--out` file, if any.
    pub(super) fn new(args: &ServeArgs, style: Style) -> Result<Self, CliError> {
        let out = match &args.out {
            Some(path) => {
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|source| CliError::Io {
                        what: "cannot open",
                        path: path.clone(),
                        source,
                    })?;
                Some(Mutex::new(BufWriter::new(file)))
            }
            None => None,
        };
        Ok(Sink {
            assembler: Mutex::new(Assembler::new(args.quiet)),
            out,
            depth: args.depth,
            style,
        })
    }

    /// Takes one export request: appends it to the file, gathers its spans.
    pub(super) fn receive(&self, request: ExportTraceServiceRequest) {
        if let Some(out) = &self.out {
            self.append(out, &request);
        }
        let (spans, skipped) = spans_of(request);
        if skipped > 0 {
            eprintln!("warning: {skipped} spans with malformed ids skipped");
        }
        let evicted = self
            .assembler
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .add(spans, Instant::now());
        self.show(evicted);
    }

    fn append(&self, out: &Mutex<BufWriter<File>>, request: &ExportTraceServiceRequest) {
        let line = match serde_json::to_string(request) {
            Ok(line) => line,
            Err(e) => return eprintln!("warning: cannot encode a request as JSON: {e}"),
        };
        let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            eprintln!("warning: cannot write the --out file: {e}");
        }
    }

    /// Prints the traces complete by now.
    pub(super) fn tick(&self) {
        let ready = self
            .assembler
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ready(Instant::now());
        self.show(ready);
    }

    /// Prints every waiting trace (at shutdown).
    pub(super) fn flush(&self) {
        let all = self
            .assembler
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain();
        self.show(all);
    }

    fn show(&self, traces: Vec<TraceSpans>) {
        for trace in traces {
            if let Err(e) = print(&self.style.tree(&trace.tree(self.depth))) {
                eprintln!("warning: {e}");
            }
        }
    }
}
