//! End-to-end load: spans through the full llmtrace chain (cost → redaction → batch → OTLP gRPC)
//! into an OTLP/gRPC receiver on 127.0.0.1 in this process, on the host's threads, printing a
//! table of spans/s, what arrived and what was dropped.
//!
//! Two receivers, side by side, because on a 2-core machine the receiver's CPU is taken from
//! the host and the exporter:
//! - `full decode`: the generated OTLP service, which decodes every span and attribute (what a
//!   collector does, here on the same two cores);
//! - `count only`: decodes each request down to the list of encoded spans and counts them,
//!   without decoding inside a span — close to what a receiver on another machine costs us.
//!
//! ```sh
//! cargo run --release --bin stress -- [spans per thread, default 100000] [threads, default 2]
//! LLMTRACE_EXPORT_WORKERS=1 cargo run --release --bin stress   # one export worker
//! # the receiver in another process; rising paced rates; last line `sustained <N> spans/s, lost 0`
//! cargo run --release --bin stress -- --sustained
//! # opentelemetry-otlp's trace exporter instead of llmtrace's direct encoder
//! LLMTRACE_OTLP_TRACE_EXPORTER=opentelemetry-otlp cargo run --release --bin stress
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use llmtrace::{LlmSpanExt, Usage};

mod other_process;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tonic::codegen::{http, BoxFuture, StdError};

/// Spans received.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl Counter {
    fn add(&self, spans: usize) {
        self.0.fetch_add(spans as u64, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The full-decode receiver: the generated OTLP trace service.
#[tonic::async_trait]
impl TraceService for Counter {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.add(
            request
                .into_inner()
                .resource_spans
                .iter()
                .flat_map(|rs| &rs.scope_spans)
                .map(|ss| ss.spans.len())
                .sum(),
        );
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

/// The OTLP trace request down to the encoded spans (field numbers of
/// `opentelemetry/proto/collector/trace/v1` and `trace/v1`; other fields are skipped).
mod shallow {
    /// `ExportTraceServiceRequest`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct Request {
        #[prost(message, repeated, tag = "1")]
        pub(crate) resource_spans: Vec<ResourceSpans>,
    }

    /// `ResourceSpans` without its resource.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct ResourceSpans {
        #[prost(message, repeated, tag = "2")]
        pub(crate) scope_spans: Vec<ScopeSpans>,
    }

    /// `ScopeSpans` with each span left encoded.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct ScopeSpans {
        #[prost(bytes = "bytes", repeated, tag = "2")]
        pub(crate) spans: Vec<bytes::Bytes>,
    }
}

/// The count-only receiver: the OTLP trace service's one method, decoding [`shallow::Request`].
#[derive(Clone, Default)]
struct CountingService(Counter);

impl tonic::server::NamedService for CountingService {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
}

impl tonic::server::UnaryService<shallow::Request> for CountingService {
    type Response = ExportTraceServiceResponse;
    type Future = BoxFuture<tonic::Response<Self::Response>, tonic::Status>;

    fn call(&mut self, request: tonic::Request<shallow::Request>) -> Self::Future {
        let spans = request
            .into_inner()
            .resource_spans
            .iter()
            .flat_map(|rs| &rs.scope_spans)
            .map(|ss| ss.spans.len())
            .sum();
        self.0.add(spans);
        Box::pin(async { Ok(tonic::Response::new(ExportTraceServiceResponse::default())) })
    }
}

impl<B> tonic::codegen::Service<http::Request<B>> for CountingService
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move {
            if request.uri().path() != "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
            {
                return Ok(tonic::Status::unimplemented("only Export").into_http());
            }
            let codec =
                tonic_prost::ProstCodec::<ExportTraceServiceResponse, shallow::Request>::default();
            Ok(tonic::server::Grpc::new(codec)
                .unary(service, request)
                .await)
        })
    }
}

