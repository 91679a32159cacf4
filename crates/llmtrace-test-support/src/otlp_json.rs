//! Reading spans back from the OTLP-JSON lines `LLMTRACE_FILE` writes (one `TracesData` per
//! line), for the tests that run an example binary and check what it exported.
//!
//! ```
//! use llmtrace_test_support::otlp_json::{self, CLIENT};
//! use serde_json::json;
//!
//! let line = json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
//!     "name": "chat gpt-4o-mini", "kind": 3, "spanId": "01",
//!     "attributes": [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}}]
//! }]}]}]});
//! let spans = otlp_json::spans_of_lines(&line.to_string());
//! let chat = otlp_json::named(&spans, "chat gpt-4o-mini")[0];
//! assert_eq!(chat["kind"].as_i64(), Some(CLIENT));
//! assert_eq!(otlp_json::int(chat, "gen_ai.usage.input_tokens"), Some(42));
//! ```

use std::path::Path;

use serde_json::Value;

/// OTLP's `SPAN_KIND_INTERNAL`.
pub const INTERNAL: i64 = 1;
/// OTLP's `SPAN_KIND_CLIENT`.
pub const CLIENT: i64 = 3;
/// OTLP's `STATUS_CODE_ERROR`.
pub const STATUS_ERROR: i64 = 2;

/// Every span of every line of `text`, in file order.
pub fn spans_of_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .flat_map(|line| {
            let mut spans = Vec::new();
            for resource in line["resourceSpans"].as_array().into_iter().flatten() {
                for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                    spans.extend(scope["spans"].as_array().into_iter().flatten().cloned());
                }
            }
            spans
        })
        .collect()
}

/// Every span of the file at `path`.
pub fn read_spans(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("trace file {}: {e}", path.display()));
    spans_of_lines(&text)
}

/// The value of attribute `key` (`{"stringValue": …}`, `{"intValue": …}`, …).
pub fn attribute<'a>(span: &'a Value, key: &str) -> Option<&'a Value> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .map(|kv| &kv["value"])
}

/// A string attribute.
pub fn text(span: &Value, key: &str) -> Option<String> {
    attribute(span, key)?["stringValue"]
        .as_str()
        .map(str::to_owned)
}

/// An integer attribute (OTLP JSON writes 64-bit integers as strings, under `intValue`); `None`
/// for any other type, a string holding digits included.
pub fn int(span: &Value, key: &str) -> Option<i64> {
    let value = &attribute(span, key)?["intValue"];
    value.as_i64().or_else(|| value.as_str()?.parse().ok())
}

/// A floating-point attribute.
pub fn float(span: &Value, key: &str) -> Option<f64> {
    attribute(span, key)?["doubleValue"].as_f64()
}

/// A boolean attribute.
pub fn boolean(span: &Value, key: &str) -> Option<bool> {
    attribute(span, key)?["boolValue"].as_bool()
}

/// The spans named `name`.
pub fn named<'a>(spans: &'a [Value], name: &str) -> Vec<&'a Value> {
    spans.iter().filter(|s| s["name"] == name).collect()
}

/// Whether `child`'s parent is `parent`.
pub fn is_child_of(child: &Value, parent: &Value) -> bool {
    child["parentSpanId"] == parent["spanId"] && child["traceId"] == parent["traceId"]
}
