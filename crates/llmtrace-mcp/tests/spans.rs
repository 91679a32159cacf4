//! Client and server spans of MCP requests, per the MCP semantic conventions (v1.41.1), as
//! exported: names, kinds, parents across the client/server boundary, attributes, status,
//! content capture, and the execute_tool compatibility.

mod support;

use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;
use rmcp::model::CallToolRequestParams;

use llmtrace::semconv::registry;
use llmtrace_test_support::{attr_str, is_child_of, run_async};
use support::{args, connect, traced};

fn by_kind<'a>(spans: &'a [SpanData], name: &str, kind: SpanKind) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name && s.span_kind == kind)
        .unwrap_or_else(|| {
            let all: Vec<_> = spans
                .iter()
                .map(|s| (s.name.to_string(), s.span_kind.clone()))
                .collect();
            panic!("no {kind:?} span {name} among {all:?}")
        })
}

fn call(tool: &str, city: Option<&str>) -> CallToolRequestParams {
    let params = CallToolRequestParams::new(tool.to_owned());
    match city {
        Some(city) => params.with_arguments(args(city)),
        None => params,
    }
}

#[test]
fn a_tool_call_is_one_trace_from_the_agent_through_the_server() {
    let (text, spans) = run_async(false, || async {
        let client = connect().await;
        let agent = llmtrace::agent("planner").start();
        let result = tracing::Instrument::instrument(
            async {
                traced(&client)
                    .call_tool(call("get_weather", Some("Oslo")))
                    .await
            },
            agent.clone(),
        )
        .await
        .expect("the call succeeds");
        drop(agent);
        client.cancel().await.expect("the session ends");
        result.content[0].as_text().map(|t| t.text.clone())
    });
    assert_eq!(text.as_deref(), Some("Oslo: -3°C, snow"));

    let agent = spans
        .iter()
        .find(|s| s.name == "invoke_agent planner")
        .expect("agent span");
    let client = by_kind(&spans, "tools/call get_weather", SpanKind::Client);
    let server = by_kind(&spans, "tools/call get_weather", SpanKind::Server);
    let lookup = spans
        .iter()
        .find(|s| s.name == "retrieval forecasts")
        .expect("handler span");
    assert!(is_child_of(client, agent));
    assert!(
        is_child_of(server, client),
        "the server span's parent is the client span"
    );
    assert!(
        server.parent_span_is_remote,
        "the parent came from params._meta"
    );
    assert!(
        is_child_of(lookup, server),
        "the handler's spans are the server span's children"
    );

    for span in [client, server] {
        assert_eq!(
            attr_str(span, "mcp.method.name").as_deref(),
            Some("tools/call")
        );
        assert_eq!(
            attr_str(span, "gen_ai.tool.name").as_deref(),
            Some("get_weather")
        );
        assert_eq!(
            attr_str(span, "gen_ai.operation.name").as_deref(),
            Some("execute_tool")
        );
        assert_eq!(attr_str(span, "network.transport").as_deref(), Some("pipe"));
        assert!(attr_str(span, "mcp.protocol.version").is_some_and(|v| v.len() == 10));
        assert_eq!(span.status, Status::Unset);
        assert!(attr_str(span, "error.type").is_none());
        // Content capture is off.
        assert!(attr_str(span, "gen_ai.tool.call.arguments").is_none());
        assert!(attr_str(span, "gen_ai.tool.call.result").is_none());
    }
    let id = attr_str(client, "jsonrpc.request.id").expect("the client records the request id");
    assert_eq!(
        attr_str(server, "jsonrpc.request.id"),
        Some(id),
        "both sides name one request"
    );
}

