//! Gathers spans arriving over time (from `serve` or a followed file) into traces, and hands a
//! trace on once it is complete: its root arrived and no span came for a quiet period. Memory
//! is bounded: at most [`MAX_PENDING`] traces wait, the oldest is handed on incomplete past
//! that, and a trace whose root never comes is handed on after [`ROOTLESS_TIMEOUT`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use opentelemetry::trace::TraceId;

use crate::render::TraceSpans;
use crate::span::Span;

/// Traces waiting at most.
pub(crate) const MAX_PENDING: usize = 1024;
/// A trace without a root is printed incomplete after this long without a new span.
pub(crate) const ROOTLESS_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct Pending {
    trace: TraceSpans,
    first: Instant,
    last: Instant,
}

/// The traces still waiting.
#[derive(Debug)]
pub(crate) struct Assembler {
    pending: HashMap<TraceId, Pending>,
    quiet: Duration,
}

impl Assembler {
    /// Completes a trace `quiet` after its last span, once the root arrived.
    pub(crate) fn new(quiet: Duration) -> Self {
        Assembler {
            pending: HashMap::new(),
            quiet,
        }
    }

    /// Adds spans that arrived at `now`; returns the traces evicted to stay bounded.
    pub(crate) fn add(&mut self, spans: Vec<Span>, now: Instant) -> Vec<TraceSpans> {
        for span in spans {
            let entry = self
                .pending
                .entry(span.trace_id())
                .or_insert_with(|| Pending {
                    trace: TraceSpans::default(),
                    first: now,
                    last: now,
                });
            entry.last = now;
            entry.trace.push(span);
        }
        let mut evicted = Vec::new();
        while self.pending.len() > MAX_PENDING {
            let oldest = self
                .pending
                .iter()
                .min_by_key(|(_, p)| p.first)
                .map(|(id, _)| *id);
            match oldest.and_then(|id| self.pending.remove(&id)) {
                Some(p) => evicted.push(p.trace),
                None => break,
            }
        }
        evicted
    }

    /// Takes the traces complete at `now`, oldest first.
    pub(crate) fn ready(&mut self, now: Instant) -> Vec<TraceSpans> {
        let quiet = self.quiet;
        let mut done: Vec<(Instant, TraceId)> = self
            .pending
            .iter()
            .filter(|(_, p)| {
                let idle = now.saturating_duration_since(p.last);
                (p.trace.complete && idle >= quiet) || idle >= ROOTLESS_TIMEOUT
            })
            .map(|(id, p)| (p.first, *id))
            .collect();
        done.sort_by_key(|(first, id)| (*first, id.to_bytes()));
        done.into_iter()
            .filter_map(|(_, id)| self.pending.remove(&id).map(|p| p.trace))
            .collect()
    }

    /// Takes every waiting trace (at shutdown), oldest first.
    pub(crate) fn drain(&mut self) -> Vec<TraceSpans> {
        let mut all: Vec<Pending> = self.pending.drain().map(|(_, p)| p).collect();
        all.sort_by_key(|p| p.first);
        all.into_iter().map(|p| p.trace).collect()
    }
}
