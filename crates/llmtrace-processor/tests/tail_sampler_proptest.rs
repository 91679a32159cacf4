//! Property tests: whatever the traces, arrival orders and bounds, every span is accounted for,
//! bounds hold after each call, only error traces are kept by an errors-only policy, and with
//! room enough and children ending before their root, error traces are kept whole.

mod tail_support;

use llmtrace_processor::sample::{PolicyConfig, TailSampler, TailSamplingConfig};
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks, SpanProcessor};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};
use tail_support::{policy_of, Recorder};

#[derive(Debug, Clone)]
struct TraceSpec {
    children: usize,
    error_child: Option<usize>,
    /// The root ends before the last child (that child arrives late).
    root_early: bool,
}

fn trace_spec() -> impl Strategy<Value = TraceSpec> {
    (0usize..6, proptest::option::of(0usize..6), any::<bool>()).prop_map(
        |(children, error, root_early)| TraceSpec {
            children,
            error_child: error.filter(|e| *e < children),
            root_early: root_early && children > 0,
        },
    )
}

fn span(trace: u64, id: u64, root: bool, error: bool) -> SpanData {
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(u128::from(trace) + 1),
            SpanId::from_bytes((id + 2).to_be_bytes()),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: if root {
            SpanId::INVALID
        } else {
            SpanId::from_bytes([1; 8])
        },
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: if root { "root".into() } else { "child".into() },
        start_time: t,
        end_time: t + Duration::from_millis(5),
        attributes: vec![],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: if error {
            Status::error("e")
        } else {
            Status::Unset
        },
        instrumentation_scope: Default::default(),
    }
}

/// The spans of each trace in ending order, traces interleaved round-robin.
fn arrivals(specs: &[TraceSpec]) -> Vec<(u64, SpanData)> {
    let mut per_trace: Vec<Vec<SpanData>> = specs
        .iter()
        .enumerate()
        .map(|(t, s)| {
            let t = t as u64;
            let mut v: Vec<SpanData> = (0..s.children)
                .map(|c| span(t, c as u64 + 1, false, s.error_child == Some(c)))
                .collect();
            let root = span(t, 0, true, false);
            if s.root_early {
                v.insert(s.children - 1, root);
            } else {
                v.push(root);
            }
            v.reverse(); // pop from the end in order
            v
        })
        .collect();
    let mut out = Vec::new();
    loop {
        let mut any = false;
        for (t, spans) in per_trace.iter_mut().enumerate() {
            if let Some(s) = spans.pop() {
                out.push((t as u64, s));
                any = true;
            }
        }
        if !any {
            return out;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn accounting_bounds_and_error_traces(
        specs in proptest::collection::vec(trace_spec(), 1..40),
        num_traces in 1usize..50,
        max_spans in 1usize..8,
    ) {
        let recorder = Recorder::default();
        let config = TailSamplingConfig::default()
            .with_num_traces(num_traces)
            .with_max_spans_per_trace(max_spans)
            .with_policy(PolicyConfig::errors("errors"));
        let sampler = TailSampler::new(recorder.clone(), config).expect("valid");
        let spans = arrivals(&specs);
        let total = spans.len() as u64;
        for (_, s) in spans {
            sampler.on_end(s);
            let st = sampler.stats();
            prop_assert!(st.buffered_traces <= num_traces as u64);
            prop_assert!(st.buffered_spans <= (num_traces * max_spans) as u64);
        }
        sampler.force_flush().expect("flush");
        let st = sampler.stats();
        prop_assert_eq!(st.spans_kept + st.spans_dropped, total, "every span accounted for");
        prop_assert_eq!((st.buffered_traces, st.buffered_spans, st.buffered_bytes), (0, 0, 0));

        let exported = recorder.spans.lock().expect("ok").clone();
        prop_assert_eq!(exported.len() as u64, st.spans_kept);
        let error_traces: HashSet<TraceId> = specs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.error_child.is_some())
            .map(|(t, _)| TraceId::from(t as u128 + 1))
            .collect();
        let mut per_trace: HashMap<TraceId, usize> = HashMap::new();
        for s in &exported {
            let policy = policy_of(s);
            prop_assert_eq!(policy.as_deref(), Some("errors"));
            prop_assert!(error_traces.contains(&s.span_context.trace_id()), "only error traces kept");
            *per_trace.entry(s.span_context.trace_id()).or_default() += 1;
        }
        // With room for every trace and its spans, and roots ending last, errors are kept whole.
        let roomy = num_traces >= specs.len() && specs.iter().all(|s| s.children < max_spans);
        if roomy {
            for (t, s) in specs.iter().enumerate() {
                let id = TraceId::from(t as u128 + 1);
                if s.error_child.is_some() && !s.root_early {
                    prop_assert_eq!(per_trace.get(&id).copied(), Some(s.children + 1));
                }
            }
        }
    }
}
