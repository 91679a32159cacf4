//! What a GenAI span written by another library may carry instead of the conventions' own keys
//! and types, and what each should become: the table llmtrace's normalisation stage reads.
//!
//! Three kinds of difference are listed:
//!
//! - **types**: [`KEY_RULES`] gives the type each key the stage checks should have. An integer
//!   key holding a numeric string (`tracing-opentelemetry` exports `u64` fields as strings) is
//!   parsed; a string-array key holding a JSON array as text (genai's
//!   `gen_ai.response.finish_reasons = "[\"stop\"]"`) becomes an array.
//! - **names**: [`KeyRule::Renamed`] entries are older or other names of a key — the registry's
//!   renames (`gen_ai.system`, `gen_ai.usage.prompt_tokens`, `gen_ai.usage.completion_tokens`,
//!   `gen_ai.openai.request.seed`…) and other producers' spellings (rig's
//!   `gen_ai.usage.reasoning_tokens`). The value moves to the current key unless the span has
//!   that key already.
//! - **values**: [`PROVIDER_RENAMES`], older `gen_ai.provider.name` values.
//!
//! Which keys hold message content is in [`content`](crate::content).
//!
//! ```
//! use llmtrace_semconv::aliases::{key_rule, KeyRule};
//!
//! assert_eq!(key_rule("gen_ai.usage.input_tokens").map(|r| r.1), Some(KeyRule::Int));
//! assert_eq!(
//!     key_rule("gen_ai.usage.prompt_tokens").map(|r| r.1),
//!     Some(KeyRule::Renamed("gen_ai.usage.input_tokens"))
//! );
//! assert_eq!(key_rule("gen_ai.request.model").map(|r| r.1), Some(KeyRule::Text));
//! assert_eq!(key_rule("my.own.key"), None);
//! ```

/// What a key listed in [`KEY_RULES`] should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// A 64-bit integer; a numeric string is parsed.
    Int,
    /// An array of strings; a JSON array written as text is parsed, a lone string becomes a
    /// one-element array.
    StringArray,
    /// Any other value the stage reads; checked only for duplicates.
    Text,
    /// An older or other name of this key: the value moves there.
    Renamed(&'static str),
}

/// The namespaces of the keys in [`KEY_RULES`].
const KEY_NAMESPACES: &[&str] = &["gen_ai.", "error.", "server."];

/// Declares [`KEY_RULES`] and [`key_rule`] from one list, so the table and the lookup cannot
/// drift.
macro_rules! key_rules {
    ($( $key:literal => $rule:expr, )*) => {
        /// Every key the normalisation stage checks, with what it should hold; the position
        /// of a key is its index (see [`key_rule`]). At most 64 entries (the stage tracks them
        /// in one `u64`).
        pub const KEY_RULES: &[(&str, KeyRule)] = &[ $( ($key, $rule), )* ];

        /// The index in [`KEY_RULES`] of `key` and its rule; `None` for keys the stage leaves
        /// alone. A `match` over the literal keys, so a lookup costs a length switch and a
        /// comparison or two.
        pub fn key_rule(key: &str) -> Option<(usize, KeyRule)> {
            // Every listed key is under one of these namespaces: other keys stop here.
            if !KEY_NAMESPACES.iter().any(|ns| key.starts_with(ns)) {
                return None;
            }
            let index = key_rules!(@index key, 0usize, $( $key, )*);
            index.and_then(|i| KEY_RULES.get(i).map(|(_, rule)| (i, *rule)))
        }
    };
    (@index $k:ident, $n:expr, ) => { None };
    (@index $k:ident, $n:expr, $first:literal, $( $rest:literal, )*) => {
        if $k == $first { Some($n) } else { key_rules!(@index $k, $n + 1usize, $( $rest, )*) }
    };
}

// The comparisons above chain `if`s; the compiler turns string equality into a length check
// first, so a key of another length costs one integer comparison per entry.
key_rules! {
    // Integers.
    "gen_ai.usage.input_tokens" => KeyRule::Int,
    "gen_ai.usage.output_tokens" => KeyRule::Int,
    "gen_ai.usage.cache_read.input_tokens" => KeyRule::Int,
    "gen_ai.usage.cache_creation.input_tokens" => KeyRule::Int,
    "gen_ai.usage.reasoning.output_tokens" => KeyRule::Int,
    // rig's count of tool-use prompt tokens (no registry key): an integer all the same.
    "gen_ai.usage.tool_use_prompt_tokens" => KeyRule::Int,
    "gen_ai.request.max_tokens" => KeyRule::Int,
    "gen_ai.request.seed" => KeyRule::Int,
    "gen_ai.request.choice.count" => KeyRule::Int,
    "gen_ai.embeddings.dimension.count" => KeyRule::Int,
    "server.port" => KeyRule::Int,
    // String arrays.
    "gen_ai.response.finish_reasons" => KeyRule::StringArray,
    "gen_ai.request.stop_sequences" => KeyRule::StringArray,
    "gen_ai.request.encoding_formats" => KeyRule::StringArray,
    // Keys read to name the span, set its kind and status, or price it.
    "gen_ai.operation.name" => KeyRule::Text,
    "gen_ai.provider.name" => KeyRule::Text,
    "gen_ai.request.model" => KeyRule::Text,
    "gen_ai.response.model" => KeyRule::Text,
    "gen_ai.response.id" => KeyRule::Text,
    "gen_ai.agent.name" => KeyRule::Text,
    "gen_ai.tool.name" => KeyRule::Text,
    "gen_ai.workflow.name" => KeyRule::Text,
    "gen_ai.data_source.id" => KeyRule::Text,
    "gen_ai.output.type" => KeyRule::Text,
    "error.type" => KeyRule::Text,
    // The registry's renames.
    "gen_ai.system" => KeyRule::Renamed("gen_ai.provider.name"),
    "gen_ai.usage.prompt_tokens" => KeyRule::Renamed("gen_ai.usage.input_tokens"),
    "gen_ai.usage.completion_tokens" => KeyRule::Renamed("gen_ai.usage.output_tokens"),
    "gen_ai.openai.request.seed" => KeyRule::Renamed("gen_ai.request.seed"),
    "gen_ai.openai.request.response_format" => KeyRule::Renamed("gen_ai.output.type"),
    // Other producers' spellings.
    "gen_ai.usage.reasoning_tokens" => KeyRule::Renamed("gen_ai.usage.reasoning.output_tokens"),
    "gen_ai.usage.cache_read_input_tokens" => KeyRule::Renamed("gen_ai.usage.cache_read.input_tokens"),
    "gen_ai.usage.cache_creation_input_tokens" => KeyRule::Renamed("gen_ai.usage.cache_creation.input_tokens"),
}

