//! Attribute keys this crate writes that `llmtrace::semconv` does not list (yet).

/// The OpenAI API used: `chat_completions` here (semconv `openai.api.type`).
pub const OPENAI_API_TYPE: &str = "openai.api.type";
/// The service tier requested (semconv `openai.request.service_tier`).
pub const OPENAI_REQUEST_SERVICE_TIER: &str = "openai.request.service_tier";
/// The service tier that answered (semconv `openai.response.service_tier`).
pub const OPENAI_RESPONSE_SERVICE_TIER: &str = "openai.response.service_tier";
/// The backend configuration fingerprint (semconv `openai.response.system_fingerprint`).
pub const OPENAI_RESPONSE_SYSTEM_FINGERPRINT: &str = "openai.response.system_fingerprint";
/// The HTTP status of the (last) response, as an int (semconv `http.response.status_code`).
pub const HTTP_RESPONSE_STATUS_CODE: &str = "http.response.status_code";
/// How many texts (or token arrays) one embeddings request embeds (llmtrace's own key).
pub const EMBEDDINGS_INPUT_COUNT: &str = "llmtrace.embeddings.input_count";
/// Event added to the call's span for each HTTP attempt that failed with a retryable status
/// (429 or 5xx); carries [`HTTP_RESPONSE_STATUS_CODE`], the attempt number
/// (`llmtrace.retry.attempt`) and the `retry-after` header (`http.response.header.retry-after`)
/// when the server sent one.
pub const RETRYABLE_RESPONSE_EVENT: &str = "llmtrace.http.retryable_response";
/// The `retry-after` header of a response (semconv `http.response.header.<key>`).
pub const HTTP_RESPONSE_HEADER_RETRY_AFTER: &str = "http.response.header.retry-after";
