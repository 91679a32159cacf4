//! Fault suite: the OTLP/gRPC backend is down, goes away and comes back, refuses with
//! UNAVAILABLE or RESOURCE_EXHAUSTED, hangs, or rejects oversize messages. In every case the host
//! keeps running, nothing panics, memory stays bounded, losses are counted, and shutdown returns
//! within its deadline.

use std::time::{Duration, Instant};

use llmtrace::{LlmSpanExt, Usage};
use llmtrace_test_support::grpc_receiver::{GrpcReceiver, Mode};

fn pipeline(endpoint: &str, export_timeout: Duration, shutdown: Duration) -> llmtrace::Guard {
    llmtrace::builder()
        .with_env(Vec::new())
        .install_global(false)
        .console(false)
        .metrics(false)
        .endpoint(endpoint)
        .protocol(llmtrace::Protocol::Grpc)
        .export_timeout(export_timeout)
        .shutdown_timeout(shutdown)
        .batch_delay(Duration::from_millis(50))
        .build()
        .expect("pipeline builds")
}

/// Emits `n` small LLM traces (one span each) and returns how long the host spent doing it.
fn emit(guard: &llmtrace::Guard, n: usize) -> Duration {
    let started = Instant::now();
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        for i in 0..n {
            let span = llmtrace::chat("gpt-4o").provider("openai").start();
            span.record_usage(Usage::new(i as u64, 1));
            span.in_scope(|| {});
        }
    });
    started.elapsed()
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn spans_buffered_during_a_short_outage_arrive_after_recovery() {
    let mut receiver = GrpcReceiver::start(4 << 20);
    let guard = pipeline(
        &receiver.endpoint(),
        Duration::from_secs(2),
        Duration::from_secs(5),
    );
    emit(&guard, 100);
    assert_eq!(
        receiver.wait_for_spans(100, Duration::from_secs(10)).len(),
        100
    );

    receiver.stop();
    emit(&guard, 50);
    // The exporter's retries (100 ms, 200 ms, 400 ms … backoff) carry the batch over a short
    // outage.
    std::thread::sleep(Duration::from_millis(150));
    receiver.restart();
    let spans = receiver.wait_for_spans(150, Duration::from_secs(15));
    assert_eq!(
        spans.len(),
        150,
        "the 50 spans of the outage arrive after recovery"
    );
    let stats = guard.shutdown().expect("stats");
    assert_eq!(stats.submitted, 150);
    assert_eq!(stats.exported, 150);
    assert_eq!(stats.lost(), 0);
}

#[test]
fn unavailable_answers_are_retried_and_then_succeed() {
    let receiver = GrpcReceiver::start(4 << 20);
    receiver.fail_next(2);
    let guard = pipeline(
        &receiver.endpoint(),
        Duration::from_secs(2),
        Duration::from_secs(5),
    );
    emit(&guard, 20);
    assert_eq!(
        receiver.wait_for_spans(20, Duration::from_secs(10)).len(),
        20
    );
    assert!(receiver.calls() >= 3, "two refusals, then accepted");
    let stats = guard.shutdown().expect("stats");
    assert_eq!((stats.exported, stats.lost()), (20, 0));
}

#[test]
fn a_backend_that_keeps_refusing_costs_counted_drops_and_bounded_memory() {
    for mode in [Mode::Unavailable, Mode::ResourceExhausted] {
        let receiver = GrpcReceiver::start(4 << 20);
        receiver.set_mode(mode);
        let guard = pipeline(
            &receiver.endpoint(),
            Duration::from_secs(1),
            Duration::from_secs(3),
        );
        let before = rss_kib();
        let host_time = emit(&guard, 50_000);
        let grown_mib = rss_kib().saturating_sub(before) / 1024;
        let stats = guard.shutdown().expect("stats");
        assert_eq!(stats.submitted, 50_000, "{mode:?}");
        assert_eq!(stats.exported, 0, "{mode:?}");
        assert_eq!(
            stats.lost(),
            50_000,
            "{mode:?}: every span is accounted for as lost"
        );
        assert!(receiver.calls() >= 1, "{mode:?}: the exporter did try");
        // The batch queue is bounded (2048 spans): 50 000 spans must not be held.
        assert!(grown_mib < 256, "{mode:?}: memory grew by {grown_mib} MiB");
        // A liveness bound, not a benchmark: ending a span never waits for the network.
        assert!(
            host_time < Duration::from_secs(60),
            "{mode:?}: host blocked for {host_time:?}"
        );
        println!("{mode:?}: 50k spans, host {host_time:?}, RSS +{grown_mib} MiB, {stats:?}");
    }
}

#[test]
fn a_hanging_backend_is_cut_off_by_the_export_timeout_and_the_shutdown_deadline() {
    let receiver = GrpcReceiver::start(4 << 20);
    receiver.set_mode(Mode::Hang);
    let guard = pipeline(
        &receiver.endpoint(),
        Duration::from_millis(300),
        Duration::from_secs(2),
    );
    let host_time = emit(&guard, 1000);
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let stats = guard.shutdown().expect("stats");
    let shutdown_time = started.elapsed();
    assert!(
        shutdown_time < Duration::from_secs(5),
        "shutdown took {shutdown_time:?}"
    );
    assert!(
        host_time < Duration::from_secs(30),
        "host blocked for {host_time:?}"
    );
    assert_eq!(stats.submitted, 1000);
    assert_eq!(stats.exported, 0);
    assert_eq!(stats.lost(), 1000);
}

#[test]
fn oversize_messages_are_rejected_and_counted_while_small_ones_keep_flowing() {
    // The receiver takes messages of at most 64 KiB.
    let receiver = GrpcReceiver::start(64 << 10);
    let guard = pipeline(
        &receiver.endpoint(),
        Duration::from_secs(2),
        Duration::from_secs(5),
    );
    tracing::dispatcher::with_default(&guard.dispatch(), || {
        // Each value stays under the redactor's 16 KiB cut; together they exceed 64 KiB.
        let span = llmtrace::chat("gpt-4o").start();
        for i in 0..20 {
            span.record_attribute(format!("app.blob.{i}"), "x".repeat(10 << 10));
        }
        drop(span);
    });
    guard.flush();
    emit(&guard, 10);
    let spans = receiver.wait_for_spans(10, Duration::from_secs(10));
    assert_eq!(
        spans.len(),
        10,
        "the small spans after the rejected one arrive"
    );
    let stats = guard.shutdown().expect("stats");
    assert_eq!(stats.submitted, 11);
    assert_eq!(stats.exported, 10);
    assert_eq!(stats.failed, 1, "the oversize span is counted as failed");
}
