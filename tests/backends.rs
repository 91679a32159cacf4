//! End to end against real backends, asserting what the backend *shows*, not only that an
//! export succeeded:
//!
//! - **Arize Phoenix** (REST API): the `rag` and `agent` examples over OTLP HTTP/protobuf and
//!   OTLP gRPC — span count, parent ids, span kinds, model names, token counts, retrieval
//!   documents with scores, session id — and a secret that arrives redacted.
//! - **Phoenix's web UI in headless Chromium**: the agent trace's page shows the span names and
//!   token counts; a screenshot is kept at `target/backends/phoenix-trace.png`.
//! - **MLflow** (search + get-trace REST API): the agent example arrives in its experiment.
//! - **The OpenTelemetry Collector** running the repository's `otel-collector.yaml` unchanged
//!   (environment overrides only) in front of Phoenix: scrubbed and tail-sampled as configured.
//! - **Jaeger** v2 with `collector/jaeger.yaml` (API v3 and the classic API): the `agent` example
//!   over OTLP gRPC and the `rag` example over OTLP/HTTP, both gzip-compressed — span count, parent ids, span kinds,
//!   typed `gen_ai.*` / `llmtrace.*` attributes, `error` and exception events on exactly the
//!   failed spans, the service from the resource — and the agent again behind the collector with
//!   `otel-collector.yaml`'s Jaeger exporter, scrubbed and sampled.
//!
//! The backends come from `bash .ci/install-backends.sh` (under `target/backends/`). These tests
//! run only with `LLMTRACE_BACKENDS=1` (CI sets it); without it each prints why and passes
//! without doing anything. With it, a missing tool or a backend that shows something wrong fails
//! the test. Every server listens on 127.0.0.1 only, on free ports, in a fresh directory, and is
//! killed when its guard drops (also when an assertion fails).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use llmtrace_test_support::run_example;
use serde_json::{json, Value};

// ------------------------------------------------------------------------------------------
// Gate and paths
// ------------------------------------------------------------------------------------------

/// True when the real-backend tests should run; otherwise says why they do not.
fn enabled(test: &str) -> bool {
    if std::env::var("LLMTRACE_BACKENDS").as_deref() == Ok("1") {
        return true;
    }
    // Straight to stderr, past the test harness's output capture, so the reason is seen.
    let _ = writeln!(
        std::io::stderr(),
        "{test}: SKIPPED — real-backend test; run `bash .ci/install-backends.sh` and set \
         LLMTRACE_BACKENDS=1 to run it (CI does)"
    );
    false
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/backends`, where `.ci/install-backends.sh` installs everything.
fn backends_dir() -> PathBuf {
    std::env::var_os("LLMTRACE_BACKENDS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target").join("backends"))
}

/// A required installed file; a missing one fails the test with the way to get it.
fn require(path: PathBuf, what: &str) -> PathBuf {
    assert!(
        path.exists(),
        "{what} not found at {} — run `bash .ci/install-backends.sh` (LLMTRACE_BACKENDS=1 \
         means the real backends are expected to be installed)",
        path.display()
    );
    path
}

fn venv_bin(name: &str) -> PathBuf {
    require(
        backends_dir().join("venv").join("bin").join(name),
        &format!("{name} (Python venv with arize-phoenix and mlflow)"),
    )
}

/// A fresh directory under `target/backends/run/`; removed by the server guard that uses it.
fn fresh_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = backends_dir().join("run").join(format!(
        "{name}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir).expect("create a run directory under target/backends/run");
    dir
}

/// A port that was free on 127.0.0.1 a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

// ------------------------------------------------------------------------------------------
// Server processes
// ------------------------------------------------------------------------------------------

/// A backend process started in its own process group; the whole group is terminated (then
/// killed) on drop, and its directory removed unless the test failed.
struct Server {
    name: &'static str,
    child: Option<Child>,
    dir: PathBuf,
    log: PathBuf,
}

impl Server {
    /// Spawns `cmd` with stdout/stderr going to `<dir>/<name>.log`, no stdin, and only a small
    /// allow-list of the test's environment (so no OTEL_* or backend settings leak in).
    fn spawn(name: &'static str, mut cmd: Command, dir: PathBuf) -> Self {
        let log = dir.join(format!("{name}.log"));
        let out = fs::File::create(&log).expect("create server log");
        let err = out.try_clone().expect("clone log handle");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .current_dir(&dir)
            .process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{name} did not start ({cmd:?}): {e}"));
        Server {
            name,
            child: Some(child),
            dir,
            log,
        }
    }

    fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    fn assert_running(&mut self) {
        if let Some(child) = self.child.as_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "{} exited early ({status}); log {}:\n{}",
                    self.name,
                    self.log.display(),
                    self.log_tail()
                );
            }
        }
    }

    /// Waits until `ready()` is true, failing with the server log after `limit`.
    fn wait_until(&mut self, what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
        let started = Instant::now();
        loop {
            self.assert_running();
            if ready() {
                eprintln!(
                    "{}: {what} after {:.1}s",
                    self.name,
                    started.elapsed().as_secs_f64()
                );
                return;
            }
            assert!(
                started.elapsed() < limit,
                "{}: not {what} within {limit:?}; log {}:\n{}",
                self.name,
                self.log.display(),
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill")
                .args(["-TERM", "--", &group])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // Also reaps any worker the server started in its group.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &group])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "{}: kept {} for inspection (log: {})",
                self.name,
                self.dir.display(),
                self.log.display()
            );
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A command with a clean environment: PATH, HOME, LANG and the given variables only.
fn clean_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    for key in ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    cmd
}

// ------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client for loopback servers
// ------------------------------------------------------------------------------------------

#[derive(Debug)]
struct HttpResponse {
    status: u16,
    body: String,
}

impl HttpResponse {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "response is not JSON ({e}), status {}: {}",
                self.status, self.body
            )
        })
    }
}

/// One request to `http://127.0.0.1:<port><path>`; refuses any other host.
fn http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> std::io::Result<HttpResponse> {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("tests only talk to 127.0.0.1, not {url}"));
    let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let port: u16 = port.parse().expect("port in URL");
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let body = body.unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Accept: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of HTTP headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut payload = raw[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        payload = dechunk(&payload);
    }
    Ok(HttpResponse {
        status,
        body: String::from_utf8_lossy(&payload).to_string(),
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

fn get(url: &str) -> std::io::Result<HttpResponse> {
    http("GET", url, &[], None)
}

fn post_json(url: &str, headers: &[(&str, &str)], body: &Value) -> HttpResponse {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    http("POST", url, &all, Some(body.to_string().as_bytes()))
        .unwrap_or_else(|e| panic!("POST {url}: {e}"))
}

fn tcp_open(port: u16) -> bool {
    TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// Polls `probe` until it returns `Some`, or fails with `what` after `limit`.
fn poll<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(
            started.elapsed() < limit,
            "{what}: not seen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

// ------------------------------------------------------------------------------------------
// Arize Phoenix
// ------------------------------------------------------------------------------------------

/// Phoenix on 127.0.0.1: HTTP (UI, REST, OTLP/HTTP at /v1/traces) and OTLP gRPC.
struct Phoenix {
    server: Server,
    http_port: u16,
    grpc_port: u16,
}

impl Phoenix {
    /// Starts `phoenix serve` through `.ci/phoenix-serve-loopback.py` (Phoenix binds its gRPC
    /// receiver to all interfaces otherwise) with a fresh working directory (SQLite database).
    fn start() -> Self {
        let python = venv_bin("python");
        let launcher = require(
            repo_root().join(".ci").join("phoenix-serve-loopback.py"),
            "the Phoenix launcher",
        );
        let dir = fresh_dir("phoenix");
        let (http_port, grpc_port) = (free_port(), free_port());
        let mut cmd = clean_command(python);
        cmd.arg(launcher)
            .env("PHOENIX_HOST", "127.0.0.1")
            .env("PHOENIX_PORT", http_port.to_string())
            .env("PHOENIX_GRPC_PORT", grpc_port.to_string())
            .env("PHOENIX_WORKING_DIR", &dir)
            .env("PHOENIX_TELEMETRY_ENABLED", "false")
            .env("PHOENIX_ALLOW_EXTERNAL_RESOURCES", "false")
            .env("PHOENIX_DISABLE_AGENT_ASSISTANT", "true")
            .env("PYTHONUNBUFFERED", "1");
        let mut server = Server::spawn("phoenix", cmd, dir);
        let health = format!("http://127.0.0.1:{http_port}/healthz");
        server.wait_until("serving HTTP and gRPC", Duration::from_secs(180), || {
            get(&health).is_ok_and(|r| r.status == 200) && tcp_open(grpc_port)
        });
        Phoenix {
            server,
            http_port,
            grpc_port,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// `GET /v1/projects/{project}/spans`: `None` while the project does not exist.
    fn spans(&self, project: &str) -> Option<Vec<Value>> {
        let url = format!("{}/v1/projects/{project}/spans?limit=1000", self.base());
        let response = get(&url).ok()?;
        if response.status == 404 {
            return None;
        }
        assert_eq!(response.status, 200, "GET {url}: {}", response.body);
        Some(
            response.json()["data"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        )
    }

    /// Waits for `expected` spans in `project`, then checks no more arrive.
    fn wait_for_spans(&mut self, project: &str, expected: usize) -> Vec<Value> {
        self.server.assert_running();
        let what = format!("{expected} spans in Phoenix project {project}");
        poll(&what, Duration::from_secs(60), || {
            self.spans(project).filter(|s| s.len() >= expected)
        });
        std::thread::sleep(Duration::from_millis(1500));
        let spans = self.spans(project).unwrap_or_default();
        assert_eq!(
            spans.len(),
            expected,
            "Phoenix project {project} shows {} spans, expected {expected}: {:#?}",
            spans.len(),
            names(&spans)
        );
        spans
    }
}

fn names(spans: &[Value]) -> Vec<String> {
    spans
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("?").to_owned())
        .collect()
}

fn s<'a>(span: &'a Value, key: &str) -> &'a str {
    span[key].as_str().unwrap_or("")
}

fn attr<'a>(span: &'a Value, key: &str) -> &'a Value {
    &span["attributes"][key]
}

fn span_id(span: &Value) -> &str {
    span["context"]["span_id"].as_str().unwrap_or("")
}

fn trace_id(span: &Value) -> &str {
    span["context"]["trace_id"].as_str().unwrap_or("")
}

fn one_trace(spans: &[Value]) -> String {
    let ids: BTreeSet<&str> = spans.iter().map(trace_id).collect();
    assert_eq!(ids.len(), 1, "one trace expected, got {ids:?}");
    ids.into_iter().next().unwrap_or_default().to_owned()
}

fn by_name<'a>(spans: &'a [Value], name: &str) -> Vec<&'a Value> {
    spans.iter().filter(|s| s["name"] == name).collect()
}

fn the<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    let found = by_name(spans, name);
    assert_eq!(
        found.len(),
        1,
        "exactly one span {name:?} expected in {:?}",
        names(spans)
    );
    found[0]
}

