//! Which attributes hold message content, whoever wrote them: the conventions' content keys,
//! their older names (`gen_ai.prompt`, `gen_ai.completion`) and OpenInference's mirror
//! (`input.value`, `llm.input_messages.*`…). With content capture off, llmtrace removes every
//! one of them before a span is exported.
//!
//! ```
//! use llmtrace_semconv::content::is_content_key;
//!
//! assert!(is_content_key("gen_ai.input.messages"));
//! assert!(is_content_key("gen_ai.prompt"));
//! assert!(is_content_key("llm.output_messages.0.message.content"));
//! assert!(!is_content_key("gen_ai.usage.input_tokens"));
//! ```

use crate::attribute as semconv;

/// Attributes whose whole value is message content.
pub const CONTENT_KEYS: &[&str] = &[
    semconv::GEN_AI_INPUT_MESSAGES,
    semconv::GEN_AI_OUTPUT_MESSAGES,
    semconv::GEN_AI_SYSTEM_INSTRUCTIONS,
    semconv::GEN_AI_TOOL_DEFINITIONS,
    semconv::GEN_AI_TOOL_CALL_ARGUMENTS,
    semconv::GEN_AI_TOOL_CALL_RESULT,
    // The registry's obsolete prompt and completion (rig writes them on `invoke_agent`).
    crate::aliases::GEN_AI_PROMPT,
    crate::aliases::GEN_AI_COMPLETION,
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
pub const CONTENT_PREFIXES: &[&str] = &[
    "llm.input_messages.",
    "llm.output_messages.",
    "llm.tools.",
    "llm.prompts",
    "llm.prompt_template.variables",
];

/// Suffixes of flattened document attributes that carry text (`retrieval.documents.N.…`,
/// `reranker.input_documents.N.…`).
pub const CONTENT_SUFFIXES: &[&str] = &[".document.content", ".document.metadata"];

/// Whether an attribute holds message content (and so follows the capture mode).
pub fn is_content_key(key: &str) -> bool {
    CONTENT_KEYS.contains(&key)
        || CONTENT_PREFIXES.iter().any(|p| key.starts_with(p))
        || CONTENT_SUFFIXES.iter().any(|s| key.ends_with(s))
}
