//! A local model provider for the examples that run other libraries (genai, rig) offline and for
//! the client benchmarks: an HTTP/1.1 server on `127.0.0.1` and a free port (connections kept
//! alive), whose answers a closure chooses, plus builders for the JSON bodies of OpenAI's chat
//! completions, embeddings and error replies and of Anthropic's Messages API (plain and
//! streamed).
//!
//! ```
//! use llmtrace_test_support::mock_provider::{self, Reply};
//! use serde_json::json;
//!
//! let port = mock_provider::start(|request| {
//!     if request.path.ends_with("/embeddings") {
//!         Reply::json(&mock_provider::embeddings("text-embedding-3-small", &[vec![0.1, 0.2]], 2))
//!     } else {
//!         Reply::error(429, "rate_limit_exceeded", "slow down")
//!     }
//! })
//! .expect("a local port");
//! assert!(port > 0);
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use serde_json::{json, Value};

/// One request the mock received: its path (`/v1/chat/completions`) and JSON body (`Null` when
/// the body is not JSON).
#[derive(Debug, Clone)]
pub struct Request {
    /// The request target, e.g. `/v1/embeddings`.
    pub path: String,
    /// The parsed body.
    pub body: Value,
}

impl Request {
    /// The texts of the request's messages (chat) or inputs (embeddings), in order.
    pub fn texts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        let messages = self.body["messages"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for message in messages {
            collect_texts(&message["content"], &mut texts);
        }
        collect_texts(&self.body["input"], &mut texts);
        texts
    }

    /// Whether any message of the request has the role `tool` (a tool's answer).
    pub fn has_tool_answer(&self) -> bool {
        self.body["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["role"] == "tool"))
    }

    /// The number of messages of a chat request.
    pub fn message_count(&self) -> usize {
        self.body["messages"].as_array().map_or(0, Vec::len)
    }
}

/// Text found in a message's `content` (a string or an array of parts) or an `input`.
fn collect_texts(value: &Value, texts: &mut Vec<String>) {
    match value {
        Value::String(text) => texts.push(text.clone()),
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(text) => texts.push(text.clone()),
                    part => collect_texts(&part["text"], texts),
                }
            }
        }
        _ => {}
    }
}

/// The mock's answer to one request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` of the body.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Reply {
    /// `200 OK` with a JSON body.
    pub fn json(body: &Value) -> Self {
        Self {
            status: 200,
            content_type: "application/json",
            body: body.to_string(),
        }
    }

    /// `200 OK` with server-sent events: one `data:` line per event, then `data: [DONE]`.
    pub fn event_stream(events: &[Value]) -> Self {
        let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
        body.push_str("data: [DONE]\n\n");
        Self {
            status: 200,
            content_type: "text/event-stream",
            body,
        }
    }

    /// `200 OK` with named server-sent events (`event:` and `data:` lines), as Anthropic's
    /// Messages API streams; no `[DONE]` line.
    pub fn named_event_stream(events: &[(&str, Value)]) -> Self {
        let body = events
            .iter()
            .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
            .collect();
        Self {
            status: 200,
            content_type: "text/event-stream",
            body,
        }
    }

    /// An error in OpenAI's shape: `{"error": {"message", "type", "code"}}` with `status`.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        let body = json!({"error": {"message": message, "type": code, "code": code}});
        Self {
            status,
            content_type: "application/json",
            body: body.to_string(),
        }
    }
}

/// A chat completion answering with `message`, its finish reason taken from it (`tool_calls`
/// when it calls tools, else `stop`).
pub fn chat_completion(model: &str, message: Value, usage: (u64, u64)) -> Value {
    let finish = if message.get("tool_calls").is_some() {
        "tool_calls"
    } else {
        "stop"
    };
    let (prompt_tokens, completion_tokens) = usage;
    json!({
        "id": "chatcmpl-mock", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens}
    })
}

/// An assistant message with text.
pub fn text_message(text: &str) -> Value {
    json!({"role": "assistant", "content": text})
}

/// An assistant message calling tools: `(call id, tool name, arguments)`.
pub fn tool_calls_message(calls: &[(&str, &str, Value)]) -> Value {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(id, name, arguments)| {
            json!({"id": id, "type": "function",
                   "function": {"name": name, "arguments": arguments.to_string()}})
        })
        .collect();
    json!({"role": "assistant", "content": null, "tool_calls": calls})
}

/// An Anthropic Messages API answer with `text`: `(input, output)` tokens in `usage`.
pub fn anthropic_message(model: &str, text: &str, usage: (u64, u64)) -> Value {
    json!({
        "id": "msg_mock", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": usage.0, "output_tokens": usage.1}
    })
}

/// The same answer as Anthropic streams it: `message_start` (with the input tokens), one text
/// block delta per piece, `message_delta` (stop reason, output tokens), `message_stop`.
pub fn anthropic_stream(
    model: &str,
    pieces: &[&str],
    usage: (u64, u64),
) -> Vec<(&'static str, Value)> {
    let mut events = vec![
        (
            "message_start",
            json!({"type": "message_start", "message": {
            "id": "msg_mock_stream", "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": usage.0, "output_tokens": 1}}}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""}}),
        ),
    ];
    for piece in pieces {
        events.push((
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": piece}}),
        ));
    }
    events.push((
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push((
        "message_delta",
        json!({"type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": null},
        "usage": {"output_tokens": usage.1}}),
    ));
    events.push(("message_stop", json!({"type": "message_stop"})));
    events
}

/// An embeddings answer: one vector per input, in order.
pub fn embeddings(model: &str, vectors: &[Vec<f32>], prompt_tokens: u64) -> Value {
    let data: Vec<Value> = vectors
        .iter()
        .enumerate()
        .map(|(index, v)| json!({"object": "embedding", "index": index, "embedding": v}))
        .collect();
    json!({
        "object": "list", "model": model, "data": data,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens}
    })
}

/// Starts the mock on a free port of `127.0.0.1`, answering each request with `answer`; returns
/// the port. The server runs on background threads until the process ends.
pub fn start(answer: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = Arc::clone(&answer);
            // A broken request only loses its own answer.
            std::thread::spawn(move || serve(stream, answer.as_ref()));
        }
    });
    Ok(port)
}

/// Answers the requests of one connection, in turn, until the client closes it (HTTP/1.1
/// keep-alive, so that a client's pooled connection is reused as with a real provider).
fn serve(mut stream: TcpStream, answer: &dyn Fn(&Request) -> Reply) -> std::io::Result<()> {
    // One write per answer and no Nagle delay: a kept-alive connection answers at once.
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    while let Some(request) = read_request(&mut reader)? {
        let reply = answer(&request);
        let response = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{}",
            reply.status,
            reason(reply.status),
            reply.content_type,
            reply.body.len(),
            reply.body
        );
        stream.write_all(response.as_bytes())?;
    }
    Ok(())
}

/// The next request of a connection, or `None` once the client has closed it.
fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(None);
    }
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        path: request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
