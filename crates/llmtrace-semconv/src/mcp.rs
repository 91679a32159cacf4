//! Model Context Protocol keys (registry v1.41.1, `mcp/`): the attributes of MCP client and
//! server spans and of the MCP operation metrics, including the `jsonrpc.*`, `rpc.*`,
//! `network.*` and `client.*` keys those groups reference, plus the `_meta` keys trace context
//! travels under.
//!
//! ```
//! use llmtrace_semconv::{mcp, registry};
//!
//! let span = registry::group("span.mcp.client").expect("in the snapshot");
//! assert!(span.attribute(mcp::MCP_METHOD_NAME).is_some());
//! assert_eq!(mcp::method::TOOLS_CALL, "tools/call");
//! ```

crate::attributes! {
    /// The name of the request or notification method (`tools/call`, `initialize`, …).
    MCP_METHOD_NAME = "mcp.method.name": Enum;
    /// The MCP session the request belongs to.
    MCP_SESSION_ID = "mcp.session.id": String;
    /// The resource URI of `resources/read`, `resources/subscribe`, `resources/unsubscribe`.
    MCP_RESOURCE_URI = "mcp.resource.uri": String;
    /// The negotiated protocol version (`2025-06-18`).
    MCP_PROTOCOL_VERSION = "mcp.protocol.version": String;
    /// The JSON-RPC request id, as a string.
    JSONRPC_REQUEST_ID = "jsonrpc.request.id": String;
    /// The JSON-RPC version, recommended only when it is not `2.0`.
    JSONRPC_PROTOCOL_VERSION = "jsonrpc.protocol.version": String;
    /// The JSON-RPC error code of a failed response, as a string (`-32602`).
    RPC_RESPONSE_STATUS_CODE = "rpc.response.status_code": String;
    /// `pipe` for stdio, `tcp` (or `quic`) for HTTP.
    NETWORK_TRANSPORT = "network.transport": Enum;
    /// `http` for streamable HTTP.
    NETWORK_PROTOCOL_NAME = "network.protocol.name": String;
    /// The HTTP version, when known.
    NETWORK_PROTOCOL_VERSION = "network.protocol.version": String;
    /// The client's address, on server spans.
    CLIENT_ADDRESS = "client.address": String;
    /// The client's port, on server spans.
    CLIENT_PORT = "client.port": Int;
}

/// `error.type` of a `tools/call` whose result says `isError: true`.
pub const TOOL_ERROR: &str = "tool_error";

/// The client-side operation duration histogram (seconds).
pub const CLIENT_OPERATION_DURATION: &str = "mcp.client.operation.duration";
/// The server-side operation duration histogram (seconds).
pub const SERVER_OPERATION_DURATION: &str = "mcp.server.operation.duration";

/// The `params._meta` key of the W3C `traceparent` (SEP-414; what the Python MCP
/// instrumentations inject through the global propagator).
pub const META_TRACEPARENT: &str = "traceparent";
/// The `params._meta` key of the W3C `tracestate`.
pub const META_TRACESTATE: &str = "tracestate";

/// Values of [`MCP_METHOD_NAME`] the instrumentation treats specially.
pub mod method {
    /// `tools/call`: `gen_ai.operation.name = execute_tool`, target = the tool name.
    pub const TOOLS_CALL: &str = "tools/call";
    /// `tools/list`.
    pub const TOOLS_LIST: &str = "tools/list";
    /// `prompts/get`: target = the prompt name.
    pub const PROMPTS_GET: &str = "prompts/get";
    /// `resources/read`: carries `mcp.resource.uri`.
    pub const RESOURCES_READ: &str = "resources/read";
    /// `initialize`.
    pub const INITIALIZE: &str = "initialize";
}

/// The attributes carried from a finished MCP span to the operation-duration metrics
/// (`mcp.operation.metrics.attributes`: the common MCP attributes; `server.*` on the client
/// side). `mcp.session.id` and `jsonrpc.request.id` are left out: they identify one session or
/// request and would make every point its own series.
pub const METRIC_DIMENSIONS: &[&str] = &[
    MCP_METHOD_NAME,
    MCP_PROTOCOL_VERSION,
    crate::attribute::GEN_AI_TOOL_NAME,
    crate::attribute::GEN_AI_PROMPT_NAME,
    crate::attribute::GEN_AI_OPERATION_NAME,
    NETWORK_TRANSPORT,
    NETWORK_PROTOCOL_NAME,
    NETWORK_PROTOCOL_VERSION,
    JSONRPC_PROTOCOL_VERSION,
    RPC_RESPONSE_STATUS_CODE,
    crate::attribute::ERROR_TYPE,
];

/// [`METRIC_DIMENSIONS`] of the client metric only.
pub const CLIENT_METRIC_DIMENSIONS: &[&str] = &[
    crate::attribute::SERVER_ADDRESS,
    crate::attribute::SERVER_PORT,
];
