//! `examples/genai_chat.rs` — genai 0.7.2 writing its own spans, against the example's local
//! mock in OpenAI's and Anthropic's wire formats — through llmtrace, as exported to the OTLP-JSON file: names, kinds, integer tokens,
//! cost, the OpenInference mirror, parents, string arrays, and the content switch (genai's own
//! capture on in both runs; only llmtrace's decides).

use std::path::Path;
use std::time::Duration;

use llmtrace_test_support::examples::run_example;
use llmtrace_test_support::otlp_json::{attribute, int, named, read_spans, text, CLIENT, INTERNAL};
use serde_json::Value;

const EMAIL: &str = "jane.doe@example.com";

/// The spans one run of the example exported, and its console output.
fn run(capture: &str, dir: &Path) -> (Vec<Value>, String) {
    let file = dir.join(format!("genai-{capture}.jsonl"));
    let _ = std::fs::remove_file(&file);
    let (out, _) = run_example(
        "genai_chat",
        &[
            ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true"),
            ("LLMTRACE_CAPTURE_CONTENT", capture),
            ("LLMTRACE_FILE", file.to_str().expect("utf-8 path")),
        ],
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}\n{stderr}", out.status);
    (read_spans(&file), stderr)
}

fn scratch() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("llmtrace-genai-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn genai_spans_are_named_priced_mirrored_and_nested() {
    let (spans, stderr) = run("no_content", &scratch());
    assert!(
        stderr.contains("trace ") && stderr.contains("chat gpt-4o-mini"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tokens ") && stderr.contains('$'),
        "{stderr}"
    );
    let root = named(&spans, "genai_chat")[0];
    let chats = named(&spans, "chat gpt-4o-mini");
    assert_eq!(chats.len(), 4, "{spans:#?}");
    for chat in &chats {
        assert_eq!(chat["kind"].as_i64(), Some(CLIENT));
        assert!(int(chat, "gen_ai.usage.input_tokens").is_some_and(|n| n > 0));
        assert!(attribute(chat, "llmtrace.cost.usd").is_some());
        assert_eq!(
            text(chat, "openinference.span.kind").as_deref(),
            Some("LLM")
        );
        assert_eq!(text(chat, "llm.model_name").as_deref(), Some("gpt-4o-mini"));
        assert_eq!(chat["parentSpanId"], root["spanId"]);
        let reasons = &attribute(chat, "gen_ai.response.finish_reasons").expect("reasons")
            ["arrayValue"]["values"];
        assert!(
            reasons.as_array().is_some_and(|r| !r.is_empty()),
            "{reasons}"
        );
    }
    // Anthropic's wire format: a chat and a streamed chat, priced at the dated model's price.
    let claude = named(&spans, "chat claude-3-5-haiku-20241022");
    assert_eq!(claude.len(), 2, "{spans:#?}");
    for chat in &claude {
        assert_eq!(chat["kind"].as_i64(), Some(CLIENT));
        assert_eq!(
            text(chat, "gen_ai.provider.name").as_deref(),
            Some("anthropic")
        );
        assert_eq!(int(chat, "gen_ai.usage.input_tokens"), Some(27));
        assert_eq!(int(chat, "gen_ai.usage.output_tokens"), Some(11));
        let cost = attribute(chat, "llmtrace.cost.usd").expect("cost")["doubleValue"]
            .as_f64()
            .expect("a number");
        // claude-3-5-haiku: $0.80 in, $4.00 out per million tokens.
        assert!(
            (cost - (27.0 * 0.80 + 11.0 * 4.00) / 1e6).abs() < 1e-12,
            "{cost}"
        );
        assert_eq!(text(chat, "llm.provider").as_deref(), Some("anthropic"));
        assert_eq!(chat["parentSpanId"], root["spanId"]);
    }
    assert_eq!(
        claude
            .iter()
            .filter(|c| attribute(c, "gen_ai.response.time_to_first_chunk").is_some())
            .count(),
        1,
        "the streamed call has its first chunk's time"
    );
    let tool = named(&spans, "execute_tool get_weather")[0];
    assert_eq!(tool["kind"].as_i64(), Some(INTERNAL));
    assert_eq!(
        text(tool, "openinference.span.kind").as_deref(),
        Some("TOOL")
    );
    let embeddings = named(&spans, "embeddings text-embedding-3-small")[0];
    assert_eq!(
        text(embeddings, "openinference.span.kind").as_deref(),
        Some("EMBEDDING")
    );
    assert_eq!(int(embeddings, "gen_ai.usage.input_tokens"), Some(2));
    // Capture off in llmtrace: nothing genai captured leaves the process.
    let everything = serde_json::to_string(&spans).expect("json");
    for key in [
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "input.value",
    ] {
        assert!(!everything.contains(key), "{key} exported");
    }
    assert!(!everything.contains("Paris"), "content exported");
}

#[test]
fn genai_content_is_redacted_with_capture_on() {
    let (spans, _) = run("span_only", &scratch());
    let everything = serde_json::to_string(&spans).expect("json");
    assert!(everything.contains("gen_ai.input.messages"), "content kept");
    assert!(everything.contains("[REDACTED:email]"), "email redacted");
    assert!(!everything.contains(EMAIL), "email exported");
}
