//! The typed span API, asserted on exported spans (content capture off, and on in `capture_on`).

use llmtrace::semconv::{attribute as sc, llmtrace as ours, openinference as oi};
use llmtrace::{Document, LlmContext, LlmSpanExt, Message, Response, Usage};
use llmtrace_test_support::*;
use opentelemetry::trace::{SpanKind, Status};
use tracing::instrument::WithSubscriber;
use tracing::Instrument;

#[test]
fn each_builder_names_its_span_by_the_semconv_rule_with_kind_and_required_attributes() {
    let spans = run(false, || {
        llmtrace::chat("gpt-4o")
            .provider("openai")
            .start()
            .in_scope(|| {});
        llmtrace::completion("davinci-002")
            .provider("openai")
            .start()
            .in_scope(|| {});
        llmtrace::embeddings("text-embedding-3-small")
            .start()
            .in_scope(|| {});
        llmtrace::retrieval("docs-index").start().in_scope(|| {});
        llmtrace::rerank("rerank-v3").start().in_scope(|| {});
        llmtrace::tool("get_weather")
            .call_id("call_9")
            .start()
            .in_scope(|| {});
        llmtrace::agent("planner").start().in_scope(|| {});
        llmtrace::chain("build-context").start().in_scope(|| {});
    });
    let expect = [
        ("chat gpt-4o", SpanKind::Client, Some("chat"), "LLM"),
        (
            "text_completion davinci-002",
            SpanKind::Client,
            Some("text_completion"),
            "LLM",
        ),
        (
            "embeddings text-embedding-3-small",
            SpanKind::Client,
            Some("embeddings"),
            "EMBEDDING",
        ),
        (
            "retrieval docs-index",
            SpanKind::Client,
            Some("retrieval"),
            "RETRIEVER",
        ),
        (
            "rerank rerank-v3",
            SpanKind::Client,
            Some("rerank"),
            "RERANKER",
        ),
        (
            "execute_tool get_weather",
            SpanKind::Internal,
            Some("execute_tool"),
            "TOOL",
        ),
        (
            "invoke_agent planner",
            SpanKind::Internal,
            Some("invoke_agent"),
            "AGENT",
        ),
        (
            "invoke_workflow build-context",
            SpanKind::Internal,
            Some("invoke_workflow"),
            "CHAIN",
        ),
    ];
    assert_eq!(spans.len(), expect.len());
    for (name, kind, op, oi_kind) in expect {
        let span = find_span(&spans, name);
        assert_eq!(span.span_kind, kind, "{name}");
        assert_eq!(
            attr_str(span, sc::GEN_AI_OPERATION_NAME).as_deref(),
            op,
            "{name}"
        );
        assert_eq!(
            attr_str(span, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
            Some(oi_kind),
            "{name}"
        );
    }
    let chat = find_span(&spans, "chat gpt-4o");
    assert_eq!(
        attr_str(chat, sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some("openai")
    );
    assert_eq!(
        attr_str(chat, sc::GEN_AI_REQUEST_MODEL).as_deref(),
        Some("gpt-4o")
    );
    assert_eq!(
        attr_str(chat, oi::LLM_MODEL_NAME).as_deref(),
        Some("gpt-4o")
    );
    let tool = find_span(&spans, "execute_tool get_weather");
    assert_eq!(
        attr_str(tool, sc::GEN_AI_TOOL_NAME).as_deref(),
        Some("get_weather")
    );
    assert_eq!(
        attr_str(tool, sc::GEN_AI_TOOL_CALL_ID).as_deref(),
        Some("call_9")
    );
    assert_eq!(
        attr_str(
            find_span(&spans, "retrieval docs-index"),
            sc::GEN_AI_DATA_SOURCE_ID
        )
        .as_deref(),
        Some("docs-index")
    );
}

#[test]
fn request_params_response_and_usage_are_recorded_with_their_types() {
    let spans = run(false, || {
        let span = llmtrace::chat("gpt-4o")
            .temperature(0.25)
            .top_p(0.9)
            .max_tokens(300)
            .seed(7)
            .stream(true)
            .stop_sequences(["\n\n", "END"])
            .start();
        span.record_usage(
            Usage::new(1200, 80)
                .cache_read(1000)
                .cache_creation(50)
                .reasoning(30),
        );
        span.record_response(
            &Response::new()
                .id("chatcmpl-1")
                .model("gpt-4o-2024-08-06")
                .finish_reason("stop"),
        );
    });
    let span = find_span(&spans, "chat gpt-4o");
    use opentelemetry::Value;
    assert_eq!(
        attr(span, sc::GEN_AI_REQUEST_TEMPERATURE),
        Some(&Value::F64(0.25))
    );
    assert_eq!(attr(span, sc::GEN_AI_REQUEST_TOP_P), Some(&Value::F64(0.9)));
    assert_eq!(attr_i64(span, sc::GEN_AI_REQUEST_MAX_TOKENS), Some(300));
    assert_eq!(attr_i64(span, sc::GEN_AI_REQUEST_SEED), Some(7));
    assert_eq!(
        attr(span, sc::GEN_AI_REQUEST_STREAM),
        Some(&Value::Bool(true))
    );
    assert!(matches!(
        attr(span, sc::GEN_AI_REQUEST_STOP_SEQUENCES),
        Some(Value::Array(opentelemetry::Array::String(v))) if v.len() == 2
    ));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1200));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(80));
    assert_eq!(
        attr_i64(span, sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        Some(1000)
    );
    assert_eq!(
        attr_i64(span, sc::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
        Some(50)
    );
    assert_eq!(
        attr_i64(span, sc::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
        Some(30)
    );
    assert_eq!(attr_i64(span, oi::LLM_TOKEN_COUNT_TOTAL), Some(1280));
    assert_eq!(
        attr_str(span, sc::GEN_AI_RESPONSE_ID).as_deref(),
        Some("chatcmpl-1")
    );
    assert_eq!(
        attr_str(span, sc::GEN_AI_RESPONSE_MODEL).as_deref(),
        Some("gpt-4o-2024-08-06")
    );
    assert!(matches!(
        attr(span, sc::GEN_AI_RESPONSE_FINISH_REASONS),
        Some(Value::Array(opentelemetry::Array::String(v))) if v[0].as_str() == "stop"
    ));
    let params = attr_str(span, oi::LLM_INVOCATION_PARAMETERS).expect("invocation parameters");
    let params: serde_json::Value = serde_json::from_str(&params).expect("json");
    assert_eq!(params["max_tokens"], 300);
    assert_eq!(params["stop"][1], "END");
}

#[test]
fn agent_tool_and_llm_spans_nest_into_one_trace() {
    let spans = run(false, || {
        let agent = llmtrace::agent("planner").start();
        agent.in_scope(|| {
            llmtrace::chat("gpt-4o").start().in_scope(|| {});
            let tool = llmtrace::tool("search").start();
            tool.in_scope(|| {
                llmtrace::retrieval("kb").start().in_scope(|| {});
            });
        });
    });
    let agent = find_span(&spans, "invoke_agent planner");
    let chat = find_span(&spans, "chat gpt-4o");
    let tool = find_span(&spans, "execute_tool search");
    let retrieval = find_span(&spans, "retrieval kb");
    assert_eq!(agent.parent_span_id, opentelemetry::trace::SpanId::INVALID);
    assert!(is_child_of(chat, agent));
    assert!(is_child_of(tool, agent));
    assert!(is_child_of(retrieval, tool));
}

#[test]
fn context_values_reach_every_descendant_across_spawn_and_spawn_blocking() {
    let spans = run(false, || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        rt.block_on(async move {
            let root = llmtrace::agent("support")
                .context(
                    LlmContext::new()
                        .session_id("s-1")
                        .user_id("u-1")
                        .conversation_id("c-1")
                        .tag("beta")
                        .metadata("tenant", "acme"),
                )
                .start();
            async {
                let spawned = tokio::spawn(
                    async {
                        llmtrace::chat("gpt-4o").start().in_scope(|| {
                            tracing::info_span!("plain user span").in_scope(|| {});
                        });
                    }
                    .in_current_span()
                    .with_subscriber(dispatch.clone()),
                );
                spawned.await.expect("task");
                let span = tracing::Span::current();
                let dispatch = dispatch.clone();
                tokio::task::spawn_blocking(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        span.in_scope(|| llmtrace::tool("lookup").start().in_scope(|| {}));
                    })
                })
                .await
                .expect("blocking task");
            }
            .instrument(root)
            .await;
            // A span outside the scope carries nothing.
            llmtrace::chat("outside").start().in_scope(|| {});
        });
    });
    for name in [
        "invoke_agent support",
        "chat gpt-4o",
        "plain user span",
        "execute_tool lookup",
    ] {
        let span = find_span(&spans, name);
        assert_eq!(
            attr_str(span, oi::SESSION_ID).as_deref(),
            Some("s-1"),
            "{name}"
        );
        assert_eq!(
            attr_str(span, oi::USER_ID).as_deref(),
            Some("u-1"),
            "{name}"
        );
        assert_eq!(
            attr_str(span, sc::GEN_AI_CONVERSATION_ID).as_deref(),
            Some("c-1"),
            "{name}"
        );
        assert_eq!(
            attr_str(span, oi::TAG_TAGS).as_deref(),
            Some("[\"beta\"]"),
            "{name}"
        );
        assert_eq!(
            attr_str(span, oi::METADATA).as_deref(),
            Some("{\"tenant\":\"acme\"}"),
            "{name}"
        );
    }
    let root = find_span(&spans, "invoke_agent support");
    assert!(is_child_of(find_span(&spans, "chat gpt-4o"), root));
    assert!(is_child_of(find_span(&spans, "execute_tool lookup"), root));
    assert_eq!(
        attr(find_span(&spans, "chat outside"), oi::SESSION_ID),
        None
    );
}

