//! Settings read from the environment (`LLMTRACE_*` first, then the standard `OTEL_*`), with a
//! typed error naming the variable and the fix for every value that does not parse.
//!
//! [`check_config`] runs the same parsing and validation as [`Builder::build`](crate::Builder::build)
//! without setting anything up, e.g. in a deployment check or a `--check-config` flag.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use llmtrace_processor::redact::{RedactionConfig, RedactionError, Redactor};
use llmtrace_processor::sample::{SamplingConfigError, TailSamplingConfig};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::EnvFilter;

use crate::{CaptureMode, InitError};

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

/// The most OTLP export workers (`LLMTRACE_EXPORT_WORKERS`, `Builder::export_workers`).
pub(crate) const MAX_EXPORT_WORKERS: usize = 16;

/// Everything `init` reads from the environment; `None` means "not set".
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct EnvSettings {
    pub(crate) disabled: bool,
    pub(crate) service_name: Option<String>,
    pub(crate) resource_attributes: Vec<(String, String)>,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` as given: the signal paths are added once the protocol is
    /// known (code may set it), see [`EnvSettings::signal_endpoint`].
    pub(crate) endpoint_base: Option<String>,
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, used as given.
    pub(crate) traces_endpoint: Option<String>,
    /// `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, used as given.
    pub(crate) metrics_endpoint: Option<String>,
    /// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, used as given.
    pub(crate) logs_endpoint: Option<String>,
    pub(crate) metrics: Option<bool>,
    pub(crate) redaction: Option<bool>,
    pub(crate) shutdown_timeout: Option<Duration>,
    pub(crate) export_workers: Option<usize>,
    pub(crate) prices: Option<PathBuf>,
    pub(crate) protocol: Option<Protocol>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) sampler: Option<HeadSampler>,
    pub(crate) capture_content: Option<CaptureMode>,
    /// `OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT`: whether the inference log record is emitted
    /// (default: when the capture mode puts content in events).
    pub(crate) emit_event: Option<bool>,
    /// Values of variables shared with other languages' instrumentations that `build` replaces
    /// by a safe default (with a warning) and [`check_config`] reports.
    pub(crate) tolerated: Vec<ConfigError>,
    pub(crate) openinference: Option<bool>,
    pub(crate) console: Option<bool>,
    pub(crate) file: Option<PathBuf>,
    pub(crate) config_file: Option<PathBuf>,
}

/// First of the named variables that is set, with its name.
fn first(env: &dyn Env, names: &[&str]) -> Option<(String, String)> {
    names
        .iter()
        .find_map(|name| env.get(name).map(|v| ((*name).to_owned(), v)))
}

pub(crate) fn parse_bool(variable: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::invalid(variable, value, "use true or false")),
    }
}

pub(crate) fn parse_protocol(variable: &str, value: &str) -> Result<Protocol, ConfigError> {
    match value.trim() {
        "grpc" => Ok(Protocol::Grpc),
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        "http/json" => Err(ConfigError::invalid(
            variable,
            value,
            "http/json is not supported; use http/protobuf or grpc",
        )),
        _ => Err(ConfigError::invalid(
            variable,
            value,
            "use grpc or http/protobuf",
        )),
    }
}

