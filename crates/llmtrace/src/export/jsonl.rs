//! The OTLP-JSON lines file exporter (`LLMTRACE_FILE`) for spans and log records.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::logs::tonic::group_logs_by_resource_and_scope;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::logs::{LogBatch, LogExporter};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

/// Appends each exported batch to a file as one line of OTLP JSON: an
/// `ExportTraceServiceRequest` (`resourceSpans`) for spans, an `ExportLogsServiceRequest`
/// (`resourceLogs`) for log records — the format `otel-cli`, the collector's `file` exporter and
/// llmtrace's own tools read.
///
/// Clones share the file: the span and the log exporter of one pipeline write whole lines,
/// one at a time, to the same file.
#[derive(Debug)]
pub struct JsonLinesExporter {
    out: Arc<Mutex<BufWriter<File>>>,
    resource: ResourceAttributesWithSchema,
}

impl JsonLinesExporter {
    /// Opens (creating or appending to) `path`.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(JsonLinesExporter {
            out: Arc::new(Mutex::new(BufWriter::new(file))),
            resource: ResourceAttributesWithSchema::default(),
        })
    }

    /// Writes one request as one line.
    fn write_line(&self, request: &impl serde::Serialize) -> OTelSdkResult {
        let line = serde_json::to_string(request)
            .map_err(|e| OTelSdkError::InternalFailure(format!("encoding OTLP JSON: {e}")))?;
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(|e| OTelSdkError::InternalFailure(format!("writing the trace file: {e}")))
    }
}

impl Clone for JsonLinesExporter {
    /// The same file; the resource is the one the clone's provider sets.
    fn clone(&self) -> Self {
        JsonLinesExporter {
            out: self.out.clone(),
            resource: ResourceAttributesWithSchema::default(),
        }
    }
}

impl SpanExporter for JsonLinesExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.write_line(&ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(batch, &self.resource),
        })
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.into();
    }
}

impl LogExporter for JsonLinesExporter {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        self.write_line(&ExportLogsServiceRequest {
            resource_logs: group_logs_by_resource_and_scope(&batch, &self.resource),
        })
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.into();
    }
}
