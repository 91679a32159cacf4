//! Stage 1: every setting of the pipeline resolved into one value — code first, then the
//! environment (`LLMTRACE_*` before `OTEL_*`), then the `LLMTRACE_CONFIG` file, then defaults.
//! Reads variables and the named files; sets nothing up.

use std::path::PathBuf;
use std::time::Duration;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::EnvFilter;

use super::{Builder, InitError};
use crate::attributes::Actions;
use crate::config::collector::{CollectorPlan, Exporter, OtlpExporter};
use crate::config::{
    self, Compression, ConfigError, Env, EnvSettings, FileConfig, HeadSampler, ProcessEnv,
    Protocol, Signal, Stage, TraceExporter,
};
use crate::cost::PriceTable;
use crate::export::Transport;
use crate::CaptureMode;
use llmtrace_processor::redact::RedactionConfig;
use llmtrace_processor::sample::TailSamplingConfig;

/// OTLP export workers unless `LLMTRACE_EXPORT_WORKERS` or [`Builder::export_workers`]; see
/// BENCHMARKS.md for what they buy on two cores.
const DEFAULT_EXPORT_WORKERS: usize = 4;

/// The pipeline's settings after merging code, environment, file and defaults.
pub(super) struct Settings {
    /// `OTEL_SDK_DISABLED=true`: nothing is built.
    pub(super) disabled: bool,
    pub(super) shutdown_timeout: Duration,
    pub(super) capture: CaptureMode,
    /// Whether inferences emit their log record.
    pub(super) emit_events: bool,
    pub(super) openinference: bool,
    pub(super) service_name: Option<String>,
    pub(super) project_name: Option<String>,
    pub(super) resource_attributes: Vec<(String, String)>,
    /// Where and how OTLP export goes.
    pub(super) otlp: Otlp,
    pub(super) batch_delay: Duration,
    /// Spans per export, from a collector configuration's `batch` processor.
    pub(super) batch_size: Option<usize>,
    /// Spans queued per destination, from its `memory_limiter` processor.
    pub(super) queue_size: Option<usize>,
    /// `OTEL_BSP_MAX_QUEUE_SIZE` / `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` are set (the SDK reads them
    /// itself; ours must not override them).
    pub(super) queue_from_env: bool,
    pub(super) batch_from_env: bool,
    pub(super) console: bool,
    pub(super) file: Option<PathBuf>,
    /// The processor chain's configured stages, outermost first.
    pub(super) stages: Vec<Stage>,
    /// A collector configuration's `resource` actions.
    pub(super) resource_actions: Actions,
    /// The start-up line of a collector configuration: what runs where.
    pub(super) collector_summary: Option<String>,
    pub(super) filter: EnvFilter,
    /// Which `tracing` events become span events.
    pub(super) event_filter: Targets,
    pub(super) metrics: bool,
    pub(super) prices: PriceTable,
    pub(super) head_sampler: Option<HeadSampler>,
    /// Values replaced by a safe default, reported once at start-up.
    pub(super) tolerated: Vec<ConfigError>,
}

/// The OTLP export timeout when neither code, `OTEL_EXPORTER_OTLP_TIMEOUT` nor a collector
/// configuration's exporter sets one (the OTLP exporter specification's default).
const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `LLMTRACE_CONFIG` file (a path given in code wins over the variable), read and checked.
fn config_file(
    builder: &Builder,
    from_env: &EnvSettings,
    env: &dyn Env,
) -> Result<Option<FileConfig>, InitError> {
    let path = builder
        .config_file
        .as_ref()
        .or(from_env.config_file.as_ref());
    match path {
        Some(path) => Ok(Some(FileConfig::read(path, env)?)),
        None => Ok(None),
    }
}

/// Whether the console tree is printed: as code or `LLMTRACE_CONSOLE` say; else, with a
/// collector pipeline, when it has a `debug` exporter; else when spans go nowhere else.
fn console(
    builder: &Builder,
    from_env: &EnvSettings,
    collector_pipeline: bool,
    exporters: &[Exporter],
    otlp: &Otlp,
) -> bool {
    builder
        .console
        .or(from_env.console)
        .unwrap_or(if collector_pipeline {
            exporters.contains(&Exporter::Console)
        } else {
            otlp.traces_endpoint.is_none() && builder.extra.is_empty()
        })
}

