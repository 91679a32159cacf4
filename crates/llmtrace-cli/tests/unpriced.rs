//! Costs: a model without a price is flagged as unpriced, never shown as `$0`; `--by` groups by
//! session, user and service; `--color always` colours, `NO_COLOR` turns colour off.

mod common;

use common::{agent_jsonl, arg, bin, json, scratch};

/// The ANSI escape that starts a colour.
const ESC: char = '\u{1b}';

/// One trace: an agent root and a chat call whose model had no price.
fn unpriced_file() -> std::path::PathBuf {
    let span = |id: &str, parent: &str, name: &str, attrs: &str| {
        format!(
            r#"{{"traceId":"aaaabbbbccccddddeeeeffff00001111","spanId":"{id}","parentSpanId":"{parent}",
            "name":"{name}","startTimeUnixNano":"1000000000","endTimeUnixNano":"1500000000",
            "attributes":[{attrs}]}}"#
        )
    };
    let chat = span(
        "0000000000000002",
        "0000000000000001",
        "chat my-local-model",
        r#"{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
           {"key":"gen_ai.request.model","value":{"stringValue":"my-local-model"}},
           {"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},
           {"key":"llmtrace.cost.unknown","value":{"boolValue":true}}"#,
    );
    let root = span("0000000000000001", "", "invoke_agent local", "");
    let line = format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[]}},"scopeSpans":[{{"spans":[{chat},{root}]}}]}}]}}"#
    )
    .replace('\n', " ");
    let path = scratch("unpriced").join("unpriced.jsonl");
    std::fs::write(&path, line + "\n").expect("write");
    path
}

#[test]
fn unknown_prices_are_flagged_never_zero() {
    let path = unpriced_file();
    let stats = json(&["stats", arg(&path)]);
    let model = &stats["models"][0];
    assert_eq!(model["name"], "my-local-model", "{stats:#}");
    assert_eq!(model["cost_usd"], serde_json::Value::Null);
    assert_eq!(model["unpriced_calls"], 1);
    assert_eq!(stats["top_by_cost"][0]["unpriced_calls"], 1);

    let text = bin().args(["stats", arg(&path)]).output().expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("$? (1 unpriced)"), "{text}");
    assert!(!text.contains("$0"), "{text}");

    let expensive = json(&["find", arg(&path), "--cost-above", "0"]);
    assert_eq!(
        expensive,
        serde_json::json!([]),
        "an unknown cost is not above 0"
    );
}

#[test]
fn stats_by_session_user_and_service() {
    let session = json(&["stats", arg(agent_jsonl()), "--by", "session"]);
    assert_eq!(
        session["by"]["session"][0]["name"], "session-4821",
        "{session:#}"
    );
    let user = json(&["stats", arg(agent_jsonl()), "--by", "user"]);
    assert_eq!(user["by"]["user"][0]["name"], "user-17");
    let service = json(&["stats", arg(agent_jsonl()), "--by", "service"]);
    assert_eq!(service["by"]["service"][0]["name"], "unknown_service:agent");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let out = bin()
        .args(["--color", "always", "view", arg(agent_jsonl())])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains(ESC));
    let out = bin()
        .env("NO_COLOR", "1")
        .args(["view", arg(agent_jsonl())])
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(ESC));
}
