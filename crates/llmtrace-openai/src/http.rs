//! The HTTP service under async-openai's retry layer: counts the attempts of each call and adds
//! an event to the call's span for every retryable (429, 5xx) response.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use async_openai::error::OpenAIError;
use async_openai::middleware::retry::{OpenAIRetry, OpenAIRetryLayer};
use async_openai::middleware::{HttpRequestFactory, ReqwestService};
use opentelemetry::{Array, KeyValue, StringValue, Value};
use tower::Layer as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use llmtrace::semconv::llmtrace as ours;

use crate::attributes::{
    HTTP_RESPONSE_HEADER_RETRY_AFTER, HTTP_RESPONSE_STATUS_CODE, RETRYABLE_RESPONSE_EVENT,
};

tokio::task_local! {
    /// The attempt counter of the traced call being polled.
    static ATTEMPTS: Arc<AtomicU32>;
}

/// The service stack a traced client sends requests through.
pub(crate) type TracedService = OpenAIRetry<Observed>;

pub(crate) fn service(http_client: reqwest::Client, max_retries: usize) -> TracedService {
    OpenAIRetryLayer::new(max_retries).layer(Observed {
        inner: ReqwestService::new(http_client),
    })
}

/// Runs `future` with an attempt counter the HTTP service increments; returns the output and
/// the number of attempts seen (0 when the client's service is not ours).
pub(crate) async fn counting_attempts<F: Future>(future: F) -> (F::Output, u32) {
    let counter = Arc::new(AtomicU32::new(0));
    let output = ATTEMPTS.scope(Arc::clone(&counter), future).await;
    (output, counter.load(Ordering::Relaxed))
}

/// Wraps the reqwest service; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Observed {
    inner: ReqwestService,
}

type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send + 'static>>;

impl tower::Service<HttpRequestFactory> for Observed {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequestFactory) -> Self::Future {
        // Called while the traced call's future is polled: its span is current and its counter
        // is in scope.
        let attempt = ATTEMPTS
            .try_with(|counter| counter.fetch_add(1, Ordering::Relaxed).saturating_add(1))
            .unwrap_or(0);
        let span = tracing::Span::current();
        let response = self.inner.call(request);
        Box::pin(async move {
            let result = response.await;
            if let Ok(response) = &result {
                let status = response.status();
                if status.as_u16() == 429 || status.is_server_error() {
                    let mut attributes = vec![
                        KeyValue::new(HTTP_RESPONSE_STATUS_CODE, i64::from(status.as_u16())),
                        KeyValue::new(ours::RETRY_ATTEMPT, i64::from(attempt)),
                    ];
                    if let Some(after) = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                    {
                        let values = vec![StringValue::from(after.to_owned())];
                        attributes.push(KeyValue::new(
                            HTTP_RESPONSE_HEADER_RETRY_AFTER,
                            Value::Array(Array::String(values)),
                        ));
                    }
                    if !span.is_disabled() {
                        span.add_event(RETRYABLE_RESPONSE_EVENT, attributes);
                    }
                }
            }
            result
        })
    }
}
