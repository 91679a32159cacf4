//! End-to-end behaviour of `RedactingProcessor`: real spans built with the OTel tracer API pass
//! the processor, and the `SpanData` the exporter receives is asserted on.

mod redact_support;

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState, Tracer,
    TracerProvider as _,
};
use opentelemetry::{Array, Context, KeyValue, StringValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor, Span, SpanData, SpanEvents,
    SpanLinks, SpanProcessor,
};
use opentelemetry_sdk::Resource;

use llmtrace_processor::redact::{
    Detector, HashFunction, KeyAction, RedactingProcessor, RedactionConfig, Redactor, Summary,
    TRUNCATED_MARKER,
};
use redact_support::{card, jwt, Rng, ALNUM};

struct Harness {
    exporter: InMemorySpanExporter,
    provider: SdkTracerProvider,
    stats: llmtrace_processor::redact::StatsHandle,
}

fn harness(redactor: Redactor) -> Harness {
    let exporter = InMemorySpanExporter::default();
    let processor = RedactingProcessor::new(SimpleSpanProcessor::new(exporter.clone()), redactor);
    let stats = processor.stats_handle();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .build();
    Harness {
        exporter,
        provider,
        stats,
    }
}

fn default_harness() -> Harness {
    harness(Redactor::new(&RedactionConfig::default()).expect("default config"))
}

fn spans(h: &Harness) -> Vec<SpanData> {
    h.provider.force_flush().expect("flush");
    h.exporter.get_finished_spans().expect("spans")
}

fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attrs
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn attr_str(attrs: &[KeyValue], key: &str) -> String {
    attr(attrs, key)
        .map(|v| v.as_str().into_owned())
        .unwrap_or_default()
}

fn fake_openai_key(seed: u64) -> String {
    format!("sk-proj-{}", Rng::new(seed).token(ALNUM, 64))
}

fn linked_context() -> SpanContext {
    SpanContext::new(
        TraceId::from_bytes([7; 16]),
        SpanId::from_bytes([9; 8]),
        TraceFlags::SAMPLED,
        false,
        TraceState::default(),
    )
}

