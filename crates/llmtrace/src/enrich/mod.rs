//! The GenAI enrichment stage: what is derived from the `gen_ai.*` attributes of a finished span,
//! whoever created it — llmtrace's span API and macros, `llmtrace-openai`, or another library
//! writing the conventions through `tracing-opentelemetry` (rig, genai, a hand-written
//! `tracing::info_span!`).
//!
//! [`NormalizingProcessor`] runs first, ahead of cost: it makes any GenAI span look like one
//! llmtrace wrote (integer token counts, current key names, `{operation} {target}` names,
//! kinds, error status; see [`normalize_span`]) and removes content with capture off, so every
//! later stage reads one shape.
//!
//! Instrumentation writes each fact once, under its `gen_ai.*` key;
//! [`OpenInferenceProcessor`] adds the [OpenInference](https://github.com/Arize-ai/openinference)
//! mirror Arize Phoenix renders (span kind, model, token counts, `input.value` /
//! `output.value`, flattened messages and tools, retrieval documents) when the span ends, ahead
//! of metrics and redaction (the cost processor before it reads only `gen_ai.*`), so the redactor
//! scrubs the mirror like everything else.
//! [`openinference_attributes`] is the mapping itself, a pure function.

mod messages;
mod normalize;
mod openinference;
mod processor;

pub use normalize::{normalize_span, NormalizingProcessor};
pub use openinference::openinference_attributes;
pub use processor::OpenInferenceProcessor;
