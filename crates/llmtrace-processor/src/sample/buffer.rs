//! One shard of the sampler's state: undecided traces in arrival order and a bounded cache of
//! recent decisions. Callers hold the shard's mutex while using it.

use opentelemetry::trace::TraceId;
use opentelemetry::{Array, KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use std::collections::{HashMap, VecDeque};
use std::mem::size_of;
use std::sync::Arc;
use std::time::Instant;

/// Bytes charged per buffered trace on top of its spans: hash-map slot with spare capacity,
/// arrival-order entry, `PendingTrace` header.
pub(crate) const TRACE_OVERHEAD_BYTES: usize = 192;

/// The spans of one undecided trace.
#[derive(Debug)]
pub(crate) struct PendingTrace {
    pub(crate) spans: Vec<SpanData>,
    pub(crate) first_seen: Instant,
    pub(crate) seq: u64,
    pub(crate) bytes: usize,
}

impl PendingTrace {
    pub(crate) fn new(first_seen: Instant, seq: u64) -> Self {
        Self {
            spans: Vec::new(),
            first_seen,
            seq,
            bytes: TRACE_OVERHEAD_BYTES,
        }
    }

    /// Appends a span, growing the vector 1 → 4 → 8 → 16 … so that one-span traces (the bulk
    /// of a flood of open traces) cost one slot and its capacity (which is what memory holds)
    /// stays known; returns the bytes added.
    pub(crate) fn push(&mut self, span: SpanData) -> usize {
        let mut added = span_heap_bytes(&span);
        if self.spans.len() == self.spans.capacity() {
            let extra = match self.spans.capacity() {
                0 => 1,
                1 => 3,
                cap => cap,
            };
            self.spans.reserve_exact(extra);
            added += extra * size_of::<SpanData>();
        }
        self.spans.push(span);
        self.bytes += added;
        added
    }
}

/// A decision remembered for late spans: `Some(policy)` = kept by that policy, `None` = dropped.
pub(crate) type Decision = Option<Arc<str>>;

#[derive(Debug)]
pub(crate) struct Shard {
    pub(crate) pending: HashMap<TraceId, PendingTrace>,
    /// Arrival order `(seq, trace)`; entries whose trace was decided meanwhile are stale and
    /// skipped (and compacted away when they outnumber the live ones).
    order: VecDeque<(u64, TraceId)>,
    cache: DecisionCache,
}

impl Shard {
    pub(crate) fn new(kept_cap: usize, dropped_cap: usize) -> Self {
        Self {
            pending: HashMap::new(),
            order: VecDeque::new(),
            cache: DecisionCache::new(kept_cap, dropped_cap),
        }
    }

    pub(crate) fn decision(&self, id: &TraceId) -> Option<&Decision> {
        self.cache.map.get(id)
    }

    pub(crate) fn remember(&mut self, id: TraceId, d: Decision) {
        self.cache.insert(id, d);
    }

    /// Registers a new pending trace in arrival order.
    pub(crate) fn push_order(&mut self, seq: u64, id: TraceId) {
        self.order.push_back((seq, id));
        if self.order.len() > 2 * self.pending.len() + 64 {
            let pending = &self.pending;
            self.order
                .retain(|(s, id)| pending.get(id).is_some_and(|p| p.seq == *s));
        }
    }

    /// The oldest live pending trace: `(seq, first_seen, id)`; drops stale entries on the way.
    pub(crate) fn oldest(&mut self) -> Option<(u64, Instant, TraceId)> {
        while let Some(&(seq, id)) = self.order.front() {
            match self.pending.get(&id) {
                Some(p) if p.seq == seq => return Some((seq, p.first_seen, id)),
                _ => {
                    self.order.pop_front();
                }
            }
        }
        None
    }

    /// Removes a pending trace (its order entry goes stale).
    pub(crate) fn take(&mut self, id: &TraceId) -> Option<PendingTrace> {
        self.pending.remove(id)
    }

    /// Gives back the capacity of an emptied buffer (after a flush).
    pub(crate) fn release_memory(&mut self) {
        if self.pending.is_empty() {
            self.pending.shrink_to_fit();
            self.order.clear();
            self.order.shrink_to_fit();
        }
    }

    /// All pending trace ids, oldest first.
    pub(crate) fn pending_ids(&self) -> Vec<TraceId> {
        self.order
            .iter()
            .filter(|(s, id)| self.pending.get(id).is_some_and(|p| p.seq == *s))
            .map(|(_, id)| *id)
            .collect()
    }
}

/// Recent decisions, bounded: two FIFO queues (kept, dropped) over one map.
#[derive(Debug)]
struct DecisionCache {
    map: HashMap<TraceId, Decision>,
    kept: VecDeque<TraceId>,
    dropped: VecDeque<TraceId>,
    kept_cap: usize,
    dropped_cap: usize,
}

impl DecisionCache {
    fn new(kept_cap: usize, dropped_cap: usize) -> Self {
        Self {
            map: HashMap::new(),
            kept: VecDeque::new(),
            dropped: VecDeque::new(),
            kept_cap,
            dropped_cap,
        }
    }

    fn insert(&mut self, id: TraceId, d: Decision) {
        let (queue, cap) = if d.is_some() {
            (&mut self.kept, self.kept_cap)
        } else {
            (&mut self.dropped, self.dropped_cap)
        };
        if cap == 0 {
            return;
        }
        while queue.len() >= cap {
            match queue.pop_front() {
                Some(old) => {
                    // Only forget it if the map still holds the decision of this queue.
                    if self
                        .map
                        .get(&old)
                        .is_some_and(|x| x.is_some() == d.is_some())
                    {
                        self.map.remove(&old);
                    }
                }
                None => break,
            }
        }
        queue.push_back(id);
        self.map.insert(id, d);
    }
}

/// Approximate heap size owned by a span (its inline `SpanData` is charged by the trace's
/// `Vec`, see [`PendingTrace::push`]).
pub(crate) fn span_heap_bytes(s: &SpanData) -> usize {
    let name = match &s.name {
        std::borrow::Cow::Borrowed(_) => 0,
        std::borrow::Cow::Owned(n) => n.capacity(),
    };
    let events: usize = s.events.events.capacity() * size_of::<opentelemetry::trace::Event>()
        + s.events
            .iter()
            .map(|e| e.name.len() + attrs_bytes(&e.attributes))
            .sum::<usize>();
    let links: usize = s.links.links.capacity() * size_of::<opentelemetry::trace::Link>()
        + s.links
            .iter()
            .map(|l| attrs_bytes(&l.attributes))
            .sum::<usize>();
    name + attrs_bytes(&s.attributes) + events + links
}

fn attrs_bytes(attrs: &Vec<KeyValue>) -> usize {
    attrs.capacity() * size_of::<KeyValue>()
        + attrs
            .iter()
            .map(|kv| kv.key.as_str().len() + value_bytes(&kv.value))
            .sum::<usize>()
}

fn value_bytes(v: &Value) -> usize {
    match v {
        Value::String(s) => s.as_str().len(),
        Value::Array(Array::String(items)) => items
            .iter()
            .map(|s| size_of::<opentelemetry::StringValue>() + s.as_str().len())
            .sum(),
        Value::Array(Array::I64(items)) => items.len() * 8,
        Value::Array(Array::F64(items)) => items.len() * 8,
        Value::Array(Array::Bool(items)) => items.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_is_bounded_per_kind() {
        let mut c = DecisionCache::new(2, 1);
        for i in 1..=5u128 {
            c.insert(TraceId::from(i), Some(Arc::from("p")));
        }
        c.insert(TraceId::from(10u128), None);
        c.insert(TraceId::from(11u128), None);
        assert_eq!(c.map.len(), 3);
        assert!(c.map.contains_key(&TraceId::from(4u128)));
        assert!(c.map.contains_key(&TraceId::from(5u128)));
        assert!(c.map.contains_key(&TraceId::from(11u128)));
        assert!(!c.map.contains_key(&TraceId::from(10u128)));
    }

    #[test]
    fn zero_sized_cache_remembers_nothing() {
        let mut c = DecisionCache::new(0, 0);
        c.insert(TraceId::from(1u128), None);
        assert!(c.map.is_empty());
    }
}
