//! `view`, `stats` and `find` on the OTLP-JSON lines the agent example writes
//! (`LLMTRACE_FILE`), asserting on their `--json` output and exit codes.

mod common;

use common::{agent_jsonl, arg, json, run, scratch};
use serde_json::Value;

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect()
}

#[test]
fn view_shows_the_agent_trace() {
    let traces = json(&["view", arg(agent_jsonl())]);
    let trace = &traces[0];
    assert_eq!(trace["root"], "invoke_agent travel-planner", "{traces:#}");
    let tree = trace["tree"].as_str().expect("tree text");
    assert!(tree.contains("invoke_agent travel-planner"), "{tree}");
    assert!(tree.contains("├─ retry gpt-4o"), "{tree}");
    assert!(trace["spans"].as_array().expect("spans").len() >= 10);

    let plain = run(&["view", arg(agent_jsonl())]);
    assert!(plain.status.success());
    let text = String::from_utf8_lossy(&plain.stdout);
    assert!(text.contains("invoke_agent travel-planner"), "{text}");
    assert!(!text.contains('\x1b'), "no colour when not on a terminal");
}

#[test]
fn view_selects_a_trace_and_limits_the_depth() {
    let all = json(&["view", arg(agent_jsonl())]);
    let id = all[0]["trace_id"].as_str().expect("id").to_owned();
    let one = json(&[
        "view",
        arg(agent_jsonl()),
        "--trace",
        &id[..8],
        "--depth",
        "0",
    ]);
    assert_eq!(one.as_array().expect("list").len(), 1);
    let tree = one[0]["tree"].as_str().expect("tree");
    assert!(tree.contains("invoke_agent travel-planner"), "{tree}");
    assert!(!tree.contains("chat gpt-4o"), "{tree}");
    assert!(tree.contains("deeper spans not shown"), "{tree}");

    let missing = run(&["view", arg(agent_jsonl()), "--trace", "ffff0000"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no trace ffff0000"));
}

#[test]
fn stats_lists_both_models_with_cost() {
    let stats = json(&["stats", arg(agent_jsonl()), "--by", "tool"]);
    let models = &stats["models"];
    assert!(names(models).contains(&"gpt-4o"), "{stats:#}");
    assert!(names(models).contains(&"claude-sonnet-4"), "{stats:#}");
    for model in models.as_array().expect("models") {
        let cost = model["cost_usd"].as_f64().expect("priced");
        assert!(cost > 0.0, "{model}");
        assert!(model["latency_ms"]["p95"].as_f64().expect("p95") > 0.0);
    }
    let gpt = models
        .as_array()
        .and_then(|m| m.iter().find(|g| g["name"] == "gpt-4o"))
        .expect("gpt-4o");
    assert_eq!(gpt["errors"], 2, "the two overloaded attempts");
    assert!(names(&stats["operations"]).contains(&"chat"));
    assert!(names(&stats["by"]["tool"]).contains(&"search_flights"));
    assert_eq!(
        stats["top_by_cost"][0]["root"],
        "invoke_agent travel-planner"
    );

    let text = run(&["stats", arg(agent_jsonl())]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("claude-sonnet-4") && text.contains('$'),
        "{text}"
    );
}

#[test]
fn find_loops_names_search_flights() {
    let found = json(&["find", arg(agent_jsonl()), "--loops"]);
    let trace = &found[0];
    assert_eq!(trace["loops"][0]["tool"], "search_flights", "{found:#}");
    assert!(trace["matched"][0]
        .as_str()
        .expect("why")
        .contains("loop: search_flights"));

    let text = run(&["find", arg(agent_jsonl()), "--loops", "--tree"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("search_flights"), "{text}");
    assert!(
        text.contains("├─ retry gpt-4o"),
        "--tree prints the tree: {text}"
    );
}

#[test]
fn find_errors_shows_the_api_errors() {
    let found = json(&["find", arg(agent_jsonl()), "--errors"]);
    let errors = found[0]["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 3, "{found:#}");
    for error in errors {
        let ty = error["error_type"].as_str().expect("error.type");
        assert!(ty.ends_with("ApiError"), "{error}");
    }
    assert!(errors.iter().any(|e| e["span"] == "chat gpt-4o"));
    assert!(errors
        .iter()
        .any(|e| e["span"] == "execute_tool get_weather"));
}

#[test]
fn find_combines_criteria() {
    let file = arg(agent_jsonl());
    let both = json(&[
        "find",
        file,
        "--model",
        "claude-sonnet-4",
        "--cost-above",
        "0.001",
    ]);
    assert_eq!(both.as_array().expect("list").len(), 1, "{both:#}");
    let attr = json(&["find", file, "--attr", "user.id=user-17"]);
    assert_eq!(attr.as_array().expect("list").len(), 1, "{attr:#}");
    for none in [
        vec!["find", file, "--slow", "1h"],
        vec!["find", file, "--model", "gpt-2"],
        vec!["find", file, "--cost-above", "100"],
        vec!["find", file, "--attr", "user.id=nobody"],
    ] {
        assert_eq!(json(&none), Value::Array(Vec::new()), "{none:?}");
    }
    let no_criterion = run(&["find", file]);
    assert_eq!(no_criterion.status.code(), Some(2));
}

#[test]
fn malformed_lines_are_reported_and_the_rest_is_read() {
    let good = std::fs::read_to_string(agent_jsonl()).expect("agent file");
    let path = scratch("malformed").join("mixed.jsonl");
    let logs = r#"{"resourceLogs":[]}"#;
    let text = format!("{{\"resourceSpans\": [oops\n{logs}\n\nnot json at all\n{good}");
    std::fs::write(&path, text).expect("write");
    let out = common::bin()
        .args(["view", arg(&path), "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "input errors give exit code 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mixed.jsonl:1: malformed OTLP JSON"),
        "{stderr}"
    );
    assert!(stderr.contains("mixed.jsonl:4: malformed JSON"), "{stderr}");
    assert!(!stderr.contains(":2:"), "logs lines are skipped: {stderr}");
    let traces: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(traces[0]["root"], "invoke_agent travel-planner");

    let missing = run(&["stats", "no/such/file.jsonl"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open no/such/file.jsonl"));
}

#[test]
fn every_command_has_help() {
    for command in ["view", "stats", "find", "serve", "check-config"] {
        let out = run(&[command, "--help"]);
        assert!(out.status.success(), "{command} --help");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: llmtrace"));
    }
}
