//! Unit tests of the OpenInference derivation from `gen_ai.*` attributes.

use opentelemetry::{Array, KeyValue, StringValue, Value};
use serde_json::json;

use super::openinference_attributes;
use crate::enrich::messages::openai_tool;

fn mirror(attributes: Vec<KeyValue>) -> Vec<(String, Value)> {
    openinference_attributes(&attributes)
        .into_iter()
        .map(|kv| (kv.key.as_str().to_owned(), kv.value))
        .collect()
}

fn get<'a>(mirror: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    mirror.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn text(mirror: &[(String, Value)], key: &str) -> Option<String> {
    get(mirror, key).map(|v| v.as_str().into_owned())
}

fn kind_of(operation: &str) -> Option<String> {
    text(
        &mirror(vec![KeyValue::new(
            "gen_ai.operation.name",
            operation.to_owned(),
        )]),
        "openinference.span.kind",
    )
}

#[test]
fn span_kinds_follow_the_operation() {
    for (operation, kind) in [
        ("chat", "LLM"),
        ("text_completion", "LLM"),
        ("generate_content", "LLM"),
        ("embeddings", "EMBEDDING"),
        ("retrieval", "RETRIEVER"),
        ("rerank", "RERANKER"),
        ("execute_tool", "TOOL"),
        ("invoke_agent", "AGENT"),
        ("create_agent", "AGENT"),
        ("invoke_workflow", "CHAIN"),
        ("retry", "CHAIN"),
        ("something_new", "CHAIN"),
    ] {
        assert_eq!(kind_of(operation).as_deref(), Some(kind), "{operation}");
    }
}

#[test]
fn spans_that_are_not_genai_operations_get_nothing() {
    assert!(mirror(vec![KeyValue::new("http.request.method", "GET")]).is_empty());
    assert!(mirror(vec![KeyValue::new("gen_ai.conversation.id", "c-1")]).is_empty());
    let tool = mirror(vec![KeyValue::new("gen_ai.tool.name", "search")]);
    assert_eq!(
        text(&tool, "openinference.span.kind").as_deref(),
        Some("TOOL")
    );
}

#[test]
fn the_model_is_the_response_model_when_known() {
    let chat = |response: Option<&str>| {
        let mut attributes = vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.request.model", "gpt-4o"),
        ];
        if let Some(model) = response {
            attributes.push(KeyValue::new("gen_ai.response.model", model.to_owned()));
        }
        text(&mirror(attributes), "llm.model_name")
    };
    assert_eq!(chat(None).as_deref(), Some("gpt-4o"));
    assert_eq!(
        chat(Some("gpt-4o-2024-08-06")).as_deref(),
        Some("gpt-4o-2024-08-06")
    );
    let embeddings = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "embeddings"),
        KeyValue::new("gen_ai.request.model", "text-embedding-3-small"),
    ]);
    assert_eq!(
        text(&embeddings, "embedding.model_name").as_deref(),
        Some("text-embedding-3-small")
    );
    assert_eq!(get(&embeddings, "llm.model_name"), None);
    let rerank = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "rerank"),
        KeyValue::new("gen_ai.request.model", "rerank-v3"),
    ]);
    assert_eq!(
        text(&rerank, "reranker.model_name").as_deref(),
        Some("rerank-v3")
    );
}

#[test]
fn providers_use_openinference_names_and_the_fallback_is_not_mirrored() {
    let provider = |name: &str| {
        let m = mirror(vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.provider.name", name.to_owned()),
        ]);
        (text(&m, "llm.provider"), text(&m, "llm.system"))
    };
    assert_eq!(
        provider("openai"),
        (Some("openai".into()), Some("openai".into()))
    );
    assert_eq!(
        provider("azure.ai.openai"),
        (Some("azure".into()), Some("openai".into()))
    );
    assert_eq!(
        provider("mistral_ai"),
        (Some("mistralai".into()), Some("mistralai".into()))
    );
    assert_eq!(provider("aws.bedrock"), (Some("aws".into()), None));
    assert_eq!(provider("ollama"), (Some("ollama".into()), None));
    assert_eq!(provider("llmtrace"), (None, None));
}

