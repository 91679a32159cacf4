//! Stages 2–7 of [`Builder::build`](super::Builder::build): each builds one part of the pipeline
//! from the resolved [`Settings`].

use std::sync::Arc;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_sdk::logs::{BatchLogProcessor, LogProcessor, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{
    BatchConfig, BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SpanProcessor,
};
use opentelemetry_sdk::Resource;
use tracing_subscriber::layer::SubscriberExt;

use super::resolve::Settings;
use super::{Guard, InitError};
use crate::attributes::AttributesProcessor;
use crate::config::{HeadSampler, Stage};
use crate::content::{ContentEventProcessor, EventMarks};
use crate::cost::CostProcessor;
use crate::enrich::NormalizingProcessor;
use crate::export::{
    build_otlp_log_exporter, build_otlp_metric_exporter, build_otlp_span_exporter, Counters,
    CountingExporter, CountingProcessor, DynProcessor, FanOut, JsonLinesExporter, Shards,
    TreeExporter,
};
use crate::metrics::MetricsProcessor;
use crate::ContextProcessor;
use llmtrace_processor::redact::{RedactingProcessor, StatsHandle};
use llmtrace_processor::sample::{SamplerStatsHandle, TailSampler};

/// Spans queued per destination (shared by its export workers) unless `OTEL_BSP_MAX_QUEUE_SIZE`.
const QUEUE_SIZE: usize = 16_384;
/// The smallest queue of one export worker.
const MIN_SHARD_QUEUE_SIZE: usize = 1024;
/// Spans per export unless `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`.
const BATCH_SIZE: usize = 4096;

/// Stage 2: the resource every span, log record and metric carries.
/// A collector configuration's `resource` actions are applied last, to the finished resource.
pub(super) fn resource(settings: &Settings) -> Resource {
    let mut resource = Resource::builder();
    if let Some(name) = &settings.service_name {
        resource = resource.with_service_name(name.clone());
    }
    resource = resource.with_attributes(
        settings
            .resource_attributes
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
    );
    if let Some(project) = &settings.project_name {
        resource =
            resource.with_attribute(KeyValue::new("openinference.project.name", project.clone()));
    }
    let resource = resource.build();
    if settings.resource_actions.0.is_empty() {
        return resource;
    }
    let mut attributes: Vec<KeyValue> = resource
        .iter()
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    settings.resource_actions.apply(&mut attributes);
    let builder = Resource::builder_empty().with_attributes(attributes);
    match resource.schema_url() {
        Some(url) => builder.with_schema_url(Vec::new(), url.to_owned()).build(),
        None => builder.build(),
    }
}

/// The runtime the gRPC exporters run on: tonic needs Tokio; ours keeps exporting while the
/// host's runtime shuts down, and the host needs none at all.
pub(super) fn export_runtime(
    settings: &Settings,
) -> Result<Option<tokio::runtime::Runtime>, InitError> {
    if !settings.needs_runtime() {
        return Ok(None);
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(settings.otlp.export_workers.min(2))
        .thread_name("llmtrace-export")
        .enable_all()
        .build()
        .map(Some)
        .map_err(InitError::Runtime)
}

/// Queue and batch sizes of one batch processor among `shards` that share the queue bound.
/// Larger than the SDK's defaults (2048 / 512): fewer, larger exports; the queues still bound
/// memory (~16 MiB of spans per destination). `OTEL_BSP_*` still win (per worker).
fn batch_config(settings: &Settings, shards: usize) -> BatchConfig {
    let mut config = BatchConfigBuilder::default().with_scheduled_delay(settings.batch_delay);
    // A collector configuration's memory_limiter only lowers the bound.
    let bound = settings
        .queue_size
        .map_or(QUEUE_SIZE, |q| q.min(QUEUE_SIZE));
    let queue = (bound / shards).max(MIN_SHARD_QUEUE_SIZE);
    if !settings.queue_from_env {
        config = config.with_max_queue_size(queue);
    }
    if !settings.batch_from_env {
        let batch = settings.batch_size.unwrap_or(BATCH_SIZE);
        config = config.with_max_export_batch_size(batch.min(queue / 2).max(1));
    }
    config.build()
}

/// What stage 3 built: the destinations and what the guard reads from them.
pub(super) struct Destinations {
    pub(super) processors: FanOut,
    pub(super) export_counters: Option<Arc<Counters>>,
    /// Spans whose inference log record was emitted, for the console tree's mark.
    pub(super) event_marks: Option<EventMarks>,
    /// The file the log records are appended to, next to the spans.
    pub(super) file: Option<JsonLinesExporter>,
}

/// Stage 3: where finished spans go. Local destinations first: they finish within any
/// shutdown deadline, whatever the network does.
pub(super) fn destinations(
    settings: &Settings,
    runtime: Option<&tokio::runtime::Runtime>,
    extra: Vec<Box<dyn SpanProcessor>>,
) -> Result<Destinations, InitError> {
    let mut processors = FanOut::new();
    let mut event_marks = None;
    if settings.console {
        let marks = settings.emit_events.then(EventMarks::default);
        let tree = TreeExporter::stderr().with_event_marks(marks.clone());
        event_marks = marks;
        processors.push(
            BatchSpanProcessor::builder(tree)
                .with_batch_config(batch_config(settings, 1))
                .build(),
        );
    }
    let mut file = None;
    if let Some(path) = &settings.file {
        let exporter = JsonLinesExporter::open(path).map_err(|source| InitError::File {
            path: path.clone(),
            source,
        })?;
        file = Some(exporter.clone());
        processors.push(
            BatchSpanProcessor::builder(exporter)
                .with_batch_config(batch_config(settings, 1))
                .build(),
        );
    }
    let mut export_counters = None;
    if let Some(endpoint) = &settings.otlp.traces_endpoint {
        let counters = Arc::new(Counters::default());
        processors.push(otlp_workers(settings, endpoint, runtime, &counters)?);
        export_counters = Some(counters);
    }
    for processor in extra {
        processors.push_boxed(processor);
    }
    Ok(Destinations {
        processors,
        export_counters,
        event_marks,
        file,
    })
}

/// The OTLP destination: `export_workers` batch processors, each with its own exporter and
/// connection, sharing one queue bound, counted together.
fn otlp_workers(
    settings: &Settings,
    endpoint: &str,
    runtime: Option<&tokio::runtime::Runtime>,
    counters: &Arc<Counters>,
) -> Result<CountingProcessor<Shards>, InitError> {
    let workers = settings.otlp.export_workers;
    let mut shards: Vec<Box<dyn SpanProcessor>> = Vec::with_capacity(workers);
    for _ in 0..workers {
        let exporter = {
            let _entered = runtime.map(|rt| rt.enter());
            build_otlp_span_exporter(&settings.otlp.transport(endpoint))?
        };
        let exporter = CountingExporter {
            inner: exporter,
            counters: counters.clone(),
        };
        shards.push(Box::new(
            BatchSpanProcessor::builder(exporter)
                .with_batch_config(batch_config(settings, workers))
                .build(),
        ));
    }
    Ok(CountingProcessor {
        inner: Shards::new(shards),
        counters: counters.clone(),
    })
}

/// Stage 4a: the logger provider for the inference log records, when they are emitted: OTLP
/// logs (same protocol, headers and timeout as the spans), the OTLP-JSON file, and the
/// processors added in code.
pub(super) fn logger_provider(
    settings: &Settings,
    resource: &Resource,
    runtime: Option<&tokio::runtime::Runtime>,
    destinations: &Destinations,
    extra: Vec<Box<dyn LogProcessor>>,
) -> Result<Option<SdkLoggerProvider>, InitError> {
    if !settings.emit_events {
        return Ok(None);
    }
    let mut builder = SdkLoggerProvider::builder().with_resource(resource.clone());
    if let Some(file) = &destinations.file {
        builder = builder.with_log_processor(BatchLogProcessor::builder(file.clone()).build());
    }
    if let Some(endpoint) = &settings.otlp.logs_endpoint {
        let exporter = {
            let _entered = runtime.map(|rt| rt.enter());
            build_otlp_log_exporter(&settings.otlp.transport(endpoint))?
        };
        builder = builder.with_log_processor(BatchLogProcessor::builder(exporter).build());
    }
    for processor in extra {
        builder = builder.with_log_processor(BoxedLogProcessor(processor));
    }
    Ok(Some(builder.build()))
}

/// A boxed log processor as one the SDK's builder takes.
#[derive(Debug)]
struct BoxedLogProcessor(Box<dyn LogProcessor>);

impl LogProcessor for BoxedLogProcessor {
    fn emit(
        &self,
        record: &mut opentelemetry_sdk::logs::SdkLogRecord,
        scope: &opentelemetry::InstrumentationScope,
    ) {
        self.0.emit(record, scope);
    }

    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}

/// Stage 4b: the meter provider GenAI metrics are recorded into: the one given in code, else
/// an OTLP one when there is a metrics endpoint.
pub(super) fn meter_provider(
    settings: &Settings,
    resource: &Resource,
    runtime: Option<&tokio::runtime::Runtime>,
    given: Option<SdkMeterProvider>,
) -> Result<Option<SdkMeterProvider>, InitError> {
    if !settings.metrics {
        return Ok(None);
    }
    if given.is_some() {
        return Ok(given);
    }
    let Some(endpoint) = &settings.otlp.metrics_endpoint else {
        return Ok(None);
    };
    let exporter = {
        let _entered = runtime.map(|rt| rt.enter());
        build_otlp_metric_exporter(&settings.otlp.transport(endpoint))?
    };
    Ok(Some(
        SdkMeterProvider::builder()
            .with_resource(resource.clone())
            .with_reader(PeriodicReader::builder(exporter).build())
            .build(),
    ))
}

/// What stage 5 built: the whole chain and the read-outs of its processors.
pub(super) struct Chain {
    pub(super) processor: NormalizingProcessor<CostProcessor<DynProcessor>>,
    pub(super) redaction_stats: Option<StatsHandle>,
    pub(super) sampler_stats: Option<SamplerStatsHandle>,
}

/// Stage 5: the processor chain in front of the destinations. Outermost first: normalisation
/// of any GenAI span (and content removed with capture off) → cost → OpenInference enrichment
/// (unless switched off) → metrics → the configured stages (by default redaction → tail
/// sampling; a collector configuration's in its pipeline's order) → content events →
/// (decorators added in code) → destinations. Metrics count every span; by default the sampler
/// buffers only scrubbed, size-bounded spans; log records are built from scrubbed spans of kept
/// traces.
pub(super) fn processor_chain(
    settings: &Settings,
    destinations: FanOut,
    wrap: Vec<Box<dyn FnOnce(DynProcessor) -> DynProcessor>>,
    meter_provider: Option<&SdkMeterProvider>,
    logger_provider: Option<&SdkLoggerProvider>,
    event_marks: Option<EventMarks>,
) -> Result<Chain, InitError> {
    let mut chain = DynProcessor::new(destinations);
    if logger_provider.is_some()
        || (settings.capture.records_content() && !settings.capture.on_spans())
    {
        chain = DynProcessor::new(
            ContentEventProcessor::new(chain, settings.capture, logger_provider)
                .with_marks(event_marks),
        );
    }
    for wrap in wrap {
        chain = wrap(chain);
    }
    let mut sampler_stats = None;
    let mut redaction_stats = None;
    // Innermost first; the outermost stage of a kind reports its statistics.
    for stage in settings.stages.iter().rev() {
        chain = match stage {
            Stage::TailSampling(config) => {
                let sampler = TailSampler::new(chain, config.clone())?;
                sampler_stats = Some(sampler.stats_handle());
                DynProcessor::new(sampler)
            }
            Stage::Redaction(config) => {
                let redactor = RedactingProcessor::from_config(chain, config)?;
                redaction_stats = Some(redactor.stats_handle());
                DynProcessor::new(redactor)
            }
            Stage::Attributes(actions) => {
                DynProcessor::new(AttributesProcessor::new(chain, actions.clone()))
            }
        };
    }
    if let Some(provider) = meter_provider {
        chain = DynProcessor::new(MetricsProcessor::new(chain, &provider.meter("llmtrace")));
    }
    if settings.openinference {
        // The mirror is derived once from `gen_ai.*`, ahead of redaction, which scrubs it too.
        chain = DynProcessor::new(crate::enrich::OpenInferenceProcessor::new(chain));
    }
    let cost = CostProcessor::new(chain, settings.prices.clone());
    Ok(Chain {
        processor: NormalizingProcessor::new(cost, settings.capture),
        redaction_stats,
        sampler_stats,
    })
}

/// Stage 6: the tracer provider, with the head sampler and the context processor around the
/// chain.
pub(super) fn tracer_provider(
    settings: &Settings,
    resource: Resource,
    chain: NormalizingProcessor<CostProcessor<DynProcessor>>,
) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_resource(resource)
        .with_sampler(head_sampler(settings.head_sampler))
        .with_span_processor(ContextProcessor::wrap(chain))
        .build()
}

fn head_sampler(choice: Option<HeadSampler>) -> Sampler {
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

/// Stage 7: the global `tracing` subscriber and OpenTelemetry providers.
pub(super) fn install_global(guard: &Guard) -> Result<(), InitError> {
    let subscriber = tracing_subscriber::registry().with(guard.layer());
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| InitError::SubscriberAlreadySet)?;
    if let Some(provider) = &guard.provider {
        opentelemetry::global::set_tracer_provider(provider.clone());
    }
    if let Some(provider) = &guard.meter_provider {
        opentelemetry::global::set_meter_provider(provider.clone());
    }
    Ok(())
}
