//! Throughput of the redactor (MB/s), all detectors on.
//!
//! - `prompt_with_pii`: realistic prompt text (64 KiB) with one PII item or secret per ~1 KiB.
//! - `prompt_no_match`: realistic prompt text with nothing to redact (the borrowed fast path).
//! - `json_messages`: `gen_ai.input.messages`-style JSON with PII in some leaves.
//! - `short_value`: one 38-byte attribute value without matches (fixed cost per string).
//! - `genai_span`: a whole chat span (8 attributes incl. 1 KiB messages JSON with an e-mail,
//!   error status) through `redact_span`.
//! - `value_10mb`: one 10 MB attribute through `redact_attributes` (truncated to 16 KiB; the
//!   value is shared through an `Arc<str>`, so no 10 MB copy is measured).
//!
//! Run: `cargo bench -p llmtrace-processor --bench redact -- --warm-up-time 1
//! --measurement-time 3`. Figures, with date and machine: BENCHMARKS.md.

#[path = "../tests/redact_support/mod.rs"]
mod redact_support;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use llmtrace_processor::redact::{RedactionConfig, Redactor};
use std::borrow::Cow;
use std::time::SystemTime;

use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};

fn bench(c: &mut Criterion) {
    let redactor = Redactor::new(&RedactionConfig::default()).expect("default config");
    let mut group = c.benchmark_group("redact");

    let with_pii = redact_support::prompt_text_with_secrets(1, 64 * 1024, 1024);
    group.throughput(Throughput::Bytes(with_pii.len() as u64));
    group.bench_function("prompt_with_pii", |b| {
        b.iter(|| black_box(redactor.redact_str(black_box(&with_pii))))
    });

    let clean = redact_support::prompt_text(2, 64 * 1024);
    assert!(
        matches!(redactor.redact_str(&clean), std::borrow::Cow::Borrowed(_)),
        "clean text must not match"
    );
    group.throughput(Throughput::Bytes(clean.len() as u64));
    group.bench_function("prompt_no_match", |b| {
        b.iter(|| black_box(redactor.redact_str(black_box(&clean))))
    });

    let messages: Vec<serde_json::Value> = (0..64)
        .map(|i| {
            let content = if i % 4 == 0 {
                redact_support::prompt_text_with_secrets(i, 900, 300)
            } else {
                redact_support::prompt_text(i, 900)
            };
            serde_json::json!({"role": if i % 2 == 0 { "user" } else { "assistant" }, "content": content})
        })
        .collect();
    let json = serde_json::to_string(&messages).expect("json");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("json_messages", |b| {
        b.iter(|| black_box(redactor.redact_str(black_box(&json))))
    });

    let huge: Arc<str> = Arc::from(redact_support::prompt_text_with_secrets(
        3,
        10 * 1024 * 1024,
        4096,
    ));
    group.throughput(Throughput::Bytes(huge.len() as u64));
    group.bench_function("value_10mb", |b| {
        b.iter(|| {
            let mut attrs = vec![KeyValue::new(
                "input.value",
                Value::String(StringValue::from(Arc::clone(&huge))),
            )];
            black_box(redactor.redact_attributes(&mut attrs));
            attrs
        })
    });
    let short = "The weather in Paris is sunny today ok";
    group.throughput(Throughput::Bytes(short.len() as u64));
    group.bench_function("short_value", |b| {
        b.iter(|| black_box(redactor.redact_str(black_box(short))))
    });

    let span = genai_span();
    let span_bytes: usize = span
        .attributes
        .iter()
        .map(|kv| kv.value.as_str().len())
        .sum();
    group.throughput(Throughput::Bytes(span_bytes as u64));
    group.bench_function("genai_span", |b| {
        b.iter(|| {
            let mut s = span.clone();
            black_box(redactor.redact_span(&mut s));
            s
        })
    });
    group.finish();
}

fn genai_span() -> SpanData {
    let messages = serde_json::json!([
        {"role": "system", "content": redact_support::prompt_text(11, 300)},
        {"role": "user", "content": format!("{} Reply to ada.lovelace@example.org please.", redact_support::prompt_text(12, 600))},
    ])
    .to_string();
    SpanData {
        span_context: SpanContext::new(
            TraceId::from_bytes([1; 16]),
            SpanId::from_bytes([2; 8]),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::from_bytes([3; 8]),
        parent_span_is_remote: false,
        span_kind: SpanKind::Client,
        name: Cow::Borrowed("chat gpt-4o"),
        start_time: SystemTime::UNIX_EPOCH,
        end_time: SystemTime::UNIX_EPOCH,
        attributes: vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.provider.name", "openai"),
            KeyValue::new("gen_ai.request.model", "gpt-4o"),
            KeyValue::new("gen_ai.response.model", "gpt-4o-2024-08-06"),
            KeyValue::new("gen_ai.usage.input_tokens", 812_i64),
            KeyValue::new("gen_ai.usage.output_tokens", 96_i64),
            KeyValue::new("gen_ai.input.messages", messages),
            KeyValue::new(
                "gen_ai.output.messages",
                r#"[{"role":"assistant","parts":[{"type":"text","content":"Your order ships tomorrow."}],"finish_reason":"stop"}]"#,
            ),
        ],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::error("upstream timeout after 30 s"),
        instrumentation_scope: Default::default(),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
