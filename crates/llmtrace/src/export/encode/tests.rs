//! The encoder's bytes decode to exactly what `opentelemetry-proto`'s own conversion of the
//! same spans gives.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{
    Event, Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Array, InstrumentationScope, KeyValue, StringValue, Value};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use opentelemetry_sdk::Resource;
use prost::Message;

use super::TraceEncoder;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn string(&mut self) -> String {
        let len = [0, 1, 5, 130, 300][self.below(5) as usize];
        (0..len)
            .map(|i| ['a', 'é', 'Z', '0', '😀'][(i + self.below(5) as usize) % 5])
            .collect()
    }

    fn value(&mut self) -> Value {
        let n = self.below(8) as usize + [0, 200][self.below(2) as usize];
        match self.below(9) {
            0 => Value::Bool(self.below(2) == 1),
            1 => Value::I64([0, -1, i64::MIN, i64::MAX, 42][self.below(5) as usize]),
            2 => Value::F64([0.0, -0.0, 1.5, f64::MAX, f64::INFINITY][self.below(5) as usize]),
            3 => Value::String(self.string().into()),
            4 => Value::Array(Array::Bool((0..n).map(|i| i % 3 == 0).collect())),
            5 => Value::Array(Array::I64((0..n).map(|i| i as i64 - 3).collect())),
            6 => Value::Array(Array::F64((0..n).map(|i| i as f64 * 0.5).collect())),
            7 => Value::Array(Array::String(
                (0..n).map(|_| StringValue::from(self.string())).collect(),
            )),
            _ => Value::String(StringValue::from("")),
        }
    }

    fn attributes(&mut self) -> Vec<KeyValue> {
        (0..self.below(6))
            .map(|i| KeyValue::new(format!("key.{i}.{}", self.string()), self.value()))
            .collect()
    }

    fn time(&mut self) -> SystemTime {
        match self.below(4) {
            0 => UNIX_EPOCH,
            1 => UNIX_EPOCH - Duration::from_secs(5),
            _ => UNIX_EPOCH + Duration::from_nanos(self.next() >> 2),
        }
    }

    fn context(&mut self) -> SpanContext {
        let state = match self.below(3) {
            0 => TraceState::NONE,
            _ => TraceState::from_key_value([("vendor", "v1"), ("other", "x")]).unwrap_or_default(),
        };
        SpanContext::new(
            TraceId::from(u128::from(self.next()) << 64 | u128::from(self.next())),
            SpanId::from(self.next()),
            TraceFlags::new(self.below(256) as u8),
            self.below(2) == 1,
            state,
        )
    }

    fn scope(&mut self) -> InstrumentationScope {
        match self.below(3) {
            0 => InstrumentationScope::builder("llmtrace").build(),
            1 => InstrumentationScope::builder("llmtrace")
                .with_version("0.1.0")
                .with_schema_url("https://opentelemetry.io/schemas/1.30.0")
                .with_attributes([KeyValue::new("scope.attr", 7), KeyValue::new("b", true)])
                .build(),
            _ => InstrumentationScope::builder(self.string()).build(),
        }
    }

    fn span(&mut self) -> SpanData {
        let kinds = [
            SpanKind::Internal,
            SpanKind::Server,
            SpanKind::Client,
            SpanKind::Producer,
            SpanKind::Consumer,
        ];
        let status = match self.below(4) {
            0 => Status::Unset,
            1 => Status::Ok,
            2 => Status::error(""),
            _ => Status::error(self.string()),
        };
        let events = (0..self.below(4))
            .map(|_| {
                let mut event = Event::new(self.string(), self.time(), self.attributes(), 0);
                event.dropped_attributes_count = self.below(3) as u32;
                event
            })
            .collect();
        let links = (0..self.below(3))
            .map(|_| {
                let mut link = Link::new(self.context(), self.attributes(), 0);
                link.dropped_attributes_count = self.below(300) as u32;
                link
            })
            .collect();
        let mut span_events = SpanEvents::default();
        span_events.events = events;
        span_events.dropped_count = [0, 3, 200][self.below(3) as usize];
        let mut span_links = SpanLinks::default();
        span_links.links = links;
        span_links.dropped_count = self.below(2) as u32;
        SpanData {
            span_context: self.context(),
            parent_span_id: [SpanId::INVALID, SpanId::from(self.next() | 1)]
                [self.below(2) as usize],
            parent_span_is_remote: self.below(2) == 1,
            span_kind: kinds[self.below(5) as usize].clone(),
            name: Cow::Owned(self.string()),
            start_time: self.time(),
            end_time: self.time(),
            attributes: self.attributes(),
            dropped_attributes_count: [0, 1, 1000][self.below(3) as usize],
            events: span_events,
            links: span_links,
            status,
            instrumentation_scope: self.scope(),
        }
    }
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_service_name("svc")
        .with_attributes([
            KeyValue::new("deployment.environment", "test"),
            KeyValue::new("int", 3),
            KeyValue::new("list", Value::Array(vec![1.5, 2.5].into())),
        ])
        .with_schema_url([], "https://opentelemetry.io/schemas/1.21.0")
        .build()
}

