//! Setting up the pipeline: `init()` / `builder()` → [`Guard`], whose drop flushes and shuts
//! down within a deadline.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SpanProcessor,
};
use opentelemetry_sdk::Resource;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::config::{
    self, ConfigError, Env, EnvSettings, FileConfig, HeadSampler, ProcessEnv, Protocol,
};
use crate::cost::{CostProcessor, PriceTable};
use crate::export::{
    build_otlp_exporter, build_otlp_metric_exporter, Counters, CountingExporter, CountingProcessor,
    DynProcessor, ExportStats, FanOut, JsonLinesExporter, TreeExporter,
};
use crate::metrics::MetricsProcessor;
use crate::{settings, ContextProcessor};
use llmtrace_processor::redact::{
    RedactingProcessor, RedactionConfig, RedactionStats, StatsHandle,
};
use llmtrace_processor::sample::{
    SamplerStats, SamplerStatsHandle, TailSampler, TailSamplingConfig,
};

/// Spans queued per destination (shared by its export workers) unless `OTEL_BSP_MAX_QUEUE_SIZE`.
const QUEUE_SIZE: usize = 16_384;
/// The smallest queue of one export worker.
const MIN_SHARD_QUEUE_SIZE: usize = 1024;
/// Spans per export unless `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`.
const BATCH_SIZE: usize = 4096;
/// OTLP export workers unless `LLMTRACE_EXPORT_WORKERS` or [`Builder::export_workers`]; see
/// BENCHMARKS.md for what they buy on two cores.
const DEFAULT_EXPORT_WORKERS: usize = 4;