fn int(v: &Value) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| panic!("expected an integer, got {v}"))
}

/// What Phoenix must show for one run of the `agent` example.
fn assert_agent_in_phoenix(spans: &[Value], content_captured: bool) {
    assert_eq!(spans.len(), 16, "agent spans: {:?}", names(spans));
    one_trace(spans);
    let root = the(spans, "invoke_agent travel-planner");
    assert!(root["parent_id"].is_null(), "agent span is the root");
    assert_eq!(s(root, "span_kind"), "AGENT");
    assert_eq!(attr(root, "gen_ai.agent.name"), "travel-planner");
    if content_captured {
        assert_eq!(
            attr(root, "input.value"),
            "Find me a cheap flight to Lisbon and tell me the weather."
        );
        assert!(
            attr(root, "output.value")
                .as_str()
                .is_some_and(|o| o.contains("TP1351")),
            "agent output shown: {}",
            attr(root, "output.value")
        );
    }
    let root_id = span_id(root);
    for span in spans {
        assert_eq!(
            attr(span, "session.id"),
            "session-4821",
            "session id on {}",
            s(span, "name")
        );
        assert_eq!(
            attr(span, "user.id"),
            "user-17",
            "user id on {}",
            s(span, "name")
        );
    }

    let retries = by_name(spans, "retry gpt-4o");
    assert_eq!(retries.len(), 4, "one retry parent per model call");
    let retry_ids: BTreeSet<&str> = retries.iter().map(|r| span_id(r)).collect();
    for retry in &retries {
        assert_eq!(s(retry, "span_kind"), "CHAIN");
        assert_eq!(s(retry, "parent_id"), root_id);
    }

    let chats: Vec<&Value> = spans
        .iter()
        .filter(|s| s["name"].as_str().is_some_and(|n| n.starts_with("chat ")))
        .collect();
    assert_eq!(
        chats.len(),
        6,
        "two failed attempts, a fallback, three more calls"
    );
    let mut total_tokens = 0;
    let mut after_tool_calls = 0;
    for chat in &chats {
        let name = s(chat, "name");
        assert_eq!(s(chat, "span_kind"), "LLM", "{name}");
        if content_captured {
            // The conversation as Phoenix renders it: the OpenInference messages flattened from
            // `gen_ai.input.messages` by llmtrace's enrichment processor.
            let message = |i: usize, field: &str| {
                attr(chat, &format!("llm.input_messages.{i}.message.{field}")).clone()
            };
            assert_eq!(message(0, "role"), "system", "{name}");
            assert_eq!(
                message(0, "content"),
                "You are a travel assistant. Use tools."
            );
            assert_eq!(message(1, "role"), "user", "{name}");
            assert_eq!(
                message(1, "content"),
                "Find me a cheap flight to Lisbon and tell me the weather."
            );
            if !message(2, "role").is_null() {
                after_tool_calls += 1;
                assert_eq!(message(2, "role"), "assistant", "{name}");
                assert_eq!(
                    message(2, "tool_calls.0.tool_call.function.name"),
                    "get_weather"
                );
                assert_eq!(message(3, "role"), "tool", "{name}");
                assert_eq!(message(3, "tool_call_id"), "call_0", "{name}");
            }
        }
        assert!(
            retry_ids.contains(s(chat, "parent_id")),
            "{name} sits under a retry span"
        );
        let model = name.trim_start_matches("chat ");
        assert_eq!(attr(chat, "llm.model_name"), model, "model name of {name}");
        if s(chat, "status_code") == "ERROR" {
            assert_eq!(model, "gpt-4o", "only the overloaded model fails");
            continue;
        }
        let prompt = int(attr(chat, "llm.token_count.prompt"));
        let completion = int(attr(chat, "llm.token_count.completion"));
        assert!(
            prompt > 0 && completion > 0,
            "{name} tokens {prompt}/{completion}"
        );
        assert_eq!(
            int(attr(chat, "llm.token_count.total")),
            prompt + completion
        );
        assert_eq!(int(attr(chat, "gen_ai.usage.input_tokens")), prompt);
        total_tokens += prompt + completion;
    }
    assert_eq!(
        chats
            .iter()
            .filter(|c| s(c, "status_code") == "ERROR")
            .count(),
        2
    );
    assert_eq!(
        by_name(spans, "chat claude-sonnet-4").len(),
        1,
        "the fallback model answered once"
    );
    assert_eq!(
        total_tokens,
        1980 + 128,
        "input 1980 + output 128 tokens in all"
    );
    if content_captured {
        assert!(
            after_tool_calls >= 2,
            "later calls show the tool calls and answers in their input"
        );
    }

    let tools: Vec<&Value> = spans
        .iter()
        .filter(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("execute_tool "))
        })
        .collect();
    assert_eq!(
        tools.len(),
        5,
        "weather twice (one retry), flights three times"
    );
    for tool in &tools {
        assert_eq!(s(tool, "span_kind"), "TOOL");
        assert_eq!(
            s(tool, "parent_id"),
            root_id,
            "tool spans hang off the agent"
        );
        let name = s(tool, "name").trim_start_matches("execute_tool ");
        assert_eq!(attr(tool, "tool.name"), name);
    }
    let failed: Vec<&&Value> = tools
        .iter()
        .filter(|t| s(t, "status_code") == "ERROR")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(s(failed[0], "name"), "execute_tool get_weather");
}

/// What Phoenix must show for one run of the `rag` example (content captured).
fn assert_rag_in_phoenix(spans: &[Value]) {
    assert_eq!(spans.len(), 6, "rag spans: {:?}", names(spans));
    one_trace(spans);
    let root = the(spans, "invoke_workflow answer-question");
    assert!(root["parent_id"].is_null());
    assert_eq!(s(root, "span_kind"), "CHAIN");
    assert_eq!(
        attr(root, "input.value"),
        "How many days do I have for returns and refunds?"
    );
    let root_id = span_id(root);
    let expected_kinds = [
        ("embeddings text-embedding-3-small", "EMBEDDING"),
        ("retrieval policies-vector-store", "RETRIEVER"),
        ("rerank rerank-english-v3.0", "RERANKER"),
        ("invoke_workflow build-context", "CHAIN"),
        ("chat claude-sonnet-4", "LLM"),
    ];
    for (name, kind) in expected_kinds {
        let span = the(spans, name);
        assert_eq!(s(span, "span_kind"), kind, "span kind of {name}");
        assert_eq!(
            s(span, "parent_id"),
            root_id,
            "{name} is a child of the root"
        );
    }
    for span in spans {
        assert_eq!(attr(span, "session.id"), "session-rag-1");
    }

    let retrieval = the(spans, "retrieval policies-vector-store");
    let corpus = ["doc-1", "doc-2", "doc-3", "doc-4"];
    let mut previous = f64::INFINITY;
    for i in 0..3 {
        let doc = |field: &str| {
            attr(
                retrieval,
                &format!("retrieval.documents.{i}.document.{field}"),
            )
        };
        let id = doc("id")
            .as_str()
            .unwrap_or_else(|| panic!("document {i} has an id"));
        assert!(corpus.contains(&id), "document id {id}");
        let score = doc("score")
            .as_f64()
            .unwrap_or_else(|| panic!("document {i} has a score: {}", doc("score")));
        assert!(score > 0.0 && score <= 1.0 + 1e-9, "cosine score {score}");
        assert!(score <= previous, "documents are shown best first");
        previous = score;
        assert!(
            doc("content").as_str().is_some_and(|c| c.ends_with('.')),
            "document {i} content shown"
        );
    }
    assert!(
        attr(retrieval, "retrieval.documents.3.document.id").is_null(),
        "top_k = 3 documents"
    );

    let chat = the(spans, "chat claude-sonnet-4");
    assert_eq!(
        attr(chat, "llm.model_name"),
        "claude-sonnet-4-20250514",
        "the model that answered (gen_ai.response.model), as OpenInference instrumentations show"
    );
    let prompt = int(attr(chat, "llm.token_count.prompt"));
    assert_eq!(int(attr(chat, "llm.token_count.completion")), 22);
    assert_eq!(int(attr(chat, "llm.token_count.total")), prompt + 22);
    let embed = the(spans, "embeddings text-embedding-3-small");
    assert_eq!(
        int(attr(embed, "llm.token_count.prompt")),
        10,
        "ten words embedded"
    );
}

