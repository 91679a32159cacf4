//! LLM semantics beyond the span tree: cost per span and per trace, retries and fallbacks, agent
//! loops, metrics, evaluations, prompt templates and experiments — asserted on exported spans and
//! metrics.

use std::time::Duration;

use llmtrace::semconv::{attribute as sc, llmtrace as ours, openinference as oi};
use llmtrace::{AgentLoop, AgentLoopError, Evaluation, LlmContext, LlmSpanExt, Retry, Usage};
use llmtrace_test_support::*;
use opentelemetry::trace::Status;
use opentelemetry::Value;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::SpanData;

fn float(span: &SpanData, key: &str) -> Option<f64> {
    match attr(span, key) {
        Some(Value::F64(v)) => Some(*v),
        _ => None,
    }
}

fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no cost"));
    assert!(
        (actual - expected).abs() < 1e-12,
        "{what}: {actual} != {expected}"
    );
}

fn llm_call(model: &str, usage: Usage, response_model: Option<&str>) {
    let span = llmtrace::chat(model).start();
    span.record_usage(usage);
    if let Some(m) = response_model {
        span.record_response(&llmtrace::Response::new().model(m));
    }
    span.in_scope(|| {});
}

#[test]
fn cost_matches_hand_computed_values_for_several_models() {
    let spans = run(false, || {
        llmtrace::agent("costs").start().in_scope(|| {
            // 1000 × $2.50/M + 500 × $10/M
            llm_call("gpt-4o", Usage::new(1000, 500), None);
            // dated version resolves: 2000 × $0.15/M + 1000 × $0.60/M
            llm_call(
                "gpt-4o-mini",
                Usage::new(2000, 1000),
                Some("gpt-4o-mini-2024-07-18"),
            );
            // cached input: 1000 uncached × $3 + 8000 read × $0.30 + 1000 written × $3.75,
            // 300 out × $15
            llm_call(
                "claude-sonnet-4-20250514",
                Usage::new(10_000, 300)
                    .cache_read(8000)
                    .cache_creation(1000),
                None,
            );
            // reasoning tokens are output tokens at the output price: 100 × $1.10 + 600 × $4.40
            llm_call("o3-mini", Usage::new(100, 600).reasoning(400), None);
            // cached OpenAI input: 4000 uncached × $2.00 + 6000 cached × $0.50 + 100 × $8.00
            llm_call("gpt-4.1", Usage::new(10_000, 100).cache_read(6000), None);
            let embed = llmtrace::embeddings("text-embedding-3-small").start();
            embed.record_usage(Usage::new(5000, 0)); // 5000 × $0.02/M
            drop(embed);
            llm_call("my-private-finetune", Usage::new(10, 10), None);
        });
    });
    let by_model = |model: &str| {
        spans
            .iter()
            .find(|s| attr_str(s, sc::GEN_AI_REQUEST_MODEL).as_deref() == Some(model))
            .unwrap_or_else(|| panic!("span for {model}"))
    };
    let expected = [
        ("gpt-4o", 0.0025 + 0.005),
        ("gpt-4o-mini", 0.0003 + 0.0006),
        (
            "claude-sonnet-4-20250514",
            0.003 + 0.0024 + 0.00375 + 0.0045,
        ),
        ("o3-mini", 0.00011 + 0.00264),
        ("gpt-4.1", 0.008 + 0.003 + 0.0008),
        ("text-embedding-3-small", 0.0001),
    ];
    for (model, cost) in expected {
        assert_close(float(by_model(model), ours::COST_USD), cost, model);
    }
    let claude = by_model("claude-sonnet-4-20250514");
    assert_close(
        float(claude, ours::COST_INPUT_USD),
        0.00915,
        "claude input part",
    );
    assert_close(
        float(claude, ours::COST_OUTPUT_USD),
        0.0045,
        "claude output part",
    );

    let unknown = by_model("my-private-finetune");
    assert_eq!(attr(unknown, ours::COST_UNKNOWN), Some(&Value::Bool(true)));
    assert_eq!(attr(unknown, ours::COST_USD), None, "never a silent $0");

    let root = find_span(&spans, "invoke_agent costs");
    let total: f64 = expected.iter().map(|(_, c)| c).sum();
    assert_close(float(root, ours::COST_USD), total, "trace total");
    assert_eq!(
        attr(root, ours::COST_UNKNOWN),
        Some(&Value::Bool(true)),
        "partial total flagged"
    );
    assert_eq!(
        attr_i64(root, ours::TRACE_INPUT_TOKENS),
        Some(1000 + 2000 + 10_000 + 100 + 10_000 + 5000 + 10)
    );
    assert_eq!(
        attr_i64(root, ours::TRACE_OUTPUT_TOKENS),
        Some(500 + 1000 + 300 + 600 + 100 + 10)
    );
}

