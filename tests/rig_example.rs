//! `examples/rig_agent.rs` — rig 0.44 (rig-core + rig-agent) writing its own spans, against the
//! example's local mock — through llmtrace, as exported to the OTLP-JSON file: names, kinds,
//! integer tokens, cost, the OpenInference mirror, parents, the failed call's status, usage
//! counted once, and the content switch (the example hands llmtrace's choice to rig's
//! `record_content_telemetry`).

use std::path::PathBuf;
use std::time::Duration;

use llmtrace_test_support::examples::run_example;
use llmtrace_test_support::otlp_json::{
    boolean, float, int, is_child_of, named, read_spans, text, CLIENT, INTERNAL, STATUS_ERROR,
};
use serde_json::Value;

const EMAIL: &str = "jane.doe@example.com";
/// What the example's mock answers the agent's two model turns: (input, output) tokens.
const TURNS: [(i64, i64); 2] = [(120, 18), (190, 42)];

/// The spans one run of the example exported, and its console output; `test` names the file
/// (the tests run in parallel).
fn run(capture: &str, test: &str) -> (Vec<Value>, String) {
    run_with(capture, test, &[])
}

/// [`run`] with more variables set.
fn run_with(capture: &str, test: &str, more: &[(&str, &str)]) -> (Vec<Value>, String) {
    let dir = std::env::temp_dir().join(format!("llmtrace-rig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file: PathBuf = dir.join(format!("{test}.jsonl"));
    let _ = std::fs::remove_file(&file);
    let mut env = vec![
        ("LLMTRACE_CAPTURE_CONTENT", capture),
        ("LLMTRACE_FILE", file.to_str().expect("utf-8 path")),
    ];
    env.extend_from_slice(more);
    let (out, _) = run_example("rig_agent", &env, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}\n{stderr}", out.status);
    (read_spans(&file), stderr)
}

fn one<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    let found = named(spans, name);
    assert_eq!(found.len(), 1, "{name} in {:#?}", names(spans));
    found[0]
}

fn names(spans: &[Value]) -> Vec<&str> {
    spans.iter().filter_map(|s| s["name"].as_str()).collect()
}

fn status_code(span: &Value) -> i64 {
    span["status"]["code"].as_i64().unwrap_or(0)
}

#[test]
fn rig_spans_are_named_priced_mirrored_and_nested() {
    let (spans, stderr) = run("no_content", "names");
    let header = regex::Regex::new(r"trace [0-9a-f]{32} ").expect("regex");
    assert!(header.is_match(&stderr), "{stderr}");
    assert!(stderr.contains("chat gpt-4o-mini "), "{stderr}");

    let agent = one(&spans, "invoke_agent travel_agent");
    assert_eq!(agent["kind"].as_i64(), Some(INTERNAL));
    assert_eq!(agent["parentSpanId"].as_str().unwrap_or_default(), "");
    assert_eq!(
        text(agent, "openinference.span.kind").as_deref(),
        Some("AGENT")
    );
    let chats = named(&spans, "chat gpt-4o-mini");
    assert_eq!(chats.len(), TURNS.len(), "{:?}", names(&spans));
    for (chat, (input, output)) in chats.iter().zip(TURNS) {
        assert_eq!(chat["kind"].as_i64(), Some(CLIENT));
        assert!(is_child_of(chat, agent));
        assert_eq!(status_code(chat), 0, "{chat}");
        assert_eq!(int(chat, "gen_ai.usage.input_tokens"), Some(input));
        assert_eq!(int(chat, "gen_ai.usage.output_tokens"), Some(output));
        assert_eq!(int(chat, "llm.token_count.prompt"), Some(input));
        assert!(float(chat, "llmtrace.cost.usd").is_some_and(|c| c > 0.0));
        assert_eq!(
            text(chat, "openinference.span.kind").as_deref(),
            Some("LLM")
        );
        assert_eq!(text(chat, "llm.model_name").as_deref(), Some("gpt-4o-mini"));
    }
    let weather = one(&spans, "execute_tool get_weather");
    let times = named(&spans, "execute_tool local_time");
    assert_eq!(times.len(), 2, "{:?}", names(&spans));
    for span in times.iter().copied().chain([weather]) {
        assert_eq!(span["kind"].as_i64(), Some(INTERNAL));
        assert!(is_child_of(span, agent), "{span} under the agent");
        assert_eq!(
            text(span, "openinference.span.kind").as_deref(),
            Some("TOOL")
        );
        assert!(text(span, "tool.name").is_some());
    }
    // The model asked the time of a city the tool does not know: rig's tool-error keys make
    // that call an error, the others stay unset.
    let failed: Vec<_> = times
        .iter()
        .filter(|s| status_code(s) == STATUS_ERROR)
        .collect();
    assert_eq!(failed.len(), 1, "{times:#?}");
    assert_eq!(text(failed[0], "error.type").as_deref(), Some("other"));
    assert_eq!(status_code(weather), 0);
    // The vector store's retrieval: the prompt embedded before each turn, under the agent.
    let embeddings = named(&spans, "embeddings text-embedding-3-small");
    let retrievals: Vec<_> = embeddings
        .iter()
        .filter(|e| is_child_of(e, agent))
        .collect();
    assert_eq!(retrievals.len(), TURNS.len());
    for span in embeddings {
        assert_eq!(span["kind"].as_i64(), Some(CLIENT));
        assert_eq!(
            text(span, "openinference.span.kind").as_deref(),
            Some("EMBEDDING")
        );
        assert!(int(span, "gen_ai.usage.input_tokens").is_some_and(|n| n > 0));
        assert!(float(span, "llmtrace.cost.usd").is_some_and(|c| c > 0.0));
    }
}

#[test]
fn the_agent_run_total_is_counted_once_and_the_refused_call_fails() {
    let (spans, _) = run("no_content", "usage");
    let agent = one(&spans, "invoke_agent travel_agent");
    let (input, output) = TURNS
        .iter()
        .fold((0, 0), |(i, o), (ti, to)| (i + ti, o + to));
    // rig writes the run's total on its agent span; llmtrace marks it and counts the calls.
    assert_eq!(int(agent, "gen_ai.usage.input_tokens"), Some(input));
    assert_eq!(int(agent, "gen_ai.usage.output_tokens"), Some(output));
    assert_eq!(boolean(agent, "llmtrace.usage.rollup"), Some(true));
    assert_eq!(int(agent, "llm.token_count.prompt"), None);
    assert_eq!(float(agent, "llmtrace.cost.input_usd"), None);
    let children: Vec<&Value> = spans.iter().filter(|s| is_child_of(s, agent)).collect();
    let child_input: i64 = children
        .iter()
        .filter_map(|s| int(s, "gen_ai.usage.input_tokens"))
        .sum();
    assert_eq!(int(agent, "llmtrace.trace.input_tokens"), Some(child_input));
    assert_eq!(int(agent, "llmtrace.trace.output_tokens"), Some(output));
    let child_cost: f64 = children
        .iter()
        .filter_map(|s| float(s, "llmtrace.cost.usd"))
        .sum();
    let total = float(agent, "llmtrace.cost.usd").expect("the trace's cost");
    assert!(
        (total - child_cost).abs() < 1e-12,
        "{total} vs {child_cost}"
    );

    // The call to a model the provider does not serve: rig records no response on it.
    let refused = one(&spans, "chat gpt-4o-mini-unreleased");
    let early = one(&spans, "invoke_agent early_adopter");
    assert!(is_child_of(refused, early));
    assert_eq!(refused["kind"].as_i64(), Some(CLIENT));
    assert_eq!(status_code(refused), STATUS_ERROR, "{refused}");
    assert_eq!(text(refused, "error.type").as_deref(), Some("_OTHER"));
    assert_eq!(int(refused, "gen_ai.usage.input_tokens"), None);
    assert_eq!(float(refused, "llmtrace.cost.usd"), None);
}

#[test]
fn with_capture_off_rig_exports_no_content() {
    // rig's own switch on: what rig records is dropped by llmtrace's.
    let (spans, _) = run_with(
        "no_content",
        "capture-off",
        &[("RIG_RECORD_CONTENT", "true")],
    );
    for span in &spans {
        for kv in span["attributes"].as_array().into_iter().flatten() {
            let key = kv["key"].as_str().unwrap_or_default();
            assert!(!llmtrace::content::is_content_key(key), "{key} on {span}");
        }
    }
    let everything = serde_json::to_string(&spans).expect("json");
    for secret in [EMAIL, "Paris", "Louvre", "light rain"] {
        assert!(!everything.contains(secret), "{secret} exported");
    }
}

#[test]
fn with_capture_on_rig_content_is_kept_redacted() {
    let (spans, _) = run("span_only", "capture-on");
    let agent = one(&spans, "invoke_agent travel_agent");
    let prompt = text(agent, "gen_ai.prompt").expect("prompt kept");
    assert!(prompt.contains("[REDACTED:email]"), "{prompt}");
    assert!(text(agent, "output.value").is_some_and(|o| o.contains("Louvre")));
    let first = named(&spans, "chat gpt-4o-mini")[0];
    let input = text(first, "gen_ai.input.messages").expect("input kept");
    assert!(input.contains("[REDACTED:email]"), "{input}");
    // The retrieved note reaches the model as part of the prompt.
    assert!(input.contains("Louvre is closed on Tuesdays"), "{input}");
    let tool = one(&spans, "execute_tool get_weather");
    assert_eq!(
        text(tool, "gen_ai.tool.call.arguments").as_deref(),
        Some(r#"{"city":"Paris"}"#)
    );
    assert!(!serde_json::to_string(&spans).expect("json").contains(EMAIL));
}