/// Checks that an endpoint is an absolute http(s) URL with a host.
pub(crate) fn check_endpoint(variable: &str, value: &str) -> Result<String, ConfigError> {
    let trimmed = value.trim();
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| {
            ConfigError::invalid(
                variable,
                value,
                format!("the endpoint needs a scheme, e.g. http://{trimmed}"),
            )
        })?;
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(ConfigError::invalid(
            variable,
            value,
            "the endpoint needs a host, e.g. http://127.0.0.1:4317",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Parses a W3C-baggage-style list `k1=v1,k2=v2` with percent-encoded values, as
/// `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_RESOURCE_ATTRIBUTES` use.
pub(crate) fn parse_key_values(
    variable: &str,
    value: &str,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut pairs = Vec::new();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (key, val) = item.split_once('=').ok_or_else(|| {
            ConfigError::invalid(
                variable,
                value,
                format!("`{item}` has no `=`; write key=value pairs separated by commas"),
            )
        })?;
        let key = key.trim();
        if key.is_empty() {
            return Err(ConfigError::invalid(
                variable,
                value,
                format!("`{item}` has an empty key; write key=value pairs separated by commas"),
            ));
        }
        let val = percent_decode(val.trim()).ok_or_else(|| {
            ConfigError::invalid(
                variable,
                value,
                format!("`{item}` has a bad percent escape; encode `%` as %25"),
            )
        })?;
        pairs.push((key.to_owned(), val));
    }
    Ok(pairs)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn parse_ratio(variable: &str, arg: Option<&str>) -> Result<f64, ConfigError> {
    let Some(arg) = arg else { return Ok(1.0) };
    match arg.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(ConfigError::invalid(
            variable,
            arg,
            "use a number from 0 to 1, e.g. 0.1 for 10%",
        )),
    }
}

pub(crate) fn parse_sampler(value: &str, arg: Option<&str>) -> Result<HeadSampler, ConfigError> {
    const VAR: &str = "OTEL_TRACES_SAMPLER";
    const ARG: &str = "OTEL_TRACES_SAMPLER_ARG";
    Ok(match value.trim() {
        "always_on" => HeadSampler::AlwaysOn,
        "always_off" => HeadSampler::AlwaysOff,
        "traceidratio" => HeadSampler::TraceIdRatio(parse_ratio(ARG, arg)?),
        "parentbased_always_on" => HeadSampler::ParentBasedAlwaysOn,
        "parentbased_always_off" => HeadSampler::ParentBasedAlwaysOff,
        "parentbased_traceidratio" => HeadSampler::ParentBasedTraceIdRatio(parse_ratio(ARG, arg)?),
        _ => {
            return Err(ConfigError::invalid(
                VAR,
                value,
                "use always_on, always_off, traceidratio, parentbased_always_on, \
                 parentbased_always_off or parentbased_traceidratio",
            ))
        }
    })
}

/// Appends the signal path (`/v1/traces`, `/v1/metrics`) to a base endpoint for OTLP/HTTP, as
/// the exporter spec says.
pub(crate) fn http_signal_url(base: &str, signal: &str) -> String {
    format!("{}/v1/{signal}", base.trim_end_matches('/'))
}

/// An OTLP signal: what the per-signal endpoint variable and the HTTP path are named after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Traces,
    Metrics,
    Logs,
}

impl Signal {
    fn as_str(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
            Signal::Logs => "logs",
        }
    }
}

impl EnvSettings {
    /// The endpoint of one signal for `protocol` (the protocol after code and environment are
    /// merged): the per-signal variable as given, else the base endpoint, with `/v1/{signal}`
    /// added for OTLP/HTTP.
    pub(crate) fn signal_endpoint(&self, signal: Signal, protocol: Protocol) -> Option<String> {
        let given = match signal {
            Signal::Traces => &self.traces_endpoint,
            Signal::Metrics => &self.metrics_endpoint,
            Signal::Logs => &self.logs_endpoint,
        };
        given.clone().or_else(|| {
            self.endpoint_base.as_ref().map(|base| match protocol {
                Protocol::Grpc => base.clone(),
                Protocol::HttpProtobuf => http_signal_url(base, signal.as_str()),
            })
        })
    }

