//! `capture` with content capture on (a separate binary: the switch is process-wide).

use llmtrace::semconv::openinference as oi;
use llmtrace_test_support::*;

#[derive(Debug)]
struct Units(&'static str);

/// Neither `Serialize` nor `Debug`: left out of the input.
struct Opaque;

#[llmtrace::tool(capture, skip(secret))]
fn with_args(city: &str, secret: &str, count: u32, units: Units, _opaque: Opaque) -> String {
    format!("{city}{}{count}{}", secret.len(), units.0)
}

#[llmtrace::agent(capture, skip_all)]
fn private_agent(secret: &str) -> usize {
    secret.len()
}

#[llmtrace::chain(capture)]
fn structured(n: u32) -> Vec<u32> {
    vec![n, n + 1]
}

#[llmtrace::chain(ret)]
fn only_output(text: &str) -> String {
    text.to_uppercase()
}

#[test]
fn captured_arguments_and_return_values_respect_skip() {
    let spans = run(true, || {
        with_args("Oslo", "hunter2", 3, Units("C"), Opaque);
        structured(1);
        private_agent("hunter3");
        only_output("mail ada@example.org");
    });
    let span = find_span(&spans, "execute_tool with_args");
    let input: serde_json::Value =
        serde_json::from_str(&attr_str(span, oi::INPUT_VALUE).expect("input")).expect("json");
    assert_eq!(
        input,
        serde_json::json!({"city": "Oslo", "count": 3, "units": "Units(\"C\")"}),
        "serde form, else Debug form, else left out"
    );
    assert_eq!(attr_str(span, oi::OUTPUT_VALUE).as_deref(), Some("Oslo73C"));
    let private = find_span(&spans, "invoke_agent private_agent");
    assert_eq!(
        attr(private, oi::INPUT_VALUE),
        None,
        "skip_all records no argument"
    );
    assert_eq!(attr_str(private, oi::OUTPUT_VALUE).as_deref(), Some("7"));
    assert!(!all_strings(&spans).contains("hunter3"));
    let structured = find_span(&spans, "invoke_workflow structured");
    assert_eq!(
        attr_str(structured, oi::INPUT_VALUE).as_deref(),
        Some(r#"{"n":1}"#)
    );
    assert_eq!(
        attr_str(structured, oi::OUTPUT_VALUE).as_deref(),
        Some("[1,2]")
    );
    assert_eq!(
        attr_str(structured, oi::OUTPUT_MIME_TYPE).as_deref(),
        Some("application/json")
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
