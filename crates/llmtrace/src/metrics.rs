//! GenAI client metrics derived from finished spans: `gen_ai.client.token.usage`,
//! `gen_ai.client.operation.duration`, `gen_ai.client.operation.time_to_first_chunk` (semantic
//! conventions, with their recommended bucket boundaries), the `llmtrace.cost.usd` counter, and
//! for spans of MCP requests (`mcp.method.name`, as `llmtrace-mcp` writes them)
//! `mcp.client.operation.duration` / `mcp.server.operation.duration`.
//!
//! [`MetricsProcessor`] sits in front of the sampling processors, so metrics count every span
//! the head sampler recorded, including traces the tail sampler drops.
//!
//! Every span with a `gen_ai.operation.name` is measured, including llmtrace's custom operations
//! `rerank` and `retry` (each its own series). The conventions require `gen_ai.provider.name`
//! on every point; a span that names none (an in-process agent, tool, workflow or retrieval)
//! is measured with [`PROVIDER_LLMTRACE`](llmtrace_semconv::llmtrace::PROVIDER_LLMTRACE)
//! (`llmtrace`), the instrumentation that produced it.

use std::time::Duration;

use opentelemetry::metrics::{Counter, Histogram, Meter};
use opentelemetry::KeyValue;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use llmtrace_semconv::{attribute as semconv, llmtrace as ours, mcp, TokenType};

use crate::span_data::{float_attribute, int_attribute};