    /// Reads and validates every variable `init` uses.
    pub(crate) fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let mut s = EnvSettings::default();
        if let Some((var, v)) = first(env, &["LLMTRACE_DISABLED", "OTEL_SDK_DISABLED"]) {
            s.disabled = parse_bool(&var, &v)?;
        }
        s.service_name =
            first(env, &["LLMTRACE_SERVICE_NAME", "OTEL_SERVICE_NAME"]).map(|(_, v)| v);
        if let Some(v) = env.get("OTEL_RESOURCE_ATTRIBUTES") {
            s.resource_attributes = parse_key_values("OTEL_RESOURCE_ATTRIBUTES", &v)?;
        }
        if let Some((var, v)) = first(
            env,
            &[
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            ],
        ) {
            s.protocol = Some(parse_protocol(&var, &v)?);
        }
        for (var, slot) in [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &mut s.endpoint_base),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &mut s.traces_endpoint),
            (
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                &mut s.metrics_endpoint,
            ),
            ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", &mut s.logs_endpoint),
        ] {
            if let Some(v) = env.get(var) {
                *slot = Some(check_endpoint(var, &v)?);
            }
        }
        if let Some(v) = env.get("LLMTRACE_METRICS") {
            s.metrics = Some(parse_bool("LLMTRACE_METRICS", &v)?);
        }
        s.prices = env.get("LLMTRACE_PRICES").map(PathBuf::from);
        if let Some(v) = env.get("LLMTRACE_REDACTION") {
            s.redaction = Some(parse_bool("LLMTRACE_REDACTION", &v)?);
        }
        if let Some(v) = env.get("LLMTRACE_SHUTDOWN_TIMEOUT") {
            let ms = v.trim().parse::<u64>().map_err(|_| {
                ConfigError::invalid(
                    "LLMTRACE_SHUTDOWN_TIMEOUT",
                    &v,
                    "use a whole number of milliseconds, e.g. 5000",
                )
            })?;
            s.shutdown_timeout = Some(Duration::from_millis(ms));
        }
        if let Some(v) = env.get("LLMTRACE_EXPORT_WORKERS") {
            s.export_workers = Some(
                v.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_EXPORT_WORKERS).contains(n))
                    .ok_or_else(|| {
                        ConfigError::invalid(
                            "LLMTRACE_EXPORT_WORKERS",
                            &v,
                            format!("use a whole number from 1 to {MAX_EXPORT_WORKERS}, e.g. 4"),
                        )
                    })?,
            );
        }
        for var in [
            "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        ] {
            if let Some(v) = env.get(var) {
                s.headers.extend(parse_key_values(var, &v)?);
            }
        }
        if let Some((var, v)) = first(
            env,
            &[
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
                "OTEL_EXPORTER_OTLP_TIMEOUT",
            ],
        ) {
            let ms = v.trim().parse::<u64>().map_err(|_| {
                ConfigError::invalid(&var, &v, "use a whole number of milliseconds, e.g. 10000")
            })?;
            s.timeout = Some(Duration::from_millis(ms));
        }
        if let Some(v) = env.get("OTEL_TRACES_SAMPLER") {
            s.sampler = Some(parse_sampler(
                &v,
                env.get("OTEL_TRACES_SAMPLER_ARG").as_deref(),
            )?);
        }
        if let Some((var, v)) = first(
            env,
            &[
                "LLMTRACE_CAPTURE_CONTENT",
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
            ],
        ) {
            match CaptureMode::parse_var(&var, &v) {
                Ok(mode) => s.capture_content = Some(mode),
                Err(e) => s.tolerated.push(e),
            }
        }
        if let Some(v) = env.get("OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT") {
            match parse_bool("OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT", &v) {
                Ok(on) => s.emit_event = Some(on),
                Err(e) => s.tolerated.push(e),
            }
        }
        if let Some(v) = env.get("LLMTRACE_OPENINFERENCE") {
            s.openinference = Some(parse_bool("LLMTRACE_OPENINFERENCE", &v)?);
        }
        if let Some(v) = env.get("LLMTRACE_CONSOLE") {
            s.console = Some(parse_bool("LLMTRACE_CONSOLE", &v)?);
        }
        s.file = env.get("LLMTRACE_FILE").map(PathBuf::from);
        s.config_file = env.get("LLMTRACE_CONFIG").map(PathBuf::from);
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn empty_environment_means_defaults() {
        assert_eq!(EnvSettings::from_env(&env(&[])), Ok(EnvSettings::default()));
    }

    #[test]
    fn http_base_endpoint_gets_the_signal_path_and_grpc_does_not() {
        let traces = |pairs: &[(&str, &str)], protocol| {
            EnvSettings::from_env(&env(pairs)).map(|s| s.signal_endpoint(Signal::Traces, protocol))
        };
        let base = [("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/")];
        assert_eq!(
            traces(&base, Protocol::HttpProtobuf),
            Ok(Some("http://127.0.0.1:4318/v1/traces".into()))
        );
        assert_eq!(
            traces(&base, Protocol::Grpc),
            Ok(Some("http://127.0.0.1:4318/".into()))
        );
        let s = EnvSettings::from_env(&env(&base)).expect("valid");
        assert_eq!(
            s.signal_endpoint(Signal::Logs, Protocol::HttpProtobuf),
            Some("http://127.0.0.1:4318/v1/logs".into())
        );
        assert_eq!(
            s.signal_endpoint(Signal::Metrics, Protocol::HttpProtobuf),
            Some("http://127.0.0.1:4318/v1/metrics".into())
        );
        let given = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:1"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:2/custom"),
        ];
        assert_eq!(
            traces(&given, Protocol::HttpProtobuf),
            Ok(Some("http://b:2/custom".into()))
        );
    }

    #[test]
    fn capture_values_of_other_languages_are_tolerated_and_reported() {
        for value in [
            "no_content",
            "span_only",
            "event_only",
            "span_and_event",
            "true",
            "false",
        ] {
            let s = EnvSettings::from_env(&env(&[(
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
                value,
            )]))
            .expect("valid");
            assert_eq!(
                s.capture_content,
                Some(value.parse().expect("a mode")),
                "{value}"
            );
            assert!(s.tolerated.is_empty(), "{value}");
        }
        let s = EnvSettings::from_env(&env(&[
            (
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
                "yes please",
            ),
            ("OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT", "sometimes"),
        ]))
        .expect("tolerated, not fatal");
        assert_eq!(s.capture_content, None);
        assert_eq!(s.emit_event, None);
        let variables: Vec<_> = s
            .tolerated
            .iter()
            .map(|e| match e {
                ConfigError::InvalidValue { variable, .. } => variable.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            variables,
            [
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
                "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"
            ]
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let cases = [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "udp"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "authorization"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "a=%zz"),
            ("OTEL_RESOURCE_ATTRIBUTES", "=x"),
            ("OTEL_TRACES_SAMPLER", "sometimes"),
            ("OTEL_SDK_DISABLED", "maybe"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
            ("LLMTRACE_EXPORT_WORKERS", "0"),
            ("LLMTRACE_EXPORT_WORKERS", "17"),
            ("LLMTRACE_EXPORT_WORKERS", "four"),
        ];
        for (var, value) in cases {
            match EnvSettings::from_env(&env(&[(var, value)])) {
                Err(ConfigError::InvalidValue { variable, .. }) => assert_eq!(variable, var),
                other => panic!("{var}={value}: expected an error, got {other:?}"),
            }
        }
        let err = EnvSettings::from_env(&env(&[
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
        ]));
        assert!(
            matches!(err, Err(ConfigError::InvalidValue { variable, .. }) if variable == "OTEL_TRACES_SAMPLER_ARG")
        );
    }

    #[test]
    fn export_workers_are_read_within_their_bounds() {
        let workers = |v: &str| {
            EnvSettings::from_env(&env(&[("LLMTRACE_EXPORT_WORKERS", v)]))
                .expect("valid")
                .export_workers
        };
        assert_eq!(workers("1"), Some(1));
        assert_eq!(workers(" 16 "), Some(16));
        assert_eq!(
            EnvSettings::from_env(&env(&[]))
                .expect("valid")
                .export_workers,
            None
        );
    }

    #[test]
    fn headers_and_resource_attributes_are_percent_decoded() {
        let s = EnvSettings::from_env(&env(&[
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "authorization=Basic%20abc, x-project-name=demo",
            ),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=dev,team=a%2Cb",
            ),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
        ]));
        let s = s.expect("valid");
        assert_eq!(
            s.headers,
            vec![
                ("authorization".into(), "Basic abc".into()),
                ("x-project-name".into(), "demo".into())
            ]
        );
        assert_eq!(s.resource_attributes[1], ("team".into(), "a,b".into()));
        assert_eq!(s.sampler, Some(HeadSampler::ParentBasedTraceIdRatio(0.25)));
    }

    #[test]
    fn llmtrace_variables_take_precedence_over_otel_ones() {
        let s = EnvSettings::from_env(&env(&[
            ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true"),
            ("LLMTRACE_CAPTURE_CONTENT", "false"),
            ("OTEL_SERVICE_NAME", "a"),
            ("LLMTRACE_SERVICE_NAME", "b"),
        ]))
        .expect("valid");
        assert_eq!(s.capture_content, Some(CaptureMode::NoContent));
        assert_eq!(s.service_name.as_deref(), Some("b"));
    }
}