#[test]
fn every_attribute_is_one_the_mcp_span_conventions_name() {
    let (_, spans) = run_async(true, || async {
        let client = connect().await;
        let _ = traced(&client)
            .call_tool(call("get_weather", Some("Oslo")))
            .await;
        let _ = traced(&client).call_tool(call("nope", None)).await;
        client.cancel().await.expect("the session ends");
    });
    let mcp_spans: Vec<&SpanData> = spans
        .iter()
        .filter(|s| attr_str(s, "mcp.method.name").is_some())
        .collect();
    // Two calls, each a client and a server span, and the server's `initialize`.
    assert_eq!(
        mcp_spans.len(),
        5,
        "{:?}",
        llmtrace_test_support::names(&spans)
    );
    for span in mcp_spans {
        let group = match span.span_kind {
            SpanKind::Server => "span.mcp.server",
            _ => "span.mcp.client",
        };
        let group = registry::group(group).expect("in the snapshot");
        for kv in &span.attributes {
            let key = kv.key.as_str();
            // llmtrace's OpenInference mirror and cost rollups are written on every GenAI span.
            // The tool's arguments and result, opt-in on client spans, are recorded on server
            // spans too (documented): the execute_tool attributes of the tool the server runs.
            let content = key.starts_with("gen_ai.tool.call.");
            let ours = content
                || key.starts_with("openinference.")
                || key.starts_with("llmtrace.")
                || key.starts_with("input.")
                || key.starts_with("output.")
                || key.starts_with("tool.");
            assert!(
                ours || group.attribute(key).is_some(),
                "{key} on {} ({:?}) is not an attribute of {}",
                span.name,
                span.span_kind,
                group.id
            );
        }
    }
}

#[test]
fn with_content_capture_the_arguments_and_result_are_recorded() {
    let (_, spans) = run_async(true, || async {
        let client = connect().await;
        let _ = traced(&client)
            .call_tool(call("get_weather", Some("Oslo")))
            .await;
        client.cancel().await.expect("the session ends");
    });
    for kind in [SpanKind::Client, SpanKind::Server] {
        let span = by_kind(&spans, "tools/call get_weather", kind.clone());
        let arguments = attr_str(span, "gen_ai.tool.call.arguments").expect("arguments");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&arguments).expect("JSON"),
            serde_json::json!({"city": "Oslo"})
        );
        let result = attr_str(span, "gen_ai.tool.call.result").expect("result");
        assert!(result.contains("Oslo: -3°C, snow"), "{result}");
    }
}

#[test]
fn an_is_error_result_fails_both_spans_with_tool_error() {
    let (result, spans) = run_async(false, || async {
        let client = connect().await;
        let result = traced(&client).call_tool(call("flaky", None)).await;
        client.cancel().await.expect("the session ends");
        result
    });
    assert_eq!(
        result.expect("isError is a result, not an Err").is_error,
        Some(true)
    );
    for kind in [SpanKind::Client, SpanKind::Server] {
        let span = by_kind(&spans, "tools/call flaky", kind.clone());
        assert_eq!(attr_str(span, "error.type").as_deref(), Some("tool_error"));
        assert!(
            matches!(span.status, Status::Error { .. }),
            "{:?}",
            span.status
        );
        // The tool's text is content: not in the status with capture off.
        assert_eq!(
            span.status,
            Status::error("the tool returned isError: true"),
            "{kind:?}"
        );
        assert!(attr_str(span, "rpc.response.status_code").is_none());
    }
}

#[test]
fn a_json_rpc_error_sets_error_type_and_status_code_to_the_code() {
    let (result, spans) = run_async(false, || async {
        let client = connect().await;
        let result = traced(&client).call_tool(call("nope", None)).await;
        client.cancel().await.expect("the session ends");
        result
    });
    let error = match result {
        Err(rmcp::ServiceError::McpError(error)) => error,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    };
    let code = error.code.0.to_string();
    for kind in [SpanKind::Client, SpanKind::Server] {
        let span = by_kind(&spans, "tools/call nope", kind.clone());
        assert_eq!(attr_str(span, "error.type"), Some(code.clone()), "{kind:?}");
        assert_eq!(
            attr_str(span, "rpc.response.status_code"),
            Some(code.clone())
        );
        assert_eq!(
            span.status,
            Status::error(error.message.to_string()),
            "{kind:?}"
        );
    }
}

