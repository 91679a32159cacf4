//! TailSampler behaviour, asserted on the spans an `InMemorySpanExporter` receives.

mod tail_support;

use llmtrace_processor::sample::{
    probabilistic_keeps, PolicyConfig, SamplingConfigError, TailSampler, TailSamplingConfig,
};
use opentelemetry::trace::{
    Span, SpanContext, SpanId, Status, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer,
    TracerProvider,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
use opentelemetry_sdk::Resource;
use std::collections::BTreeSet;
#[allow(unused_imports)]
use std::collections::HashSet;
use std::time::{Duration, SystemTime};
use tail_support::{attr, policy_of, Harness, Recorder};

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn errors_only() -> TailSamplingConfig {
    TailSamplingConfig::default().with_policy(PolicyConfig::errors("errors"))
}

/// A root with `children` children ending in order, each lasting `child_ms`; the child at index
/// `error_at` (if any) fails; the root ends last, `root_ms` after it started. Returns the id.
fn trace(
    h: &Harness,
    children: usize,
    error_at: Option<usize>,
    child_ms: u64,
    root_ms: u64,
    root_attrs: Vec<KeyValue>,
) -> TraceId {
    let tracer = h.provider.tracer("test");
    let root = tracer
        .span_builder("invoke_agent planner")
        .with_start_time(t0())
        .with_attributes(root_attrs)
        .start(&tracer);
    let id = root.span_context().trace_id();
    let cx = Context::new().with_span(root);
    for i in 0..children {
        let start = t0() + Duration::from_millis(i as u64 * child_ms);
        let mut child = tracer
            .span_builder(format!("execute_tool step{i}"))
            .with_start_time(start)
            .start_with_context(&tracer, &cx);
        if error_at == Some(i) {
            child.set_status(Status::error("tool failed"));
        }
        child.end_with_timestamp(start + Duration::from_millis(child_ms));
    }
    cx.span()
        .end_with_timestamp(t0() + Duration::from_millis(root_ms));
    id
}

#[test]
fn error_trace_is_kept_whole() {
    let h = Harness::new(errors_only());
    // The error is in the last child: the three before it ended (and were buffered) earlier.
    let failed = trace(&h, 4, Some(3), 10, 100, vec![]);
    let fine = trace(&h, 4, None, 10, 100, vec![]);

    let spans = h.spans_of(failed);
    assert_eq!(spans.len(), 5, "root and all four children");
    let names: BTreeSet<_> = spans.iter().map(|s| s.name.to_string()).collect();
    assert!(names.contains("execute_tool step0"));
    assert!(names.contains("invoke_agent planner"));
    assert!(spans
        .iter()
        .all(|s| policy_of(s).as_deref() == Some("errors")));
    assert!(h.spans_of(fine).is_empty(), "healthy trace dropped");

    let st = h.stats.snapshot();
    assert_eq!((st.traces_kept, st.traces_dropped), (1, 1));
    assert_eq!((st.spans_kept, st.spans_dropped), (5, 5));
    assert_eq!(st.decided_on_root, 2);
    assert_eq!(st.buffered_traces, 0);
    assert_eq!(st.buffered_bytes, 0);
}

#[test]
fn slow_trace_is_kept() {
    // Without the probabilistic share, so only latency can keep a healthy trace.
    let h = Harness::new(
        TailSamplingConfig::default()
            .with_policy(PolicyConfig::errors("errors"))
            .with_policy(PolicyConfig::latency("slow", Duration::from_secs(5))),
    );
    let slow = trace(&h, 2, None, 100, 6_000, vec![]);
    let quick = trace(&h, 2, None, 100, 4_999, vec![]);
    let spans = h.spans_of(slow);
    assert_eq!(spans.len(), 3);
    assert!(spans
        .iter()
        .all(|s| policy_of(s).as_deref() == Some("slow")));
    assert!(h.spans_of(quick).is_empty());
}

#[test]
fn ten_percent_is_ten_percent_and_the_same_every_run() {
    let config =
        TailSamplingConfig::default().with_policy(PolicyConfig::probabilistic("sampled", 10.0));
    let run = || {
        let h = Harness::with_seed(config.clone(), 42);
        let mut all = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            all.push(trace(&h, 1, None, 1, 2, vec![]));
        }
        (h.trace_ids(), all, h.stats.snapshot())
    };
    let (kept, all, stats) = run();
    let (kept_again, all_again, _) = run();
    assert_eq!(all, all_again, "deterministic id generator");
    assert_eq!(kept, kept_again, "same trace ids kept on every run");
    let n = kept.len();
    println!("probabilistic 10%: kept {n} of 10000 traces");
    assert!((800..=1200).contains(&n), "10% ± 2% of 10000, got {n}");
    assert_eq!(stats.traces_kept as usize, n);
    // The decision is a pure function of the trace id (and salt), shared with other processes.
    for id in &all {
        assert_eq!(kept.contains(id), probabilistic_keeps(*id, 10.0, ""));
    }
    // Golden value: a change means deployments would keep different traces than before.
    assert_eq!(n, GOLDEN_KEPT_OF_10000);
}