/// The processor sections of an `LLMTRACE_CONFIG` YAML file, with `${env:VAR:-default}` /
/// `${VAR}` references already replaced.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FileConfig {
    /// The whole document (the redaction section is read from it).
    pub(crate) document: String,
    /// The `tail_sampling:` section body, if present.
    pub(crate) tail_sampling: Option<String>,
}

/// Keys a config file may hold at the top level.
const FILE_SECTIONS: &[&str] = &["redaction", "tail_sampling"];

impl FileConfig {
    pub(crate) fn read(path: &std::path::Path, env: &dyn Env) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        FileConfig::parse_file(path, &text, env)
    }

    /// [`parse`](Self::parse), its error naming the file `path`.
    pub(crate) fn parse_file(
        path: &std::path::Path,
        text: &str,
        env: &dyn Env,
    ) -> Result<Self, ConfigError> {
        FileConfig::parse(text, env).map_err(|message| ConfigError::File {
            path: path.to_owned(),
            message,
        })
    }

    pub(crate) fn parse(text: &str, env: &dyn Env) -> Result<Self, String> {
        let document = substitute_env(text, env)?;
        let value: serde_norway::Value =
            serde_norway::from_str(&document).map_err(|e| e.to_string())?;
        let mapping = match &value {
            serde_norway::Value::Mapping(m) => m.clone(),
            serde_norway::Value::Null => serde_norway::Mapping::new(),
            _ => {
                return Err(
                    "the file must be a mapping with `redaction:` and/or `tail_sampling:`".into(),
                )
            }
        };
        for key in mapping.keys() {
            let name = key.as_str().unwrap_or_default();
            if !FILE_SECTIONS.contains(&name) {
                return Err(format!(
                    "unknown section `{name}`; the sections are {}",
                    FILE_SECTIONS.join(", ")
                ));
            }
        }
        let tail_sampling = match mapping.get("tail_sampling") {
            None | Some(serde_norway::Value::Null) => None,
            Some(section) => Some(serde_norway::to_string(section).map_err(|e| e.to_string())?),
        };
        Ok(FileConfig {
            document,
            tail_sampling,
        })
    }
}

