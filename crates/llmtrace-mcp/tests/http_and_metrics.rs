//! Streamable HTTP (a server on 127.0.0.1, a client over HTTP): the same trace across the
//! connection, with the HTTP transport's attributes; and the MCP operation-duration metrics.

mod support;

use std::sync::Arc;

use opentelemetry::trace::SpanKind;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor, SpanData};
use rmcp::model::CallToolRequestParams;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt as _;

use llmtrace_mcp::{PeerExt as _, ServerHandlerExt as _, Transport};
use llmtrace_test_support::{attr_i64, attr_str, is_child_of, run_async};
use support::{args, connect, traced, WeatherServer};

fn span(spans: &[SpanData], kind: SpanKind) -> &SpanData {
    spans
        .iter()
        .find(|s| s.name == "tools/call get_weather" && s.span_kind == kind)
        .unwrap_or_else(|| {
            panic!(
                "no {kind:?} span in {:?}",
                llmtrace_test_support::names(spans)
            )
        })
}

/// Serves a traced `WeatherServer` over streamable HTTP on 127.0.0.1; returns its URL.
async fn serve_http() -> String {
    let service = StreamableHttpService::new(
        || Ok(WeatherServer::new().traced(Transport::http_server())),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{address}/mcp")
}

#[test]
fn over_streamable_http_the_trace_crosses_the_connection_with_tcp_attributes() {
    let (url, spans) = run_async(false, || async {
        let url = serve_http().await;
        let client =
            ().serve(StreamableHttpClientTransport::from_uri(url.clone()))
                .await
                .expect("the client connects");
        let params = CallToolRequestParams::new("get_weather").with_arguments(args("Oslo"));
        let result = client.traced(Transport::http(&url)).call_tool(params).await;
        assert!(result.is_ok(), "{result:?}");
        let _ = client.cancel().await;
        url
    });
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/mcp")
        .parse::<i64>()
        .expect("port");
    let client = span(&spans, SpanKind::Client);
    let server = span(&spans, SpanKind::Server);
    assert!(is_child_of(server, client));
    assert!(server.parent_span_is_remote);
    for span in [client, server] {
        assert_eq!(attr_str(span, "network.transport").as_deref(), Some("tcp"));
        assert_eq!(
            attr_str(span, "network.protocol.name").as_deref(),
            Some("http")
        );
    }
    assert_eq!(
        attr_str(client, "server.address").as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(attr_i64(client, "server.port"), Some(port));
    assert!(
        attr_str(server, "server.address").is_none(),
        "server.* is the client's"
    );
    let session = attr_str(server, "mcp.session.id").expect("the server records the session");
    assert!(!session.is_empty());
}

#[test]
fn finished_mcp_spans_record_the_client_and_server_operation_durations() {
    let metric_exporter = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metric_exporter.clone()).build())
        .build();
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .meter_provider(meter_provider)
        .with_span_processor(SimpleSpanProcessor::new(InMemorySpanExporter::default()))
        .build()
        .expect("pipeline");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        runtime.block_on(async {
            let client = connect().await;
            for city in ["Oslo", "Bergen"] {
                let params = CallToolRequestParams::new("get_weather").with_arguments(args(city));
                let _ = traced(&client).call_tool(params).await;
            }
            let _ = traced(&client)
                .call_tool(CallToolRequestParams::new("flaky"))
                .await;
            let _ = client.cancel().await;
        })
    });
    drop(runtime);
    guard.flush();
    let metrics = metric_exporter.get_finished_metrics().expect("metrics");
    let mut checked = Vec::new();
    for rm in &metrics {
        for sm in rm.scope_metrics() {
            for metric in sm.metrics() {
                let side = match metric.name() {
                    "mcp.client.operation.duration" => "client",
                    "mcp.server.operation.duration" => "server",
                    _ => continue,
                };
                assert_eq!(metric.unit(), "s");
                let AggregatedMetrics::F64(MetricData::Histogram(h)) = metric.data() else {
                    panic!("{} is not an f64 histogram", metric.name());
                };
                let mut ok_calls = 0;
                let mut tool_errors = 0;
                for dp in h.data_points() {
                    let attr = |key: &str| {
                        dp.attributes()
                            .find(|kv| kv.key.as_str() == key)
                            .map(|kv| kv.value.as_str().into_owned())
                    };
                    assert!(
                        attr("jsonrpc.request.id").is_none(),
                        "no per-request series"
                    );
                    assert!(attr("mcp.session.id").is_none());
                    if attr("mcp.method.name").as_deref() != Some("tools/call") {
                        continue;
                    }
                    assert_eq!(attr("network.transport").as_deref(), Some("pipe"));
                    assert_eq!(
                        attr("gen_ai.operation.name").as_deref(),
                        Some("execute_tool")
                    );
                    match (
                        attr("gen_ai.tool.name").as_deref(),
                        attr("error.type").as_deref(),
                    ) {
                        (Some("get_weather"), None) => ok_calls += dp.count(),
                        (Some("flaky"), Some("tool_error")) => tool_errors += dp.count(),
                        other => panic!("unexpected series {other:?}"),
                    }
                }
                assert_eq!((ok_calls, tool_errors), (2, 1), "{side}");
                checked.push(side);
            }
        }
    }
    checked.sort_unstable();
    assert_eq!(checked, ["client", "server"]);
    // The GenAI client metric counts each tool call once: the CLIENT spans, not the servers'.
    let tool_calls: u64 = metrics
        .iter()
        .flat_map(|rm| rm.scope_metrics())
        .flat_map(|sm| sm.metrics())
        .filter(|m| m.name() == "gen_ai.client.operation.duration")
        .map(|m| match m.data() {
            AggregatedMetrics::F64(MetricData::Histogram(h)) => h
                .data_points()
                .filter(|dp| {
                    dp.attributes().any(|kv| {
                        kv.key.as_str() == "gen_ai.operation.name"
                            && kv.value.as_str() == "execute_tool"
                    })
                })
                .map(|dp| dp.count())
                .sum(),
            _ => 0,
        })
        .sum();
    assert_eq!(tool_calls, 3, "one point per tool call");
}
