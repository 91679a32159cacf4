//! Chat, streaming, embeddings and error paths against a local OpenAI-compatible server, asserted
//! on exported spans (content capture off in this binary).

mod common;

use std::time::Duration;

use async_openai::traits::RequestOptionsBuilder;
use async_openai::types::chat::{
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    ChatCompletionStreamOptions, CreateChatCompletionRequest, CreateChatCompletionRequestArgs,
    ResponseFormat, StopConfiguration,
};
use async_openai::types::embeddings::{CreateEmbeddingRequestArgs, EmbeddingInput};
use common::*;
use futures_util::StreamExt;
use llmtrace::semconv::{attribute as sc, llmtrace as ours, openinference as oi};
use llmtrace_openai::attributes as oa;
use opentelemetry::trace::{SpanKind, Status};

fn chat_request(stream: bool) -> CreateChatCompletionRequest {
    let mut args = CreateChatCompletionRequestArgs::default();
    args.model("gpt-4o-mini")
        .messages([
            ChatCompletionRequestSystemMessage::from("You are terse.").into(),
            ChatCompletionRequestUserMessage::from("secret-prompt-text").into(),
        ])
        .temperature(0.2)
        .top_p(0.9)
        .max_completion_tokens(256u32)
        .frequency_penalty(0.5)
        .presence_penalty(-0.25)
        .n(2u8)
        .stop(StopConfiguration::StringArray(vec![
            "\n\n".into(),
            "END".into(),
        ]))
        .response_format(ResponseFormat::JsonObject);
    if stream {
        args.n(1u8).stream_options(ChatCompletionStreamOptions {
            include_usage: Some(true),
            include_obfuscation: None,
        });
    }
    args.build().expect("request builds")
}

