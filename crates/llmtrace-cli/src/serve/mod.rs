//! `llmtrace serve`: a local OTLP receiver (gRPC, HTTP/protobuf and HTTP/JSON) on loopback
//! addresses that prints each trace's tree once it is complete and appends the received
//! requests to an OTLP-JSON lines file.

mod grpc;
mod http;
mod sink;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::error::CliError;
use crate::style::Style;
use sink::Sink;

/// How often waiting traces are checked for completion.
const TICK: Duration = Duration::from_millis(100);
/// How long the receivers get to stop after Ctrl-C.
const SHUTDOWN: Duration = Duration::from_millis(200);

/// Runs the receiver until interrupted (Ctrl-C prints the traces still waiting).
pub(crate) fn run(args: &ServeArgs, style: Style) -> Result<ExitCode, CliError> {
    for addr in [args.grpc, args.http] {
        if !addr.ip().is_loopback() {
            return Err(CliError::Usage(format!(
                "{addr} is not a loopback address: llmtrace serve only listens on this machine \
                 (put an OpenTelemetry Collector in front to receive from others)"
            )));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| CliError::Listen {
            addr: "the runtime".to_owned(),
            source,
        })?;
    let result = runtime.block_on(serve(args, style));
    // Open connections are not waited for.
    runtime.shutdown_timeout(SHUTDOWN);
    result
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, CliError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Listen {
            addr: addr.to_string(),
            source,
        })
}

async fn serve(args: &ServeArgs, style: Style) -> Result<ExitCode, CliError> {
    let sink = Arc::new(Sink::new(args, style)?);
    let grpc_listener = bind(args.grpc).await?;
    let http_listener = bind(args.http).await?;
    eprintln!(
        "llmtrace serve: OTLP/gRPC on {}, OTLP/HTTP on http://{} (Ctrl-C to stop)",
        args.grpc, args.http
    );
    let grpc = tokio::spawn(grpc::serve(grpc_listener, sink.clone()));
    let http = tokio::spawn(http::serve(http_listener, sink.clone()));
    let mut tick = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            _ = tick.tick() => sink.tick(),
            _ = tokio::signal::ctrl_c() => break,
        }
        if grpc.is_finished() || http.is_finished() {
            eprintln!("error: a receiver stopped");
            sink.flush();
            return Ok(ExitCode::from(1));
        }
    }
    sink.flush();
    Ok(ExitCode::SUCCESS)
}