#[test]
fn prices_can_be_overridden_from_code() {
    let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
    let prices = llmtrace::cost::PriceTable::from_yaml(
        "models: {gpt-4o: {input: 1.0, output: 1.0, source: test, as_of: today}, my-model: {input: 10.0, output: 20.0}}",
        "test",
    )
    .expect("valid table");
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .prices(prices)
        .with_span_processor(opentelemetry_sdk::trace::SimpleSpanProcessor::new(
            exporter.clone(),
        ))
        .build()
        .expect("pipeline");
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        llm_call("gpt-4o", Usage::new(1_000_000, 0), None);
        llm_call("my-model", Usage::new(1_000_000, 1_000_000), None);
        llm_call("gpt-4o-mini", Usage::new(1_000_000, 0), None);
    });
    guard.flush();
    let spans = exporter.get_finished_spans().expect("spans");
    let cost = |model: &str| {
        spans
            .iter()
            .find(|s| attr_str(s, sc::GEN_AI_REQUEST_MODEL).as_deref() == Some(model))
            .and_then(|s| float(s, ours::COST_USD))
    };
    assert_close(cost("gpt-4o"), 1.0, "overridden");
    assert_close(cost("my-model"), 30.0, "added");
    assert_close(cost("gpt-4o-mini"), 0.15, "built-in kept");
}

#[derive(Debug)]
struct Overloaded(&'static str);

impl std::fmt::Display for Overloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is overloaded", self.0)
    }
}

impl std::error::Error for Overloaded {}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