#[test]
fn token_counts_total_input_and_output_and_embeddings_have_no_completion() {
    let chat = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.usage.input_tokens", 1200),
        KeyValue::new("gen_ai.usage.output_tokens", 80),
        KeyValue::new("gen_ai.usage.cache_read.input_tokens", 1000),
        KeyValue::new("gen_ai.usage.cache_creation.input_tokens", 50),
        KeyValue::new("gen_ai.usage.reasoning.output_tokens", 30),
    ]);
    assert_eq!(
        get(&chat, "llm.token_count.prompt"),
        Some(&Value::I64(1200))
    );
    assert_eq!(
        get(&chat, "llm.token_count.completion"),
        Some(&Value::I64(80))
    );
    assert_eq!(get(&chat, "llm.token_count.total"), Some(&Value::I64(1280)));
    assert_eq!(
        get(&chat, "llm.token_count.prompt_details.cache_read"),
        Some(&Value::I64(1000))
    );
    assert_eq!(
        get(&chat, "llm.token_count.prompt_details.cache_write"),
        Some(&Value::I64(50))
    );
    assert_eq!(
        get(&chat, "llm.token_count.completion_details.reasoning"),
        Some(&Value::I64(30))
    );

    let embeddings = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "embeddings"),
        KeyValue::new("gen_ai.usage.input_tokens", 9),
    ]);
    assert_eq!(
        get(&embeddings, "llm.token_count.prompt"),
        Some(&Value::I64(9))
    );
    assert_eq!(get(&embeddings, "llm.token_count.completion"), None);
    assert_eq!(
        get(&embeddings, "llm.token_count.total"),
        Some(&Value::I64(9))
    );
}

#[test]
fn invocation_parameters_are_a_json_object_in_first_set_order_with_the_last_value() {
    let stops = Value::Array(Array::String(vec![
        StringValue::from("\"end\""),
        StringValue::from("\n"),
    ]));
    let m = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.request.model", "gpt-4o"),
        KeyValue::new("gen_ai.request.temperature", 0.2),
        KeyValue::new("gen_ai.request.stop_sequences", stops),
        KeyValue::new("gen_ai.request.max_tokens", 512),
        KeyValue::new("gen_ai.request.temperature", 0.7),
        KeyValue::new("gen_ai.request.top_p", f64::NAN),
        KeyValue::new("gen_ai.request.choice.count", 2),
    ]);
    assert_eq!(
        text(&m, "llm.invocation_parameters").as_deref(),
        Some(
            r#"{"model":"gpt-4o","temperature":0.7,"stop":["\"end\"","\n"],"max_tokens":512,"top_p":null,"n":2}"#
        )
    );
    let model_only = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.request.model", "gpt-4o"),
    ]);
    assert_eq!(get(&model_only, "llm.invocation_parameters"), None);
}

#[test]
fn keys_the_span_already_has_are_left_alone() {
    let m = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.request.model", "gpt-4o"),
        KeyValue::new("llm.model_name", "my-deployment"),
        KeyValue::new("openinference.span.kind", "GUARDRAIL"),
        KeyValue::new("input.value", "already there"),
        KeyValue::new(
            "gen_ai.input.messages",
            json!([{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]).to_string(),
        ),
        KeyValue::new("llm.input_messages.0.message.role", "user"),
    ]);
    assert_eq!(get(&m, "llm.model_name"), None);
    assert_eq!(get(&m, "openinference.span.kind"), None);
    assert_eq!(get(&m, "input.value"), None);
    assert_eq!(
        get(&m, "input.mime_type"),
        None,
        "no MIME type for a value not written here"
    );
    assert!(
        m.iter().all(|(k, _)| !k.starts_with("llm.input_messages.")),
        "a flattened group the span has is not mixed with ours: {m:?}"
    );
}