impl Settings {
    /// Merges what `builder` says with its environment (the map given to
    /// [`Builder::with_env`], else the process environment; empty values count as unset, as
    /// the OpenTelemetry spec says). Takes the policies out of `builder`.
    pub(super) fn resolve(builder: &mut Builder) -> Result<Self, InitError> {
        let env: &dyn Env = match &builder.env {
            Some(vars) => vars,
            None => &ProcessEnv,
        };
        let from_env = EnvSettings::from_env(env)?;
        let file = config_file(builder, &from_env, env)?;
        let plan = file.as_ref().and_then(|f| f.collector.clone());
        let stages = stages(
            builder.redaction.take(),
            builder.tail_sampling.take(),
            config::stages(&from_env, file.as_ref(), env)?,
        );
        let exporters = plan.as_ref().map_or(&[][..], |p| &p.exporters[..]);
        let otlp = Otlp::resolve(builder, &from_env, exporters)?;
        let capture = builder
            .capture_content
            .or(from_env.capture_content)
            .unwrap_or_default();
        Ok(Settings {
            disabled: from_env.disabled,
            shutdown_timeout: builder
                .shutdown_timeout
                .or(from_env.shutdown_timeout)
                .unwrap_or(Duration::from_secs(5)),
            capture,
            emit_events: builder
                .emit_events
                .or(from_env.emit_event)
                .unwrap_or(capture.in_events()),
            openinference: builder
                .openinference
                .or(from_env.openinference)
                .unwrap_or(true),
            service_name: builder
                .service_name
                .clone()
                .or(from_env.service_name.clone()),
            project_name: builder.project_name.clone(),
            resource_attributes: from_env.resource_attributes.clone(),
            batch_delay: builder
                .batch_delay
                .or(plan.as_ref().and_then(|p| p.batch).map(|b| b.timeout))
                .unwrap_or(Duration::from_secs(1)),
            batch_size: plan.as_ref().and_then(|p| p.batch).map(|b| b.size),
            queue_size: plan.as_ref().and_then(|p| p.queue_spans),
            queue_from_env: env.get("OTEL_BSP_MAX_QUEUE_SIZE").is_some(),
            batch_from_env: env.get("OTEL_BSP_MAX_EXPORT_BATCH_SIZE").is_some(),
            console: console(builder, &from_env, plan.is_some(), exporters, &otlp),
            file: builder
                .file
                .clone()
                .or(from_env.file.clone())
                .or_else(|| file_exporter(exporters)),
            stages,
            resource_actions: plan
                .as_ref()
                .map(|p| p.resource.clone())
                .unwrap_or_default(),
            collector_summary: plan.as_ref().map(CollectorPlan::summary),
            filter: config::log_filter(env)?,
            event_filter: config::span_event_filter(env)?,
            metrics: builder
                .metrics
                .or(from_env.metrics)
                .unwrap_or(builder.meter_provider.is_some() || otlp.metrics_endpoint.is_some()),
            prices: prices(from_env.prices.as_deref(), builder.prices.take())?,
            head_sampler: builder.sampler.or(from_env.sampler),
            otlp,
            tolerated: from_env.tolerated,
        })
    }

    /// Whether the exporters need the background Tokio runtime (tonic does).
    pub(super) fn needs_runtime(&self) -> bool {
        let otlp = &self.otlp;
        otlp.protocol == Protocol::Grpc
            && (otlp.traces_endpoint.is_some()
                || otlp.metrics_endpoint.is_some()
                || (self.emit_events && otlp.logs_endpoint.is_some()))
    }

    /// Reports, once on stderr, each value that was replaced by a safe default, and what of a
    /// collector configuration runs where (the subscriber is not installed yet).
    pub(super) fn warn_tolerated(&self) {
        for error in &self.tolerated {
            eprintln!("llmtrace: {error}; recording no content");
        }
        if let Some(summary) = &self.collector_summary {
            eprintln!("llmtrace: info: {summary}");
        }
    }
}

/// OTLP export: the transport, each signal's endpoint resolved for it, headers, timeout and
/// workers.
pub(super) struct Otlp {
    pub(super) protocol: Protocol,
    pub(super) traces_endpoint: Option<String>,
    pub(super) metrics_endpoint: Option<String>,
    pub(super) logs_endpoint: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) timeout: Duration,
    pub(super) compression: Compression,
    /// Always from the environment.
    pub(super) trace_exporter: TraceExporter,
    pub(super) export_workers: usize,
}

