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
    /// used up, or the next pause would end after the time budget.
    async fn send_with_retries(&self, body: Bytes) -> Result<(), Failure> {
        let started = Instant::now();
        let mut delay = INITIAL_DELAY;
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
            let pause = (delay + jitter()).min(MAX_DELAY);
            if pause >= left {
                return Err(failure);
            }
            pause_for(pause).await;
            delay = (delay * 2).min(MAX_DELAY);
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
        self.send_with_retries(body)
            .await
            .map_err(|failure| OTelSdkError::InternalFailure(failure.message))
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