/// Serves `router` on 127.0.0.1 (any free port) on `runtime`; returns the endpoint.
fn serve(
    runtime: &tokio::runtime::Runtime,
    router: tonic::transport::server::Router,
) -> std::io::Result<String> {
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    runtime.spawn(async move {
        let incoming = futures_util::stream::unfold(listener, |l| async move {
            Some((l.accept().await.map(|(s, _)| s), l))
        });
        let _ = router.serve_with_incoming(incoming).await;
    });
    Ok(endpoint)
}

/// Serves the count-only receiver on `runtime`; returns its endpoint and counter.
fn serve_count_only(runtime: &tokio::runtime::Runtime) -> std::io::Result<(String, Counter)> {
    let service = CountingService::default();
    let counter = service.0.clone();
    let endpoint = serve(
        runtime,
        tonic::transport::Server::builder().add_service(service),
    )?;
    Ok((endpoint, counter))
}

/// The chains measured: label, redaction on.
const CHAINS: [(&str, bool); 2] = [
    ("cost → redact → batch → OTLP gRPC", true),
    ("cost → batch → OTLP gRPC", false),
];
/// Offered rates of the paced runs, spans/s; each receiver stops at its first lossy rate.
const PACED_RATES: [u64; 6] = [25_000, 50_000, 75_000, 100_000, 150_000, 200_000];
const PACED_SECONDS: u64 = 2;

/// The number of spans a receiver has counted so far, wherever it runs.
trait SpanCount {
    /// Spans received since the receiver started.
    fn count(&self) -> u64;
}

impl SpanCount for Counter {
    fn count(&self) -> u64 {
        self.get()
    }
}

/// One run: a fresh pipeline, `spans` LLM spans from `threads` host threads.
struct Load<'a> {
    endpoint: &'a str,
    counter: &'a dyn SpanCount,
    redaction: bool,
    threads: u64,
    spans: u64,
    /// Spans/s offered by all threads together; `None` floods.
    rate: Option<u64>,
}

/// What a [`Load`] gave.
struct Outcome {
    spans: u64,
    host: Duration,
    total: Duration,
    received: u64,
    lost: u64,
}

impl Load<'_> {
    fn run(&self) -> Result<Outcome, llmtrace::InitError> {
        let before = self.counter.count();
        let mut builder = llmtrace::builder()
            // Only the export-worker count and the exporter choice come from the environment.
            .with_env(
                ["LLMTRACE_EXPORT_WORKERS", "LLMTRACE_OTLP_TRACE_EXPORTER"]
                    .into_iter()
                    .filter_map(|name| Some((name.to_owned(), std::env::var(name).ok()?)))
                    .collect::<Vec<_>>(),
            )
            .install_global(false)
            .console(false)
            .metrics(false)
            .endpoint(self.endpoint.to_owned())
            .protocol(llmtrace::Protocol::Grpc)
            .batch_delay(Duration::from_millis(100))
            .shutdown_timeout(Duration::from_secs(30));
        if !self.redaction {
            builder = builder.without_redaction();
        }
        let guard = builder.build()?;
        let dispatch = guard.dispatch();
        let per_thread = self.spans / self.threads;
        // Paced threads end a chunk of spans, then wait for the schedule.
        let chunk = 100;
        let chunk_interval = self
            .rate
            .map(|rate| Duration::from_secs_f64((chunk * self.threads) as f64 / rate as f64));
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..self.threads {
                let dispatch = dispatch.clone();
                scope.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        for i in 0..per_thread {
                            let span = llmtrace::chat("gpt-4o")
                                .provider("openai")
                                .temperature(0.2)
                                .start();
                            span.in_scope(|| {});
                            span.record_usage(Usage::new(i % 1000, 10));
                            if let Some(interval) = chunk_interval {
                                if (i + 1) % chunk == 0 {
                                    let due = started + interval * ((i + 1) / chunk) as u32;
                                    std::thread::sleep(
                                        due.saturating_duration_since(Instant::now()),
                                    );
                                }
                            }
                        }
                    });
                });
            }
        });
        let host = started.elapsed();
        let stats = guard.shutdown().unwrap_or_default();
        Ok(Outcome {
            spans: per_thread * self.threads,
            host,
            total: started.elapsed(),
            received: self.counter.count() - before,
            lost: stats.lost(),
        })
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--receive") => return other_process::receive(),
        Some("--sustained") => return other_process::sustained(),
        _ => {}
    }
    let mut args = args.into_iter();
    let per_thread: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let threads: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2);

    let receiver = receiver_runtime()?;
    let full = Counter::default();
    let full_endpoint = serve(
        &receiver,
        tonic::transport::Server::builder().add_service(TraceServiceServer::new(full.clone())),
    )?;
    let (shallow_endpoint, shallow_count) = serve_count_only(&receiver)?;

    let receivers = [
        ("full decode", full_endpoint.as_str(), &full),
        ("count only", shallow_endpoint.as_str(), &shallow_count),
    ];
    println!("OTLP trace exporter: {}\n", exporter_name());
    flood(&receivers, threads, per_thread)?;
    paced(&receivers, threads)?;
    receiver.shutdown_background();
    Ok(())
}