/// Replaces `${env:VAR}`, `${env:VAR:-default}`, `${VAR}` and `${VAR:-default}` as the
/// OpenTelemetry Collector does, so one file serves both; `$$` is a literal `$`.
pub(crate) fn substitute_env(text: &str, env: &dyn Env) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in `{}`", excerpt(&rest[at..], 40)))?;
            let reference = &body[..end];
            let reference = reference.strip_prefix("env:").unwrap_or(reference);
            let (name, default) = match reference.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (reference, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`${{{reference}}}` is not a variable reference"));
            }
            out.push_str(
                &env.get(name)
                    .or(default.map(str::to_owned))
                    .unwrap_or_default(),
            );
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// At most the first `max_bytes` of `text`, cut at a char boundary.
fn excerpt(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Targets whose own spans would loop back into the exporter; never traced. Appended to the
/// `LLMTRACE_LOG` directives.
pub(crate) const QUIET_TARGETS: &str =
    "h2=off,hyper=off,hyper_util=off,tonic=off,tower=off,reqwest=off,\
     opentelemetry=off,opentelemetry_sdk=off,opentelemetry_otlp=off";

/// Targets whose events llmtrace already records in structure (retries as attempt spans,
/// failures as the span's status and exception event); their events do not become span events
/// unless `LLMTRACE_SPAN_EVENTS` names them.
pub(crate) const QUIET_EVENT_TARGETS: &[&str] = &["async_openai"];

/// The `tracing` filter from `LLMTRACE_LOG` (default `info`) plus [`QUIET_TARGETS`]: which
/// spans (and events) reach OpenTelemetry.
pub(crate) fn log_filter(env: &dyn Env) -> Result<EnvFilter, ConfigError> {
    let directives = env.get("LLMTRACE_LOG");
    EnvFilter::try_new(format!(
        "{},{QUIET_TARGETS}",
        directives.as_deref().unwrap_or("info")
    ))
    .map_err(|e| {
        ConfigError::invalid(
            "LLMTRACE_LOG",
            directives.as_deref().unwrap_or_default(),
            format!("use tracing filter directives such as `info` or `my_app=debug` ({e})"),
        )
    })
}

/// The targets from `LLMTRACE_SPAN_EVENTS` (default `info`), with [`QUIET_EVENT_TARGETS`] off
/// unless named: which of the `tracing` events inside a traced span become span events (`off`:
/// none). Target and level directives only (`info`, `warn,my_app=debug`), no span-field ones.
pub(crate) fn span_event_filter(env: &dyn Env) -> Result<Targets, ConfigError> {
    const VARIABLE: &str = "LLMTRACE_SPAN_EVENTS";
    let given = env.get(VARIABLE);
    let mut targets: Targets = given.as_deref().unwrap_or("info").parse().map_err(|e| {
        ConfigError::invalid(
            VARIABLE,
            given.as_deref().unwrap_or_default(),
            format!("use target and level directives such as `info` or `warn,my_app=debug` ({e})"),
        )
    })?;
    for quiet in QUIET_EVENT_TARGETS {
        if !targets.iter().any(|(target, _)| target == *quiet) {
            targets = targets.with_target(*quiet, LevelFilter::OFF);
        }
    }
    Ok(targets)
}

/// The redaction policy from the environment and the config file, when none is set in code:
/// `None` when `LLMTRACE_REDACTION=false`, else the file's `redaction:` section (or the
/// defaults) overlaid with the `LLMTRACE_REDACTION_*` variables. Not compiled yet.
pub(crate) fn redaction_from_env(
    settings: &EnvSettings,
    file: Option<&FileConfig>,
    env: &dyn Env,
) -> Result<Option<RedactionConfig>, RedactionError> {
    if settings.redaction == Some(false) {
        return Ok(None);
    }
    let mut config = match file {
        Some(file) => RedactionConfig::from_yaml_document(&file.document)?,
        None => RedactionConfig::default(),
    };
    config.apply_env_with(|name| env.get(name))?;
    Ok(Some(config))
}

/// The tail-sampling policy from the environment and the config file, when none is set in
/// code: the `LLMTRACE_SAMPLING_*` variables if any is set, else the file's `tail_sampling:`
/// section, else `None` (off). Not validated yet.
pub(crate) fn tail_sampling_from_env(
    file: Option<&FileConfig>,
    env: &dyn Env,
) -> Result<Option<TailSamplingConfig>, SamplingConfigError> {
    if let Some(config) = TailSamplingConfig::from_env_vars(|name| env.get(name))? {
        return Ok(Some(config));
    }
    file.and_then(|f| f.tail_sampling.as_deref())
        .map(TailSamplingConfig::from_yaml_str)
        .transpose()
}

/// Checks a configuration the way [`Builder::build`](crate::Builder::build) does, without
/// setting anything up: no exporter, thread, file or global subscriber.
///
/// `vars` are the environment variables (`LLMTRACE_*`, `OTEL_*`; others are ignored, empty
/// values count as unset), `file_text` the contents of the `LLMTRACE_CONFIG` file, if any.
/// Runs the same parsing as `build` — every variable, `${env:VAR:-default}` substitution in the
/// file, its `redaction:` and `tail_sampling:` sections overlaid with the
/// `LLMTRACE_REDACTION_*` / `LLMTRACE_SAMPLING_*` variables, the `LLMTRACE_LOG` filter — and
/// then compiles the redaction rules and the tail-sampling policies as `build` would. Unlike
/// `build`, it also compiles them when `OTEL_SDK_DISABLED=true`, so a policy can be checked
/// before it is switched on. Paths (`LLMTRACE_CONFIG`, `LLMTRACE_FILE`, `LLMTRACE_PRICES`) are
/// not opened: read the config file yourself and pass its text.
///
/// Returns the error `build` would return: [`InitError::Config`], [`InitError::Redaction`] or
/// [`InitError::Sampling`], naming the variable or key and the fix. Never panics. It is stricter
/// than `build` in one respect: a value of a variable llmtrace shares with other languages'
/// instrumentations (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`,
/// `OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT`) that it does not know is an error here, where
/// `build` warns and records no content rather than failing the host's start-up.
///
/// ```
/// use llmtrace::config::check_config;
///
/// let vars = [("OTEL_EXPORTER_OTLP_PROTOCOL".to_owned(), "grpc".to_owned())];
/// let file = "
/// redaction:
///   detectors: { ip_address: false }
/// tail_sampling:
///   policies:
///     - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
///     - {name: sampled, type: probabilistic, probabilistic: {sampling_percentage: ${env:PCT:-10}}}
/// ";
/// check_config(vars, Some(file))?;
///
/// let vars = [("OTEL_EXPORTER_OTLP_PROTOCOL".to_owned(), "udp".to_owned())];
/// let err = check_config(vars, None).expect_err("udp is not an OTLP protocol");
/// assert!(err.to_string().contains("OTEL_EXPORTER_OTLP_PROTOCOL"), "{err}");
/// # Ok::<(), llmtrace::InitError>(())
/// ```
///
/// Checking the process environment and the file it names:
///
/// ```no_run
/// let vars: Vec<(String, String)> = std::env::vars_os()
///     .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
///     .collect();
/// let file = match std::env::var("LLMTRACE_CONFIG") {
///     Ok(path) => Some(std::fs::read_to_string(path)?),
///     Err(_) => None,
/// };
/// llmtrace::config::check_config(vars, file.as_deref())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_config(
    vars: impl IntoIterator<Item = (String, String)>,
    file_text: Option<&str>,
) -> Result<(), InitError> {
    let env: BTreeMap<String, String> = vars.into_iter().collect();
    let settings = EnvSettings::from_env(&env)?;
    if let Some(tolerated) = settings.tolerated.first() {
        return Err(tolerated.clone().into());
    }
    let file = match file_text {
        Some(text) => {
            let path = settings
                .config_file
                .clone()
                .unwrap_or_else(|| PathBuf::from("LLMTRACE_CONFIG"));
            Some(FileConfig::parse_file(&path, text, &env)?)
        }
        None => None,
    };
    let redaction = redaction_from_env(&settings, file.as_ref(), &env)?;
    let tail_sampling = tail_sampling_from_env(file.as_ref(), &env)?;
    log_filter(&env)?;
    span_event_filter(&env)?;
    if let Some(config) = &tail_sampling {
        config.validate()?;
    }
    if let Some(config) = &redaction {
        Redactor::new(config)?;
    }
    Ok(())
}