/// Why the pipeline could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// A configuration value is wrong; the message names it and the fix.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The OTLP exporter could not be built.
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(String),
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
    sampler: Option<HeadSampler>,
    capture_content: Option<bool>,
    openinference: Option<bool>,
    console: Option<bool>,
    file: Option<PathBuf>,
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

    /// The head sampler (default: parent-based, always on).
    pub fn head_sampler(mut self, sampler: HeadSampler) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// Records message content (prompts, completions, tool arguments, document text).
    pub fn capture_content(mut self, on: bool) -> Self {
        self.capture_content = Some(on);
        self
    }

    /// Writes the OpenInference mirror attributes (default on).
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
    /// Values outside 1..=16 are clamped.
    pub fn export_workers(mut self, workers: usize) -> Self {
        self.export_workers = Some(workers.clamp(1, crate::config::MAX_EXPORT_WORKERS));
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

    /// Builds the pipeline.
    pub fn build(mut self) -> Result<Guard, InitError> {
        // One source of variables for everything below: the map given to `with_env`, else the
        // process environment (empty values count as unset, as the OpenTelemetry spec says).
        let env: &dyn Env = match &self.env {
            Some(vars) => vars,
            None => &ProcessEnv,
        };
        let env_settings = EnvSettings::from_env(env)?;
        let file = match &env_settings.config_file {
            Some(path) => Some(FileConfig::read(path, env)?),
            None => None,
        };
        let redaction = match self.redaction.take() {
            Some(choice) => choice,
            None => config::redaction_from_env(&env_settings, file.as_ref(), env)?,
        };
        let tail_sampling = match self.tail_sampling.take() {
            Some(choice) => choice,
            None => config::tail_sampling_from_env(file.as_ref(), env)?,
        };
        let filter = config::log_filter(env)?;

        settings::set_capture_content(
            self.capture_content
                .or(env_settings.capture_content)
                .unwrap_or(false),
        );
        settings::set_openinference(
            self.openinference
                .or(env_settings.openinference)
                .unwrap_or(true),
        );

        let shutdown_timeout = self
            .shutdown_timeout
            .or(env_settings.shutdown_timeout)
            .unwrap_or(Duration::from_secs(5));
        if env_settings.disabled {
            return Ok(Guard::disabled(shutdown_timeout));
        }

        let protocol = self
            .protocol
            .or(env_settings.protocol)
            .unwrap_or(Protocol::HttpProtobuf);
        let endpoint = match self.endpoint {
            Some(e) => Some(crate::config::check_endpoint("endpoint", &e)?),
            None => env_settings.endpoint.clone(),
        };
        let mut headers = env_settings.headers.clone();
        headers.extend(self.headers);
        let timeout = self
            .timeout
            .or(env_settings.timeout)
            .unwrap_or(Duration::from_secs(10));
        let batch_delay = self.batch_delay.unwrap_or(Duration::from_secs(1));
        // Larger than the SDK's defaults (2048 / 512): fewer, larger exports; the queues still
        // bound memory (~16 MiB of spans per destination, shared by its export workers).
        // `OTEL_BSP_MAX_QUEUE_SIZE` / `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` still win (per worker).
        let set = |name: &str| env.get(name).is_some();
        let queue_from_env = set("OTEL_BSP_MAX_QUEUE_SIZE");
        let batch_from_env = set("OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
        // Queue and batch sizes of one batch processor among `shards` that share the bound.
        let sharded_batch_config = |shards: usize| {
            let mut config = BatchConfigBuilder::default().with_scheduled_delay(batch_delay);
            let queue = (QUEUE_SIZE / shards).max(MIN_SHARD_QUEUE_SIZE);
            if !queue_from_env {
                config = config.with_max_queue_size(queue);
            }
            if !batch_from_env {
                config = config.with_max_export_batch_size(BATCH_SIZE.min(queue / 2));
            }
            config.build()
        };
        let batch_config = || sharded_batch_config(1);
        let export_workers = self
            .export_workers
            .or(env_settings.export_workers)
            .unwrap_or(DEFAULT_EXPORT_WORKERS);
        let otlp_batch_config = || sharded_batch_config(export_workers);

        let mut resource = Resource::builder();
        if let Some(name) = self
            .service_name
            .clone()
            .or(env_settings.service_name.clone())
        {
            resource = resource.with_service_name(name);
        }
        resource = resource.with_attributes(
            env_settings
                .resource_attributes
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
        );
        if let Some(project) = &self.project_name {
            resource = resource
                .with_attribute(KeyValue::new("openinference.project.name", project.clone()));
        }

        let resource = resource.build();

        // tonic needs a Tokio runtime; ours keeps exporting even when the host's runtime is
        // shutting down, and the host needs none at all.
        let needs_runtime = protocol == Protocol::Grpc
            && (endpoint.is_some() || env_settings.metrics_endpoint.is_some());
        let runtime = if needs_runtime {
            Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(export_workers.min(2))
                    .thread_name("llmtrace-export")
                    .enable_all()
                    .build()
                    .map_err(InitError::Runtime)?,
            )
        } else {
            None
        };

        // Local destinations first: they finish within any shutdown deadline, whatever the
        // network does.
        let mut destinations = FanOut::new();
        let console = self
            .console
            .or(env_settings.console)
            .unwrap_or(endpoint.is_none() && self.extra.is_empty());
        if console {
            destinations.push(
                BatchSpanProcessor::builder(TreeExporter::stderr())
                    .with_batch_config(batch_config())
                    .build(),
            );
        }
        if let Some(path) = self.file.or(env_settings.file.clone()) {
            let exporter = JsonLinesExporter::open(&path).map_err(|source| InitError::File {
                path: path.clone(),
                source,
            })?;
            destinations.push(
                BatchSpanProcessor::builder(exporter)
                    .with_batch_config(batch_config())
                    .build(),
            );
        }
        let export_counters = Arc::new(Counters::default());
        if let Some(endpoint) = &endpoint {
            let mut shards: Vec<Box<dyn SpanProcessor>> = Vec::with_capacity(export_workers);
            for _ in 0..export_workers {
                let exporter = {
                    let _entered = runtime.as_ref().map(|rt| rt.enter());
                    build_otlp_exporter(protocol, endpoint, &headers, timeout)?
                };
                let exporter = CountingExporter {
                    inner: exporter,
                    counters: export_counters.clone(),
                };
                shards.push(Box::new(
                    BatchSpanProcessor::builder(exporter)
                        .with_batch_config(otlp_batch_config())
                        .build(),
                ));
            }
            destinations.push(CountingProcessor {
                inner: crate::export::Shards::new(shards),
                counters: export_counters.clone(),
            });
        }
        for extra in self.extra {
            destinations.push_boxed(extra);
        }
        let mut chain = DynProcessor::new(destinations);
        for wrap in self.wrap {
            chain = wrap(chain);
        }
        // Outermost first: cost → metrics → redaction → tail sampling → destinations. Metrics
        // count every span; the sampler buffers only scrubbed, size-bounded spans.
        let mut sampler_stats = None;
        if let Some(config) = tail_sampling {
            let sampler = TailSampler::new(chain, config)?;
            sampler_stats = Some(sampler.stats_handle());
            chain = DynProcessor::new(sampler);
        }
        let mut redaction_stats = None;
        if let Some(config) = &redaction {
            let redactor = RedactingProcessor::from_config(chain, config)?;
            redaction_stats = Some(redactor.stats_handle());
            chain = DynProcessor::new(redactor);
        }

        let metrics_on = self
            .metrics
            .or(env_settings.metrics)
            .unwrap_or(self.meter_provider.is_some() || env_settings.metrics_endpoint.is_some());
        let meter_provider = match (metrics_on, self.meter_provider) {
            (false, _) => None,
            (true, Some(provider)) => Some(provider),
            (true, None) => match &env_settings.metrics_endpoint {
                Some(endpoint) => {
                    let exporter = {
                        let _entered = runtime.as_ref().map(|rt| rt.enter());
                        build_otlp_metric_exporter(protocol, endpoint, &headers, timeout)?
                    };
                    Some(
                        SdkMeterProvider::builder()
                            .with_resource(resource.clone())
                            .with_reader(PeriodicReader::builder(exporter).build())
                            .build(),
                    )
                }
                None => None,
            },
        };
        if let Some(provider) = &meter_provider {
            chain = DynProcessor::new(MetricsProcessor::new(chain, &provider.meter("llmtrace")));
        }
        let mut prices = PriceTable::built_in();
        if let Some(path) = &env_settings.prices {
            prices = prices.merged(PriceTable::from_file(path)?);
        }
        if let Some(table) = self.prices {
            prices = prices.merged(table);
        }
        let chain = CostProcessor::new(chain, prices);

        let provider = SdkTracerProvider::builder()
            .with_resource(resource)
            .with_sampler(sampler(self.sampler.or(env_settings.sampler)))
            .with_span_processor(ContextProcessor::wrap(chain))
            .build();

        let guard = Guard {
            provider: Some(provider),
            meter_provider,
            export_counters: endpoint.is_some().then_some(export_counters),
            reported_loss: false,
            redaction_stats,
            sampler_stats,
            runtime,
            shutdown_timeout,
            filter_directives: filter.to_string(),
        };
        if self.install_global.unwrap_or(true) {
            let subscriber = tracing_subscriber::registry().with(guard.layer());
            tracing::subscriber::set_global_default(subscriber)
                .map_err(|_| InitError::SubscriberAlreadySet)?;
            if let Some(provider) = &guard.provider {
                opentelemetry::global::set_tracer_provider(provider.clone());
            }
            if let Some(provider) = &guard.meter_provider {
                opentelemetry::global::set_meter_provider(provider.clone());
            }
        }
        Ok(guard)
    }
}

