//! Evaluations and feedback attached to a span after the fact, as `gen_ai.evaluation.result`
//! events — on a span at hand, or from another process given the trace and span ids.

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::KeyValue;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace_semconv::attribute as semconv;
use llmtrace_semconv::openinference::{SpanKind as OiKind, OPENINFERENCE_SPAN_KIND};

/// The result of evaluating a model's output (a score, a label, or both).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// What was evaluated (`relevance`, `faithfulness`, `thumbs`…).
    pub name: String,
    /// A numeric score.
    pub score: Option<f64>,
    /// A label (`relevant`, `pass`, `👍`…).
    pub label: Option<String>,
    /// Why.
    pub explanation: Option<String>,
    /// The completion evaluated, when known.
    pub response_id: Option<String>,
}

impl Evaluation {
    /// An evaluation named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Evaluation {
            name: name.into(),
            ..Evaluation::default()
        }
    }

    /// Sets the score.
    pub fn score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the explanation.
    pub fn explanation(mut self, text: impl Into<String>) -> Self {
        self.explanation = Some(text.into());
        self
    }

    /// Sets the evaluated completion's id.
    pub fn response_id(mut self, id: impl Into<String>) -> Self {
        self.response_id = Some(id.into());
        self
    }

    pub(crate) fn attributes(&self) -> Vec<KeyValue> {
        let mut attrs = vec![KeyValue::new(
            semconv::GEN_AI_EVALUATION_NAME,
            self.name.clone(),
        )];
        if let Some(score) = self.score {
            attrs.push(KeyValue::new(semconv::GEN_AI_EVALUATION_SCORE_VALUE, score));
        }
        if let Some(label) = &self.label {
            attrs.push(KeyValue::new(
                semconv::GEN_AI_EVALUATION_SCORE_LABEL,
                label.clone(),
            ));
        }
        if let Some(text) = &self.explanation {
            attrs.push(KeyValue::new(
                semconv::GEN_AI_EVALUATION_EXPLANATION,
                text.clone(),
            ));
        }
        if let Some(id) = &self.response_id {
            attrs.push(KeyValue::new(semconv::GEN_AI_RESPONSE_ID, id.clone()));
        }
        attrs
    }
}

/// A trace or span id that is not valid hex of the right length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not valid: expected {digits} lowercase hex digits, not all zero")]
pub struct InvalidId {
    what: &'static str,
    value: String,
    digits: usize,
}

/// Records `evaluation` on the span `span_id` of trace `trace_id` (hex, as backends show them),
/// from any process: starts a short `evaluation {name}` span (OpenInference `EVALUATOR`) that is a
/// child of the evaluated span and links to it, carrying the `gen_ai.evaluation.result` event.
/// The span is exported by the pipeline installed in this process.
pub fn evaluate(trace_id: &str, span_id: &str, evaluation: &Evaluation) -> Result<(), InvalidId> {
    let trace = TraceId::from_hex(trace_id)
        .ok()
        .filter(|t| *t != TraceId::INVALID && trace_id.len() == 32)
        .ok_or_else(|| InvalidId {
            what: "trace id",
            value: trace_id.to_owned(),
            digits: 32,
        })?;
    let span = SpanId::from_hex(span_id)
        .ok()
        .filter(|s| *s != SpanId::INVALID && span_id.len() == 16)
        .ok_or_else(|| InvalidId {
            what: "span id",
            value: span_id.to_owned(),
            digits: 16,
        })?;
    let target = SpanContext::new(
        trace,
        span,
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    // No GenAI operation describes an evaluation, so the span's kind has no `gen_ai.*` form
    // the OpenInference mirror could be derived from: it is written directly.
    let eval_span = crate::span::custom_span(format!("evaluation {}", evaluation.name), None)
        .attribute(OPENINFERENCE_SPAN_KIND, OiKind::Evaluator.as_str())
        .with_parent(opentelemetry::Context::new().with_remote_span_context(target.clone()))
        .start();
    eval_span.add_link(target);
    eval_span.add_event(
        semconv::GEN_AI_EVALUATION_RESULT_EVENT,
        evaluation.attributes(),
    );
    Ok(())
}