/// Runs an example against an OTLP endpoint and checks that it exported everything.
fn export_example(name: &str, endpoint: &str, protocol: &str, extra: &[(&str, &str)]) {
    let mut env = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
        ("OTEL_SERVICE_NAME", name),
        ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true"),
    ];
    env.extend_from_slice(extra);
    let (out, elapsed) = run_example(name, &env, Duration::from_secs(90));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "example {name} failed: {stderr}");
    assert!(
        !stderr.contains("did not reach"),
        "example {name} lost spans exporting to {endpoint} ({protocol}) in {:.1}s: {stderr}{}",
        elapsed.as_secs_f64(),
        if extra
            .iter()
            .any(|(k, _)| *k == "OTEL_EXPORTER_OTLP_TIMEOUT")
        {
            "\n(the run set a long export timeout: a flush at exit cut off after ~5 s means the \
             process-exit deadline does not follow it)"
        } else {
            ""
        }
    );
    eprintln!(
        "example {name} → {endpoint} ({protocol}) in {:.1}s",
        elapsed.as_secs_f64()
    );
}

const FAKE_OPENAI_KEY: &str = "sk-proj-Zx81kQ2mN7pL4vR9tY6wB3cD5fG8hJ0aQw";
const FAKE_EMAIL: &str = "ada.lovelace@example.org";

/// Not a test of its own: the body of the child process `redacted_values_arrive_redacted`
/// starts, which emits one chat span whose prompt holds a (fake) API key and an e-mail address.
/// It does nothing unless LLMTRACE_BACKENDS_CHILD=secret.
#[test]
fn child_process_emitting_a_secret() {
    use llmtrace::{LlmSpanExt, Message, Usage};
    if std::env::var("LLMTRACE_BACKENDS_CHILD").as_deref() != Ok("secret") {
        return;
    }
    let guard = llmtrace::init().expect("llmtrace::init");
    let prompt = format!("My key is {FAKE_OPENAI_KEY}; mail the answer to {FAKE_EMAIL}.");
    let span = llmtrace::chat("gpt-4o-mini")
        .provider("openai")
        .input_messages(&[Message::user(prompt)])
        .start();
    span.record_usage(Usage::new(21, 5));
    span.record_output_messages(&[Message::assistant(format!("Sent to {FAKE_EMAIL}."))]);
    drop(span);
    drop(guard);
}

