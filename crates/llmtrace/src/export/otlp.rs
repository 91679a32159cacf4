//! The OTLP exporters of the three signals, built with one set of transport rules.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry_otlp::{WithExportConfig, WithHttpConfig, WithTonicConfig};

use crate::config::Protocol;
use crate::InitError;

/// Builds the OTLP exporter of one signal from its exporter type's builder, with the same
/// transport rules for every signal. For gRPC the caller must have entered the Tokio runtime
/// that will drive the connection.
macro_rules! otlp_exporter {
    ($exporter:ty, $protocol:expr, $endpoint:expr, $headers:expr, $timeout:expr) => {{
        let built = match $protocol {
            Protocol::Grpc => <$exporter>::builder()
                .with_tonic()
                .with_endpoint($endpoint)
                .with_timeout($timeout)
                .with_metadata(grpc_metadata($headers)?)
                .build(),
            Protocol::HttpProtobuf => <$exporter>::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint($endpoint)
                .with_timeout($timeout)
                .with_headers($headers.iter().cloned().collect::<HashMap<_, _>>())
                .build(),
        };
        built.map_err(InitError::Exporter)
    }};
}

/// Builds the OTLP span exporter.
pub(crate) fn build_otlp_span_exporter(
    protocol: Protocol,
    endpoint: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<opentelemetry_otlp::SpanExporter, InitError> {
    otlp_exporter!(
        opentelemetry_otlp::SpanExporter,
        protocol,
        endpoint,
        headers,
        timeout
    )
}

/// Builds the OTLP metric exporter.
pub(crate) fn build_otlp_metric_exporter(
    protocol: Protocol,
    endpoint: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<opentelemetry_otlp::MetricExporter, InitError> {
    otlp_exporter!(
        opentelemetry_otlp::MetricExporter,
        protocol,
        endpoint,
        headers,
        timeout
    )
}

/// Builds the OTLP log exporter.
pub(crate) fn build_otlp_log_exporter(
    protocol: Protocol,
    endpoint: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<opentelemetry_otlp::LogExporter, InitError> {
    otlp_exporter!(
        opentelemetry_otlp::LogExporter,
        protocol,
        endpoint,
        headers,
        timeout
    )
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
