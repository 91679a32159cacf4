//! The capture modes with events: the `gen_ai.client.inference.operation.details` log record,
//! and content kept off spans in `event_only`. Every test here records content (the no-content
//! modes are covered end to end by the workspace's `capture_modes` tests).

use std::collections::HashMap;

use llmtrace::semconv::attribute as sc;
use llmtrace::{CaptureMode, LlmSpanExt, Message, Response, Usage};
use llmtrace_test_support::*;
use opentelemetry::logs::AnyValue;
use opentelemetry::Key;
use opentelemetry_sdk::logs::in_memory_exporter::LogDataWithResource;
use opentelemetry_sdk::logs::{InMemoryLogExporter, SimpleLogProcessor};
use opentelemetry_sdk::trace::SpanData;

const EVENT: &str = "gen_ai.client.inference.operation.details";

/// Runs one chat (with system instructions, a tool, input and output messages and an e-mail
/// address in the prompt) and one tool call under a pipeline in `mode`; returns the spans and
/// the log records.
fn chat_in(mode: CaptureMode) -> (Vec<SpanData>, Vec<LogDataWithResource>) {
    let logs = InMemoryLogExporter::default();
    let (guard, spans) = pipeline_with(true, |b| {
        b.capture_content(mode)
            .with_log_processor(SimpleLogProcessor::new(logs.clone()))
    });
    let spans = run_in(&guard, &spans, || {
        let chat = llmtrace::chat("gpt-4o")
            .provider("openai")
            .system_instructions("You are terse.")
            .tool_definitions(&[llmtrace::ToolDefinition::function("get_weather")
                .description("Weather by city")
                .parameters(serde_json::json!({"type": "object"}))])
            .input_messages(&[Message::user(
                "Weather in Paris? Mail me at jane.doe@example.com",
            )])
            .start();
        chat.record_usage(Usage::new(21, 5));
        chat.record_response(&Response::new().id("chatcmpl-1").finish_reason("stop"));
        chat.record_output_messages(&[Message::assistant("Sunny.").with_finish_reason("stop")]);
        drop(chat);
        llmtrace::tool("get_weather").start().in_scope(|| {});
    });
    guard.flush();
    (spans, logs.get_emitted_logs().expect("logs"))
}

fn record_attr<'a>(log: &'a LogDataWithResource, key: &str) -> Option<&'a AnyValue> {
    log.record
        .attributes_iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v)
}

fn map(value: &AnyValue) -> &HashMap<Key, AnyValue> {
    match value {
        AnyValue::Map(map) => map,
        other => panic!("expected a map, got {other:?}"),
    }
}

fn list(value: &AnyValue) -> &[AnyValue] {
    match value {
        AnyValue::ListAny(items) => items,
        other => panic!("expected a list, got {other:?}"),
    }
}

fn text(value: Option<&AnyValue>) -> String {
    match value {
        Some(AnyValue::String(s)) => s.to_string(),
        other => panic!("expected a string, got {other:?}"),
    }
}