#[test]
fn retries_then_fallback_give_one_span_per_attempt_under_a_parent() {
    let spans = run(false, || {
        let answered = block_on(
            Retry::new("gpt-4o")
                .max_attempts(2)
                .backoff(Duration::from_millis(5), Duration::from_millis(20))
                .fallback("claude-sonnet-4")
                .span(|model| llmtrace::chat(model).provider("test"))
                .run(|attempt| async move {
                    if attempt.is_fallback {
                        attempt.span().record_usage(Usage::new(100, 10));
                        Ok(format!("answer from {}", attempt.model))
                    } else {
                        Err(Overloaded("gpt-4o"))
                    }
                }),
        )
        .expect("fallback answers");
        assert_eq!(answered.model, "claude-sonnet-4");
        assert_eq!(answered.attempts, 3);
    });
    let parent = find_span(&spans, "retry gpt-4o");
    assert_eq!(attr_i64(parent, ours::RETRY_ATTEMPTS), Some(3));
    assert_eq!(
        attr_str(parent, ours::RETRY_MODEL_USED).as_deref(),
        Some("claude-sonnet-4")
    );
    assert_eq!(
        attr(parent, ours::RETRY_FALLBACK_USED),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        attr_str(parent, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("CHAIN")
    );
    assert_eq!(parent.status, Status::Unset);

    let mut attempts: Vec<&SpanData> = spans.iter().filter(|s| is_child_of(s, parent)).collect();
    attempts.sort_by_key(|s| attr_i64(s, ours::RETRY_ATTEMPT));
    let names: Vec<&str> = attempts.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(
        names,
        ["chat gpt-4o", "chat gpt-4o", "chat claude-sonnet-4"]
    );
    assert_eq!(attempts[0].status, Status::error("gpt-4o is overloaded"));
    assert_eq!(
        attr_str(attempts[1], sc::ERROR_TYPE).as_deref(),
        Some("semantics::Overloaded")
    );
    assert_eq!(float(attempts[0], ours::RETRY_WAIT_BEFORE_S), Some(0.0));
    assert_eq!(
        float(attempts[1], ours::RETRY_WAIT_BEFORE_S),
        Some(0.005),
        "backoff recorded"
    );
    assert_eq!(
        float(attempts[2], ours::RETRY_WAIT_BEFORE_S),
        Some(0.0),
        "no wait to switch model"
    );
    assert_eq!(attempts[2].status, Status::Unset);
    assert_eq!(
        attr_i64(attempts[2], sc::GEN_AI_USAGE_INPUT_TOKENS),
        Some(100)
    );
    assert_eq!(
        attr_str(attempts[2], sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some("test")
    );
}

#[test]
fn a_non_retryable_error_stops_at_once_and_exhaustion_is_an_error() {
    let spans = run(false, || {
        let err = block_on(
            Retry::new("gpt-4o")
                .max_attempts(3)
                .fallback("backup")
                .retry_if(|e| !e.to_string().contains("gpt-4o"))
                .run(|_| async { Err::<(), _>(Overloaded("gpt-4o")) }),
        )
        .expect_err("not retryable");
        assert_eq!(err.attempts, 1);
        let err = block_on(
            Retry::new("a")
                .max_attempts(2)
                .backoff(Duration::ZERO, Duration::ZERO)
                .fallback("b")
                .run(|attempt| async move {
                    Err::<(), _>(Overloaded(if attempt.is_fallback { "b" } else { "a" }))
                }),
        )
        .expect_err("all fail");
        assert_eq!((err.attempts, err.model.as_str()), (4, "b"));
        assert_eq!(err.last.0, "b");
    });
    assert_eq!(spans.iter().filter(|s| s.name == "chat gpt-4o").count(), 1);
    let exhausted = find_span(&spans, "retry a");
    assert!(matches!(exhausted.status, Status::Error { .. }));
    assert_eq!(attr_i64(exhausted, ours::RETRY_ATTEMPTS), Some(4));
    assert_eq!(attr(exhausted, ours::RETRY_MODEL_USED), None);
}

#[test]
fn repeated_identical_tool_calls_raise_an_event_and_a_cap_stops_the_loop() {
    let mut outcome = None;
    let spans = run(false, || {
        let agent = llmtrace::agent("looper").start();
        let mut agent_loop = AgentLoop::new(&agent)
            .repeat_threshold(3)
            .max_identical_calls(5);
        let same = serde_json::json!({"query": "weather", "city": "Oslo"});
        // Key order does not matter: the arguments are compared canonically.
        let same_reordered: serde_json::Value =
            serde_json::from_str(r#"{"city": "Oslo", "query": "weather"}"#).expect("json");
        for i in 0..20 {
            agent_loop.next_iteration().expect("no iteration cap");
            let _ = agent_loop.tool_call("search", &serde_json::json!({"page": i}));
            let args = if i % 2 == 0 { &same } else { &same_reordered };
            if let Err(error) = agent_loop.tool_call("search", args) {
                outcome = Some(error);
                break;
            }
        }
    });
    assert_eq!(
        outcome,
        Some(AgentLoopError::RepeatedToolCall {
            tool: "search".into(),
            count: 5
        })
    );
    let agent = find_span(&spans, "invoke_agent looper");
    let events: Vec<_> = agent
        .events
        .iter()
        .filter(|e| e.name == ours::AGENT_LOOP_DETECTED_EVENT)
        .collect();
    assert_eq!(events.len(), 1, "flagged once, at the threshold");
    let event_attr = |key: &str| {
        events[0]
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    };
    assert_eq!(
        event_attr(sc::GEN_AI_TOOL_NAME),
        Some(Value::from("search"))
    );
    assert_eq!(event_attr(ours::AGENT_REPEAT_COUNT), Some(Value::I64(3)));
    assert_eq!(attr_i64(agent, ours::AGENT_ITERATIONS), Some(5));
    assert_eq!(
        attr_str(agent, sc::ERROR_TYPE).as_deref(),
        Some("loop_detected")
    );
}

#[test]
fn an_iteration_cap_is_a_typed_error() {
    let spans = run(false, || {
        let agent = llmtrace::agent("capped").start();
        let mut agent_loop = AgentLoop::new(&agent).max_iterations(2);
        assert_eq!(agent_loop.next_iteration(), Ok(1));
        assert_eq!(agent_loop.next_iteration(), Ok(2));
        assert_eq!(
            agent_loop.next_iteration(),
            Err(AgentLoopError::MaxIterations { limit: 2 })
        );
    });
    let agent = find_span(&spans, "invoke_agent capped");
    assert_eq!(attr_i64(agent, ours::AGENT_ITERATIONS), Some(2));
    assert_eq!(
        attr_str(agent, sc::ERROR_TYPE).as_deref(),
        Some("max_iterations")
    );
}

#[test]
fn metrics_count_tokens_durations_and_cost_by_semconv_dimensions() {
    let metric_exporter = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metric_exporter.clone()).build())
        .build();
    let span_exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .meter_provider(meter_provider)
        .with_span_processor(opentelemetry_sdk::trace::SimpleSpanProcessor::new(
            span_exporter,
        ))
        .build()
        .expect("pipeline");
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        for _ in 0..3 {
            let span = llmtrace::chat("gpt-4o").provider("openai").start();
            span.record_usage(Usage::new(1000, 100));
            span.record_time_to_first_chunk(Duration::from_millis(120));
        }
        llmtrace::tool("not-a-model-call").start().in_scope(|| {});
    });
    guard.flush();
    let metrics = metric_exporter.get_finished_metrics().expect("metrics");
    let mut seen = std::collections::HashMap::new();
    for rm in &metrics {
        for sm in rm.scope_metrics() {
            for metric in sm.metrics() {
                seen.insert(metric.name().to_owned(), ());
                match (metric.name(), metric.data()) {
                    (
                        "gen_ai.client.token.usage",
                        AggregatedMetrics::U64(MetricData::Histogram(h)),
                    ) => {
                        let mut by_type = std::collections::HashMap::new();
                        for dp in h.data_points() {
                            let ty = dp
                                .attributes()
                                .find(|kv| kv.key.as_str() == sc::GEN_AI_TOKEN_TYPE)
                                .map(|kv| kv.value.as_str().into_owned())
                                .expect("token type dimension");
                            assert!(dp
                                .attributes()
                                .any(|kv| kv.key.as_str() == sc::GEN_AI_REQUEST_MODEL
                                    && kv.value.as_str() == "gpt-4o"));
                            by_type.insert(ty, (dp.count(), dp.sum()));
                        }
                        assert_eq!(by_type["input"], (3, 3000));
                        assert_eq!(by_type["output"], (3, 300));
                    }
                    (
                        "gen_ai.client.operation.duration",
                        AggregatedMetrics::F64(MetricData::Histogram(h)),
                    ) => {
                        let count: u64 = h.data_points().map(|dp| dp.count()).sum();
                        assert_eq!(count, 4, "three chats and one tool");
                    }
                    (
                        "gen_ai.client.operation.time_to_first_chunk",
                        AggregatedMetrics::F64(MetricData::Histogram(h)),
                    ) => {
                        let dp = h.data_points().next().expect("point");
                        assert_eq!(dp.count(), 3);
                        assert!((dp.sum() - 0.36).abs() < 1e-9);
                    }
                    ("llmtrace.cost.usd", AggregatedMetrics::F64(MetricData::Sum(s))) => {
                        let total: f64 = s.data_points().map(|dp| dp.value()).sum();
                        assert!((total - 3.0 * (0.0025 + 0.001)).abs() < 1e-12, "{total}");
                    }
                    _ => {}
                }
            }
        }
    }
    for name in [
        "gen_ai.client.token.usage",
        "gen_ai.client.operation.duration",
        "gen_ai.client.operation.time_to_first_chunk",
        "llmtrace.cost.usd",
    ] {
        assert!(
            seen.contains_key(name),
            "missing metric {name}: {:?}",
            seen.keys()
        );
    }
}