/// Traces kept by `probabilistic: 10` among the 10 000 deterministic ids of seed 42, with the
/// collector's hash (FNV-1a, salt `default-hash-seed`); 1039 with llmtrace's earlier own hash.
const GOLDEN_KEPT_OF_10000: usize = 991;

#[test]
fn attribute_policies_keep_premium_big_and_expensive_traces() {
    let h = Harness::new(
        TailSamplingConfig::default()
            .with_policy(PolicyConfig::string_attribute(
                "premium",
                "user.tier",
                ["premium"],
            ))
            .with_policy(PolicyConfig::numeric_attribute(
                "big-prompt",
                "gen_ai.usage.input_tokens",
                Some(10_001.0),
                None,
            ))
            .with_policy(PolicyConfig::numeric_attribute(
                "expensive",
                "llmtrace.cost.usd",
                Some(0.5),
                None,
            )),
    );
    let premium = trace(
        &h,
        1,
        None,
        1,
        2,
        vec![KeyValue::new("user.tier", "premium")],
    );
    let free = trace(&h, 1, None, 1, 2, vec![KeyValue::new("user.tier", "free")]);
    let big = trace(
        &h,
        0,
        None,
        1,
        2,
        vec![KeyValue::new("gen_ai.usage.input_tokens", 20_000i64)],
    );
    let small = trace(
        &h,
        0,
        None,
        1,
        2,
        vec![KeyValue::new("gen_ai.usage.input_tokens", 10_000i64)],
    );
    let expensive = trace(
        &h,
        0,
        None,
        1,
        2,
        vec![KeyValue::new("llmtrace.cost.usd", 0.75)],
    );
    let cheap = trace(
        &h,
        0,
        None,
        1,
        2,
        vec![KeyValue::new("llmtrace.cost.usd", 0.01)],
    );

    assert_eq!(h.spans_of(premium).len(), 2);
    assert_eq!(
        policy_of(&h.spans_of(premium)[0]).as_deref(),
        Some("premium")
    );
    assert_eq!(
        policy_of(&h.spans_of(big)[0]).as_deref(),
        Some("big-prompt")
    );
    assert_eq!(
        policy_of(&h.spans_of(expensive)[0]).as_deref(),
        Some("expensive")
    );
    for dropped in [free, small, cheap] {
        assert!(h.spans_of(dropped).is_empty());
    }
}

#[test]
fn attribute_on_a_child_keeps_the_whole_trace() {
    let h = Harness::new(TailSamplingConfig::default().with_policy(
        PolicyConfig::string_attribute("gpt", "gen_ai.request.model", ["^gpt-4"]).regex(),
    ));
    let tracer = h.provider.tracer("test");
    let root = tracer.start("invoke_agent a");
    let id = root.span_context().trace_id();
    let cx = Context::new().with_span(root);
    let mut child = tracer
        .span_builder("chat gpt-4o")
        .with_attributes([KeyValue::new("gen_ai.request.model", "gpt-4o-mini")])
        .start_with_context(&tracer, &cx);
    child.end();
    cx.span().end();
    assert_eq!(h.spans_of(id).len(), 2);
}

#[test]
fn inverted_match_keeps_traces_without_the_value() {
    let h = Harness::new(TailSamplingConfig::default().with_policy(
        PolicyConfig::string_attribute("not-health", "http.route", ["/health"]).inverted(),
    ));
    let health = trace(
        &h,
        0,
        None,
        1,
        2,
        vec![KeyValue::new("http.route", "/health")],
    );
    let api = trace(
        &h,
        0,
        None,
        1,
        2,
        vec![KeyValue::new("http.route", "/chat")],
    );
    let none = trace(&h, 0, None, 1, 2, vec![]);
    assert!(h.spans_of(health).is_empty());
    assert_eq!(h.spans_of(api).len(), 1);
    assert_eq!(h.spans_of(none).len(), 1);
}

