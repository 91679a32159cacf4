//! Settings read from the environment (`LLMTRACE_*` first, then the standard `OTEL_*`), with a
//! typed error naming the variable and the fix for every value that does not parse.
//!
//! [`check_config`] runs the same parsing and validation as [`Builder::build`](crate::Builder::build)
//! without setting anything up, e.g. in a deployment check or a `--check-config` flag.
//!
//! Inside: `env.rs` reads the variables into one value, `file.rs` reads the `LLMTRACE_CONFIG`
//! file, `collector/` reads it when it is an OpenTelemetry Collector configuration,
//! `policies.rs` turns both into the `tracing` filters and the stages of the processor chain
//! (redaction, tail sampling, attribute actions), `check.rs` runs all of it without building
//! anything.

mod check;
pub(crate) mod collector;
mod env;
mod file;
mod policies;

pub use check::check_config;
pub(crate) use env::{check_endpoint, check_export_workers, http_signal_url, EnvSettings, Signal};
pub(crate) use file::FileConfig;
pub(crate) use policies::{log_filter, span_event_filter, stages, Stage};

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP over gRPC (tonic); the usual port is 4317.
    Grpc,
    /// OTLP over HTTP with protobuf bodies; the usual port is 4318, the path `/v1/traces`.
    HttpProtobuf,
}

impl Protocol {
    /// The value as `OTEL_EXPORTER_OTLP_PROTOCOL` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpProtobuf => "http/protobuf",
        }
    }
}

/// Compression of OTLP request bodies (`OTEL_EXPORTER_OTLP_COMPRESSION`,
/// [`Builder::compression`](crate::Builder::compression), a collector exporter's `compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Bodies are sent as they are (the default).
    #[default]
    None,
    /// gzip: `Content-Encoding: gzip` over HTTP, where each batch is compressed once at level 1
    /// (fast) and a retry resends the same bytes; `grpc-encoding: gzip` over gRPC, where tonic
    /// compresses each message at its fixed level 6.
    Gzip,
}

impl Compression {
    /// The value as `OTEL_EXPORTER_OTLP_COMPRESSION` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
        }
    }
}

/// Which OTLP span exporter sends the traces (`LLMTRACE_OTLP_TRACE_EXPORTER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TraceExporter {
    /// llmtrace's: each batch encoded once to protobuf bytes (`direct`, the default).
    #[default]
    Direct,
    /// opentelemetry-otlp's (`opentelemetry-otlp`), for comparing the two; `https` endpoints
    /// always use it.
    OpentelemetryOtlp,
}

/// The head sampler chosen by `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HeadSampler {
    /// Record every trace.
    AlwaysOn,
    /// Record nothing.
    AlwaysOff,
    /// Record a fraction of traces, chosen by trace id.
    TraceIdRatio(f64),
    /// Follow the parent's decision; roots always on.
    ParentBasedAlwaysOn,
    /// Follow the parent's decision; roots always off.
    ParentBasedAlwaysOff,
    /// Follow the parent's decision; roots by trace-id ratio.
    ParentBasedTraceIdRatio(f64),
}

/// A configuration value that could not be used.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A variable holds a value outside its set.
    #[error("{variable}={value:?} is not valid: {fix}")]
    InvalidValue {
        /// The variable (or configuration key).
        variable: String,
        /// The value found.
        value: String,
        /// What to write instead.
        fix: String,
    },
    /// The configuration file could not be read or parsed.
    #[error("configuration file {path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong, naming the key where known.
        message: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(variable: &str, value: &str, fix: impl Into<String>) -> Self {
        ConfigError::InvalidValue {
            variable: variable.to_owned(),
            value: value.to_owned(),
            fix: fix.into(),
        }
    }
}

/// Reads variables; a seam so tests can supply their own environment.
pub(crate) trait Env {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub(crate) struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Env for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        BTreeMap::get(self, name)
            .cloned()
            .filter(|v| !v.trim().is_empty())
    }
}

#[cfg(test)]
pub(crate) mod test_env {
    use std::collections::BTreeMap;

    /// An environment of the given variables.
    pub(crate) fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }
}