fn assert_client_span_basics(span: &opentelemetry_sdk::trace::SpanData, server: &Server) {
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(
        attr_str(span, sc::GEN_AI_OPERATION_NAME).as_deref(),
        Some("chat")
    );
    assert_eq!(
        attr_str(span, sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some("openai")
    );
    assert_eq!(
        attr_str(span, sc::GEN_AI_REQUEST_MODEL).as_deref(),
        Some("gpt-4o-mini")
    );
    assert_eq!(
        attr_str(span, sc::SERVER_ADDRESS).as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        attr_i64(span, sc::SERVER_PORT),
        Some(i64::from(server.addr.port()))
    );
    assert_eq!(
        attr_str(span, oa::OPENAI_API_TYPE).as_deref(),
        Some("chat_completions")
    );
}

#[test]
fn chat_completion_records_request_params_usage_and_response() {
    let ((server, response), spans) = run(false, || async {
        let server = Server::start(vec![Canned::ok(completion_with_text())]).await;
        let response = server.client().chat().create(chat_request(false)).await;
        (server, response)
    });
    let response = response.expect("the call succeeds");
    assert_eq!(
        response.id, "chatcmpl-abc123",
        "the caller gets the response unchanged"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Bearer test-key-{}", server.addr.port()).as_str())
    );

    assert_eq!(names(&spans), ["chat gpt-4o-mini"]);
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_client_span_basics(span, &server);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(attr_f64(span, sc::GEN_AI_REQUEST_TEMPERATURE), Some(0.2));
    assert_eq!(attr_f64(span, sc::GEN_AI_REQUEST_TOP_P), Some(0.9));
    assert_eq!(attr_i64(span, sc::GEN_AI_REQUEST_MAX_TOKENS), Some(256));
    assert_eq!(
        attr_f64(span, sc::GEN_AI_REQUEST_FREQUENCY_PENALTY),
        Some(0.5)
    );
    assert_eq!(
        attr_f64(span, sc::GEN_AI_REQUEST_PRESENCE_PENALTY),
        Some(-0.25)
    );
    assert_eq!(attr_i64(span, sc::GEN_AI_REQUEST_CHOICE_COUNT), Some(2));
    assert_eq!(
        attr_strings(span, sc::GEN_AI_REQUEST_STOP_SEQUENCES),
        ["\n\n", "END"]
    );
    assert_eq!(attr_bool(span, sc::GEN_AI_REQUEST_STREAM), Some(false));
    assert_eq!(
        attr_str(span, sc::GEN_AI_OUTPUT_TYPE).as_deref(),
        Some("json")
    );

    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1200));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(80));
    assert_eq!(
        attr_i64(span, sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        Some(1024)
    );
    assert_eq!(
        attr_i64(span, sc::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
        Some(32)
    );
    assert_eq!(attr_i64(span, oi::LLM_TOKEN_COUNT_TOTAL), Some(1280));
    assert_eq!(
        attr_str(span, sc::GEN_AI_RESPONSE_ID).as_deref(),
        Some("chatcmpl-abc123")
    );
    assert_eq!(
        attr_str(span, sc::GEN_AI_RESPONSE_MODEL).as_deref(),
        Some("gpt-4o-mini-2024-07-18")
    );
    // One finish reason per choice, in choice order (the server sent them out of order).
    assert_eq!(
        attr_strings(span, sc::GEN_AI_RESPONSE_FINISH_REASONS),
        ["stop", "length"]
    );
    assert_eq!(
        attr_str(span, oa::OPENAI_RESPONSE_SERVICE_TIER).as_deref(),
        Some("default")
    );
    assert_eq!(
        attr_str(span, oa::OPENAI_RESPONSE_SYSTEM_FINGERPRINT).as_deref(),
        Some("fp_44709d6fcb")
    );
    assert_eq!(
        attr_i64(span, ours::RETRY_ATTEMPTS),
        None,
        "one attempt is not a retry"
    );

    // Capture is off: no prompt or completion anywhere.
    let strings = all_strings(&spans);
    assert!(!strings.contains("secret-prompt-text"), "{strings}");
    assert!(!strings.contains("Hello there."), "{strings}");
    assert_eq!(attr(span, sc::GEN_AI_INPUT_MESSAGES), None);
    assert_eq!(attr(span, sc::GEN_AI_OUTPUT_MESSAGES), None);
}

#[test]
fn the_span_is_the_child_of_the_callers_span() {
    let (_, spans) = run(false, || async {
        let server = Server::start(vec![Canned::ok(completion_with_text())]).await;
        let agent = llmtrace::agent("planner").start();
        let client = server.client();
        let request = chat_request(false);
        tracing::Instrument::instrument(
            async move { client.chat().create(request).await.expect("succeeds") },
            agent,
        )
        .await;
    });
    let agent = find_span(&spans, "invoke_agent planner");
    let chat = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(chat.parent_span_id, agent.span_context.span_id());
    assert_eq!(chat.span_context.trace_id(), agent.span_context.trace_id());
}

#[test]
fn stream_records_time_to_first_chunk_chunks_usage_and_finish_reason() {
    let first_delay = Duration::from_millis(60);
    let ((server, text, ended_at), spans) = run(false, || async move {
        let server = Server::start(vec![Canned::Sse {
            events: text_stream(first_delay),
            hold_open: false,
        }])
        .await;
        let mut stream = server
            .client()
            .chat()
            .create_stream(chat_request(true))
            .await
            .expect("stream starts");
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.expect("chunk parses");
            for choice in chunk.choices {
                text.push_str(choice.delta.content.as_deref().unwrap_or_default());
            }
        }
        let ended_at = std::time::SystemTime::now();
        (server, text, ended_at)
    });
    assert_eq!(text, "Hello world", "the caller gets the chunks unchanged");
    let requests = server.requests();
    assert_eq!(requests[0].body["stream"], true);
    assert_eq!(requests[0].body["stream_options"]["include_usage"], true);

    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_client_span_basics(span, &server);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(attr_bool(span, sc::GEN_AI_REQUEST_STREAM), Some(true));
    let ttft = attr_f64(span, sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK).expect("TTFT recorded");
    assert!(
        ttft >= first_delay.as_secs_f64(),
        "TTFT {ttft}s includes the server's delay"
    );
    let duration = span
        .end_time
        .duration_since(span.start_time)
        .expect("ends after start");
    assert!(
        ttft < duration.as_secs_f64(),
        "TTFT {ttft}s is within the span ({duration:?})"
    );
    assert!(
        span.end_time <= ended_at,
        "the span ends when the stream ends"
    );
    assert_eq!(attr_i64(span, ours::STREAM_CHUNK_COUNT), Some(5));
    assert_eq!(attr_bool(span, ours::STREAM_CANCELLED), None);
    assert_eq!(
        attr_strings(span, sc::GEN_AI_RESPONSE_FINISH_REASONS),
        ["stop"]
    );
    assert_eq!(
        attr_str(span, sc::GEN_AI_RESPONSE_ID).as_deref(),
        Some("chatcmpl-stream-7")
    );
    assert_eq!(
        attr_str(span, sc::GEN_AI_RESPONSE_MODEL).as_deref(),
        Some("gpt-4o-mini-2024-07-18")
    );
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(50));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(12));
    assert_eq!(
        attr_i64(span, sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        Some(16)
    );
    assert_eq!(
        attr_i64(span, sc::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
        Some(4)
    );
    assert_eq!(
        attr_str(span, oa::OPENAI_RESPONSE_SYSTEM_FINGERPRINT).as_deref(),
        Some("fp_stream")
    );
    assert!(!all_strings(&spans).contains("Hello"), "capture is off");
}

#[test]
fn stream_without_include_usage_records_no_usage() {
    let mut events = text_stream(Duration::from_millis(1));
    events.pop(); // no usage chunk, as a server does without `include_usage`
    let (_, spans) = run(false, || async move {
        let server = Server::start(vec![Canned::Sse {
            events,
            hold_open: false,
        }])
        .await;
        let mut request = chat_request(true);
        request.stream_options = None;
        let stream = server
            .client()
            .chat()
            .create_stream(request)
            .await
            .expect("starts");
        let chunks: Vec<_> = stream.collect().await;
        assert_eq!(chunks.len(), 4);
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(attr_i64(span, ours::STREAM_CHUNK_COUNT), Some(4));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), None);
    assert_eq!(
        attr_strings(span, sc::GEN_AI_RESPONSE_FINISH_REASONS),
        ["stop"]
    );
}

#[test]
fn stream_dropped_early_is_marked_cancelled_and_its_span_ends() {
    let ms = Duration::from_millis;
    let (_, spans) = run(false, || async move {
        let server = Server::start(vec![Canned::Sse {
            events: vec![
                (
                    ms(5),
                    chunk(
                        serde_json::json!({"role": "assistant", "content": "Hel"}),
                        None,
                        None,
                    ),
                ),
                (
                    ms(5),
                    chunk(serde_json::json!({"content": "lo"}), None, None),
                ),
            ],
            hold_open: true,
        }])
        .await;
        let mut stream = server
            .client()
            .chat()
            .create_stream(chat_request(true))
            .await
            .expect("starts");
        for _ in 0..2 {
            stream.next().await.expect("a chunk").expect("parses");
        }
        drop(stream); // the server would keep the stream open for 30 s
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(attr_bool(span, ours::STREAM_CANCELLED), Some(true));
    assert_eq!(attr_i64(span, ours::STREAM_CHUNK_COUNT), Some(2));
    assert!(attr_f64(span, sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK).is_some());
    assert_eq!(
        attr_str(span, sc::GEN_AI_RESPONSE_ID).as_deref(),
        Some("chatcmpl-stream-7")
    );
    assert_eq!(attr(span, sc::GEN_AI_RESPONSE_FINISH_REASONS), None);
    assert_eq!(span.status, Status::Unset, "cancelling is not an error");
}

#[test]
fn api_error_records_its_type_status_and_error_status() {
    let ((), spans) = run(false, || async {
        let server = Server::start(vec![Canned::status(
            400,
            api_error(
                "This model's maximum context length is 128000 tokens.",
                Some("invalid_request_error"),
                Some("context_length_exceeded"),
            ),
        )])
        .await;
        let error = server
            .client()
            .chat()
            .create(chat_request(false))
            .await
            .expect_err("fails");
        assert!(
            matches!(error, async_openai::error::OpenAIError::ApiError(_)),
            "{error:?}"
        );
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(
        attr_str(span, sc::ERROR_TYPE).as_deref(),
        Some("invalid_request_error")
    );
    assert_eq!(attr_i64(span, oa::HTTP_RESPONSE_STATUS_CODE), Some(400));
    assert!(
        matches!(&span.status, Status::Error { description } if description.contains("maximum context length")),
        "{:?}",
        span.status
    );
    let exception = span
        .events
        .iter()
        .find(|e| e.name == "exception")
        .expect("exception event");
    assert!(exception
        .attributes
        .iter()
        .any(|kv| kv.key.as_str() == sc::EXCEPTION_TYPE
            && kv.value.as_str() == "invalid_request_error"));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), None);
}

#[test]
fn server_error_is_retried_and_recorded_with_its_status_as_error_type() {
    let ((server, ()), spans) = run(false, || async {
        let server = Server::start(vec![
            Canned::status(503, serde_json::json!("upstream unavailable")),
            Canned::status(503, serde_json::json!("upstream unavailable")),
        ])
        .await;
        let client = server.client().with_max_retries(1);
        client
            .chat()
            .create(chat_request(false))
            .await
            .expect_err("fails");
        (server, ())
    });
    assert_eq!(server.requests().len(), 2, "one retry");
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(attr_str(span, sc::ERROR_TYPE).as_deref(), Some("503"));
    assert_eq!(attr_i64(span, oa::HTTP_RESPONSE_STATUS_CODE), Some(503));
    assert!(matches!(span.status, Status::Error { .. }));
    assert_eq!(attr_i64(span, ours::RETRY_ATTEMPTS), Some(2));
}

#[test]
fn rate_limit_is_retried_with_retry_after_and_recorded_as_rate_limit_exceeded() {
    let rate_limited = || {
        Canned::status(
            429,
            api_error(
                "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3.",
                Some("requests"),
                Some("rate_limit_exceeded"),
            ),
        )
        .header("retry-after", "0")
        .header("x-ratelimit-remaining-requests", "0")
    };
    let started = std::time::Instant::now();
    let ((server, ()), spans) = run(false, || async {
        let server = Server::start(vec![rate_limited(), rate_limited(), rate_limited()]).await;
        let client = server.client().with_max_retries(2);
        let error = client
            .chat()
            .create(chat_request(false))
            .await
            .expect_err("fails");
        assert!(error.to_string().contains("Rate limit"), "{error}");
        (server, ())
    });
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "retry-after: 0 means no long backoff"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "the first attempt and two retries"
    );
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(
        attr_str(span, sc::ERROR_TYPE).as_deref(),
        Some("rate_limit_exceeded")
    );
    assert_eq!(attr_i64(span, oa::HTTP_RESPONSE_STATUS_CODE), Some(429));
    assert!(matches!(span.status, Status::Error { .. }));
    assert_eq!(attr_i64(span, ours::RETRY_ATTEMPTS), Some(3));
    let retries: Vec<_> = span
        .events
        .iter()
        .filter(|e| e.name == oa::RETRYABLE_RESPONSE_EVENT)
        .collect();
    assert_eq!(retries.len(), 3, "one event per 429");
    for (i, event) in retries.iter().enumerate() {
        let get = |key: &str| {
            event
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == key)
                .map(|kv| kv.value.clone())
        };
        assert_eq!(
            get(oa::HTTP_RESPONSE_STATUS_CODE),
            Some(opentelemetry::Value::I64(429))
        );
        assert_eq!(
            get(ours::RETRY_ATTEMPT),
            Some(opentelemetry::Value::I64(i as i64 + 1))
        );
        assert_eq!(
            get(oa::HTTP_RESPONSE_HEADER_RETRY_AFTER),
            Some(opentelemetry::Value::Array(
                vec![opentelemetry::StringValue::from("0")].into()
            ))
        );
    }
}

#[test]
fn rate_limit_then_success_records_the_attempts_and_no_error() {
    let ((), spans) = run(false, || async {
        let server = Server::start(vec![
            Canned::status(
                429,
                api_error("slow down", Some("requests"), Some("rate_limit_exceeded")),
            )
            .header("retry-after", "0"),
            Canned::ok(completion_with_text()),
        ])
        .await;
        server
            .client()
            .chat()
            .create(chat_request(false))
            .await
            .expect("the retry succeeds");
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(span.status, Status::Unset);
    assert_eq!(attr(span, sc::ERROR_TYPE), None);
    assert_eq!(attr_i64(span, ours::RETRY_ATTEMPTS), Some(2));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1200));
    assert_eq!(
        span.events
            .iter()
            .filter(|e| e.name == oa::RETRYABLE_RESPONSE_EVENT)
            .count(),
        1
    );
}

#[test]
fn insufficient_quota_is_not_retried_and_keeps_its_own_error_type() {
    let ((server, ()), spans) = run(false, || async {
        let server = Server::start(vec![Canned::status(
            429,
            api_error(
                "You exceeded your current quota.",
                Some("insufficient_quota"),
                Some("insufficient_quota"),
            ),
        )])
        .await;
        server
            .client()
            .chat()
            .create(chat_request(false))
            .await
            .expect_err("fails");
        (server, ())
    });
    assert_eq!(server.requests().len(), 1);
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(
        attr_str(span, sc::ERROR_TYPE).as_deref(),
        Some("insufficient_quota")
    );
    assert_eq!(attr_i64(span, oa::HTTP_RESPONSE_STATUS_CODE), Some(429));
}

#[test]
fn stream_request_refused_before_streaming_records_the_error() {
    let ((), spans) = run(false, || async {
        let server = Server::start(vec![Canned::status(
            401,
            api_error(
                "Incorrect API key provided.",
                Some("invalid_request_error"),
                Some("invalid_api_key"),
            ),
        )])
        .await;
        let result = server
            .client()
            .chat()
            .create_stream(chat_request(true))
            .await;
        assert!(result.is_err());
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(
        attr_str(span, sc::ERROR_TYPE).as_deref(),
        Some("invalid_request_error")
    );
    assert_eq!(attr_i64(span, oa::HTTP_RESPONSE_STATUS_CODE), Some(401));
    assert_eq!(attr(span, ours::STREAM_CHUNK_COUNT), None);
}

#[test]
fn unreachable_server_records_the_transport_error() {
    let ((), spans) = run(false, || async {
        // Bind and drop a listener to get a port nobody listens on.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
            listener.local_addr().expect("addr").port()
        };
        let client = llmtrace_openai::Client::with_config(
            async_openai::config::OpenAIConfig::new()
                .with_api_base(format!("http://127.0.0.1:{port}/v1"))
                .with_api_key("k"),
        )
        .with_max_retries(0);
        client
            .chat()
            .create(chat_request(false))
            .await
            .expect_err("fails");
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(attr_str(span, sc::ERROR_TYPE).as_deref(), Some("Reqwest"));
    assert_eq!(attr(span, oa::HTTP_RESPONSE_STATUS_CODE), None);
    assert!(matches!(span.status, Status::Error { .. }));
}

#[test]
fn embeddings_record_model_dimension_input_count_and_usage() {
    let ((), spans) = run(false, || async {
        let server = Server::start(vec![
            Canned::ok(embeddings_response(3, 8)),
            Canned::ok(embeddings_response(1, 4)),
        ])
        .await;
        let client = server.client();
        let request = CreateEmbeddingRequestArgs::default()
            .model("text-embedding-3-small")
            .input(EmbeddingInput::StringArray(vec![
                "secret-doc-one".into(),
                "two".into(),
                "three".into(),
            ]))
            .build()
            .expect("builds");
        let response = client.embeddings().create(request).await.expect("succeeds");
        assert_eq!(response.data.len(), 3);
        let request = CreateEmbeddingRequestArgs::default()
            .model("text-embedding-3-small")
            .input("one text")
            .dimensions(4u32)
            .build()
            .expect("builds");
        client.embeddings().create(request).await.expect("succeeds");
    });
    let embeddings: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "embeddings text-embedding-3-small")
        .collect();
    assert_eq!(embeddings.len(), 2);
    let (first, second) = (embeddings[0], embeddings[1]);
    assert_eq!(first.span_kind, SpanKind::Client);
    assert_eq!(
        attr_str(first, sc::GEN_AI_OPERATION_NAME).as_deref(),
        Some("embeddings")
    );
    assert_eq!(
        attr_str(first, sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some("openai")
    );
    assert_eq!(
        attr_str(first, sc::SERVER_ADDRESS).as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        attr_str(first, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("EMBEDDING")
    );
    assert_eq!(attr_i64(first, oa::EMBEDDINGS_INPUT_COUNT), Some(3));
    assert_eq!(
        attr_i64(first, sc::GEN_AI_EMBEDDINGS_DIMENSION_COUNT),
        Some(8),
        "from the vectors"
    );
    assert_eq!(attr_i64(first, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(9));
    assert_eq!(
        attr_str(first, sc::GEN_AI_RESPONSE_MODEL).as_deref(),
        Some("text-embedding-3-small")
    );
    assert_eq!(attr_i64(second, oa::EMBEDDINGS_INPUT_COUNT), Some(1));
    assert_eq!(
        attr_i64(second, sc::GEN_AI_EMBEDDINGS_DIMENSION_COUNT),
        Some(4),
        "as requested"
    );
    assert!(
        !all_strings(&spans).contains("secret-doc-one"),
        "capture is off"
    );
}

#[test]
fn embeddings_error_is_recorded() {
    let ((), spans) = run(false, || async {
        let server = Server::start(vec![Canned::status(
            404,
            api_error(
                "The model `nope` does not exist",
                Some("invalid_request_error"),
                Some("model_not_found"),
            ),
        )])
        .await;
        let request = CreateEmbeddingRequestArgs::default()
            .model("nope")
            .input("x")
            .build()
            .expect("builds");
        server
            .client()
            .embeddings()
            .create(request)
            .await
            .expect_err("fails");
    });
    let span = find_span(&spans, "embeddings nope");
    assert_eq!(
        attr_str(span, sc::ERROR_TYPE).as_deref(),
        Some("invalid_request_error")
    );
    assert_eq!(attr_i64(span, oa::HTTP_RESPONSE_STATUS_CODE), Some(404));
    assert!(matches!(span.status, Status::Error { .. }));
}

#[test]
fn a_wrapped_async_openai_client_is_traced_too() {
    let ((), spans) = run(false, || async {
        let server = Server::start(vec![Canned::ok(completion_with_text())]).await;
        let inner = async_openai::Client::with_config(
            async_openai::config::OpenAIConfig::new()
                .with_api_base(server.api_base())
                .with_api_key("k"),
        );
        let client = llmtrace_openai::Client::from(inner).with_provider(llmtrace::Provider::Groq);
        client
            .chat()
            .create(chat_request(false))
            .await
            .expect("succeeds");
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(
        attr_str(span, sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some("groq")
    );
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1200));
}

#[test]
fn traced_calls_and_streams_can_move_across_tasks() {
    fn assert_send<T: Send>(_: &T) {}
    let client = llmtrace_openai::Client::with_config(
        async_openai::config::OpenAIConfig::new()
            .with_api_base("http://127.0.0.1:9/v1")
            .with_api_key("k"),
    );
    let chat = client.chat();
    assert_send(&chat.create(chat_request(false)));
    assert_send(&chat.create_stream(chat_request(true)));
    let request = CreateEmbeddingRequestArgs::default()
        .model("m")
        .input("x")
        .build()
        .expect("builds");
    assert_send(&client.embeddings().create(request));
    fn assert_stream_send<T: Send + Unpin + futures_util::Stream>() {}
    assert_stream_send::<llmtrace_openai::ChatCompletionStream>();
}

#[test]
fn request_options_reach_the_server() {
    let ((server, ()), spans) = run(false, || async {
        let server = Server::start(vec![Canned::ok(completion_with_text())]).await;
        server
            .client()
            .chat()
            .header("x-tenant", "acme")
            .expect("valid header")
            .query(&[("api-version", "2024-10-21")])
            .expect("valid query")
            .create(chat_request(false))
            .await
            .expect("succeeds");
        (server, ())
    });
    let request = &server.requests()[0];
    assert!(request
        .headers
        .contains(&("x-tenant".to_owned(), "acme".to_owned())));
    assert_eq!(request.path, "/v1/chat/completions?api-version=2024-10-21");
    assert_eq!(names(&spans), ["chat gpt-4o-mini"]);
}

#[test]
fn a_malformed_chunk_marks_the_stream_span_failed() {
    let ms = Duration::from_millis;
    let ((), spans) = run(false, || async move {
        let server = Server::start(vec![Canned::Sse {
            events: vec![
                (
                    ms(2),
                    chunk(
                        serde_json::json!({"role": "assistant", "content": "Hi"}),
                        None,
                        None,
                    ),
                ),
                (ms(2), serde_json::json!({"unexpected": "shape"})),
                (ms(2), chunk(serde_json::json!({}), Some("stop"), None)),
            ],
            hold_open: false,
        }])
        .await;
        let stream = server
            .client()
            .chat()
            .create_stream(chat_request(true))
            .await
            .expect("starts");
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.iter().filter(|i| i.is_err()).count(), 1);
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(
        attr_str(span, sc::ERROR_TYPE).as_deref(),
        Some("JSONDeserialize")
    );
    assert!(matches!(span.status, Status::Error { .. }));
    assert_eq!(
        attr_i64(span, ours::STREAM_CHUNK_COUNT),
        Some(2),
        "the good chunks"
    );
    assert_eq!(attr_bool(span, ours::STREAM_CANCELLED), None);
}
