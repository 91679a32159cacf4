//! A controllable OTLP/gRPC receiver on 127.0.0.1 for fault tests: it can accept, answer
//! UNAVAILABLE or RESOURCE_EXHAUSTED, hang, limit message size, stop and start again on the
//! same port. It accepts gzip-compressed messages and records each call's `grpc-encoding`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::Span;

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Keeps the spans and answers OK.
    Accept,
    /// Answers UNAVAILABLE (retryable).
    Unavailable,
    /// Answers RESOURCE_EXHAUSTED.
    ResourceExhausted,
    /// Never answers (for an hour).
    Hang,
}

#[derive(Debug, Clone)]
struct Service {
    mode: Arc<Mutex<Mode>>,
    /// Answers with an error this many more times, then accepts.
    fail_next: Arc<AtomicUsize>,
    spans: Arc<Mutex<Vec<Span>>>,
    /// The resource of each resource-spans entry received, in order.
    resources: Arc<Mutex<Vec<Resource>>>,
    calls: Arc<AtomicUsize>,
    /// The `grpc-encoding` of each call (`identity` when none was sent).
    encodings: Arc<Mutex<Vec<String>>>,
}

#[tonic::async_trait]
impl TraceService for Service {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let encoding = request
            .metadata()
            .get("grpc-encoding")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("identity");
        self.encodings.lock().unwrap().push(encoding.to_owned());
        let mode = *self.mode.lock().unwrap();
        let failing = self
            .fail_next
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        match (mode, failing) {
            (Mode::Hang, _) => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Err(tonic::Status::deadline_exceeded("hung"))
            }
            (Mode::Unavailable, _) | (Mode::Accept, true) => {
                Err(tonic::Status::unavailable("receiver restarting"))
            }
            (Mode::ResourceExhausted, _) => Err(tonic::Status::resource_exhausted("over quota")),
            (Mode::Accept, false) => {
                let resource_spans = request.into_inner().resource_spans;
                self.resources.lock().unwrap().extend(
                    resource_spans
                        .iter()
                        .map(|rs| rs.resource.clone().unwrap_or_default()),
                );
                let spans = resource_spans
                    .into_iter()
                    .flat_map(|rs| rs.scope_spans)
                    .flat_map(|ss| ss.spans);
                self.spans.lock().unwrap().extend(spans);
                Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
            }
        }
    }
}

/// The receiver; runs on its own Tokio runtime.
#[derive(Debug)]
pub struct GrpcReceiver {
    /// Where it listens (127.0.0.1, a free port).
    pub addr: SocketAddr,
    service: Service,
    max_message_bytes: usize,
    rt: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl GrpcReceiver {
    /// Starts accepting, decoding messages of up to `max_message_bytes`.
    pub fn start(max_message_bytes: usize) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let mut receiver = GrpcReceiver {
            addr,
            service: Service {
                mode: Arc::new(Mutex::new(Mode::Accept)),
                fail_next: Arc::new(AtomicUsize::new(0)),
                spans: Arc::new(Mutex::new(Vec::new())),
                resources: Arc::new(Mutex::new(Vec::new())),
                calls: Arc::new(AtomicUsize::new(0)),
                encodings: Arc::new(Mutex::new(Vec::new())),
            },
            max_message_bytes,
            rt,
            stop: None,
        };
        receiver.serve(listener);
        receiver
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let service = TraceServiceServer::new(self.service.clone())
            .max_decoding_message_size(self.max_message_bytes)
            .accept_compressed(tonic::codec::CompressionEncoding::Gzip);
        let incoming = tokio_stream_from(listener);
        self.rt.spawn(async move {
            let _ = tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = rx.await;
                })
                .await;
        });
        self.stop = Some(tx);
    }

    /// The `grpc-encoding` of each call so far, in order (`identity` when uncompressed).
    pub fn encodings(&self) -> Vec<String> {
        self.service.encodings.lock().unwrap().clone()
    }

    /// The endpoint to export to, `http://127.0.0.1:{port}`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next calls as `mode` says.
    pub fn set_mode(&self, mode: Mode) {
        *self.service.mode.lock().unwrap() = mode;
    }

    /// The next `n` calls fail with UNAVAILABLE, then calls are accepted again.
    pub fn fail_next(&self, n: usize) {
        self.service.fail_next.store(n, Ordering::Relaxed);
    }

    /// How many export calls arrived, answered or not.
    pub fn calls(&self) -> usize {
        self.service.calls.load(Ordering::Relaxed)
    }

    /// The spans of every accepted call so far.
    pub fn spans(&self) -> Vec<Span> {
        self.service.spans.lock().unwrap().clone()
    }

    /// The resource of every resource-spans entry of every accepted call so far.
    pub fn resources(&self) -> Vec<Resource> {
        self.service.resources.lock().unwrap().clone()
    }

    /// Waits until at least `n` spans arrived (or `timeout`), returning all of them.
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Vec<Span> {
        let started = Instant::now();
        loop {
            let spans = self.spans();
            if spans.len() >= n || started.elapsed() > timeout {
                return spans;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops listening (connections are refused) until [`restart`](Self::restart).
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        // Let the server release the port.
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Listens again on the same port.
    pub fn restart(&mut self) {
        let addr = self.addr;
        let listener = self.rt.block_on(async {
            for _ in 0..50 {
                if let Ok(l) = tokio::net::TcpListener::bind(addr).await {
                    return l;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("cannot bind {addr} again")
        });
        self.serve(listener);
    }
}

fn tokio_stream_from(
    listener: tokio::net::TcpListener,
) -> impl futures_core::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    futures_util::stream::unfold(listener, |listener| async move {
        let next = listener.accept().await.map(|(stream, _)| stream);
        Some((next, listener))
    })
}
