//! The fixtures of these tests: a small OpenAI-compatible HTTP server on 127.0.0.1 that
//! answers with canned responses, and canned OpenAI bodies. The in-memory pipeline and the span
//! lookups come from `llmtrace-test-support`, re-exported here.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_openai::config::OpenAIConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub use llmtrace_test_support::*;
// These tests are async: `run` is the support crate's `run_async` (a current-thread runtime
// under an in-memory pipeline).
pub use llmtrace_test_support::run_async as run;

/// One canned answer.
#[derive(Debug, Clone)]
pub enum Canned {
    /// A JSON body with a status and extra headers.
    Json {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: serde_json::Value,
    },
    /// A server-sent-event stream: each event after its delay, then `data: [DONE]` unless
    /// `hold_open`, in which case the connection stays open with nothing more to say.
    Sse {
        events: Vec<(Duration, serde_json::Value)>,
        hold_open: bool,
    },
}

impl Canned {
    pub fn ok(body: serde_json::Value) -> Canned {
        Canned::Json {
            status: 200,
            headers: Vec::new(),
            body,
        }
    }

    pub fn status(status: u16, body: serde_json::Value) -> Canned {
        Canned::Json {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Canned {
        if let Canned::Json { headers, .. } = &mut self {
            headers.push((name, value.to_owned()));
        }
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    /// Every header, names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

/// The server: answers each request with the next canned response (a 500 when none is left).
#[derive(Debug, Clone)]
pub struct Server {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    /// Starts the server on the current Tokio runtime.
    pub async fn start(answers: Vec<Canned>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let queue = Arc::new(Mutex::new(VecDeque::from(answers)));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let queue = Arc::clone(&queue);
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let _ = serve(socket, queue, log).await;
                });
            }
        });
        Server { addr, received }
    }

    /// The API base to give the client.
    pub fn api_base(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// A traced client for this server, with a fake key made here.
    pub fn client(&self) -> llmtrace_openai::Client<OpenAIConfig> {
        let key = format!("test-key-{}", self.addr.port());
        llmtrace_openai::Client::with_config(
            OpenAIConfig::new()
                .with_api_base(self.api_base())
                .with_api_key(key),
        )
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn serve(
    mut socket: TcpStream,
    queue: Arc<Mutex<VecDeque<Canned>>>,
    log: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    // Read the head, then as many body bytes as Content-Length says.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let path = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let body = serde_json::from_slice(&buf[head_end..]).unwrap_or(serde_json::Value::Null);
    log.lock().unwrap().push(Received {
        path,
        authorization: header("authorization"),
        headers: head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect(),
        body,
    });

    let answer = queue.lock().unwrap().pop_front();
    match answer {
        Some(Canned::Json {
            status,
            headers,
            body,
        }) => {
            let body = body.to_string();
            let mut response = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                reason(status),
                body.len()
            );
            for (k, v) in headers {
                response.push_str(&format!("{k}: {v}\r\n"));
            }
            response.push_str("\r\n");
            response.push_str(&body);
            socket.write_all(response.as_bytes()).await?;
        }
        Some(Canned::Sse { events, hold_open }) => {
            socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n",
                )
                .await?;
            socket.flush().await?;
            for (delay, event) in events {
                tokio::time::sleep(delay).await;
                socket
                    .write_all(format!("data: {event}\n\n").as_bytes())
                    .await?;
                socket.flush().await?;
            }
            if hold_open {
                tokio::time::sleep(Duration::from_secs(30)).await;
            } else {
                socket.write_all(b"data: [DONE]\n\n").await?;
            }
        }
        None => {
            let body = r#"{"error":{"message":"no canned response left","type":"server_error","param":null,"code":null}}"#;
            let response = format!(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(response.as_bytes()).await?;
        }
    }
    socket.shutdown().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

// ---- canned OpenAI bodies ----

pub fn completion_with_text() -> serde_json::Value {
    serde_json::json!({
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": 1_700_000_000u32,
        "model": "gpt-4o-mini-2024-07-18",
        "service_tier": "default",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": [
            {"index": 1, "message": {"role": "assistant", "content": "Bonjour !"}, "finish_reason": "length", "logprobs": null},
            {"index": 0, "message": {"role": "assistant", "content": "Hello there."}, "finish_reason": "stop", "logprobs": null}
        ],
        "usage": {
            "prompt_tokens": 1200, "completion_tokens": 80, "total_tokens": 1280,
            "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 32, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        }
    })
}

pub fn completion_with_tool_calls() -> serde_json::Value {
    serde_json::json!({
        "id": "chatcmpl-tools-1",
        "object": "chat.completion",
        "created": 1_700_000_000u32,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [
                    {"id": "call_weather_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Lisbon\"}"}},
                    {"id": "call_flights_2", "type": "function", "function": {"name": "search_flights", "arguments": "{\"to\":\"LIS\"}"}}
                ]
            },
            "finish_reason": "tool_calls",
            "logprobs": null
        }],
        "usage": {"prompt_tokens": 90, "completion_tokens": 40, "total_tokens": 130}
    })
}

