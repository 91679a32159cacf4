//! A minimal OTLP/HTTP (protobuf) receiver on 127.0.0.1: accepts `POST /v1/traces`, decodes the
//! body (gunzipped first with `Content-Encoding: gzip`, as collectors do) and keeps the requests
//! and their headers.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

/// One received export request.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request path (`/v1/traces`).
    pub path: String,
    /// The request headers, names lowercased.
    pub headers: HashMap<String, String>,
    /// The decoded body.
    pub request: ExportTraceServiceRequest,
}

/// The receiver; it stops with the test process.
#[derive(Debug)]
pub struct HttpReceiver {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl HttpReceiver {
    /// Starts listening on a free port; each connection is served on its own thread.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sink = sink.clone();
                std::thread::spawn(move || serve(stream, sink));
            }
        });
        HttpReceiver { port, received }
    }

    /// The endpoint to export to, `http://127.0.0.1:{port}` (without `/v1/traces`).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The export requests received so far.
    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Every span received so far, with the `service.name` of its resource (empty when it has
    /// none): what tells apart the processes exporting to one receiver.
    pub fn spans_by_service(&self) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        for received in self.requests() {
            for resource_spans in received.request.resource_spans {
                let service = resource_spans
                    .resource
                    .iter()
                    .flat_map(|r| r.attributes.iter())
                    .find(|kv| kv.key == "service.name")
                    .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                        AnyValue::StringValue(s) => Some(s.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                for scope in resource_spans.scope_spans {
                    out.extend(scope.spans.into_iter().map(|s| (service.clone(), s)));
                }
            }
        }
        out
    }

    /// Waits until at least `n` spans arrived (or `timeout`), returning all of them.
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Vec<Span> {
        let started = Instant::now();
        loop {
            let spans = spans_of(&self.requests());
            if spans.len() >= n || started.elapsed() > timeout {
                return spans;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Every span of `requests`, in order.
pub fn spans_of(requests: &[Received]) -> Vec<Span> {
    requests
        .iter()
        .flat_map(|r| r.request.resource_spans.iter())
        .flat_map(|rs| rs.scope_spans.iter())
        .flat_map(|ss| ss.spans.iter().cloned())
        .collect()
}

fn serve(stream: TcpStream, sink: Arc<Mutex<Vec<Received>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = match headers.get("content-encoding").map(String::as_str) {
            Some("gzip") => gunzip(&body),
            Some(_) => None,
            None => Some(body),
        };
        let decoded = body.map(|b| ExportTraceServiceRequest::decode(b.as_slice()));
        let (status, request) = match decoded {
            None => ("415 Unsupported Media Type", None),
            Some(decoded) => match decoded {
                Ok(request) if path == "/v1/traces" => ("200 OK", Some(request)),
                Ok(_) => ("404 Not Found", None),
                Err(_) => ("400 Bad Request", None),
            },
        };
        if let Some(request) = request {
            sink.lock().unwrap().push(Received {
                path,
                headers,
                request,
            });
        }
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n"
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// A gzip body inflated, or `None` if it is not valid gzip.
fn gunzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut inflated)
        .ok()?;
    Some(inflated)
}
