//! Message content: where it is recorded ([`CaptureMode`]), which attributes hold it, and the
//! `gen_ai.client.inference.operation.details` log record the event modes emit
//! ([`ContentEventProcessor`]).

mod events;
mod mode;

pub use events::ContentEventProcessor;
pub(crate) use events::EventMarks;
pub use mode::{CaptureMode, UnknownCaptureMode};

use llmtrace_semconv::attribute as semconv;

/// Whether an attribute holds message content (and so follows the capture mode); the key list
/// is the semantic-conventions crate's ([`llmtrace_semconv::content`]), shared by every stage.
pub fn is_content_key(key: &str) -> bool {
    llmtrace_semconv::content::is_content_key(key)
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
            "gen_ai.prompt",
            "gen_ai.completion",
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