pub fn chunk(
    delta: serde_json::Value,
    finish_reason: Option<&str>,
    usage: Option<serde_json::Value>,
) -> serde_json::Value {
    let choices = if delta.is_null() {
        serde_json::json!([])
    } else {
        serde_json::json!([{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": null}])
    };
    serde_json::json!({
        "id": "chatcmpl-stream-7",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000u32,
        "model": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_stream",
        "choices": choices,
        "usage": usage,
    })
}

/// A text stream of three content chunks (the first after `first_delay`), a finish chunk and,
/// as OpenAI sends with `include_usage`, a last chunk with no choices and the usage.
pub fn text_stream(first_delay: Duration) -> Vec<(Duration, serde_json::Value)> {
    let ms = Duration::from_millis;
    vec![
        (
            first_delay,
            chunk(
                serde_json::json!({"role": "assistant", "content": ""}),
                None,
                None,
            ),
        ),
        (
            ms(5),
            chunk(serde_json::json!({"content": "Hello"}), None, None),
        ),
        (
            ms(5),
            chunk(serde_json::json!({"content": " world"}), None, None),
        ),
        (ms(5), chunk(serde_json::json!({}), Some("stop"), None)),
        (
            ms(5),
            chunk(
                serde_json::Value::Null,
                None,
                Some(serde_json::json!({
                    "prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62,
                    "prompt_tokens_details": {"cached_tokens": 16},
                    "completion_tokens_details": {"reasoning_tokens": 4}
                })),
            ),
        ),
    ]
}

/// A stream in which the model calls two tools, their arguments split across chunks.
pub fn tool_call_stream() -> Vec<(Duration, serde_json::Value)> {
    let ms = Duration::from_millis;
    let call = |index: u32, id: Option<&str>, name: Option<&str>, args: &str| {
        let mut c = serde_json::json!({"index": index, "function": {"arguments": args}});
        if let Some(id) = id {
            c["id"] = id.into();
            c["type"] = "function".into();
        }
        if let Some(name) = name {
            c["function"]["name"] = name.into();
        }
        c
    };
    vec![
        (
            ms(10),
            chunk(
                serde_json::json!({"role": "assistant", "content": null, "tool_calls": [call(0, Some("call_w"), Some("get_weather"), "")]}),
                None,
                None,
            ),
        ),
        (
            ms(2),
            chunk(
                serde_json::json!({"tool_calls": [call(0, None, None, "{\"city\":")]}),
                None,
                None,
            ),
        ),
        (
            ms(2),
            chunk(
                serde_json::json!({"tool_calls": [call(0, None, None, "\"Lisbon\"}")]}),
                None,
                None,
            ),
        ),
        (
            ms(2),
            chunk(
                serde_json::json!({"tool_calls": [call(1, Some("call_f"), Some("search_flights"), "{\"to\":\"LIS\"}")]}),
                None,
                None,
            ),
        ),
        (
            ms(2),
            chunk(serde_json::json!({}), Some("tool_calls"), None),
        ),
    ]
}

pub fn embeddings_response(vectors: usize, dimension: usize) -> serde_json::Value {
    let data: Vec<serde_json::Value> = (0..vectors)
        .map(|i| {
            serde_json::json!({
                "index": i, "object": "embedding",
                "embedding": (0..dimension).map(|d| d as f32 / 100.0).collect::<Vec<f32>>()
            })
        })
        .collect();
    serde_json::json!({
        "object": "list",
        "model": "text-embedding-3-small",
        "data": data,
        "usage": {"prompt_tokens": 9, "total_tokens": 9}
    })
}

pub fn api_error(message: &str, kind: Option<&str>, code: Option<&str>) -> serde_json::Value {
    serde_json::json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}
