//! Span kinds and span names as the GenAI conventions prescribe them for each operation.

use crate::Operation;

/// The span kind of a GenAI span (the OpenTelemetry span kinds the conventions use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// A call to a remote model or service.
    Client,
    /// Work inside the process: tools, in-process agents, chains.
    Internal,
}

impl SpanKind {
    /// The value `tracing-opentelemetry` reads from the `otel.kind` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            SpanKind::Client => "client",
            SpanKind::Internal => "internal",
        }
    }
}

/// The span name the conventions prescribe: `{gen_ai.operation.name} {target}`, where the target
/// is the model (inference, embeddings), the tool name, the agent name or the data source; the
/// operation name alone when there is no target.
pub fn span_name(operation: Operation, target: Option<&str>) -> String {
    match target {
        Some(target) if !target.is_empty() => format!("{} {}", operation.as_str(), target),
        _ => operation.as_str().to_owned(),
    }
}
