//! Conformance with the pinned GenAI semantic conventions (v1.41.1), per scenario: chat,
//! streaming chat, chat with tools, embeddings and a failed call, against a local
//! OpenAI-compatible server with content capture on. For each scenario the exported `gen_ai.*`, `error.*` and `server.*` keys are
//! checked against the registry snapshot in `llmtrace-semconv` (known, not deprecated, the
//! registry's type) and pinned as a set, so any drift — a key added, dropped or renamed — fails
//! here first; the span group's required attributes must be present.

mod common;

use async_openai::types::chat::{
    ChatCompletionRequestUserMessage, ChatCompletionStreamOptions, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, CreateChatCompletionRequestArgs,
    FunctionObjectArgs,
};
use async_openai::types::embeddings::CreateEmbeddingRequestArgs;
use common::*;
use futures_util::StreamExt;
use llmtrace::semconv::registry::{self, EnumBase, RegistryType};
use opentelemetry::{Array, Value};
use opentelemetry_sdk::trace::SpanData;
use serde_json::json;

fn chat_request(stream: bool, tools: bool) -> CreateChatCompletionRequest {
    let mut args = CreateChatCompletionRequestArgs::default();
    args.model("gpt-4o-mini")
        .messages([ChatCompletionRequestUserMessage::from("Weather in Porto?").into()])
        .temperature(0.2)
        .max_completion_tokens(256u32);
    if stream {
        args.stream_options(ChatCompletionStreamOptions {
            include_usage: Some(true),
            include_obfuscation: None,
        });
    }
    if tools {
        let weather = FunctionObjectArgs::default()
            .name("get_weather")
            .description("Current weather of a city")
            .parameters(json!({"type": "object", "properties": {"city": {"type": "string"}}}))
            .build()
            .expect("function builds");
        args.tools(vec![ChatCompletionTools::Function(ChatCompletionTool {
            function: weather,
        })]);
    }
    args.build().expect("request builds")
}

/// Whether an exported value has the registry's type (`any` content is a JSON string).
fn has_registry_type(ty: RegistryType, value: &Value) -> bool {
    match (ty, value) {
        (RegistryType::String | RegistryType::Enum(EnumBase::String), Value::String(_))
        | (RegistryType::Int | RegistryType::Enum(EnumBase::Int), Value::I64(_))
        | (RegistryType::Double, Value::F64(_))
        | (RegistryType::Boolean, Value::Bool(_))
        | (RegistryType::StringArray, Value::Array(Array::String(_)))
        | (RegistryType::IntArray, Value::Array(Array::I64(_)))
        | (RegistryType::DoubleArray, Value::Array(Array::F64(_)))
        | (RegistryType::BooleanArray, Value::Array(Array::Bool(_))) => true,
        (RegistryType::Any, Value::String(s)) => {
            serde_json::from_str::<serde_json::Value>(s.as_str()).is_ok()
        }
        _ => false,
    }
}

/// Checks `span` against the registry and its span group; returns its convention keys, sorted.
fn conforming_keys(span: &SpanData, group: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for kv in &span.attributes {
        let key = kv.key.as_str();
        if !["gen_ai.", "error.", "server."]
            .iter()
            .any(|p| key.starts_with(p))
        {
            continue;
        }
        let spec = registry::attribute(key)
            .unwrap_or_else(|| panic!("{}: {key} is not in the v1.41.1 registry", span.name));
        assert!(!spec.is_deprecated(), "{}: {key} is deprecated", span.name);
        assert!(
            has_registry_type(spec.ty, &kv.value),
            "{}: {key} = {:?} is not of the registry's type {:?}",
            span.name,
            kv.value,
            spec.ty
        );
        if let RegistryType::Enum(_) = spec.ty {
            let value = kv.value.as_str();
            assert!(
                spec.members.is_empty()
                    || spec.member(&value).is_some()
                    || key == "error.type"
                    || key == "gen_ai.provider.name",
                "{}: {key} = {value} is not a member",
                span.name
            );
        }
        keys.push(key.to_owned());
    }
    let group = registry::group(group).unwrap_or_else(|| panic!("no span group {group}"));
    for required in group.required() {
        assert!(
            keys.iter().any(|k| k == required),
            "{}: required {required} of {} missing",
            span.name,
            group.id
        );
    }
    keys.sort();
    keys
}

fn only_span(spans: &[SpanData]) -> &SpanData {
    assert_eq!(spans.len(), 1, "{:?}", names(spans));
    &spans[0]
}

const CHAT_GROUP: &str = "span.openai.inference.client";
const EMBEDDINGS_GROUP: &str = "span.gen_ai.embeddings.client";

