//! Parity of llmtrace's in-process pipeline with the real OpenTelemetry Collector on the same
//! YAML: one generated span set (agent, LLM and tool spans; secrets and PII in values and under
//! secret-named keys; errors; slow traces; attributes for the string and numeric policies) goes
//!
//! - (a) app → llmtrace with `LLMTRACE_CONFIG=<the YAML>` (its pipeline's processors and its
//!   `otlp_grpc/capture` exporter in-process) → capture receiver A, and
//! - (b) app with llmtrace's processors off → the collector built from
//!   `collector/builder-config.yaml` running the same YAML → capture receiver B,
//!
//! and the two captures must show the same outcome: the same traces kept, the same span
//! attribute keys, the same values masked at the same places, the same `redaction.*` summary
//! counts, the same attribute and resource actions.
//!
//! Differences by design, stated here and removed by the environment of side (a):
//! - masks: llmtrace writes `[REDACTED:blocked_value]` / `[REDACTED:key]` where the collector
//!   writes `****`, and `hmac-sha256:<32 hex>` where it writes 64 hex digits; the comparison
//!   reads every mask as `****` and every hash as `<hash>` (equal inputs still hash equal on
//!   each side, which the hash case checks);
//! - extra detectors and JSON scrubbing: llmtrace also finds secrets no `blocked_values` entry
//!   lists; `LLMTRACE_REDACTION_DISABLED_DETECTORS=<all>` and `LLMTRACE_REDACTION_SCRUB_JSON=false`
//!   switch it to the collector's behaviour (a collector YAML cannot carry llmtrace-only keys:
//!   the collector rejects them);
//! - `llmtrace.sampling.policy`: llmtrace names the policy that kept a trace; ignored;
//! - the resource: the collector's `redaction` also redacts resource attributes, llmtrace's
//!   leaves the process's resource alone; the resources are compared (`resource` actions
//!   included) except in the `allow_all_keys: false` case, where the test asserts they differ.
//!
//! Runs with the other real-backend tests (`LLMTRACE_BACKENDS=1`, after
//! `bash .ci/install-backends.sh`); without it each test says why and passes. Servers listen on
//! 127.0.0.1 only.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use common::{collector_bin, enabled, free_port, fresh_dir, repo_root, Collector};

use llmtrace::processor::redact::Detector;
use llmtrace_test_support::grpc_receiver::GrpcReceiver;
use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId,
    TraceState, Tracer, TracerProvider as _,
};
use opentelemetry::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as ProtoValue;
use opentelemetry_proto::tonic::trace::v1::Span as ProtoSpan;

// ------------------------------------------------------------------------------------------
// The span set
// ------------------------------------------------------------------------------------------

/// Traces generated per run.
const TRACES: u8 = 40;

fn trace_id(i: u8) -> TraceId {
    let mut bytes = [0u8; 16];
    bytes[0] = 0x5a;
    bytes[7] = i.wrapping_mul(73);
    bytes[15] = i;
    // Spread the ids over the hash space the probabilistic policy reads.
    for (k, b) in bytes.iter_mut().enumerate().skip(1).take(6) {
        *b = i.wrapping_mul(31).wrapping_add(k as u8 * 17);
    }
    TraceId::from_bytes(bytes)
}

const FAKE_EMAIL: &str = "ada.lovelace@example.org";
const FAKE_KEY: &str = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123";