#[test]
fn every_place_a_string_can_hide_is_scrubbed() {
    let h = default_harness();
    let key = fake_openai_key(1);
    let mut rng = Rng::new(5);
    let card_number = card(&mut rng);
    let token = jwt(&mut rng);
    let email = "ada.lovelace@example.org";
    let messages = format!(
        r#"[{{"role":"system","content":"be nice"}},{{"role":"user","parts":[{{"type":"text","content":"my key is {key} and card {card_number}"}}],"password":"hunter2!"}}]"#
    );

    let tracer = h.provider.tracer("test");
    let mut builder = tracer.span_builder(format!("chat for {email}"));
    builder.span_kind = Some(SpanKind::Client);
    builder.links = Some(vec![Link::new(
        linked_context(),
        vec![KeyValue::new("link.note", format!("from {email}"))],
        0,
    )]);
    builder.attributes = Some(vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.request.model", "gpt-4o-2024-08-06"),
        KeyValue::new("gen_ai.input.messages", messages.clone()),
        KeyValue::new("user.note", format!("write to {email}")),
        KeyValue::new(
            "tag.tags",
            Value::Array(Array::String(vec![
                StringValue::from("ok"),
                StringValue::from(format!("jwt {token}")),
            ])),
        ),
        KeyValue::new("gen_ai.usage.input_tokens", 42_i64),
    ]);
    let mut span = tracer.build(builder);
    {
        use opentelemetry::trace::Span as _;
        span.add_event(
            format!("user said {email}"),
            vec![KeyValue::new(
                "exception.message",
                format!("auth failed for Bearer {}", Rng::new(9).token(ALNUM, 32)),
            )],
        );
        span.set_status(Status::error(format!("provider rejected key {key}")));
        span.end();
    }

    let exported = spans(&h);
    assert_eq!(exported.len(), 1);
    let s = &exported[0];
    let everything = format!("{s:?}");
    for raw in [
        key.as_str(),
        card_number.as_str(),
        token.as_str(),
        email,
        "hunter2!",
    ] {
        assert!(
            !everything.contains(raw),
            "raw value {raw:?} reached the exporter:\n{everything}"
        );
    }
    assert_eq!(s.name, "chat for [REDACTED:email]");
    assert_eq!(
        attr_str(&s.attributes, "gen_ai.request.model"),
        "gpt-4o-2024-08-06"
    );
    assert_eq!(attr_str(&s.attributes, "gen_ai.operation.name"), "chat");
    assert_eq!(
        attr(&s.attributes, "gen_ai.usage.input_tokens"),
        Some(&Value::I64(42))
    );
    let msgs = attr_str(&s.attributes, "gen_ai.input.messages");
    let parsed: serde_json::Value = serde_json::from_str(&msgs).expect("messages stay JSON");
    assert_eq!(parsed[0]["content"], "be nice");
    assert_eq!(
        parsed[1]["parts"][0]["content"],
        "my key is [REDACTED:openai_key] and card [REDACTED:payment_card]"
    );
    assert_eq!(parsed[1]["password"], "[REDACTED:generic_secret]");
    assert_eq!(
        attr_str(&s.attributes, "user.note"),
        "write to [REDACTED:email]"
    );
    match attr(&s.attributes, "tag.tags") {
        Some(Value::Array(Array::String(items))) => {
            assert_eq!(items[0].as_str(), "ok");
            assert_eq!(items[1].as_str(), "jwt [REDACTED:jwt]");
        }
        other => panic!("tag.tags changed type: {other:?}"),
    }
    let event = &s.events.events[0];
    assert_eq!(event.name, "user said [REDACTED:email]");
    assert!(attr_str(&event.attributes, "exception.message")
        .starts_with("auth failed for Bearer [REDACTED:bearer_token]"));
    assert_eq!(
        attr(&event.attributes, "redaction.masked.count"),
        Some(&Value::I64(2))
    );
    assert_eq!(
        attr_str(&s.links.links[0].attributes, "link.note"),
        "from [REDACTED:email]"
    );
    match &s.status {
        Status::Error { description } => {
            assert_eq!(description, "provider rejected key [REDACTED:openai_key]")
        }
        other => panic!("status changed: {other:?}"),
    }
    // span.name, status.description, gen_ai.input.messages, user.note, tag.tags
    assert_eq!(
        attr(&s.attributes, "redaction.masked.count"),
        Some(&Value::I64(5))
    );

    let stats = h.stats.snapshot();
    assert_eq!(stats.spans_seen, 1);
    assert_eq!(stats.spans_redacted, 1);
    assert!(stats.detector(Detector::Email) >= 4);
    assert_eq!(stats.detector(Detector::OpenaiKey), 2);
    assert_eq!(stats.detector(Detector::PaymentCard), 1);
    assert_eq!(stats.detector(Detector::Jwt), 1);
    assert_eq!(stats.totals.keys_masked, 1);
}

#[test]
fn collector_key_semantics() {
    let redactor = RedactionConfig::builder()
        .allow_all_keys(false)
        .allowed_key("description")
        .allowed_key("user.note")
        .allowed_key("internal.api_token_ref")
        .ignored_key("safe.raw")
        .blocked_value(r"\bEMP-[0-9]{6}\b")
        .blocked_key_pattern(".*api_token.*")
        .summary(Summary::Debug)
        .build()
        .expect("config");
    let h = harness(redactor);
    let tracer = h.provider.tracer("test");
    let mut span = tracer
        .span_builder("op")
        .with_attributes(vec![
            KeyValue::new("gen_ai.request.model", "gpt-4o"),
            KeyValue::new("description", "employee EMP-123456 asked"),
            KeyValue::new("user.note", "nothing here"),
            KeyValue::new("internal.api_token_ref", "abc"),
            KeyValue::new("safe.raw", "ada@example.org"),
            KeyValue::new("not.allowed", "bye"),
            KeyValue::new("other", 1_i64),
        ])
        .start(&tracer);
    opentelemetry::trace::Span::end(&mut span);
    let s = &spans(&h)[0];
    assert_eq!(
        attr_str(&s.attributes, "gen_ai.request.model"),
        "gpt-4o",
        "structural keys survive the allow-list"
    );
    assert_eq!(
        attr_str(&s.attributes, "description"),
        "employee [REDACTED:blocked_value] asked"
    );
    assert_eq!(attr_str(&s.attributes, "user.note"), "nothing here");
    assert_eq!(
        attr_str(&s.attributes, "internal.api_token_ref"),
        "[REDACTED:key]"
    );
    assert_eq!(
        attr_str(&s.attributes, "safe.raw"),
        "ada@example.org",
        "ignored keys are never scrubbed"
    );
    assert!(attr(&s.attributes, "not.allowed").is_none());
    assert!(attr(&s.attributes, "other").is_none());
    assert_eq!(
        attr_str(&s.attributes, "redaction.redacted.keys"),
        "not.allowed,other"
    );
    assert_eq!(
        attr(&s.attributes, "redaction.redacted.count"),
        Some(&Value::I64(2))
    );
    assert_eq!(
        attr_str(&s.attributes, "redaction.masked.keys"),
        "description,internal.api_token_ref"
    );
    assert_eq!(
        attr(&s.attributes, "redaction.masked.count"),
        Some(&Value::I64(2))
    );
    assert_eq!(
        attr(&s.attributes, "redaction.ignored.count"),
        Some(&Value::I64(1))
    );
    assert_eq!(h.stats.snapshot().totals.attributes_dropped, 2);
}

