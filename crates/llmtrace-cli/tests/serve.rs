//! `llmtrace serve`: the agent example exporting over OTLP/HTTP and the rag example over
//! OTLP/gRPC, and a raw OTLP/JSON request, each printed as a tree; `--out` gets the lines.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{agent_jsonl, arg, bin, scratch};
use llmtrace_test_support::examples::run_example;

/// A running `llmtrace serve`, its standard output collected; killed when dropped.
struct Server {
    child: Child,
    printed: Arc<Mutex<String>>,
    grpc: u16,
    http: u16,
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        let (grpc, http) = (free_port(), free_port());
        let mut child = bin()
            .args(["serve", "--quiet", "300ms"])
            .args(["--grpc", &format!("127.0.0.1:{grpc}")])
            .args(["--http", &format!("127.0.0.1:{http}")])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let printed = Arc::new(Mutex::new(String::new()));
        let sink = printed.clone();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut text = sink.lock().expect("lock");
                text.push_str(&line);
                text.push('\n');
            }
        });
        let server = Server {
            child,
            printed,
            grpc,
            http,
        };
        server.wait_listening();
        server
    }

    fn wait_listening(&self) {
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.http)).is_err()
            || TcpStream::connect(("127.0.0.1", self.grpc)).is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "serve did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until standard output contains every one of `needles`.
    fn wait_for(&self, needles: &[&str]) -> String {
        let started = Instant::now();
        loop {
            let text = self.printed.lock().expect("lock").clone();
            if needles.iter().all(|n| text.contains(n)) {
                return text;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "serve printed no {needles:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn prints_the_agent_over_http_and_the_rag_over_grpc() {
    let out = scratch("serve").join("received.jsonl");
    let server = Server::start(&["--out", arg(&out)]);
    let http = format!("http://127.0.0.1:{}", server.http);
    let grpc = format!("http://127.0.0.1:{}", server.grpc);
    let limit = Duration::from_secs(120);
    let (agent, _) = run_example(
        "agent",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &http),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ],
        limit,
    );
    assert!(
        agent.status.success(),
        "{}",
        String::from_utf8_lossy(&agent.stderr)
    );
    let (rag, _) = run_example(
        "rag",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &grpc),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ],
        limit,
    );
    assert!(
        rag.status.success(),
        "{}",
        String::from_utf8_lossy(&rag.stderr)
    );
    let printed = server.wait_for(&[
        "invoke_agent travel-planner",
        "└─ chat claude-sonnet-4",
        "invoke_workflow answer-question",
        "retrieval policies-vector-store",
    ]);
    assert!(printed.contains("⚑ loop: search_flights"), "{printed}");

    // What arrived was appended as OTLP-JSON lines, which `view` reads back.
    let traces = common::json(&["view", arg(&out)]);
    let roots: Vec<&str> = traces
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["root"].as_str())
        .collect();
    assert!(roots.contains(&"invoke_agent travel-planner"), "{roots:?}");
    assert!(
        roots.contains(&"invoke_workflow answer-question"),
        "{roots:?}"
    );
}

/// Posts `body` to `path` over plain HTTP/1.1; returns the status line.
fn post(port: u16, path: &str, content_type: &str, body: &[u8]) -> String {
    post_encoded(port, path, content_type, "identity", body)
}

/// Posts `body` with a `content-encoding`.
fn post_encoded(port: u16, path: &str, content_type: &str, encoding: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {content_type}\r\n\
         content-encoding: {encoding}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn accepts_otlp_json_over_http() {
    let server = Server::start(&[]);
    let line = std::fs::read_to_string(agent_jsonl()).expect("agent file");
    let line = line.lines().next().expect("a line");
    let status = post(
        server.http,
        "/v1/traces",
        "application/json",
        line.as_bytes(),
    );
    assert!(status.contains("200"), "{status}");
    server.wait_for(&["invoke_agent travel-planner"]);

    let bad = post(server.http, "/v1/traces", "application/json", b"{oops");
    assert!(bad.contains("400"), "{bad}");
    let logs = post(server.http, "/v1/logs", "application/x-protobuf", b"");
    assert!(logs.contains("200"), "{logs}");
}

#[test]
fn accepts_gzip_and_refuses_other_encodings() {
    let server = Server::start(&[]);
    let line = std::fs::read_to_string(agent_jsonl()).expect("agent file");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(line.trim_end().as_bytes()).expect("compress");
    let body = gz.finish().expect("compress");
    let json = "application/json";
    let status = post_encoded(server.http, "/v1/traces", json, "gzip", &body);
    assert!(status.contains("200"), "{status}");
    server.wait_for(&["invoke_agent travel-planner"]);

    let brotli = post_encoded(server.http, "/v1/traces", json, "br", b"x");
    assert!(brotli.contains("415"), "{brotli}");
    let broken = post_encoded(server.http, "/v1/traces", json, "gzip", b"not gzip");
    assert!(broken.contains("400"), "{broken}");
}

#[test]
fn refuses_non_loopback_addresses() {
    let out = bin()
        .args(["serve", "--grpc", "0.0.0.0:4317"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}
