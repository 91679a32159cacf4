//! Content capture on: messages, tool definitions, the tool calls the model requested (plain
//! and streamed) and embeddings inputs are recorded.

mod common;

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessageArgs, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestToolMessageArgs, ChatCompletionRequestUserMessage, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, CreateChatCompletionRequestArgs,
    FunctionCall, FunctionObjectArgs,
};
use async_openai::types::embeddings::CreateEmbeddingRequestArgs;
use common::*;
use futures_util::StreamExt;
use llmtrace::semconv::{attribute as sc, openinference as oi};
use serde_json::json;

fn tools_request() -> CreateChatCompletionRequest {
    let weather = FunctionObjectArgs::default()
        .name("get_weather")
        .description("Current weather of a city")
        .parameters(json!({"type": "object", "properties": {"city": {"type": "string"}}}))
        .build()
        .expect("function builds");
    let previous_call = ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
        id: "call_prev".into(),
        function: FunctionCall {
            name: "get_weather".into(),
            arguments: "{\"city\":\"Porto\"}".into(),
        },
    });
    CreateChatCompletionRequestArgs::default()
        .model("gpt-4o-mini")
        .messages([
            ChatCompletionRequestSystemMessage::from("You plan trips.").into(),
            ChatCompletionRequestUserMessage::from("Weather in Porto, then Lisbon?").into(),
            ChatCompletionRequestAssistantMessageArgs::default()
                .tool_calls(vec![previous_call])
                .build()
                .expect("assistant message builds")
                .into(),
            ChatCompletionRequestToolMessageArgs::default()
                .tool_call_id("call_prev")
                .content("{\"celsius\":17}")
                .build()
                .expect("tool message builds")
                .into(),
        ])
        .tools(vec![ChatCompletionTools::Function(ChatCompletionTool {
            function: weather,
        })])
        .build()
        .expect("request builds")
}

