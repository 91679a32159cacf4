//! The OpenInference mirror the enrichment processor derives from `gen_ai.*` attributes when a
//! span ends, through the pipeline `llmtrace::builder()` sets up (content capture on in this
//! binary).

use std::collections::BTreeMap;

use llmtrace::semconv::{attribute as sc, openinference as oi};
use llmtrace::{LlmSpanExt, Message, Response, ToolCall, ToolDefinition, Usage};
use llmtrace_test_support::*;
use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;
use serde_json::json;

/// Every string attribute of `span` whose key starts with `prefix`, by key.
fn under(span: &SpanData, prefix: &str) -> BTreeMap<String, String> {
    span.attributes
        .iter()
        .filter(|kv| kv.key.as_str().starts_with(prefix))
        .map(|kv| (kv.key.as_str().to_owned(), kv.value.as_str().into_owned()))
        .collect()
}

fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn weather_tool() -> ToolDefinition {
    ToolDefinition::function("get_weather")
        .description("Current weather of a city")
        .parameters(json!({"type": "object", "properties": {"city": {"type": "string"}}}))
}

#[test]
fn a_chat_with_tools_tool_calls_and_a_tool_answer_is_flattened_for_phoenix() {
    let spans = run(true, || {
        let span = llmtrace::chat("gpt-4o")
            .provider("openai")
            .temperature(0.2)
            .max_tokens(256)
            .system_instructions("You plan trips.")
            .tool_definitions(&[weather_tool()])
            .input_messages(&[
                Message::user("Weather in Oslo?"),
                Message::tool_calls(vec![ToolCall::new(
                    "call_1",
                    "get_weather",
                    json!({"city": "Oslo"}),
                )]),
                Message::tool_result("call_1", "{\"celsius\":-3}"),
            ])
            .start();
        span.record_usage(Usage::new(120, 15).cache_read(100));
        span.record_response(
            &Response::new()
                .id("chatcmpl-9")
                .model("gpt-4o-2024-08-06")
                .finish_reason("stop"),
        );
        span.record_output_messages(&[
            Message::assistant("Cold: -3 °C.").with_finish_reason("stop")
        ]);
    });
    let chat = find_span(&spans, "chat gpt-4o");

    assert_eq!(
        under(chat, "llm.input_messages."),
        expected(&[
            ("llm.input_messages.0.message.role", "system"),
            ("llm.input_messages.0.message.content", "You plan trips."),
            ("llm.input_messages.1.message.role", "user"),
            ("llm.input_messages.1.message.content", "Weather in Oslo?"),
            ("llm.input_messages.2.message.role", "assistant"),
            (
                "llm.input_messages.2.message.tool_calls.0.tool_call.id",
                "call_1"
            ),
            (
                "llm.input_messages.2.message.tool_calls.0.tool_call.function.name",
                "get_weather"
            ),
            (
                "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments",
                "{\"city\":\"Oslo\"}"
            ),
            ("llm.input_messages.3.message.role", "tool"),
            ("llm.input_messages.3.message.tool_call_id", "call_1"),
            ("llm.input_messages.3.message.content", "{\"celsius\":-3}"),
        ])
    );
    assert_eq!(
        under(chat, "llm.output_messages."),
        expected(&[
            ("llm.output_messages.0.message.role", "assistant"),
            ("llm.output_messages.0.message.content", "Cold: -3 °C."),
        ])
    );
    let tools = under(chat, "llm.tools.");
    assert_eq!(tools.len(), 1, "{tools:?}");
    let schema: serde_json::Value =
        serde_json::from_str(&tools["llm.tools.0.tool.json_schema"]).expect("JSON");
    assert_eq!(
        schema,
        json!({"type": "function", "function": {"name": "get_weather",
            "description": "Current weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}})
    );

    assert_eq!(
        attr_str(chat, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("LLM")
    );
    assert_eq!(
        attr_str(chat, oi::LLM_MODEL_NAME).as_deref(),
        Some("gpt-4o-2024-08-06"),
        "the model that answered"
    );
    assert_eq!(attr_str(chat, oi::LLM_PROVIDER).as_deref(), Some("openai"));
    assert_eq!(attr_str(chat, oi::LLM_SYSTEM).as_deref(), Some("openai"));
    assert_eq!(
        attr_str(chat, oi::LLM_INVOCATION_PARAMETERS).as_deref(),
        Some(r#"{"model":"gpt-4o","temperature":0.2,"max_tokens":256}"#)
    );
    assert_eq!(attr_i64(chat, oi::LLM_TOKEN_COUNT_PROMPT), Some(120));
    assert_eq!(attr_i64(chat, oi::LLM_TOKEN_COUNT_COMPLETION), Some(15));
    assert_eq!(attr_i64(chat, oi::LLM_TOKEN_COUNT_TOTAL), Some(135));
    assert_eq!(
        attr_i64(chat, oi::LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ),
        Some(100)
    );
    assert_eq!(
        attr_str(chat, oi::INPUT_VALUE),
        attr_str(chat, sc::GEN_AI_INPUT_MESSAGES)
    );
    assert_eq!(
        attr_str(chat, oi::OUTPUT_MIME_TYPE).as_deref(),
        Some("application/json")
    );
    // Written once: the span API no longer writes any of these itself.
    for key in [
        oi::OPENINFERENCE_SPAN_KIND,
        oi::LLM_MODEL_NAME,
        oi::INPUT_VALUE,
    ] {
        let n = chat
            .attributes
            .iter()
            .filter(|kv| kv.key.as_str() == key)
            .count();
        assert_eq!(n, 1, "{key} set {n} times");
    }
}

#[test]
fn a_span_of_another_library_carrying_only_gen_ai_fields_gets_the_mirror() {
    // What rig or genai emit: plain `tracing` spans with `gen_ai.*` fields, no llmtrace API.
    let messages = json!([{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]);
    let spans = run(true, || {
        let chat = tracing::info_span!(
            target: "rig::completions",
            "chat",
            otel.name = "chat gpt-4o-mini",
            otel.kind = "client",
            gen_ai.operation.name = "chat",
            gen_ai.provider.name = "openai",
            gen_ai.request.model = "gpt-4o-mini",
            gen_ai.input.messages = tracing::field::Empty,
            gen_ai.usage.input_tokens = tracing::field::Empty,
            gen_ai.usage.output_tokens = tracing::field::Empty,
        );
        chat.in_scope(|| {
            let tool = tracing::info_span!(
                target: "rig::tools",
                "execute_tool",
                otel.name = "execute_tool lookup",
                gen_ai.operation.name = "execute_tool",
                gen_ai.tool.name = "lookup",
                gen_ai.tool.call.arguments = "{\"id\":7}",
            );
            tool.in_scope(|| {});
        });
        chat.record("gen_ai.input.messages", messages.to_string());
        chat.record("gen_ai.usage.input_tokens", 9_i64);
        chat.record("gen_ai.usage.output_tokens", 2_i64);
    });
    let chat = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(
        attr_str(chat, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("LLM")
    );
    assert_eq!(
        attr_str(chat, oi::LLM_MODEL_NAME).as_deref(),
        Some("gpt-4o-mini")
    );
    assert_eq!(attr_str(chat, oi::LLM_PROVIDER).as_deref(), Some("openai"));
    assert_eq!(attr_i64(chat, oi::LLM_TOKEN_COUNT_TOTAL), Some(11));
    assert_eq!(
        under(chat, "llm.input_messages."),
        expected(&[
            ("llm.input_messages.0.message.role", "user"),
            ("llm.input_messages.0.message.content", "Hi"),
        ])
    );
    let tool = find_span(&spans, "execute_tool lookup");
    assert_eq!(
        attr_str(tool, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("TOOL")
    );
    assert_eq!(attr_str(tool, oi::TOOL_NAME).as_deref(), Some("lookup"));
    assert_eq!(
        attr_str(tool, oi::INPUT_VALUE).as_deref(),
        Some("{\"id\":7}")
    );
}

#[test]
fn openinference_keys_the_application_set_are_kept() {
    let spans = run(true, || {
        llmtrace::chat("gpt-4o")
            .attribute(oi::LLM_MODEL_NAME, "my-azure-deployment")
            .attribute(oi::OPENINFERENCE_SPAN_KIND, "GUARDRAIL")
            .start()
            .in_scope(|| {});
    });
    let chat = find_span(&spans, "chat gpt-4o");
    let values = |key: &str| -> Vec<Value> {
        chat.attributes
            .iter()
            .filter(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
            .collect()
    };
    assert_eq!(
        values(oi::LLM_MODEL_NAME),
        [Value::from("my-azure-deployment")]
    );
    assert_eq!(
        values(oi::OPENINFERENCE_SPAN_KIND),
        [Value::from("GUARDRAIL")]
    );
}

#[test]
fn the_redactor_scrubs_the_flattened_messages_too() {
    let spans = run(true, || {
        let span = llmtrace::chat("gpt-4o")
            .input_messages(&[Message::user("mail me at ada@example.org")])
            .start();
        span.record_output_messages(&[Message::assistant("ok, ada@example.org")]);
    });
    let chat = find_span(&spans, "chat gpt-4o");
    let content = attr_str(chat, "llm.input_messages.0.message.content").expect("flattened");
    assert!(content.contains("[REDACTED:email]"), "{content}");
    assert!(!all_strings(&spans).contains("ada@example.org"));
}

#[test]
fn tools_retrievals_and_embeddings_get_their_kinds_and_keys() {
    let spans = run(true, || {
        let tool = llmtrace::tool("get_weather")
            .description("Current weather of a city")
            .call_id("call_1")
            .arguments(&json!({"city": "Oslo"}))
            .start();
        tool.record_tool_result(&json!({"celsius": -3}));
        drop(tool);
        let retrieval = llmtrace::retrieval("kb").query("oslo weather").start();
        retrieval.record_documents(&[llmtrace::Document::new("d1")
            .score(0.5)
            .content("Oslo is cold")
            .metadata(json!({"source": "wiki"}))]);
        drop(retrieval);
        let embed = llmtrace::embeddings("text-embedding-3-small").start();
        embed.record_usage(Usage::input_only(9));
    });
    let tool = find_span(&spans, "execute_tool get_weather");
    for (key, value) in [
        (oi::OPENINFERENCE_SPAN_KIND, "TOOL"),
        (oi::TOOL_NAME, "get_weather"),
        (oi::TOOL_DESCRIPTION, "Current weather of a city"),
        (oi::TOOL_ID, "call_1"),
        (oi::TOOL_PARAMETERS, "{\"city\":\"Oslo\"}"),
        (oi::INPUT_VALUE, "{\"city\":\"Oslo\"}"),
        (oi::INPUT_MIME_TYPE, "application/json"),
        (oi::OUTPUT_VALUE, "{\"celsius\":-3}"),
    ] {
        assert_eq!(attr_str(tool, key).as_deref(), Some(value), "{key}");
    }
    let retrieval = find_span(&spans, "retrieval kb");
    assert_eq!(
        attr_str(retrieval, oi::INPUT_VALUE).as_deref(),
        Some("oslo weather")
    );
    assert_eq!(
        under(retrieval, "retrieval.documents."),
        expected(&[
            ("retrieval.documents.0.document.id", "d1"),
            ("retrieval.documents.0.document.score", "0.5"),
            ("retrieval.documents.0.document.content", "Oslo is cold"),
            (
                "retrieval.documents.0.document.metadata",
                "{\"source\":\"wiki\"}"
            ),
        ])
    );
    let embed = find_span(&spans, "embeddings text-embedding-3-small");
    assert_eq!(
        attr_str(embed, oi::EMBEDDING_MODEL_NAME).as_deref(),
        Some("text-embedding-3-small")
    );
    assert_eq!(attr_i64(embed, oi::LLM_TOKEN_COUNT_PROMPT), Some(9));
    assert_eq!(attr_i64(embed, oi::LLM_TOKEN_COUNT_TOTAL), Some(9));
    assert_eq!(attr(embed, oi::LLM_TOKEN_COUNT_COMPLETION), None);
}

/// The OpenInference mirror switched off for one pipeline, in the same binary as the tests
/// above with it on.
mod mirror_off {
    use super::*;

    #[test]
    fn openinference_mirror_can_be_switched_off() {
        let (guard, exporter) = {
            let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
            let guard = llmtrace::builder()
                .with_env(Vec::new())
                .install_global(false)
                .console(false)
                .capture_content(true)
                .openinference(false)
                .with_span_processor(opentelemetry_sdk::trace::SimpleSpanProcessor::new(
                    exporter.clone(),
                ))
                .build()
                .expect("pipeline");
            (guard, exporter)
        };
        tracing::dispatcher::with_default(&guard.dispatch(), || {
            let span = llmtrace::chat("gpt-4o")
                .input_messages(&[Message::user("x")])
                .start();
            span.record_usage(llmtrace::Usage::new(1, 1));
        });
        guard.flush();
        let spans = exporter.get_finished_spans().expect("spans");
        let chat = find_span(&spans, "chat gpt-4o");
        assert!(attr(chat, sc::GEN_AI_INPUT_MESSAGES).is_some());
        assert!(attr(chat, sc::GEN_AI_USAGE_INPUT_TOKENS).is_some());
        assert!(
            chat.attributes
                .iter()
                .all(|kv| !kv.key.as_str().starts_with("llm.")
                    && kv.key.as_str() != oi::OPENINFERENCE_SPAN_KIND
                    && kv.key.as_str() != oi::INPUT_VALUE),
            "{:?}",
            chat.attributes
        );
    }
}