#[test]
fn evaluations_attach_to_a_span_or_to_a_remote_span_by_id() {
    let mut ids = None;
    let spans = run(false, || {
        let chat = llmtrace::chat("gpt-4o").start();
        chat.record_evaluation(
            &Evaluation::new("relevance")
                .score(0.8)
                .label("relevant")
                .explanation("cites the policy"),
        );
        chat.in_scope(|| {});
        use opentelemetry::trace::TraceContextExt;
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let cx = chat.context();
        let sc = cx.span().span_context().clone();
        ids = Some((sc.trace_id().to_string(), sc.span_id().to_string()));
        drop(chat);
        // "Another process": only the ids are known.
        let (trace, span) = ids.clone().expect("ids");
        llmtrace::evaluate(&trace, &span, &Evaluation::new("thumbs").label("down"))
            .expect("valid ids");
        assert!(llmtrace::evaluate("xyz", &span, &Evaluation::new("x")).is_err());
        assert!(llmtrace::evaluate(&trace, "0000000000000000", &Evaluation::new("x")).is_err());
    });
    let chat = find_span(&spans, "chat gpt-4o");
    let event = chat
        .events
        .iter()
        .find(|e| e.name == sc::GEN_AI_EVALUATION_RESULT_EVENT)
        .expect("evaluation event");
    let get = |key: &str| {
        event
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    };
    assert_eq!(
        get(sc::GEN_AI_EVALUATION_NAME),
        Some(Value::from("relevance"))
    );
    assert_eq!(
        get(sc::GEN_AI_EVALUATION_SCORE_VALUE),
        Some(Value::F64(0.8))
    );
    assert_eq!(
        get(sc::GEN_AI_EVALUATION_SCORE_LABEL),
        Some(Value::from("relevant"))
    );

    let remote = find_span(&spans, "evaluation thumbs");
    assert_eq!(remote.span_context.trace_id(), chat.span_context.trace_id());
    assert_eq!(remote.parent_span_id, chat.span_context.span_id());
    assert!(remote.parent_span_is_remote);
    assert_eq!(remote.links.len(), 1);
    assert_eq!(
        remote.links[0].span_context.span_id(),
        chat.span_context.span_id()
    );
    assert_eq!(
        attr_str(remote, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("EVALUATOR")
    );
    assert!(remote
        .events
        .iter()
        .any(|e| e.name == sc::GEN_AI_EVALUATION_RESULT_EVENT));
}

#[test]
fn prompt_templates_and_experiments_group_cleanly() {
    let spans = run(false, || {
        let _experiment = LlmContext::new()
            .experiment("system-prompt-v2", "B")
            .attach();
        llmtrace::chat("gpt-4o")
            .prompt_template(
                "support-answer",
                "7",
                &serde_json::json!({"customer": "Ada"}),
            )
            .start()
            .in_scope(|| {});
    });
    let chat = find_span(&spans, "chat gpt-4o");
    assert_eq!(
        attr_str(chat, sc::GEN_AI_PROMPT_NAME).as_deref(),
        Some("support-answer")
    );
    assert_eq!(
        attr_str(chat, oi::LLM_PROMPT_TEMPLATE_VERSION).as_deref(),
        Some("7")
    );
    assert_eq!(
        attr(chat, oi::LLM_PROMPT_TEMPLATE_VARIABLES),
        None,
        "variables are content"
    );
    assert_eq!(
        attr_str(chat, ours::EXPERIMENT_NAME).as_deref(),
        Some("system-prompt-v2")
    );
    assert_eq!(
        attr_str(chat, ours::EXPERIMENT_VARIANT).as_deref(),
        Some("B")
    );
    assert_eq!(
        attr_str(chat, oi::TAG_TAGS).as_deref(),
        Some("[\"experiment:system-prompt-v2\",\"variant:B\"]")
    );
}