#[test]
fn attached_context_applies_to_spans_started_in_its_scope_and_nests() {
    let spans = run(false, || {
        let _outer = LlmContext::new().session_id("s-outer").tag("a").attach();
        llmtrace::agent("outer").start().in_scope(|| {
            LlmContext::new().user_id("u-inner").tag("b").in_scope(|| {
                llmtrace::chat("m").start().in_scope(|| {});
            });
        });
    });
    let chat = find_span(&spans, "chat m");
    assert_eq!(attr_str(chat, oi::SESSION_ID).as_deref(), Some("s-outer"));
    assert_eq!(attr_str(chat, oi::USER_ID).as_deref(), Some("u-inner"));
    assert_eq!(
        attr_str(chat, oi::TAG_TAGS).as_deref(),
        Some("[\"a\",\"b\"]")
    );
    assert_eq!(
        attr(find_span(&spans, "invoke_agent outer"), oi::USER_ID),
        None
    );
}

#[derive(Debug)]
struct RateLimited;

impl std::fmt::Display for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("429 too many requests")
    }
}

impl std::error::Error for RateLimited {}

#[test]
fn errors_set_status_error_type_and_an_exception_event() {
    let spans = run(false, || {
        let span = llmtrace::chat("gpt-4o").start();
        span.record_error(&RateLimited);
        let tool = llmtrace::tool("fetch").start();
        tool.record_error_type("429", "rate limited");
        let boxed: Box<dyn std::error::Error> = Box::new(RateLimited);
        llmtrace::tool("dyn").start().record_error(boxed.as_ref());
    });
    let chat = find_span(&spans, "chat gpt-4o");
    assert_eq!(chat.status, Status::error("429 too many requests"));
    assert_eq!(
        attr_str(chat, sc::ERROR_TYPE).as_deref(),
        Some("span_api::RateLimited")
    );
    let event = chat
        .events
        .iter()
        .find(|e| e.name == "exception")
        .expect("exception event");
    assert!(event
        .attributes
        .iter()
        .any(|kv| kv.key.as_str() == sc::EXCEPTION_MESSAGE
            && kv.value.as_str() == "429 too many requests"));
    let tool = find_span(&spans, "execute_tool fetch");
    assert_eq!(attr_str(tool, sc::ERROR_TYPE).as_deref(), Some("429"));
    assert_eq!(
        attr_str(find_span(&spans, "execute_tool dyn"), sc::ERROR_TYPE).as_deref(),
        Some("_OTHER")
    );
}

