//! Optional GenAI client metrics derived from every span *before* the tail decision, so token
//! usage and durations count all traffic, not only the kept traces.

use llmtrace_semconv::attribute as semconv;
use opentelemetry::metrics::{Histogram, Meter};
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use std::fmt;

/// Explicit bucket boundaries recommended by the GenAI semantic conventions.
const TOKEN_BUCKETS: [f64; 14] = [
    1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0,
    16777216.0, 67108864.0,
];
const DURATION_BUCKETS: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/// Span attributes copied onto the metric points (all low-cardinality).
const DIMENSIONS: [&str; 6] = [
    semconv::GEN_AI_OPERATION_NAME,
    semconv::GEN_AI_PROVIDER_NAME,
    semconv::GEN_AI_REQUEST_MODEL,
    semconv::GEN_AI_RESPONSE_MODEL,
    "server.address",
    "server.port",
];

pub(crate) struct GenAiMetrics {
    token_usage: Histogram<u64>,
    duration: Histogram<f64>,
}

impl fmt::Debug for GenAiMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenAiMetrics").finish_non_exhaustive()
    }
}

impl GenAiMetrics {
    pub(crate) fn new(meter: &Meter) -> Self {
        Self {
            token_usage: meter
                .u64_histogram("gen_ai.client.token.usage")
                .with_description("Number of input and output tokens used.")
                .with_unit("{token}")
                .with_boundaries(TOKEN_BUCKETS.to_vec())
                .build(),
            duration: meter
                .f64_histogram("gen_ai.client.operation.duration")
                .with_description("GenAI operation duration.")
                .with_unit("s")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
        }
    }

    /// Records the span if it is a GenAI client call (kind CLIENT with `gen_ai.operation.name`).
    pub(crate) fn record(&self, span: &SpanData) {
        if span.span_kind != SpanKind::Client {
            return;
        }
        let get = |key: &str| {
            span.attributes
                .iter()
                .find(|kv| kv.key.as_str() == key)
                .map(|kv| &kv.value)
        };
        if get(semconv::GEN_AI_OPERATION_NAME).is_none() {
            return;
        }
        let mut attrs: Vec<KeyValue> = DIMENSIONS
            .iter()
            .filter_map(|k| get(k).map(|v| KeyValue::new(*k, v.clone())))
            .collect();

        let seconds = span
            .end_time
            .duration_since(span.start_time)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let mut duration_attrs = attrs.clone();
        if matches!(span.status, Status::Error { .. }) {
            let error_type = get(semconv::ERROR_TYPE)
                .cloned()
                .unwrap_or_else(|| Value::from("_OTHER"));
            duration_attrs.push(KeyValue::new(semconv::ERROR_TYPE, error_type));
        }
        self.duration.record(seconds, &duration_attrs);

        for (key, token_type) in [
            (semconv::GEN_AI_USAGE_INPUT_TOKENS, "input"),
            (semconv::GEN_AI_USAGE_OUTPUT_TOKENS, "output"),
        ] {
            if let Some(Value::I64(n)) = get(key) {
                if let Ok(n) = u64::try_from(*n) {
                    attrs.push(KeyValue::new(semconv::GEN_AI_TOKEN_TYPE, token_type));
                    self.token_usage.record(n, &attrs);
                    attrs.pop();
                }
            }
        }
    }
}
