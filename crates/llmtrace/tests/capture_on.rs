//! Content capture on: prompts, completions, tool arguments and documents are recorded
//! (a separate test binary, since the switch is process-wide).

use llmtrace::semconv::{attribute as sc, openinference as oi};
use llmtrace::{Document, LlmSpanExt, Message};
use llmtrace_test_support::*;

#[test]
fn content_is_recorded_in_semconv_and_openinference_form() {
    let spans = run(true, || {
        let span = llmtrace::chat("gpt-4o")
            .input_messages(&[Message::system("be brief"), Message::user("hello")])
            .start();
        span.record_output_messages(&[Message::assistant("hi!").with_finish_reason("stop")]);
        let tool = llmtrace::tool("weather")
            .arguments(&serde_json::json!({"city": "Oslo"}))
            .start();
        tool.record_tool_result(&serde_json::json!({"celsius": -3}));
        let retrieval = llmtrace::retrieval("kb").query("oslo weather").start();
        retrieval.record_documents(&[Document::new("d1").score(0.5).content("Oslo is cold")]);
    });
    let chat = find_span(&spans, "chat gpt-4o");
    let input: serde_json::Value =
        serde_json::from_str(&attr_str(chat, sc::GEN_AI_INPUT_MESSAGES).expect("input"))
            .expect("json");
    assert_eq!(input[1]["role"], "user");
    assert_eq!(input[1]["parts"][0]["content"], "hello");
    let output: serde_json::Value =
        serde_json::from_str(&attr_str(chat, sc::GEN_AI_OUTPUT_MESSAGES).expect("output"))
            .expect("json");
    assert_eq!(output[0]["finish_reason"], "stop");
    assert_eq!(
        attr_str(chat, oi::INPUT_MIME_TYPE).as_deref(),
        Some("application/json")
    );
    let tool = find_span(&spans, "execute_tool weather");
    assert_eq!(
        attr_str(tool, sc::GEN_AI_TOOL_CALL_ARGUMENTS).as_deref(),
        Some("{\"city\":\"Oslo\"}")
    );
    assert_eq!(
        attr_str(tool, sc::GEN_AI_TOOL_CALL_RESULT).as_deref(),
        Some("{\"celsius\":-3}")
    );
    let retrieval = find_span(&spans, "retrieval kb");
    assert_eq!(
        attr_str(retrieval, sc::GEN_AI_RETRIEVAL_QUERY_TEXT).as_deref(),
        Some("oslo weather")
    );
    assert_eq!(
        attr_str(retrieval, "retrieval.documents.0.document.content").as_deref(),
        Some("Oslo is cold")
    );
}
