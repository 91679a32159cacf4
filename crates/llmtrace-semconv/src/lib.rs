//! Attribute keys, enum values and span-naming rules of the
//! [OpenTelemetry GenAI semantic conventions](https://opentelemetry.io/docs/specs/semconv/gen-ai/)
//! **v1.41.1**, plus the [OpenInference](https://github.com/Arize-ai/openinference) keys that
//! llmtrace mirrors so LLM-aware backends (Arize Phoenix, Langfuse) render spans natively, and the
//! few `llmtrace.*` keys of our own.
//!
//! This crate has no dependencies and no logic beyond naming: it is the single place where an
//! attribute string is spelled.
//!
//! ```
//! use llmtrace_semconv::{attribute, span_name, Operation, SpanKind};
//!
//! assert_eq!(attribute::GEN_AI_REQUEST_MODEL, "gen_ai.request.model");
//! assert_eq!(span_name(Operation::Chat, Some("gpt-4o")), "chat gpt-4o");
//! assert_eq!(Operation::ExecuteTool.span_kind(), SpanKind::Internal);
//! ```
//!
//! | module | what it holds |
//! |---|---|
//! | [`aliases`] | older and other producers' keys and types, and what they become |
//! | [`attribute`] | every `gen_ai.*`, `error.*`, `server.*` key we emit, with its type ([`attribute::ALL`]) |
//! | [`content`] | which attributes hold message content, whoever wrote them |
//! | [`openinference`] | OpenInference keys and [`openinference::SpanKind`] values |
//! | [`llmtrace`] | keys of llmtrace's own (cost, streaming, sampling, agent loops) |
//! | [`mcp`] | Model Context Protocol span and metric keys (`mcp.*`, `jsonrpc.*`, `network.*`…) |
//! | [`registry`] | a snapshot of the semantic-convention registry: attribute types, spans, metrics |
//! | [`value`] | typed enums for enum-valued attributes ([`Operation`], [`Provider`], …) |
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

pub mod aliases;
pub mod attribute;
pub mod content;
pub mod llmtrace;
pub mod mcp;
pub mod openinference;
pub mod registry;
mod span;
pub mod value;

pub use span::{span_name, SpanKind};
pub use value::{Operation, OutputType, Provider, TokenType};

/// The schema URL of the semantic-convention version these keys follow.
pub const SCHEMA_URL: &str = "https://opentelemetry.io/schemas/1.41.1";

/// The semantic-convention version these keys follow.
pub const SEMCONV_VERSION: &str = "1.41.1";

/// The type of an attribute's value, as the semantic-convention registry names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// A UTF-8 string.
    String,
    /// An array of strings.
    StringArray,
    /// A 64-bit signed integer.
    Int,
    /// A 64-bit float.
    Double,
    /// A boolean.
    Boolean,
    /// Any value; GenAI content attributes (messages, tool arguments) are recorded as JSON strings.
    Any,
    /// One of a fixed set of string values (see [`value`]).
    Enum,
}

/// An attribute key together with the type of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeDef {
    /// The attribute key, such as `gen_ai.request.model`.
    pub key: &'static str,
    /// The type of the value recorded under [`key`](Self::key).
    pub value_type: ValueType,
}

/// Declares documented `pub const` keys and an `ALL` table listing them with their types.
macro_rules! attributes {
    ($( $(#[$doc:meta])* $name:ident = $key:literal : $ty:ident; )*) => {
        $( $(#[$doc])* pub const $name: &str = $key; )*

        /// Every key of this module with the type of its value.
        pub const ALL: &[$crate::AttributeDef] = &[
            $( $crate::AttributeDef { key: $key, value_type: $crate::ValueType::$ty }, )*
        ];
    };
}
pub(crate) use attributes;
