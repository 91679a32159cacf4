//! MCP across languages: the Rust agent of `examples/mcp_agent.rs` calling a Python MCP server,
//! and a Python MCP client calling the example's Rust server, both processes of each pair
//! exporting OTLP/HTTP to one local receiver (127.0.0.1, free port). Asserted on the spans
//! received: one trace id, the server's SERVER span a child of the client's CLIENT span across
//! the process (and language) boundary, the server's own spans beneath it, the MCP attributes on
//! both sides.
//!
//! The Python side is `target/backends/mcp-venv` (`bash .ci/install-backends.sh mcp`): the MCP
//! SDK `mcp` 2.3.0, which writes the MCP-convention spans itself (a SERVER span per request
//! received, a CLIENT span `MCP send {method} {target}` per request sent) and puts the W3C context
//! in `params._meta.traceparent` through the global propagator; `openinference-instrumentation-mcp`
//! 2.0.13, which carries that context through the transports; the OpenTelemetry SDK and OTLP/HTTP
//! exporter 1.45.2. Scripts: `tests/mcp/`.
//!
//! Two more run the pairs over streamable HTTP (127.0.0.1, free ports): a Rust client in the test
//! process calling the Python server, and the Python client calling a Rust server in the test
//! process, both traced by llmtrace-mcp.
//!
//! Like tests/backends.rs, these run only with `LLMTRACE_BACKENDS=1`; otherwise each prints
//! SKIPPED and passes.

// Only the gate and the paths of the shared helpers are used here.
#[allow(dead_code)]
mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use llmtrace_test_support::examples::{example_bin, run_bounded};
use llmtrace_test_support::http_receiver::HttpReceiver;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::Span;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolRequestParams, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{schemars, tool, tool_handler, tool_router, ServerHandler, ServiceExt as _};
use tracing::Instrument as _;

use llmtrace_mcp::{PeerExt as _, ServerHandlerExt as _, Transport};

fn python() -> PathBuf {
    let python = common::backends_dir()
        .join("mcp-venv")
        .join("bin")
        .join("python");
    assert!(
        python.exists(),
        "{} is missing — `bash .ci/install-backends.sh mcp` installs it",
        python.display()
    );
    python
}

fn script(name: &str) -> PathBuf {
    common::repo_root().join("tests").join("mcp").join(name)
}

