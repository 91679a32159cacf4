//! The OTLP exporters of the three signals, built with one set of transport rules.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry_otlp::{ExporterBuildError, WithExportConfig, WithHttpConfig, WithTonicConfig};

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use super::direct::DirectExporter;
use super::wire::{GrpcWire, HttpWire, Wire};
use crate::config::{Compression, Protocol, TraceExporter};
use crate::InitError;

/// Where and how one signal is exported over OTLP.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transport<'a> {
    pub(crate) protocol: Protocol,
    /// The signal's full endpoint (`…/v1/traces` over HTTP).
    pub(crate) endpoint: &'a str,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) timeout: Duration,
    pub(crate) compression: Compression,
    /// Which exporter sends spans (the other signals always use opentelemetry-otlp's).
    pub(crate) trace_exporter: TraceExporter,
}

/// Builds the OTLP exporter of one signal from its exporter type's builder, with the same
/// transport rules for every signal. For gRPC the caller must have entered the Tokio runtime
/// that will drive the connection.
macro_rules! otlp_exporter {
    ($exporter:ty, $transport:expr) => {{
        let t: &Transport<'_> = $transport;
        let gzip = t.compression == Compression::Gzip;
        let built = match t.protocol {
            Protocol::Grpc => {
                let builder = <$exporter>::builder()
                    .with_tonic()
                    .with_endpoint(t.endpoint)
                    .with_timeout(t.timeout)
                    .with_metadata(grpc_metadata(t.headers)?);
                if gzip {
                    builder.with_compression(opentelemetry_otlp::Compression::Gzip)
                } else {
                    builder
                }
                .build()
            }
            Protocol::HttpProtobuf => {
                let builder = <$exporter>::builder()
                    .with_http()
                    .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                    .with_endpoint(t.endpoint)
                    .with_timeout(t.timeout)
                    .with_headers(t.headers.iter().cloned().collect::<HashMap<_, _>>());
                if gzip {
                    builder.with_compression(opentelemetry_otlp::Compression::Gzip)
                } else {
                    builder
                }
                .build()
            }
        };
        built.map_err(InitError::Exporter)
    }};
}

/// The OTLP span exporter: ours, which encodes each batch once, or opentelemetry-otlp's (chosen
/// with `LLMTRACE_OTLP_TRACE_EXPORTER=opentelemetry-otlp`, and for `https` endpoints, which need
/// its TLS set-up).
#[derive(Debug)]
pub(crate) enum OtlpSpanExporter {
    Direct(DirectExporter),
    Sdk(opentelemetry_otlp::SpanExporter),
}

impl SpanExporter for OtlpSpanExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        match self {
            Self::Direct(exporter) => exporter.export(batch).await,
            Self::Sdk(exporter) => exporter.export(batch).await,
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        match self {
            Self::Direct(exporter) => exporter.shutdown_with_timeout(timeout),
            Self::Sdk(exporter) => exporter.shutdown_with_timeout(timeout),
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        match self {
            Self::Direct(exporter) => exporter.force_flush(),
            Self::Sdk(exporter) => exporter.force_flush(),
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        match self {
            Self::Direct(exporter) => exporter.set_resource(resource),
            Self::Sdk(exporter) => exporter.set_resource(resource),
        }
    }
}

/// Builds the OTLP span exporter. For gRPC the caller must have entered the Tokio runtime that
/// will drive the connection.
pub(crate) fn build_otlp_span_exporter(
    transport: &Transport<'_>,
) -> Result<OtlpSpanExporter, InitError> {
    let sdk = transport.trace_exporter == TraceExporter::OpentelemetryOtlp
        || transport
            .endpoint
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("https:");
    if sdk {
        let exporter = otlp_exporter!(opentelemetry_otlp::SpanExporter, transport)?;
        return Ok(OtlpSpanExporter::Sdk(exporter));
    }
    let Transport {
        protocol,
        endpoint,
        headers,
        timeout,
        compression,
        ..
    } = *transport;
    let wire = match protocol {
        Protocol::Grpc => {
            GrpcWire::new(endpoint, grpc_metadata(headers)?, timeout, compression).map(Wire::Grpc)
        }
        Protocol::HttpProtobuf => {
            HttpWire::new(endpoint, http_headers(headers)?, timeout, compression).map(Wire::Http)
        }
    }
    .map_err(|e| InitError::Exporter(ExporterBuildError::InvalidConfiguration(e)))?;
    Ok(OtlpSpanExporter::Direct(DirectExporter::new(wire, timeout)))
}

/// Builds the OTLP metric exporter.
pub(crate) fn build_otlp_metric_exporter(
    transport: &Transport<'_>,
) -> Result<opentelemetry_otlp::MetricExporter, InitError> {
    otlp_exporter!(opentelemetry_otlp::MetricExporter, transport)
}

/// Builds the OTLP log exporter.
pub(crate) fn build_otlp_log_exporter(
    transport: &Transport<'_>,
) -> Result<opentelemetry_otlp::LogExporter, InitError> {
    otlp_exporter!(opentelemetry_otlp::LogExporter, transport)
}

fn grpc_metadata(headers: &[(String, String)]) -> Result<tonic::metadata::MetadataMap, InitError> {
    let mut metadata = tonic::metadata::MetadataMap::new();
    for (key, value) in headers {
        let key = tonic::metadata::MetadataKey::from_bytes(key.to_ascii_lowercase().as_bytes())
            .map_err(|_| InitError::header(key))?;
        let value = value.parse().map_err(|_| InitError::header(key.as_str()))?;
        metadata.insert(key, value);
    }
    Ok(metadata)
}

fn http_headers(headers: &[(String, String)]) -> Result<reqwest::header::HeaderMap, InitError> {
    let mut map = reqwest::header::HeaderMap::new();
    for (key, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(key.as_bytes())
            .map_err(|_| InitError::header(key))?;
        let value =
            reqwest::header::HeaderValue::from_str(value).map_err(|_| InitError::header(key))?;
        map.insert(name, value);
    }
    Ok(map)
}
