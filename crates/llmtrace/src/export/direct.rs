//! The OTLP trace exporter that encodes each batch once, straight from `SpanData` to protobuf
//! bytes, and sends those bytes — the same bytes again on each retry, with exponential backoff
//! and jitter, within the export timeout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use super::encode::TraceEncoder;
use super::wire::{Failure, Wire};

/// Retries after the first attempt (opentelemetry-otlp's recommended policy).
const MAX_RETRIES: u32 = 3;
/// The first pause between attempts; doubled after each.
const INITIAL_DELAY: Duration = Duration::from_millis(100);
/// The longest pause between attempts.
const MAX_DELAY: Duration = Duration::from_millis(1600);
/// The longest pause when the backend asked for longer than [`MAX_DELAY`].
const MAX_THROTTLED_DELAY: Duration = Duration::from_secs(30);
/// Up to this much is added at random to each pause.
const MAX_JITTER_MS: u32 = 100;

/// Encodes each batch once and sends it over gRPC or HTTP/protobuf.
#[derive(Debug)]
pub(crate) struct DirectExporter {
    encoder: Mutex<TraceEncoder>,
    wire: Wire,
    /// The time budget of one export, retries and pauses included.
    timeout: Duration,
    shut_down: AtomicBool,
}

impl DirectExporter {
    pub(crate) fn new(wire: Wire, timeout: Duration) -> Self {
        Self {
            encoder: Mutex::new(TraceEncoder::new()),
            wire,
            timeout,
            shut_down: AtomicBool::new(false),
        }
    }

    /// Sends `body` until it is accepted, the failure is not worth retrying, the retries are
    /// used up, or the next pause would end after the time budget. A backend's throttling hint
    /// lengthens the pause (and the later ones, which double from it).
    async fn send_with_retries(&self, body: Bytes) -> Result<(), Failure> {
        let started = Instant::now();
        let mut delay = INITIAL_DELAY;
        let mut cap = MAX_DELAY;
        let mut retries = 0;
        loop {
            let failure = match self.wire.send(&body).await {
                Ok(()) => return Ok(()),
                Err(failure) => failure,
            };
            let left = self.timeout.saturating_sub(started.elapsed());
            if !failure.retryable || retries >= MAX_RETRIES || left.is_zero() {
                return Err(failure);
            }
            if let Some(hint) = failure.throttle {
                let hint = hint.min(MAX_THROTTLED_DELAY);
                if hint > cap {
                    cap = MAX_THROTTLED_DELAY;
                }
                delay = delay.max(hint);
            }
            let pause = (delay + jitter()).min(cap);
            if pause >= left {
                return Err(failure);
            }
            pause_for(pause).await;
            delay = (delay * 2).min(cap);
            retries += 1;
        }
    }
}

/// A pseudo-random 0–100 ms, so that workers that failed together do not retry together.
fn jitter() -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    Duration::from_millis(u64::from(nanos % (MAX_JITTER_MS + 1)))
}

/// Sleeps cooperatively inside a Tokio runtime, else blocks the (batch processor's) thread.
async fn pause_for(pause: Duration) {
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::time::sleep(pause).await;
    } else {
        std::thread::sleep(pause);
    }
}