#[test]
fn no_content_is_exported_when_capture_is_off() {
    const SECRET: &str = "my card is 4111 1111 1111 1111";
    let spans = run(false, || {
        let span = llmtrace::chat("gpt-4o")
            .input_messages(&[Message::user(SECRET)])
            .system_instructions(SECRET)
            .start();
        span.record_output_messages(&[Message::assistant(SECRET)]);
        span.record_output(SECRET);
        let tool = llmtrace::tool("t")
            .arguments(&serde_json::json!({"q": SECRET}))
            .start();
        tool.record_tool_result(&serde_json::json!(SECRET));
        let retrieval = llmtrace::retrieval("kb").query(SECRET).start();
        retrieval.record_documents(&[Document::new("d1").score(0.9).content(SECRET)]);
        llmtrace::agent("a").input(SECRET).start().in_scope(|| {});
    });
    assert!(
        !all_strings(&spans).contains("4111"),
        "content leaked: {spans:#?}"
    );
    // Structure is still there: ids and scores are not content.
    let retrieval = find_span(&spans, "retrieval kb");
    assert_eq!(
        attr_str(retrieval, "retrieval.documents.0.document.id").as_deref(),
        Some("d1")
    );
    assert_eq!(
        attr(retrieval, "retrieval.documents.0.document.score"),
        Some(&opentelemetry::Value::F64(0.9))
    );
    assert_eq!(
        attr(retrieval, "retrieval.documents.0.document.content"),
        None
    );
}