#[test]
fn resource_attributes_are_matched() {
    let exporter = InMemorySpanExporter::default();
    let sampler = TailSampler::new(
        SimpleSpanProcessor::new(exporter.clone()),
        TailSamplingConfig::default().with_policy(PolicyConfig::string_attribute(
            "canary",
            "deployment.environment",
            ["canary"],
        )),
    )
    .expect("valid");
    let provider = SdkTracerProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_attribute(KeyValue::new("deployment.environment", "canary"))
                .build(),
        )
        .with_span_processor(sampler)
        .build();
    provider.tracer("t").start("root").end();
    assert_eq!(exporter.get_finished_spans().expect("ok").len(), 1);
}

#[test]
fn late_spans_follow_the_decision() {
    let h = Harness::new(TailSamplingConfig::default().with_policy(
        PolicyConfig::string_attribute("premium", "user.tier", ["premium"]),
    ));
    let tracer = h.provider.tracer("test");
    let run = |tier: &'static str| {
        let root = tracer
            .span_builder("root")
            .with_attributes([KeyValue::new("user.tier", tier)])
            .start(&tracer);
        let id = root.span_context().trace_id();
        let cx = Context::new().with_span(root);
        let mut late = tracer.start_with_context("late child", &cx);
        // The root ends first: the trace is decided without the child.
        cx.span().end();
        // Even an error on the late span does not reopen a dropped trace.
        late.set_status(Status::error("after the fact"));
        late.end();
        id
    };
    let kept = run("premium");
    let dropped = run("free");
    let spans = h.spans_of(kept);
    assert_eq!(spans.len(), 2, "late child of a kept trace is forwarded");
    let late = spans
        .iter()
        .find(|s| s.name == "late child")
        .expect("late child exported");
    assert_eq!(policy_of(late).as_deref(), Some("premium"));
    assert!(
        h.spans_of(dropped).is_empty(),
        "late child of a dropped trace is dropped"
    );
    let st = h.stats.snapshot();
    assert_eq!(st.late_spans, 2);
    assert_eq!((st.traces_kept, st.traces_dropped), (1, 1));
}

