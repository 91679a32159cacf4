//! Reading attributes of a finished span, as the processors and the console tree do.

use std::borrow::Cow;

use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;

/// The value of attribute `key`, if the span has it.
pub(crate) fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

/// An integer attribute.
pub(crate) fn int_attribute(span: &SpanData, key: &str) -> Option<i64> {
    match attribute(span, key) {
        Some(Value::I64(v)) => Some(*v),
        _ => None,
    }
}

/// A floating-point attribute.
pub(crate) fn float_attribute(span: &SpanData, key: &str) -> Option<f64> {
    match attribute(span, key) {
        Some(Value::F64(v)) => Some(*v),
        _ => None,
    }
}

/// Any attribute as text.
pub(crate) fn text_attribute<'a>(span: &'a SpanData, key: &str) -> Option<Cow<'a, str>> {
    attribute(span, key).map(Value::as_str)
}