#[test]
fn chat_messages_with_tool_calls_and_answers_are_flattened() {
    let input = json!([
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Oslo?"}]},
        {"role": "assistant", "parts": [
            {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Oslo"}},
        ]},
        {"role": "tool", "parts": [
            {"type": "tool_call_response", "id": "call_1", "response": "{\"celsius\":-3}"},
            {"type": "tool_call_response", "id": "call_2", "response": {"ok": true}},
        ]},
        {"role": "user", "name": "ada", "parts": [
            {"type": "text", "content": "And this?"},
            {"type": "uri", "modality": "image", "uri": "https://example.com/a.png"},
        ]},
    ]);
    let output = json!([{"role": "assistant", "finish_reason": "stop", "parts": [
        {"type": "reasoning", "content": "It is cold."},
        {"type": "text", "content": "Cold: -3 °C."},
    ]}]);
    let m = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new(
            "gen_ai.system_instructions",
            json!([{"type": "text", "content": "Be brief."}]).to_string(),
        ),
        KeyValue::new("gen_ai.input.messages", input.to_string()),
        KeyValue::new("gen_ai.output.messages", output.to_string()),
    ]);
    let expect = [
        ("llm.input_messages.0.message.role", "system"),
        ("llm.input_messages.0.message.content", "Be brief."),
        ("llm.input_messages.1.message.role", "user"),
        ("llm.input_messages.1.message.content", "Weather in Oslo?"),
        ("llm.input_messages.2.message.role", "assistant"),
        (
            "llm.input_messages.2.message.tool_calls.0.tool_call.id",
            "call_1",
        ),
        (
            "llm.input_messages.2.message.tool_calls.0.tool_call.function.name",
            "get_weather",
        ),
        (
            "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments",
            "{\"city\":\"Oslo\"}",
        ),
        ("llm.input_messages.3.message.role", "tool"),
        ("llm.input_messages.3.message.tool_call_id", "call_1"),
        ("llm.input_messages.3.message.content", "{\"celsius\":-3}"),
        ("llm.input_messages.4.message.role", "tool"),
        ("llm.input_messages.4.message.tool_call_id", "call_2"),
        ("llm.input_messages.4.message.content", "{\"ok\":true}"),
        ("llm.input_messages.5.message.role", "user"),
        ("llm.input_messages.5.message.name", "ada"),
        (
            "llm.input_messages.5.message.contents.0.message_content.type",
            "text",
        ),
        (
            "llm.input_messages.5.message.contents.0.message_content.text",
            "And this?",
        ),
        (
            "llm.input_messages.5.message.contents.1.message_content.type",
            "image",
        ),
        (
            "llm.input_messages.5.message.contents.1.message_content.image.image.url",
            "https://example.com/a.png",
        ),
        ("llm.output_messages.0.message.role", "assistant"),
        (
            "llm.output_messages.0.message.contents.0.message_content.type",
            "reasoning",
        ),
        (
            "llm.output_messages.0.message.contents.1.message_content.text",
            "Cold: -3 °C.",
        ),
    ];
    for (key, value) in expect {
        assert_eq!(text(&m, key).as_deref(), Some(value), "{key} in {m:#?}");
    }
    assert_eq!(get(&m, "llm.input_messages.2.message.content"), None);
    assert_eq!(get(&m, "llm.input_messages.6.message.role"), None);
    assert_eq!(
        text(&m, "input.mime_type").as_deref(),
        Some("application/json")
    );
    assert_eq!(text(&m, "input.value"), Some(input.to_string()));
    assert_eq!(text(&m, "output.value"), Some(output.to_string()));
}

#[test]
fn messages_in_the_openai_shape_and_broken_json_are_handled() {
    let m = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new(
            "gen_ai.input.messages",
            json!([{"role": "user", "content": "hi"}]).to_string(),
        ),
        KeyValue::new("gen_ai.output.messages", "[{\"role\": \"assis"),
        KeyValue::new("gen_ai.system_instructions", "plain text instructions"),
    ]);
    assert_eq!(
        text(&m, "llm.input_messages.0.message.content").as_deref(),
        Some("plain text instructions")
    );
    assert_eq!(
        text(&m, "llm.input_messages.1.message.content").as_deref(),
        Some("hi")
    );
    assert!(m.iter().all(|(k, _)| !k.starts_with("llm.output_messages")));
    assert_eq!(
        get(&m, "output.mime_type"),
        None,
        "truncated JSON is not JSON"
    );
}

