//! The client side: [`TracedPeer`] sends each request in a CLIENT span (or in the
//! `execute_tool` span already tracing the call) and puts that span's context in the request's
//! `params._meta`.

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, CancelledNotification,
    CancelledNotificationParam, ClientRequest, GetMeta as _, GetPromptRequest,
    GetPromptRequestParams, GetPromptResult, ListPromptsRequest, ListPromptsResult,
    ListResourcesRequest, ListResourcesResult, ListToolsRequest, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequest, ReadResourceRequestParams, ReadResourceResult,
    RequestId, ServerResult,
};
use rmcp::service::{PeerRequestOptions, RoleClient};
use rmcp::{Peer, ServiceError};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace::semconv::mcp;
use llmtrace::LlmSpanExt as _;

use crate::span::{self, Request};
use crate::{inject_context, Transport};

/// An MCP client peer whose requests are traced: each one is a CLIENT span
/// `{mcp.method.name} {target}` (`tools/call get_weather`) with the MCP attributes, its context
/// injected into the request's `params._meta` so the server's spans join the trace.
///
/// When the call is made inside an `execute_tool` span llmtrace started for the same tool
/// ([`llmtrace::tool()`] or `#[llmtrace::tool]`), that span gets the MCP attributes and is
/// propagated instead, with no duplicate span (the MCP conventions' execute-tool
/// compatibility); [`reuse_tool_spans(false)`](Self::reuse_tool_spans) turns that off.
///
/// Requests `serve()` sends by itself (`initialize`) are not traced; the requests of this type's
/// methods are.
#[derive(Debug, Clone)]
pub struct TracedPeer {
    peer: Peer<RoleClient>,
    transport: Transport,
    reuse_tool_spans: bool,
}

/// Armed while a response is awaited: if the caller drops the request's future first (a
/// timeout, a cancelled task), the span is marked `error.type = cancelled` and the server is told
/// to stop (`notifications/cancelled`), as rmcp's own request methods do.
struct CancelOnDrop<'a> {
    peer: &'a Peer<RoleClient>,
    id: Option<RequestId>,
    span: &'a tracing::Span,
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else {
            return;
        };
        const REASON: &str = "request abandoned by the caller";
        self.span.record_error_type("cancelled", REASON);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let peer = self.peer.clone();
        let param = CancelledNotificationParam::new(Some(id), Some(REASON.to_owned()));
        runtime.spawn(async move {
            let _ = peer
                .send_notification(CancelledNotification::new(param).into())
                .await;
        });
    }
}

/// `traced()` on an rmcp client (a `Peer<RoleClient>`, or the `RunningService` that derefs to
/// one).
pub trait PeerExt {
    /// A [`TracedPeer`] sending through this peer over `transport`.
    fn traced(&self, transport: Transport) -> TracedPeer;
}

impl PeerExt for Peer<RoleClient> {
    fn traced(&self, transport: Transport) -> TracedPeer {
        TracedPeer::new(self.clone(), transport)
    }
}

impl TracedPeer {
    /// Traces the requests sent through `peer` over `transport`.
    pub fn new(peer: Peer<RoleClient>, transport: Transport) -> Self {
        TracedPeer {
            peer,
            transport,
            reuse_tool_spans: true,
        }
    }

    /// Whether a `tools/call` made inside llmtrace's `execute_tool` span of the same tool adds
    /// its attributes to that span instead of starting a CLIENT span (default: true).
    pub fn reuse_tool_spans(mut self, on: bool) -> Self {
        self.reuse_tool_spans = on;
        self
    }

    /// The untraced peer.
    pub fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// Sends any request in a span and waits for the response.
    pub async fn send_request(
        &self,
        mut request: ClientRequest,
    ) -> Result<ServerResult, ServiceError> {
        let description = Request::of_client_request(&request);
        let span = self.span_for(&description);
        span::set_attributes(&span, description.attributes());
        span::set_attributes(&span, self.transport.attributes(true));
        if let Some(info) = self.peer.peer_info() {
            let version = info.protocol_version.as_str().to_owned();
            span.set_attribute(mcp::MCP_PROTOCOL_VERSION, version);
        }
        description.record_arguments(&span);
        // A span filtered out by the subscriber still passes the caller's context on.
        let cx = if span.is_disabled() {
            opentelemetry::Context::current()
        } else {
            span.context()
        };
        inject_context(&cx, request.get_meta_mut());
        let result = async {
            let handle = self
                .peer
                .send_request_with_option(request, PeerRequestOptions::no_options())
                .await?;
            span.set_attribute(mcp::JSONRPC_REQUEST_ID, handle.id.to_string());
            let mut abandoned = CancelOnDrop {
                peer: &self.peer,
                id: Some(handle.id.clone()),
                span: &span,
            };
            let response = handle.await_response().await;
            abandoned.id = None;
            response
        }
        .instrument(span.clone())
        .await;
        match &result {
            Ok(ServerResult::CallToolResult(result)) => span::record_tool_result(&span, result),
            // A `tools/call` answered with something that is not a tool result: the caller of
            // `call_tool` gets `UnexpectedResponse`, and the span says so.
            Ok(other) if description.tool.is_some() && contentless_tool_result(other).is_none() => {
                span::record_service_error(&span, &ServiceError::UnexpectedResponse);
            }
            Ok(_) => {}
            Err(error) => span::record_service_error(&span, error),
        }
        result
    }