fn sampler(choice: Option<HeadSampler>) -> Sampler {
    match choice.unwrap_or(HeadSampler::ParentBasedAlwaysOn) {
        HeadSampler::AlwaysOn => Sampler::AlwaysOn,
        HeadSampler::AlwaysOff => Sampler::AlwaysOff,
        HeadSampler::TraceIdRatio(r) => Sampler::TraceIdRatioBased(r),
        HeadSampler::ParentBasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        HeadSampler::ParentBasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        HeadSampler::ParentBasedTraceIdRatio(r) => {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(r)))
        }
    }
}

/// Owns the pipeline. Dropping it flushes pending spans and shuts down, waiting at most the
/// shutdown timeout (5 s by default) however the backend behaves.
pub struct Guard {
    provider: Option<SdkTracerProvider>,
    meter_provider: Option<SdkMeterProvider>,
    export_counters: Option<Arc<Counters>>,
    reported_loss: bool,
    redaction_stats: Option<StatsHandle>,
    sampler_stats: Option<SamplerStatsHandle>,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown_timeout: Duration,
    filter_directives: String,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("enabled", &self.provider.is_some())
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish_non_exhaustive()
    }
}

impl Guard {
    fn disabled(shutdown_timeout: Duration) -> Self {
        Guard {
            provider: None,
            meter_provider: None,
            export_counters: None,
            reported_loss: false,
            redaction_stats: None,
            sampler_stats: None,
            runtime: None,
            shutdown_timeout,
            filter_directives: String::new(),
        }
    }