#[cfg(test)]
mod file_tests {
    use super::tests::env;

    #[test]
    fn an_unclosed_reference_before_multibyte_text_is_an_error_not_a_panic() {
        // Found by the `check_config` fuzz target: the message's excerpt cut a char in two.
        let text = format!("a: ${{env:{}", "\u{fffd}".repeat(20));
        let err = substitute_env(&text, &env(&[])).expect_err("unclosed");
        assert!(err.starts_with("unclosed `${`"), "{err}");
        assert_eq!(excerpt("ab\u{fffd}", 3), "ab");
    }
    use super::*;

    #[test]
    fn references_are_substituted_like_the_collector_does() {
        let e = env(&[("PCT", "25")]);
        assert_eq!(
            substitute_env(
                "a: ${env:PCT:-10} b: ${MISSING:-x} c: ${PCT} d: $$5 e: $x",
                &e
            ),
            Ok("a: 25 b: x c: 25 d: $5 e: $x".to_owned())
        );
        assert!(substitute_env("a: ${oops", &e).is_err());
        assert!(substitute_env("a: ${no spaces}", &e).is_err());
    }

    #[test]
    fn unknown_sections_are_errors_and_sections_are_split() {
        let err = FileConfig::parse("redactoin: {}", &env(&[])).expect_err("typo");
        assert!(err.contains("redactoin"), "{err}");
        let file = FileConfig::parse(
            "redaction: {summary: debug}\ntail_sampling:\n  policies: []\n",
            &env(&[]),
        )
        .expect("valid");
        assert!(file.tail_sampling.expect("section").contains("policies"));
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const FILE: &str = "
redaction:
  summary: debug
  custom_rules:
    - {name: employee_id, pattern: 'EMP-[0-9]{6}'}
tail_sampling:
  decision_wait: ${env:WAIT:-10s}
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
";

    #[test]
    fn valid_configurations_pass() {
        assert!(check_config(vars(&[]), None).is_ok());
        assert!(check_config(vars(&[]), Some("")).is_ok());
        assert!(check_config(vars(&[("WAIT", "2s")]), Some(FILE)).is_ok());
        let all = vars(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
            ("LLMTRACE_LOG", "info,my_app=debug"),
            ("LLMTRACE_REDACTION_DISABLED_DETECTORS", "ip_address,phone"),
            ("LLMTRACE_SAMPLING_PERCENTAGE", "25"),
            ("UNRELATED", "ignored"),
        ]);
        assert!(check_config(all, Some(FILE)).is_ok());
    }

