//! `capture` with content capture on (a separate binary: the switch is process-wide).

mod common;

use common::*;
use llmtrace::semconv::openinference as oi;

#[llmtrace::tool(capture, skip(secret))]
fn with_args(city: &str, secret: &str, count: u32) -> String {
    format!("{city}{}{count}", secret.len())
}

#[llmtrace::chain(ret)]
fn only_output(text: &str) -> String {
    text.to_uppercase()
}

#[test]
fn captured_arguments_and_return_values_respect_skip() {
    let spans = run(true, || {
        with_args("Oslo", "hunter2", 3);
        only_output("mail ada@example.org");
    });
    let span = find_span(&spans, "execute_tool with_args");
    let input: serde_json::Value =
        serde_json::from_str(&attr_str(span, oi::INPUT_VALUE).expect("input")).expect("json");
    assert_eq!(input, serde_json::json!({"city": "\"Oslo\"", "count": "3"}));
    assert_eq!(
        attr_str(span, oi::OUTPUT_VALUE).as_deref(),
        Some("\"Oslo73\"")
    );
    assert!(!all_strings(&spans).contains("hunter2"));
    let chain = find_span(&spans, "invoke_workflow only_output");
    assert_eq!(
        attr(chain, oi::INPUT_VALUE),
        None,
        "`ret` records only the output"
    );
    let output = attr_str(chain, oi::OUTPUT_VALUE).expect("output");
    assert!(
        output.contains("[REDACTED:email]"),
        "captured content passes the redactor: {output}"
    );
}
