//! The server side: [`TracedServer`] wraps any [`ServerHandler`] so that every request it
//! handles runs in a SERVER span whose parent is the context the client put in `params._meta`.

use std::borrow::Cow;
use std::future::Future;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, CancelledNotificationParam,
    CompleteRequestParams, CompleteResult, CustomNotification, CustomRequest, CustomResult,
    DiscoverResult, GetPromptRequestParams, GetPromptResponse, GetSkillRequestParams,
    GetSkillResult, GetTaskParams, GetTaskResult, InitializeRequestParams, InitializeResult,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListSkillsResult,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, ProtocolVersion,
    ReadResourceDirectoryRequestParams, ReadResourceDirectoryResult, ReadResourceRequestParams,
    ReadResourceResponse, ServerConfig, SubscribeRequestParams, SubscriptionFilter, Tool,
    UnsubscribeRequestParams, UpdateTaskParams,
};
// Deprecated by SEP-2577 (logging), still sent by clients of older protocol versions.
#[allow(deprecated)]
use rmcp::model::SetLevelRequestParams;
use rmcp::service::{NotificationContext, RequestContext, RoleServer, SubscriptionContext};
use rmcp::{ErrorData as McpError, ServerHandler};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace::semconv::mcp;

use crate::span::{self, Request};
use crate::{extract_context, Transport};

/// An rmcp [`ServerHandler`] whose requests are traced: each one handled runs in a SERVER span
/// `{mcp.method.name} {target}` (`tools/call get_weather`) with the MCP attributes; its parent
/// is the trace context the client sent in `params._meta` (W3C `traceparent`/`tracestate`), so
/// a traced client's span and this server's span are one trace across the process boundary.
/// Spans the handler starts (`#[llmtrace::tool]`, model calls…) are its children.
///
/// A request without a valid `traceparent` starts a new trace (its span is a root, not a child
/// of whatever span was current when the server was started). Notifications are passed on
/// untraced.
///
/// Being a `ServerHandler` itself, it serves over any transport: `serve(stdio())`, or the
/// streamable HTTP service (`StreamableHttpService::new(|| Ok(MyServer::new().traced(..)), ..)`).
#[derive(Debug, Clone)]
pub struct TracedServer<S> {
    inner: S,
    transport: Transport,
}

/// `traced()` on any [`ServerHandler`].
pub trait ServerHandlerExt: ServerHandler {
    /// This handler with every request traced; `transport` says what the spans record about
    /// the connection ([`Transport::stdio`], [`Transport::http_server`]).
    fn traced(self, transport: Transport) -> TracedServer<Self> {
        TracedServer::new(self, transport)
    }
}

impl<S: ServerHandler> ServerHandlerExt for S {}

impl<S> TracedServer<S> {
    /// Traces the requests `inner` handles over `transport`.
    pub fn new(inner: S, transport: Transport) -> Self {
        TracedServer { inner, transport }
    }

    /// The wrapped handler.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The SERVER span of `request`, its parent taken from the request's `_meta`.
    fn start(&self, request: &Request, context: &RequestContext<RoleServer>) -> tracing::Span {
        let span = span::server_span(&request.span_name(), extract_context(&context.meta));
        span::set_attributes(&span, request.attributes());
        span::set_attributes(&span, self.transport.attributes(false));
        span.set_attribute(mcp::JSONRPC_REQUEST_ID, context.id.to_string());
        if let Some(version) = context.protocol_version() {
            span.set_attribute(mcp::MCP_PROTOCOL_VERSION, version.as_str().to_owned());
        }
        if let Some(session) = session_id(context) {
            span.set_attribute(mcp::MCP_SESSION_ID, session);
        }
        request.record_arguments(&span);
        span
    }
}

/// The `Mcp-Session-Id` header of the HTTP request that carried the message, if any.
fn session_id(context: &RequestContext<RoleServer>) -> Option<String> {
    let parts = context.extensions.get::<http::request::Parts>()?;
    let value = parts.headers.get("mcp-session-id")?.to_str().ok()?;
    Some(value.to_owned())
}

/// Runs `future` in `span`, recording a JSON-RPC error, or what `on_ok` reads from a result.
async fn run<T>(
    span: tracing::Span,
    future: impl Future<Output = Result<T, McpError>>,
    on_ok: impl FnOnce(&tracing::Span, &T),
) -> Result<T, McpError> {
    let result = future.instrument(span.clone()).await;
    match &result {
        Ok(value) => on_ok(&span, value),
        Err(error) => span::record_jsonrpc_error(&span, error),
    }
    result
}

fn nothing<T>(_: &tracing::Span, _: &T) {}

fn tool_response(span: &tracing::Span, response: &CallToolResponse) {
    if let CallToolResponse::Complete(result) = response {
        span::record_tool_result(span, result);
    }
}

