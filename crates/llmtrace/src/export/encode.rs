//! Encodes a batch of finished spans straight into the bytes of one OTLP
//! `ExportTraceServiceRequest` (protobuf), in a buffer reused from batch to batch: no
//! intermediate structs, no copy of the spans.
//!
//! The fields and their values are those of `opentelemetry-proto`'s conversion of `SpanData`
//! (one resource; spans grouped by instrumentation scope in order of first appearance; span
//! flags carry the "has is-remote" bit and the parent's remoteness; status always present).
//! Nested messages are written in place and their length prefixed afterwards, so the output is
//! the canonical encoding with minimal length varints.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{Link, SpanContext, SpanId, SpanKind, Status, TraceState};
use opentelemetry::{Array, InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;
use prost::encoding::{encode_key, encode_varint, encoded_len_varint, WireType};

/// `SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK`.
const HAS_IS_REMOTE: u32 = 0x100;
/// `SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`.
const IS_REMOTE: u32 = 0x200;

/// Encodes span batches into OTLP `ExportTraceServiceRequest` bytes, reusing its buffers.
#[derive(Debug, Default)]
pub struct TraceEncoder {
    buf: Vec<u8>,
    /// The `resource` field of `ResourceSpans` (key, length and message), encoded once.
    resource: Vec<u8>,
    /// The resource's schema URL.
    schema_url: String,
    /// The scope index of each span of the batch being encoded.
    scope_of: Vec<usize>,
}

impl TraceEncoder {
    /// An encoder for spans of an empty resource (until [`set_resource`](Self::set_resource)).
    pub fn new() -> Self {
        let mut encoder = Self::default();
        encoder.set_resource(&Resource::builder_empty().build());
        encoder
    }

    /// The resource every following batch is sent with.
    pub fn set_resource(&mut self, resource: &Resource) {
        self.resource.clear();
        message(&mut self.resource, 1, 2, |buf| {
            for (key, value) in resource.iter() {
                key_value(buf, 1, key.as_str(), value);
            }
        });
        self.schema_url = resource.schema_url().unwrap_or_default().to_owned();
    }

    /// The request carrying `batch`, encoded; valid until the next call.
    pub fn encode(&mut self, batch: &[SpanData]) -> &[u8] {
        let scopes = self.group_by_scope(batch);
        let Self {
            buf,
            resource,
            schema_url,
            scope_of,
        } = self;
        buf.clear();
        // ExportTraceServiceRequest.resource_spans (1): one ResourceSpans.
        message(buf, 1, 3, |buf| {
            buf.extend_from_slice(resource);
            for (index, scope) in scopes.iter().enumerate() {
                // ResourceSpans.scope_spans (2)
                message(buf, 2, 3, |buf| {
                    scope_message(buf, scope);
                    let spans = batch.iter().zip(scope_of.iter());
                    for (span, _) in spans.filter(|(_, s)| **s == index) {
                        message(buf, 2, 2, |buf| span_message(buf, span));
                    }
                    put_str(buf, 3, scope.schema_url().unwrap_or_default());
                });
            }
            put_str(buf, 3, schema_url);
        });
        &self.buf
    }

    /// The distinct scopes of `batch` in order of first appearance; fills `scope_of`.
    fn group_by_scope<'a>(&mut self, batch: &'a [SpanData]) -> Vec<&'a InstrumentationScope> {
        self.scope_of.clear();
        let mut scopes: Vec<&InstrumentationScope> = Vec::new();
        let mut index: HashMap<&InstrumentationScope, usize> = HashMap::new();
        let mut last: Option<(&InstrumentationScope, usize)> = None;
        for span in batch {
            let scope = &span.instrumentation_scope;
            let found = match last {
                Some((previous, i)) if previous == scope => i,
                _ => *index.entry(scope).or_insert_with(|| {
                    scopes.push(scope);
                    scopes.len() - 1
                }),
            };
            last = Some((scope, found));
            self.scope_of.push(found);
        }
        scopes
    }
}

