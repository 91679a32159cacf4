//! Sends one pre-encoded OTLP `ExportTraceServiceRequest` to a backend, once: over gRPC (tonic,
//! with a codec that passes the bytes through) or over HTTP/protobuf (the blocking client),
//! optionally gzip-compressed, and says whether a failure is worth retrying with the same bytes.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes};
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::MetadataMap;
use tonic::transport::Channel;

use crate::config::Compression;

/// The `User-Agent` of the direct exporter, as the OTLP exporter specification asks: the
/// exporter, its language and version.
const USER_AGENT: &str = concat!(
    "llmtrace/",
    env!("CARGO_PKG_VERSION"),
    " (OTLP exporter; Rust)"
);

/// The gRPC method of the OTLP trace service.
const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// The longest wait a backend's throttling hint (gRPC `RetryInfo`, HTTP `Retry-After`) is taken
/// at; the export timeout still bounds every export.
const MAX_HINT: Duration = Duration::from_secs(600);

/// Why one attempt failed, and whether the same bytes may be sent again.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) retryable: bool,
    /// How long the backend asked us to wait before sending again.
    pub(crate) throttle: Option<Duration>,
    pub(crate) message: String,
}

/// One connection to an OTLP trace backend.
#[derive(Debug)]
pub(crate) enum Wire {
    Grpc(GrpcWire),
    Http(HttpWire),
}

impl Wire {
    /// Sends `body` (an encoded `ExportTraceServiceRequest`) once.
    pub(crate) async fn send(&self, body: &Bytes) -> Result<(), Failure> {
        match self {
            Wire::Grpc(wire) => wire.send(body).await,
            Wire::Http(wire) => wire.send(body),
        }
    }

    /// The bytes to send (and resend on retry) for one encoded request: compressed here once
    /// for HTTP with gzip; tonic compresses gRPC messages itself.
    pub(crate) fn prepare(&self, body: Bytes) -> Result<Bytes, Failure> {
        match self {
            Wire::Http(wire) if wire.gzip => gzip(&body).map(Bytes::from).map_err(|e| Failure {
                retryable: false,
                throttle: None,
                message: format!("gzip compression failed: {e}"),
            }),
            _ => Ok(body),
        }
    }

    /// Lets go of the connection; later sends fail.
    pub(crate) fn shutdown(&self) {
        if let Wire::Http(wire) = self {
            // Dropped here, on the caller's (the batch processor's) thread.
            drop(
                wire.client
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take(),
            );
        }
    }
}

/// OTLP/gRPC: a lazily connected tonic channel whose requests time out after the export
/// timeout. Must be built inside the Tokio runtime that drives the connection.
#[derive(Debug)]
pub(crate) struct GrpcWire {
    channel: Channel,
    metadata: MetadataMap,
    compression: Option<CompressionEncoding>,
}

impl GrpcWire {
    /// A channel to `endpoint` (`http://host:port`), connected on first use.
    pub(crate) fn new(
        endpoint: &str,
        metadata: MetadataMap,
        timeout: Duration,
        compression: Compression,
    ) -> Result<Self, String> {
        let endpoint = tonic::transport::Endpoint::from_shared(endpoint.to_owned())
            .and_then(|e| e.user_agent(USER_AGENT))
            .map_err(|e| format!("invalid endpoint '{endpoint}': {e}"))?;
        Ok(Self {
            channel: endpoint.timeout(timeout).connect_lazy(),
            metadata,
            compression: (compression == Compression::Gzip).then_some(CompressionEncoding::Gzip),
        })
    }

    async fn send(&self, body: &Bytes) -> Result<(), Failure> {
        let mut client = tonic::client::Grpc::new(self.channel.clone());
        if let Some(encoding) = self.compression {
            // A Go gRPC server (the collector, Jaeger) answers a gzip request in gzip: accept it.
            client = client.send_compressed(encoding).accept_compressed(encoding);
        }
        client.ready().await.map_err(|e| Failure {
            retryable: true,
            throttle: None,
            message: format!("gRPC channel not ready: {}", chain(&e)),
        })?;
        let mut request = tonic::Request::new(body.clone());
        *request.metadata_mut() = self.metadata.clone();
        client
            .unary(request, PathAndQuery::from_static(EXPORT_PATH), RawCodec)
            .await
            .map(drop)
            .map_err(|status| grpc_failure(&status))
    }
}