/// Every request method traced, every other one passed on as it is.
impl<S: ServerHandler> ServerHandler for TracedServer<S> {
    async fn ping(&self, context: RequestContext<RoleServer>) -> Result<(), McpError> {
        let span = self.start(&Request::new("ping"), &context);
        run(span, self.inner.ping(context), nothing).await
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, McpError> {
        let span = self.start(&Request::new(mcp::method::INITIALIZE), &context);
        let version = request.protocol_version.as_str().to_owned();
        span.set_attribute(mcp::MCP_PROTOCOL_VERSION, version);
        run(
            span,
            self.inner.initialize(request, context),
            |span, result| {
                let version = result.protocol_version.as_str().to_owned();
                span.set_attribute(mcp::MCP_PROTOCOL_VERSION, version);
            },
        )
        .await
    }

    fn negotiate_initialize(
        &self,
        request: &InitializeRequestParams,
    ) -> Result<InitializeResult, McpError> {
        self.inner.negotiate_initialize(request)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.inner.supported_protocol_versions()
    }

    async fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<DiscoverResult, McpError> {
        let span = self.start(&Request::new("server/discover"), &context);
        run(span, self.inner.discover(context), nothing).await
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        let span = self.start(&Request::new("completion/complete"), &context);
        run(span, self.inner.complete(request, context), nothing).await
    }

    // Legacy (before 2026-07-28) but still served: forwarded and traced.
    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let span = self.start(&Request::new("logging/setLevel"), &context);
        run(span, self.inner.set_level(request, context), nothing).await
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let span = self.start(
            &Request::prompt(mcp::method::PROMPTS_GET, &request.name),
            &context,
        );
        run(span, self.inner.get_prompt(request, context), nothing).await
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        let span = self.start(&Request::new("prompts/list"), &context);
        run(span, self.inner.list_prompts(request, context), nothing).await
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let span = self.start(&Request::new("resources/list"), &context);
        run(span, self.inner.list_resources(request, context), nothing).await
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        let span = self.start(&Request::new("resources/templates/list"), &context);
        run(
            span,
            self.inner.list_resource_templates(request, context),
            nothing,
        )
        .await
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let description = Request::resource(mcp::method::RESOURCES_READ, &request.uri);
        let span = self.start(&description, &context);
        run(span, self.inner.read_resource(request, context), nothing).await
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        self.inner.accepted_subscription_filter(requested)
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), McpError> {
        self.inner.listen(context).await
    }

    // Legacy (before 2026-07-28) but still served: forwarded and traced.
    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let span = self.start(
            &Request::resource("resources/subscribe", &request.uri),
            &context,
        );
        run(span, self.inner.subscribe(request, context), nothing).await
    }

    // Legacy (before 2026-07-28) but still served: forwarded and traced.
    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let description = Request::resource("resources/unsubscribe", &request.uri);
        let span = self.start(&description, &context);
        run(span, self.inner.unsubscribe(request, context), nothing).await
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let span = self.start(&Request::tool_call(&request), &context);
        run(span, self.inner.call_tool(request, context), tool_response).await
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let span = self.start(&Request::new(mcp::method::TOOLS_LIST), &context);
        run(span, self.inner.list_tools(request, context), nothing).await
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.get_tool(name)
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, McpError> {
        let span = self.start(&Request::new(&request.method), &context);
        run(
            span,
            self.inner.on_custom_request(request, context),
            nothing,
        )
        .await
    }

    async fn on_cancelled(
        &self,
        notification: CancelledNotificationParam,
        context: NotificationContext<RoleServer>,
    ) {
        self.inner.on_cancelled(notification, context).await
    }

    async fn on_progress(
        &self,
        notification: ProgressNotificationParam,
        context: NotificationContext<RoleServer>,
    ) {
        self.inner.on_progress(notification, context).await
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.inner.on_initialized(context).await
    }

    async fn on_roots_list_changed(&self, context: NotificationContext<RoleServer>) {
        self.inner.on_roots_list_changed(context).await
    }

    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleServer>,
    ) {
        self.inner
            .on_custom_notification(notification, context)
            .await
    }

    fn get_info(&self) -> ServerConfig {
        self.inner.get_info()
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, McpError> {
        let span = self.start(&Request::new("tasks/get"), &context);
        run(span, self.inner.get_task(request, context), nothing).await
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let span = self.start(&Request::new("tasks/update"), &context);
        run(span, self.inner.update_task(request, context), nothing).await
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let span = self.start(&Request::new("tasks/cancel"), &context);
        run(span, self.inner.cancel_task(request, context), nothing).await
    }

    async fn list_skills(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListSkillsResult, McpError> {
        let span = self.start(&Request::new("skills/list"), &context);
        run(span, self.inner.list_skills(request, context), nothing).await
    }

    async fn get_skill(
        &self,
        request: GetSkillRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetSkillResult, McpError> {
        let span = self.start(&Request::new("skills/get"), &context);
        run(span, self.inner.get_skill(request, context), nothing).await
    }

    async fn read_resource_directory(
        &self,
        request: ReadResourceDirectoryRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceDirectoryResult, McpError> {
        let span = self.start(&Request::new("resources/directory/read"), &context);
        run(
            span,
            self.inner.read_resource_directory(request, context),
            nothing,
        )
        .await
    }
}
