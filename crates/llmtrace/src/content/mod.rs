//! Message content: where it is recorded ([`CaptureMode`]), which attributes hold it, and the
//! `gen_ai.client.inference.operation.details` log record the event modes emit
//! ([`ContentEventProcessor`]).

mod events;
mod mode;

pub use events::ContentEventProcessor;
pub(crate) use events::EventMarks;
pub use mode::{CaptureMode, UnknownCaptureMode};

use llmtrace_semconv::attribute as semconv;

/// Attributes whose whole value is message content.
const CONTENT_KEYS: &[&str] = &[
    semconv::GEN_AI_INPUT_MESSAGES,
    semconv::GEN_AI_OUTPUT_MESSAGES,
    semconv::GEN_AI_SYSTEM_INSTRUCTIONS,
    semconv::GEN_AI_TOOL_DEFINITIONS,
    semconv::GEN_AI_TOOL_CALL_ARGUMENTS,
    semconv::GEN_AI_TOOL_CALL_RESULT,
    "input.value",
    "input.mime_type",
    "output.value",
    "output.mime_type",
    "llm.invocation_parameters.messages",
    // The OpenInference mirror of `gen_ai.tool.call.arguments` on tool spans, and the reranker
    // query (the conventions have no reranking key, so it is written under OpenInference's).
    "tool.parameters",
    "reranker.query",
];

/// Prefixes of the OpenInference attributes flattened from content.
const CONTENT_PREFIXES: &[&str] = &[
    "llm.input_messages.",
    "llm.output_messages.",
    "llm.tools.",
    "llm.prompts",
    "llm.prompt_template.variables",
];

/// Suffixes of flattened document attributes that carry text (`retrieval.documents.N.…`,
/// `reranker.input_documents.N.…`).
const CONTENT_SUFFIXES: &[&str] = &[".document.content", ".document.metadata"];

/// Whether an attribute holds message content (and so follows the capture mode).
pub fn is_content_key(key: &str) -> bool {
    CONTENT_KEYS.contains(&key)
        || CONTENT_PREFIXES.iter().any(|p| key.starts_with(p))
        || CONTENT_SUFFIXES.iter().any(|s| key.ends_with(s))
}

/// The content attributes the inference log record carries as structured values, in the
/// registry's order.
const EVENT_CONTENT_KEYS: &[&str] = &[
    semconv::GEN_AI_SYSTEM_INSTRUCTIONS,
    semconv::GEN_AI_INPUT_MESSAGES,
    semconv::GEN_AI_OUTPUT_MESSAGES,
    semconv::GEN_AI_TOOL_DEFINITIONS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_keys_are_recognised_and_structure_is_not() {
        for key in [
            "gen_ai.input.messages",
            "gen_ai.tool.call.arguments",
            "input.value",
            "llm.input_messages.0.message.content",
            "llm.output_messages.3.message.tool_calls.0.tool_call.function.arguments",
            "llm.tools.0.tool.json_schema",
            "retrieval.documents.2.document.content",
            "reranker.output_documents.0.document.metadata",
            "tool.parameters",
            "reranker.query",
        ] {
            assert!(is_content_key(key), "{key}");
        }
        for key in [
            "gen_ai.request.model",
            "gen_ai.usage.input_tokens",
            "llm.model_name",
            "llm.token_count.prompt",
            "retrieval.documents.2.document.score",
            "retrieval.documents.2.document.id",
            "error.type",
        ] {
            assert!(!is_content_key(key), "{key}");
        }
    }
}