#[test]
fn key_rules_drop_and_hash_keep_values_joinable() {
    let config = RedactionConfig::builder()
        .key_rule(r"user\.email", KeyAction::Hash)
        .key_rule(r"http\.request\.header\.cookie", KeyAction::Drop)
        .blocked_key("debug.dump")
        .allowed_value(r"^public:")
        .summary(Summary::Silent)
        .hash_key("test-only-hash-key")
        .into_config();
    let h = harness(Redactor::new(&config).expect("config"));
    let tracer = h.provider.tracer("test");
    for email in ["ada@example.org", "ada@example.org", "bob@example.org"] {
        let mut span = tracer
            .span_builder("op")
            .with_attributes(vec![
                KeyValue::new("user.email", email),
                KeyValue::new("http.request.header.cookie", "session=abc"),
                KeyValue::new("debug.dump", "x"),
                KeyValue::new("note", "public: ada@example.org"),
            ])
            .start(&tracer);
        opentelemetry::trace::Span::end(&mut span);
    }
    let exported = spans(&h);
    let hashes: Vec<String> = exported
        .iter()
        .map(|s| attr_str(&s.attributes, "user.email"))
        .collect();
    assert!(
        hashes[0].starts_with("hmac-sha256:") && hashes[0].len() == "hmac-sha256:".len() + 32,
        "{}",
        hashes[0]
    );
    assert_eq!(hashes[0], hashes[1], "equal values hash equally");
    assert_ne!(hashes[0], hashes[2]);
    for s in &exported {
        assert!(attr(&s.attributes, "http.request.header.cookie").is_none());
        assert!(attr(&s.attributes, "debug.dump").is_none());
        assert_eq!(
            attr_str(&s.attributes, "note"),
            "public: ada@example.org",
            "allowed_values exempts"
        );
        assert!(
            !s.attributes
                .iter()
                .any(|kv| kv.key.as_str().starts_with("redaction.")),
            "summary silent"
        );
    }

    // A different key gives different hashes.
    let other = RedactionConfig::builder()
        .key_rule(r"user\.email", KeyAction::Hash)
        .hash_key("another-key")
        .build()
        .expect("config");
    let mut attrs = vec![KeyValue::new("user.email", "ada@example.org")];
    other.redact_attributes(&mut attrs);
    assert_ne!(attr_str(&attrs, "user.email"), hashes[0]);
}

#[test]
fn hash_function_replaces_detector_masks() {
    let redactor = RedactionConfig::builder()
        .hash_function(HashFunction::HmacSha256)
        .hash_key("k")
        .build()
        .expect("config");
    let a = redactor.redact_str("mail ada@example.org now");
    let b = redactor.redact_str("again ada@example.org");
    let ha = a
        .trim_start_matches("mail ")
        .trim_end_matches(" now")
        .to_owned();
    assert!(ha.starts_with("hmac-sha256:"), "{a}");
    assert!(b.ends_with(&ha));
}