#[test]
fn event_only_moves_content_from_the_span_to_one_structured_log_record() {
    let (spans, logs) = chat_in(CaptureMode::EventOnly);
    let chat = find_span(&spans, "chat gpt-4o");
    for span in &spans {
        for kv in &span.attributes {
            assert!(
                !llmtrace::content::is_content_key(kv.key.as_str()),
                "{} carries content {}",
                span.name,
                kv.key
            );
        }
    }
    assert_eq!(attr_i64(chat, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(21));

    assert_eq!(logs.len(), 1, "one record per inference, none for the tool");
    let log = &logs[0];
    assert_eq!(log.record.event_name(), Some(EVENT));
    let context = log.record.trace_context().expect("correlated");
    assert_eq!(context.trace_id, chat.span_context.trace_id());
    assert_eq!(context.span_id, chat.span_context.span_id());
    assert_eq!(text(record_attr(log, sc::GEN_AI_OPERATION_NAME)), "chat");
    assert_eq!(text(record_attr(log, sc::GEN_AI_REQUEST_MODEL)), "gpt-4o");
    assert_eq!(text(record_attr(log, sc::GEN_AI_PROVIDER_NAME)), "openai");
    assert_eq!(
        record_attr(log, sc::GEN_AI_USAGE_OUTPUT_TOKENS),
        Some(&AnyValue::Int(5))
    );

    let input = list(record_attr(log, sc::GEN_AI_INPUT_MESSAGES).expect("input messages"));
    let first = map(&input[0]);
    assert_eq!(text(first.get(&Key::new("role"))), "user");
    let parts = list(first.get(&Key::new("parts")).expect("parts"));
    let content = text(map(&parts[0]).get(&Key::new("content")));
    assert!(content.starts_with("Weather in Paris?"), "{content}");
    assert!(
        !content.contains("jane.doe@example.com"),
        "the record holds the redacted text: {content}"
    );
    let output = list(record_attr(log, sc::GEN_AI_OUTPUT_MESSAGES).expect("output messages"));
    assert_eq!(text(map(&output[0]).get(&Key::new("role"))), "assistant");
    let system = list(record_attr(log, sc::GEN_AI_SYSTEM_INSTRUCTIONS).expect("instructions"));
    assert_eq!(
        text(map(&system[0]).get(&Key::new("content"))),
        "You are terse."
    );
    let tools = list(record_attr(log, sc::GEN_AI_TOOL_DEFINITIONS).expect("tool definitions"));
    assert_eq!(text(map(&tools[0]).get(&Key::new("name"))), "get_weather");
}

#[test]
fn span_and_event_keeps_content_on_the_span_and_emits_the_record() {
    let (spans, logs) = chat_in(CaptureMode::SpanAndEvent);
    let chat = find_span(&spans, "chat gpt-4o");
    let on_span = attr_str(chat, sc::GEN_AI_INPUT_MESSAGES).expect("content on the span");
    assert!(on_span.contains("Weather in Paris?"), "{on_span}");
    assert_eq!(logs.len(), 1);
    assert!(record_attr(&logs[0], sc::GEN_AI_INPUT_MESSAGES).is_some());
}

#[test]
fn span_only_emits_no_record_unless_events_are_asked_for() {
    let (spans, logs) = chat_in(CaptureMode::SpanOnly);
    assert!(attr_str(find_span(&spans, "chat gpt-4o"), sc::GEN_AI_INPUT_MESSAGES).is_some());
    assert!(logs.is_empty(), "{logs:?}");

    // OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT=true with span_only: a record without content.
    let logs_out = InMemoryLogExporter::default();
    let (guard, spans_out) = pipeline_with(true, |b| {
        b.with_env(vec![(
            "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT".to_owned(),
            "true".to_owned(),
        )])
        .capture_content(CaptureMode::SpanOnly)
        .with_log_processor(SimpleLogProcessor::new(logs_out.clone()))
    });
    run_in(&guard, &spans_out, || {
        llmtrace::chat("gpt-4o")
            .input_messages(&[Message::user("hi")])
            .start()
            .in_scope(|| {});
    });
    guard.flush();
    let logs = logs_out.get_emitted_logs().expect("logs");
    assert_eq!(logs.len(), 1);
    assert_eq!(
        text(record_attr(&logs[0], sc::GEN_AI_REQUEST_MODEL)),
        "gpt-4o"
    );
    assert!(record_attr(&logs[0], sc::GEN_AI_INPUT_MESSAGES).is_none());
}

#[test]
fn the_trace_file_holds_the_records_as_resource_logs_lines() {
    let dir = std::env::temp_dir().join(format!("llmtrace-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("trace.jsonl");
    let _ = std::fs::remove_file(&path);
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .capture_content(CaptureMode::EventOnly)
        .file(&path)
        .build()
        .expect("pipeline builds");
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        llmtrace::chat("gpt-4o")
            .input_messages(&[Message::user("hi")])
            .start()
            .in_scope(|| {});
    });
    drop(guard);
    let text = std::fs::read_to_string(&path).expect("file");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let spans: Vec<_> = lines
        .iter()
        .filter(|l| l.get("resourceSpans").is_some())
        .collect();
    let logs: Vec<_> = lines
        .iter()
        .filter(|l| l.get("resourceLogs").is_some())
        .collect();
    assert_eq!(spans.len(), 1, "{text}");
    assert_eq!(logs.len(), 1, "{text}");
    let record = &logs[0]["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
    assert_eq!(record["eventName"], EVENT, "{record}");
    let span = &spans[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(record["spanId"], span["spanId"], "{record}");
    assert_eq!(record["traceId"], span["traceId"], "{record}");
    let _ = std::fs::remove_dir_all(&dir);
}
