//! End to end: the `agent` example, unchanged, exports over OTLP gRPC and OTLP HTTP/protobuf to
//! real receivers on 127.0.0.1; and exits promptly when the backend is down or hangs.

use std::collections::HashMap;
use std::net::TcpListener;
use std::time::Duration;

use llmtrace_test_support::http_receiver::HttpReceiver;
use llmtrace_test_support::run_example;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::{span::SpanKind, status::StatusCode, Span};

fn attrs(span: &Span) -> HashMap<String, AnyValue> {
    span.attributes
        .iter()
        .filter_map(|kv| {
            let v = kv.value.as_ref()?.value.clone()?;
            Some((kv.key.clone(), v))
        })
        .collect()
}

fn str_attr(span: &Span, key: &str) -> Option<String> {
    match attrs(span).remove(key)? {
        AnyValue::StringValue(s) => Some(s),
        _ => None,
    }
}

fn int_attr(span: &Span, key: &str) -> Option<i64> {
    match attrs(span).remove(key)? {
        AnyValue::IntValue(i) => Some(i),
        _ => None,
    }
}

/// What every transport must deliver for the agent example.
fn assert_agent_trace(spans: &[Span]) {
    assert_eq!(
        spans.len(),
        16,
        "every span of the agent example arrives once"
    );
    let root = spans
        .iter()
        .find(|s| s.name == "invoke_agent travel-planner")
        .expect("agent span");
    assert!(root.parent_span_id.is_empty(), "agent span is the root");
    assert_eq!(root.kind(), SpanKind::Internal);
    assert_eq!(
        str_attr(root, "session.id").as_deref(),
        Some("session-4821")
    );
    assert!(
        spans.iter().all(|s| s.trace_id == root.trace_id),
        "one trace"
    );

    let retries: Vec<&Span> = spans.iter().filter(|s| s.name == "retry gpt-4o").collect();
    assert_eq!(retries.len(), 4, "one retry parent per model call");
    assert!(retries.iter().all(|r| r.parent_span_id == root.span_id));
    let chats: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name.starts_with("chat "))
        .collect();
    assert_eq!(
        chats.len(),
        6,
        "two failed attempts, one fallback, three more calls"
    );
    for chat in &chats {
        assert!(
            retries.iter().any(|r| r.span_id == chat.parent_span_id),
            "{} is an attempt under a retry parent",
            chat.name
        );
        assert_eq!(chat.kind(), SpanKind::Client);
        assert_eq!(
            str_attr(chat, "gen_ai.operation.name").as_deref(),
            Some("chat")
        );
        // Context values reach descendants, and no prompt text is sent with capture off.
        assert_eq!(str_attr(chat, "user.id").as_deref(), Some("user-17"));
        assert_eq!(str_attr(chat, "gen_ai.input.messages"), None);
    }
    let failed_chats: Vec<&&Span> = chats
        .iter()
        .filter(|s| s.status.as_ref().map(|st| st.code()) == Some(StatusCode::Error))
        .collect();
    assert_eq!(failed_chats.len(), 2);
    assert!(failed_chats.iter().all(|s| s.name == "chat gpt-4o"));
    let fallback = chats
        .iter()
        .find(|s| s.name == "chat claude-sonnet-4")
        .expect("fallback attempt");
    assert_eq!(
        str_attr(fallback, "gen_ai.provider.name").as_deref(),
        Some("anthropic")
    );
    for chat in chats
        .iter()
        .filter(|s| s.status.as_ref().map(|st| st.code()) != Some(StatusCode::Error))
    {
        assert!(int_attr(chat, "gen_ai.usage.input_tokens").unwrap_or(0) > 0);
        assert!(int_attr(chat, "gen_ai.usage.output_tokens").unwrap_or(0) > 0);
    }
    let tools: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name.starts_with("execute_tool "))
        .collect();
    assert_eq!(
        tools.len(),
        5,
        "weather twice (one retry), flights three times"
    );
    let failed: Vec<&&Span> = tools
        .iter()
        .filter(|s| s.status.as_ref().map(|st| st.code()) == Some(StatusCode::Error))
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].name, "execute_tool get_weather");
    assert_eq!(
        str_attr(failed[0], "error.type").as_deref(),
        Some("agent::ApiError")
    );
    assert!(failed[0].events.iter().any(|e| e.name == "exception"));
    for tool in &tools {
        assert_eq!(
            tool.parent_span_id, root.span_id,
            "tool spawned on another task keeps its parent"
        );
        assert_eq!(tool.kind(), SpanKind::Internal);
        assert_eq!(
            str_attr(tool, "session.id").as_deref(),
            Some("session-4821")
        );
    }
    assert!(
        root.events
            .iter()
            .any(|e| e.name == "llmtrace.agent.loop_detected"),
        "the repeated flight search is flagged"
    );
}