#[test]
fn chat() {
    let (_, spans) = run(true, || async {
        let server = Server::start(vec![Canned::ok(completion_with_text())]).await;
        let _ = server
            .client()
            .chat()
            .create(chat_request(false, false))
            .await;
    });
    assert_eq!(
        conforming_keys(only_span(&spans), CHAT_GROUP),
        [
            "gen_ai.input.messages",
            "gen_ai.operation.name",
            "gen_ai.output.messages",
            "gen_ai.provider.name",
            "gen_ai.request.max_tokens",
            "gen_ai.request.model",
            "gen_ai.request.stream",
            "gen_ai.request.temperature",
            "gen_ai.response.finish_reasons",
            "gen_ai.response.id",
            "gen_ai.response.model",
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
            "gen_ai.usage.reasoning.output_tokens",
            "server.address",
            "server.port",
        ]
    );
}

#[test]
fn streaming_chat() {
    let (_, spans) = run(true, || async {
        let server = Server::start(vec![Canned::Sse {
            events: text_stream(std::time::Duration::from_millis(5)),
            hold_open: false,
        }])
        .await;
        let mut stream = server
            .client()
            .chat()
            .create_stream(chat_request(true, false))
            .await
            .expect("stream starts");
        while stream.next().await.is_some() {}
    });
    assert_eq!(
        conforming_keys(only_span(&spans), CHAT_GROUP),
        [
            "gen_ai.input.messages",
            "gen_ai.operation.name",
            "gen_ai.output.messages",
            "gen_ai.provider.name",
            "gen_ai.request.max_tokens",
            "gen_ai.request.model",
            "gen_ai.request.stream",
            "gen_ai.request.temperature",
            "gen_ai.response.finish_reasons",
            "gen_ai.response.id",
            "gen_ai.response.model",
            "gen_ai.response.time_to_first_chunk",
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
            "gen_ai.usage.reasoning.output_tokens",
            "server.address",
            "server.port",
        ]
    );
}

#[test]
fn chat_with_tools() {
    let (_, spans) = run(true, || async {
        let server = Server::start(vec![Canned::ok(completion_with_tool_calls())]).await;
        let _ = server
            .client()
            .chat()
            .create(chat_request(false, true))
            .await;
    });
    assert_eq!(
        conforming_keys(only_span(&spans), CHAT_GROUP),
        [
            "gen_ai.input.messages",
            "gen_ai.operation.name",
            "gen_ai.output.messages",
            "gen_ai.provider.name",
            "gen_ai.request.max_tokens",
            "gen_ai.request.model",
            "gen_ai.request.stream",
            "gen_ai.request.temperature",
            "gen_ai.response.finish_reasons",
            "gen_ai.response.id",
            "gen_ai.response.model",
            "gen_ai.tool.definitions",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
            "server.address",
            "server.port",
        ]
    );
}

#[test]
fn embeddings() {
    let (_, spans) = run(true, || async {
        let server = Server::start(vec![Canned::ok(embeddings_response(2, 8))]).await;
        let request = CreateEmbeddingRequestArgs::default()
            .model("text-embedding-3-small")
            .input(vec!["one".to_owned(), "two".to_owned()])
            .build()
            .expect("builds");
        let _ = server.client().embeddings().create(request).await;
    });
    let keys = conforming_keys(only_span(&spans), EMBEDDINGS_GROUP);
    assert!(!keys.iter().any(|k| k == "gen_ai.usage.output_tokens"));
    assert_eq!(
        keys,
        [
            "gen_ai.embeddings.dimension.count",
            "gen_ai.operation.name",
            "gen_ai.provider.name",
            "gen_ai.request.model",
            "gen_ai.response.model",
            "gen_ai.usage.input_tokens",
            "server.address",
            "server.port",
        ]
    );
}

#[test]
fn failed_chat() {
    let (_, spans) = run(true, || async {
        let server = Server::start(vec![Canned::status(
            400,
            api_error("bad request", Some("invalid_request_error"), None),
        )])
        .await;
        let _ = server
            .client()
            .chat()
            .create(chat_request(false, false))
            .await;
    });
    assert_eq!(
        conforming_keys(only_span(&spans), CHAT_GROUP),
        [
            "error.type",
            "gen_ai.input.messages",
            "gen_ai.operation.name",
            "gen_ai.provider.name",
            "gen_ai.request.max_tokens",
            "gen_ai.request.model",
            "gen_ai.request.stream",
            "gen_ai.request.temperature",
            "server.address",
            "server.port",
        ]
    );
}