#[test]
fn tools_are_json_schemas_in_the_openai_format() {
    let definitions = json!([
        {"type": "function", "name": "get_weather", "description": "Weather of a city",
         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
        {"type": "function", "function": {"name": "raw_openai_shape"}},
        {"type": "web_search", "name": "web"},
    ]);
    let m = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.tool.definitions", definitions.to_string()),
    ]);
    let schema = |i: usize| -> serde_json::Value {
        serde_json::from_str(&text(&m, &format!("llm.tools.{i}.tool.json_schema")).expect("tool"))
            .expect("JSON")
    };
    assert_eq!(
        schema(0),
        json!({"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}})
    );
    assert_eq!(schema(1), definitions[1]);
    assert_eq!(
        schema(2),
        json!({"type": "web_search", "function": {"name": "web"}})
    );
    assert_eq!(openai_tool(&json!("not a tool")), json!("not a tool"));
}

#[test]
fn tools_agents_retrievals_and_conversations_are_mirrored() {
    let tool = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "execute_tool"),
        KeyValue::new("gen_ai.tool.name", "get_weather"),
        KeyValue::new("gen_ai.tool.description", "Weather of a city"),
        KeyValue::new("gen_ai.tool.call.id", "call_1"),
        KeyValue::new("gen_ai.tool.call.arguments", "{\"city\":\"Oslo\"}"),
        KeyValue::new("gen_ai.tool.call.result", "sunny"),
        KeyValue::new("gen_ai.conversation.id", "conv-7"),
    ]);
    for (key, value) in [
        ("tool.name", "get_weather"),
        ("tool.description", "Weather of a city"),
        ("tool.id", "call_1"),
        ("tool.parameters", "{\"city\":\"Oslo\"}"),
        ("input.value", "{\"city\":\"Oslo\"}"),
        ("input.mime_type", "application/json"),
        ("output.value", "sunny"),
        ("session.id", "conv-7"),
    ] {
        assert_eq!(text(&tool, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(get(&tool, "output.mime_type"), None, "plain text");

    let agent = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "invoke_agent"),
        KeyValue::new("gen_ai.agent.name", "planner"),
    ]);
    assert_eq!(text(&agent, "agent.name").as_deref(), Some("planner"));

    let documents = json!([
        {"id": "d1", "score": 0.9, "content": "Oslo is cold", "metadata": {"source": "wiki"}},
        {"id": 7, "score": 0.5},
    ]);
    let retrieval = mirror(vec![
        KeyValue::new("gen_ai.operation.name", "retrieval"),
        KeyValue::new("gen_ai.retrieval.query.text", "oslo weather"),
        KeyValue::new("gen_ai.retrieval.documents", documents.to_string()),
    ]);
    assert_eq!(
        text(&retrieval, "input.value").as_deref(),
        Some("oslo weather")
    );
    assert_eq!(
        text(&retrieval, "retrieval.documents.0.document.id").as_deref(),
        Some("d1")
    );
    assert_eq!(
        get(&retrieval, "retrieval.documents.0.document.score"),
        Some(&Value::F64(0.9))
    );
    assert_eq!(
        text(&retrieval, "retrieval.documents.0.document.content").as_deref(),
        Some("Oslo is cold")
    );
    assert_eq!(
        text(&retrieval, "retrieval.documents.0.document.metadata").as_deref(),
        Some("{\"source\":\"wiki\"}")
    );
    assert_eq!(
        text(&retrieval, "retrieval.documents.1.document.id").as_deref(),
        Some("7")
    );
    assert_eq!(
        get(&retrieval, "retrieval.documents.1.document.content"),
        None
    );
}
