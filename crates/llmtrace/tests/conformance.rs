//! Conformance with the GenAI semantic conventions v1.41.1 where the registry leaves a choice:
//! the provider of in-process agents and of metric points, the operation of reranking and retry
//! spans, input-only usage of embeddings, and `error.type` values (content capture off in this
//! binary).

use std::collections::HashMap;

use llmtrace::semconv::{attribute as sc, llmtrace as ours, openinference as oi};
use llmtrace::{LlmSpanExt, Usage};
use llmtrace_test_support::*;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

#[test]
fn agent_spans_name_a_provider_as_the_conventions_require() {
    let spans = run(false, || {
        llmtrace::agent("planner").start().in_scope(|| {});
        llmtrace::agent("support")
            .provider("anthropic")
            .model("claude-sonnet-4")
            .start()
            .in_scope(|| {});
    });
    let planner = find_span(&spans, "invoke_agent planner");
    assert_eq!(
        attr_str(planner, sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some(ours::PROVIDER_LLMTRACE)
    );
    assert_eq!(
        attr(planner, oi::LLM_PROVIDER),
        None,
        "the stand-in is not shown as a model provider"
    );
    let support = find_span(&spans, "invoke_agent support");
    let providers: Vec<String> = support
        .attributes
        .iter()
        .filter(|kv| kv.key.as_str() == sc::GEN_AI_PROVIDER_NAME)
        .map(|kv| kv.value.as_str().into_owned())
        .collect();
    assert_eq!(providers, ["anthropic"], "the given provider, once");
    assert_eq!(
        attr_str(support, sc::GEN_AI_REQUEST_MODEL).as_deref(),
        Some("claude-sonnet-4")
    );
    // Tools and workflows: the conventions do not list a provider on their spans.
    let spans = run(false, || {
        llmtrace::tool("lookup").start().in_scope(|| {});
    });
    assert_eq!(
        attr(
            find_span(&spans, "execute_tool lookup"),
            sc::GEN_AI_PROVIDER_NAME
        ),
        None
    );
}

#[test]
fn rerank_and_retry_spans_carry_documented_custom_operations() {
    let spans = run(false, || {
        llmtrace::rerank("rerank-v3").start().in_scope(|| {});
        let answered = block_on(llmtrace::Retry::new("gpt-4o").run(|attempt| async move {
            attempt.span().record_usage(Usage::new(10, 1));
            Ok::<_, std::io::Error>(())
        }));
        assert!(answered.is_ok());
    });
    let rerank = find_span(&spans, "rerank rerank-v3");
    assert_eq!(
        attr_str(rerank, sc::GEN_AI_OPERATION_NAME).as_deref(),
        Some(ours::OPERATION_RERANK)
    );
    assert_eq!(
        attr_str(rerank, oi::RERANKER_MODEL_NAME).as_deref(),
        Some("rerank-v3")
    );
    let retry = find_span(&spans, "retry gpt-4o");
    assert_eq!(
        attr_str(retry, sc::GEN_AI_OPERATION_NAME).as_deref(),
        Some(ours::OPERATION_RETRY)
    );
    assert_eq!(
        attr_str(retry, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("CHAIN")
    );
    // The attempt is the chat; the retry parent has no usage of its own to double-count.
    assert_eq!(attr(retry, sc::GEN_AI_USAGE_INPUT_TOKENS), None);
    assert_eq!(
        attr_i64(
            find_span(&spans, "chat gpt-4o"),
            sc::GEN_AI_USAGE_INPUT_TOKENS
        ),
        Some(10)
    );
}

/// Polls a future that never waits on I/O (the retry above answers at once).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime")
        .block_on(future)
}

#[llmtrace::embedding(model = "text-embedding-3-small")]
fn embed(_text: &str) -> Usage {
    Usage::new(5, 0)
}

#[test]
fn embeddings_record_input_tokens_only() {
    let spans = run(false, || {
        embed("x");
        llmtrace::embeddings("text-embedding-3-large")
            .start()
            .record_usage(Usage::input_only(7));
    });
    for (name, input) in [
        ("embeddings text-embedding-3-small", 5),
        ("embeddings text-embedding-3-large", 7),
    ] {
        let span = find_span(&spans, name);
        assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(input));
        assert_eq!(attr(span, sc::GEN_AI_USAGE_OUTPUT_TOKENS), None, "{name}");
        assert_eq!(attr(span, oi::LLM_TOKEN_COUNT_COMPLETION), None, "{name}");
        assert_eq!(attr_i64(span, oi::LLM_TOKEN_COUNT_TOTAL), Some(input));
    }
}

#[derive(Debug)]
struct ApiError;
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the API refused")
    }
}
impl std::error::Error for ApiError {}

#[llmtrace::tool]
fn typed_failure() -> Result<(), ApiError> {
    Err(ApiError)
}

#[llmtrace::tool]
fn boxed_failure() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err(Box::new(ApiError))
}

#[test]
fn error_types_are_full_type_paths_and_trait_objects_are_other() {
    let spans = run(false, || {
        let _ = typed_failure();
        let _ = boxed_failure();
        llmtrace::tool("by_hand")
            .start()
            .record_error(&std::sync::Arc::new(ApiError));
    });
    let error_type = |name: &str| attr_str(find_span(&spans, name), sc::ERROR_TYPE);
    assert_eq!(
        error_type("execute_tool typed_failure").as_deref(),
        Some("conformance::ApiError")
    );
    assert_eq!(
        error_type("execute_tool boxed_failure").as_deref(),
        Some(sc::ERROR_TYPE_OTHER)
    );
    assert_eq!(
        error_type("execute_tool by_hand").as_deref(),
        Some("conformance::ApiError"),
        "Arc looked through"
    );
}

#[test]
fn every_metric_point_names_a_provider() {
    let exporter = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let (guard, spans) = pipeline_with(false, |b| b.meter_provider(meter_provider));
    let _ = run_in(&guard, &spans, || {
        llmtrace::chat("gpt-4o")
            .provider("openai")
            .start()
            .in_scope(|| {});
        llmtrace::agent("planner").start().in_scope(|| {});
        llmtrace::tool("lookup").start().in_scope(|| {});
        llmtrace::retrieval("kb").start().in_scope(|| {});
        llmtrace::chain("steps").start().in_scope(|| {});
        llmtrace::rerank("rerank-v3").start().in_scope(|| {});
    });
    let mut providers = HashMap::new();
    for rm in &exporter.get_finished_metrics().expect("metrics") {
        for sm in rm.scope_metrics() {
            for metric in sm.metrics() {
                let AggregatedMetrics::F64(MetricData::Histogram(h)) = metric.data() else {
                    continue;
                };
                if metric.name() != "gen_ai.client.operation.duration" {
                    continue;
                }
                for dp in h.data_points() {
                    let get = |key: &str| {
                        dp.attributes()
                            .find(|kv| kv.key.as_str() == key)
                            .map(|kv| kv.value.as_str().into_owned())
                    };
                    let operation = get(sc::GEN_AI_OPERATION_NAME).expect("operation");
                    providers.insert(operation, get(sc::GEN_AI_PROVIDER_NAME));
                }
            }
        }
    }
    let expect = [
        ("chat", "openai"),
        ("invoke_agent", "llmtrace"),
        ("execute_tool", "llmtrace"),
        ("retrieval", "llmtrace"),
        ("invoke_workflow", "llmtrace"),
        ("rerank", "llmtrace"),
    ];
    for (operation, provider) in expect {
        assert_eq!(
            providers.get(operation).cloned().flatten().as_deref(),
            Some(provider),
            "{operation}: {providers:?}"
        );
    }
}
