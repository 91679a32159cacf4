//! The OpenInference mirror switched off (a separate test binary, since the switch is
//! process-wide).

use llmtrace::semconv::{attribute as sc, openinference as oi};
use llmtrace::{LlmSpanExt, Message};
use llmtrace_test_support::*;

#[test]
fn openinference_mirror_can_be_switched_off() {
    let (guard, exporter) = {
        let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
        let guard = llmtrace::builder()
            .with_env(Vec::new())
            .install_global(false)
            .console(false)
            .capture_content(true)
            .openinference(false)
            .with_span_processor(opentelemetry_sdk::trace::SimpleSpanProcessor::new(
                exporter.clone(),
            ))
            .build()
            .expect("pipeline");
        (guard, exporter)
    };
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        let span = llmtrace::chat("gpt-4o")
            .input_messages(&[Message::user("x")])
            .start();
        span.record_usage(llmtrace::Usage::new(1, 1));
    });
    guard.flush();
    let spans = exporter.get_finished_spans().expect("spans");
    let chat = find_span(&spans, "chat gpt-4o");
    assert!(attr(chat, sc::GEN_AI_INPUT_MESSAGES).is_some());
    assert!(attr(chat, sc::GEN_AI_USAGE_INPUT_TOKENS).is_some());
    assert!(
        chat.attributes
            .iter()
            .all(|kv| !kv.key.as_str().starts_with("llm.")
                && kv.key.as_str() != oi::OPENINFERENCE_SPAN_KIND
                && kv.key.as_str() != oi::INPUT_VALUE),
        "{:?}",
        chat.attributes
    );
}
