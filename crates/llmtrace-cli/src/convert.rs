//! OTLP protobuf messages (decoded from gRPC, HTTP or OTLP-JSON lines) to [`Span`]s.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{
    Event, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{InstrumentationScope, Key, KeyValue, StringValue, Value};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue as ProtoKeyValue};
use opentelemetry_proto::tonic::trace::v1::{span, status, Span as ProtoSpan};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};

use crate::span::Span;

/// The span flag bits saying whether the parent is remote (known, and remote).
const PARENT_IS_REMOTE: u32 = 0x300;

/// Every span of an export request. Spans with malformed ids are skipped and counted.
pub(crate) fn spans_of(request: ExportTraceServiceRequest) -> (Vec<Span>, usize) {
    let mut spans = Vec::new();
    let mut skipped = 0;
    for resource_spans in request.resource_spans {
        let attrs = resource_spans
            .resource
            .map(|r| r.attributes)
            .unwrap_or_default();
        let service = attrs
            .iter()
            .find(|kv| kv.key == "service.name")
            .map(|kv| text_of(kv.value.as_ref()));
        let resource: Arc<Vec<(String, String)>> = Arc::new(
            attrs
                .iter()
                .map(|kv| (kv.key.clone(), text_of(kv.value.as_ref())))
                .collect(),
        );
        for scope_spans in resource_spans.scope_spans {
            let scope = scope_spans
                .scope
                .map(|s| {
                    InstrumentationScope::builder(s.name)
                        .with_version(s.version)
                        .build()
                })
                .unwrap_or_else(|| InstrumentationScope::builder("").build());
            for proto in scope_spans.spans {
                match span_data(proto, &scope) {
                    Some(data) => spans.push(Span {
                        data,
                        service: service.clone(),
                        resource: resource.clone(),
                    }),
                    None => skipped += 1,
                }
            }
        }
    }
    (spans, skipped)
}

/// One span; `None` when its trace or span id is not 16 / 8 bytes.
fn span_data(proto: ProtoSpan, scope: &InstrumentationScope) -> Option<SpanData> {
    let trace_id = TraceId::from_bytes(proto.trace_id.as_slice().try_into().ok()?);
    let span_id = SpanId::from_bytes(proto.span_id.as_slice().try_into().ok()?);
    let parent_span_id = match proto.parent_span_id.as_slice().try_into() {
        Ok(bytes) => SpanId::from_bytes(bytes),
        Err(_) => SpanId::INVALID,
    };
    let mut events = SpanEvents::default();
    events.events = proto
        .events
        .into_iter()
        .map(|e| Event::new(e.name, time(e.time_unix_nano), attributes(e.attributes), 0))
        .collect();
    Some(SpanData {
        span_context: SpanContext::new(
            trace_id,
            span_id,
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ),
        parent_span_id,
        parent_span_is_remote: proto.flags & PARENT_IS_REMOTE == PARENT_IS_REMOTE,
        span_kind: kind(proto.kind),
        name: Cow::Owned(proto.name),
        start_time: time(proto.start_time_unix_nano),
        end_time: time(proto.end_time_unix_nano),
        attributes: attributes(proto.attributes),
        dropped_attributes_count: proto.dropped_attributes_count,
        events,
        links: SpanLinks::default(),
        status: match proto.status {
            Some(s) if s.code == status::StatusCode::Error as i32 => Status::Error {
                description: Cow::Owned(s.message),
            },
            Some(s) if s.code == status::StatusCode::Ok as i32 => Status::Ok,
            _ => Status::Unset,
        },
        instrumentation_scope: scope.clone(),
    })
}

fn time(unix_nano: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(unix_nano)
}

fn kind(kind: i32) -> SpanKind {
    match span::SpanKind::try_from(kind) {
        Ok(span::SpanKind::Server) => SpanKind::Server,
        Ok(span::SpanKind::Client) => SpanKind::Client,
        Ok(span::SpanKind::Producer) => SpanKind::Producer,
        Ok(span::SpanKind::Consumer) => SpanKind::Consumer,
        _ => SpanKind::Internal,
    }
}

