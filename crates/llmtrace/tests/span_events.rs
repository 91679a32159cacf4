//! Which `tracing` events inside a traced span become span events: a dependency llmtrace
//! already records in structure (async-openai's retry warnings) adds none; the application's own
//! events do, as `LLMTRACE_SPAN_EVENTS` says.

use llmtrace_test_support::*;
use opentelemetry_sdk::trace::SpanData;

fn events_of(vars: &[(&str, &str)]) -> Vec<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let (guard, exporter) = pipeline_with(false, |b| b.with_env(vars));
    let spans: Vec<SpanData> = run_in(&guard, &exporter, || {
        llmtrace::chat("gpt-4o").start().in_scope(|| {
            tracing::warn!(target: "async_openai::client", "retry-after=0");
            tracing::warn!(target: "async_openai", "Rate limited: retrying");
            tracing::info!(target: "my_app::agent", "planned 3 steps");
            tracing::debug!(target: "my_app::agent", "scratchpad");
        });
    });
    find_span(&spans, "chat gpt-4o")
        .events
        .iter()
        .map(|e| e.name.to_string())
        .collect()
}

#[test]
fn dependency_events_stay_off_the_span_and_the_application_s_own_do_not() {
    assert_eq!(events_of(&[]), ["planned 3 steps"]);
}

#[test]
fn llmtrace_span_events_chooses_the_level_and_can_turn_them_off() {
    assert_eq!(
        events_of(&[("LLMTRACE_SPAN_EVENTS", "debug"), ("LLMTRACE_LOG", "debug")]),
        ["planned 3 steps", "scratchpad"]
    );
    assert!(events_of(&[("LLMTRACE_SPAN_EVENTS", "off")]).is_empty());
    // Asked for by name, a quiet target's events come back.
    assert_eq!(
        events_of(&[("LLMTRACE_SPAN_EVENTS", "warn,async_openai=warn")]).len(),
        2
    );
}

#[test]
fn a_bad_directive_is_a_typed_error_naming_the_variable() {
    let err = llmtrace::check_config(
        vec![("LLMTRACE_SPAN_EVENTS".to_owned(), "my_app=loud".to_owned())],
        None,
    )
    .expect_err("invalid");
    assert!(
        err.to_string().starts_with("LLMTRACE_SPAN_EVENTS="),
        "{err}"
    );
}
