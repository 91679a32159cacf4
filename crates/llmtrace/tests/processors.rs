//! The redacting and tail-sampling processors as `llmtrace::builder()` sets them up: from code,
//! from `LLMTRACE_*` variables and from an `LLMTRACE_CONFIG` YAML file.

use llmtrace::semconv::{attribute as sc, llmtrace as ours, openinference as oi};
use llmtrace::{LlmSpanExt, Message};
use llmtrace_test_support::*;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};

fn build(
    env: Vec<(String, String)>,
) -> Result<(llmtrace::Guard, InMemorySpanExporter), llmtrace::InitError> {
    let exporter = InMemorySpanExporter::default();
    let guard = llmtrace::builder()
        .with_env(env)
        .install_global(false)
        .console(false)
        .capture_content(true)
        .with_span_processor(SimpleSpanProcessor::new(exporter.clone()))
        .build()?;
    Ok((guard, exporter))
}

/// A fake key of the OpenAI shape, built at run time.
fn fake_key() -> String {
    format!("sk-proj-{}", "Ab3xY9".repeat(8))
}

#[test]
fn captured_content_is_redacted_by_default() {
    let (guard, exporter) = build(Vec::new()).expect("pipeline");
    let prompt = format!("I am ada@example.org, my key is {}", fake_key());
    let spans = run_in(&guard, &exporter, || {
        let span = llmtrace::chat("gpt-4o")
            .input_messages(&[Message::user(prompt.as_str())])
            .start();
        span.record_output_messages(&[Message::assistant("noted, ada@example.org")]);
    });
    let text = all_strings(&spans);
    assert!(!text.contains("ada@example.org"), "{text}");
    assert!(!text.contains(&fake_key()), "{text}");
    let chat = find_span(&spans, "chat gpt-4o");
    let input = attr_str(chat, sc::GEN_AI_INPUT_MESSAGES).expect("input");
    assert!(
        input.contains("[REDACTED:email]") && input.contains("[REDACTED:openai_key]"),
        "{input}"
    );
    serde_json::from_str::<serde_json::Value>(&input).expect("still JSON");
    assert!(attr_str(chat, oi::INPUT_VALUE)
        .expect("mirror")
        .contains("[REDACTED:email]"));
    let stats = guard.redaction_stats().expect("redaction on");
    assert!(stats.spans_redacted >= 1, "{stats:?}");
}

#[test]
fn redaction_can_be_configured_from_the_environment_or_switched_off() {
    let (guard, exporter) =
        build(vec![("LLMTRACE_REDACTION".into(), "false".into())]).expect("pipeline");
    let spans = run_in(&guard, &exporter, || {
        llmtrace::chat("m")
            .input_messages(&[Message::user("ada@example.org")])
            .start();
    });
    assert!(all_strings(&spans).contains("ada@example.org"));
    assert!(guard.redaction_stats().is_none());

    let err = build(vec![(
        "LLMTRACE_REDACTION_HASH_FUNCTION".into(),
        "md5".into(),
    )])
    .expect_err("md5 is refused");
    assert!(err.to_string().contains("md5"), "{err}");
}

fn config_file(text: &str) -> (tempdir::Dir, String) {
    let dir = tempdir::Dir::new();
    let path = dir.path.join("llmtrace.yaml");
    std::fs::write(&path, text).expect("write");
    let path = path.display().to_string();
    (dir, path)
}

mod tempdir {
    pub(crate) struct Dir {
        pub(crate) path: std::path::PathBuf,
    }