/// A gRPC status as a failure: the codes OTLP calls transient are retried, after the delay of
/// the status's `RetryInfo` if it has one; RESOURCE_EXHAUSTED only with such a delay.
fn grpc_failure(status: &tonic::Status) -> Failure {
    use tonic::Code;
    use tonic_types::StatusExt;
    let hint = status
        .get_details_retry_info()
        .and_then(|info| info.retry_delay)
        .filter(|delay| !delay.is_zero())
        .map(|delay| delay.min(MAX_HINT));
    let (retryable, throttle) = match status.code() {
        Code::ResourceExhausted | Code::Unavailable if hint.is_some() => (true, hint),
        Code::Unavailable
        | Code::Cancelled
        | Code::DeadlineExceeded
        | Code::Aborted
        | Code::OutOfRange
        | Code::DataLoss => (true, None),
        _ => (false, None),
    };
    // The status message may echo credentials; only the code and a local cause are kept.
    let mut message = format!("export failed with gRPC code: {:?}", status.code());
    if let Some(source) = std::error::Error::source(status) {
        message.push_str(": ");
        message.push_str(&chain(source));
    }
    Failure {
        retryable,
        throttle,
        message,
    }
}

/// A `Retry-After` value as a wait from `now`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3;
/// a date in the past is no wait), capped at [`MAX_HINT`]; `None` if it is neither.
fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(now)
            .unwrap_or(Duration::ZERO),
    };
    Some(wait.min(MAX_HINT))
}

/// `body` gzip-compressed at level 1: on chat spans 7× less CPU than the default level 6 for
/// 1.4× more bytes (BENCHMARKS.md), which is the better trade on the host's own cores.
fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 8 + 64),
        flate2::Compression::fast(),
    );
    encoder.write_all(body)?;
    encoder.finish()
}

/// An error and its sources, joined.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Sends pre-encoded request bytes as they are; reads and ignores the response message.
#[derive(Debug, Clone, Copy)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = ();
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Bytes;
    type Error = tonic::Status;

    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = ();
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<()>, Self::Error> {
        src.advance(src.remaining());
        Ok(Some(()))
    }
}

/// OTLP/HTTP with protobuf bodies, POSTed with the blocking client (on the batch processor's
/// thread, as opentelemetry-otlp's HTTP exporter does).
#[derive(Debug)]
pub(crate) struct HttpWire {
    client: Mutex<Option<reqwest::blocking::Client>>,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    /// Bodies are gzip-compressed by [`Wire::prepare`] and sent with `Content-Encoding: gzip`.
    gzip: bool,
}

impl HttpWire {
    /// A client for `endpoint` (the full URL, `…/v1/traces`) whose requests time out after
    /// `timeout`.
    pub(crate) fn new(
        endpoint: &str,
        mut headers: reqwest::header::HeaderMap,
        timeout: Duration,
        compression: Compression,
    ) -> Result<Self, String> {
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| format!("invalid endpoint '{endpoint}': {e}"))?;
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/x-protobuf"),
        );
        headers
            .entry(reqwest::header::USER_AGENT)
            .or_insert(reqwest::header::HeaderValue::from_static(USER_AGENT));
        let gzip = compression == Compression::Gzip;
        if gzip {
            headers.insert(
                reqwest::header::CONTENT_ENCODING,
                reqwest::header::HeaderValue::from_static("gzip"),
            );
        }
        // The blocking client runs its own runtime: it may not be built inside the host's.
        let client = std::thread::spawn(move || {
            reqwest::blocking::Client::builder()
                .timeout(timeout)
                .build()
                .map_err(|e| e.to_string())
        })
        .join()
        .map_err(|_| "the thread building the HTTP client failed".to_owned())??;
        Ok(Self {
            client: Mutex::new(Some(client)),
            url,
            headers,
            gzip,
        })
    }

    fn send(&self, body: &Bytes) -> Result<(), Failure> {
        let client = self
            .client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| Failure {
                retryable: false,
                throttle: None,
                message: "exporter already shut down".to_owned(),
            })?;
        let response = client
            .post(self.url.clone())
            .headers(self.headers.clone())
            .body(body.clone())
            .send()
            .map_err(|e| Failure {
                retryable: true,
                throttle: None,
                message: format!("HTTP export failed: {}", chain(&e)),
            })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| retry_after(v.to_str().ok()?, std::time::SystemTime::now()));
        // Read to the end so that the connection can be reused.
        let _ = response.bytes();
        if status.is_success() {
            return Ok(());
        }
        let throttled = matches!(status.as_u16(), 429 | 503);
        Err(Failure {
            retryable: throttled || matches!(status.as_u16(), 502 | 504),
            throttle: retry_after.filter(|_| throttled),
            message: format!("HTTP export failed with status {status}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::{retry_after, MAX_HINT};

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        // Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example date.
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:57 GMT", now),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past: no wait"
        );
        assert_eq!(retry_after("99999999", SystemTime::now()), Some(MAX_HINT));
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-1", now), None);
    }
}
