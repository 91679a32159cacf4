//! The typed span API: builders that start GenAI spans with the right name, kind and required
//! attributes, and [`LlmSpanExt`] to record what happens afterwards.

mod adopt;
mod builder;
mod ext;
mod types;

pub use adopt::adopt_tool_span;
pub use builder::{
    agent, chain, chat, completion, embeddings, kind, rerank, retrieval, tool, SpanBuilder,
};
pub(crate) use builder::{custom_span, with_builders_enabled};
pub use ext::LlmSpanExt;
pub(crate) use ext::{error_type_name, with_input_only_usage};
pub use types::{Document, Message, Response, Role, ToolCall, ToolDefinition, Usage};
