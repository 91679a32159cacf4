//! Reading OTLP-JSON lines files (what `LLMTRACE_FILE` and the collector's `file` exporter
//! write) line by line, in bounded memory: each line is decoded, its spans handed on, and
//! malformed lines reported with their number while the rest of the file is still read.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use crate::convert::spans_of;
use crate::error::InputError;
use crate::progress::Progress;
use crate::span::Span;

/// Input errors printed per file; later ones are only counted.
const MAX_PRINTED_ERRORS: usize = 20;

/// What reading the inputs found wrong.
#[derive(Debug, Default)]
pub(crate) struct ReadReport {
    /// Lines or files that could not be read.
    pub(crate) errors: usize,
}

/// How to read the inputs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadOptions {
    /// A progress line may be drawn on standard error.
    pub(crate) progress: bool,
    /// Errors are printed (off for a second pass over the same files).
    pub(crate) report_errors: bool,
}

/// Reads every file in turn, handing each line's spans to `sink`; errors go to standard error.
pub(crate) fn read_files(
    paths: &[PathBuf],
    options: ReadOptions,
    mut sink: impl FnMut(Vec<Span>),
) -> ReadReport {
    let mut report = ReadReport::default();
    for path in paths {
        match File::open(path) {
            Ok(file) => {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                let label = path.display().to_string();
                let mut progress = Progress::new(&label, size, options.progress);
                let mut lines = LineReader::new(path, BufReader::new(file));
                lines.quiet = !options.report_errors;
                report.errors += lines.read_to_end(&mut progress, &mut sink);
            }
            Err(source) => {
                if options.report_errors {
                    eprintln!("{}", InputError::open(path, source));
                }
                report.errors += 1;
            }
        }
    }
    report
}

/// Decodes lines of one file, remembering the line number and a partial last line.
pub(crate) struct LineReader<R> {
    path: PathBuf,
    reader: R,
    line_no: usize,
    buf: Vec<u8>,
    printed: usize,
    quiet: bool,
}

impl<R> std::fmt::Debug for LineReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineReader")
            .field("path", &self.path)
            .field("line_no", &self.line_no)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead> LineReader<R> {
    /// Reads `reader`, naming `path` in errors.
    pub(crate) fn new(path: &Path, reader: R) -> Self {
        LineReader {
            path: path.to_path_buf(),
            reader,
            line_no: 0,
            buf: Vec::new(),
            printed: 0,
            quiet: false,
        }
    }

    /// Reads to the end of the file; returns the number of errors.
    fn read_to_end(&mut self, progress: &mut Progress, sink: &mut impl FnMut(Vec<Span>)) -> usize {
        let mut errors = 0;
        loop {
            match self.next_complete_line(true) {
                Ok(Some(bytes)) => {
                    progress.advance(bytes as u64);
                    errors += self.decode(sink);
                }
                Ok(None) => break,
                Err(e) => {
                    self.report(&e);
                    errors += 1;
                    break;
                }
            }
        }
        if !self.quiet && self.printed < errors {
            eprintln!(
                "{}: {} more errors not shown",
                self.path.display(),
                errors - self.printed
            );
        }
        errors
    }

    /// Reads whatever complete lines are available now (for following a growing file); a
    /// partial last line is kept for the next call. Returns the number of errors.
    pub(crate) fn read_available(&mut self, sink: &mut impl FnMut(Vec<Span>)) -> usize {
        let mut errors = 0;
        loop {
            match self.next_complete_line(false) {
                Ok(Some(_)) => errors += self.decode(sink),
                Ok(None) => return errors,
                Err(e) => {
                    self.report(&e);
                    return errors + 1;
                }
            }
        }
    }

    /// Reads the next line into `buf`; `Ok(None)` at the end. A last line without a newline
    /// counts as complete only when `at_end_is_complete`.
    fn next_complete_line(
        &mut self,
        at_end_is_complete: bool,
    ) -> Result<Option<usize>, InputError> {
        loop {
            let before = self.buf.len();
            let read = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| InputError::read(&self.path, self.line_no + 1, e))?;
            if self.buf.ends_with(b"\n")
                || (at_end_is_complete && read == 0 && !self.buf.is_empty())
            {
                self.line_no += 1;
                return Ok(Some(self.buf.len()));
            }
            if read == 0 || self.buf.len() == before {
                return Ok(None);
            }
        }
    }

    /// Decodes the line in `buf` and clears it; returns 1 on error.
    fn decode(&mut self, sink: &mut impl FnMut(Vec<Span>)) -> usize {
        let result = parse_line(&self.buf);
        self.buf.clear();
        match result {
            Ok(Some(request)) => {
                let (spans, skipped) = spans_of(request);
                sink(spans);
                if skipped > 0 {
                    self.report(&InputError::line(
                        &self.path,
                        self.line_no,
                        format!("{skipped} spans with malformed trace or span ids skipped"),
                    ));
                    return 1;
                }
                0
            }
            Ok(None) => 0,
            Err(message) => {
                self.report(&InputError::line(&self.path, self.line_no, message));
                1
            }
        }
    }

    fn report(&mut self, error: &InputError) {
        if !self.quiet && self.printed < MAX_PRINTED_ERRORS {
            self.printed += 1;
            eprintln!("{error}");
        }
    }
}

/// One line: an OTLP trace request, `None` for a blank line or a logs/metrics line.
pub(crate) fn parse_line(bytes: &[u8]) -> Result<Option<ExportTraceServiceRequest>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !contains(bytes, b"\"resourceSpans\"") {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
        if object.contains_key("resourceLogs") || object.contains_key("resourceMetrics") {
            return Ok(None);
        }
        return Err("not an OTLP-JSON trace line (no `resourceSpans`)".to_owned());
    }
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| format!("malformed OTLP JSON: {e}"))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"root"}]}]}]}"#;

    #[test]
    fn lines_are_traces_blank_or_skipped_signals() {
        assert!(parse_line(LINE.as_bytes()).expect("valid").is_some());
        assert!(parse_line(b"  \n").expect("blank").is_none());
        assert!(parse_line(br#"{"resourceLogs":[]}"#)
            .expect("logs")
            .is_none());
        assert!(parse_line(br#"{"resourceMetrics":[]}"#)
            .expect("metrics")
            .is_none());
        let err = parse_line(br#"{"other":1}"#).expect_err("not OTLP");
        assert!(err.contains("resourceSpans"), "{err}");
        let err = parse_line(br#"{"resourceSpans": 3}"#).expect_err("wrong shape");
        assert!(err.starts_with("malformed OTLP JSON"), "{err}");
        assert!(parse_line(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn a_partial_last_line_waits_when_following() {
        let text = format!("{LINE}\n{}", &LINE[..20]);
        let mut reader = LineReader::new(Path::new("t.jsonl"), text.as_bytes());
        let mut spans = 0;
        let errors = reader.read_available(&mut |s| spans += s.len());
        assert_eq!((spans, errors, reader.line_no), (1, 0, 1));
        assert_eq!(reader.buf.len(), 20, "the partial line is kept");
    }

    #[test]
    fn read_to_end_counts_bad_lines_and_goes_on() {
        let text = format!("{LINE}\nnot json\n{LINE}");
        let mut reader = LineReader::new(Path::new("t.jsonl"), text.as_bytes());
        reader.quiet = true;
        let mut spans = 0;
        let mut progress = Progress::new("t", 0, false);
        let errors = reader.read_to_end(&mut progress, &mut |s| spans += s.len());
        assert_eq!((spans, errors), (2, 1));
    }
}