fn emit_secret_to(endpoint: &str, project: &str) {
    let exe = std::env::current_exe().expect("test binary");
    let headers = format!("x-project-name={project}");
    let out = clean_command(exe)
        .args([
            "child_process_emitting_a_secret",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LLMTRACE_BACKENDS_CHILD", "secret")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .env("OTEL_EXPORTER_OTLP_HEADERS", headers)
        .env("OTEL_SERVICE_NAME", "redaction-e2e")
        .env("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
        .stdin(Stdio::null())
        .output()
        .expect("child test process runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(
        !stderr.contains("did not reach"),
        "child lost spans: {stderr}"
    );
}

// ------------------------------------------------------------------------------------------
// Headless Chromium
// ------------------------------------------------------------------------------------------

fn chromium() -> PathBuf {
    let path = std::env::var_os("LLMTRACE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    require(path, "chromium (Debian package)")
}

/// Runs headless Chromium on `url` (loopback only: every other host name resolves to nothing)
/// with `mode` (`--dump-dom` or `--screenshot=…`), returning stdout.
fn run_chromium(url: &str, mode: &str, budget_ms: u32, profile: &Path) -> String {
    let mut cmd = clean_command(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=1600,1200",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!("--virtual-time-budget={budget_ms}"))
    .arg(mode)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .process_group(0);
    let mut child = cmd.spawn().expect("chromium starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!("chromium still running after 120 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap_or_default()
}

/// The visible text of an HTML document: tags, scripts and styles removed, entities decoded,
/// whitespace collapsed.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 4);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        if lower[i..].starts_with("<script") || lower[i..].starts_with("<style") {
            let close = if lower[i..].starts_with("<script") {
                "</script>"
            } else {
                "</style>"
            };
            i = lower[i..]
                .find(close)
                .map_or(html.len(), |p| i + p + close.len());
            out.push(' ');
        } else if html[i..].starts_with('<') {
            i = html[i..].find('>').map_or(html.len(), |p| i + p + 1);
            out.push(' ');
        } else {
            let next = html[i..].find('<').map_or(html.len(), |p| i + p);
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `2108` → `2,108` (Phoenix's en-US number format).
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

#[test]
fn phoenix_shows_rag_and_agent_over_http_and_grpc_and_in_the_browser() {
    if !enabled("phoenix_shows_rag_and_agent_over_http_and_grpc_and_in_the_browser") {
        return;
    }
    let mut phoenix = Phoenix::start();
    let http = phoenix.base();
    let grpc = format!("http://127.0.0.1:{}", phoenix.grpc_port);

    // The project comes from the `x-project-name` header over HTTP, and from the resource
    // attribute `openinference.project.name` over gRPC (Phoenix's gRPC receiver reads only that).
    for example in ["rag", "agent"] {
        let header = format!("x-project-name={example}-http");
        export_example(
            example,
            &http,
            "http/protobuf",
            &[("OTEL_EXPORTER_OTLP_HEADERS", &header)],
        );
        let resource = format!("openinference.project.name={example}-grpc");
        export_example(
            example,
            &grpc,
            "grpc",
            &[("OTEL_RESOURCE_ATTRIBUTES", &resource)],
        );
    }
    for transport in ["http", "grpc"] {
        let rag = phoenix.wait_for_spans(&format!("rag-{transport}"), 6);
        assert_rag_in_phoenix(&rag);
        let agent = phoenix.wait_for_spans(&format!("agent-{transport}"), 16);
        assert_agent_in_phoenix(&agent, true);
    }

    // The browser: Phoenix's trace page for the agent run over HTTP.
    let agent = phoenix.spans("agent-http").unwrap_or_default();
    let trace = one_trace(&agent);
    let url = format!("{http}/redirects/traces/{trace}");
    let mut expected: Vec<String> = [
        "invoke_agent travel-planner",
        "retry gpt-4o",
        "chat gpt-4o",
        "chat claude-sonnet-4",
        "execute_tool get_weather",
        "execute_tool search_flights",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut trace_total = 0;
    for span in &agent {
        if let Some(total) = attr(span, "llm.token_count.total").as_i64() {
            expected.push(grouped(total));
            trace_total += total;
        }
    }
    expected.push(grouped(trace_total));
    expected.push(trace.clone());
    let profile = phoenix.server.dir.join("chromium-profile");
    let artifacts = backends_dir();
    let mut missing = Vec::new();
    let mut text = String::new();
    // The page is a JavaScript app that fetches the trace; give it more virtual time if the
    // first rendering was not complete yet.
    for budget in [15_000, 30_000, 60_000] {
        let dom = run_chromium(&url, "--dump-dom", budget, &profile);
        text = visible_text(&dom);
        missing = expected
            .iter()
            .filter(|e| !text.contains(e.as_str()))
            .cloned()
            .collect();
        let _ = fs::write(artifacts.join("phoenix-trace.html"), &dom);
        if missing.is_empty() {
            break;
        }
        eprintln!("browser: {missing:?} not rendered yet with {budget} ms of virtual time");
    }
    let _ = fs::write(artifacts.join("phoenix-trace.txt"), &text);
    assert!(
        missing.is_empty(),
        "Phoenix's trace page ({url}) does not show {missing:?}; it shows: {text}"
    );
    let png = artifacts.join("phoenix-trace.png");
    let _ = fs::remove_file(&png);
    run_chromium(
        &url,
        &format!("--screenshot={}", png.display()),
        15_000,
        &profile,
    );
    let size = fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "screenshot {} has {size} bytes",
        png.display()
    );
    eprintln!(
        "browser: trace page verified; screenshot at {}",
        png.display()
    );
}

#[test]
fn phoenix_shows_secrets_in_prompts_redacted() {
    if !enabled("phoenix_shows_secrets_in_prompts_redacted") {
        return;
    }
    let mut phoenix = Phoenix::start();
    let http = phoenix.base();
    // A prompt holding a (fake) key and an e-mail address arrives scrubbed.
    emit_secret_to(&http, "redaction");
    let spans = phoenix.wait_for_spans("redaction", 1);
    let shown = spans[0].to_string();
    assert_eq!(s(&spans[0], "span_kind"), "LLM");
    assert!(
        !shown.contains(FAKE_OPENAI_KEY),
        "the API key reached Phoenix: {shown}"
    );
    assert!(
        !shown.contains(FAKE_EMAIL),
        "the e-mail address reached Phoenix: {shown}"
    );
    assert!(
        shown.contains("[REDACTED:openai_key]"),
        "key mask shown: {shown}"
    );
    assert!(
        shown.contains("[REDACTED:email]"),
        "e-mail mask shown: {shown}"
    );
    assert!(
        int(attr(&spans[0], "redaction.masked.count")) >= 1,
        "the redaction summary is shown: {shown}"
    );
    // What Phoenix renders as the prompt is the scrubbed text; nothing else was lost.
    let prompt = attr(&spans[0], "llm.input_messages.0.message.content")
        .as_str()
        .unwrap_or_default();
    assert!(
        prompt.starts_with("My key is [REDACTED:openai_key]"),
        "prompt shown: {prompt:?}"
    );
    assert_eq!(attr(&spans[0], "llm.model_name"), "gpt-4o-mini");
    assert_eq!(int(attr(&spans[0], "llm.token_count.total")), 26);
}

// ------------------------------------------------------------------------------------------
// MLflow
// ------------------------------------------------------------------------------------------

#[test]
fn mlflow_shows_the_agent_trace() {
    if !enabled("mlflow_shows_the_agent_trace") {
        return;
    }
    let mlflow = venv_bin("mlflow");
    let dir = fresh_dir("mlflow");
    let port = free_port();
    let mut cmd = clean_command(mlflow);
    cmd.args([
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--workers",
        "1",
    ])
    .arg("--backend-store-uri")
    .arg(format!("sqlite:///{}", dir.join("mlflow.db").display()))
    .arg("--default-artifact-root")
    .arg(dir.join("artifacts"))
    .env("PYTHONUNBUFFERED", "1");
    let mut server = Server::spawn("mlflow", cmd, dir);
    let base = format!("http://127.0.0.1:{port}");
    let health = format!("{base}/health");
    server.wait_until("serving", Duration::from_secs(180), || {
        get(&health).is_ok_and(|r| r.status == 200)
    });

    let create = |name: &str| {
        let r = post_json(
            &format!("{base}/api/2.0/mlflow/experiments/create"),
            &[],
            &json!({ "name": name }),
        );
        assert_eq!(r.status, 200, "create experiment: {}", r.body);
        r.json()["experiment_id"]
            .as_str()
            .expect("experiment_id")
            .to_owned()
    };
    let experiment = create("llmtrace-agent");
    let header = format!("x-mlflow-experiment-id={experiment}");
    export_example(
        "agent",
        &base,
        "http/protobuf",
        &[
            ("OTEL_EXPORTER_OTLP_HEADERS", &header),
            // A fresh MLflow answers its first trace export only after looking up model prices
            // per provider (the catalog fetch fails on an offline machine: 15 s measured here
            // for the agent's spans), so give the exporter — and the flush at process exit —
            // a realistic deadline instead of loosening the assertions.
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "30000"),
            ("LLMTRACE_SHUTDOWN_TIMEOUT", "35000"),
        ],
    );

    let search = json!({
        "locations": [{ "type": "MLFLOW_EXPERIMENT", "mlflow_experiment": { "experiment_id": experiment } }],
        "max_results": 10
    });
    let traces = poll(
        "the agent trace in MLflow's search",
        Duration::from_secs(60),
        || {
            let r = post_json(
                &format!("{base}/api/3.0/mlflow/traces/search"),
                &[],
                &search,
            );
            assert_eq!(r.status, 200, "trace search: {}", r.body);
            r.json()["traces"]
                .as_array()
                .filter(|t| !t.is_empty())
                .cloned()
        },
    );
    assert_eq!(traces.len(), 1, "one trace in the experiment: {traces:#?}");
    let info = &traces[0];
    let id = info["trace_id"].as_str().expect("trace_id");
    assert!(
        id.starts_with("tr-") && id.len() == 35,
        "MLflow id of an OTel trace: {id}"
    );
    assert_eq!(info["state"], "OK");
    let meta = &info["trace_metadata"];
    assert_eq!(meta["mlflow.trace.session"], "session-4821");
    assert_eq!(meta["mlflow.trace.user"], "user-17");
    let usage: Value =
        serde_json::from_str(meta["mlflow.trace.tokenUsage"].as_str().unwrap_or("null"))
            .unwrap_or(Value::Null);
    assert_eq!(
        usage["input_tokens"], 1980,
        "token usage rolled up: {usage}"
    );
    assert_eq!(
        usage["output_tokens"], 128,
        "token usage rolled up: {usage}"
    );

    let r = get(&format!("{base}/api/3.0/mlflow/traces/get?trace_id={id}")).expect("get trace");
    assert_eq!(r.status, 200, "get trace: {}", r.body);
    let trace = r.json();
    let spans = trace["trace"]["spans"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(spans.len(), 16, "all agent spans stored");
    let attr_of = |span: &Value, key: &str| -> Value {
        span["attributes"]
            .as_array()
            .and_then(|a| a.iter().find(|kv| kv["key"] == key))
            .map(|kv| kv["value"].clone())
            .unwrap_or(Value::Null)
    };
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for span in &spans {
        let kind = attr_of(span, "mlflow.spanType")["string_value"]
            .as_str()
            .unwrap_or("(none)")
            .to_owned();
        *kinds.entry(kind).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = [("AGENT", 1), ("CHAIN", 4), ("LLM", 6), ("TOOL", 5)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    assert_eq!(kinds, expected, "MLflow span types");
    let root = spans
        .iter()
        .find(|s| s["name"] == "invoke_agent travel-planner")
        .expect("agent span");
    assert!(root["parent_span_id"].is_null(), "agent span is the root");
    let root_id = root["span_id"].clone();
    let tools: Vec<&Value> = spans
        .iter()
        .filter(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("execute_tool "))
        })
        .collect();
    assert_eq!(tools.len(), 5);
    assert!(tools.iter().all(|t| t["parent_span_id"] == root_id));
    let models: BTreeSet<String> = spans
        .iter()
        .filter_map(|s| {
            attr_of(s, "mlflow.llm.model")["string_value"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        models,
        ["claude-sonnet-4", "gpt-4o"]
            .iter()
            .map(|m| (*m).to_owned())
            .collect(),
        "models MLflow recognised"
    );
    drop(server);
}

// ------------------------------------------------------------------------------------------
// The OpenTelemetry Collector with otel-collector.yaml
// ------------------------------------------------------------------------------------------

fn new_trace_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{:016x}{:016x}",
        (nanos as u64) ^ u64::from(std::process::id()),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// One OTLP/JSON span ending now; `status` 2 = ERROR.
/// The trace ids [`feed_collector`] sent.
struct RawTraces {
    /// A failed chat span carrying an e-mail address, an API key and a card number.
    error: String,
    /// A 6 s trace.
    slow: String,
    /// A fast, healthy trace (sampled out at 0 %).
    dropped: String,
}

/// What both collector tests send: raw OTLP/JSON over HTTP, as an app without llmtrace would
/// (an error trace carrying secrets in `input.value` and a secret-named key, a slow trace and
/// a fast healthy one; `plain` are the other spans' attributes, `chat` the error span's), then
/// the agent example (it has errors → kept) over gRPC and the rag example (healthy and fast →
/// sampled out at 0 %) over HTTP.
fn feed_collector(grpc_port: u16, http_port: u16, plain: Value, chat: Value) -> RawTraces {
    let raw = RawTraces {
        error: new_trace_id(),
        slow: new_trace_id(),
        dropped: new_trace_id(),
    };
    let secrets = format!("mail {FAKE_EMAIL}, key {FAKE_OPENAI_KEY}, card 4111 1111 1111 1111");
    let mut chat = chat;
    chat["input.value"] = json!(secrets);
    chat["api_key"] = json!("looks-harmless-but-the-key-name-says-secret");
    let batch = otlp_json(&[
        raw_span(&raw.dropped, "fast and fine", 1_000_000, 0, plain.clone()),
        raw_span(&raw.error, "chat gpt-4o", 2_000_000, 2, chat),
        raw_span(&raw.slow, "slow chain", 6_000_000_000, 0, plain),
    ]);
    let r = post_json(
        &format!("http://127.0.0.1:{http_port}/v1/traces"),
        &[],
        &batch,
    );
    assert_eq!(r.status, 200, "collector OTLP/HTTP JSON: {}", r.body);
    export_example(
        "agent",
        &format!("http://127.0.0.1:{grpc_port}"),
        "grpc",
        &[],
    );
    export_example(
        "rag",
        &format!("http://127.0.0.1:{http_port}"),
        "http/protobuf",
        &[],
    );
    raw
}

fn raw_span(trace: &str, name: &str, duration_ns: u64, status: u8, attributes: Value) -> Value {
    let end = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let attributes: Vec<Value> = attributes
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let value = match v {
                        Value::Number(n) => json!({ "intValue": n.to_string() }),
                        other => json!({ "stringValue": other.as_str().unwrap_or_default() }),
                    };
                    json!({ "key": k, "value": value })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "traceId": trace,
        "spanId": &trace[16..],
        "name": name,
        "kind": 3,
        "startTimeUnixNano": (end - duration_ns).to_string(),
        "endTimeUnixNano": end.to_string(),
        "attributes": attributes,
        "status": { "code": status }
    })
}

fn otlp_json(spans: &[Value]) -> Value {
    json!({ "resourceSpans": [{
        "resource": { "attributes": [
            { "key": "service.name", "value": { "stringValue": "raw-otlp-e2e" } }
        ] },
        "scopeSpans": [{ "scope": { "name": "tests/backends.rs" }, "spans": spans }]
    }] })
}

#[test]
fn collector_with_otel_collector_yaml_scrubs_and_samples_on_the_way_to_phoenix() {
    if !enabled("collector_with_otel_collector_yaml_scrubs_and_samples_on_the_way_to_phoenix") {
        return;
    }
    let bin = backends_dir().join("otelcol-llmtrace");
    if !bin.exists() {
        let why = fs::read_to_string(backends_dir().join("otelcol-llmtrace.error"))
            .unwrap_or_else(|_| "no build was attempted".to_owned());
        panic!(
            "the collector built from collector/builder-config.yaml is missing at {} — \
             `bash .ci/install-backends.sh` builds it with Go and the Go module proxy. Its \
             build said:\n{why}",
            bin.display()
        );
    }
    let config = repo_root().join("otel-collector.yaml");
    let check = clean_command(&bin)
        .args(["validate", "--config"])
        .arg(&config)
        .output()
        .expect("collector validate runs");
    assert!(
        check.status.success(),
        "otel-collector.yaml does not validate: {}",
        String::from_utf8_lossy(&check.stderr)
    );

    let mut phoenix = Phoenix::start();
    let (grpc_port, http_port) = (free_port(), free_port());
    let project = "via-collector";
    let dir = fresh_dir("collector");
    let mut cmd = clean_command(&bin);
    cmd.arg("--config")
        .arg(&config)
        // Same file as users run; only its ${env:…} knobs are set.
        .env(
            "OTELCOL_OTLP_GRPC_ENDPOINT",
            format!("127.0.0.1:{grpc_port}"),
        )
        .env(
            "OTELCOL_OTLP_HTTP_ENDPOINT",
            format!("127.0.0.1:{http_port}"),
        )
        .env("OTELCOL_TRACES_EXPORTERS", "[otlp_http/phoenix, debug]")
        .env("PHOENIX_COLLECTOR_ENDPOINT", phoenix.base())
        .env("PHOENIX_PROJECT_NAME", project)
        // Deterministic sampling: keep errors and slow traces, none of the rest.
        .env("OTELCOL_TAIL_SAMPLING_PERCENTAGE", "0")
        .env("OTELCOL_TAIL_DECISION_WAIT", "5s")
        .env("OTELCOL_TAIL_DECISION_WAIT_AFTER_ROOT", "1s")
        .env("OTELCOL_BATCH_TIMEOUT", "200ms");
    let mut collector = Server::spawn("collector", cmd, dir);
    collector.wait_until("listening", Duration::from_secs(60), || {
        tcp_open(grpc_port) && tcp_open(http_port)
    });

    // Raw OTLP/JSON straight into the collector, as an app without llmtrace would send it,
    // then both examples.
    let raw = feed_collector(
        grpc_port,
        http_port,
        json!({ "openinference.span.kind": "CHAIN" }),
        json!({
            "openinference.span.kind": "LLM",
            "llm.model_name": "gpt-4o",
            "llm.token_count.prompt": 12,
        }),
    );
    let RawTraces {
        error: error_trace,
        slow: slow_trace,
        dropped: dropped_trace,
    } = raw;

    let spans = phoenix.wait_for_spans(project, 16 + 2);
    let of =
        |t: &str| -> Vec<Value> { spans.iter().filter(|s| trace_id(s) == t).cloned().collect() };
    let agent: Vec<Value> = spans
        .iter()
        .filter(|s| trace_id(s) != error_trace && trace_id(s) != slow_trace)
        .cloned()
        .collect();
    assert_agent_in_phoenix(&agent, true);

    let error = of(&error_trace);
    assert_eq!(error.len(), 1, "the error trace is kept (policy errors)");
    let input = attr(&error[0], "input.value").as_str().unwrap_or_default();
    for secret in [FAKE_EMAIL, FAKE_OPENAI_KEY, "4111 1111 1111 1111"] {
        assert!(
            !input.contains(secret),
            "{secret} passed the collector: {input}"
        );
    }
    assert_eq!(
        input, "mail ****, key ****, card ****",
        "masked by blocked_values"
    );
    assert_eq!(
        attr(&error[0], "api_key"),
        "****",
        "masked by blocked_key_patterns"
    );
    assert_eq!(int(attr(&error[0], "redaction.masked.count")), 2);
    assert_eq!(
        int(attr(&error[0], "llm.token_count.prompt")),
        12,
        "token counts untouched"
    );
    assert_eq!(s(&error[0], "span_kind"), "LLM");
    assert_eq!(s(&error[0], "status_code"), "ERROR");
    assert_eq!(
        of(&slow_trace).len(),
        1,
        "the 6 s trace is kept (policy slow)"
    );

    // Give the dropped traces time to have been decided and (wrongly) forwarded.
    std::thread::sleep(Duration::from_secs(7));
    let spans = phoenix.spans(project).unwrap_or_default();
    assert_eq!(
        spans.len(),
        18,
        "healthy fast traces are sampled out at 0 %: {:?}",
        names(&spans)
    );
    assert!(spans.iter().all(|s| trace_id(s) != dropped_trace));
    assert!(by_name(&spans, "invoke_workflow answer-question").is_empty());
    collector.assert_running();
}

// ------------------------------------------------------------------------------------------
// Jaeger
// ------------------------------------------------------------------------------------------

/// The Jaeger binary `.ci/install-backends.sh` builds; when it is missing the test fails with
/// what the build recorded.
fn jaeger_bin() -> PathBuf {
    let bin = backends_dir().join("jaeger");
    if !bin.exists() {
        let why = fs::read_to_string(backends_dir().join("jaeger.error"))
            .unwrap_or_else(|_| "no build was attempted".to_owned());
        panic!(
            "Jaeger (github.com/jaegertracing/jaeger/cmd/jaeger) is missing at {} — \
             `bash .ci/install-backends.sh` builds it with Go and the Go module proxy. Its \
             build said:\n{why}",
            bin.display()
        );
    }
    bin
}

/// `N` different ports that were free on 127.0.0.1 a moment ago.
fn free_ports<const N: usize>() -> [u16; N] {
    let mut seen = BTreeSet::new();
    std::array::from_fn(|_| loop {
        let port = free_port();
        if seen.insert(port) {
            break port;
        }
    })
}

/// Jaeger v2 with `collector/jaeger.yaml`: OTLP gRPC and HTTP in, in-memory storage, the query
/// API out, every listener on 127.0.0.1 (free ports, set through the file's `${env:…}`s).
struct Jaeger {
    server: Server,
    otlp_grpc_port: u16,
    otlp_http_port: u16,
    query_port: u16,
}

impl Jaeger {
    fn start() -> Self {
        let bin = jaeger_bin();
        let config = require(
            repo_root().join("collector").join("jaeger.yaml"),
            "the Jaeger configuration",
        );
        let dir = fresh_dir("jaeger");
        let [otlp_grpc_port, otlp_http_port, query_port, query_grpc_port, health_port] =
            free_ports();
        let addr = |port: u16| format!("127.0.0.1:{port}");
        let mut cmd = clean_command(bin);
        cmd.arg("--config")
            .arg(&config)
            .env("JAEGER_OTLP_GRPC_ENDPOINT", addr(otlp_grpc_port))
            .env("JAEGER_OTLP_HTTP_ENDPOINT", addr(otlp_http_port))
            .env("JAEGER_QUERY_HTTP_ENDPOINT", addr(query_port))
            .env("JAEGER_QUERY_GRPC_ENDPOINT", addr(query_grpc_port))
            .env("JAEGER_HEALTH_ENDPOINT", addr(health_port));
        let mut server = Server::spawn("jaeger", cmd, dir);
        let health = format!("http://127.0.0.1:{health_port}/status");
        server.wait_until(
            "healthy, receiving OTLP and serving its API",
            Duration::from_secs(60),
            || {
                get(&health).is_ok_and(|r| r.status == 200)
                    && tcp_open(otlp_grpc_port)
                    && tcp_open(otlp_http_port)
                    && tcp_open(query_port)
            },
        );
        Jaeger {
            server,
            otlp_grpc_port,
            otlp_http_port,
            query_port,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.query_port)
    }

    fn otlp_grpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.otlp_grpc_port)
    }

    fn otlp_http(&self) -> String {
        format!("http://127.0.0.1:{}", self.otlp_http_port)
    }

    /// `GET /api/v3/traces/{id}`: the trace's spans (see [`otlp_spans`]); `None` while Jaeger
    /// does not know it (404).
    fn trace(&self, id: &str) -> Option<Vec<Value>> {
        let url = format!("{}/api/v3/traces/{id}", self.base());
        let response = get(&url).unwrap_or_else(|e| panic!("GET {url}: {e}"));
        if response.status == 404 {
            return None;
        }
        assert_eq!(response.status, 200, "GET {url}: {}", response.body);
        Some(otlp_spans(&response.json()["result"]))
    }

    /// `GET /api/v3/traces?query.service_name=…`: the spans of every trace of `service` (the
    /// start-time window is required; this one covers any test run). Empty when none (404).
    fn search(&self, service: &str) -> Vec<Value> {
        let url = format!(
            "{}/api/v3/traces?query.service_name={service}&query.num_traces=100\
             &query.start_time_min=2000-01-01T00:00:00Z&query.start_time_max=2100-01-01T00:00:00Z",
            self.base()
        );
        let response = get(&url).unwrap_or_else(|e| panic!("GET {url}: {e}"));
        if response.status == 404 {
            return Vec::new();
        }
        assert_eq!(response.status, 200, "GET {url}: {}", response.body);
        otlp_spans(&response.json()["result"])
    }

    /// Waits until a search by `service` finds one trace with `expected` spans, checks that no
    /// more arrive, and returns the trace as `/api/v3/traces/{id}` shows it.
    fn wait_for_trace(&mut self, service: &str, expected: usize) -> Vec<Value> {
        self.server.assert_running();
        let what = format!("{expected} spans of service {service} in Jaeger");
        let found = poll(&what, Duration::from_secs(60), || {
            Some(self.search(service)).filter(|s| s.len() >= expected)
        });
        let id = otlp_one_trace(&found);
        std::thread::sleep(Duration::from_millis(1500));
        let spans = self
            .trace(&id)
            .unwrap_or_else(|| panic!("trace {id} is found by the search but not by its id"));
        assert_eq!(
            spans.len(),
            expected,
            "Jaeger shows {} spans in trace {id} of {service}, expected {expected}: {:?}",
            spans.len(),
            names(&spans)
        );
        assert_eq!(
            self.search(service).len(),
            expected,
            "one trace of {service}"
        );
        spans
    }
}

/// The spans of OTLP/JSON `TracesData` (`resourceSpans` → `scopeSpans` → `spans`), each with
/// its resource under `"resource"`.
fn otlp_spans(data: &Value) -> Vec<Value> {
    let mut spans = Vec::new();
    for resource_spans in data["resourceSpans"].as_array().into_iter().flatten() {
        for scope_spans in resource_spans["scopeSpans"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for span in scope_spans["spans"].as_array().into_iter().flatten() {
                let mut span = span.clone();
                span["resource"] = resource_spans["resource"].clone();
                spans.push(span);
            }
        }
    }
    spans
}

/// The OTLP `AnyValue` of `key` in an OTLP attribute list, `null` when absent.
fn otlp_value<'a>(attributes: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    attributes
        .as_array()
        .and_then(|list| list.iter().find(|kv| kv["key"] == key))
        .map_or(&NULL, |kv| &kv["value"])
}

/// The OTLP `AnyValue` of a span attribute.
fn otlp_attr<'a>(span: &'a Value, key: &str) -> &'a Value {
    otlp_value(&span["attributes"], key)
}

/// A string value; fails unless it is typed `stringValue`.
fn otlp_str<'a>(value: &'a Value, what: &str) -> &'a str {
    value["stringValue"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: a stringValue expected, got {value}"))
}

/// An integer value; fails unless it is typed `intValue` (a decimal string in OTLP/JSON).
fn otlp_int(value: &Value, what: &str) -> i64 {
    let int = &value["intValue"];
    int.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| int.as_i64())
        .unwrap_or_else(|| panic!("{what}: an intValue expected, got {value}"))
}

