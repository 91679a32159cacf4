//! Setting up the pipeline: `init()` / `builder()` → [`Guard`], whose drop flushes and shuts
//! down within a deadline. `Builder::build` runs the stages of `pipeline.rs` in order, on the
//! settings `resolve.rs` merged; `guard.rs` owns the result.

mod guard;
mod pipeline;
mod resolve;

pub use guard::Guard;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use opentelemetry_sdk::logs::LogProcessor;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SpanProcessor;

use crate::config::{Compression, ConfigError, HeadSampler, Protocol};
use crate::cost::PriceTable;
use crate::export::DynProcessor;
use crate::CaptureMode;
use llmtrace_processor::redact::RedactionConfig;
use llmtrace_processor::sample::TailSamplingConfig;

/// Why the pipeline could not be set up.
///
/// Its `Debug` form is the message a person reads (the variable, the value and the fix, then
/// each underlying cause), so a `main` that returns `Result<(), InitError>` (or a boxed error
/// holding one) prints a sentence, not a struct; match on the variants for the details.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// A configuration value is wrong; the message names it and the fix.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The OTLP exporter could not be built (its error is the source).
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[source] opentelemetry_otlp::ExporterBuildError),
    /// The trace file could not be opened.
    #[error("cannot open the trace file {path} (LLMTRACE_FILE): {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The background runtime for the gRPC exporter could not start.
    #[error("cannot start the export runtime: {0}")]
    Runtime(std::io::Error),
    /// The redaction configuration is invalid (a regex, a key, a detector name…).
    #[error("redaction configuration: {0}")]
    Redaction(#[from] llmtrace_processor::redact::RedactionError),
    /// The tail-sampling configuration is invalid.
    #[error("tail sampling configuration: {0}")]
    Sampling(#[from] llmtrace_processor::sample::SamplingConfigError),
    /// The price table could not be loaded (`LLMTRACE_PRICES`).
    #[error(transparent)]
    Prices(#[from] crate::cost::PriceError),
    /// Another global `tracing` subscriber is already installed.
    #[error(
        "a global tracing subscriber is already set; call `.install_global(false)` and add \
         `guard.layer()` to your own subscriber instead"
    )]
    SubscriberAlreadySet,
}

impl std::fmt::Debug for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut message = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            // Most messages already quote their cause.
            if !message.contains(&cause_text) {
                message.push_str("\n  caused by: ");
                message.push_str(&cause_text);
            }
            source = cause.source();
        }
        f.write_str(&message)
    }
}

impl InitError {
    pub(crate) fn header(key: &str) -> Self {
        InitError::Config(ConfigError::invalid(
            "OTEL_EXPORTER_OTLP_HEADERS",
            key,
            "header names and values must be valid HTTP header text",
        ))
    }
}

/// Sets up tracing with settings from the environment: OTLP export when an endpoint is
/// configured, otherwise each finished trace printed as a tree on stderr. Installs the global
/// `tracing` subscriber and OpenTelemetry tracer provider.
///
/// Keep the returned guard alive for the life of the program; dropping it flushes.
pub fn init() -> Result<Guard, InitError> {
    builder().build()
}

/// A builder to configure the pipeline in code; values set here override the environment.
pub fn builder() -> Builder {
    Builder::default()
}

