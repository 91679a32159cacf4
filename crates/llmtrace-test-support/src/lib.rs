//! Helpers shared by the tests of the llmtrace workspace — one copy of each, used by the
//! integration tests of `llmtrace`, `llmtrace-openai` and the workspace root's end-to-end tests
//! through a path dev-dependency. It is not published, in the way `tracing-mock` serves the
//! `tracing` crates' tests.
//!
//! | module | what it holds |
//! |---|---|
//! | [`in_memory`] | a pipeline that exports into memory, and running code under it ([`run`], [`run_async`], [`run_in`]); [`DiscardingExporter`] for benches |
//! | [`span_lookup`] | lookups on exported spans: [`find_span`], [`attr`] and its typed forms, [`is_child_of`], [`all_strings`] |
//! | [`grpc_receiver`] | a controllable OTLP/gRPC receiver for fault tests |
//! | [`http_receiver`] | a minimal OTLP/HTTP (protobuf) receiver |
//! | [`examples`] | building and running the workspace's example binaries |
//! | [`otlp_json`] | spans read back from the OTLP-JSON lines of `LLMTRACE_FILE` |
//! | [`mock_provider`] | a local OpenAI-compatible provider, for the examples that run genai and rig offline |
//!
//! The pipeline, span-lookup and example helpers are re-exported at the crate root, so a test
//! starts with `use llmtrace_test_support::*;`.
//!
//! ```
//! use llmtrace_test_support::{attr_str, find_span, run};
//!
//! let spans = run(false, || {
//!     llmtrace::chat("gpt-4o").provider("openai").start().in_scope(|| {});
//! });
//! let chat = find_span(&spans, "chat gpt-4o");
//! assert_eq!(
//!     attr_str(chat, llmtrace::semconv::attribute::GEN_AI_PROVIDER_NAME).as_deref(),
//!     Some("openai")
//! );
//! ```

// Test helpers: a failed `unwrap` is a failed test, reported at the helper's line, and the
// helpers have no caller that could handle the error better.
#![allow(clippy::unwrap_used)]

pub mod examples;
pub mod grpc_receiver;
pub mod http_receiver;
pub mod in_memory;
pub mod mock_provider;
pub mod otlp_json;
pub mod span_lookup;

pub use examples::{example_bin, run_example, workspace_root};
pub use in_memory::{pipeline, pipeline_with, run, run_async, run_in, DiscardingExporter};
pub use span_lookup::{
    all_strings, attr, attr_bool, attr_f64, attr_i64, attr_str, attr_strings, find_span,
    is_child_of, names,
};
