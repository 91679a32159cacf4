//! What one redaction did, and the running totals of a processor.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::Detector;

/// Counts of what one call redacted. Fixed size: filling it never allocates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedactionReport {
    /// Matches per detector, indexed like [`RedactionReport::detector`].
    detectors: [u64; Detector::COUNT],
    /// Matches of custom rules.
    pub custom_rules: u64,
    /// Matches of `blocked_values`.
    pub blocked_values: u64,
    /// Attributes (or JSON members) whose whole value was masked by a key rule.
    pub keys_masked: u64,
    /// Attributes (or JSON members) whose whole value was hashed by a key rule.
    pub keys_hashed: u64,
    /// Attributes removed (not allowed, blocked key, `drop` rule).
    pub attributes_dropped: u64,
    /// Values cut to `max_value_bytes`.
    pub values_truncated: u64,
}

impl RedactionReport {
    /// Matches of detector `d`.
    pub fn detector(&self, d: Detector) -> u64 {
        self.detectors[d.index()]
    }

    pub(crate) fn add_detector(&mut self, d: Detector) {
        self.detectors[d.index()] += 1;
    }

    /// Total value matches (detectors, custom rules, blocked values).
    pub fn matches(&self) -> u64 {
        self.detectors.iter().sum::<u64>() + self.custom_rules + self.blocked_values
    }

    /// Whether nothing was changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &RedactionReport) {
        for (a, b) in self.detectors.iter_mut().zip(other.detectors.iter()) {
            *a += b;
        }
        self.custom_rules += other.custom_rules;
        self.blocked_values += other.blocked_values;
        self.keys_masked += other.keys_masked;
        self.keys_hashed += other.keys_hashed;
        self.attributes_dropped += other.attributes_dropped;
        self.values_truncated += other.values_truncated;
    }
}

/// Lock-free running totals shared between a processor and its [`StatsHandle`]s.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    spans_seen: AtomicU64,
    spans_redacted: AtomicU64,
    spans_unsampled: AtomicU64,
    spans_failed: AtomicU64,
    detectors: [AtomicU64; Detector::COUNT],
    custom_rules: AtomicU64,
    blocked_values: AtomicU64,
    keys_masked: AtomicU64,
    keys_hashed: AtomicU64,
    attributes_dropped: AtomicU64,
    values_truncated: AtomicU64,
}

impl Counters {
    pub(crate) fn span_seen(&self) {
        self.spans_seen.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn span_unsampled(&self) {
        self.spans_unsampled.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn span_failed(&self) {
        self.spans_failed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record(&self, r: &RedactionReport) {
        if r.is_empty() {
            return;
        }
        self.spans_redacted.fetch_add(1, Ordering::Relaxed);
        for (c, &n) in self.detectors.iter().zip(r.detectors.iter()) {
            if n > 0 {
                c.fetch_add(n, Ordering::Relaxed);
            }
        }
        let pairs = [
            (&self.custom_rules, r.custom_rules),
            (&self.blocked_values, r.blocked_values),
            (&self.keys_masked, r.keys_masked),
            (&self.keys_hashed, r.keys_hashed),
            (&self.attributes_dropped, r.attributes_dropped),
            (&self.values_truncated, r.values_truncated),
        ];
        for (c, n) in pairs {
            if n > 0 {
                c.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn snapshot(&self) -> RedactionStats {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut totals = RedactionReport::default();
        for (t, c) in totals.detectors.iter_mut().zip(self.detectors.iter()) {
            *t = load(c);
        }
        totals.custom_rules = load(&self.custom_rules);
        totals.blocked_values = load(&self.blocked_values);
        totals.keys_masked = load(&self.keys_masked);
        totals.keys_hashed = load(&self.keys_hashed);
        totals.attributes_dropped = load(&self.attributes_dropped);
        totals.values_truncated = load(&self.values_truncated);
        RedactionStats {
            spans_seen: load(&self.spans_seen),
            spans_redacted: load(&self.spans_redacted),
            spans_unsampled: load(&self.spans_unsampled),
            spans_failed: load(&self.spans_failed),
            totals,
        }
    }
}

/// A snapshot of a [`RedactingProcessor`](super::RedactingProcessor)'s counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedactionStats {
    /// Spans handed to `on_end`.
    pub spans_seen: u64,
    /// Spans in which anything was masked, hashed, dropped or truncated.
    pub spans_redacted: u64,
    /// Unsampled spans dropped without redaction.
    pub spans_unsampled: u64,
    /// Spans dropped because redaction failed unexpectedly (fail closed; should stay 0).
    pub spans_failed: u64,
    /// What was redacted, summed over all spans.
    pub totals: RedactionReport,
}

impl RedactionStats {
    /// Values redacted by detector `d`.
    pub fn detector(&self, d: Detector) -> u64 {
        self.totals.detector(d)
    }
}

/// A cloneable handle on the counters of a processor that has been moved into a tracer provider.
#[derive(Debug, Clone)]
pub struct StatsHandle(pub(crate) Arc<Counters>);

impl StatsHandle {
    /// The current totals.
    pub fn snapshot(&self) -> RedactionStats {
        self.0.snapshot()
    }
}