    #[test]
    fn each_kind_of_mistake_is_a_typed_error_naming_it() {
        // (variables, config file, what the message must name)
        type Case<'a> = (Vec<(String, String)>, Option<&'a str>, &'a str);
        let cases: Vec<Case<'_>> = vec![
            (
                vars(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "udp")]),
                None,
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            ),
            (vars(&[("LLMTRACE_LOG", "a=b=c")]), None, "LLMTRACE_LOG"),
            (
                vars(&[("LLMTRACE_CONFIG", "/etc/llmtrace.yaml")]),
                Some("redactoin: {}"),
                "/etc/llmtrace.yaml",
            ),
            (vars(&[]), Some("a: ${oops"), "LLMTRACE_CONFIG"),
            (
                vars(&[]),
                Some("redaction: {blocked_values: ['(']}"),
                "blocked_values[0]",
            ),
            (
                vars(&[("LLMTRACE_REDACTION_SUMMARY", "loud")]),
                None,
                "loud",
            ),
            (vars(&[]), Some("tail_sampling: {policies: []}"), "policies"),
            (
                vars(&[("LLMTRACE_SAMPLING_PERCENTAGE", "150")]),
                None,
                "LLMTRACE_SAMPLING_PERCENTAGE",
            ),
        ];
        for (vars, file, needle) in cases {
            let err = check_config(vars.clone(), file)
                .expect_err(&format!("{vars:?} / {file:?} should be rejected"));
            let message = err.to_string();
            assert!(message.contains(needle), "{message} does not name {needle}");
            match err {
                InitError::Config(_) | InitError::Redaction(_) | InitError::Sampling(_) => {}
                other => panic!("unexpected error kind {other:?}"),
            }
        }
    }

    #[test]
    fn switched_off_redaction_is_not_compiled_but_disabled_tracing_still_is() {
        let bad = Some("redaction: {blocked_values: ['(']}");
        assert!(check_config(vars(&[("LLMTRACE_REDACTION", "false")]), bad).is_ok());
        assert!(check_config(vars(&[("OTEL_SDK_DISABLED", "true")]), bad).is_err());
    }

    #[test]
    fn sampling_variables_take_precedence_over_the_file_section() {
        let file = Some("tail_sampling: {policies: []}");
        assert!(check_config(vars(&[]), file).is_err());
        assert!(check_config(vars(&[("LLMTRACE_SAMPLING_PERCENTAGE", "5")]), file).is_ok());
    }
}