/// A floating-point value; fails unless it is typed `doubleValue`.
fn otlp_double(value: &Value, what: &str) -> f64 {
    value["doubleValue"]
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: a doubleValue expected, got {value}"))
}

/// A boolean value; fails unless it is typed `boolValue`.
fn otlp_bool(value: &Value, what: &str) -> bool {
    value["boolValue"]
        .as_bool()
        .unwrap_or_else(|| panic!("{what}: a boolValue expected, got {value}"))
}

/// The string attribute `key` of `span` (typed `stringValue`).
fn jstr<'a>(span: &'a Value, key: &str) -> &'a str {
    otlp_str(
        otlp_attr(span, key),
        &format!("{key} of {}", s(span, "name")),
    )
}

/// The integer attribute `key` of `span` (typed `intValue`).
fn jint(span: &Value, key: &str) -> i64 {
    otlp_int(
        otlp_attr(span, key),
        &format!("{key} of {}", s(span, "name")),
    )
}

/// The floating-point attribute `key` of `span` (typed `doubleValue`).
fn jdouble(span: &Value, key: &str) -> f64 {
    otlp_double(
        otlp_attr(span, key),
        &format!("{key} of {}", s(span, "name")),
    )
}

/// The string array attribute `key` of `span` (an `arrayValue` of `stringValue`s).
fn jstrings<'a>(span: &'a Value, key: &str) -> Vec<&'a str> {
    let value = otlp_attr(span, key);
    let what = format!("{key} of {}", s(span, "name"));
    value["arrayValue"]["values"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: an arrayValue expected, got {value}"))
        .iter()
        .map(|v| otlp_str(v, &what))
        .collect()
}