impl Otlp {
    /// Code over environment over a collector configuration's first OTLP exporter (taken only
    /// when no `OTEL_EXPORTER_OTLP_*` variable and no endpoint in code is set); the endpoints
    /// are resolved once the protocol is known.
    fn resolve(
        builder: &Builder,
        from_env: &EnvSettings,
        exporters: &[Exporter],
    ) -> Result<Self, InitError> {
        let from_file = (builder.endpoint.is_none() && !otlp_in_env(from_env))
            .then(|| {
                exporters.iter().find_map(|e| match e {
                    Exporter::Otlp(otlp) => Some(otlp),
                    _ => None,
                })
            })
            .flatten();
        if let Some(exporter) = from_file {
            return Otlp::from_exporter(builder, from_env, exporter);
        }
        let protocol = builder
            .protocol
            .or(from_env.protocol)
            .unwrap_or(Protocol::HttpProtobuf);
        let traces_endpoint = match &builder.endpoint {
            Some(e) => Some(config::check_endpoint("endpoint", e)?),
            None => from_env.signal_endpoint(Signal::Traces, protocol),
        };
        Ok(Otlp {
            metrics_endpoint: from_env.signal_endpoint(Signal::Metrics, protocol),
            logs_endpoint: logs_endpoint(
                from_env,
                builder.endpoint.is_some(),
                &traces_endpoint,
                protocol,
            ),
            traces_endpoint,
            protocol,
            headers: from_env
                .headers
                .iter()
                .chain(&builder.headers)
                .cloned()
                .collect(),
            timeout: builder
                .timeout
                .or(from_env.timeout)
                .unwrap_or(DEFAULT_EXPORT_TIMEOUT),
            compression: builder
                .compression
                .or(from_env.compression)
                .unwrap_or_default(),
            trace_exporter: from_env.trace_exporter.unwrap_or_default(),
            export_workers: export_workers(builder, from_env)?,
        })
    }
}

impl Otlp {
    /// How one signal is sent to `endpoint` (its resolved URL).
    pub(super) fn transport<'a>(&'a self, endpoint: &'a str) -> Transport<'a> {
        Transport {
            protocol: self.protocol,
            endpoint,
            headers: &self.headers,
            timeout: self.timeout,
            compression: self.compression,
            trace_exporter: self.trace_exporter,
        }
    }

    /// A collector configuration's OTLP exporter; the workers and metrics/logs endpoints still
    /// come from code and the environment.
    fn from_exporter(
        builder: &Builder,
        from_env: &EnvSettings,
        exporter: &OtlpExporter,
    ) -> Result<Self, InitError> {
        Ok(Otlp {
            protocol: exporter.protocol,
            traces_endpoint: Some(exporter.endpoint.clone()),
            metrics_endpoint: from_env.signal_endpoint(Signal::Metrics, exporter.protocol),
            logs_endpoint: from_env.signal_endpoint(Signal::Logs, exporter.protocol),
            headers: exporter
                .headers
                .iter()
                .chain(&builder.headers)
                .cloned()
                .collect(),
            timeout: builder
                .timeout
                .or(exporter.timeout)
                .unwrap_or(DEFAULT_EXPORT_TIMEOUT),
            compression: builder
                .compression
                .or(exporter.compression)
                .unwrap_or_default(),
            trace_exporter: from_env.trace_exporter.unwrap_or_default(),
            export_workers: export_workers(builder, from_env)?,
        })
    }
}

/// OTLP export workers: code (checked like the variable) over environment over the default.
fn export_workers(builder: &Builder, from_env: &EnvSettings) -> Result<usize, InitError> {
    Ok(match builder.export_workers {
        Some(n) => config::check_export_workers("export_workers", &n.to_string())?,
        None => from_env.export_workers.unwrap_or(DEFAULT_EXPORT_WORKERS),
    })
}

/// Whether an `OTEL_EXPORTER_OTLP_*` variable says where or how traces are exported.
fn otlp_in_env(from_env: &EnvSettings) -> bool {
    from_env.endpoint_base.is_some()
        || from_env.traces_endpoint.is_some()
        || from_env.protocol.is_some()
        || from_env.timeout.is_some()
        || !from_env.headers.is_empty()
}

/// A collector configuration's `file` exporter's path.
fn file_exporter(exporters: &[Exporter]) -> Option<PathBuf> {
    exporters.iter().find_map(|e| match e {
        Exporter::File(path) => Some(path.clone()),
        _ => None,
    })
}

