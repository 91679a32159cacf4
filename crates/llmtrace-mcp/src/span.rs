//! What client and server spans share: the request's description (method, target, tool,
//! prompt, resource), the span itself, and how outcomes are recorded on it.

use opentelemetry::trace::Status;
use opentelemetry::KeyValue;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientRequest, ErrorData};
use rmcp::ServiceError;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace::semconv::{attribute as semconv, mcp, Operation};
use llmtrace::LlmSpanExt;

/// One MCP request as the spans describe it.
#[derive(Debug, Default)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) tool: Option<String>,
    prompt: Option<String>,
    resource_uri: Option<String>,
    arguments: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Request {
    /// A request with no target (`tools/list`, `ping`, `initialize`…).
    pub(crate) fn new(method: &str) -> Self {
        Request {
            method: method.to_owned(),
            ..Request::default()
        }
    }

    pub(crate) fn tool_call(params: &CallToolRequestParams) -> Self {
        Request {
            tool: Some(params.name.to_string()),
            arguments: params.arguments.clone(),
            ..Request::new(mcp::method::TOOLS_CALL)
        }
    }

    pub(crate) fn prompt(method: &str, name: &str) -> Self {
        Request {
            prompt: Some(name.to_owned()),
            ..Request::new(method)
        }
    }

    pub(crate) fn resource(method: &str, uri: &str) -> Self {
        Request {
            resource_uri: Some(uri.to_owned()),
            ..Request::new(method)
        }
    }

    /// The description of a request the client sends.
    pub(crate) fn of_client_request(request: &ClientRequest) -> Self {
        match request {
            ClientRequest::CallToolRequest(r) => Request::tool_call(&r.params),
            ClientRequest::GetPromptRequest(r) => Request::prompt(request.method(), &r.params.name),
            ClientRequest::ReadResourceRequest(r) => {
                Request::resource(request.method(), &r.params.uri)
            }
            ClientRequest::SubscribeRequest(r) => {
                Request::resource(request.method(), &r.params.uri)
            }
            ClientRequest::UnsubscribeRequest(r) => {
                Request::resource(request.method(), &r.params.uri)
            }
            other => Request::new(other.method()),
        }
    }

    /// `{mcp.method.name} {target}`, the target being the tool or prompt name; the method alone
    /// without one (resource URIs are left out of names: high cardinality).
    pub(crate) fn span_name(&self) -> String {
        match self.tool.as_deref().or(self.prompt.as_deref()) {
            Some(target) => format!("{} {target}", self.method),
            None => self.method.clone(),
        }
    }

    /// The attributes the request itself gives (not content).
    pub(crate) fn attributes(&self) -> Vec<KeyValue> {
        let mut out = vec![KeyValue::new(mcp::MCP_METHOD_NAME, self.method.clone())];
        if let Some(tool) = &self.tool {
            out.push(KeyValue::new(semconv::GEN_AI_TOOL_NAME, tool.clone()));
            out.push(KeyValue::new(
                semconv::GEN_AI_OPERATION_NAME,
                Operation::ExecuteTool.as_str(),
            ));
        }
        if let Some(prompt) = &self.prompt {
            out.push(KeyValue::new(semconv::GEN_AI_PROMPT_NAME, prompt.clone()));
        }
        if let Some(uri) = &self.resource_uri {
            out.push(KeyValue::new(mcp::MCP_RESOURCE_URI, uri.clone()));
        }
        out
    }

    /// The tool's arguments (`gen_ai.tool.call.arguments`), when content capture is on for the
    /// current pipeline.
    pub(crate) fn record_arguments(&self, span: &tracing::Span) {
        if let Some(arguments) = &self.arguments {
            if llmtrace::capture_content() {
                let text = serde_json::Value::Object(arguments.clone()).to_string();
                span.set_attribute(semconv::GEN_AI_TOOL_CALL_ARGUMENTS, text);
            }
        }
    }
}

/// A new CLIENT span of the MCP instrumentation (INFO, target `llmtrace_mcp`), a child of the
/// current span; not entered.
pub(crate) fn client_span(name: &str) -> tracing::Span {
    tracing::info_span!(target: "llmtrace_mcp", "mcp", otel.name = name, otel.kind = "client")
}

/// A new SERVER span: a root in `tracing` (not a child of the span current where rmcp runs the
/// handler, its session-long `serve_inner`), whose OpenTelemetry parent is `remote` when the
/// request carried one; not entered.
pub(crate) fn server_span(name: &str, remote: Option<opentelemetry::Context>) -> tracing::Span {
    let span = tracing::info_span!(
        target: "llmtrace_mcp",
        parent: None,
        "mcp",
        otel.name = name,
        otel.kind = "server",
    );
    if let Some(remote) = remote {
        let _ = span.set_parent(remote);
    }
    span
}

pub(crate) fn set_attributes(span: &tracing::Span, attributes: Vec<KeyValue>) {
    for kv in attributes {
        span.set_attribute(kv.key, kv.value);
    }
}

/// A JSON-RPC error response: `error.type` and `rpc.response.status_code` = the code, status
/// ERROR with the error's message.
pub(crate) fn record_jsonrpc_error(span: &tracing::Span, error: &ErrorData) {
    let code = error.code.0.to_string();
    span.set_attribute(mcp::RPC_RESPONSE_STATUS_CODE, code.clone());
    span.record_error_type(&code, &error.message);
}

/// A request that failed on the client side: a JSON-RPC error as
/// [`record_jsonrpc_error`], anything else (closed transport, timeout…) with a low-cardinality
/// `error.type` naming the failure.
pub(crate) fn record_service_error(span: &tracing::Span, error: &ServiceError) {
    let kind = match error {
        ServiceError::McpError(error) => return record_jsonrpc_error(span, error),
        ServiceError::TransportSend(_) => "transport_send",
        ServiceError::TransportClosed => "transport_closed",
        ServiceError::UnexpectedResponse => "unexpected_response",
        ServiceError::Cancelled { .. } => "cancelled",
        ServiceError::Timeout { .. } => "timeout",
        _ => semconv::ERROR_TYPE_OTHER,
    };
    span.record_error_type(kind, &error.to_string());
}

/// A tool's result: its structured content (else its content blocks) as
/// `gen_ai.tool.call.result` when content capture is on; with `isError: true`, status ERROR and
/// `error.type = tool_error` (the status description is the result's first text only when
/// content is captured: it is the tool's output).
pub(crate) fn record_tool_result(span: &tracing::Span, result: &CallToolResult) {
    let value = match &result.structured_content {
        Some(structured) => structured.clone(),
        None => serde_json::to_value(&result.content).unwrap_or(serde_json::Value::Null),
    };
    span.record_tool_result(&value);
    if result.is_error != Some(true) {
        return;
    }
    span.set_attribute(semconv::ERROR_TYPE, mcp::TOOL_ERROR);
    let text = result
        .content
        .iter()
        .find_map(|c| c.as_text().map(|t| t.text.clone()))
        .filter(|_| llmtrace::capture_content())
        .unwrap_or_else(|| "the tool returned isError: true".to_owned());
    span.set_status(Status::error(text));
}