/// What `opentelemetry-proto` makes of `batch` sent with `resource`.
fn expected(batch: &[SpanData], resource: &Resource) -> ExportTraceServiceRequest {
    let resource = ResourceAttributesWithSchema::from(resource);
    ExportTraceServiceRequest {
        resource_spans: group_spans_by_resource_and_scope(batch.to_vec(), &resource),
    }
}

fn decoded(bytes: &[u8]) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest::decode(bytes).expect("the encoder's bytes decode")
}

#[test]
fn varied_batches_decode_to_what_opentelemetry_proto_builds() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let resource = resource();
    let mut encoder = TraceEncoder::new();
    encoder.set_resource(&resource);
    for round in 0..200 {
        let batch: Vec<SpanData> = (0..rng.below(20)).map(|_| rng.span()).collect();
        let bytes = encoder.encode(&batch).to_vec();
        let want = expected(&batch, &resource);
        assert_eq!(decoded(&bytes), want, "round {round}");
        // Canonical: the same size as prost's own encoding of the same message.
        assert_eq!(bytes.len(), want.encoded_len(), "round {round}");
    }
}

#[test]
fn a_large_batch_and_large_values_survive_length_prefix_moves() {
    let mut rng = Rng(7);
    let resource = resource();
    let mut encoder = TraceEncoder::new();
    encoder.set_resource(&resource);
    let mut batch: Vec<SpanData> = (0..500).map(|_| rng.span()).collect();
    batch[3]
        .attributes
        .push(KeyValue::new("big", "x".repeat(70_000)));
    batch[4].attributes.push(KeyValue::new("nan", f64::NAN));
    let bytes = encoder.encode(&batch).to_vec();
    // NaN != NaN: compare the debug renderings.
    assert_eq!(
        format!("{:?}", decoded(&bytes)),
        format!("{:?}", expected(&batch, &resource))
    );
}

#[test]
fn the_default_resource_and_an_empty_batch_match_too() {
    let mut encoder = TraceEncoder::new();
    let empty = Resource::builder_empty().build();
    assert_eq!(decoded(encoder.encode(&[])), expected(&[], &empty));
    let mut rng = Rng(99);
    let batch = vec![rng.span(), rng.span()];
    assert_eq!(decoded(encoder.encode(&batch)), expected(&batch, &empty));
}

#[test]
fn the_comparison_can_fail() {
    let mut rng = Rng(5);
    let resource = resource();
    let mut encoder = TraceEncoder::new();
    encoder.set_resource(&resource);
    let batch = vec![rng.span()];
    let bytes = encoder.encode(&batch).to_vec();
    let mut other = batch.clone();
    other[0].dropped_attributes_count += 1;
    assert_ne!(decoded(&bytes), expected(&other, &resource));
}
