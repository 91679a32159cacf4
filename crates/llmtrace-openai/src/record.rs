//! Facts every traced call writes onto its span the same way: the HTTP layer's retry count and
//! the service tier and fingerprint of an OpenAI response.

use llmtrace::semconv::llmtrace as ours;
use llmtrace::LlmSpanExt;

use crate::attributes::{OPENAI_RESPONSE_SERVICE_TIER, OPENAI_RESPONSE_SYSTEM_FINGERPRINT};

/// `llmtrace.retry.attempts` when the HTTP layer had to retry.
pub(crate) fn record_attempts(span: &tracing::Span, attempts: u32) {
    if attempts > 1 {
        span.record_attribute(ours::RETRY_ATTEMPTS, i64::from(attempts));
    }
}

/// Service tier and system fingerprint of a response.
pub(crate) fn record_openai_response(
    span: &tracing::Span,
    service_tier: Option<String>,
    fingerprint: Option<&String>,
) {
    if let Some(tier) = service_tier {
        span.record_attribute(OPENAI_RESPONSE_SERVICE_TIER, tier);
    }
    if let Some(fingerprint) = fingerprint {
        span.record_attribute(OPENAI_RESPONSE_SYSTEM_FINGERPRINT, fingerprint.clone());
    }
}