#[test]
fn time_to_first_chunk_and_custom_attributes_are_recorded() {
    let spans = run(false, || {
        let span = llmtrace::chat("m").stream(true).start();
        span.record_time_to_first_chunk(std::time::Duration::from_millis(250));
        span.record_attribute(ours::STREAM_CHUNK_COUNT, 12_i64);
    });
    let span = find_span(&spans, "chat m");
    assert_eq!(
        attr(span, sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK),
        Some(&opentelemetry::Value::F64(0.25))
    );
    assert_eq!(attr_i64(span, ours::STREAM_CHUNK_COUNT), Some(12));
}

#[test]
fn without_the_subscriber_every_call_is_a_harmless_no_op() {
    let (guard, exporter) = pipeline(false);
    // Not inside `with_default(guard.dispatch())`: no OpenTelemetry layer sees these.
    let span = llmtrace::chat("gpt-4o").provider("openai").start();
    span.record_usage(Usage::new(1, 2));
    span.record_error(&RateLimited);
    span.record_documents(&[Document::new("d")]);
    drop(span);
    guard.flush();
    assert!(exporter.get_finished_spans().expect("spans").is_empty());
}

/// Content capture on, in the same binary as the tests above with it off: the choice belongs to
/// each pipeline, not to the process.
mod capture_on {
    use super::*;