#[test]
fn inside_llmtraces_execute_tool_span_the_mcp_attributes_go_on_that_span() {
    let (_, spans) = run_async(false, || async {
        let client = connect().await;
        let tool = llmtrace::tool("get_weather").start();
        let _ = tracing::Instrument::instrument(
            traced(&client).call_tool(call("get_weather", Some("Oslo"))),
            tool.clone(),
        )
        .await;
        drop(tool);
        client.cancel().await.expect("the session ends");
    });
    assert!(
        !spans
            .iter()
            .any(|s| s.span_kind == SpanKind::Client && s.name.starts_with("tools/call")),
        "no duplicate client span"
    );
    let tool = spans
        .iter()
        .find(|s| s.name == "execute_tool get_weather")
        .expect("tool span");
    assert_eq!(
        attr_str(tool, "mcp.method.name").as_deref(),
        Some("tools/call")
    );
    assert_eq!(attr_str(tool, "network.transport").as_deref(), Some("pipe"));
    assert!(attr_str(tool, "jsonrpc.request.id").is_some());
    let server = by_kind(&spans, "tools/call get_weather", SpanKind::Server);
    assert!(is_child_of(server, tool), "the tool span was propagated");
}

#[test]
fn a_tool_span_of_another_tool_or_reuse_off_gets_a_client_span_beneath_it() {
    let (_, spans) = run_async(false, || async {
        let client = connect().await;
        let other = llmtrace::tool("weather_tool").start();
        let _ = tracing::Instrument::instrument(
            traced(&client).call_tool(call("get_weather", Some("Oslo"))),
            other.clone(),
        )
        .await;
        drop(other);
        let same = llmtrace::tool("get_weather").start();
        let _ = tracing::Instrument::instrument(
            traced(&client)
                .reuse_tool_spans(false)
                .call_tool(call("get_weather", Some("Bergen"))),
            same.clone(),
        )
        .await;
        drop(same);
        client.cancel().await.expect("the session ends");
    });
    for tool in ["execute_tool weather_tool", "execute_tool get_weather"] {
        let tool = spans.iter().find(|s| s.name == tool).expect("tool span");
        assert!(attr_str(tool, "mcp.method.name").is_none());
        let client = spans
            .iter()
            .find(|s| s.span_kind == SpanKind::Client && is_child_of(s, tool))
            .expect("a client span beneath the tool span");
        assert_eq!(client.name, "tools/call get_weather");
        assert!(spans
            .iter()
            .any(|s| s.span_kind == SpanKind::Server && is_child_of(s, client)));
    }
}

#[test]
fn a_request_without_trace_context_starts_a_new_trace_on_the_server() {
    let (_, spans) = run_async(false, || async {
        let client = connect().await;
        let agent = llmtrace::agent("planner").start();
        // The untraced rmcp peer: no `_meta.traceparent`.
        let _ = tracing::Instrument::instrument(
            client.call_tool(call("get_weather", Some("Oslo"))),
            agent.clone(),
        )
        .await;
        drop(agent);
        client.cancel().await.expect("the session ends");
    });
    let agent = spans
        .iter()
        .find(|s| s.name == "invoke_agent planner")
        .expect("agent");
    let server = by_kind(&spans, "tools/call get_weather", SpanKind::Server);
    let parent = spans
        .iter()
        .find(|s| s.span_context.span_id() == server.parent_span_id);
    assert_eq!(
        server.parent_span_id,
        opentelemetry::trace::SpanId::INVALID,
        "a root, not under {:?}",
        parent.map(|p| &p.name)
    );
    assert_ne!(
        server.span_context.trace_id(),
        agent.span_context.trace_id()
    );
}