#[test]
fn huge_values_are_truncated_with_valid_json_and_original_length() {
    let h = default_harness();
    let tracer = h.provider.tracer("test");
    let big_text = format!("secret {} ", fake_openai_key(3)).repeat(10 * 1024 * 1024 / 80);
    let chunk = format!(
        r#"{{"role":"user","content":"{}"}}"#,
        "lorem ipsum dolor ".repeat(50)
    );
    let big_json = format!("[{}]", vec![chunk; 10 * 1024 * 1024 / 950].join(","));
    assert!(big_text.len() > 10_000_000 && big_json.len() > 10_000_000);
    let mut span = tracer
        .span_builder("op")
        .with_attributes(vec![
            KeyValue::new("input.value", big_text.clone()),
            KeyValue::new("gen_ai.input.messages", big_json.clone()),
        ])
        .start(&tracer);
    opentelemetry::trace::Span::end(&mut span);
    let s = &spans(&h)[0];
    let text = attr_str(&s.attributes, "input.value");
    assert!(text.len() <= 16 * 1024, "{}", text.len());
    assert!(text.ends_with(TRUNCATED_MARKER));
    assert!(!text.contains("sk-proj-"), "scanned before cutting");
    assert_eq!(
        attr(
            &s.attributes,
            "llmtrace.truncated.input.value.original_length"
        ),
        Some(&Value::I64(big_text.len() as i64))
    );
    let json = attr_str(&s.attributes, "gen_ai.input.messages");
    assert!(json.len() <= 16 * 1024);
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("truncated JSON parses");
    let items = parsed.as_array().expect("array");
    assert_eq!(items.last(), Some(&serde_json::Value::from("[TRUNCATED]")));
    assert_eq!(
        attr(
            &s.attributes,
            "llmtrace.truncated.gen_ai.input.messages.original_length"
        ),
        Some(&Value::I64(big_json.len() as i64))
    );
    assert_eq!(h.stats.snapshot().totals.values_truncated, 2);
}

#[test]
fn status_description_and_arrays_are_truncated() {
    let redactor = RedactionConfig::builder()
        .max_value_bytes(256)
        .build()
        .expect("config");
    let mut attrs = vec![KeyValue::new(
        "list",
        Value::Array(Array::String(
            (0..100)
                .map(|i| StringValue::from(format!("item number {i}")))
                .collect(),
        )),
    )];
    let report = redactor.redact_attributes(&mut attrs);
    assert_eq!(report.values_truncated, 1);
    match attr(&attrs, "list") {
        Some(Value::Array(Array::String(items))) => {
            let total: usize = items.iter().map(|s| s.as_str().len()).sum();
            assert!(total <= 256 + 16, "{total}");
            assert_eq!(items.last().map(|s| s.as_str()), Some("[TRUNCATED]"));
        }
        other => panic!("{other:?}"),
    }
    assert!(attr(&attrs, "llmtrace.truncated.list.original_length").is_some());
}

/// A processor that records what it is asked to do.
#[derive(Debug, Default)]
struct Recorder {
    ends: AtomicUsize,
    starts: Arc<AtomicUsize>,
    flushes: AtomicUsize,
    shutdowns: AtomicUsize,
    resources: Arc<AtomicUsize>,
}

