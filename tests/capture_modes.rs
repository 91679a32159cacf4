//! The agent example under every value the official GenAI instrumentations accept for
//! `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, read back from its OTLP-JSON file: where
//! the content lands (span attributes, the OpenInference mirror, the inference log record), and
//! that a value only a Python deployment knows never fails the Rust service's start-up.

use std::path::Path;
use std::time::Duration;

use llmtrace_test_support::examples::run_example;
use serde_json::Value;

const EVENT: &str = "gen_ai.client.inference.operation.details";

/// What one run of the agent example wrote: its spans and log records (OTLP JSON).
struct Run {
    spans: Vec<Value>,
    logs: Vec<Value>,
}

fn run_agent(capture: &str, dir: &Path) -> Run {
    let file = dir.join(format!("agent-{capture}.jsonl"));
    let _ = std::fs::remove_file(&file);
    let (out, _) = run_example(
        "agent",
        &[
            (
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
                capture,
            ),
            ("LLMTRACE_FILE", file.to_str().expect("utf-8 path")),
        ],
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{capture}: exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).expect("trace file");
    let mut run = Run {
        spans: Vec::new(),
        logs: Vec::new(),
    };
    for line in text.lines() {
        let line: Value = serde_json::from_str(line).expect("a JSON line");
        let nested = |outer: &str, scope: &str, items: &str| -> Vec<Value> {
            line[outer]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r[scope].as_array().into_iter().flatten())
                .flat_map(|s| s[items].as_array().into_iter().flatten())
                .cloned()
                .collect()
        };
        run.spans
            .extend(nested("resourceSpans", "scopeSpans", "spans"));
        run.logs
            .extend(nested("resourceLogs", "scopeLogs", "logRecords"));
    }
    run
}

/// An attribute of an OTLP-JSON span or log record, as its `AnyValue` object.
fn attribute<'a>(item: &'a Value, key: &str) -> Option<&'a Value> {
    item["attributes"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .map(|kv| &kv["value"])
}

fn chat_spans(run: &Run) -> Vec<&Value> {
    run.spans
        .iter()
        .filter(|s| s["name"].as_str().is_some_and(|n| n.starts_with("chat ")))
        .collect()
}

fn carries_messages(span: &Value) -> bool {
    span["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|kv| {
            let key = kv["key"].as_str().unwrap_or_default();
            key == "gen_ai.input.messages"
                || key == "gen_ai.output.messages"
                || key.starts_with("llm.input_messages.")
                || key.starts_with("llm.output_messages.")
                || key == "input.value"
                || key == "output.value"
        })
}

/// The `name` of every element of a `gen_ai.tool.definitions` value, whether a JSON string (on
/// a span) or a structured array (in a log record).
fn tool_definition_names(value: &Value) -> Vec<Option<String>> {
    if let Some(text) = value["stringValue"].as_str() {
        let parsed: Value = serde_json::from_str(text).expect("tool definitions are JSON");
        return parsed
            .as_array()
            .expect("an array")
            .iter()
            .map(|d| d["name"].as_str().map(str::to_owned))
            .collect();
    }
    value["arrayValue"]["values"]
        .as_array()
        .expect("an array value")
        .iter()
        .map(|d| {
            d["kvlistValue"]["values"]
                .as_array()?
                .iter()
                .find(|kv| kv["key"] == "name")?["value"]["stringValue"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

fn assert_tool_definitions_named(items: &[&Value], what: &str) -> usize {
    let mut seen = 0;
    for item in items {
        if let Some(value) = attribute(item, "gen_ai.tool.definitions") {
            for name in tool_definition_names(value) {
                assert!(
                    name.is_some(),
                    "{what}: a tool definition without a top-level name"
                );
                seen += 1;
            }
        }
    }
    seen
}

#[test]
fn every_official_capture_value_runs_and_puts_content_where_it_says() {
    let dir = std::env::temp_dir().join(format!("llmtrace-capture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    for value in ["no_content", "false"] {
        let run = run_agent(value, &dir);
        assert!(!run.spans.is_empty(), "{value}");
        assert!(run.spans.iter().all(|s| !carries_messages(s)), "{value}");
        assert!(run.logs.is_empty(), "{value}: {:?}", run.logs);
    }

    for value in ["span_only", "true"] {
        let run = run_agent(value, &dir);
        let chats = chat_spans(&run);
        assert!(!chats.is_empty(), "{value}");
        for chat in &chats {
            assert!(
                attribute(chat, "gen_ai.input.messages").is_some(),
                "{value}: {chat}"
            );
            let role = attribute(chat, "llm.input_messages.0.message.role")
                .and_then(|v| v["stringValue"].as_str());
            assert_eq!(role, Some("system"), "{value}: {chat}");
        }
        assert!(assert_tool_definitions_named(&chats, value) > 0, "{value}");
        assert!(run.logs.is_empty(), "{value}: {:?}", run.logs);
    }

    let run = run_agent("event_only", &dir);
    assert!(run.spans.iter().all(|s| !carries_messages(s)));
    let records: Vec<&Value> = run
        .logs
        .iter()
        .filter(|l| l["eventName"] == EVENT)
        .collect();
    assert_eq!(
        records.len(),
        chat_spans(&run).len(),
        "one record per chat span"
    );
    for record in &records {
        assert!(
            attribute(record, "gen_ai.input.messages").is_some(),
            "{record}"
        );
    }
    assert!(assert_tool_definitions_named(&records, "event_only") > 0);

    let run = run_agent("span_and_event", &dir);
    let chats = chat_spans(&run);
    assert!(chats.iter().all(|c| carries_messages(c)));
    assert_eq!(
        run.logs.iter().filter(|l| l["eventName"] == EVENT).count(),
        chats.len()
    );

    // A value llmtrace does not know: start-up goes on, without content.
    let run = run_agent("EVERYTHING", &dir);
    assert!(run.spans.iter().all(|s| !carries_messages(s)));

    let _ = std::fs::remove_dir_all(&dir);
}
