//! End-to-end load: spans through the full llmtrace chain (cost → redaction → batch → OTLP gRPC)
//! into a counting OTLP receiver on 127.0.0.1, on the host's threads, printing a table of
//! spans/s, what arrived and what was dropped.
//!
//! ```sh
//! cargo run --release --bin stress -- [spans per thread, default 100000] [threads, default 2]
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use llmtrace::{LlmSpanExt, Usage};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

#[tonic::async_trait]
impl TraceService for Counter {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let spans: usize = request
            .into_inner()
            .resource_spans
            .iter()
            .flat_map(|rs| &rs.scope_spans)
            .map(|ss| ss.spans.len())
            .sum();
        self.0.fetch_add(spans as u64, Ordering::Relaxed);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let per_thread: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let threads: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2);

    let receiver = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let counter = Counter::default();
    let listener = receiver.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let service = TraceServiceServer::new(counter.clone());
    receiver.spawn(async move {
        let incoming = futures_util::stream::unfold(listener, |l| async move {
            Some((l.accept().await.map(|(s, _)| s), l))
        });
        let _ = tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(incoming)
            .await;
    });

    println!("| chain | threads | spans | host time | spans/s (host) | received | lost | end-to-end spans/s |");
    println!("|---|---|---|---|---|---|---|---|");
    for (label, redaction) in [
        ("cost → redact → batch → OTLP gRPC", true),
        ("cost → batch → OTLP gRPC", false),
    ] {
        let before = counter.0.load(Ordering::Relaxed);
        let mut builder = llmtrace::builder()
            .with_env(Vec::new())
            .install_global(false)
            .console(false)
            .metrics(false)
            .endpoint(format!("http://{addr}"))
            .protocol(llmtrace::Protocol::Grpc)
            .batch_delay(Duration::from_millis(100))
            .shutdown_timeout(Duration::from_secs(30));
        if !redaction {
            builder = builder.without_redaction();
        }
        let guard = builder.build()?;
        let dispatch = guard.dispatch();
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..threads {
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
                        }
                    });
                });
            }
        });
        let host = started.elapsed();
        let stats = guard.shutdown().unwrap_or_default();
        let total = started.elapsed();
        let received = counter.0.load(Ordering::Relaxed) - before;
        let spans = per_thread * threads;
        println!(
            "| {label} | {threads} | {spans} | {:.2} s | {:.0} | {received} | {} | {:.0} |",
            host.as_secs_f64(),
            spans as f64 / host.as_secs_f64(),
            stats.lost(),
            received as f64 / total.as_secs_f64(),
        );
    }
    receiver.shutdown_background();
    Ok(())
}