/// The same spans on whichever pipeline `guard` built: per trace an agent root (a child of a
/// remote parent carrying the fixed trace id), an LLM span and a tool span.
fn generate(guard: &llmtrace::Guard) {
    let provider = guard.tracer_provider().expect("tracing is on");
    let tracer = provider.tracer("collector-parity");
    let base = SystemTime::now() - Duration::from_secs(30);
    for i in 0..TRACES {
        let parent = SpanContext::new(
            trace_id(i),
            SpanId::from_bytes([0x11, 0, 0, 0, 0, 0, 0, 1]),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let cx = opentelemetry::Context::new().with_remote_span_context(parent);
        let start = base + Duration::from_millis(u64::from(i) * 10);
        let slow = i % 6 == 1;
        let end = start + Duration::from_millis(if slow { 2500 } else { 120 });
        let root = tracer
            .span_builder("invoke_agent support-bot")
            .with_kind(SpanKind::Internal)
            .with_start_time(start)
            .with_attributes(root_attributes(i))
            .start_with_context(&tracer, &cx);
        let cx = cx.with_span(root);
        let mut chat = tracer
            .span_builder("chat gpt-4o")
            .with_kind(SpanKind::Client)
            .with_start_time(start + Duration::from_millis(5))
            .with_attributes(chat_attributes(i))
            .start_with_context(&tracer, &cx);
        chat.end_with_timestamp(start + Duration::from_millis(60));
        let mut tool = tracer
            .span_builder("execute_tool lookup_order")
            .with_start_time(start + Duration::from_millis(65))
            .with_attributes(tool_attributes(i))
            .start_with_context(&tracer, &cx);
        if i % 7 == 3 {
            tool.set_status(Status::error("order service unavailable"));
        }
        tool.end_with_timestamp(start + Duration::from_millis(100));
        cx.span().end_with_timestamp(end);
    }
}

fn root_attributes(i: u8) -> Vec<KeyValue> {
    vec![
        KeyValue::new("gen_ai.operation.name", "invoke_agent"),
        KeyValue::new("gen_ai.agent.name", "support-bot"),
        KeyValue::new(
            "user.tier",
            if i.is_multiple_of(5) {
                "premium"
            } else {
                "free"
            },
        ),
        KeyValue::new("session.id", format!("session-{}", i % 4)),
        KeyValue::new("user.email", format!("user{}@example.org", i % 3)),
        KeyValue::new("tmp.debug", "scratch"),
    ]
}

fn chat_attributes(i: u8) -> Vec<KeyValue> {
    let input = match i % 4 {
        0 => format!("mail {FAKE_EMAIL} about order {i}"),
        1 => format!("my key is {FAKE_KEY}"),
        2 => "card 4111 1111 1111 1111, ssn 123-45-6789".to_owned(),
        _ => format!("plain question number {i}"),
    };
    vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.request.model", "gpt-4o"),
        KeyValue::new("gen_ai.provider.name", "openai"),
        KeyValue::new("gen_ai.usage.input_tokens", i64::from(i) * 53 % 2000),
        KeyValue::new("gen_ai.usage.output_tokens", 40_i64),
        KeyValue::new("input.value", input),
        KeyValue::new("api_key", "not-a-real-secret-but-a-secret-key"),
        KeyValue::new(
            "http.request.header.authorization",
            "Bearer abcdefgh12345678",
        ),
    ]
}

fn tool_attributes(i: u8) -> Vec<KeyValue> {
    vec![
        KeyValue::new("gen_ai.operation.name", "execute_tool"),
        KeyValue::new("gen_ai.tool.name", "lookup_order"),
        KeyValue::new("tool.latency_ms", i64::from(i) * 25),
        KeyValue::new(
            "output.value",
            if i.is_multiple_of(2) {
                format!("order {i} shipped to {FAKE_EMAIL}")
            } else {
                format!("order {i} pending")
            },
        ),
    ]
}

// ------------------------------------------------------------------------------------------
// Outcomes
// ------------------------------------------------------------------------------------------

/// Per span (`<trace index>/<span name>`), its attributes with masks and hashes normalised.
type Outcome = BTreeMap<String, BTreeMap<String, String>>;