fn attributes(list: Vec<ProtoKeyValue>) -> Vec<KeyValue> {
    list.into_iter()
        .map(|kv| KeyValue::new(Key::new(kv.key), value(kv.value)))
        .collect()
}

/// An OTLP value as an OpenTelemetry value; arrays of mixed or nested values and maps become
/// their text.
fn value(any: Option<AnyValue>) -> Value {
    match any.and_then(|a| a.value) {
        Some(any_value::Value::StringValue(s)) => Value::String(s.into()),
        Some(any_value::Value::BoolValue(b)) => Value::Bool(b),
        Some(any_value::Value::IntValue(i)) => Value::I64(i),
        Some(any_value::Value::DoubleValue(d)) => Value::F64(d),
        Some(any_value::Value::ArrayValue(a)) => array(a.values),
        Some(other) => Value::String(StringValue::from(text_of(Some(&AnyValue {
            value: Some(other),
        })))),
        None => Value::String(StringValue::from("")),
    }
}

fn array(values: Vec<AnyValue>) -> Value {
    let strings: Option<Vec<StringValue>> = values
        .iter()
        .map(|v| match &v.value {
            Some(any_value::Value::StringValue(s)) => Some(StringValue::from(s.clone())),
            _ => None,
        })
        .collect();
    match strings {
        Some(list) => Value::Array(list.into()),
        None => Value::String(
            values
                .iter()
                .map(|v| text_of(Some(v)))
                .collect::<Vec<_>>()
                .join(",")
                .into(),
        ),
    }
}

/// Any OTLP value as text.
pub(crate) fn text_of(any: Option<&AnyValue>) -> String {
    match any.and_then(|a| a.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::ArrayValue(a)) => format!(
            "[{}]",
            a.values
                .iter()
                .map(|v| text_of(Some(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Some(any_value::Value::KvlistValue(kv)) => format!(
            "{{{}}}",
            kv.values
                .iter()
                .map(|kv| format!("{}={}", kv.key, text_of(kv.value.as_ref())))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Some(any_value::Value::BytesValue(b)) => format!("<{} bytes>", b.len()),
        Some(_) | None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One request with a root, a child with a remote parent, and a span with a bad id.
    const REQUEST: &str = r#"{"resourceSpans":[{"resource":{"attributes":[
        {"key":"service.name","value":{"stringValue":"svc"}}]},
      "scopeSpans":[{"scope":{"name":"s"},"spans":[
        {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"root",
         "kind":2,"startTimeUnixNano":"1000000000","endTimeUnixNano":"3000000000",
         "attributes":[{"key":"n","value":{"intValue":"7"}},
                       {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"}]}}}],
         "status":{"code":2,"message":"boom"}},
        {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1102030405060708",
         "parentSpanId":"2102030405060708","flags":769,"name":"remote child",
         "startTimeUnixNano":"1500000000","endTimeUnixNano":"2000000000"},
        {"traceId":"0102","spanId":"1102030405060708","name":"bad id"}]}]}]}"#;

    #[test]
    fn converts_spans_and_skips_bad_ids() {
        let request: ExportTraceServiceRequest = serde_json::from_str(REQUEST).expect("OTLP JSON");
        let (spans, skipped) = spans_of(request);
        assert_eq!((spans.len(), skipped), (2, 1));
        let root = &spans[0];
        assert!(root.is_root() && root.is_error());
        assert_eq!(root.service.as_deref(), Some("svc"));
        assert_eq!(root.int("n"), Some(7));
        assert_eq!(root.duration(), Duration::from_secs(2));
        assert_eq!(root.data.span_kind, SpanKind::Server);
        assert!(matches!(root.attr("tags"), Some(Value::Array(_))));
        assert!(spans[1].data.parent_span_is_remote, "flags 0x300 set");
        assert!(spans[1].is_root(), "a remote parent makes a local root");
    }
}
