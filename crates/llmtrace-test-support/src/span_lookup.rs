//! Lookups on exported spans ([`SpanData`]).

use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;

/// The first span named `name`; panics listing the names there are when none is.
pub fn find_span<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span named {name:?} in {:?}", names(spans)))
}

/// The names of `spans`, in order.
pub fn names(spans: &[SpanData]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

/// The value of the span attribute `key`.
pub fn attr<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

/// The attribute `key` as a string, whatever its type.
pub fn attr_str(span: &SpanData, key: &str) -> Option<String> {
    attr(span, key).map(|v| v.as_str().into_owned())
}

/// The attribute `key` if it is an integer.
pub fn attr_i64(span: &SpanData, key: &str) -> Option<i64> {
    match attr(span, key) {
        Some(Value::I64(v)) => Some(*v),
        _ => None,
    }
}

/// The attribute `key` if it is a float.
pub fn attr_f64(span: &SpanData, key: &str) -> Option<f64> {
    match attr(span, key) {
        Some(Value::F64(v)) => Some(*v),
        _ => None,
    }
}

/// The attribute `key` if it is a boolean.
pub fn attr_bool(span: &SpanData, key: &str) -> Option<bool> {
    match attr(span, key) {
        Some(Value::Bool(v)) => Some(*v),
        _ => None,
    }
}

/// The attribute `key` if it is an array of strings; empty otherwise.
pub fn attr_strings(span: &SpanData, key: &str) -> Vec<String> {
    match attr(span, key) {
        Some(Value::Array(opentelemetry::Array::String(v))) => {
            v.iter().map(|s| s.as_str().to_owned()).collect()
        }
        _ => Vec::new(),
    }
}

/// Whether `child`'s parent is `parent`, in the same trace.
pub fn is_child_of(child: &SpanData, parent: &SpanData) -> bool {
    child.parent_span_id == parent.span_context.span_id()
        && child.span_context.trace_id() == parent.span_context.trace_id()
}

/// Every string value of every attribute and event attribute of every span, one a line, to
/// search for content that must not be there.
pub fn all_strings(spans: &[SpanData]) -> String {
    let mut out = String::new();
    for span in spans {
        for kv in &span.attributes {
            out.push_str(&kv.value.as_str());
            out.push('\n');
        }
        for event in span.events.iter() {
            for kv in &event.attributes {
                out.push_str(&kv.value.as_str());
                out.push('\n');
            }
        }
    }
    out
}
