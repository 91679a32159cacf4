//! OpenTelemetry tracing for [Model Context Protocol](https://modelcontextprotocol.io) clients
//! and servers built with [`rmcp`], the Rust MCP SDK, on top of [`llmtrace`]: one trace across
//! the agent, its MCP tool servers and the processes (and languages) in between.
//!
//! - **Client**: [`TracedPeer`] (`client.traced(Transport::stdio())`) sends each request in a
//!   CLIENT span named `{mcp.method.name} {target}` (`tools/call get_weather`) and puts that
//!   span's W3C context in the request's `params._meta` (`traceparent`, `tracestate`: the keys
//!   the Python OpenTelemetry MCP instrumentations read and write).
//! - **Server**: [`TracedServer`] (`handler.traced(Transport::stdio())`) wraps any
//!   [`rmcp::ServerHandler`]; every request it handles runs in a SERVER span whose parent is the
//!   context found in `params._meta`, whatever the transport (stdio, streamable HTTP, any
//!   `AsyncRead + AsyncWrite`).
//! - **Attributes** per the MCP semantic conventions (registry v1.41.1): `mcp.method.name`,
//!   `mcp.protocol.version`, `mcp.session.id` (HTTP server side), `mcp.resource.uri`,
//!   `jsonrpc.request.id`, `network.transport` (`pipe` for stdio, `tcp` for HTTP),
//!   `network.protocol.name`, `server.address`/`server.port` (client), `gen_ai.tool.name` and
//!   `gen_ai.operation.name = execute_tool` for `tools/call`, `gen_ai.prompt.name`.
//! - **Errors**: a JSON-RPC error response sets status ERROR (its message as description),
//!   `error.type` and `rpc.response.status_code` to the error code (`-32602`); a tool result with
//!   `isError: true` sets status ERROR and `error.type = tool_error`; a transport failure on the
//!   client sets `error.type` to `transport_closed`, `timeout`, `cancelled`…
//! - **Content**: the tool's arguments (`gen_ai.tool.call.arguments`) and result
//!   (`gen_ai.tool.call.result`: structured content, else the content blocks) only while
//!   llmtrace's content capture is on ([`llmtrace::capture_content`]), and then through its
//!   redacting processor like every other content attribute.
//! - **Execute-tool compatibility**: a `tools/call` made inside the `execute_tool` span llmtrace
//!   started for the same tool ([`llmtrace::tool()`], `#[llmtrace::tool]`) adds the MCP
//!   attributes to that span and propagates it, instead of starting a duplicate CLIENT span
//!   ([`TracedPeer::reuse_tool_spans`] turns this off).
//! - **Metrics**: with llmtrace's metrics on, every finished MCP span also records
//!   `mcp.client.operation.duration` or `mcp.server.operation.duration` (seconds) with the
//!   conventions' attributes ([`llmtrace::metrics::MetricsProcessor`]).
//!
//! ```
//! use llmtrace_mcp::{PeerExt as _, ServerHandlerExt as _, Transport};
//! use rmcp::model::{CallToolRequestParams, CallToolResult, ServerCapabilities, ServerConfig};
//! use rmcp::{handler::server::router::tool::ToolRouter, tool, tool_handler, tool_router};
//! use rmcp::{ServerHandler, ServiceExt as _};
//!
//! #[derive(Clone)]
//! struct Weather {
//!     tool_router: ToolRouter<Self>,
//! }
//!
//! #[tool_router]
//! impl Weather {
//!     #[tool(description = "Today's weather in Oslo")]
//!     async fn get_weather(&self) -> String {
//!         "cold".to_owned()
//!     }
//! }
//!
//! #[tool_handler]
//! impl ServerHandler for Weather {
//!     fn get_info(&self) -> ServerConfig {
//!         ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let guard = llmtrace::builder().install_global(false).console(false).build()?;
//! let _default = tracing::dispatcher::set_default(&guard.dispatch());
//!
//! // The server and the client would be two processes talking over stdio; here they share a
//! // pipe. Any transport works the same way.
//! let (server_io, client_io) = tokio::io::duplex(64 * 1024);
//! let server = Weather { tool_router: Weather::tool_router() }.traced(Transport::stdio());
//! tokio::spawn(async move {
//!     let running = server.serve(server_io).await?;
//!     running.waiting().await?;
//!     Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//! });
//!
//! let client = ().serve(client_io).await?;
//! let traced = client.traced(Transport::stdio());
//! // span `tools/call get_weather` (CLIENT) → span `tools/call get_weather` (SERVER)
//! let result: CallToolResult = traced.call_tool(CallToolRequestParams::new("get_weather")).await?;
//! assert_eq!(result.content[0].as_text().map(|t| t.text.as_str()), Some("cold"));
//! client.cancel().await?;
//! # Ok(())
//! # }
//! ```
//!
//! rmcp writes `tracing` spans of its own (`serve_inner`, one per session, at INFO): filter them
//! out of the trace with `LLMTRACE_LOG=info,rmcp=warn`.

mod client;
mod propagation;
mod server;
mod span;
mod transport;

pub use client::{PeerExt, TracedPeer};
pub use propagation::{extract_context, inject_context};
pub use server::{ServerHandlerExt, TracedServer};
pub use transport::Transport;

/// The README's example, compiled with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