    /// The span to trace `request` in: the current `execute_tool` span of the same tool when
    /// it may be adopted, else a new CLIENT span (a child of the current span).
    fn span_for(&self, request: &Request) -> tracing::Span {
        if self.reuse_tool_spans {
            if let Some(tool) = &request.tool {
                let current = tracing::Span::current();
                if llmtrace::adopt_tool_span(&current, tool) {
                    return current;
                }
            }
        }
        span::client_span(&request.span_name())
    }

    /// `tools/call`: a result with `isError: true` is returned as `Ok` (and marks the span
    /// failed, `error.type = tool_error`).
    pub async fn call_tool(
        &self,
        params: CallToolRequestParams,
    ) -> Result<CallToolResult, ServiceError> {
        match self
            .send_request(CallToolRequest::new(params).into())
            .await?
        {
            ServerResult::CallToolResult(result) => Ok(result),
            other => contentless_tool_result(&other).ok_or(ServiceError::UnexpectedResponse),
        }
    }

    /// `tools/list` (one page).
    pub async fn list_tools(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListToolsResult, ServiceError> {
        let request = ListToolsRequest {
            params,
            ..ListToolsRequest::default()
        };
        match self.send_request(request.into()).await? {
            ServerResult::ListToolsResult(result) => Ok(result),
            _ => Err(ServiceError::UnexpectedResponse),
        }
    }

    /// `prompts/list` (one page).
    pub async fn list_prompts(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListPromptsResult, ServiceError> {
        let request = ListPromptsRequest {
            params,
            ..ListPromptsRequest::default()
        };
        match self.send_request(request.into()).await? {
            ServerResult::ListPromptsResult(result) => Ok(result),
            _ => Err(ServiceError::UnexpectedResponse),
        }
    }

    /// `prompts/get`.
    pub async fn get_prompt(
        &self,
        params: GetPromptRequestParams,
    ) -> Result<GetPromptResult, ServiceError> {
        match self
            .send_request(GetPromptRequest::new(params).into())
            .await?
        {
            ServerResult::GetPromptResult(result) => Ok(result),
            _ => Err(ServiceError::UnexpectedResponse),
        }
    }

    /// `resources/list` (one page).
    pub async fn list_resources(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListResourcesResult, ServiceError> {
        let request = ListResourcesRequest {
            params,
            ..ListResourcesRequest::default()
        };
        match self.send_request(request.into()).await? {
            ServerResult::ListResourcesResult(result) => Ok(result),
            _ => Err(ServiceError::UnexpectedResponse),
        }
    }

    /// `resources/read`.
    pub async fn read_resource(
        &self,
        params: ReadResourceRequestParams,
    ) -> Result<ReadResourceResult, ServiceError> {
        match self
            .send_request(ReadResourceRequest::new(params).into())
            .await?
        {
            ServerResult::ReadResourceResult(result) => Ok(result),
            _ => Err(ServiceError::UnexpectedResponse),
        }
    }
}

/// A `tools/call` reply without `content` (allowed: it defaults to empty), which rmcp decodes
/// as an empty result or, with only `_meta`, as a custom one: the empty tool result it stands
/// for, as rmcp's own `call_tool` reads it. `None` for any other reply.
fn contentless_tool_result(reply: &ServerResult) -> Option<CallToolResult> {
    let meta = match reply {
        ServerResult::EmptyResult(_) => None,
        ServerResult::CustomResult(custom) => {
            let object = custom.0.as_object()?;
            if object.len() != 1 {
                return None;
            }
            Some(serde_json::from_value(object.get("_meta")?.clone()).ok()?)
        }
        _ => return None,
    };
    let mut result = CallToolResult::success(Vec::new());
    result.result_type = None;
    result.meta = meta;
    Some(result)
}

#[cfg(test)]
mod tests {
    use rmcp::model::{CustomResult, EmptyObject, ServerResult};
    use serde_json::json;

    use super::contentless_tool_result;

    #[test]
    fn replies_without_content_are_empty_tool_results_and_others_are_not() {
        let empty = contentless_tool_result(&ServerResult::EmptyResult(EmptyObject {}))
            .expect("an empty result");
        assert!(empty.content.is_empty() && empty.meta.is_none());
        let meta_only = ServerResult::CustomResult(CustomResult::new(json!({"_meta": {"k": 1}})));
        let meta = contentless_tool_result(&meta_only).expect("a meta-only result");
        assert!(meta.meta.is_some_and(|m| m.get("k") == Some(&json!(1))));
        for other in [json!({"_meta": {}, "x": 1}), json!({"x": 1}), json!([1])] {
            let reply = ServerResult::CustomResult(CustomResult::new(other.clone()));
            assert!(contentless_tool_result(&reply).is_none(), "{other}");
        }
    }
}