/// The spans' outcome plus, under `resource`, the attributes of every resource that arrived
/// (each must be the same).
fn outcome_of(receiver: &GrpcReceiver, spans: &[ProtoSpan]) -> Outcome {
    let mut out = outcome(spans);
    let mut resources: Vec<BTreeMap<String, String>> = receiver
        .resources()
        .iter()
        .map(|r| attributes(&r.attributes))
        .collect();
    resources.dedup();
    assert!(resources.len() <= 1, "different resources: {resources:?}");
    if let Some(resource) = resources.pop() {
        out.insert("resource".to_owned(), resource);
    }
    out
}

/// Attributes with masks and hashes normalised; llmtrace's sampling marks left out.
fn attributes(
    kvs: &[opentelemetry_proto::tonic::common::v1::KeyValue],
) -> BTreeMap<String, String> {
    kvs.iter()
        .filter(|kv| !kv.key.starts_with("llmtrace.sampling."))
        .map(|kv| {
            let value = kv.value.as_ref().and_then(|v| v.value.as_ref());
            (kv.key.clone(), normalise(&shown(value)))
        })
        .collect()
}

fn outcome(spans: &[ProtoSpan]) -> Outcome {
    let index: BTreeMap<Vec<u8>, u8> = (0..TRACES)
        .map(|i| (trace_id(i).to_bytes().to_vec(), i))
        .collect();
    let mut out = Outcome::new();
    for span in spans {
        let trace = index
            .get(&span.trace_id)
            .map_or_else(|| "foreign".to_owned(), |i| format!("{i:02}"));
        let previous = out.insert(
            format!("{trace}/{}", span.name),
            attributes(&span.attributes),
        );
        assert!(previous.is_none(), "span {trace}/{} twice", span.name);
    }
    out
}

fn shown(value: Option<&ProtoValue>) -> String {
    match value {
        Some(ProtoValue::StringValue(s)) => s.clone(),
        Some(ProtoValue::IntValue(i)) => format!("int {i}"),
        Some(ProtoValue::DoubleValue(d)) => format!("double {d}"),
        Some(ProtoValue::BoolValue(b)) => format!("bool {b}"),
        other => format!("{other:?}"),
    }
}

/// Masks as `****`, hashes as `<hash>`.
fn normalise(value: &str) -> String {
    let masks = regex::Regex::new(r"\[REDACTED:[a-z_]+\]").expect("regex");
    let hashes = regex::Regex::new(r"hmac-sha256:[0-9a-f]{32}|\b[0-9a-f]{64}\b").expect("regex");
    let value = masks.replace_all(value, "****");
    hashes.replace_all(&value, "<hash>").into_owned()
}