    #[test]
    fn content_is_recorded_in_semconv_and_openinference_form() {
        let spans = run(true, || {
            let span = llmtrace::chat("gpt-4o")
                .input_messages(&[Message::system("be brief"), Message::user("hello")])
                .start();
            span.record_output_messages(&[Message::assistant("hi!").with_finish_reason("stop")]);
            let tool = llmtrace::tool("weather")
                .arguments(&serde_json::json!({"city": "Oslo"}))
                .start();
            tool.record_tool_result(&serde_json::json!({"celsius": -3}));
            let retrieval = llmtrace::retrieval("kb").query("oslo weather").start();
            retrieval.record_documents(&[Document::new("d1").score(0.5).content("Oslo is cold")]);
        });
        let chat = find_span(&spans, "chat gpt-4o");
        let input: serde_json::Value =
            serde_json::from_str(&attr_str(chat, sc::GEN_AI_INPUT_MESSAGES).expect("input"))
                .expect("json");
        assert_eq!(input[1]["role"], "user");
        assert_eq!(input[1]["parts"][0]["content"], "hello");
        let output: serde_json::Value =
            serde_json::from_str(&attr_str(chat, sc::GEN_AI_OUTPUT_MESSAGES).expect("output"))
                .expect("json");
        assert_eq!(output[0]["finish_reason"], "stop");
        assert_eq!(
            attr_str(chat, oi::INPUT_MIME_TYPE).as_deref(),
            Some("application/json")
        );
        let tool = find_span(&spans, "execute_tool weather");
        assert_eq!(
            attr_str(tool, sc::GEN_AI_TOOL_CALL_ARGUMENTS).as_deref(),
            Some("{\"city\":\"Oslo\"}")
        );
        assert_eq!(
            attr_str(tool, sc::GEN_AI_TOOL_CALL_RESULT).as_deref(),
            Some("{\"celsius\":-3}")
        );
        let retrieval = find_span(&spans, "retrieval kb");
        assert_eq!(
            attr_str(retrieval, sc::GEN_AI_RETRIEVAL_QUERY_TEXT).as_deref(),
            Some("oslo weather")
        );
        assert_eq!(
            attr_str(retrieval, "retrieval.documents.0.document.content").as_deref(),
            Some("Oslo is cold")
        );
    }

    #[test]
    fn two_pipelines_in_one_process_each_keep_their_own_capture_choice() {
        let (with_content, with_exporter) = pipeline(true);
        let (without_content, without_exporter) = pipeline(false);
        let record = || {
            let span = llmtrace::chat("gpt-4o")
                .input_messages(&[Message::user("hello")])
                .start();
            span.record_output_messages(&[Message::assistant("hi")]);
        };
        // Interleaved on one thread: each span follows the pipeline it belongs to.
        let kept = run_in(&with_content, &with_exporter, record);
        let dropped = run_in(&without_content, &without_exporter, record);
        let kept_again = run_in(&with_content, &with_exporter, record);
        for span in kept.iter().chain(&kept_again) {
            assert!(attr_str(span, sc::GEN_AI_INPUT_MESSAGES).is_some());
            assert!(attr_str(span, sc::GEN_AI_OUTPUT_MESSAGES).is_some());
        }
        assert_eq!(dropped.len(), 1);
        assert_eq!(attr_str(&dropped[0], sc::GEN_AI_INPUT_MESSAGES), None);
        assert_eq!(attr_str(&dropped[0], sc::GEN_AI_OUTPUT_MESSAGES), None);
    }

    #[test]
    fn a_span_records_content_by_its_own_pipeline_wherever_it_is_used() {
        let (with_content, exporter) = pipeline(true);
        let (without_content, _) = pipeline(false);
        let span = tracing::dispatcher::with_default(&with_content.dispatch(), || {
            llmtrace::chat("gpt-4o").start()
        });
        // Recorded under another pipeline's dispatcher: the span's own choice applies.
        tracing::dispatcher::with_default(&without_content.dispatch(), || {
            span.record_output_messages(&[Message::assistant("hi")]);
        });
        drop(span);
        with_content.flush();
        let spans = exporter.get_finished_spans().expect("spans");
        let chat = find_span(&spans, "chat gpt-4o");
        assert!(attr_str(chat, sc::GEN_AI_OUTPUT_MESSAGES).is_some());
    }
}
