//! Every variable `init` reads, parsed and validated into [`EnvSettings`].

use std::path::PathBuf;
use std::time::Duration;

use super::{Compression, ConfigError, Env, HeadSampler, Protocol, TraceExporter};
use crate::CaptureMode;

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
    /// `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION` or `OTEL_EXPORTER_OTLP_COMPRESSION`.
    pub(crate) compression: Option<Compression>,
    /// `LLMTRACE_OTLP_TRACE_EXPORTER`.
    pub(crate) trace_exporter: Option<TraceExporter>,
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

/// `gzip` or `none`, as every OpenTelemetry SDK reads the compression variables.
pub(crate) fn parse_compression(variable: &str, value: &str) -> Result<Compression, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "gzip" => Ok(Compression::Gzip),
        "none" | "" => Ok(Compression::None),
        _ => Err(ConfigError::invalid(variable, value, "use gzip or none")),
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
        s.read_service(env)?;
        s.read_exporter(env)?;
        s.read_processing(env)?;
        s.read_content(env);
        s.read_local(env)?;
        Ok(s)
    }

    /// On/off, the service and its resource.
    fn read_service(&mut self, env: &dyn Env) -> Result<(), ConfigError> {
        self.disabled =
            read_bool(env, &["LLMTRACE_DISABLED", "OTEL_SDK_DISABLED"])?.unwrap_or(false);
        self.service_name =
            first(env, &["LLMTRACE_SERVICE_NAME", "OTEL_SERVICE_NAME"]).map(|(_, v)| v);
        if let Some(v) = env.get("OTEL_RESOURCE_ATTRIBUTES") {
            self.resource_attributes = parse_key_values("OTEL_RESOURCE_ATTRIBUTES", &v)?;
        }
        Ok(())
    }

    /// The OTLP exporter: protocol, endpoints (raw), headers, timeout, workers.
    fn read_exporter(&mut self, env: &dyn Env) -> Result<(), ConfigError> {
        const PROTOCOL: &[&str] = &[
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ];
        if let Some((var, v)) = first(env, PROTOCOL) {
            self.protocol = Some(parse_protocol(&var, &v)?);
        }
        for (var, slot) in [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &mut self.endpoint_base),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                &mut self.traces_endpoint,
            ),
            (
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                &mut self.metrics_endpoint,
            ),
            ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", &mut self.logs_endpoint),
        ] {
            if let Some(v) = env.get(var) {
                *slot = Some(check_endpoint(var, &v)?);
            }
        }
        for var in [
            "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        ] {
            if let Some(v) = env.get(var) {
                self.headers.extend(parse_key_values(var, &v)?);
            }
        }
        const TIMEOUT: &[&str] = &[
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TIMEOUT",
        ];
        self.timeout = read_millis(env, TIMEOUT, "10000")?;
        const COMPRESSION: &[&str] = &[
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
            "OTEL_EXPORTER_OTLP_COMPRESSION",
        ];
        if let Some((var, v)) = first(env, COMPRESSION) {
            self.compression = Some(parse_compression(&var, &v)?);
        }
        if let Some(v) = env.get("LLMTRACE_EXPORT_WORKERS") {
            self.export_workers = Some(check_export_workers("LLMTRACE_EXPORT_WORKERS", &v)?);
        }
        if let Some(v) = env.get("LLMTRACE_OTLP_TRACE_EXPORTER") {
            self.trace_exporter = Some(match v.trim() {
                "direct" => TraceExporter::Direct,
                "opentelemetry-otlp" => TraceExporter::OpentelemetryOtlp,
                _ => {
                    return Err(ConfigError::invalid(
                        "LLMTRACE_OTLP_TRACE_EXPORTER",
                        &v,
                        "use direct or opentelemetry-otlp",
                    ))
                }
            });
        }
        Ok(())
    }

    /// What the pipeline does to spans: head sampling, metrics, prices, redaction.
    fn read_processing(&mut self, env: &dyn Env) -> Result<(), ConfigError> {
        if let Some(v) = env.get("OTEL_TRACES_SAMPLER") {
            let arg = env.get("OTEL_TRACES_SAMPLER_ARG");
            self.sampler = Some(parse_sampler(&v, arg.as_deref())?);
        }
        self.metrics = read_bool(env, &["LLMTRACE_METRICS"])?;
        self.prices = env.get("LLMTRACE_PRICES").map(PathBuf::from);
        self.redaction = read_bool(env, &["LLMTRACE_REDACTION"])?;
        self.openinference = read_bool(env, &["LLMTRACE_OPENINFERENCE"])?;
        Ok(())
    }

    /// Content capture, with the values the other languages' instrumentations share: a value
    /// llmtrace does not know is tolerated (kept in `tolerated`), not an error.
    fn read_content(&mut self, env: &dyn Env) {
        const CAPTURE: &[&str] = &[
            "LLMTRACE_CAPTURE_CONTENT",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
        ];
        if let Some((var, v)) = first(env, CAPTURE) {
            match CaptureMode::parse_var(&var, &v) {
                Ok(mode) => self.capture_content = Some(mode),
                Err(e) => self.tolerated.push(e),
            }
        }
        match read_bool(env, &["OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"]) {
            Ok(on) => self.emit_event = on,
            Err(e) => self.tolerated.push(e),
        }
    }

    /// Local destinations, the config file and the shutdown deadline.
    fn read_local(&mut self, env: &dyn Env) -> Result<(), ConfigError> {
        self.console = read_bool(env, &["LLMTRACE_CONSOLE"])?;
        self.file = env.get("LLMTRACE_FILE").map(PathBuf::from);
        self.config_file = env.get("LLMTRACE_CONFIG").map(PathBuf::from);
        self.shutdown_timeout = read_millis(env, &["LLMTRACE_SHUTDOWN_TIMEOUT"], "5000")?;
        Ok(())
    }
}