#[test]
fn remote_parent_makes_a_local_root() {
    let h =
        Harness::new(TailSamplingConfig::default().with_policy(PolicyConfig::always_sample("all")));
    let tracer = h.provider.tracer("test");
    let remote = SpanContext::new(
        TraceId::from(7u128),
        SpanId::from_bytes([9; 8]),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let cx = Context::new().with_remote_span_context(remote);
    tracer.start_with_context("server span", &cx).end();
    let spans = h.spans_of(TraceId::from(7u128));
    assert_eq!(
        spans.len(),
        1,
        "decided when the remote-parented span ended"
    );
    assert_eq!(h.stats.snapshot().decided_on_root, 1);
}

#[test]
fn traces_without_an_ending_root_are_decided_after_decision_wait() {
    let h = Harness::new(errors_only().with_decision_wait(Duration::from_secs(30)));
    let tracer = h.provider.tracer("test");
    let root = tracer.start("root that never ends");
    let id = root.span_context().trace_id();
    let cx = Context::new().with_span(root);
    let mut child = tracer.start_with_context("failing child", &cx);
    child.set_status(Status::error("boom"));
    child.end();

    h.clock.advance(Duration::from_secs(10));
    tracer.start("unrelated").end(); // on_end checks timeouts
    assert!(
        h.spans_of(id).is_empty(),
        "not decided before decision_wait"
    );

    h.clock.advance(Duration::from_secs(21));
    tracer.start("unrelated").end();
    let spans = h.spans_of(id);
    assert_eq!(spans.len(), 1);
    assert_eq!(policy_of(&spans[0]).as_deref(), Some("errors"));
    assert_eq!(h.stats.snapshot().decided_on_timeout, 1);
    drop(cx);
}

#[test]
fn force_flush_decides_pending_traces() {
    let h = Harness::new(errors_only());
    let tracer = h.provider.tracer("test");
    let root = tracer.start("root");
    let id = root.span_context().trace_id();
    let cx = Context::new().with_span(root);
    let mut child = tracer.start_with_context("failing child", &cx);
    child.set_status(Status::error("boom"));
    child.end();
    assert!(h.spans_of(id).is_empty());
    h.provider.force_flush().expect("flush");
    assert_eq!(h.spans_of(id).len(), 1);
    assert_eq!(h.stats.snapshot().decided_on_flush, 1);

    drop(cx);
}

#[test]
fn shutdown_forwards_pending_traces_before_shutting_the_inner_down() {
    let recorder = Recorder::default();
    let sampler = TailSampler::new(recorder.clone(), errors_only()).expect("valid");
    let provider = SdkTracerProvider::builder()
        .with_span_processor(sampler)
        .build();
    let tracer = provider.tracer("test");
    let root = tracer.start("root");
    let cx = Context::new().with_span(root);
    for i in 0..3 {
        let mut c = tracer.start_with_context(format!("child {i}"), &cx);
        if i == 1 {
            c.set_status(Status::error("boom"));
        }
        c.end();
    }
    assert_eq!(recorder.len(), 0, "still waiting for the root");
    provider.shutdown().expect("shutdown");
    assert_eq!(
        *recorder.at_shutdown.lock().expect("ok"),
        Some(3),
        "forwarded before inner shutdown"
    );
    // After shutdown nothing is buffered any more.
    drop(cx);
    assert_eq!(recorder.len(), 3);
}

#[test]
fn span_count_rate_limiting_and_and_policies() {
    let h = Harness::new(
        TailSamplingConfig::default().with_policy(PolicyConfig::span_count("busy", 4, 0)),
    );
    let busy = trace(&h, 3, None, 1, 5, vec![]);
    let idle = trace(&h, 2, None, 1, 5, vec![]);
    assert_eq!(h.spans_of(busy).len(), 4);
    assert!(h.spans_of(idle).is_empty());

    let h = Harness::new(
        TailSamplingConfig::default().with_policy(PolicyConfig::rate_limiting("budget", 5)),
    );
    for _ in 0..10 {
        trace(&h, 0, None, 1, 2, vec![]);
    }
    assert_eq!(h.spans().len(), 5, "5 spans per second");
    h.clock.advance(Duration::from_secs(1));
    for _ in 0..10 {
        trace(&h, 0, None, 1, 2, vec![]);
    }
    assert_eq!(h.spans().len(), 10, "a new second, a new budget");

    let h = Harness::new(TailSamplingConfig::default().with_policy(PolicyConfig::and(
        "slow-premium",
        vec![
            PolicyConfig::string_attribute("premium", "user.tier", ["premium"]),
            PolicyConfig::latency("slow", Duration::from_secs(1)),
        ],
    )));
    let both = trace(
        &h,
        0,
        None,
        1,
        2_000,
        vec![KeyValue::new("user.tier", "premium")],
    );
    let fast = trace(
        &h,
        0,
        None,
        1,
        10,
        vec![KeyValue::new("user.tier", "premium")],
    );
    let free = trace(
        &h,
        0,
        None,
        1,
        2_000,
        vec![KeyValue::new("user.tier", "free")],
    );
    assert_eq!(
        policy_of(&h.spans_of(both)[0]).as_deref(),
        Some("slow-premium")
    );
    assert!(h.spans_of(fast).is_empty());
    assert!(h.spans_of(free).is_empty());
}

#[test]
fn unsampled_spans_are_ignored() {
    use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks, SpanProcessor};
    let exporter = InMemorySpanExporter::default();
    let sampler = TailSampler::new(
        SimpleSpanProcessor::new(exporter.clone()),
        TailSamplingConfig::default().with_policy(PolicyConfig::always_sample("all")),
    )
    .expect("valid");
    let span = SpanData {
        span_context: SpanContext::new(
            TraceId::from(1u128),
            SpanId::from_bytes([1; 8]),
            TraceFlags::default(), // not sampled
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: opentelemetry::trace::SpanKind::Internal,
        name: "record-only".into(),
        start_time: t0(),
        end_time: t0(),
        attributes: vec![],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: Default::default(),
    };
    sampler.on_end(span);
    assert!(exporter.get_finished_spans().expect("ok").is_empty());
    let st = sampler.stats();
    assert_eq!((st.unsampled_spans, st.buffered_traces), (1, 0));
}

#[test]
fn bad_policies_are_typed_errors() {
    let build = |yaml: &str| {
        TailSamplingConfig::from_yaml_str(yaml).and_then(|c| {
            TailSampler::new(SimpleSpanProcessor::new(InMemorySpanExporter::default()), c)
        })
    };
    let err = build(
        "policies: [{name: c, type: composite, composite: {max_total_spans_per_second: 10}}]",
    )
    .expect_err("composite unsupported");
    assert!(
        matches!(&err, SamplingConfigError::UnsupportedPolicyType { policy, policy_type } if policy == "c" && policy_type == "composite"),
        "{err}"
    );
    assert!(err.to_string().contains("composite"));

    let err = build(
        "policies: [{name: p, type: probabilistic, probabilistic: {sampling_percentage: 120}}]",
    )
    .expect_err("out of range");
    assert!(
        matches!(err, SamplingConfigError::InvalidPolicyValue { ref key, .. } if key == "probabilistic.sampling_percentage"),
        "{err}"
    );

    let err = build("policies: [{name: l, type: latency}]").expect_err("no section");
    assert!(
        matches!(err, SamplingConfigError::MissingSection { .. }),
        "{err}"
    );

    let err =
        build("policies: [{name: s, type: status_code, status_code: {status_codes: [FAILED]}}]")
            .expect_err("bad code");
    assert!(err.to_string().contains("FAILED"), "{err}");

    let err = build("policies: [{name: r, type: string_attribute, string_attribute: {key: k, values: ['(' ], enabled_regex_matching: true}}]")
        .expect_err("bad regex");
    assert!(
        matches!(err, SamplingConfigError::InvalidRegex { .. }),
        "{err}"
    );

    let err = build("policies: [{name: a, type: always_sample}, {name: a, type: always_sample}]")
        .expect_err("duplicate");
    assert!(
        matches!(err, SamplingConfigError::DuplicatePolicyName { .. }),
        "{err}"
    );

    let err =
        build("policies: [{name: x, type: always_sample, latncy: {}}]").expect_err("unknown key");
    assert!(matches!(err, SamplingConfigError::Yaml(_)), "{err}");

    let err = build("num_traces: 0\npolicies: [{name: a, type: always_sample}]").expect_err("zero");
    assert!(
        matches!(
            err,
            SamplingConfigError::InvalidLimit {
                key: "num_traces",
                ..
            }
        ),
        "{err}"
    );

    let err = build("policies: []").expect_err("none");
    assert!(matches!(err, SamplingConfigError::NoPolicies));
}

#[test]
fn collector_yaml_configures_the_sampler() {
    let config = TailSamplingConfig::from_yaml_str(
        r#"
decision_wait: 10s
num_traces: 100
expected_new_traces_per_sec: 10
decision_cache: {sampled_cache_size: 1000, non_sampled_cache_size: 1000}
policies:
  - name: errors
    type: status_code
    status_code: {status_codes: [ERROR]}
  - name: slow
    type: latency
    latency: {threshold_ms: 5000, upper_threshold_ms: 60000}
  - name: premium
    type: string_attribute
    string_attribute: {key: user.tier, values: [premium, enterprise]}
  - name: tokens
    type: numeric_attribute
    numeric_attribute: {key: gen_ai.usage.input_tokens, min_value: 10001}
  - name: sampled
    type: probabilistic
    probabilistic: {sampling_percentage: 0, hash_salt: layer-1}
"#,
    )
    .expect("collector YAML parses");
    assert_eq!(config.decision_wait, Duration::from_secs(10));
    let h = Harness::new(config);
    let ent = trace(
        &h,
        0,
        None,
        1,
        2,
        vec![KeyValue::new("user.tier", "enterprise")],
    );
    let too_slow = trace(&h, 0, None, 1, 61_000, vec![]);
    assert_eq!(policy_of(&h.spans_of(ent)[0]).as_deref(), Some("premium"));
    assert!(h.spans_of(too_slow).is_empty(), "above upper_threshold_ms");
    assert!(attr(&h.spans_of(ent)[0], "user.tier").is_some());
}

#[test]
fn head_and_tail_sampling_multiply() {
    use opentelemetry_sdk::trace::Sampler;
    use tail_support::SeqIds;
    // Head: parentbased_traceidratio 0.5 (what OTEL_TRACES_SAMPLER selects); tail: 50 % + errors.
    let exporter = InMemorySpanExporter::default();
    let sampler = TailSampler::new(
        SimpleSpanProcessor::new(exporter.clone()),
        TailSamplingConfig::default()
            .with_policy(PolicyConfig::errors("errors"))
            .with_policy(PolicyConfig::probabilistic("sampled", 50.0)),
    )
    .expect("valid");
    let stats = sampler.stats_handle();
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            0.5,
        ))))
        .with_id_generator(SeqIds::new(7))
        .with_span_processor(sampler)
        .build();
    let tracer = provider.tracer("test");
    for i in 0..4_000 {
        let mut span = tracer.start("root");
        if i % 2 == 0 {
            span.set_status(Status::error("boom"));
        }
        span.end();
    }
    let spans = exporter.get_finished_spans().expect("ok");
    let errors = spans
        .iter()
        .filter(|s| matches!(s.status, Status::Error { .. }))
        .count();
    let healthy = spans.len() - errors;
    println!("head 0.5 × tail: {errors} of 2000 error traces, {healthy} of 2000 healthy traces");
    // Errors: only the head-sampled half ever reaches the tail sampler.
    assert!((900..=1100).contains(&errors), "{errors}");
    // Healthy: 0.5 (head) × 0.5 (tail) = 25 %.
    assert!((400..=600).contains(&healthy), "{healthy}");
    let st = stats.snapshot();
    assert_eq!(st.traces_kept, (errors + healthy) as u64);
    // The tail sampler saw only the head-sampled half of the 4 000 traces.
    assert!((1_800..=2_200).contains(&(st.traces_kept + st.traces_dropped)));
}