impl SpanExporter for DirectExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        if self.shut_down.load(Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        let body = {
            let mut encoder = self.encoder.lock().unwrap_or_else(PoisonError::into_inner);
            Bytes::copy_from_slice(encoder.encode(&batch))
        };
        drop(batch);
        let sent = match self.wire.prepare(body) {
            Ok(body) => self.send_with_retries(body).await,
            Err(failure) => Err(failure),
        };
        sent.map_err(|failure| OTelSdkError::InternalFailure(failure.message))
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        if self.shut_down.swap(true, Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        self.wire.shutdown();
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.encoder
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use opentelemetry::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use opentelemetry::InstrumentationScope;
    use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanExporter, SpanLinks};

    use super::DirectExporter;
    use crate::config::Compression;
    use crate::export::wire::{HttpWire, Wire};

    /// An HTTP/1.1 server on 127.0.0.1 answering with `statuses` in turn (then 200), keeping
    /// each request body.
    pub(super) fn server(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/v1/traces", listener.local_addr().expect("addr"));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            let mut statuses = statuses.into_iter();
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut length = 0;
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        line.clear();
                    }
                    if line != "\r\n" {
                        break;
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        break;
                    }
                    kept.lock().expect("bodies").push(body);
                    let status = statuses.next().unwrap_or(200);
                    // 429 carries a one-second Retry-After.
                    let hint = if status == 429 {
                        "retry-after: 1\r\n"
                    } else {
                        ""
                    };
                    let answer = format!("HTTP/1.1 {status} X\r\n{hint}content-length: 0\r\n\r\n");
                    if reader.get_mut().write_all(answer.as_bytes()).is_err() {
                        break;
                    }
                }
            }
        });
        (url, bodies)
    }

    pub(super) fn span() -> SpanData {
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(1),
                SpanId::from(2),
                TraceFlags::SAMPLED,
                false,
                Default::default(),
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Client,
            name: "chat gpt-4o".into(),
            start_time: std::time::SystemTime::now(),
            end_time: std::time::SystemTime::now(),
            attributes: vec![opentelemetry::KeyValue::new(
                "gen_ai.request.model",
                "gpt-4o",
            )],
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: Status::Unset,
            instrumentation_scope: InstrumentationScope::builder("llmtrace").build(),
        }
    }

    pub(super) fn http_exporter(url: &str) -> DirectExporter {
        http_exporter_with(url, Compression::None)
    }

    fn http_exporter_with(url: &str, compression: Compression) -> DirectExporter {
        let timeout = std::time::Duration::from_secs(5);
        let wire = HttpWire::new(url, Default::default(), timeout, compression).expect("client");
        DirectExporter::new(Wire::Http(wire), timeout)
    }

    #[test]
    fn gzip_bodies_inflate_to_the_plain_request_and_retries_resend_them() {
        let span = span();
        let (url, plain) = server(vec![]);
        futures_executor::block_on(http_exporter(&url).export(vec![span.clone()]))
            .expect("accepted");
        let (url, compressed) = server(vec![503]);
        futures_executor::block_on(http_exporter_with(&url, Compression::Gzip).export(vec![span]))
            .expect("second try accepted");
        let plain = plain.lock().expect("bodies")[0].clone();
        let sent = compressed.lock().expect("bodies").clone();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0], sent[1], "the same compressed bytes on retry");
        assert_eq!(&sent[0][..2], &[0x1f, 0x8b], "a gzip member");
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(sent[0].as_slice())
            .read_to_end(&mut inflated)
            .expect("valid gzip");
        assert_eq!(inflated, plain);
    }

    #[test]
    fn http_503_is_retried_with_the_same_bytes_and_400_is_not() {
        let (url, bodies) = server(vec![503, 502]);
        let exporter = http_exporter(&url);
        futures_executor::block_on(exporter.export(vec![span()])).expect("third try accepted");
        let sent = bodies.lock().expect("bodies").clone();
        assert_eq!(sent.len(), 3, "503, 502, then 200");
        assert!(!sent[0].is_empty());
        assert!(
            sent.iter().all(|b| *b == sent[0]),
            "the same bytes each time"
        );

        let (url, bodies) = server(vec![400]);
        let exporter = http_exporter(&url);
        assert!(futures_executor::block_on(exporter.export(vec![span()])).is_err());
        assert_eq!(
            bodies.lock().expect("bodies").len(),
            1,
            "400 is not retried"
        );
        exporter
            .shutdown_with_timeout(std::time::Duration::from_secs(1))
            .expect("shutdown");
        assert!(futures_executor::block_on(exporter.export(vec![span()])).is_err());
    }
}

#[cfg(test)]
mod throttle_tests {
    use opentelemetry_sdk::trace::SpanExporter;

    use super::tests::{http_exporter, server, span};

    #[test]
    fn http_retry_after_is_waited_for() {
        let (url, bodies) = server(vec![429]);
        let exporter = http_exporter(&url);
        let started = std::time::Instant::now();
        futures_executor::block_on(exporter.export(vec![span()])).expect("second try accepted");
        assert!(started.elapsed() >= std::time::Duration::from_secs(1));
        assert_eq!(bodies.lock().expect("bodies").len(), 2);
    }
}
