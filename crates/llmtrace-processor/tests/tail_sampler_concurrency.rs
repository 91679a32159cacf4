//! Spans of many traces ending on many threads and tokio tasks at once: no deadlock, no kept
//! span lost, every span accounted for.

mod tail_support;

use llmtrace_processor::sample::{PolicyConfig, TailSamplingConfig};
use opentelemetry::trace::{Span, Status, TraceContextExt, TraceId, Tracer, TracerProvider};
use opentelemetry::Context;
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;
use tail_support::{policy_of, Harness};

const THREADS: usize = 8;
const TRACES_PER_THREAD: usize = 300;
const CHILDREN: usize = 4;

/// Runs `f` on a thread and fails the test if it does not finish in time (deadlock guard).
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("finished in time (no deadlock)")
}

/// Each thread emits traces; every third has a failing child; every fifth ends its children on
/// separate threads. Returns the ids of the error traces.
fn emit(h: &Harness) -> Vec<TraceId> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|w| {
                let tracer = h.provider.tracer("concurrency");
                scope.spawn(move || {
                    let mut errors = Vec::new();
                    for t in 0..TRACES_PER_THREAD {
                        let root = tracer.start(format!("root {w}/{t}"));
                        let id = root.span_context().trace_id();
                        let cx = Context::new().with_span(root);
                        let failing = t % 3 == 0;
                        let children: Vec<_> = (0..CHILDREN)
                            .map(|c| {
                                let mut span = tracer.start_with_context(format!("child {c}"), &cx);
                                if failing && c == 2 {
                                    span.set_status(Status::error("boom"));
                                }
                                span
                            })
                            .collect();
                        if t % 5 == 0 {
                            std::thread::scope(|s| {
                                for mut child in children {
                                    s.spawn(move || child.end());
                                }
                            });
                        } else {
                            for mut child in children {
                                child.end();
                            }
                        }
                        cx.span().end();
                        if failing {
                            errors.push(id);
                        }
                    }
                    errors
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker did not panic"))
            .collect()
    })
}

#[test]
fn many_threads_no_deadlock_no_lost_kept_spans() {
    let (errors, spans, stats) = within(120, || {
        let h =
            Harness::new(TailSamplingConfig::default().with_policy(PolicyConfig::errors("errors")));
        let errors = emit(&h);
        (errors, h.spans(), h.stats.snapshot())
    });
    let mut per_trace: HashMap<TraceId, usize> = HashMap::new();
    for s in &spans {
        *per_trace.entry(s.span_context.trace_id()).or_default() += 1;
        assert_eq!(policy_of(s).as_deref(), Some("errors"));
    }
    assert_eq!(
        per_trace.len(),
        errors.len(),
        "exactly the error traces were kept"
    );
    for id in &errors {
        assert_eq!(
            per_trace.get(id),
            Some(&(CHILDREN + 1)),
            "error trace {id:?} kept whole"
        );
    }
    let total = (THREADS * TRACES_PER_THREAD * (CHILDREN + 1)) as u64;
    assert_eq!(stats.spans_kept + stats.spans_dropped, total);
    assert_eq!(stats.spans_kept, spans.len() as u64);
    assert_eq!(stats.buffered_traces, 0);
}

#[test]
fn many_threads_with_tight_bounds_account_for_every_span() {
    let (spans, stats) = within(120, || {
        let h = Harness::new(
            TailSamplingConfig::default()
                .with_num_traces(3)
                .with_policy(PolicyConfig::errors("errors"))
                .with_policy(PolicyConfig::probabilistic("sampled", 50.0)),
        );
        emit(&h);
        h.provider.force_flush().expect("flush");
        (h.spans(), h.stats.snapshot())
    });
    let total = (THREADS * TRACES_PER_THREAD * (CHILDREN + 1)) as u64;
    println!(
        "tight bounds: kept {} / dropped {} spans, forced {} traces",
        stats.spans_kept, stats.spans_dropped, stats.decided_forced
    );
    assert!(stats.decided_forced > 0, "the bound was exercised");
    assert_eq!(
        stats.spans_kept + stats.spans_dropped,
        total,
        "no span unaccounted"
    );
    assert_eq!(
        stats.spans_kept,
        spans.len() as u64,
        "every kept span reached the exporter"
    );
    assert_eq!(
        (
            stats.buffered_traces,
            stats.buffered_spans,
            stats.buffered_bytes
        ),
        (0, 0, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_tokio_tasks_no_deadlock_no_lost_kept_spans() {
    let h =
        Harness::new(TailSamplingConfig::default().with_policy(PolicyConfig::always_sample("all")));
    let tracer = h.provider.tracer("tokio");
    let run = async {
        let mut tasks = Vec::new();
        for t in 0..500 {
            let tracer = tracer.clone();
            tasks.push(tokio::spawn(async move {
                let root = tracer.start(format!("root {t}"));
                let cx = Context::new().with_span(root);
                let mut children = Vec::new();
                for c in 0..3 {
                    let mut span = tracer.start_with_context(format!("child {c}"), &cx);
                    children.push(tokio::spawn(async move {
                        tokio::task::yield_now().await;
                        span.end();
                    }));
                }
                for child in children {
                    child.await.expect("child task");
                }
                cx.span().end();
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
    };
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("no deadlock");
    let spans = h.spans();
    assert_eq!(
        spans.len(),
        500 * 4,
        "every span of every kept trace exported"
    );
    assert!(spans.iter().all(|s| policy_of(s).as_deref() == Some("all")));
    let st = h.stats.snapshot();
    assert_eq!(
        (st.traces_kept, st.decided_on_root, st.buffered_traces),
        (500, 500, 0)
    );
}
