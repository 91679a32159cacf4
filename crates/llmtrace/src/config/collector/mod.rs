//! An OpenTelemetry Collector configuration as llmtrace's `LLMTRACE_CONFIG`: the traces
//! pipeline is read and the parts llmtrace implements run in-process, in the pipeline's order.
//!
//! - processors: `redaction[/name]`, `tail_sampling[/name]`, `attributes[/name]` become stages
//!   of the span processor chain; `resource[/name]` changes the resource; `batch` sets the export
//!   batch size and delay; `memory_limiter` (`limit_mib` − `spike_limit_mib`, at ~4 KiB a span)
//!   can lower the export queue's bound below its default;
//! - exporters: `otlp_grpc`/`otlp`, `otlp_http`/`otlphttp`, `debug` (console tree), `file`
//!   (OTLP-JSON lines), used when no `OTEL_EXPORTER_OTLP_*` variable and nothing in code sets
//!   the destination;
//! - everything else (receivers, extensions, connectors, other processors and exporters) runs
//!   in the collector only and is listed once at start-up.
//!
//! Keys are the collector's, with its defaults; an unknown key is an error naming its path.
//!
//! Inside: `keys.rs` reads sections with key paths, `pipeline.rs` picks the pipeline and walks
//! it, `processors.rs` and `exporters.rs` read one component each.

mod exporters;
mod keys;
mod pipeline;
mod processors;

pub(crate) use exporters::{Exporter, OtlpExporter};
pub(crate) use processors::Batch;

use serde_norway::Mapping;

use super::Stage;
use crate::attributes::Actions;

/// The top-level sections of a collector configuration.
pub(crate) const COLLECTOR_SECTIONS: &[&str] = &[
    "receivers",
    "processors",
    "exporters",
    "connectors",
    "extensions",
    "service",
];

/// Whether `document` is a collector configuration (has one of its top-level sections).
pub(crate) fn is_collector_config(document: &Mapping) -> bool {
    document.keys().any(|key| {
        key.as_str()
            .is_some_and(|name| COLLECTOR_SECTIONS.contains(&name))
    })
}

/// What llmtrace takes from one pipeline of a collector configuration.
#[derive(Debug, Clone, Default)]
pub(crate) struct CollectorPlan {
    /// The pipeline's name, e.g. `traces/phoenix`.
    pub(crate) pipeline: String,
    /// The in-process stages, in the pipeline's order.
    pub(crate) stages: Vec<Stage>,
    /// The `resource` processors' actions, in order.
    pub(crate) resource: Actions,
    /// From the `batch` processor.
    pub(crate) batch: Option<Batch>,
    /// From the `memory_limiter` processor.
    pub(crate) queue_spans: Option<usize>,
    /// The exporters llmtrace can run, in the pipeline's order.
    pub(crate) exporters: Vec<Exporter>,
    /// Components that run in the collector only, e.g. `processor filter`.
    pub(crate) collector_only: Vec<String>,
    /// Settings read but not (fully) applied in-process.
    pub(crate) notes: Vec<String>,
}

impl CollectorPlan {
    /// Reads pipeline `pipeline` (default `traces`) of the collector configuration `document`.
    pub(crate) fn read(document: &Mapping, pipeline: Option<&str>) -> Result<Self, String> {
        pipeline::read(document, pipeline)
    }

    /// The start-up line: what runs in-process and what in the collector only.
    pub(crate) fn summary(&self) -> String {
        let stages: Vec<&str> = self.stages.iter().map(Stage::kind).collect();
        let mut line = format!(
            "collector pipeline `{}`: runs in-process: {}",
            self.pipeline,
            if stages.is_empty() {
                "no processor".to_owned()
            } else {
                stages.join(" → ")
            }
        );
        if !self.collector_only.is_empty() {
            line.push_str("; runs in the collector only: ");
            line.push_str(&self.collector_only.join(", "));
        }
        for note in &self.notes {
            line.push_str("; ");
            line.push_str(note);
        }
        line
    }
}

#[cfg(test)]
mod collector_tests {
    use super::*;

    fn plan(yaml: &str, pipeline: Option<&str>) -> Result<CollectorPlan, String> {
        let document: Mapping = serde_norway::from_str(yaml).expect("yaml");
        CollectorPlan::read(&document, pipeline)
    }

    const FILE: &str = "
receivers: {otlp: {protocols: {grpc: {}}}}
extensions: {health_check: {}}
processors:
  memory_limiter: {check_interval: 1s, limit_mib: 4, spike_limit_mib: 2}
  attributes/env: {actions: [{key: env, value: prod, action: insert}]}
  filter: {error_mode: ignore}
  redaction: {allow_all_keys: true, blocked_values: ['x']}
  tail_sampling: {policies: [{name: e, type: status_code, status_code: {status_codes: [ERROR]}}]}
  batch: {timeout: 1s, send_batch_size: 10}
exporters:
  debug: {}
  otlp_grpc/jaeger: {endpoint: 'jaeger:4317', tls: {insecure: true}, compression: zstd}
  otlp_http/b: {endpoint: 'http://b:4318'}
  kafka: {}
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, attributes/env, filter, tail_sampling, redaction, batch]
      exporters: [otlp_grpc/jaeger, debug, kafka, otlp_http/b]
    traces/other:
      receivers: [otlp]
      processors: [redaction]
      exporters: [debug]
";

    #[test]
    fn the_pipeline_is_read_in_order_and_the_rest_is_listed() {
        let traces = plan(FILE, None).expect("valid");
        let kinds: Vec<&str> = traces.stages.iter().map(Stage::kind).collect();
        assert_eq!(kinds, ["attributes", "tail_sampling", "redaction"]);
        assert_eq!(traces.queue_spans, Some(512));
        assert_eq!(traces.batch.map(|b| b.size), Some(10));
        assert_eq!(traces.exporters.len(), 2);
        assert_eq!(
            traces.collector_only,
            [
                "extension health_check",
                "receiver otlp",
                "processor filter",
                "exporter kafka",
                "exporter otlp_http/b (in-process only the first OTLP exporter)"
            ]
        );
        assert!(traces.summary().contains("runs in the collector only: "));
        assert!(traces
            .summary()
            .contains("exporters.otlp_grpc/jaeger.compression: zstd is not applied"));
        let other = plan(FILE, Some("traces/other")).expect("valid");
        assert_eq!(other.stages.len(), 1);
    }

    #[test]
    fn mistakes_name_their_key_path() {
        let cases = [
            (
                FILE.replace("allow_all_keys", "alow_all_keys"),
                None,
                "processors.redaction.alow_all_keys",
            ),
            (
                FILE.to_owned(),
                Some("traces/nope"),
                "service.pipelines.traces/nope",
            ),
            (
                FILE.replace("[otlp_grpc/jaeger,", "[otlp_grpc/tempo,"),
                None,
                "`otlp_grpc/tempo` is not defined",
            ),
            (
                FILE.replace("status_codes", "status_code"),
                None,
                "processors.tail_sampling",
            ),
            (
                format!("{FILE}\nredaction: {{}}\n"),
                None,
                "redaction: unknown section",
            ),
        ];
        for (yaml, pipeline, needle) in cases {
            let err = plan(&yaml, pipeline).expect_err(needle);
            assert!(err.contains(needle), "{err} does not name {needle}");
        }
    }
}
