//! Which `execute_tool` spans llmtrace started, so that an instrumentation of the protocol a
//! tool is reached through (MCP) can add its attributes to the tool's span instead of starting a
//! duplicate one, as the MCP conventions ask ("if the MCP instrumentation can reliably detect
//! that outer GenAI instrumentation is already tracing the tool execution, it SHOULD NOT create
//! a separate span").
//!
//! The span API ([`tool`](crate::tool())) and `#[tool]` leave a marker in the span's
//! `tracing-subscriber` extensions; [`adopt_tool_span`] reads it.

use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Registry;

/// The marker: the tool's name, and whether an instrumentation took the span over.
struct ToolSpanMarker {
    name: String,
    adopted: AtomicBool,
}

/// Marks `span` as the `execute_tool` span of `name` (no-op under a subscriber without a
/// `tracing-subscriber` registry).
pub(super) fn mark_tool_span(span: &tracing::Span, name: &str) {
    span.with_subscriber(|(id, dispatch)| {
        let Some(registry) = dispatch.downcast_ref::<Registry>() else {
            return;
        };
        if let Some(data) = registry.span(id) {
            data.extensions_mut().insert(ToolSpanMarker {
                name: name.to_owned(),
                adopted: AtomicBool::new(false),
            });
        }
    });
}

/// Whether `span` is an `execute_tool` span llmtrace started (with [`tool`](crate::tool()) or
/// `#[tool]`) for the tool `name`, not yet adopted by another caller; the first caller that gets
/// `true` owns the right to add its attributes to the span (and to put its context on the
/// wire), every later call gets `false` and should start its own span.
///
/// ```
/// let guard = llmtrace::builder().install_global(false).console(false).build()?;
/// tracing::dispatcher::with_default(&guard.dispatch(), || {
///     let tool = llmtrace::tool("get_weather").start();
///     assert!(!llmtrace::adopt_tool_span(&tool, "search"));
///     assert!(llmtrace::adopt_tool_span(&tool, "get_weather"));
///     assert!(!llmtrace::adopt_tool_span(&tool, "get_weather")); // adopted once
///     assert!(!llmtrace::adopt_tool_span(&llmtrace::chat("gpt-4o").start(), "get_weather"));
/// });
/// # Ok::<(), llmtrace::InitError>(())
/// ```
pub fn adopt_tool_span(span: &tracing::Span, name: &str) -> bool {
    span.with_subscriber(|(id, dispatch)| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        let data = registry.span(id)?;
        let extensions = data.extensions();
        let marker = extensions.get::<ToolSpanMarker>()?;
        Some(
            marker.name == name
                && marker
                    .adopted
                    .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok(),
        )
    })
    .flatten()
    .unwrap_or(false)
}