/// Bucket boundaries the conventions recommend for `gen_ai.client.token.usage`.
pub const TOKEN_BUCKETS: &[f64] = &[
    1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0,
    16777216.0, 67108864.0,
];
/// Bucket boundaries the conventions recommend for `gen_ai.client.operation.duration`.
pub const DURATION_BUCKETS: &[f64] = &[
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/// Bucket boundaries the conventions recommend for time to first chunk.
pub const TTFC_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Attributes carried over from the span to every measurement, as the conventions list them.
const DIMENSIONS: &[&str] = &[
    semconv::GEN_AI_OPERATION_NAME,
    semconv::GEN_AI_PROVIDER_NAME,
    semconv::GEN_AI_REQUEST_MODEL,
    semconv::GEN_AI_RESPONSE_MODEL,
    semconv::SERVER_ADDRESS,
    semconv::SERVER_PORT,
];

/// Records GenAI metrics from each finished span, then hands the span on unchanged.
#[derive(Debug)]
pub struct MetricsProcessor<P> {
    inner: P,
    token_usage: Histogram<u64>,
    duration: Histogram<f64>,
    time_to_first_chunk: Histogram<f64>,
    cost: Counter<f64>,
    mcp_client_duration: Histogram<f64>,
    mcp_server_duration: Histogram<f64>,
}

impl<P: SpanProcessor> MetricsProcessor<P> {
    /// Records into instruments created from `meter`.
    pub fn new(inner: P, meter: &Meter) -> Self {
        MetricsProcessor {
            inner,
            token_usage: meter
                .u64_histogram("gen_ai.client.token.usage")
                .with_unit("{token}")
                .with_description("Number of input and output tokens used.")
                .with_boundaries(TOKEN_BUCKETS.to_vec())
                .build(),
            duration: meter
                .f64_histogram("gen_ai.client.operation.duration")
                .with_unit("s")
                .with_description("GenAI operation duration.")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
            time_to_first_chunk: meter
                .f64_histogram("gen_ai.client.operation.time_to_first_chunk")
                .with_unit("s")
                .with_description("Time to receive the first chunk of a streamed response.")
                .with_boundaries(TTFC_BUCKETS.to_vec())
                .build(),
            cost: meter
                .f64_counter(ours::COST_USD)
                .with_unit("USD")
                .with_description("Cost of GenAI operations, from llmtrace's price table.")
                .build(),
            mcp_client_duration: meter
                .f64_histogram(mcp::CLIENT_OPERATION_DURATION)
                .with_unit("s")
                .with_description(
                    "The duration of the MCP request or notification as observed on the sender.",
                )
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
            mcp_server_duration: meter
                .f64_histogram(mcp::SERVER_OPERATION_DURATION)
                .with_unit("s")
                .with_description(
                    "MCP request or notification duration as observed on the receiver.",
                )
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
        }
    }

    /// `mcp.client.operation.duration` / `mcp.server.operation.duration` of a span carrying
    /// `mcp.method.name`: the server metric for SERVER spans, the client one otherwise (a CLIENT
    /// span, or an `execute_tool` span the MCP instrumentation added its attributes to).
    fn record_mcp(&self, span: &SpanData, seconds: f64) {
        let find = |key: &str| span.attributes.iter().find(|kv| kv.key.as_str() == key);
        if find(mcp::MCP_METHOD_NAME).is_none() {
            return;
        }
        let server = span.span_kind == opentelemetry::trace::SpanKind::Server;
        let client_only: &[&str] = if server {
            &[]
        } else {
            mcp::CLIENT_METRIC_DIMENSIONS
        };
        let dims: Vec<KeyValue> = mcp::METRIC_DIMENSIONS
            .iter()
            .chain(client_only)
            .filter_map(|key| find(key).cloned())
            .collect();
        let histogram = if server {
            &self.mcp_server_duration
        } else {
            &self.mcp_client_duration
        };
        histogram.record(seconds, &dims);
    }

    fn record(&self, span: &SpanData) {
        let find = |key: &str| span.attributes.iter().find(|kv| kv.key.as_str() == key);
        let seconds = span
            .end_time
            .duration_since(span.start_time)
            .unwrap_or_default()
            .as_secs_f64();
        self.record_mcp(span, seconds);
        // The GenAI metrics are the client's: an MCP server's `execute_tool` span is counted by
        // `mcp.server.operation.duration` only (the caller's span counts the call once).
        let mcp_server = span.span_kind == opentelemetry::trace::SpanKind::Server
            && find(mcp::MCP_METHOD_NAME).is_some();
        if mcp_server || find(semconv::GEN_AI_OPERATION_NAME).is_none() {
            return;
        }
        let mut dims: Vec<KeyValue> = DIMENSIONS
            .iter()
            .filter_map(|key| find(key).cloned())
            .collect();
        if find(semconv::GEN_AI_PROVIDER_NAME).is_none() {
            dims.push(KeyValue::new(
                semconv::GEN_AI_PROVIDER_NAME,
                ours::PROVIDER_LLMTRACE,
            ));
        }
        if let Some(error) = find(semconv::ERROR_TYPE) {
            dims.push(error.clone());
        }
        self.duration.record(seconds, &dims);

        let int = |key: &str| int_attribute(span, key).and_then(|v| u64::try_from(v).ok());
        let float = |key: &str| float_attribute(span, key);
        // A run's usage repeats its model calls' (the cost processor marks it).
        let rollup = matches!(
            find(ours::USAGE_ROLLUP).map(|kv| &kv.value),
            Some(opentelemetry::Value::Bool(true))
        );
        let usage: &[(&str, TokenType)] = if rollup {
            &[]
        } else {
            &[
                (semconv::GEN_AI_USAGE_INPUT_TOKENS, TokenType::Input),
                (semconv::GEN_AI_USAGE_OUTPUT_TOKENS, TokenType::Output),
            ]
        };
        for &(key, token_type) in usage {
            if let Some(tokens) = int(key) {
                let mut with_type = dims.clone();
                with_type.push(KeyValue::new(
                    semconv::GEN_AI_TOKEN_TYPE,
                    token_type.as_str(),
                ));
                self.token_usage.record(tokens, &with_type);
            }
        }
        if let Some(ttfc) = float(semconv::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) {
            self.time_to_first_chunk.record(ttfc, &dims);
        }
        // The span's own cost (a local root's `llmtrace.cost.usd` is a sum over its trace).
        if let (Some(input), Some(output)) =
            (float(ours::COST_INPUT_USD), float(ours::COST_OUTPUT_USD))
        {
            self.cost.add(input + output, &dims);
        }
    }
}

impl<P: SpanProcessor> SpanProcessor for MetricsProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &opentelemetry::Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.record(&span);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
