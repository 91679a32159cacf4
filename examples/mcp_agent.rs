//! An agent whose tools live in an MCP server in another process — one trace across both.
//!
//! The agent spawns this same binary with `--server` as its MCP tool server and talks to it
//! over stdio (rmcp). Both sides are traced by llmtrace-mcp: the agent's `tools/call
//! get_weather` CLIENT span puts its W3C context in the request's `params._meta`, the server's
//! SERVER span continues the trace from there, and the server's own spans (a forecast lookup)
//! sit beneath it. The server writes its spans as OTLP-JSON lines to a file the agent reads back
//! once the server has exited, so the tree printed at the end (on stderr) shows both processes.
//! The model is a deterministic fake: no key, no network, no endpoint.
//!
//! ```sh
//! cargo run --example mcp_agent                 # the two-process trace printed as a tree
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 cargo run --example mcp_agent   # both
//!                                                 # processes also export to a backend
//! # another MCP server with a `get_weather` tool instead (tests/mcp_cross_language.rs runs a
//! # Python one); its spans go where its own OpenTelemetry setup sends them:
//! cargo run --example mcp_agent -- --server-cmd python3 tests/mcp/weather_server.py
//! ```

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use llmtrace::{LlmSpanExt, Message, ToolCall, Usage};
use llmtrace_mcp::{PeerExt as _, ServerHandlerExt as _, TracedPeer, Transport};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor, SpanData};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolRequestParams, ServerCapabilities, ServerConfig};
use rmcp::transport::TokioChildProcess;
use rmcp::{schemars, tool, tool_handler, tool_router, ServerHandler, ServiceExt as _};
use serde_json::json;
use tracing::Instrument as _;

type Error = Box<dyn std::error::Error + Send + Sync>;

const MODEL: &str = "gpt-4o-mini";

#[tokio::main]
async fn main() -> Result<(), Error> {
    if std::env::args().nth(1).as_deref() == Some("--server") {
        return serve().await;
    }
    agent().await
}

/// The process environment, with rmcp's own session-long `serve_inner` spans filtered out of the
/// trace unless `LLMTRACE_LOG` says otherwise.
fn environment() -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    if !vars.iter().any(|(k, _)| k == "LLMTRACE_LOG") {
        vars.push(("LLMTRACE_LOG".to_owned(), "info,rmcp=warn".to_owned()));
    }
    vars
}

// ------------------------------------------------------------------ the MCP server (--server)

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct City {
    /// The city to look up.
    city: String,
}

#[derive(Debug, Clone)]
struct WeatherServer;

#[tool_router]
impl WeatherServer {
    #[tool(description = "Today's weather in a city")]
    async fn get_weather(&self, Parameters(City { city }): Parameters<City>) -> String {
        let lookup = llmtrace::retrieval("forecast-db").query(&city).start();
        async {
            tokio::time::sleep(Duration::from_millis(15)).await;
            format!("{city}: sunny, 19°C, light wind")
        }
        .instrument(lookup)
        .await
    }
}

#[tool_handler]
impl ServerHandler for WeatherServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The server: stdio, every request traced; its spans go where `LLMTRACE_FILE` (set by the
/// agent) and any `OTEL_EXPORTER_OTLP_*` variable say. Ends when the agent closes stdin.
async fn serve() -> Result<(), Error> {
    let guard = llmtrace::builder()
        .with_env(environment())
        .service_name("mcp-weather-server")
        .build()?;
    let server = WeatherServer.traced(Transport::stdio());
    let running = server.serve(rmcp::transport::stdio()).await?;
    // rmcp's client stops a child that has not exited 3 s after its stdin closed with SIGTERM:
    // the spans are flushed then too.
    tokio::select! {
        ended = running.waiting() => drop(ended?),
        _ = terminated() => {}
    }
    drop(guard); // flushes the spans to the file before the process exits
    Ok(())
}

/// Resolves when the process receives SIGTERM (never where there is no such signal).
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut signal) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        signal.recv().await;
        return;
    }
    std::future::pending::<()>().await;
}