/// The number of OTLP export workers `text` names, the same rule for the variable and for
/// `Builder::export_workers`: a whole number from 1 to [`MAX_EXPORT_WORKERS`].
pub(crate) fn check_export_workers(source: &str, text: &str) -> Result<usize, ConfigError> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_EXPORT_WORKERS).contains(n))
        .ok_or_else(|| {
            ConfigError::invalid(
                source,
                text,
                format!("use a whole number from 1 to {MAX_EXPORT_WORKERS}, e.g. 4"),
            )
        })
}

/// The first of `names` that is set, as a boolean.
fn read_bool(env: &dyn Env, names: &[&str]) -> Result<Option<bool>, ConfigError> {
    first(env, names)
        .map(|(var, v)| parse_bool(&var, &v))
        .transpose()
}

/// The first of `names` that is set, as a whole number of milliseconds (`example` in the fix).
fn read_millis(
    env: &dyn Env,
    names: &[&str],
    example: &str,
) -> Result<Option<Duration>, ConfigError> {
    let Some((var, v)) = first(env, names) else {
        return Ok(None);
    };
    let ms = v.trim().parse::<u64>().map_err(|_| {
        ConfigError::invalid(
            &var,
            &v,
            format!("use a whole number of milliseconds, e.g. {example}"),
        )
    })?;
    Ok(Some(Duration::from_millis(ms)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_env::env;

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
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"),
            ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "deflate"),
            ("LLMTRACE_OTLP_TRACE_EXPORTER", "tonic"),
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
    fn compression_is_read_traces_variable_first() {
        let compression = |vars: &[(&str, &str)]| {
            EnvSettings::from_env(&env(vars))
                .expect("valid")
                .compression
        };
        assert_eq!(compression(&[]), None);
        assert_eq!(
            compression(&[("OTEL_EXPORTER_OTLP_COMPRESSION", " GZIP ")]),
            Some(Compression::Gzip)
        );
        assert_eq!(
            compression(&[
                ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
                ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "none"),
            ]),
            Some(Compression::None)
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