/// The repository's `otel-collector.yaml` enforces the same tail-sampling policy as
/// `TailSamplingConfig::recommended()`, and its `tail_sampling` section parses here unchanged
/// (after resolving `${env:NAME:-default}` to the default, as the collector does).
#[test]
fn collector_config_matches_the_in_process_default() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../otel-collector.yaml");
    let text = std::fs::read_to_string(path).expect("otel-collector.yaml at the repository root");
    let env_default = regex::Regex::new(r"\$\{env:[A-Za-z0-9_]+:-([^}]*)\}").expect("regex");
    let resolved = env_default.replace_all(&text, "$1");
    let doc: serde_norway::Value = serde_norway::from_str(&resolved).expect("valid YAML");
    let section = &doc["processors"]["tail_sampling"];
    let yaml = serde_norway::to_string(section).expect("re-serializes");
    let collector = TailSamplingConfig::from_yaml_str(&yaml).expect("collector section parses");
    collector
        .validate()
        .expect("collector section is a valid in-process policy");
    let ours = TailSamplingConfig::recommended();
    assert_eq!(
        collector.policies, ours.policies,
        "same policies as recommended()"
    );
    assert_eq!(collector.num_traces, ours.num_traces);
    assert_eq!(collector.decision_wait, ours.decision_wait);
}

