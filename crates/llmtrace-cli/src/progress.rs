//! A one-line progress indicator on standard error for long reads on a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Files smaller than this are read without a progress line.
const MIN_BYTES: u64 = 16 * 1024 * 1024;
/// Redraw at most this often.
const REDRAW: Duration = Duration::from_millis(200);

/// Progress through one file; draws only on a terminal, for large files.
#[derive(Debug)]
pub(crate) struct Progress {
    label: String,
    total: u64,
    done: u64,
    last: Option<Instant>,
    enabled: bool,
}

impl Progress {
    /// Progress through `total` bytes of `label`; `allowed`: the command may draw at all.
    pub(crate) fn new(label: &str, total: u64, allowed: bool) -> Self {
        Progress {
            label: label.to_owned(),
            total,
            done: 0,
            last: None,
            enabled: allowed && total >= MIN_BYTES && std::io::stderr().is_terminal(),
        }
    }

    /// `bytes` more were read.
    pub(crate) fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.last = Some(Instant::now());
        let percent = self.done.saturating_mul(100) / self.total.max(1);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kreading {} {percent:>3}% ({} / {} MiB)",
            self.label,
            self.done >> 20,
            self.total >> 20
        );
        let _ = err.flush();
    }

    /// Clears the line.
    pub(crate) fn finish(&mut self) {
        if self.enabled && self.last.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
        self.enabled = false;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