    /// Whether tracing is on (false when `OTEL_SDK_DISABLED=true`).
    pub fn is_enabled(&self) -> bool {
        self.provider.is_some()
    }

    /// The tracer provider, for code that uses the OpenTelemetry API directly.
    pub fn tracer_provider(&self) -> Option<&SdkTracerProvider> {
        self.provider.as_ref()
    }

    /// The `tracing` layer that turns spans into OpenTelemetry spans, filtered as configured
    /// (`LLMTRACE_LOG`, default `info`), for use in a subscriber of your own.
    pub fn layer<S>(&self) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
    where
        S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
    {
        match &self.provider {
            Some(provider) => {
                let filter = EnvFilter::try_new(&self.filter_directives)
                    .unwrap_or_else(|_| EnvFilter::new("info"));
                tracing_opentelemetry::layer()
                    .with_tracer(provider.tracer("llmtrace"))
                    .with_tracked_inactivity(false)
                    .with_threads(false)
                    .with_location(false)
                    .with_target(false)
                    .with_filter(filter)
                    .boxed()
            }
            None => tracing_subscriber::layer::Identity::new().boxed(),
        }
    }

    /// A subscriber with just this pipeline, for `tracing::dispatcher::with_default` in tests or
    /// in one part of a program.
    pub fn dispatch(&self) -> tracing::Dispatch {
        tracing::Dispatch::new(tracing_subscriber::registry().with(self.layer()))
    }

    /// What happened to the spans sent to the OTLP endpoint (`None` without one). After
    /// [`shutdown`](Self::shutdown) (or drop), `pending_or_dropped` counts spans that were lost.
    pub fn export_stats(&self) -> Option<ExportStats> {
        self.export_counters.as_ref().map(|c| c.snapshot())
    }

    /// What the redacting processor did so far (`None` when redaction is off).
    pub fn redaction_stats(&self) -> Option<RedactionStats> {
        self.redaction_stats.as_ref().map(StatsHandle::snapshot)
    }

    /// What the tail sampler decided so far (`None` when tail sampling is off).
    pub fn sampler_stats(&self) -> Option<SamplerStats> {
        self.sampler_stats
            .as_ref()
            .map(SamplerStatsHandle::snapshot)
    }

    /// The meter provider GenAI metrics are recorded into, if metrics are on.
    pub fn meter_provider(&self) -> Option<&SdkMeterProvider> {
        self.meter_provider.as_ref()
    }

    /// Exports everything finished so far (spans and metrics).
    pub fn flush(&self) {
        if let Some(provider) = &self.provider {
            let _ = provider.force_flush();
        }
        if let Some(provider) = &self.meter_provider {
            let _ = provider.force_flush();
        }
    }

    /// Flushes and shuts down, waiting at most the shutdown timeout; returns what happened to
    /// the spans sent to the OTLP endpoint, if there was one.
    pub fn shutdown(mut self) -> Option<ExportStats> {
        self.shutdown_now();
        self.export_stats()
    }

    fn shutdown_now(&mut self) {
        // Traces and metrics shut down side by side, so the whole takes at most one timeout.
        let timeout = self.shutdown_timeout;
        let (traces, metrics) = (self.provider.take(), self.meter_provider.take());
        std::thread::scope(|scope| {
            if let Some(provider) = metrics {
                scope.spawn(move || {
                    let _ = provider.shutdown_with_timeout(timeout);
                });
            }
            if let Some(provider) = traces {
                let _ = provider.shutdown_with_timeout(timeout);
            }
        });
        if let Some(rt) = self.runtime.take() {
            // Safe to call from inside another runtime; does not wait for stuck exports.
            rt.shutdown_background();
        }
        // Lost spans are reported once, on stderr: the subscriber may be gone by now.
        if let Some(stats) = self.export_stats().filter(|s| s.lost() > 0) {
            if !self.reported_loss {
                self.reported_loss = true;
                eprintln!(
                    "llmtrace: {} of {} spans did not reach the OTLP endpoint ({} failed to export, {} dropped)",
                    stats.lost(),
                    stats.submitted,
                    stats.failed,
                    stats.pending_or_dropped
                );
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}