/// The boolean attribute `key` of `span` (typed `boolValue`).
fn jbool(span: &Value, key: &str) -> bool {
    otlp_bool(
        otlp_attr(span, key),
        &format!("{key} of {}", s(span, "name")),
    )
}

fn jspan_id(span: &Value) -> &str {
    span["spanId"].as_str().unwrap_or("")
}

/// The parent span id, `""` for a root.
fn jparent(span: &Value) -> &str {
    span["parentSpanId"].as_str().unwrap_or("")
}

fn otlp_one_trace(spans: &[Value]) -> String {
    let ids: BTreeSet<&str> = spans
        .iter()
        .map(|s| s["traceId"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids.len(), 1, "one trace expected, got {ids:?}");
    ids.into_iter().next().unwrap_or_default().to_owned()
}

/// OTLP span kind: the enum number, also when written by name.
fn jkind(span: &Value) -> &'static str {
    match &span["kind"] {
        Value::Number(n) => match n.as_i64() {
            Some(1) => "INTERNAL",
            Some(2) => "SERVER",
            Some(3) => "CLIENT",
            Some(4) => "PRODUCER",
            Some(5) => "CONSUMER",
            _ => "UNSPECIFIED",
        },
        Value::String(name) => match name.trim_start_matches("SPAN_KIND_") {
            "INTERNAL" => "INTERNAL",
            "SERVER" => "SERVER",
            "CLIENT" => "CLIENT",
            "PRODUCER" => "PRODUCER",
            "CONSUMER" => "CONSUMER",
            _ => "UNSPECIFIED",
        },
        _ => "UNSPECIFIED",
    }
}

/// True when the span's OTLP status is ERROR (code 2, or by name).
fn jfailed(span: &Value) -> bool {
    let code = &span["status"]["code"];
    code.as_i64() == Some(2) || code.as_str() == Some("STATUS_CODE_ERROR")
}

/// The span's events named `name`.
fn jevents<'a>(span: &'a Value, name: &str) -> Vec<&'a Value> {
    span["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["name"] == name)
        .collect()
}

/// A failed span as Jaeger must show it: status ERROR with a message, `error.type`, and one
/// `exception` event carrying the error's type and message.
fn assert_failure_in_jaeger(span: &Value, message: &str) {
    let name = s(span, "name");
    assert!(jfailed(span), "{name} is an error: {}", span["status"]);
    assert!(
        s(&span["status"], "message").contains(message),
        "{name}: status message {}",
        span["status"]
    );
    assert!(!jstr(span, "error.type").is_empty(), "{name}: error.type");
    let exceptions = jevents(span, "exception");
    assert_eq!(exceptions.len(), 1, "{name}: one exception event");
    let event = &exceptions[0]["attributes"];
    assert!(
        !otlp_str(otlp_value(event, "exception.type"), "exception.type").is_empty(),
        "{name}: exception.type"
    );
    assert!(
        otlp_str(otlp_value(event, "exception.message"), "exception.message").contains(message),
        "{name}: exception.message {}",
        otlp_value(event, "exception.message")
    );
}