impl SpanProcessor for Recorder {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {
        self.starts.fetch_add(1, Ordering::SeqCst);
    }
    fn on_end(&self, _span: SpanData) {
        self.ends.fetch_add(1, Ordering::SeqCst);
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.flushes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.shutdowns.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn set_resource(&mut self, _resource: &Resource) {
        self.resources.fetch_add(1, Ordering::SeqCst);
    }
}

fn span_data(flags: TraceFlags) -> SpanData {
    SpanData {
        span_context: SpanContext::new(
            TraceId::from_bytes([1; 16]),
            SpanId::from_bytes([2; 8]),
            flags,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: Cow::Borrowed("op"),
        start_time: SystemTime::now(),
        end_time: SystemTime::now(),
        attributes: vec![KeyValue::new("note", "ada@example.org")],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: Default::default(),
    }
}

#[test]
fn lifecycle_calls_are_forwarded_and_unsampled_spans_dropped() {
    let mut p = RedactingProcessor::new(
        Recorder::default(),
        Redactor::new(&RedactionConfig::default()).expect("config"),
    );
    p.set_resource(&Resource::builder_empty().build());
    p.on_end(span_data(TraceFlags::default()));
    p.on_end(span_data(TraceFlags::SAMPLED));
    p.force_flush().expect("flush");
    p.shutdown_with_timeout(Duration::from_secs(1))
        .expect("shutdown");
    let r = p.inner();
    assert_eq!(r.ends.load(Ordering::SeqCst), 1, "unsampled span dropped");
    assert_eq!(r.flushes.load(Ordering::SeqCst), 1);
    assert_eq!(r.shutdowns.load(Ordering::SeqCst), 1);
    assert_eq!(r.resources.load(Ordering::SeqCst), 1);
    let stats = p.stats();
    assert_eq!(
        (
            stats.spans_seen,
            stats.spans_unsampled,
            stats.spans_redacted
        ),
        (2, 1, 1)
    );

    let p = RedactingProcessor::new(
        Recorder::default(),
        Redactor::new(&RedactionConfig::default()).expect("config"),
    )
    .forward_unsampled(true);
    p.on_end(span_data(TraceFlags::default()));
    assert_eq!(p.inner().ends.load(Ordering::SeqCst), 1);

    // on_start reaches the inner processor through a real provider.
    let recorder = Recorder::default();
    let starts = Arc::clone(&recorder.starts);
    let p = RedactingProcessor::new(
        recorder,
        Redactor::new(&RedactionConfig::default()).expect("config"),
    );
    let provider = SdkTracerProvider::builder().with_span_processor(p).build();
    let tracer = provider.tracer("t");
    let mut span = tracer.start("x");
    opentelemetry::trace::Span::end(&mut span);
    assert_eq!(starts.load(Ordering::SeqCst), 1);
    provider.shutdown().expect("shutdown");
}

#[test]
fn numbers_holding_card_numbers_are_masked() {
    let redactor = Redactor::new(&RedactionConfig::default()).expect("config");
    let mut rng = Rng::new(77);
    let number = loop {
        let c = card(&mut rng);
        if c.len() == 16 && c.bytes().all(|b| b.is_ascii_digit()) {
            break c;
        }
    };
    let json = format!(r#"{{"card": {number}, "qty": 3, "ts": 1722947696123}}"#);
    let out = redactor.redact_str(&json);
    let parsed: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(parsed["card"], "[REDACTED:payment_card]");
    assert_eq!(parsed["qty"], 3);
    assert_eq!(parsed["ts"], 1722947696123_i64);

    let mut attrs = vec![
        KeyValue::new("payment.card", number.parse::<i64>().expect("fits i64")),
        KeyValue::new("start.ns", 1_722_947_696_123_456_789_i64),
    ];
    redactor.redact_attributes(&mut attrs);
    assert_eq!(attr_str(&attrs, "payment.card"), "[REDACTED:payment_card]");
    assert_eq!(
        attr(&attrs, "start.ns"),
        Some(&Value::I64(1_722_947_696_123_456_789))
    );
}

#[test]
fn secret_named_keys_are_masked_whole_with_the_right_label() {
    let redactor = Redactor::new(&RedactionConfig::default()).expect("config");
    let token = Rng::new(3).token(ALNUM, 40);
    let mut attrs = vec![
        KeyValue::new(
            "http.request.header.authorization",
            Value::Array(Array::String(vec![StringValue::from(format!(
                "Bearer {token}"
            ))])),
        ),
        KeyValue::new("db.password", "hunter2"),
        KeyValue::new("gen_ai.usage.input_tokens", 12_i64),
    ];
    redactor.redact_attributes(&mut attrs);
    match attr(&attrs, "http.request.header.authorization") {
        Some(Value::Array(Array::String(items))) => {
            assert_eq!(items[0].as_str(), "[REDACTED:bearer_token]")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(attr_str(&attrs, "db.password"), "[REDACTED:generic_secret]");
    assert_eq!(
        attr(&attrs, "gen_ai.usage.input_tokens"),
        Some(&Value::I64(12))
    );
}

#[test]
fn redactor_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Redactor>();
    assert_send_sync::<RedactingProcessor<SimpleSpanProcessor<InMemorySpanExporter>>>();
    let redactor = Arc::new(Redactor::new(&RedactionConfig::default()).expect("config"));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let r = Arc::clone(&redactor);
            std::thread::spawn(move || r.redact_str(&format!("user{i}@example.org")).into_owned())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), "[REDACTED:email]");
    }
}

#[test]
fn a_secret_straddling_the_cut_is_not_left_half_visible() {
    let redactor = RedactionConfig::builder()
        .max_value_bytes(1024)
        .build()
        .expect("config");
    let key = fake_openai_key(21);
    for offset in (1024 - 80..1024 + 8).step_by(3) {
        let text = format!("{}{key} tail", "x ".repeat(offset / 2));
        let mut attrs = vec![KeyValue::new("input.value", text)];
        redactor.redact_attributes(&mut attrs);
        let out = attr_str(&attrs, "input.value");
        assert!(out.len() <= 1024);
        assert!(!out.contains(&key[..12]), "offset {offset}: {out}");
    }
}
