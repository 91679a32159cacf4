//! The sampler's counters and gauges through the OTel metrics API.

use llmtrace_processor::sample::{PolicyConfig, TailSampler, TailSamplingConfig};
use opentelemetry::metrics::MeterProvider;
use opentelemetry::trace::{Span, SpanKind, Status, TraceContextExt, Tracer, TracerProvider};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};

fn has<'a>(mut attrs: impl Iterator<Item = &'a KeyValue>, key: &str, value: &str) -> bool {
    attrs.any(|kv| kv.key.as_str() == key && kv.value.as_str() == value)
}

/// Sum of a u64 counter's points whose attributes contain `key=value`.
fn counter(metrics: &[ResourceMetrics], name: &str, key: &str, value: &str) -> u64 {
    let mut total = 0;
    for rm in metrics {
        for sm in rm.scope_metrics() {
            for m in sm.metrics().filter(|m| m.name() == name) {
                if let AggregatedMetrics::U64(MetricData::Sum(sum)) = m.data() {
                    total += sum
                        .data_points()
                        .filter(|p| has(p.attributes(), key, value))
                        .map(|p| p.value())
                        .sum::<u64>();
                }
            }
        }
    }
    total
}

/// The last value of a u64 gauge.
fn gauge(metrics: &[ResourceMetrics], name: &str) -> Option<u64> {
    let mut out = None;
    for rm in metrics {
        for sm in rm.scope_metrics() {
            for m in sm.metrics().filter(|m| m.name() == name) {
                if let AggregatedMetrics::U64(MetricData::Gauge(g)) = m.data() {
                    out = g.data_points().map(|p| p.value()).last().or(out);
                }
            }
        }
    }
    out
}

#[test]
fn sampler_counters_and_gauges_are_exported() {
    let metric_exporter = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metric_exporter.clone()).build())
        .build();
    let span_exporter = InMemorySpanExporter::default();
    let sampler = TailSampler::builder(SimpleSpanProcessor::new(span_exporter.clone()))
        .config(TailSamplingConfig::default().with_policy(PolicyConfig::errors("errors")))
        .meter(meter_provider.meter("llmtrace"))
        .build()
        .expect("valid");
    let provider = SdkTracerProvider::builder()
        .with_span_processor(sampler)
        .build();
    let tracer = provider.tracer("test");

    for i in 0..10 {
        let root = tracer.start("invoke_agent planner");
        let cx = Context::new().with_span(root);
        let mut chat = tracer
            .span_builder("chat gpt-4o")
            .with_kind(SpanKind::Client)
            .with_attributes([
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("gen_ai.provider.name", "openai"),
                KeyValue::new("gen_ai.request.model", "gpt-4o"),
                KeyValue::new("gen_ai.usage.input_tokens", 100i64),
                KeyValue::new("gen_ai.usage.output_tokens", 20i64),
            ])
            .start_with_context(&tracer, &cx);
        if i == 0 {
            chat.set_attribute(KeyValue::new("error.type", "rate_limited"));
            chat.set_status(Status::error("429"));
        }
        chat.end();
        cx.span().end();
    }

    // One trace stays open (its root has not ended): buffered.
    let open = Context::new().with_span(tracer.start("still running"));
    tracer.start_with_context("child", &open).end();

    assert_eq!(
        span_exporter.get_finished_spans().expect("ok").len(),
        2,
        "one trace kept"
    );
    meter_provider.force_flush().expect("flush metrics");
    let metrics = metric_exporter.get_finished_metrics().expect("metrics");

    assert_eq!(
        counter(&metrics, "llmtrace.sampler.traces", "decision", "kept"),
        1
    );
    assert_eq!(
        counter(&metrics, "llmtrace.sampler.traces", "decision", "dropped"),
        9
    );
    assert_eq!(
        counter(&metrics, "llmtrace.sampler.traces", "trigger", "root"),
        10
    );
    assert_eq!(
        counter(&metrics, "llmtrace.sampler.spans", "decision", "kept"),
        2
    );
    assert_eq!(
        counter(&metrics, "llmtrace.sampler.spans", "decision", "dropped"),
        18
    );

    assert_eq!(gauge(&metrics, "llmtrace.sampler.buffered.traces"), Some(1));
    assert!(gauge(&metrics, "llmtrace.sampler.buffered.bytes").is_some_and(|b| b > 0));
    drop(open);
}