fn json_attr(span: &opentelemetry_sdk::trace::SpanData, key: &str) -> serde_json::Value {
    let text = attr_str(span, key).unwrap_or_else(|| panic!("{key} recorded"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{key} is JSON ({e}): {text}"))
}

#[test]
fn chat_records_input_messages_tool_definitions_and_requested_tool_calls() {
    let ((), spans) = run(true, || async {
        let server = Server::start(vec![Canned::ok(completion_with_tool_calls())]).await;
        let response = server
            .client()
            .chat()
            .create(tools_request())
            .await
            .expect("succeeds");
        assert_eq!(
            response.choices[0]
                .message
                .tool_calls
                .as_ref()
                .map(Vec::len),
            Some(2)
        );
    });
    let span = find_span(&spans, "chat gpt-4o-mini");

    let input = json_attr(span, sc::GEN_AI_INPUT_MESSAGES);
    assert_eq!(input[0]["role"], "system");
    assert_eq!(
        input[1]["parts"][0]["content"],
        "Weather in Porto, then Lisbon?"
    );
    assert_eq!(input[2]["role"], "assistant");
    assert_eq!(input[2]["parts"][0]["type"], "tool_call");
    assert_eq!(input[2]["parts"][0]["id"], "call_prev");
    assert_eq!(input[2]["parts"][0]["arguments"], json!({"city": "Porto"}));
    assert_eq!(input[3]["role"], "tool");
    assert_eq!(input[3]["parts"][0]["type"], "tool_call_response");
    assert_eq!(input[3]["parts"][0]["id"], "call_prev");
    assert_eq!(
        attr_str(span, oi::INPUT_VALUE),
        attr_str(span, sc::GEN_AI_INPUT_MESSAGES)
    );

    // The conventions' shape, not the request's (`{type, function: {…}}`).
    let tools = json_attr(span, sc::GEN_AI_TOOL_DEFINITIONS);
    assert_eq!(
        tools,
        json!([{"type": "function", "name": "get_weather", "description": "Current weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}])
    );
    // And the OpenInference mirror Phoenix renders the conversation from.
    for (key, value) in [
        ("llm.input_messages.0.message.role", "system"),
        ("llm.input_messages.0.message.content", "You plan trips."),
        ("llm.input_messages.1.message.role", "user"),
        ("llm.input_messages.2.message.role", "assistant"),
        (
            "llm.input_messages.2.message.tool_calls.0.tool_call.id",
            "call_prev",
        ),
        (
            "llm.input_messages.2.message.tool_calls.0.tool_call.function.name",
            "get_weather",
        ),
        (
            "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments",
            "{\"city\":\"Porto\"}",
        ),
        ("llm.input_messages.3.message.role", "tool"),
        ("llm.input_messages.3.message.tool_call_id", "call_prev"),
        ("llm.input_messages.3.message.content", "{\"celsius\":17}"),
        ("llm.output_messages.0.message.role", "assistant"),
        (
            "llm.output_messages.0.message.tool_calls.1.tool_call.function.name",
            "search_flights",
        ),
    ] {
        assert_eq!(attr_str(span, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(
        json_attr(span, "llm.tools.0.tool.json_schema"),
        json!({"type": "function", "function": {"name": "get_weather", "description": "Current weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}})
    );

    let output = json_attr(span, sc::GEN_AI_OUTPUT_MESSAGES);
    assert_eq!(output.as_array().map(Vec::len), Some(1));
    assert_eq!(output[0]["role"], "assistant");
    assert_eq!(output[0]["finish_reason"], "tool_calls");
    let parts = &output[0]["parts"];
    assert_eq!(
        parts[0],
        json!({"type": "tool_call", "id": "call_weather_1", "name": "get_weather", "arguments": {"city": "Lisbon"}})
    );
    assert_eq!(
        parts[1],
        json!({"type": "tool_call", "id": "call_flights_2", "name": "search_flights", "arguments": {"to": "LIS"}})
    );
    assert_eq!(
        attr_strings(span, sc::GEN_AI_RESPONSE_FINISH_REASONS),
        ["tool_calls"]
    );
}

#[test]
fn chat_records_one_output_message_per_choice_with_text() {
    let ((), spans) = run(true, || async {
        let server = Server::start(vec![Canned::ok(completion_with_text())]).await;
        let request = CreateChatCompletionRequestArgs::default()
            .model("gpt-4o-mini")
            .messages([ChatCompletionRequestUserMessage::from("Greet me").into()])
            .build()
            .expect("builds");
        server
            .client()
            .chat()
            .create(request)
            .await
            .expect("succeeds");
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    let output = json_attr(span, sc::GEN_AI_OUTPUT_MESSAGES);
    assert_eq!(output[0]["parts"][0]["content"], "Hello there.");
    assert_eq!(output[0]["finish_reason"], "stop");
    assert_eq!(output[1]["parts"][0]["content"], "Bonjour !");
    assert_eq!(output[1]["finish_reason"], "length");
    assert_eq!(
        attr_str(span, oi::OUTPUT_VALUE),
        attr_str(span, sc::GEN_AI_OUTPUT_MESSAGES)
    );
}

#[test]
fn streamed_tool_call_deltas_are_assembled_into_the_output_message() {
    let ((), spans) = run(true, || async {
        let server = Server::start(vec![Canned::Sse {
            events: tool_call_stream(),
            hold_open: false,
        }])
        .await;
        let stream = server
            .client()
            .chat()
            .create_stream(tools_request())
            .await
            .expect("starts");
        let chunks: Vec<_> = stream.collect().await;
        assert!(chunks.iter().all(Result::is_ok));
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert!(attr_f64(span, sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK).is_some_and(|t| t > 0.0));
    assert_eq!(
        attr_i64(span, llmtrace::semconv::llmtrace::STREAM_CHUNK_COUNT),
        Some(5)
    );
    let output = json_attr(span, sc::GEN_AI_OUTPUT_MESSAGES);
    assert_eq!(output[0]["finish_reason"], "tool_calls");
    let parts = &output[0]["parts"];
    assert_eq!(
        parts[0],
        json!({"type": "tool_call", "id": "call_w", "name": "get_weather", "arguments": {"city": "Lisbon"}})
    );
    assert_eq!(
        parts[1],
        json!({"type": "tool_call", "id": "call_f", "name": "search_flights", "arguments": {"to": "LIS"}})
    );
}

#[test]
fn streamed_text_is_assembled_into_the_output_message() {
    let ((), spans) = run(true, || async {
        let server = Server::start(vec![Canned::Sse {
            events: text_stream(std::time::Duration::from_millis(1)),
            hold_open: false,
        }])
        .await;
        let request = CreateChatCompletionRequestArgs::default()
            .model("gpt-4o-mini")
            .messages([ChatCompletionRequestUserMessage::from("Greet me").into()])
            .build()
            .expect("builds");
        let stream = server
            .client()
            .chat()
            .create_stream(request)
            .await
            .expect("starts");
        let _: Vec<_> = stream.collect().await;
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    let output = json_attr(span, sc::GEN_AI_OUTPUT_MESSAGES);
    assert_eq!(output[0]["parts"][0]["content"], "Hello world");
    assert_eq!(output[0]["finish_reason"], "stop");
}

#[test]
fn embeddings_record_the_input_texts() {
    let ((), spans) = run(true, || async {
        let server = Server::start(vec![Canned::ok(embeddings_response(2, 3))]).await;
        let request = CreateEmbeddingRequestArgs::default()
            .model("text-embedding-3-small")
            .input(vec!["first text", "second text"])
            .build()
            .expect("builds");
        server
            .client()
            .embeddings()
            .create(request)
            .await
            .expect("succeeds");
    });
    let span = find_span(&spans, "embeddings text-embedding-3-small");
    assert_eq!(
        json_attr(span, oi::INPUT_VALUE),
        json!(["first text", "second text"])
    );
}

#[test]
fn chat_model_runs_a_traced_agent_turn_over_llmtrace_messages() {
    let ((server, reply), spans) = run(true, || async {
        let server = Server::start(vec![Canned::ok(completion_with_tool_calls())]).await;
        let model = llmtrace_openai::ChatModel::new(server.client(), "gpt-4o-mini")
            .tool("get_weather", "Current weather", json!({"type": "object"}))
            .temperature(0.2);
        let reply = model
            .complete(&[
                llmtrace::Message::system("plan"),
                llmtrace::Message::user("Lisbon?"),
            ])
            .await;
        (server, reply)
    });
    let reply = reply.expect("succeeds");
    assert_eq!(reply.role, llmtrace::Role::Assistant);
    assert_eq!(reply.finish_reason.as_deref(), Some("tool_calls"));
    assert_eq!(reply.tool_calls[0].id, "call_weather_1");
    assert_eq!(reply.tool_calls[0].arguments, json!({"city": "Lisbon"}));
    let sent = &server.requests()[0].body;
    assert_eq!(sent["tools"][0]["function"]["name"], "get_weather");
    assert_eq!(sent["messages"][1]["content"], "Lisbon?");
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(attr_f64(span, sc::GEN_AI_REQUEST_TEMPERATURE), Some(0.2));
    assert!(
        attr_str(span, sc::GEN_AI_OUTPUT_MESSAGES).is_some_and(|o| o.contains("call_weather_1"))
    );
}

#[test]
fn captured_prompts_and_tool_arguments_pass_the_redactor() {
    use llmtrace::processor::redact::{RedactingProcessor, RedactionConfig};
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};

    let exporter = InMemorySpanExporter::default();
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .capture_content(true)
        .with_span_processor(SimpleSpanProcessor::new(exporter.clone()))
        .wrap_processor(|inner| {
            RedactingProcessor::new(inner, RedactionConfig::builder().build().expect("redactor"))
        })
        .build()
        .expect("pipeline builds");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        runtime.block_on(async {
            let mut body = completion_with_tool_calls();
            body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] =
                json!("{\"notify\":\"jane.doe@example.com\"}");
            let server = Server::start(vec![Canned::ok(body)]).await;
            let request = CreateChatCompletionRequestArgs::default()
                .model("gpt-4o-mini")
                .messages([ChatCompletionRequestUserMessage::from(
                    "Email ada@example.org the plan",
                )
                .into()])
                .build()
                .expect("builds");
            server
                .client()
                .chat()
                .create(request)
                .await
                .expect("succeeds");
        })
    });
    drop(runtime);
    guard.flush();
    let spans = exporter.get_finished_spans().expect("spans");
    let span = find_span(&spans, "chat gpt-4o-mini");
    let strings = all_strings(&spans);
    assert!(!strings.contains("ada@example.org"), "{strings}");
    assert!(!strings.contains("jane.doe@example.com"), "{strings}");
    let input = json_attr(span, sc::GEN_AI_INPUT_MESSAGES);
    assert_eq!(
        input[0]["parts"][0]["content"],
        "Email [REDACTED:email] the plan"
    );
    let output = json_attr(span, sc::GEN_AI_OUTPUT_MESSAGES);
    assert_eq!(
        output[0]["parts"][0]["arguments"]["notify"],
        "[REDACTED:email]"
    );
    assert_eq!(output[0]["parts"][0]["id"], "call_weather_1");
    assert_eq!(
        attr_str(span, sc::SERVER_ADDRESS).as_deref(),
        Some("127.0.0.1")
    );
}