    impl Dir {
        pub(crate) fn new() -> Self {
            let path = std::env::temp_dir().join(format!(
                "llmtrace-test-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&path).expect("temp dir");
            Dir { path }
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[test]
fn a_config_file_sets_redaction_rules_and_tail_sampling_with_collector_keys() {
    let (_dir, path) = config_file(
        r#"
redaction:
  blocked_values: ["\\bEMP-[0-9]{6}\\b"]
tail_sampling:
  decision_wait: 30s
  policies:
    - name: errors
      type: status_code
      status_code: {status_codes: [ERROR]}
    - name: sampled
      type: probabilistic
      probabilistic: {sampling_percentage: ${env:PCT:-0}}
"#,
    );
    let (guard, exporter) = build(vec![("LLMTRACE_CONFIG".into(), path)]).expect("pipeline");
    let spans = run_in(&guard, &exporter, || {
        for i in 0..20 {
            llmtrace::agent("ok").start().in_scope(|| {
                llmtrace::chat("m")
                    .input_messages(&[Message::user(format!("EMP-00000{i} here"))])
                    .start();
            });
        }
        llmtrace::agent("failing").start().in_scope(|| {
            llmtrace::chat("m").start().in_scope(|| {});
            llmtrace::tool("t")
                .start()
                .record_error_type("timeout", "EMP-123456 timed out");
        });
    });
    assert!(
        spans.iter().all(|s| s.name != "invoke_agent ok"),
        "0 % of healthy traces kept"
    );
    assert_eq!(
        spans.len(),
        3,
        "the error trace is kept whole: {:?}",
        names(&spans)
    );
    let root = find_span(&spans, "invoke_agent failing");
    assert_eq!(
        attr_str(root, ours::SAMPLING_POLICY).as_deref(),
        Some("errors")
    );
    let tool = find_span(&spans, "execute_tool t");
    match &tool.status {
        opentelemetry::trace::Status::Error { description } => {
            assert!(
                !description.contains("EMP-123456"),
                "custom blocked value masked: {description}"
            )
        }
        other => panic!("{other:?}"),
    }
    let stats = guard.sampler_stats().expect("sampling on");
    assert!(
        stats.traces_kept >= 1 && stats.traces_dropped >= 20,
        "{stats:?}"
    );
}

#[test]
fn sampling_variables_turn_on_the_recommended_policy() {
    let (guard, exporter) =
        build(vec![("LLMTRACE_SAMPLING_PERCENTAGE".into(), "0".into())]).expect("pipeline");
    let spans = run_in(&guard, &exporter, || {
        llmtrace::chat("fast").start().in_scope(|| {});
        llmtrace::chat("broken")
            .start()
            .record_error_type("500", "server error");
    });
    assert_eq!(names(&spans), vec!["chat broken".to_owned()]);
}

#[test]
fn bad_config_files_are_typed_errors_naming_the_problem() {
    for (text, needle) in [
        ("redactoin: {}", "redactoin"),
        ("redaction: {allow_all_keyz: true}", "allow_all_keyz"),
        (
            "redaction: {blocked_values: [\"(unclosed\"]}",
            "blocked_values",
        ),
        (
            "tail_sampling: {policies: [{name: x, type: composite}]}",
            "composite",
        ),
    ] {
        let (_dir, path) = config_file(text);
        let err = build(vec![("LLMTRACE_CONFIG".into(), path)]).expect_err(text);
        assert!(err.to_string().contains(needle), "{text}: {err}");
    }
    let err = build(vec![(
        "LLMTRACE_CONFIG".into(),
        "/nonexistent/llmtrace.yaml".into(),
    )])
    .expect_err("missing file");
    assert!(
        err.to_string().contains("/nonexistent/llmtrace.yaml"),
        "{err}"
    );
}

#[test]
fn a_collector_configuration_runs_its_pipelines_processors_in_order() {
    // One file, two pipelines: the attribute action before or after redaction.
    let (_dir, path) = config_file(
        r#"
receivers: {otlp: {protocols: {grpc: {}}}}
processors:
  attributes/note:
    actions:
      - {key: note, value: "write to ada@example.org", action: upsert}
      - {key: gen_ai.request.model, action: delete}
  redaction:
    allow_all_keys: true
    blocked_values: ["[a-z]+@example\\.org"]
  filter: {}
exporters:
  debug: {}
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [attributes/note, filter, redaction]
      exporters: [debug]
    traces/late:
      receivers: [otlp]
      processors: [redaction, attributes/note]
      exporters: [debug]
"#,
    );
    for (pipeline, note) in [
        ("traces", "write to [REDACTED:blocked_value]"),
        ("traces/late", "write to ada@example.org"),
    ] {
        let (guard, exporter) = build(vec![
            ("LLMTRACE_CONFIG".into(), path.clone()),
            ("LLMTRACE_PIPELINE".into(), pipeline.into()),
            (
                "LLMTRACE_REDACTION_DISABLED_DETECTORS".into(),
                "email".into(),
            ),
        ])
        .expect("pipeline");
        let spans = run_in(&guard, &exporter, || {
            llmtrace::chat("m").start().in_scope(|| {});
        });
        let chat = find_span(&spans, "chat m");
        assert_eq!(attr_str(chat, "note").as_deref(), Some(note), "{pipeline}");
        assert_eq!(attr_str(chat, sc::GEN_AI_REQUEST_MODEL), None, "{pipeline}");
    }
}
