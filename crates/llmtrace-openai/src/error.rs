//! How a failed call is classified on its span (`error.type`, HTTP status).

use async_openai::error::OpenAIError;
use llmtrace::LlmSpanExt;

use crate::attributes::HTTP_RESPONSE_STATUS_CODE;

/// `error.type` of a rate-limited call (HTTP 429), whatever the body says, except
/// [`INSUFFICIENT_QUOTA`].
pub const RATE_LIMIT_EXCEEDED: &str = "rate_limit_exceeded";
/// `error.type` of a 429 whose body says the account's quota is used up (not retryable).
pub const INSUFFICIENT_QUOTA: &str = "insufficient_quota";

/// The `error.type` llmtrace-openai records for an error, and the HTTP status when there is one.
///
/// | error | `error.type` |
/// |---|---|
/// | HTTP 429 | `insufficient_quota` when the body's `type` or `code` says so, else `rate_limit_exceeded` |
/// | other API error with a JSON body | the body's `type`, else its `code`, else the status (`"400"`) |
/// | server error (5xx, body not parsed) | the status, e.g. `"503"` |
/// | transport error with a status | the status |
/// | transport timeout | `timeout` |
/// | anything else | the [`OpenAIError`] variant name (`Reqwest`, `JSONDeserialize`, `StreamError`, `InvalidArgument`, …) |
///
/// ```
/// use async_openai::error::OpenAIError;
///
/// let error = OpenAIError::InvalidArgument("stream must be true".into());
/// assert_eq!(llmtrace_openai::error_type(&error), ("InvalidArgument".to_owned(), None));
/// ```
pub fn error_type(error: &OpenAIError) -> (String, Option<u16>) {
    match error {
        OpenAIError::ApiError(response) => {
            let status = response.status_code.as_u16();
            let api = &response.api_error;
            let kind = if status == 429 {
                let quota = [api.r#type.as_deref(), api.code.as_deref()]
                    .contains(&Some(INSUFFICIENT_QUOTA));
                if quota {
                    INSUFFICIENT_QUOTA
                } else {
                    RATE_LIMIT_EXCEEDED
                }
                .to_owned()
            } else {
                api.r#type
                    .clone()
                    .filter(|t| !t.is_empty())
                    .or_else(|| api.code.clone().filter(|c| !c.is_empty()))
                    .unwrap_or_else(|| status.to_string())
            };
            (kind, Some(status))
        }
        OpenAIError::Reqwest(e) => match e.status() {
            Some(status) => (status.as_u16().to_string(), Some(status.as_u16())),
            None if e.is_timeout() => ("timeout".to_owned(), None),
            None => ("Reqwest".to_owned(), None),
        },
        OpenAIError::JSONDeserialize(..) => ("JSONDeserialize".to_owned(), None),
        OpenAIError::FileSaveError(_) => ("FileSaveError".to_owned(), None),
        OpenAIError::FileReadError(_) => ("FileReadError".to_owned(), None),
        OpenAIError::StreamError(_) => ("StreamError".to_owned(), None),
        OpenAIError::Boxed(_) => ("Boxed".to_owned(), None),
        OpenAIError::InvalidArgument(_) => ("InvalidArgument".to_owned(), None),
    }
}

/// Marks `span` failed with `error`: `error.type` (see [`error_type`]), status ERROR with the
/// message, an `exception` event, and `http.response.status_code` when known.
pub(crate) fn record(span: &tracing::Span, error: &OpenAIError) {
    let (kind, status) = error_type(error);
    if let Some(status) = status {
        span.record_attribute(HTTP_RESPONSE_STATUS_CODE, i64::from(status));
    }
    span.record_error_type(&kind, &error.to_string());
}

#[cfg(test)]
mod tests {
    use async_openai::error::{ApiError, ApiErrorResponse, OpenAIError};

    use super::error_type;

    fn api(status: u16, kind: Option<&str>, code: Option<&str>) -> OpenAIError {
        OpenAIError::ApiError(ApiErrorResponse {
            status_code: reqwest::StatusCode::from_u16(status).expect("valid status"),
            api_error: ApiError {
                message: "m".into(),
                r#type: kind.map(Into::into),
                code: code.map(Into::into),
                ..ApiError::default()
            },
        })
    }

    #[test]
    fn error_type_prefers_the_api_type_then_code_then_status() {
        let kind = |e: &OpenAIError| error_type(e).0;
        assert_eq!(
            kind(&api(400, Some("invalid_request_error"), Some("x"))),
            "invalid_request_error"
        );
        assert_eq!(
            kind(&api(400, None, Some("context_length_exceeded"))),
            "context_length_exceeded"
        );
        assert_eq!(kind(&api(400, Some(""), None)), "400");
        assert_eq!(kind(&api(502, None, None)), "502");
        assert_eq!(error_type(&api(503, None, None)).1, Some(503));
    }

    #[test]
    fn every_429_is_rate_limit_exceeded_except_insufficient_quota() {
        let kind = |e: &OpenAIError| error_type(e).0;
        assert_eq!(
            kind(&api(429, Some("requests"), Some("rate_limit_exceeded"))),
            "rate_limit_exceeded"
        );
        assert_eq!(kind(&api(429, Some("tokens"), None)), "rate_limit_exceeded");
        assert_eq!(kind(&api(429, None, None)), "rate_limit_exceeded");
        assert_eq!(
            kind(&api(429, Some("insufficient_quota"), None)),
            "insufficient_quota"
        );
        assert_eq!(
            kind(&api(429, None, Some("insufficient_quota"))),
            "insufficient_quota"
        );
    }

    #[test]
    fn other_errors_are_named_by_their_variant() {
        let e = OpenAIError::JSONDeserialize(
            serde_json::from_str::<u8>("x").expect_err("invalid"),
            "x".into(),
        );
        assert_eq!(error_type(&e), ("JSONDeserialize".to_owned(), None));
    }
}