// ------------------------------------------------------------------ the agent

/// The agent: spawns the server, answers one question with a fake model that asks for one
/// tool call, then prints the trace of both processes.
async fn agent() -> Result<(), Error> {
    let server_spans =
        std::env::temp_dir().join(format!("llmtrace-mcp-agent-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&server_spans);
    let exporter = InMemorySpanExporter::default();
    let guard = llmtrace::builder()
        .with_env(environment())
        .service_name("mcp-agent")
        .console(false) // the tree of both processes is printed below
        .with_span_processor(SimpleSpanProcessor::new(exporter.clone()))
        .build()?;

    let mut command = server_command()?;
    command
        .env("LLMTRACE_FILE", &server_spans)
        .env("LLMTRACE_CONSOLE", "false");
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::inherit())
        .spawn()?;
    let client = ().serve(transport).await?;
    let tools = client.traced(Transport::stdio());

    let agent = llmtrace::agent("weather-agent").provider("openai").start();
    let answer = answer(&tools, "What's the weather in Lisbon?")
        .instrument(agent.clone())
        .await?;
    agent.record_output(&answer);
    drop(agent);

    client.cancel().await?; // closes the server's stdin and waits for it to exit
    guard.flush();
    let mut spans = exporter.get_finished_spans()?;
    spans.extend(read_otlp_json_lines(&server_spans)?);
    let _ = std::fs::remove_file(&server_spans);
    print_agent_trace(&spans);
    println!("{answer}");
    Ok(())
}

/// The server to spawn: the words after `--server-cmd`, else this binary with `--server`.
fn server_command() -> Result<tokio::process::Command, Error> {
    let mut words = std::env::args().skip_while(|a| a != "--server-cmd").skip(1);
    Ok(match words.next() {
        Some(program) => {
            let mut command = tokio::process::Command::new(program);
            command.args(words);
            command
        }
        None => {
            let mut command = tokio::process::Command::new(std::env::current_exe()?);
            command.arg("--server");
            command
        }
    })
}

/// Plan with the (fake) model, call the tool it asks for through MCP, answer.
async fn answer(tools: &TracedPeer, question: &str) -> Result<String, Error> {
    let listed = tools.list_tools(None).await?;
    let names: Vec<String> = listed.tools.iter().map(|t| t.name.to_string()).collect();

    let mut history = vec![Message::user(question)];
    let call = ToolCall::new("call_0", "get_weather", json!({"city": "Lisbon"}));
    fake_chat(&history, Message::tool_calls(vec![call]), 96).await;
    if !names.iter().any(|n| n == "get_weather") {
        return Err(format!("the server offers no get_weather tool ({names:?})").into());
    }

    let mut arguments = serde_json::Map::new();
    arguments.insert("city".to_owned(), json!("Lisbon"));
    let params = CallToolRequestParams::new("get_weather").with_arguments(arguments);
    let result = tools.call_tool(params).await?;
    let weather = result
        .content
        .iter()
        .find_map(|c| c.as_text().map(|t| t.text.clone()))
        .unwrap_or_default();
    history.push(Message::tool_result("call_0", weather.clone()));

    let text = format!(
        "It's {} in Lisbon today.",
        weather.trim_start_matches("Lisbon: ")
    );
    fake_chat(
        &history,
        Message::assistant(text.clone()).with_finish_reason("stop"),
        142,
    )
    .await;
    Ok(text)
}

/// A chat span for one turn of the fake model.
async fn fake_chat(history: &[Message], reply: Message, input_tokens: u64) {
    let chat = llmtrace::chat(MODEL)
        .provider("openai")
        .input_messages(history)
        .start();
    tokio::time::sleep(Duration::from_millis(25))
        .instrument(chat.clone())
        .await;
    chat.record_output_messages(&[reply]);
    chat.record_usage(Usage::new(input_tokens, 18));
}

/// Prints the agent's trace (the root span's) with the server's spans in it, as the console
/// tree llmtrace prints by default.
fn print_agent_trace(spans: &[SpanData]) {
    let Some(root) = spans
        .iter()
        .find(|s| s.name == "invoke_agent weather-agent")
    else {
        eprintln!("the agent span was not exported");
        return;
    };
    let trace = root.span_context.trace_id();
    let in_trace: Vec<SpanData> = spans
        .iter()
        .filter(|s| s.span_context.trace_id() == trace)
        .cloned()
        .collect();
    eprint!("{}", llmtrace::export::render_spans(&in_trace, true, None));
}

// ------------------------------------------------------------------ reading the server's spans

/// The spans of an `LLMTRACE_FILE` (OTLP-JSON lines); a missing file gives none.
fn read_otlp_json_lines(path: &Path) -> Result<Vec<SpanData>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut spans = Vec::new();
    for line in text.lines().filter(|l| l.contains("\"resourceSpans\"")) {
        let request: otlp::ExportTraceServiceRequest = serde_json::from_str(line)?;
        for scope in request
            .resource_spans
            .into_iter()
            .flat_map(|r| r.scope_spans)
        {
            spans.extend(scope.spans.into_iter().filter_map(otlp::span_data));
        }
    }
    Ok(spans)
}

