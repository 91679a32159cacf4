//! The `gen_ai.client.inference.operation.details` log record, and content kept off spans in
//! `event_only` mode.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::trace::SpanId;
use opentelemetry::{Context, Key, KeyValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{SdkLogger, SdkLoggerProvider};
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use super::{is_content_key, CaptureMode, EVENT_CONTENT_KEYS};
use crate::span_data::text_attribute;
use llmtrace_semconv::{attribute as semconv, Operation};

/// A decorator that emits one `gen_ai.client.inference.operation.details` log record per
/// finished inference span (chat, text completion, generate content) and keeps content off
/// spans when the [`CaptureMode`] says so.
///
/// The record carries the span's `gen_ai.*`, `server.*` and `error.type` attributes and, in the
/// event modes, `gen_ai.system_instructions`, `gen_ai.input.messages`,
/// `gen_ai.output.messages` and `gen_ai.tool.definitions` as structured values (maps and
/// arrays, as the official instrumentations write them), with the span's trace and span id.
/// It sits behind the redacting processor and the tail sampler in the chain `init` builds, so
/// the record holds exactly the scrubbed content the span held, and only kept traces emit one.
#[derive(Debug)]
pub struct ContentEventProcessor<P> {
    inner: P,
    mode: CaptureMode,
    logger: Option<SdkLogger>,
    marks: Option<EventMarks>,
}

impl<P: SpanProcessor> ContentEventProcessor<P> {
    /// Wraps `inner`. Without a logger provider no record is emitted; content is still removed
    /// from spans when `mode` keeps it off them.
    pub fn new(inner: P, mode: CaptureMode, logger_provider: Option<&SdkLoggerProvider>) -> Self {
        ContentEventProcessor {
            inner,
            mode,
            logger: logger_provider.map(|p| p.logger("llmtrace")),
            marks: None,
        }
    }

    /// Remembers which spans emitted a record, for the console tree.
    pub(crate) fn with_marks(mut self, marks: Option<EventMarks>) -> Self {
        self.marks = marks;
        self
    }

    fn emit(&self, logger: &SdkLogger, span: &SpanData) {
        let mut record = logger.create_log_record();
        record.set_event_name(semconv::GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS_EVENT);
        record.set_severity_number(Severity::Info);
        record.set_severity_text("INFO");
        record.set_timestamp(span.end_time);
        record.set_observed_timestamp(SystemTime::now());
        record.set_trace_context(
            span.span_context.trace_id(),
            span.span_context.span_id(),
            Some(span.span_context.trace_flags()),
        );
        record.add_attributes(record_attributes(span, self.mode.in_events()));
        logger.emit(record);
        if let Some(marks) = &self.marks {
            marks.insert(span.span_context.span_id());
        }
    }
}

/// Whether a span is an inference: the operations the record is defined for.
fn is_inference(span: &SpanData) -> bool {
    matches!(
        text_attribute(span, semconv::GEN_AI_OPERATION_NAME).as_deref(),
        Some(op) if op == Operation::Chat.as_str()
            || op == Operation::TextCompletion.as_str()
            || op == Operation::GenerateContent.as_str()
    )
}

/// The record's attributes: the span's GenAI, server and error attributes, and (with
/// `content`) the content attributes as structured values.
fn record_attributes(span: &SpanData, content: bool) -> Vec<(Key, AnyValue)> {
    let mut out = Vec::new();
    for kv in &span.attributes {
        let key = kv.key.as_str();
        let described =
            key.starts_with("gen_ai.") || key.starts_with("server.") || key == "error.type";
        if described && !is_content_key(key) {
            out.push((kv.key.clone(), any_value(&kv.value)));
        }
    }
    if content {
        for key in EVENT_CONTENT_KEYS {
            if let Some(kv) = span.attributes.iter().find(|kv| kv.key.as_str() == *key) {
                out.push((kv.key.clone(), structured(&kv.value)));
            }
        }
    }
    out
}

/// A span attribute value as a log attribute value.
fn any_value(value: &Value) -> AnyValue {
    use opentelemetry::Array;
    match value {
        Value::Bool(b) => AnyValue::Boolean(*b),
        Value::I64(i) => AnyValue::Int(*i),
        Value::F64(f) => AnyValue::Double(*f),
        Value::String(s) => AnyValue::String(s.clone()),
        Value::Array(Array::Bool(v)) => v.iter().map(|b| AnyValue::Boolean(*b)).collect(),
        Value::Array(Array::I64(v)) => v.iter().map(|i| AnyValue::Int(*i)).collect(),
        Value::Array(Array::F64(v)) => v.iter().map(|f| AnyValue::Double(*f)).collect(),
        Value::Array(Array::String(v)) => v.iter().map(|s| AnyValue::String(s.clone())).collect(),
        other => AnyValue::String(other.as_str().into_owned().into()),
    }
}

/// Content recorded as a JSON string on the span, as the structured value the record carries;
/// text that is not JSON stays text.
fn structured(value: &Value) -> AnyValue {
    match value {
        Value::String(s) => match serde_json::from_str::<serde_json::Value>(s.as_str()) {
            Ok(json @ (serde_json::Value::Array(_) | serde_json::Value::Object(_))) => {
                from_json(json)
            }
            _ => AnyValue::String(s.clone()),
        },
        other => any_value(other),
    }
}

fn from_json(json: serde_json::Value) -> AnyValue {
    use serde_json::Value as J;
    match json {
        J::Null => AnyValue::String("".into()),
        J::Bool(b) => AnyValue::Boolean(b),
        J::Number(n) => match n.as_i64() {
            Some(i) => AnyValue::Int(i),
            None => AnyValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => AnyValue::String(s.into()),
        J::Array(items) => items.into_iter().map(from_json).collect(),
        J::Object(map) => AnyValue::Map(Box::new(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (Key::new(k), from_json(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

impl<P: SpanProcessor> SpanProcessor for ContentEventProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        if span.span_context.is_sampled() {
            if let Some(logger) = self.logger.as_ref().filter(|_| is_inference(&span)) {
                self.emit(logger, &span);
            }
            if !self.mode.on_spans() {
                span.attributes
                    .retain(|kv: &KeyValue| !is_content_key(kv.key.as_str()));
            }
        }
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// The spans that emitted an inference log record, until the console tree prints them. Bounded:
/// past [`EventMarks::CAPACITY`] unclaimed marks (no tree reading them) it starts over.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventMarks(Arc<Mutex<HashSet<SpanId>>>);

impl EventMarks {
    const CAPACITY: usize = 65_536;

    fn insert(&self, span: SpanId) {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if set.len() >= Self::CAPACITY {
            set.clear();
        }
        set.insert(span);
    }

    /// Whether `span` emitted a record; forgets it.
    pub(crate) fn take(&self, span: SpanId) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_becomes_maps_and_lists() {
        let text = r#"[{"role":"user","parts":[{"type":"text","content":"hi"}],"n":2,"x":null}]"#;
        let AnyValue::ListAny(messages) = structured(&Value::from(text)) else {
            panic!("a list");
        };
        let AnyValue::Map(message) = &messages[0] else {
            panic!("a map");
        };
        assert_eq!(
            message.get(&Key::new("role")),
            Some(&AnyValue::String("user".into()))
        );
        assert_eq!(message.get(&Key::new("n")), Some(&AnyValue::Int(2)));
        assert!(!message.contains_key(&Key::new("x")));
        assert!(matches!(
            message.get(&Key::new("parts")),
            Some(AnyValue::ListAny(_))
        ));
        assert_eq!(
            structured(&Value::from("plain text")),
            AnyValue::String("plain text".into())
        );
    }

    #[test]
    fn marks_are_bounded_and_taken_once() {
        let marks = EventMarks::default();
        let id = SpanId::from_bytes([1; 8]);
        marks.insert(id);
        assert!(marks.take(id));
        assert!(!marks.take(id));
        for i in 0..(EventMarks::CAPACITY as u64 + 10) {
            marks.insert(SpanId::from_bytes(i.to_be_bytes()));
        }
        assert!(marks.0.lock().expect("lock").len() <= EventMarks::CAPACITY);
    }
}