#[test]
fn list_tools_is_a_span_named_by_its_method_alone() {
    let (tools, spans) = run_async(false, || async {
        let client = connect().await;
        let tools = traced(&client).list_tools(None).await.expect("tools");
        client.cancel().await.expect("the session ends");
        tools.tools.len()
    });
    assert_eq!(tools, 3);
    let client = by_kind(&spans, "tools/list", SpanKind::Client);
    let server = by_kind(&spans, "tools/list", SpanKind::Server);
    assert!(is_child_of(server, client));
    for span in [client, server] {
        assert_eq!(
            attr_str(span, "mcp.method.name").as_deref(),
            Some("tools/list")
        );
        assert!(
            attr_str(span, "gen_ai.operation.name").is_none(),
            "not a tool call"
        );
        assert!(attr_str(span, "gen_ai.tool.name").is_none());
    }
}

/// A tool of the agent, traced by llmtrace's attribute macro, that reaches its implementation
/// through MCP.
#[llmtrace::tool]
async fn get_weather(tools: &llmtrace_mcp::TracedPeer, city: &str) -> String {
    let result = tools.call_tool(call("get_weather", Some(city))).await;
    result
        .ok()
        .and_then(|r| {
            r.content
                .first()
                .and_then(|c| c.as_text().map(|t| t.text.clone()))
        })
        .unwrap_or_default()
}

#[test]
fn the_tool_macros_span_is_adopted_too() {
    let (text, spans) = run_async(false, || async {
        let client = connect().await;
        let text = get_weather(&traced(&client), "Oslo").await;
        client.cancel().await.expect("the session ends");
        text
    });
    assert_eq!(text, "Oslo: -3°C, snow");
    let tool = spans
        .iter()
        .find(|s| s.name == "execute_tool get_weather")
        .expect("tool span");
    assert_eq!(
        attr_str(tool, "mcp.method.name").as_deref(),
        Some("tools/call")
    );
    assert!(!spans
        .iter()
        .any(|s| s.span_kind == SpanKind::Client && s.name.starts_with("tools/")));
    let server = by_kind(&spans, "tools/call get_weather", SpanKind::Server);
    assert!(is_child_of(server, tool));
}

#[test]
fn captured_tool_content_passes_the_redactor() {
    let (_, spans) = run_async(true, || async {
        let client = connect().await;
        let _ = traced(&client)
            .call_tool(call("get_weather", Some("jane.doe@example.com")))
            .await;
        client.cancel().await.expect("the session ends");
    });
    let client = by_kind(&spans, "tools/call get_weather", SpanKind::Client);
    let arguments = attr_str(client, "gen_ai.tool.call.arguments").expect("captured");
    assert!(!arguments.contains("jane.doe@example.com"), "{arguments}");
    let everything = llmtrace_test_support::all_strings(&spans);
    assert!(
        !everything.contains("jane.doe@example.com"),
        "an email left the process"
    );
}

#[test]
fn a_request_its_caller_abandons_is_cancelled_on_the_server_and_marked() {
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    let ((timed_out, cancelled), spans) = run_async(false, || async {
        let client = connect().await;
        let tools = traced(&client);
        let call = tools.call_tool(call("slow", None));
        let timed_out = tokio::time::timeout(Duration::from_millis(300), call)
            .await
            .is_err();
        // The server hears of it while the session is still open.
        let mut cancelled = false;
        for _ in 0..100 {
            cancelled = support::SLOW_CANCELLED.load(Ordering::SeqCst);
            if cancelled {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        client.cancel().await.expect("the session ends");
        (timed_out, cancelled)
    });
    assert!(timed_out, "the call timed out");
    assert!(
        cancelled,
        "the server was told to cancel (notifications/cancelled)"
    );
    let client = by_kind(&spans, "tools/call slow", SpanKind::Client);
    assert_eq!(attr_str(client, "error.type").as_deref(), Some("cancelled"));
    assert!(matches!(client.status, Status::Error { .. }));
}