/// The runtime the receivers run on: one worker thread.
fn receiver_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
}

/// Which OTLP trace exporter the runs use.
fn exporter_name() -> &'static str {
    match std::env::var("LLMTRACE_OTLP_TRACE_EXPORTER").as_deref() {
        Ok("opentelemetry-otlp") => "opentelemetry-otlp",
        _ => "llmtrace direct encoder",
    }
}

/// A receiver of the runs: its label, endpoint and span counter.
type Receiver<'a> = (&'a str, &'a str, &'a Counter);

/// Each host thread ends its spans as fast as it can, through each chain into each receiver.
fn flood(
    receivers: &[Receiver<'_>],
    threads: u64,
    per_thread: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("Flood: each host thread ends its spans as fast as it can.\n");
    println!(
        "| chain | receiver | threads | spans | host time | spans/s (host) | received | lost | end-to-end spans/s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (label, redaction) in CHAINS {
        for &(receiver_label, endpoint, counter) in receivers {
            let run = Load {
                endpoint,
                counter,
                redaction,
                threads,
                spans: per_thread * threads,
                rate: None,
            }
            .run()?;
            println!(
                "| {label} | {receiver_label} | {threads} | {} | {:.2} s | {:.0} | {} | {} | {:.0} |",
                run.spans,
                run.host.as_secs_f64(),
                run.spans as f64 / run.host.as_secs_f64(),
                run.received,
                run.lost,
                run.received as f64 / run.total.as_secs_f64(),
            );
        }
    }
    Ok(())
}

/// The host threads together offer rising fixed rates; the highest with nothing lost is what
/// the chain sustains.
fn paced(receivers: &[Receiver<'_>], threads: u64) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "\nPaced: the host threads together offer a fixed rate for {PACED_SECONDS} s; \
         the highest rate with nothing lost is what the chain sustains.\n"
    );
    println!(
        "| chain | receiver | offered spans/s | spans | received | lost | until all exported |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (label, redaction) in CHAINS {
        for &(receiver_label, endpoint, counter) in receivers {
            for rate in PACED_RATES {
                let run = Load {
                    endpoint,
                    counter,
                    redaction,
                    threads,
                    spans: rate * PACED_SECONDS,
                    rate: Some(rate),
                }
                .run()?;
                println!(
                    "| {label} | {receiver_label} | {rate} | {} | {} | {} | {:.2} s |",
                    run.spans,
                    run.received,
                    run.lost,
                    run.total.as_secs_f64()
                );
                if run.lost > 0 {
                    break;
                }
            }
        }
    }
    Ok(())
}