/// Runs `command` to completion (at most 90 s) with only `PATH` and `env` set; fails the test
/// with its output if it fails.
fn run(mut command: Command, env: &[(&str, &str)]) -> String {
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // No __pycache__ in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .envs(env.iter().copied());
    let run = run_bounded(&mut command, Duration::from_secs(90));
    let stdout = String::from_utf8_lossy(&run.output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(
        !run.killed,
        "{command:?} ran longer than 90 s:\n{stdout}\n{stderr}"
    );
    assert!(
        run.output.status.success(),
        "{command:?} failed ({:?}):\n{stdout}\n{stderr}",
        run.output.status,
    );
    stdout
}

fn string(value: Option<&AnyValue>) -> Option<String> {
    match value {
        Some(AnyValue::StringValue(s)) => Some(s.clone()),
        Some(AnyValue::IntValue(i)) => Some(i.to_string()),
        _ => None,
    }
}

fn text(span: &Span, key: &str) -> Option<String> {
    let kv = span.attributes.iter().find(|kv| kv.key == key)?;
    string(kv.value.as_ref().and_then(|v| v.value.as_ref()))
}

/// The span of `service` named `name` of `kind`, waiting for it to arrive.
fn wait_for(receiver: &HttpReceiver, service: &str, name: &str, kind: SpanKind) -> Span {
    let started = Instant::now();
    loop {
        let spans = receiver.spans_by_service();
        let found = spans
            .iter()
            .find(|(s, span)| s == service && span.name == name && span.kind == kind as i32);
        if let Some((_, span)) = found {
            return span.clone();
        }
        if started.elapsed() > Duration::from_secs(15) {
            let seen: Vec<_> = spans
                .iter()
                .map(|(s, sp)| format!("{s}: {} ({})", sp.name, sp.kind))
                .collect();
            panic!("no {kind:?} span {name:?} of {service} among {seen:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The spans `[(service, name, kind); N]`, waiting for each to arrive.
fn wait_for_all<const N: usize>(
    receiver: &HttpReceiver,
    expected: [(&str, &str, SpanKind); N],
) -> [Span; N] {
    expected.map(|(service, name, kind)| wait_for(receiver, service, name, kind))
}

/// The MCP attributes both sides of a `tools/call get_weather` carry.
fn assert_tool_call_attributes(span: &Span, side: &str) {
    assert_eq!(
        text(span, "mcp.method.name").as_deref(),
        Some("tools/call"),
        "{side}"
    );
    assert_eq!(
        text(span, "gen_ai.tool.name").as_deref(),
        Some("get_weather"),
        "{side}"
    );
    assert!(
        text(span, "jsonrpc.request.id").is_some(),
        "{side}: jsonrpc.request.id"
    );
}

/// The spans of one tool call across the process boundary, `[client, server, lookup]`: all in
/// the agent's trace, the SERVER span a child of the CLIENT span (`label` says which way), the
/// lookup inside the server a child of the SERVER span, and both sides naming the same JSON-RPC
/// request id. `context` is added to failures.
fn assert_linked(agent: &Span, [client, server, lookup]: [&Span; 3], label: &str, context: &str) {
    for span in [client, server, lookup] {
        assert_eq!(
            span.trace_id, agent.trace_id,
            "{label}: {} is in the agent's trace\n{context}",
            span.name
        );
    }
    assert_eq!(server.parent_span_id, client.span_id, "{label}");
    assert_eq!(lookup.parent_span_id, server.span_id, "{label}");
    assert_eq!(
        text(client, "jsonrpc.request.id"),
        text(server, "jsonrpc.request.id"),
        "{label}"
    );
}

#[test]
fn the_rust_agent_calls_a_python_mcp_server_in_one_trace() {
    if !common::enabled("the_rust_agent_calls_a_python_mcp_server_in_one_trace") {
        return;
    }
    let receiver = HttpReceiver::start();
    let endpoint = receiver.endpoint();
    let mut agent = Command::new(example_bin("mcp_agent"));
    agent
        .arg("--server-cmd")
        .arg(python())
        .arg(script("weather_server.py"));
    let answer = run(
        agent,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ],
    );
    assert!(
        answer.contains("12°C"),
        "the Python tool answered: {answer}"
    );

    let [agent, client, server, lookup] = wait_for_all(
        &receiver,
        [
            (
                "mcp-agent",
                "invoke_agent weather-agent",
                SpanKind::Internal,
            ),
            ("mcp-agent", "tools/call get_weather", SpanKind::Client),
            (
                "py-weather-server",
                "tools/call get_weather",
                SpanKind::Server,
            ),
            ("py-weather-server", "lookup forecast", SpanKind::Internal),
        ],
    );
    assert_linked(
        &agent,
        [&client, &server, &lookup],
        "Rust CLIENT → Python SERVER",
        "",
    );
    assert_eq!(client.parent_span_id, agent.span_id);
    assert_tool_call_attributes(&client, "rust client");
    assert_tool_call_attributes(&server, "python server");
    assert_eq!(text(&client, "network.transport").as_deref(), Some("pipe"));
    assert_eq!(
        text(&server, "gen_ai.operation.name").as_deref(),
        Some("execute_tool")
    );
    assert_eq!(
        text(&client, "mcp.protocol.version"),
        text(&server, "mcp.protocol.version"),
        "both sides name the negotiated version"
    );
}

#[test]
fn a_python_mcp_client_calls_the_rust_server_in_one_trace() {
    if !common::enabled("a_python_mcp_client_calls_the_rust_server_in_one_trace") {
        return;
    }
    let receiver = HttpReceiver::start();
    let endpoint = receiver.endpoint();
    let mut client = Command::new(python());
    client
        .arg(script("weather_client.py"))
        .arg(example_bin("mcp_agent"))
        .arg("--server");
    let answer = run(
        client,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ],
    );
    assert!(answer.contains("19°C"), "the Rust tool answered: {answer}");

    let [agent, client, server, lookup] = wait_for_all(
        &receiver,
        [
            ("py-agent", "py-agent", SpanKind::Internal),
            (
                "py-agent",
                "MCP send tools/call get_weather",
                SpanKind::Client,
            ),
            (
                "mcp-weather-server",
                "tools/call get_weather",
                SpanKind::Server,
            ),
            (
                "mcp-weather-server",
                "retrieval forecast-db",
                SpanKind::Client,
            ),
        ],
    );
    assert_linked(
        &agent,
        [&client, &server, &lookup],
        "Python CLIENT → Rust SERVER",
        "",
    );
    assert_eq!(client.parent_span_id, agent.span_id);
    assert_eq!(
        text(&client, "mcp.method.name").as_deref(),
        Some("tools/call")
    );
    assert!(text(&client, "jsonrpc.request.id").is_some());
    assert_tool_call_attributes(&server, "rust server");
    assert_eq!(text(&server, "network.transport").as_deref(), Some("pipe"));
    assert_eq!(
        text(&server, "gen_ai.operation.name").as_deref(),
        Some("execute_tool")
    );
    assert!(text(&server, "mcp.protocol.version").is_some());
}

/// A child process killed (and reaped) on drop.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The Python server over streamable HTTP on 127.0.0.1 and a free port, exporting to
/// `endpoint`; its output goes to a log file under `target/backends/run/`. A server that exits
/// before it listens (the port was taken meanwhile) is started again on another port.
fn python_http_server(endpoint: &str) -> (u16, KillOnDrop, PathBuf) {
    let log = common::fresh_dir("mcp-http").join("server.log");
    for _ in 0..3 {
        let port = common::free_port();
        let out = std::fs::File::create(&log).expect("server log");
        let mut server = Command::new(python());
        server
            .arg(script("weather_server.py"))
            .args(["--http", &port.to_string()])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log handle"))
            .stderr(out);
        let mut server = KillOnDrop(server.spawn().expect("the Python server starts"));
        let started = Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (port, server, log);
            }
            if server.0.try_wait().ok().flatten().is_some() {
                break; // exited: try another port
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the Python server did not listen within 30 s:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    panic!(
        "the Python server exited three times before listening:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

/// Calls `get_weather` at `url` from this process inside an agent span, exporting to
/// `endpoint`; returns the tool's text.
fn rust_http_client(url: &str, endpoint: &str) -> String {
    let guard = llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .service_name("rust-http-agent")
        .endpoint(format!("{endpoint}/v1/traces"))
        .build()
        .expect("pipeline");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let text = tracing::dispatcher::with_default(&guard.dispatch(), || {
        runtime.block_on(async {
            let transport = StreamableHttpClientTransport::from_uri(url.to_owned());
            let client = ().serve(transport).await.expect("the client connects");
            let tools = client.traced(Transport::http(url));
            let mut arguments = serde_json::Map::new();
            arguments.insert("city".to_owned(), serde_json::json!("Oslo"));
            let params = CallToolRequestParams::new("get_weather").with_arguments(arguments);
            let agent = llmtrace::agent("http-agent").start();
            let result = tools.call_tool(params).instrument(agent.clone()).await;
            drop(agent);
            let _ = client.cancel().await;
            let result = result.expect("the tool call succeeds");
            result.content[0]
                .as_text()
                .map(|t| t.text.clone())
                .unwrap_or_default()
        })
    });
    drop(runtime);
    drop(guard); // flushes
    text
}

#[test]
fn over_streamable_http_a_rust_client_and_a_python_server_are_one_trace() {
    if !common::enabled("over_streamable_http_a_rust_client_and_a_python_server_are_one_trace") {
        return;
    }
    let receiver = HttpReceiver::start();
    let endpoint = receiver.endpoint();
    let (port, _server, log) = python_http_server(&endpoint);
    let url = format!("http://127.0.0.1:{port}/mcp");
    let answer = rust_http_client(&url, &endpoint);
    assert!(
        answer.contains("12°C"),
        "the Python tool answered: {answer}"
    );

    let [agent, client, server, lookup] = wait_for_all(
        &receiver,
        [
            (
                "rust-http-agent",
                "invoke_agent http-agent",
                SpanKind::Internal,
            ),
            (
                "rust-http-agent",
                "tools/call get_weather",
                SpanKind::Client,
            ),
            (
                "py-weather-server",
                "tools/call get_weather",
                SpanKind::Server,
            ),
            ("py-weather-server", "lookup forecast", SpanKind::Internal),
        ],
    );
    let server_log = std::fs::read_to_string(&log).unwrap_or_default();
    assert_linked(
        &agent,
        [&client, &server, &lookup],
        "Rust CLIENT → Python SERVER over HTTP",
        &server_log,
    );
    assert_tool_call_attributes(&client, "rust client");
    assert_tool_call_attributes(&server, "python server");
    assert_eq!(text(&client, "network.transport").as_deref(), Some("tcp"));
    assert_eq!(
        text(&client, "network.protocol.name").as_deref(),
        Some("http")
    );
    assert_eq!(
        text(&client, "server.address").as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(text(&client, "server.port"), Some(port.to_string()));
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct City {
    city: String,
}

/// The Rust tool server of the HTTP test: `get_weather` looks the city up in a span of its own.
#[derive(Debug, Clone)]
struct RustWeather;

#[tool_router]
impl RustWeather {
    #[tool(description = "Today's weather in a city")]
    async fn get_weather(&self, Parameters(City { city }): Parameters<City>) -> String {
        let lookup = llmtrace::retrieval("forecast-db").start();
        async { format!("{city}: sunny, 19°C") }
            .instrument(lookup)
            .await
    }
}

#[tool_handler]
impl ServerHandler for RustWeather {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The traced Rust server over streamable HTTP on 127.0.0.1:`port`, on its own thread with its
/// own pipeline exporting to `endpoint`; sending on the returned channel stops it (its spans
/// are flushed before the thread ends).
fn rust_http_server(
    endpoint: &str,
) -> (
    u16,
    tokio::sync::oneshot::Sender<()>,
    std::thread::JoinHandle<()>,
) {
    // Bound here, before the thread starts: no other listener can take the port meanwhile, and
    // connections wait in the backlog until the server accepts them.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("address").port();
    listener.set_nonblocking(true).expect("non-blocking");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let traces = format!("{endpoint}/v1/traces");
    let thread = std::thread::spawn(move || {
        let guard = llmtrace::builder()
            .with_env(vec![(
                "LLMTRACE_LOG".to_owned(),
                "info,rmcp=warn".to_owned(),
            )])
            .install_global(false)
            .console(false)
            .service_name("rust-http-server")
            .endpoint(traces)
            .build()
            .expect("pipeline");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        tracing::dispatcher::with_default(&guard.dispatch(), || {
            runtime.block_on(serve_http(listener, stopped));
        });
        drop(runtime);
        drop(guard); // flushes
    });
    (port, stop, thread)
}

async fn serve_http(listener: std::net::TcpListener, stopped: tokio::sync::oneshot::Receiver<()>) {
    let service = StreamableHttpService::new(
        || Ok(RustWeather.traced(Transport::http_server())),
        std::sync::Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::from_std(listener).expect("a Tokio listener");
    let server = std::future::IntoFuture::into_future(axum::serve(listener, router));
    tokio::select! {
        _ = server => {}
        _ = stopped => {}
    }
}

#[test]
fn over_streamable_http_a_python_client_and_a_rust_server_are_one_trace() {
    if !common::enabled("over_streamable_http_a_python_client_and_a_rust_server_are_one_trace") {
        return;
    }
    let receiver = HttpReceiver::start();
    let endpoint = receiver.endpoint();
    let (port, stop, server) = rust_http_server(&endpoint);
    let mut client = Command::new(python());
    client
        .arg(script("weather_client.py"))
        .args(["--url", &format!("http://127.0.0.1:{port}/mcp")]);
    let answer = run(
        client,
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str())],
    );
    let _ = stop.send(());
    server.join().expect("the server thread ends");
    assert!(answer.contains("19°C"), "the Rust tool answered: {answer}");

    let [agent, client, server, lookup] = wait_for_all(
        &receiver,
        [
            ("py-agent", "py-agent", SpanKind::Internal),
            (
                "py-agent",
                "MCP send tools/call get_weather",
                SpanKind::Client,
            ),
            (
                "rust-http-server",
                "tools/call get_weather",
                SpanKind::Server,
            ),
            (
                "rust-http-server",
                "retrieval forecast-db",
                SpanKind::Client,
            ),
        ],
    );
    assert_linked(
        &agent,
        [&client, &server, &lookup],
        "Python CLIENT → Rust SERVER over HTTP",
        "",
    );
    assert_tool_call_attributes(&server, "rust server");
    assert_eq!(text(&server, "network.transport").as_deref(), Some("tcp"));
    assert_eq!(
        text(&server, "network.protocol.name").as_deref(),
        Some("http")
    );
    assert!(
        text(&server, "mcp.session.id").is_some_and(|id| !id.is_empty()),
        "the session the Python client opened"
    );
}