/// OTLP protobuf spans to SDK spans, as much of them as the tree shows.
mod otlp {
    use std::borrow::Cow;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use opentelemetry::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
    use opentelemetry::{InstrumentationScope, KeyValue, Value};
    pub(crate) use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::common::v1::any_value;
    use opentelemetry_proto::tonic::trace::v1::{span, status, Span};
    use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};

    fn time(unix_nano: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(unix_nano)
    }

    fn value(value: Option<any_value::Value>) -> Value {
        match value {
            Some(any_value::Value::StringValue(s)) => Value::from(s),
            Some(any_value::Value::BoolValue(b)) => Value::Bool(b),
            Some(any_value::Value::IntValue(i)) => Value::I64(i),
            Some(any_value::Value::DoubleValue(d)) => Value::F64(d),
            other => Value::from(format!("{other:?}")),
        }
    }

    /// One span; `None` when its ids are malformed.
    pub(crate) fn span_data(proto: Span) -> Option<SpanData> {
        let trace_id = TraceId::from_bytes(proto.trace_id.as_slice().try_into().ok()?);
        let span_id = SpanId::from_bytes(proto.span_id.as_slice().try_into().ok()?);
        let parent_span_id = <[u8; 8]>::try_from(proto.parent_span_id.as_slice())
            .map_or(SpanId::INVALID, SpanId::from_bytes);
        let span_kind = match span::SpanKind::try_from(proto.kind) {
            Ok(span::SpanKind::Server) => SpanKind::Server,
            Ok(span::SpanKind::Client) => SpanKind::Client,
            _ => SpanKind::Internal,
        };
        let status = match proto.status {
            Some(s) if s.code == status::StatusCode::Error as i32 => Status::error(s.message),
            _ => Status::Unset,
        };
        let attributes = proto
            .attributes
            .into_iter()
            .map(|kv| KeyValue::new(kv.key, value(kv.value.and_then(|v| v.value))))
            .collect();
        Some(SpanData {
            span_context: SpanContext::new(
                trace_id,
                span_id,
                TraceFlags::SAMPLED,
                false,
                Default::default(),
            ),
            parent_span_id,
            parent_span_is_remote: proto.flags & 0x300 == 0x300,
            span_kind,
            name: Cow::Owned(proto.name),
            start_time: time(proto.start_time_unix_nano),
            end_time: time(proto.end_time_unix_nano),
            attributes,
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status,
            instrumentation_scope: InstrumentationScope::builder("llmtrace").build(),
        })
    }
}
