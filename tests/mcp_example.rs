//! `examples/mcp_agent.rs` — an agent and the MCP tool server it spawns over stdio — exporting
//! both processes' spans over OTLP/HTTP to a local receiver: one trace, the server's SERVER span
//! beneath the agent's `tools/call` CLIENT span across the process boundary, the server's own
//! spans beneath that, each side under its own service name.

use std::time::Duration;

use llmtrace_test_support::examples::run_example;
use llmtrace_test_support::http_receiver::HttpReceiver;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::Span;

fn text(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(
            |kv| match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(AnyValue::StringValue(s)) => Some(s.clone()),
                _ => None,
            },
        )
}

fn find<'a>(spans: &'a [(String, Span)], service: &str, name: &str, kind: SpanKind) -> &'a Span {
    spans
        .iter()
        .find(|(s, span)| s == service && span.name == name && span.kind == kind as i32)
        .map(|(_, span)| span)
        .unwrap_or_else(|| {
            let seen: Vec<_> = spans
                .iter()
                .map(|(s, sp)| (s.clone(), sp.name.clone(), sp.kind))
                .collect();
            panic!("no {kind:?} span {name} of {service} among {seen:?}")
        })
}

#[test]
fn the_agent_and_its_mcp_server_process_export_one_trace() {
    let receiver = HttpReceiver::start();
    let endpoint = receiver.endpoint();
    let (out, _) = run_example(
        "mcp_agent",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ],
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}\n{stderr}", out.status);
    assert!(String::from_utf8_lossy(&out.stdout).contains("19°C"));
    // Agent: invoke_agent, 2 chats, tools/list, tools/call. Server: initialize, tools/list,
    // tools/call, retrieval.
    receiver.wait_for_spans(9, Duration::from_secs(10));
    let spans = receiver.spans_by_service();

    let agent = find(
        &spans,
        "mcp-agent",
        "invoke_agent weather-agent",
        SpanKind::Internal,
    );
    let client = find(
        &spans,
        "mcp-agent",
        "tools/call get_weather",
        SpanKind::Client,
    );
    let server = find(
        &spans,
        "mcp-weather-server",
        "tools/call get_weather",
        SpanKind::Server,
    );
    let lookup = find(
        &spans,
        "mcp-weather-server",
        "retrieval forecast-db",
        SpanKind::Client,
    );
    for span in [client, server, lookup] {
        assert_eq!(
            span.trace_id, agent.trace_id,
            "{} is in the agent's trace",
            span.name
        );
    }
    assert_eq!(client.parent_span_id, agent.span_id);
    assert_eq!(
        server.parent_span_id, client.span_id,
        "parent across the process boundary"
    );
    assert_eq!(lookup.parent_span_id, server.span_id);
    for span in [client, server] {
        assert_eq!(text(span, "mcp.method.name").as_deref(), Some("tools/call"));
        assert_eq!(text(span, "network.transport").as_deref(), Some("pipe"));
        assert_eq!(
            text(span, "gen_ai.tool.name").as_deref(),
            Some("get_weather")
        );
    }
    assert_eq!(
        text(client, "jsonrpc.request.id"),
        text(server, "jsonrpc.request.id")
    );

    let list_client = find(&spans, "mcp-agent", "tools/list", SpanKind::Client);
    let list_server = find(&spans, "mcp-weather-server", "tools/list", SpanKind::Server);
    assert_eq!(list_server.parent_span_id, list_client.span_id);
    assert!(
        !spans.iter().any(|(_, s)| s.name == "serve_inner"),
        "rmcp's session spans are filtered out by the example's default LLMTRACE_LOG"
    );
}