/// What Jaeger must show for one run of the `agent` example exported as service `service`.
fn assert_agent_in_jaeger(spans: &[Value], service: &str) {
    assert_eq!(spans.len(), 16, "agent spans: {:?}", names(spans));
    otlp_one_trace(spans);
    for span in spans {
        let name = s(span, "name");
        assert_eq!(
            otlp_str(
                otlp_value(&span["resource"]["attributes"], "service.name"),
                "service.name"
            ),
            service,
            "resource of {name}"
        );
        assert_eq!(jstr(span, "session.id"), "session-4821", "{name}");
        assert_eq!(jstr(span, "user.id"), "user-17", "{name}");
        // API v3 keeps arrays as arrays (the classic /api/traces shows them as JSON strings).
        assert_eq!(jstrings(span, "tag.tags"), ["example"], "{name}");
    }

    let root = the(spans, "invoke_agent travel-planner");
    assert_eq!(jparent(root), "", "the agent span is the root");
    assert_eq!(jkind(root), "INTERNAL");
    assert_eq!(jstr(root, "gen_ai.operation.name"), "invoke_agent");
    assert_eq!(jstr(root, "gen_ai.agent.name"), "travel-planner");
    assert_eq!(jint(root, "llmtrace.trace.input_tokens"), 1980);
    assert_eq!(jint(root, "llmtrace.trace.output_tokens"), 128);
    assert_eq!(jint(root, "llmtrace.agent.iterations"), 4);
    let loops = jevents(root, "llmtrace.agent.loop_detected");
    assert_eq!(loops.len(), 1, "the repeated flight search is flagged");
    assert!(
        otlp_int(
            otlp_value(&loops[0]["attributes"], "llmtrace.agent.repeat_count"),
            "llmtrace.agent.repeat_count"
        ) >= 3
    );
    let root_id = jspan_id(root);

    let retries = by_name(spans, "retry gpt-4o");
    assert_eq!(retries.len(), 4, "one retry parent per model call");
    let retry_ids: BTreeSet<&str> = retries.iter().map(|r| jspan_id(r)).collect();
    let mut fallbacks = 0;
    for retry in &retries {
        assert_eq!(jkind(retry), "INTERNAL");
        assert_eq!(jparent(retry), root_id, "retry spans hang off the agent");
        assert_eq!(jstr(retry, "gen_ai.operation.name"), "retry");
        assert!(jint(retry, "llmtrace.retry.attempts") >= 1);
        if jbool(retry, "llmtrace.retry.fallback_used") {
            fallbacks += 1;
            assert_eq!(jint(retry, "llmtrace.retry.attempts"), 3);
            assert_eq!(jstr(retry, "llmtrace.retry.model_used"), "claude-sonnet-4");
        }
    }
    assert_eq!(fallbacks, 1, "the fallback answered once");

    let chats: Vec<&Value> = spans
        .iter()
        .filter(|s| s["name"].as_str().is_some_and(|n| n.starts_with("chat ")))
        .collect();
    assert_eq!(
        chats.len(),
        6,
        "two failed attempts, a fallback, three more calls"
    );
    let (mut input, mut output, mut cost) = (0, 0, 0.0);
    for chat in &chats {
        let name = s(chat, "name");
        assert_eq!(jkind(chat), "CLIENT", "{name}");
        assert!(
            retry_ids.contains(jparent(chat)),
            "{name} sits under a retry span"
        );
        assert_eq!(jstr(chat, "gen_ai.operation.name"), "chat");
        assert_eq!(
            jstr(chat, "gen_ai.request.model"),
            name.trim_start_matches("chat ")
        );
        assert_eq!(jdouble(chat, "gen_ai.request.temperature"), 0.2, "{name}");
        assert_eq!(jint(chat, "gen_ai.request.max_tokens"), 512, "{name}");
        assert!(jint(chat, "llmtrace.retry.attempt") >= 1, "{name}");
        if jfailed(chat) {
            assert_eq!(name, "chat gpt-4o", "only the overloaded model fails");
            assert_failure_in_jaeger(chat, "503 model overloaded");
            continue;
        }
        assert!(
            otlp_attr(chat, "error.type").is_null(),
            "{name}: no error.type"
        );
        let (i, o) = (
            jint(chat, "gen_ai.usage.input_tokens"),
            jint(chat, "gen_ai.usage.output_tokens"),
        );
        assert!(i > 0 && o > 0, "{name} tokens {i}/{o}");
        input += i;
        output += o;
        let usd = jdouble(chat, "llmtrace.cost.usd");
        assert!(usd > 0.0 && usd < 1.0, "{name} cost {usd}");
        cost += usd;
        assert!(jstr(chat, "gen_ai.response.id").starts_with("chatcmpl-"));
        assert!(!jstrings(chat, "gen_ai.response.finish_reasons").is_empty());
    }
    assert_eq!((input, output), (1980, 128), "tokens of the answered calls");
    let total = jdouble(root, "llmtrace.cost.usd");
    assert!(
        (total - cost).abs() < 1e-9,
        "the agent's cost {total} is the sum of its calls' {cost}"
    );
    assert_eq!(
        chats.iter().filter(|c| jfailed(c)).count(),
        2,
        "two overloaded attempts"
    );

    let tools: Vec<&Value> = spans
        .iter()
        .filter(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("execute_tool "))
        })
        .collect();
    assert_eq!(
        tools.len(),
        5,
        "weather twice (one retry), flights three times"
    );
    for tool in &tools {
        let name = s(tool, "name");
        assert_eq!(jkind(tool), "INTERNAL", "{name}");
        assert_eq!(jparent(tool), root_id, "tool spans hang off the agent");
        assert_eq!(jstr(tool, "gen_ai.operation.name"), "execute_tool");
        assert_eq!(
            jstr(tool, "gen_ai.tool.name"),
            name.trim_start_matches("execute_tool ")
        );
        let attempt = jint(tool, "llmtrace.retry.attempt");
        if jfailed(tool) {
            assert_eq!(
                name, "execute_tool get_weather",
                "only the weather times out"
            );
            assert_eq!(attempt, 1, "on its first attempt");
            assert_failure_in_jaeger(tool, "weather service timed out");
        }
    }

    let mut failed: Vec<String> = spans
        .iter()
        .filter(|s| jfailed(s))
        .map(|s| s["name"].as_str().unwrap_or("?").to_owned())
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        ["chat gpt-4o", "chat gpt-4o", "execute_tool get_weather"],
        "ERROR on exactly the failed spans"
    );
}

/// What Jaeger must show for one run of the `rag` example (service `rag`, content captured).
fn assert_rag_in_jaeger(spans: &[Value]) {
    assert_eq!(spans.len(), 6, "rag spans: {:?}", names(spans));
    otlp_one_trace(spans);
    for span in spans {
        let name = s(span, "name");
        assert_eq!(
            otlp_str(
                otlp_value(&span["resource"]["attributes"], "service.name"),
                "service.name"
            ),
            "rag",
            "resource of {name}"
        );
        assert_eq!(jstr(span, "session.id"), "session-rag-1", "{name}");
        assert!(!jfailed(span), "{name} did not fail: {}", span["status"]);
        assert!(
            jevents(span, "exception").is_empty(),
            "{name}: no exception"
        );
    }
    let root = the(spans, "invoke_workflow answer-question");
    assert_eq!(jparent(root), "", "the workflow is the root");
    assert_eq!(jkind(root), "INTERNAL");
    assert_eq!(jstr(root, "gen_ai.operation.name"), "invoke_workflow");
    let root_id = jspan_id(root);
    let expected = [
        ("embeddings text-embedding-3-small", "CLIENT", "embeddings"),
        ("retrieval policies-vector-store", "CLIENT", "retrieval"),
        ("rerank rerank-english-v3.0", "CLIENT", "rerank"),
        (
            "invoke_workflow build-context",
            "INTERNAL",
            "invoke_workflow",
        ),
        ("chat claude-sonnet-4", "CLIENT", "chat"),
    ];
    for (name, kind, operation) in expected {
        let span = the(spans, name);
        assert_eq!(jkind(span), kind, "span kind of {name}");
        assert_eq!(jparent(span), root_id, "{name} is a child of the root");
        assert_eq!(jstr(span, "gen_ai.operation.name"), operation, "{name}");
    }

    let embed = the(spans, "embeddings text-embedding-3-small");
    assert_eq!(
        jint(embed, "gen_ai.usage.input_tokens"),
        10,
        "ten words embedded"
    );

    let retrieval = the(spans, "retrieval policies-vector-store");
    assert_eq!(
        jstr(retrieval, "gen_ai.data_source.id"),
        "policies-vector-store"
    );
    let mut previous = f64::INFINITY;
    for i in 0..3 {
        let key = |field: &str| format!("retrieval.documents.{i}.document.{field}");
        assert!(jstr(retrieval, &key("id")).starts_with("doc-"));
        let score = jdouble(retrieval, &key("score"));
        assert!(
            score > 0.0 && score <= previous,
            "scores best first: {score}"
        );
        previous = score;
    }
    assert!(otlp_attr(retrieval, "retrieval.documents.3.document.id").is_null());

    let chat = the(spans, "chat claude-sonnet-4");
    assert_eq!(jstr(chat, "gen_ai.provider.name"), "anthropic");
    assert_eq!(
        jstr(chat, "gen_ai.response.model"),
        "claude-sonnet-4-20250514"
    );
    assert_eq!(jint(chat, "gen_ai.request.max_tokens"), 300);
    assert!(jint(chat, "gen_ai.usage.input_tokens") > 30);
    assert_eq!(jint(chat, "gen_ai.usage.output_tokens"), 22);
    assert!(jdouble(chat, "llmtrace.cost.usd") > 0.0);
    assert_eq!(
        jstrings(chat, "gen_ai.response.finish_reasons"),
        ["end_turn"]
    );

    let rerank = the(spans, "rerank rerank-english-v3.0");
    assert_eq!(jstr(rerank, "gen_ai.request.model"), "rerank-english-v3.0");
    assert_eq!(jint(rerank, "reranker.top_k"), 2);
    for i in 0..2 {
        let key = |field: &str| format!("reranker.output_documents.{i}.document.{field}");
        assert!(jstr(rerank, &key("id")).starts_with("doc-"));
        jdouble(rerank, &key("score"));
    }
    assert!(otlp_attr(rerank, "reranker.output_documents.2.document.id").is_null());

    let total = jdouble(root, "llmtrace.cost.usd");
    let parts = jdouble(chat, "llmtrace.cost.usd") + jdouble(embed, "llmtrace.cost.usd");
    assert!(
        (total - parts).abs() < 1e-9,
        "the workflow's cost {total} is the sum of its model calls' {parts}"
    );
}