#[test]
fn agent_example_exports_over_grpc() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut collector = rt
        .block_on(fake_opentelemetry_collector::FakeCollectorServer::start())
        .expect("fake collector starts");
    let endpoint = collector.endpoint();
    let (out, _) = run_example(
        "agent",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_SERVICE_NAME", "agent-e2e-grpc"),
        ],
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = rt.block_on(collector.exported_spans(16, Duration::from_secs(10)));
    // Convert to the proto form shared with the HTTP test by name/ids/attributes.
    let spans: Vec<Span> = exported
        .iter()
        .map(|e| Span {
            trace_id: hex_bytes(&e.trace_id),
            span_id: hex_bytes(&e.span_id),
            parent_span_id: hex_bytes(&e.parent_span_id),
            name: e.name.clone(),
            kind: match e.kind.as_str() {
                "SPAN_KIND_CLIENT" => SpanKind::Client as i32,
                "SPAN_KIND_INTERNAL" => SpanKind::Internal as i32,
                _ => SpanKind::Unspecified as i32,
            },
            attributes: e
                .attributes
                .iter()
                .map(|(k, v)| opentelemetry_proto::tonic::common::v1::KeyValue {
                    key: k.clone(),
                    value: Some(opentelemetry_proto::tonic::common::v1::AnyValue {
                        value: Some(parse_debug_value(v)),
                    }),
                    ..Default::default()
                })
                .collect(),
            events: e
                .events
                .iter()
                .map(|ev| opentelemetry_proto::tonic::trace::v1::span::Event {
                    name: ev.name.clone(),
                    ..Default::default()
                })
                .collect(),
            status: e
                .status
                .as_ref()
                .map(|s| opentelemetry_proto::tonic::trace::v1::Status {
                    message: s.message.clone(),
                    code: if s.code.contains("ERROR") {
                        StatusCode::Error as i32
                    } else {
                        StatusCode::Unset as i32
                    },
                }),
            ..Default::default()
        })
        .collect();
    assert_agent_trace(&spans);
    // GenAI metrics travel next to the traces.
    let metrics = rt.block_on(collector.exported_metrics(1, Duration::from_secs(10)));
    let names: Vec<&str> = metrics
        .iter()
        .flat_map(|m| m.metrics.iter().map(|m| m.name.as_str()))
        .collect();
    for expected in [
        "gen_ai.client.token.usage",
        "gen_ai.client.operation.duration",
        "llmtrace.cost.usd",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    // The console tree is off when an endpoint is set.
    assert!(!String::from_utf8_lossy(&out.stderr).contains("invoke_agent"));
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The fake collector renders attribute values with `Debug` of the proto value
/// (`Some(AnyValue { value: Some(StringValue("x")) })`); turn the two kinds we check back.
fn parse_debug_value(v: &str) -> AnyValue {
    let between = |open: &str, close: &str| {
        let start = v.find(open)? + open.len();
        let end = v[start..].find(close)? + start;
        Some(v[start..end].to_owned())
    };
    if let Some(s) = between("StringValue(\"", "\")") {
        AnyValue::StringValue(s)
    } else if let Some(i) = between("IntValue(", ")").and_then(|i| i.parse().ok()) {
        AnyValue::IntValue(i)
    } else {
        AnyValue::StringValue(v.to_owned())
    }
}

#[test]
fn agent_example_exports_over_http_protobuf_with_headers_and_resource() {
    let receiver = HttpReceiver::start();
    let endpoint = receiver.endpoint();
    let (out, _) = run_example(
        "agent",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "x-api-key=test-key-123,x-project-name=e2e",
            ),
            ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test"),
            ("OTEL_SERVICE_NAME", "agent-e2e-http"),
        ],
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spans = receiver.wait_for_spans(16, Duration::from_secs(10));
    assert_agent_trace(&spans);
    let requests = receiver.requests();
    assert!(requests.iter().all(|r| r.path == "/v1/traces"));
    assert!(requests
        .iter()
        .all(|r| r.headers.get("x-api-key").map(String::as_str) == Some("test-key-123")));
    assert_eq!(
        requests[0].headers.get("content-type").map(String::as_str),
        Some("application/x-protobuf")
    );
    let resource = requests[0].request.resource_spans[0]
        .resource
        .as_ref()
        .expect("resource");
    let resource_attr = |key: &str| {
        resource
            .attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                AnyValue::StringValue(s) => Some(s.clone()),
                _ => None,
            })
    };
    assert_eq!(
        resource_attr("service.name").as_deref(),
        Some("agent-e2e-http")
    );
    assert_eq!(
        resource_attr("deployment.environment").as_deref(),
        Some("test")
    );
}

fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
    // dropped here: nothing listens on it any more
}

#[test]
fn unreachable_backend_costs_dropped_spans_not_a_hang_or_a_crash() {
    for protocol in ["grpc", "http/protobuf"] {
        let endpoint = format!("http://127.0.0.1:{}", closed_port());
        let (out, elapsed) = run_example(
            "agent",
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
            ],
            Duration::from_secs(30),
        );
        assert!(
            out.status.success(),
            "{protocol}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            elapsed < Duration::from_secs(10),
            "{protocol}: took {elapsed:?}"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("Lisbon"));
        // The loss is counted and reported, not silent.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("llmtrace: 16 of 16 spans did not reach the OTLP endpoint"),
            "{protocol}: {stderr}"
        );
    }
}

#[test]
fn hanging_backend_is_cut_off_by_the_shutdown_deadline() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    for protocol in ["grpc", "http/protobuf"] {
        let endpoint = format!("http://127.0.0.1:{port}");
        let (out, elapsed) = run_example(
            "agent",
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
            ],
            Duration::from_secs(30),
        );
        assert!(
            out.status.success(),
            "{protocol}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            elapsed < Duration::from_secs(10),
            "{protocol}: took {elapsed:?}"
        );
    }
}

#[test]
fn bad_configuration_is_a_clear_error_not_a_panic() {
    let (out, _) = run_example(
        "agent",
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4317")],
        Duration::from_secs(30),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{stderr}");
    assert!(
        stderr.contains("http://127.0.0.1:4317"),
        "names the fix: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `OTEL_EXPORTER_OTLP_COMPRESSION=gzip`: the agent example's spans arrive whole, gzip-encoded,
/// over gRPC and HTTP/protobuf, from llmtrace's exporter and from opentelemetry-otlp's.
#[test]
fn agent_example_exports_gzip_over_both_protocols_with_both_exporters() {
    use llmtrace_test_support::grpc_receiver::GrpcReceiver;
    for exporter in ["direct", "opentelemetry-otlp"] {
        let grpc = GrpcReceiver::start(4 << 20);
        let http = HttpReceiver::start();
        for (protocol, endpoint) in [
            ("grpc", grpc.endpoint()),
            ("http/protobuf", http.endpoint()),
        ] {
            let (out, _) = run_example(
                "agent",
                &[
                    ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
                    ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
                    ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
                    ("LLMTRACE_OTLP_TRACE_EXPORTER", exporter),
                    ("LLMTRACE_METRICS", "false"),
                ],
                Duration::from_secs(60),
            );
            assert!(
                out.status.success(),
                "{exporter} {protocol}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_agent_trace(&grpc.wait_for_spans(16, Duration::from_secs(10)));
        let encodings = grpc.encodings();
        assert!(
            !encodings.is_empty() && encodings.iter().all(|e| e == "gzip"),
            "{exporter}: gRPC calls compressed: {encodings:?}"
        );
        assert_agent_trace(&http.wait_for_spans(16, Duration::from_secs(10)));
        let requests = http.requests();
        assert!(
            requests
                .iter()
                .all(|r| r.headers.get("content-encoding").map(String::as_str) == Some("gzip")),
            "{exporter}: every HTTP body gzip-encoded"
        );
        // Which exporter sent them: llmtrace's names itself.
        let ours = requests.iter().all(|r| {
            r.headers
                .get("user-agent")
                .is_some_and(|ua| ua.starts_with("llmtrace/"))
        });
        assert_eq!(
            ours,
            exporter == "direct",
            "{exporter}: {:?}",
            requests[0].headers
        );
    }
}