/// Configures and builds the pipeline; see [`builder`].
#[must_use = "call `.build()` to set up tracing"]
#[derive(Default)]
pub struct Builder {
    env: Option<BTreeMap<String, String>>,
    service_name: Option<String>,
    project_name: Option<String>,
    endpoint: Option<String>,
    protocol: Option<Protocol>,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    compression: Option<Compression>,
    sampler: Option<HeadSampler>,
    capture_content: Option<CaptureMode>,
    emit_events: Option<bool>,
    openinference: Option<bool>,
    console: Option<bool>,
    file: Option<PathBuf>,
    config_file: Option<PathBuf>,
    shutdown_timeout: Option<Duration>,
    install_global: Option<bool>,
    batch_delay: Option<Duration>,
    export_workers: Option<usize>,
    prices: Option<PriceTable>,
    redaction: Option<Option<RedactionConfig>>,
    tail_sampling: Option<Option<TailSamplingConfig>>,
    metrics: Option<bool>,
    meter_provider: Option<SdkMeterProvider>,
    extra: Vec<Box<dyn SpanProcessor>>,
    log_processors: Vec<Box<dyn LogProcessor>>,
    wrap: Vec<Box<dyn FnOnce(DynProcessor) -> DynProcessor>>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("service_name", &self.service_name)
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol)
            .field("capture_content", &self.capture_content)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Reads variables from `vars` instead of the process environment (hermetic tests).
    pub fn with_env(mut self, vars: impl IntoIterator<Item = (String, String)>) -> Self {
        self.env = Some(vars.into_iter().collect());
        self
    }

    /// `service.name` of the resource.
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// `openinference.project.name` of the resource: the project Arize Phoenix files traces
    /// under.
    pub fn project_name(mut self, name: impl Into<String>) -> Self {
        self.project_name = Some(name.into());
        self
    }

    /// The OTLP endpoint: for gRPC `http://host:4317`; for HTTP the full traces URL
    /// (`http://host:4318/v1/traces`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The OTLP transport.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Adds a header (gRPC metadata) sent with every export, such as an API key.
    pub fn header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((key.into(), value.into()));
        self
    }

    /// How long one export may take (default 10 s).
    pub fn export_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Compresses OTLP request bodies (default: none, or `OTEL_EXPORTER_OTLP_COMPRESSION`).
    ///
    /// ```
    /// let guard = llmtrace::builder()
    ///     .with_env(Vec::new())
    ///     .install_global(false)
    ///     .console(false)
    ///     .endpoint("http://127.0.0.1:4318")
    ///     .compression(llmtrace::Compression::Gzip)
    ///     .build()
    ///     .expect("pipeline");
    /// drop(guard);
    /// ```
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// The head sampler (default: parent-based, always on).
    pub fn head_sampler(mut self, sampler: HeadSampler) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// Where message content (prompts, completions, tool arguments, document text) is recorded:
    /// a [`CaptureMode`], or `true` ([`CaptureMode::SpanOnly`]) / `false`
    /// ([`CaptureMode::NoContent`]). Overrides `LLMTRACE_CAPTURE_CONTENT` /
    /// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`.
    pub fn capture_content(mut self, mode: impl Into<CaptureMode>) -> Self {
        self.capture_content = Some(mode.into());
        self
    }

    /// Whether each inference emits a `gen_ai.client.inference.operation.details` log record
    /// (default: when the capture mode puts content in events;
    /// `OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT`). With a mode that keeps content off events, the
    /// record carries the span's GenAI attributes without content.
    pub fn emit_inference_events(mut self, on: bool) -> Self {
        self.emit_events = Some(on);
        self
    }

    /// Adds a destination for the inference log records next to the configured ones (e.g. a
    /// `SimpleLogProcessor` around an in-memory exporter in tests).
    pub fn with_log_processor(mut self, processor: impl LogProcessor + 'static) -> Self {
        self.log_processors.push(Box::new(processor));
        self
    }

    /// Whether [`OpenInferenceProcessor`](crate::enrich::OpenInferenceProcessor) adds the
    /// OpenInference mirror of the `gen_ai.*` attributes to each span, for Arize Phoenix and
    /// other OpenInference-aware backends (default on; `LLMTRACE_OPENINFERENCE`). Off, spans carry
    /// the GenAI conventions only, plus the OpenInference keys of facts those have no key for
    /// (session, user, tags, reranker documents).
    pub fn openinference(mut self, on: bool) -> Self {
        self.openinference = Some(on);
        self
    }

    /// Prints finished traces as trees on stderr (default: only when no endpoint is set).
    pub fn console(mut self, on: bool) -> Self {
        self.console = Some(on);
        self
    }

    /// Also appends finished spans to `path` as OTLP-JSON lines.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Reads the configuration file at `path` instead of the one `LLMTRACE_CONFIG` names: an
    /// llmtrace file (`redaction:` / `tail_sampling:` sections) or an OpenTelemetry Collector
    /// configuration, whose traces pipeline then runs in-process (see `docs/configuration.md`).
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// How long dropping the guard may take to flush (default 5 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// Whether `build` installs the global `tracing` subscriber and tracer provider (default
    /// true). Without it, use [`Guard::layer`] or [`Guard::dispatch`].
    pub fn install_global(mut self, on: bool) -> Self {
        self.install_global = Some(on);
        self
    }

    /// How many batch processors, each with its own exporter thread and connection, share the
    /// OTLP destination's spans (default 4, at most 16; `LLMTRACE_EXPORT_WORKERS`). With one,
    /// each export waits for the previous one's answer; with several, one batch is encoded
    /// while another is on the wire, which multiplies the spans/s a destination sustains (see
    /// BENCHMARKS.md). They share one queue bound, so memory does not grow with the count.
    /// A value outside 1..=16 makes [`build`](Self::build) fail with [`InitError::Config`], as
    /// the same value of the variable does.
    pub fn export_workers(mut self, workers: usize) -> Self {
        self.export_workers = Some(workers);
        self
    }

    /// How often the batch processors export (default 1 s).
    pub fn batch_delay(mut self, delay: Duration) -> Self {
        self.batch_delay = Some(delay);
        self
    }

    /// Prices laid over the built-in table (see [`PriceTable`]); `LLMTRACE_PRICES=file.yaml`
    /// does the same from the environment.
    pub fn prices(mut self, prices: PriceTable) -> Self {
        self.prices = Some(prices);
        self
    }

    /// The redaction policy (default: every detector on, values cut at 16 KiB; see
    /// [`llmtrace_processor::redact`]). Replaces what `LLMTRACE_CONFIG` and `LLMTRACE_REDACTION_*`
    /// say.
    pub fn redaction(mut self, config: RedactionConfig) -> Self {
        self.redaction = Some(Some(config));
        self
    }

    /// Turns in-process redaction off (only for pipelines that never carry content, or that
    /// redact in a collector).
    pub fn without_redaction(mut self) -> Self {
        self.redaction = Some(None);
        self
    }

    /// Tail sampling (default: off, every trace kept; `LLMTRACE_SAMPLING_*` or the
    /// `tail_sampling:` section of `LLMTRACE_CONFIG` turn it on). See
    /// [`llmtrace_processor::sample`]; [`TailSamplingConfig::recommended`] keeps errors, traces
    /// slower than 5 s and 10 % of the rest.
    pub fn tail_sampling(mut self, config: TailSamplingConfig) -> Self {
        self.tail_sampling = Some(Some(config));
        self
    }

    /// Whether GenAI metrics are recorded (default: on when there is an OTLP endpoint or a
    /// meter provider given here).
    pub fn metrics(mut self, on: bool) -> Self {
        self.metrics = Some(on);
        self
    }

    /// Records metrics into this meter provider instead of building an OTLP one.
    pub fn meter_provider(mut self, provider: SdkMeterProvider) -> Self {
        self.meter_provider = Some(provider);
        self
    }

    /// Adds a destination next to the configured ones (e.g. a `SimpleSpanProcessor` around an
    /// in-memory exporter in tests). It sits behind the redacting and sampling processors.
    pub fn with_span_processor(mut self, processor: impl SpanProcessor + 'static) -> Self {
        self.extra.push(Box::new(processor));
        self
    }

    /// Wraps the destinations in a decorator processor (such as a redactor or a sampler); the
    /// first one added is the innermost.
    pub fn wrap_processor<P, F>(mut self, wrap: F) -> Self
    where
        P: SpanProcessor + 'static,
        F: FnOnce(DynProcessor) -> P + 'static,
    {
        self.wrap
            .push(Box::new(move |inner| DynProcessor::new(wrap(inner))));
        self
    }

    /// Builds the pipeline, in these stages (each a function of `init/pipeline.rs`, whose
    /// names are given here):
    /// 1. **settings resolved** (`Settings::resolve`): code, then `LLMTRACE_*`, then `OTEL_*`,
    ///    then the `LLMTRACE_CONFIG` file, merged into one value; nothing is set up yet;
    /// 2. **resource** (`resource`): `service.name`, `OTEL_RESOURCE_ATTRIBUTES`, the project;
    ///    and the export runtime gRPC needs (`export_runtime`);
    /// 3. **destinations** (`destinations`): console tree, OTLP-JSON file, the OTLP export
    ///    workers, the processors added with [`with_span_processor`](Self::with_span_processor);
    /// 4. **logs and metrics providers** (`logger_provider`, `meter_provider`): when a capture
    ///    mode with events, or metrics, are on;
    /// 5. **processor chain** (`processor_chain`): normalisation of any GenAI span (content
    ///    removed with capture off) → cost → OpenInference enrichment (unless
    ///    switched off) → metrics → redaction → tail sampling → content events → decorators
    ///    added with [`wrap_processor`](Self::wrap_processor) → destinations;
    /// 6. **providers** (`tracer_provider`): the tracer provider with the head sampler and the
    ///    context processor, and the [`Guard`] owning everything;
    /// 7. **global install** (`install_global`): the `tracing` subscriber and the OpenTelemetry
    ///    providers. The pipeline's own settings (content capture, the OpenInference mirror)
    ///    travel with its layer and processors, so nothing process-wide is flipped, and a failed
    ///    `build` leaves the process as it was.
    pub fn build(mut self) -> Result<Guard, InitError> {
        let settings = resolve::Settings::resolve(&mut self)?;
        settings.warn_tolerated();
        if settings.disabled {
            return Ok(Guard::disabled(settings.shutdown_timeout));
        }
        let resource = pipeline::resource(&settings);
        let runtime = pipeline::export_runtime(&settings)?;
        let destinations = pipeline::destinations(&settings, runtime.as_ref(), self.extra)?;
        let logger_provider = pipeline::logger_provider(
            &settings,
            &resource,
            runtime.as_ref(),
            &destinations,
            self.log_processors,
        )?;
        let meter_provider =
            pipeline::meter_provider(&settings, &resource, runtime.as_ref(), self.meter_provider)?;
        let chain = pipeline::processor_chain(
            &settings,
            destinations.processors,
            self.wrap,
            meter_provider.as_ref(),
            logger_provider.as_ref(),
            destinations.event_marks,
        )?;
        let guard = Guard {
            provider: Some(pipeline::tracer_provider(
                &settings,
                resource,
                chain.processor,
            )),
            meter_provider,
            logger_provider,
            export_counters: destinations.export_counters,
            reported_loss: false,
            redaction_stats: chain.redaction_stats,
            sampler_stats: chain.sampler_stats,
            runtime,
            shutdown_timeout: settings.shutdown_timeout,
            filter_directives: settings.filter.to_string(),
            event_targets: settings.event_filter.clone(),
            capture_content: settings.capture.records_content(),
        };
        if self.install_global.unwrap_or(true) {
            pipeline::install_global(&guard)?;
        }
        Ok(guard)
    }
}