/// The stages with the policies set in code (`Some`: on or off) in place of the configured
/// ones of their kind: at the first such stage's position, else redaction first and tail
/// sampling last.
fn stages(
    redaction: Option<Option<RedactionConfig>>,
    tail_sampling: Option<Option<TailSamplingConfig>>,
    mut stages: Vec<Stage>,
) -> Vec<Stage> {
    if let Some(choice) = redaction {
        let at = stages
            .iter()
            .position(|s| matches!(s, Stage::Redaction(_)))
            .unwrap_or(0);
        stages.retain(|s| !matches!(s, Stage::Redaction(_)));
        if let Some(config) = choice {
            stages.insert(at.min(stages.len()), Stage::Redaction(config));
        }
    }
    if let Some(choice) = tail_sampling {
        let at = stages
            .iter()
            .position(|s| matches!(s, Stage::TailSampling(_)))
            .unwrap_or(stages.len());
        stages.retain(|s| !matches!(s, Stage::TailSampling(_)));
        if let Some(config) = choice {
            stages.insert(at.min(stages.len()), Stage::TailSampling(config));
        }
    }
    stages
}

/// Where the log records go over OTLP: `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, else the base
/// endpoint's `/v1/logs`, else — when the traces endpoint was set in code — that endpoint with
/// its `/v1/traces` path swapped for `/v1/logs` (gRPC: the same endpoint).
fn logs_endpoint(
    from_env: &EnvSettings,
    traces_in_code: bool,
    traces_endpoint: &Option<String>,
    protocol: Protocol,
) -> Option<String> {
    let from_code = || {
        let traces = traces_endpoint.as_deref().filter(|_| traces_in_code)?;
        Some(match protocol {
            Protocol::Grpc => traces.to_owned(),
            Protocol::HttpProtobuf => match traces.trim_end_matches('/').strip_suffix("/v1/traces")
            {
                Some(base) => config::http_signal_url(base, "logs"),
                None => traces.to_owned(),
            },
        })
    };
    from_env
        .signal_endpoint(Signal::Logs, protocol)
        .or_else(from_code)
}

