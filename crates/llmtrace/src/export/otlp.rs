use std::collections::HashMap;
use std::time::Duration;

use opentelemetry_otlp::{WithExportConfig, WithHttpConfig, WithTonicConfig};

use crate::config::Protocol;
use crate::InitError;

/// Builds the OTLP span exporter. For gRPC the caller must have entered the Tokio runtime that
/// will drive the connection.
pub(crate) fn build_otlp_exporter(
    protocol: Protocol,
    endpoint: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<opentelemetry_otlp::SpanExporter, InitError> {
    let built = match protocol {
        Protocol::Grpc => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .with_timeout(timeout)
            .with_metadata(grpc_metadata(headers)?)
            .build(),
        Protocol::HttpProtobuf => opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(endpoint)
            .with_timeout(timeout)
            .with_headers(headers.iter().cloned().collect::<HashMap<_, _>>())
            .build(),
    };
    built.map_err(|e| InitError::Exporter(e.to_string()))
}

/// Builds the OTLP metric exporter (same transport rules as the span exporter).
pub(crate) fn build_otlp_metric_exporter(
    protocol: Protocol,
    endpoint: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<opentelemetry_otlp::MetricExporter, InitError> {
    let built = match protocol {
        Protocol::Grpc => opentelemetry_otlp::MetricExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .with_timeout(timeout)
            .with_metadata(grpc_metadata(headers)?)
            .build(),
        Protocol::HttpProtobuf => opentelemetry_otlp::MetricExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(endpoint)
            .with_timeout(timeout)
            .with_headers(headers.iter().cloned().collect::<HashMap<_, _>>())
            .build(),
    };
    built.map_err(|e| InitError::Exporter(e.to_string()))
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