/// Waits until `receiver` has held the same non-zero number of spans for `quiet`.
fn settled(receiver: &GrpcReceiver, quiet: Duration, limit: Duration) -> Vec<ProtoSpan> {
    let started = Instant::now();
    let (mut count, mut since) = (0, Instant::now());
    loop {
        let now = receiver.spans().len();
        if now != count {
            (count, since) = (now, Instant::now());
        }
        if (count > 0 && since.elapsed() >= quiet) || started.elapsed() > limit {
            return receiver.spans();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Side (a): llmtrace with the YAML as `LLMTRACE_CONFIG`, exporting with the YAML's exporter.
fn in_process(config: &Path, vars: &[(String, String)]) -> Outcome {
    let receiver = GrpcReceiver::start(64 << 20);
    let all_detectors: Vec<String> = Detector::ALL.iter().map(ToString::to_string).collect();
    let mut env: Vec<(String, String)> = vars.to_vec();
    env.extend([
        ("LLMTRACE_CONFIG".into(), config.display().to_string()),
        ("PARITY_EXPORTER".into(), receiver.addr.to_string()),
        ("PARITY_RECEIVER".into(), "127.0.0.1:9".into()),
        // The same two, as the repository's file names them.
        (
            "JAEGER_OTLP_GRPC_ENDPOINT".into(),
            receiver.addr.to_string(),
        ),
        ("OTELCOL_OTLP_GRPC_ENDPOINT".into(), "127.0.0.1:9".into()),
        (
            "LLMTRACE_REDACTION_DISABLED_DETECTORS".into(),
            all_detectors.join(","),
        ),
        ("LLMTRACE_REDACTION_SCRUB_JSON".into(), "false".into()),
        ("LLMTRACE_REDACTION_MAX_VALUE_BYTES".into(), "0".into()),
    ]);
    let guard = llmtrace::builder()
        .with_env(env)
        .install_global(false)
        .console(false)
        .openinference(false)
        // The spans carry content on purpose (values to redact): keep it on both sides.
        .capture_content(true)
        .build()
        .expect("llmtrace accepts the collector YAML");
    generate(&guard);
    guard.shutdown();
    let spans = settled(
        &receiver,
        Duration::from_millis(300),
        Duration::from_secs(10),
    );
    outcome_of(&receiver, &spans)
}

/// Side (b): llmtrace with no processors → the collector with the YAML.
fn via_collector(
    name: &str,
    config: &Path,
    overlays: &[&str],
    vars: &[(String, String)],
) -> (Outcome, String) {
    let receiver = GrpcReceiver::start(64 << 20);
    let port = free_port();
    let mut env: Vec<(String, String)> = vars.to_vec();
    env.extend([
        ("PARITY_EXPORTER".into(), receiver.addr.to_string()),
        ("PARITY_RECEIVER".into(), format!("127.0.0.1:{port}")),
        (
            "JAEGER_OTLP_GRPC_ENDPOINT".into(),
            receiver.addr.to_string(),
        ),
        (
            "OTELCOL_OTLP_GRPC_ENDPOINT".into(),
            format!("127.0.0.1:{port}"),
        ),
    ]);
    let dir = fresh_dir(&format!("parity-{name}"));
    let collector = Collector::start(config, overlays, &env, &dir, port);
    let guard = llmtrace::builder()
        .with_env([
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT".to_owned(),
                format!("http://127.0.0.1:{port}"),
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL".to_owned(), "grpc".to_owned()),
            ("LLMTRACE_REDACTION".to_owned(), "false".to_owned()),
        ])
        .install_global(false)
        .console(false)
        .openinference(false)
        // The spans carry content on purpose (values to redact): keep it on both sides.
        .capture_content(true)
        .build()
        .expect("llmtrace without processors");
    generate(&guard);
    guard.shutdown();
    // The collector decides a trace decision_wait (2 s) after its first span.
    let spans = settled(&receiver, Duration::from_secs(3), Duration::from_secs(30));
    let log = collector.log_text();
    drop(collector);
    let _ = fs::remove_dir_all(&dir);
    (outcome_of(&receiver, &spans), log)
}

/// Runs both sides on `yaml` and asserts equal outcomes (spans and resource); returns the
/// outcome.
fn assert_parity(name: &str, yaml: &str, vars: &[(&str, &str)]) -> Outcome {
    assert_parity_with(name, yaml, &[], vars, Resource::Same)
}

/// Whether the resources must be equal too.
#[derive(Clone, Copy, PartialEq)]
enum Resource {
    Same,
    /// The collector's `redaction` also redacts the resource; llmtrace leaves the process's
    /// resource alone (by design). Only the spans are compared.
    RedactedByTheCollectorOnly,
}

/// [`assert_parity`], the collector also given the `--config` `overlays` (e.g.
/// `yaml:exporters::…`): settings of the collector's own sending that llmtrace does not apply.
fn assert_parity_with(
    name: &str,
    yaml: &str,
    overlays: &[&str],
    vars: &[(&str, &str)],
    resource: Resource,
) -> Outcome {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let dir = fresh_dir(&format!("parity-{name}-yaml"));
    let config = dir.join("config.yaml");
    fs::write(&config, yaml).expect("write the YAML");
    let validate = Command::new(collector_bin())
        .args(["validate", "--config"])
        .arg(&config)
        .env_clear()
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("collector validate runs");
    assert!(
        validate.status.success(),
        "{name}: the collector rejects the YAML: {}",
        String::from_utf8_lossy(&validate.stderr)
    );
    let mut ours = in_process(&config, &vars);
    let (mut theirs, log) = via_collector(name, &config, overlays, &vars);
    let _ = fs::remove_dir_all(&dir);
    assert!(
        theirs.contains_key("resource"),
        "{name}: the collector forwarded nothing:\n{log}"
    );
    if resource == Resource::RedactedByTheCollectorOnly {
        let (kept, redacted) = (ours.remove("resource"), theirs.remove("resource"));
        assert_ne!(kept, redacted, "{name}: the collector redacts the resource");
    }
    let only_ours: Vec<&String> = ours.keys().filter(|k| !theirs.contains_key(*k)).collect();
    let only_theirs: Vec<&String> = theirs.keys().filter(|k| !ours.contains_key(*k)).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "{name}: different spans kept — only in-process: {only_ours:?}; only via the \
         collector: {only_theirs:?}"
    );
    for (span, attributes) in &ours {
        assert_eq!(
            attributes, &theirs[span],
            "{name}: span {span} differs (left in-process, right collector)"
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "{name}: {} spans of {} traces, equal in-process and via the collector",
        ours.keys().filter(|k| k.contains('/')).count(),
        kept_traces(&ours).len()
    );
    ours
}

fn kept_traces(outcome: &Outcome) -> Vec<String> {
    let mut traces: Vec<String> = outcome
        .keys()
        .filter_map(|k| k.split_once('/').map(|(trace, _)| trace.to_owned()))
        .collect();
    traces.dedup();
    traces
}

// ------------------------------------------------------------------------------------------
// The YAMLs
// ------------------------------------------------------------------------------------------

/// A collector configuration with `processors` (YAML, indented two spaces) run in the order
/// `pipeline`.
fn yaml(processors: &str, pipeline: &str) -> String {
    format!(
        "receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${{env:PARITY_RECEIVER:-127.0.0.1:4317}}
processors:
{processors}
exporters:
  otlp_grpc/capture:
    endpoint: ${{env:PARITY_EXPORTER:-127.0.0.1:4317}}
    compression: none
    tls:
      insecure: true
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [{pipeline}]
      exporters: [otlp_grpc/capture]
"
    )
}

/// Tail sampling deciding 2 s after a trace's first span (no local roots reach the collector:
/// the generated roots have a remote parent).
fn tail(policies: &str) -> String {
    format!(
        "  tail_sampling:
    decision_wait: 2s
    policies:
{policies}"
    )
}

#[test]
fn the_repositorys_otel_collector_yaml_gives_equal_outcomes() {
    if !enabled("the_repositorys_otel_collector_yaml_gives_equal_outcomes") {
        return;
    }
    // The file as users run it; only its ${env:…} knobs are set, the same on both sides.
    let text = fs::read_to_string(repo_root().join("otel-collector.yaml")).expect("read it");
    // The capture receiver takes no gzip; llmtrace does not compress either.
    let outcome = assert_parity_with(
        "repository",
        &text,
        &["yaml:exporters::otlp_grpc/jaeger::compression: none"],
        &[
            ("OTELCOL_OTLP_HTTP_ENDPOINT", "127.0.0.1:0"),
            ("OTELCOL_TRACES_EXPORTERS", "[otlp_grpc/jaeger]"),
            ("OTELCOL_TAIL_DECISION_WAIT", "2s"),
            ("OTELCOL_TAIL_SAMPLING_PERCENTAGE", "25"),
            ("OTELCOL_TAIL_LATENCY_THRESHOLD_MS", "2000"),
            ("OTELCOL_BATCH_TIMEOUT", "200ms"),
        ],
        Resource::Same,
    );
    let chat = &outcome["01/chat gpt-4o"];
    assert_eq!(chat["input.value"], "my key is ****", "blocked_values");
    assert_eq!(chat["api_key"], "****", "blocked_key_patterns");
    assert!(
        kept_traces(&outcome).contains(&"03".to_owned()),
        "error trace kept"
    );
}

#[test]
fn allow_all_keys_false_keeps_only_the_allowed_keys() {
    if !enabled("allow_all_keys_false_keeps_only_the_allowed_keys") {
        return;
    }
    let processors = r#"  redaction:
    allowed_keys: [gen_ai.operation.name, gen_ai.request.model, input.value, output.value, user.tier]
    blocked_values: ["[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"]
    summary: debug"#;
    let outcome = assert_parity_with(
        "allowed-keys",
        &yaml(processors, "redaction"),
        &[],
        &[],
        Resource::RedactedByTheCollectorOnly,
    );
    let chat = &outcome["00/chat gpt-4o"];
    assert!(!chat.contains_key("api_key"), "not allowed: removed");
    assert!(
        !chat.contains_key("gen_ai.usage.input_tokens"),
        "the collector's default"
    );
    assert_eq!(chat["input.value"], "mail **** about order 0");
    assert!(
        chat.contains_key("redaction.redacted.keys"),
        "summary: debug"
    );
}

#[test]
fn blocked_key_patterns_ignored_keys_and_allowed_values_match() {
    if !enabled("blocked_key_patterns_ignored_keys_and_allowed_values_match") {
        return;
    }
    let processors = r#"  redaction:
    allow_all_keys: true
    blocked_key_patterns: ["(?i).*(authorization|api[_.-]?key|email).*"]
    ignored_keys: [session.id]
    allowed_values: ["^order [0-9]+ pending$"]
    blocked_values: ["\\border [0-9]+\\b", "\\bsk-[A-Za-z0-9_-]{20,}"]
    summary: info"#;
    let outcome = assert_parity("blocked-keys", &yaml(processors, "redaction"), &[]);
    let root = &outcome["00/invoke_agent support-bot"];
    assert_eq!(root["user.email"], "****");
    assert_eq!(
        root["session.id"], "session-0",
        "ignored keys pass untouched"
    );
    assert_eq!(
        outcome["01/execute_tool lookup_order"]["output.value"], "order 1 pending",
        "allowed_values exempt the value"
    );
}

#[test]
fn hash_function_hmac_sha256_hashes_equal_values_equally() {
    if !enabled("hash_function_hmac_sha256_hashes_equal_values_equally") {
        return;
    }
    let processors = r#"  redaction:
    allow_all_keys: true
    hash_function: hmac-sha256
    hmac_key: parity-test-key-of-at-least-32-bytes
    blocked_key_patterns: ["^user\\.email$"]
    blocked_values: ["[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"]
    summary: info"#;
    let outcome = assert_parity("hash", &yaml(processors, "redaction"), &[]);
    assert_eq!(
        outcome["00/invoke_agent support-bot"]["user.email"],
        "<hash>"
    );
    assert_eq!(
        outcome["00/chat gpt-4o"]["input.value"],
        "mail <hash> about order 0"
    );
}

#[test]
fn tail_policies_status_code_and_latency_keep_the_same_traces() {
    if !enabled("tail_policies_status_code_and_latency_keep_the_same_traces") {
        return;
    }
    let policies = "      - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
      - {name: slow, type: latency, latency: {threshold_ms: 2000}}";
    let outcome = assert_parity(
        "status-latency",
        &yaml(&tail(policies), "tail_sampling"),
        &[],
    );
    let kept = kept_traces(&outcome);
    // Errors: i % 7 == 3; slow: i % 6 == 1.
    let expected: Vec<String> = (0..TRACES)
        .filter(|i| i % 7 == 3 || i % 6 == 1)
        .map(|i| format!("{i:02}"))
        .collect();
    assert_eq!(kept, expected);
}

#[test]
fn tail_policies_string_and_numeric_attribute_keep_the_same_traces() {
    if !enabled("tail_policies_string_and_numeric_attribute_keep_the_same_traces") {
        return;
    }
    let policies = "      - {name: premium, type: string_attribute, string_attribute: {key: user.tier, values: [premium]}}
      - {name: big, type: numeric_attribute, numeric_attribute: {key: gen_ai.usage.input_tokens, min_value: 1500, max_value: 1900}}";
    let outcome = assert_parity(
        "attributes-policies",
        &yaml(&tail(policies), "tail_sampling"),
        &[],
    );
    let expected: Vec<String> = (0..TRACES)
        .filter(|i| i.is_multiple_of(5) || (1500..=1900).contains(&(u32::from(*i) * 53 % 2000)))
        .map(|i| format!("{i:02}"))
        .collect();
    assert_eq!(kept_traces(&outcome), expected);
}

#[test]
fn tail_policy_probabilistic_with_one_salt_decides_the_same_trace_ids() {
    if !enabled("tail_policy_probabilistic_with_one_salt_decides_the_same_trace_ids") {
        return;
    }
    let policies = "      - {name: sampled, type: probabilistic, probabilistic: {hash_salt: parity-salt, sampling_percentage: 40}}";
    let outcome = assert_parity(
        "probabilistic",
        &yaml(&tail(policies), "tail_sampling"),
        &[],
    );
    let kept = kept_traces(&outcome).len();
    assert!((4..=30).contains(&kept), "about 40 % of 40 traces: {kept}");
}

#[test]
fn tail_policy_and_needs_every_sub_policy() {
    if !enabled("tail_policy_and_needs_every_sub_policy") {
        return;
    }
    let policies = "      - name: premium-and-big
        type: and
        and:
          and_sub_policy:
            - {name: premium, type: string_attribute, string_attribute: {key: user.tier, values: [premium]}}
            - {name: big, type: numeric_attribute, numeric_attribute: {key: gen_ai.usage.input_tokens, min_value: 500}}";
    let outcome = assert_parity("and", &yaml(&tail(policies), "tail_sampling"), &[]);
    let expected: Vec<String> = (0..TRACES)
        .filter(|i| i.is_multiple_of(5) && u32::from(*i) * 53 % 2000 >= 500)
        .map(|i| format!("{i:02}"))
        .collect();
    assert_eq!(kept_traces(&outcome), expected);
}

#[test]
fn attribute_actions_then_redaction_run_in_the_pipelines_order() {
    if !enabled("attribute_actions_then_redaction_run_in_the_pipelines_order") {
        return;
    }
    let processors = r#"  resource:
    attributes:
      - {key: deployment.region, value: eu-west, action: upsert}
      - {key: telemetry.sdk.version, action: delete}
      - {key: service.name, action: hash}
  attributes/actions:
    actions:
      - {key: deployment.environment, value: parity, action: insert}
      - {key: user.tier, value: gold, action: update}
      - {key: gen_ai.provider.name, value: azure, action: upsert}
      - {key: contact, from_attribute: user.email, action: insert}
      - {pattern: "^tmp\\.", action: delete}
      - {key: session.id, action: hash}
  redaction:
    allow_all_keys: true
    blocked_values: ["[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"]
    summary: info"#;
    let outcome = assert_parity(
        "actions",
        &yaml(processors, "resource, attributes/actions, redaction"),
        &[],
    );
    let root = &outcome["00/invoke_agent support-bot"];
    assert_eq!(root["deployment.environment"], "parity");
    assert_eq!(root["user.tier"], "gold");
    assert_eq!(root["contact"], "****", "copied, then masked by redaction");
    assert_eq!(root["session.id"], "<hash>");
    assert!(!root.contains_key("tmp.debug"));
    assert_eq!(outcome["00/chat gpt-4o"]["gen_ai.provider.name"], "azure");
    let resource = &outcome["resource"];
    assert_eq!(resource["deployment.region"], "eu-west");
    assert_eq!(resource["service.name"], "<hash>");
    assert!(!resource.contains_key("telemetry.sdk.version"));
}