#[test]
fn decision_cache_holds_its_configured_size_even_for_sequential_ids() {
    // Sequential ids (like zero-padded 64-bit ids from older tracers) must spread over the
    // shards, or the per-shard caches would hold a fraction of the configured size.
    let h = Harness::new(
        TailSamplingConfig::default()
            .with_decision_cache(1_000, 1_000)
            .with_policy(PolicyConfig::probabilistic("half", 50.0)),
    );
    let tracer = h.provider.tracer("test");
    let ids: Vec<TraceId> = (1..=5_000u128).map(TraceId::from).collect();
    for id in &ids {
        let remote = SpanContext::new(
            *id,
            SpanId::from_bytes([3; 8]),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        // A remote parent makes this span a local root: decided when it ends.
        let cx = Context::new().with_remote_span_context(remote);
        tracer.start_with_context("server", &cx).end();
    }
    let kept_before = h.spans().len();
    // Late spans of the last 1 000 traces (about 500 kept, 500 dropped) follow the decisions.
    for id in &ids[4_000..] {
        let remote = SpanContext::new(
            *id,
            SpanId::from_bytes([3; 8]),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let cx = Context::new().with_remote_span_context(remote);
        let server = tracer.start_with_context("late server span", &cx);
        let cx = Context::new().with_span(server);
        tracer.start_with_context("late child", &cx).end();
        drop(cx); // the late server span ends too
    }
    let st = h.stats.snapshot();
    assert!(
        st.late_spans >= 1_900,
        "late spans following a cached decision: {}",
        st.late_spans
    );
    let kept_late = h.spans().len() - kept_before;
    let kept_of_last: usize = ids[4_000..]
        .iter()
        .filter(|id| probabilistic_keeps(**id, 50.0, ""))
        .count();
    assert!(kept_late >= 2 * kept_of_last * 95 / 100 && kept_late <= 2 * kept_of_last);
}
