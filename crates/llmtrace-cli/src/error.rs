//! The command line's errors: input that cannot be read, and command failures.

use std::path::{Path, PathBuf};

/// A file or a line of it that could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    /// The file could not be opened.
    #[error("error: cannot open {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Reading failed part-way.
    #[error("error: {path}:{line}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The line being read.
        line: usize,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not OTLP JSON.
    #[error("error: {path}:{line}: {message}")]
    Line {
        /// The file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl InputError {
    pub(crate) fn open(path: &Path, source: std::io::Error) -> Self {
        InputError::Open {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn read(path: &Path, line: usize, source: std::io::Error) -> Self {
        InputError::Read {
            path: path.to_path_buf(),
            line,
            source,
        }
    }

    pub(crate) fn line(path: &Path, line: usize, message: String) -> Self {
        InputError::Line {
            path: path.to_path_buf(),
            line,
            message,
        }
    }
}

/// A command that could not run at all.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// A command-line value is wrong.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A server could not start.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// Writing the output failed (a closed pipe is not an error).
    #[error("writing the output: {0}")]
    Output(std::io::Error),
}