/// The rule of the key an entry stands for: the target's for a rename, its own otherwise;
/// with the target's index.
pub fn resolved_rule(index: usize) -> Option<(usize, KeyRule)> {
    match KEY_RULES.get(index)? {
        (_, KeyRule::Renamed(to)) => key_rule(to),
        (_, rule) => Some((index, *rule)),
    }
}

/// Older `gen_ai.provider.name` (or `gen_ai.system`) values and the current ones, from the
/// registry's deprecated enum members.
pub const PROVIDER_RENAMES: &[(&str, &str)] = &[
    ("vertex_ai", "gcp.vertex_ai"),
    ("gemini", "gcp.gemini"),
    ("az.ai.inference", "azure.ai.inference"),
    ("az.ai.openai", "azure.ai.openai"),
];

/// Tool-call keys of producers that have no `error.type` of their own: rig writes
/// `gen_ai.tool.call.outcome` (`success`, `error`, `denied`, `skipped`) and, on failure,
/// `gen_ai.tool.error.type`.
pub const TOOL_CALL_OUTCOME: &str = "gen_ai.tool.call.outcome";
/// The kind of a failed tool call, where the producer writes it (rig); becomes `error.type`.
pub const TOOL_ERROR_TYPE: &str = "gen_ai.tool.error.type";
/// The [`TOOL_CALL_OUTCOME`] value of a failed call.
pub const TOOL_CALL_OUTCOME_ERROR: &str = "error";
/// The marker rig 0.44 puts on the `chat` span its agent opens around each model call (its
/// "completion parent"). rig records the response's id, model and usage on that span when the
/// provider answers, and nothing when the call fails: a unary one that ended with none of them
/// got no answer.
pub const RIG_COMPLETION_PARENT: &str = "rig.completion_parent";
/// The message of an error recorded with `tracing`'s `%error` / `record_error` through
/// `tracing-opentelemetry` (`exception.message`): the span failed.
pub const EXCEPTION_MESSAGE: &str = "exception.message";
/// The registry's obsolete prompt text (rig writes the user prompt of an agent run here):
/// content, and the last source of OpenInference's `input.value`.
pub const GEN_AI_PROMPT: &str = "gen_ai.prompt";
/// The registry's obsolete completion text (rig writes an agent run's answer here): content,
/// and the last source of OpenInference's `output.value`.
pub const GEN_AI_COMPLETION: &str = "gen_ai.completion";
/// The registry's `error.type` value when no better one is known.
pub const ERROR_TYPE_OTHER: &str = "_OTHER";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{self, RegistryType};

    #[test]
    fn every_key_is_found_at_its_index_and_fits_a_u64_mask() {
        assert!(KEY_RULES.len() <= 64);
        for (i, (key, rule)) in KEY_RULES.iter().enumerate() {
            assert!(KEY_NAMESPACES.iter().any(|ns| key.starts_with(ns)), "{key}");
            assert_eq!(key_rule(key), Some((i, *rule)), "{key}");
        }
    }

    #[test]
    fn types_and_renames_agree_with_the_registry() {
        for (key, rule) in KEY_RULES {
            let spec = registry::attribute(key);
            match rule {
                KeyRule::Int => {
                    if let Some(spec) = spec {
                        assert_eq!(spec.ty, RegistryType::Int, "{key}");
                    }
                }
                KeyRule::StringArray => {
                    assert_eq!(spec.map(|s| s.ty), Some(RegistryType::StringArray), "{key}");
                }
                KeyRule::Renamed(to) => {
                    let target = key_rule(to).map(|(_, r)| r);
                    assert!(
                        matches!(target, Some(r) if !matches!(r, KeyRule::Renamed(_))),
                        "{key} → {to}"
                    );
                    if let Some(renamed) =
                        spec.and_then(|s| s.deprecated).and_then(|d| d.renamed_to)
                    {
                        assert_eq!(renamed, *to, "{key}");
                    }
                }
                KeyRule::Text => {}
            }
        }
    }

    #[test]
    fn every_registry_rename_of_a_gen_ai_key_is_listed() {
        for spec in registry::ATTRIBUTES {
            let Some(to) = spec.deprecated.and_then(|d| d.renamed_to) else {
                continue;
            };
            if to.starts_with("gen_ai.") {
                assert_eq!(
                    key_rule(spec.key).map(|r| r.1),
                    Some(KeyRule::Renamed(to)),
                    "{}",
                    spec.key
                );
            }
        }
    }
}