/// Writes field `tag` as a nested message whose body `body` writes; `guess` bytes are reserved
/// for the length and the body moved if the length needs another number of bytes.
fn message(buf: &mut Vec<u8>, tag: u32, guess: usize, body: impl FnOnce(&mut Vec<u8>)) {
    encode_key(tag, WireType::LengthDelimited, buf);
    let at = buf.len();
    buf.resize(at + guess, 0);
    body(buf);
    let len = buf.len() - at - guess;
    let need = encoded_len_varint(len as u64);
    if need > guess {
        buf.resize(buf.len() + need - guess, 0);
        buf.copy_within(at + guess..at + guess + len, at + need);
    } else if need < guess {
        buf.copy_within(at + guess..at + guess + len, at + need);
        buf.truncate(at + need + len);
    }
    let mut slot = &mut buf[at..at + need];
    encode_varint(len as u64, &mut slot);
}

/// A length-delimited field, written even when empty.
fn put_bytes(buf: &mut Vec<u8>, tag: u32, bytes: &[u8]) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(bytes.len() as u64, buf);
    buf.extend_from_slice(bytes);
}

/// A string field, omitted when empty (proto3 default).
fn put_str(buf: &mut Vec<u8>, tag: u32, s: &str) {
    if !s.is_empty() {
        put_bytes(buf, tag, s.as_bytes());
    }
}

/// A varint field (uint32, enum, bool, int64 as two's complement), omitted when zero.
fn put_varint(buf: &mut Vec<u8>, tag: u32, value: u64) {
    if value != 0 {
        encode_key(tag, WireType::Varint, buf);
        encode_varint(value, buf);
    }
}

/// A fixed64 field, omitted when zero.
fn put_fixed64(buf: &mut Vec<u8>, tag: u32, value: u64) {
    if value != 0 {
        encode_key(tag, WireType::SixtyFourBit, buf);
        buf.extend_from_slice(&value.to_le_bytes());
    }
}

/// A fixed32 field, omitted when zero.
fn put_fixed32(buf: &mut Vec<u8>, tag: u32, value: u32) {
    if value != 0 {
        encode_key(tag, WireType::ThirtyTwoBit, buf);
        buf.extend_from_slice(&value.to_le_bytes());
    }
}

/// Nanoseconds since the Unix epoch; 0 before it.
fn nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// `InstrumentationScope` as field 1 of `ScopeSpans`.
fn scope_message(buf: &mut Vec<u8>, scope: &InstrumentationScope) {
    message(buf, 1, 1, |buf| {
        put_str(buf, 1, scope.name());
        put_str(buf, 2, scope.version().unwrap_or_default());
        for kv in scope.attributes() {
            key_value(buf, 3, kv.key.as_str(), &kv.value);
        }
    });
}

/// The body of one `Span`.
fn span_message(buf: &mut Vec<u8>, span: &SpanData) {
    let context = &span.span_context;
    put_bytes(buf, 1, &context.trace_id().to_bytes());
    put_bytes(buf, 2, &context.span_id().to_bytes());
    trace_state(buf, 3, context.trace_state());
    if span.parent_span_id != SpanId::INVALID {
        put_bytes(buf, 4, &span.parent_span_id.to_bytes());
    }
    put_fixed32(buf, 16, flags(context, span.parent_span_is_remote));
    put_str(buf, 5, &span.name);
    put_varint(buf, 6, kind(&span.span_kind));
    put_fixed64(buf, 7, nanos(span.start_time));
    put_fixed64(buf, 8, nanos(span.end_time));
    attributes(buf, 9, &span.attributes);
    put_varint(buf, 10, u64::from(span.dropped_attributes_count));
    for event in &span.events.events {
        message(buf, 11, 1, |buf| {
            put_fixed64(buf, 1, nanos(event.timestamp));
            put_str(buf, 2, &event.name);
            attributes(buf, 3, &event.attributes);
            put_varint(buf, 4, u64::from(event.dropped_attributes_count));
        });
    }
    put_varint(buf, 12, u64::from(span.events.dropped_count));
    for link in &span.links.links {
        message(buf, 13, 1, |buf| link_message(buf, link));
    }
    put_varint(buf, 14, u64::from(span.links.dropped_count));
    message(buf, 15, 1, |buf| {
        let (code, description) = match &span.status {
            Status::Unset => (0, ""),
            Status::Ok => (1, ""),
            Status::Error { description } => (2, description.as_ref()),
        };
        put_str(buf, 2, description);
        put_varint(buf, 3, code);
    });
}