/// The built-in price table, with `LLMTRACE_PRICES` and then the table given in code laid over.
fn prices(
    file: Option<&std::path::Path>,
    from_code: Option<PriceTable>,
) -> Result<PriceTable, InitError> {
    let mut prices = PriceTable::built_in();
    if let Some(path) = file {
        prices = prices.merged(PriceTable::from_file(path)?);
    }
    if let Some(table) = from_code {
        prices = prices.merged(table);
    }
    Ok(prices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_env::env;

    fn resolve(builder: Builder, vars: &[(&str, &str)]) -> Settings {
        let mut builder = builder.with_env(env(vars));
        match Settings::resolve(&mut builder) {
            Ok(settings) => settings,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_protocol_set_in_code_resolves_the_environment_endpoint() {
        let vars = [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://host:4318"),
        ];
        let settings = resolve(Builder::default().protocol(Protocol::HttpProtobuf), &vars);
        assert_eq!(
            settings.otlp.traces_endpoint.as_deref(),
            Some("http://host:4318/v1/traces")
        );
        assert_eq!(
            settings.otlp.logs_endpoint.as_deref(),
            Some("http://host:4318/v1/logs")
        );
        assert_eq!(
            settings.otlp.metrics_endpoint.as_deref(),
            Some("http://host:4318/v1/metrics")
        );
        assert!(settings.metrics, "an OTLP endpoint turns metrics on");
        let settings = resolve(Builder::default(), &vars);
        assert_eq!(
            settings.otlp.traces_endpoint.as_deref(),
            Some("http://host:4318")
        );
    }

    #[test]
    fn an_endpoint_in_code_gives_the_logs_their_path() {
        let settings = resolve(
            Builder::default().endpoint("http://127.0.0.1:4318/v1/traces"),
            &[],
        );
        assert_eq!(
            settings.otlp.logs_endpoint.as_deref(),
            Some("http://127.0.0.1:4318/v1/logs")
        );
        let settings = resolve(
            Builder::default()
                .endpoint("http://127.0.0.1:4317")
                .protocol(Protocol::Grpc),
            &[],
        );
        assert_eq!(
            settings.otlp.logs_endpoint.as_deref(),
            Some("http://127.0.0.1:4317")
        );
    }

    #[test]
    fn export_workers_follow_one_rule_in_code_and_in_the_environment() {
        for n in [0, 17, 10_000] {
            let mut builder = Builder::default().export_workers(n).with_env(Vec::new());
            let err = Settings::resolve(&mut builder).err().expect("out of range");
            assert!(
                matches!(&err, InitError::Config(ConfigError::InvalidValue { variable, .. })
                    if variable == "export_workers"),
                "{err}"
            );
            let n_text = n.to_string();
            let mut builder =
                Builder::default().with_env(env(&[("LLMTRACE_EXPORT_WORKERS", &n_text)]));
            assert!(Settings::resolve(&mut builder).is_err(), "{n}");
        }
        assert_eq!(
            resolve(Builder::default().export_workers(16), &[])
                .otlp
                .export_workers,
            16
        );
        assert_eq!(resolve(Builder::default(), &[]).otlp.export_workers, 4);
    }

    #[test]
    fn capture_modes_decide_the_events_unless_told() {
        let var = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
        let cases = [
            ("no_content", CaptureMode::NoContent, false),
            ("span_only", CaptureMode::SpanOnly, false),
            ("event_only", CaptureMode::EventOnly, true),
            ("SPAN_AND_EVENT", CaptureMode::SpanAndEvent, true),
            ("true", CaptureMode::SpanOnly, false),
            ("false", CaptureMode::NoContent, false),
        ];
        for (value, mode, events) in cases {
            let settings = resolve(Builder::default(), &[(var, value)]);
            assert_eq!(
                (settings.capture, settings.emit_events),
                (mode, events),
                "{value}"
            );
        }
        let settings = resolve(
            Builder::default(),
            &[
                (var, "span_only"),
                ("OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT", "true"),
            ],
        );
        assert!(settings.emit_events);
        let settings = resolve(
            Builder::default().capture_content(false),
            &[(var, "event_only")],
        );
        assert_eq!(
            (settings.capture, settings.emit_events),
            (CaptureMode::NoContent, false)
        );
    }

    #[test]
    fn a_collector_configuration_gives_its_pipeline_and_exporter_unless_the_environment_does() {
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../otel-collector.yaml");
        let settings = resolve(Builder::default().config_file(file), &[]);
        let kinds: Vec<&str> = settings.stages.iter().map(Stage::kind).collect();
        assert_eq!(kinds, ["redaction", "tail_sampling"]);
        assert_eq!(
            settings.otlp.traces_endpoint.as_deref(),
            Some("http://localhost:6006/v1/traces")
        );
        assert_eq!(settings.otlp.protocol, Protocol::HttpProtobuf);
        assert_eq!(
            settings.otlp.headers,
            [("x-project-name".to_owned(), "default".to_owned())]
        );
        assert_eq!(settings.otlp.timeout, Duration::from_secs(30));
        assert!(settings.console, "the debug exporter");
        assert_eq!(settings.batch_size, Some(512));
        assert!(settings
            .collector_summary
            .as_deref()
            .is_some_and(|s| s.contains("runs in the collector only: receiver otlp")));

        let settings = resolve(
            Builder::default().config_file(file).without_redaction(),
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
                ("OTELCOL_TRACES_EXPORTERS", "[otlp_grpc/jaeger]"),
                ("LLMTRACE_SAMPLING_PERCENTAGE", "5"),
            ],
        );
        assert_eq!(
            settings.otlp.traces_endpoint.as_deref(),
            Some("http://127.0.0.1:4318/v1/traces"),
            "the environment wins over the file's exporter"
        );
        assert!(!settings.console);
        let kinds: Vec<&str> = settings.stages.iter().map(Stage::kind).collect();
        assert_eq!(kinds, ["tail_sampling"]);

        let settings = resolve(
            Builder::default(),
            &[
                ("LLMTRACE_CONFIG", file),
                ("OTELCOL_TRACES_EXPORTERS", "[otlp_grpc/jaeger]"),
            ],
        );
        assert_eq!(
            settings.otlp.traces_endpoint.as_deref(),
            Some("http://jaeger:4317")
        );
        assert_eq!(settings.otlp.protocol, Protocol::Grpc);
    }

    #[test]
    fn an_unknown_capture_value_falls_back_to_no_content() {
        let settings = resolve(
            Builder::default(),
            &[(
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
                "everything",
            )],
        );
        assert_eq!(settings.capture, CaptureMode::NoContent);
        assert!(!settings.emit_events);
        assert_eq!(settings.tolerated.len(), 1);
    }
}
