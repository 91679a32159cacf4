//! The [`Guard`] that owns a built pipeline: read-outs while it runs, flush and shutdown within
//! one deadline when it is dropped.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{filter_fn, FilterExt as _, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::export::{Counters, ExportStats};
use llmtrace_processor::redact::{RedactionStats, StatsHandle};
use llmtrace_processor::sample::{SamplerStats, SamplerStatsHandle};

/// Owns the pipeline. Dropping it flushes pending spans and shuts down, waiting at most the
/// shutdown timeout (5 s by default) however the backend behaves.
pub struct Guard {
    pub(super) provider: Option<SdkTracerProvider>,
    pub(super) meter_provider: Option<SdkMeterProvider>,
    pub(super) logger_provider: Option<SdkLoggerProvider>,
    pub(super) export_counters: Option<Arc<Counters>>,
    pub(super) reported_loss: bool,
    pub(super) redaction_stats: Option<StatsHandle>,
    pub(super) sampler_stats: Option<SamplerStatsHandle>,
    pub(super) runtime: Option<tokio::runtime::Runtime>,
    pub(super) shutdown_timeout: Duration,
    pub(super) filter_directives: String,
    pub(super) event_targets: Targets,
    /// This pipeline's content-capture choice, carried by its layer.
    pub(super) capture_content: bool,
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
    pub(super) fn disabled(shutdown_timeout: Duration) -> Self {
        Guard {
            provider: None,
            meter_provider: None,
            logger_provider: None,
            export_counters: None,
            reported_loss: false,
            redaction_stats: None,
            sampler_stats: None,
            runtime: None,
            shutdown_timeout,
            filter_directives: String::new(),
            event_targets: Targets::new(),
            capture_content: false,
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
    /// (`LLMTRACE_LOG`, default `info`; of the events inside spans, those `LLMTRACE_SPAN_EVENTS`
    /// admits become span events), for use in a subscriber of your own. It carries the
    /// pipeline's content-capture choice ([`ContentCapture`](crate::ContentCapture)), which spans
    /// under it follow.
    ///
    /// An application that already logs with `tracing_subscriber::fmt()` keeps its subscriber
    /// and adds this layer to it (build with `install_global(false)`):
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt;
    /// use tracing_subscriber::util::SubscriberInitExt;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let guard = llmtrace::builder().install_global(false).build()?;
    /// tracing_subscriber::registry()
    ///     .with(tracing_subscriber::fmt::layer()) // the logs, as before
    ///     .with(guard.layer()) // GenAI spans → llmtrace's pipeline
    ///     .try_init()?;
    ///
    /// tracing::info!("started"); // logged by fmt
    /// let chat = llmtrace::chat("gpt-4o").start(); // traced by llmtrace
    /// drop(chat);
    /// # Ok(())
    /// # }
    /// ```
    pub fn layer<S>(&self) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
    where
        S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
    {
        let capture = crate::ContentCapture::new(self.capture_content);
        match &self.provider {
            Some(provider) => {
                let events = self.event_targets.clone();
                let filter = EnvFilter::try_new(&self.filter_directives)
                    .unwrap_or_else(|_| EnvFilter::new("info"))
                    .and(filter_fn(move |meta| {
                        !meta.is_event() || events.would_enable(meta.target(), meta.level())
                    }));
                tracing_opentelemetry::layer()
                    .with_tracer(provider.tracer("llmtrace"))
                    .with_tracked_inactivity(false)
                    .with_threads(false)
                    .with_location(false)
                    .with_target(false)
                    .with_filter(filter)
                    .and_then(capture)
                    .boxed()
            }
            None => capture.boxed(),
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

    /// The logger provider the `gen_ai.client.inference.operation.details` log records are
    /// emitted into, when a capture mode with events is on (see [`CaptureMode`](crate::CaptureMode)).
    pub fn logger_provider(&self) -> Option<&SdkLoggerProvider> {
        self.logger_provider.as_ref()
    }

    /// Exports everything finished so far (spans, then the log records they emitted, then
    /// metrics).
    pub fn flush(&self) {
        if let Some(provider) = &self.provider {
            let _ = provider.force_flush();
        }
        if let Some(provider) = &self.logger_provider {
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
        // Traces, logs and metrics shut down side by side, so the whole takes at most one
        // timeout. Traces first in their thread: their last spans emit the last log records,
        // which the logs' shutdown then flushes.
        let timeout = self.shutdown_timeout;
        let (traces, metrics) = (self.provider.take(), self.meter_provider.take());
        let logs = self.logger_provider.take();
        std::thread::scope(|scope| {
            if let Some(provider) = metrics {
                scope.spawn(move || {
                    let _ = provider.shutdown_with_timeout(timeout);
                });
            }
            let started = std::time::Instant::now();
            if let Some(provider) = traces {
                let _ = provider.shutdown_with_timeout(timeout);
            }
            if let Some(provider) = logs {
                let _ = provider.shutdown_with_timeout(timeout.saturating_sub(started.elapsed()));
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