/// The body of one `Span.Link`.
fn link_message(buf: &mut Vec<u8>, link: &Link) {
    let context = &link.span_context;
    put_bytes(buf, 1, &context.trace_id().to_bytes());
    put_bytes(buf, 2, &context.span_id().to_bytes());
    trace_state(buf, 3, context.trace_state());
    attributes(buf, 4, &link.attributes);
    put_varint(buf, 5, u64::from(link.dropped_attributes_count));
    put_fixed32(buf, 6, flags(context, context.is_remote()));
}

/// The W3C trace state header, omitted when empty.
fn trace_state(buf: &mut Vec<u8>, tag: u32, state: &TraceState) {
    if *state != TraceState::NONE {
        put_str(buf, tag, &state.header());
    }
}

/// The trace flags plus the "has is-remote" bit, and the is-remote bit when `remote`.
fn flags(context: &SpanContext, remote: bool) -> u32 {
    let mut flags = u32::from(context.trace_flags().to_u8()) | HAS_IS_REMOTE;
    if remote {
        flags |= IS_REMOTE;
    }
    flags
}

/// `Span.SpanKind`.
fn kind(kind: &SpanKind) -> u64 {
    match kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

/// A repeated `KeyValue` field.
fn attributes(buf: &mut Vec<u8>, tag: u32, attributes: &[KeyValue]) {
    for kv in attributes {
        key_value(buf, tag, kv.key.as_str(), &kv.value);
    }
}

/// One `KeyValue` as field `tag`; its value is always present.
fn key_value(buf: &mut Vec<u8>, tag: u32, key: &str, value: &Value) {
    message(buf, tag, 1, |buf| {
        put_str(buf, 1, key);
        message(buf, 2, 1, |buf| any_value(buf, value));
    });
}

/// The body of one `AnyValue`: the set member of its `oneof` is written even when zero. A
/// value type this encoder does not know is sent as an empty value.
fn any_value(buf: &mut Vec<u8>, value: &Value) {
    match value {
        Value::String(s) => put_bytes(buf, 1, s.as_str().as_bytes()),
        Value::Bool(b) => bool_value(buf, *b),
        Value::I64(i) => int_value(buf, *i),
        Value::F64(f) => double_value(buf, *f),
        Value::Array(array) => message(buf, 5, 2, |buf| array_values(buf, array)),
        _ => {}
    }
}

fn bool_value(buf: &mut Vec<u8>, value: bool) {
    encode_key(2, WireType::Varint, buf);
    encode_varint(u64::from(value), buf);
}

fn int_value(buf: &mut Vec<u8>, value: i64) {
    encode_key(3, WireType::Varint, buf);
    encode_varint(value as u64, buf);
}

fn double_value(buf: &mut Vec<u8>, value: f64) {
    encode_key(4, WireType::SixtyFourBit, buf);
    buf.extend_from_slice(&value.to_bits().to_le_bytes());
}

/// The body of an `ArrayValue`: one `AnyValue` per element.
fn array_values(buf: &mut Vec<u8>, array: &Array) {
    match array {
        Array::Bool(values) => {
            for v in values {
                message(buf, 1, 1, |buf| bool_value(buf, *v));
            }
        }
        Array::I64(values) => {
            for v in values {
                message(buf, 1, 1, |buf| int_value(buf, *v));
            }
        }
        Array::F64(values) => {
            for v in values {
                message(buf, 1, 1, |buf| double_value(buf, *v));
            }
        }
        Array::String(values) => {
            for v in values {
                message(buf, 1, 1, |buf| put_bytes(buf, 1, v.as_str().as_bytes()));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