#[test]
fn jaeger_shows_the_agent_trace_sent_over_otlp_grpc() {
    if !enabled("jaeger_shows_the_agent_trace_sent_over_otlp_grpc") {
        return;
    }
    let mut jaeger = Jaeger::start();
    // gzip-compressed, as collectors' own exporters send by default.
    export_example(
        "agent",
        &jaeger.otlp_grpc(),
        "grpc",
        &[("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")],
    );
    let spans = jaeger.wait_for_trace("agent", 16);
    assert_agent_in_jaeger(&spans, "agent");

    // The classic API the Jaeger UI reads: `error=true` marks exactly the failed spans, their
    // exceptions are logs, numbers keep their types and arrays become JSON strings.
    let id = otlp_one_trace(&spans);
    let url = format!("{}/api/traces/{id}", jaeger.base());
    let response = get(&url).unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert_eq!(response.status, 200, "GET {url}: {}", response.body);
    let trace = &response.json()["data"][0];
    let classic = trace["spans"].as_array().cloned().unwrap_or_default();
    assert_eq!(classic.len(), 16, "classic API spans");
    let tag = |span: &Value, key: &str| -> Value {
        span["tags"]
            .as_array()
            .and_then(|tags| tags.iter().find(|t| t["key"] == key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut failed = Vec::new();
    for span in &classic {
        let name = span["operationName"].as_str().unwrap_or("?");
        let process = &trace["processes"][span["processID"].as_str().unwrap_or("")];
        assert_eq!(process["serviceName"], "agent", "{name}");
        assert_eq!(tag(span, "tag.tags")["value"], r#"["example"]"#, "{name}");
        if tag(span, "error")["value"] == true {
            failed.push(name.to_owned());
            assert_eq!(tag(span, "otel.status_code")["value"], "ERROR", "{name}");
            let logs = span["logs"].as_array().cloned().unwrap_or_default();
            assert!(
                logs.iter().any(|log| log["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|kv| kv["value"] == "exception"))),
                "{name}: the exception is a log: {logs:?}"
            );
        }
        if name.starts_with("chat ") && tag(span, "error").is_null() {
            let tokens = tag(span, "gen_ai.usage.input_tokens");
            assert_eq!(tokens["type"], "int64", "{name}: {tokens}");
            let cost = tag(span, "llmtrace.cost.usd");
            assert_eq!(cost["type"], "float64", "{name}: {cost}");
        }
    }
    failed.sort();
    assert_eq!(
        failed,
        ["chat gpt-4o", "chat gpt-4o", "execute_tool get_weather"],
        "error=true on exactly the failed spans"
    );
}

#[test]
fn jaeger_shows_the_rag_trace_sent_over_otlp_http() {
    if !enabled("jaeger_shows_the_rag_trace_sent_over_otlp_http") {
        return;
    }
    let mut jaeger = Jaeger::start();
    export_example(
        "rag",
        &jaeger.otlp_http(),
        "http/protobuf",
        &[("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")],
    );
    let spans = jaeger.wait_for_trace("rag", 6);
    assert_rag_in_jaeger(&spans);
}

#[test]
fn jaeger_behind_the_collector_with_otel_collector_yaml_gets_the_scrubbed_sampled_agent_trace() {
    if !enabled(
        "jaeger_behind_the_collector_with_otel_collector_yaml_gets_the_scrubbed_sampled_agent_trace",
    ) {
        return;
    }
    let bin = backends_dir().join("otelcol-llmtrace");
    if !bin.exists() {
        let why = fs::read_to_string(backends_dir().join("otelcol-llmtrace.error"))
            .unwrap_or_else(|_| "no build was attempted".to_owned());
        panic!(
            "the collector built from collector/builder-config.yaml is missing at {} — \
             `bash .ci/install-backends.sh` builds it with Go and the Go module proxy. Its \
             build said:\n{why}",
            bin.display()
        );
    }
    let mut jaeger = Jaeger::start();
    let [grpc_port, http_port] = free_ports();
    let mut cmd = clean_command(&bin);
    cmd.arg("--config")
        .arg(repo_root().join("otel-collector.yaml"))
        // The file users run, unchanged: its `traces` pipeline sends to the Jaeger exporter only.
        .env(
            "OTELCOL_OTLP_GRPC_ENDPOINT",
            format!("127.0.0.1:{grpc_port}"),
        )
        .env(
            "OTELCOL_OTLP_HTTP_ENDPOINT",
            format!("127.0.0.1:{http_port}"),
        )
        .env("OTELCOL_TRACES_EXPORTERS", "[otlp_grpc/jaeger]")
        .env(
            "JAEGER_OTLP_GRPC_ENDPOINT",
            format!("127.0.0.1:{}", jaeger.otlp_grpc_port),
        )
        // Deterministic sampling: keep errors and slow traces, none of the rest.
        .env("OTELCOL_TAIL_SAMPLING_PERCENTAGE", "0")
        .env("OTELCOL_TAIL_DECISION_WAIT", "5s")
        .env("OTELCOL_TAIL_DECISION_WAIT_AFTER_ROOT", "1s")
        .env("OTELCOL_BATCH_TIMEOUT", "200ms");
    let mut collector = Server::spawn("collector", cmd, fresh_dir("collector-jaeger"));
    collector.wait_until("listening", Duration::from_secs(60), || {
        tcp_open(grpc_port) && tcp_open(http_port)
    });

    // Raw OTLP/JSON as an app without llmtrace sends it (service `raw-otlp-e2e`), then both
    // examples.
    let RawTraces {
        error: error_trace,
        slow: slow_trace,
        dropped: dropped_trace,
    } = feed_collector(
        grpc_port,
        http_port,
        json!({}),
        json!({
            "gen_ai.operation.name": "chat",
            "gen_ai.usage.input_tokens": 12,
        }),
    );

    let agent = jaeger.wait_for_trace("agent", 16);
    assert_agent_in_jaeger(&agent, "agent");
    for span in &agent {
        assert!(
            otlp_attr(span, "redaction.masked.count").is_null(),
            "nothing in {} needed masking: {span}",
            s(span, "name")
        );
    }

    let error = poll("the error trace in Jaeger", Duration::from_secs(30), || {
        jaeger.trace(&error_trace)
    });
    assert_eq!(error.len(), 1, "the error trace is kept (policy errors)");
    let span = &error[0];
    assert!(jfailed(span));
    let input = jstr(span, "input.value");
    assert_eq!(
        input, "mail ****, key ****, card ****",
        "masked by blocked_values"
    );
    assert_eq!(
        jstr(span, "api_key"),
        "****",
        "masked by blocked_key_patterns"
    );
    assert_eq!(jint(span, "redaction.masked.count"), 2);
    assert_eq!(
        jint(span, "gen_ai.usage.input_tokens"),
        12,
        "token counts untouched"
    );
    let slow = poll("the slow trace in Jaeger", Duration::from_secs(30), || {
        jaeger.trace(&slow_trace)
    });
    assert_eq!(slow.len(), 1, "the 6 s trace is kept (policy slow)");

    // Give the dropped traces time to have been decided and (wrongly) forwarded.
    std::thread::sleep(Duration::from_secs(7));
    assert!(
        jaeger.trace(&dropped_trace).is_none(),
        "a fast healthy trace is sampled out at 0 %"
    );
    assert!(
        jaeger.search("rag").is_empty(),
        "the rag example (healthy, fast) is sampled out at 0 %"
    );
    assert_eq!(jaeger.search("raw-otlp-e2e").len(), 2, "error + slow");
    assert_eq!(jaeger.search("agent").len(), 16, "nothing more arrived");
    collector.assert_running();
    jaeger.server.assert_running();
}
