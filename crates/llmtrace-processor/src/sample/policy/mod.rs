//! Compiled policies and their evaluation over the buffered spans of one trace.
//!
//! Each configuration section compiles itself into a `Rule` (the `compile` module); this
//! module holds the compiled form and evaluates it.

use opentelemetry::trace::{Status, TraceId};
use opentelemetry::{Array, Key, KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use regex::Regex;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::config::TailSamplingConfig;
use super::error::SamplingConfigError;

mod compile;

/// What a policy looks at: the buffered spans of one trace plus the resource.
pub(crate) struct TraceView<'a> {
    pub(crate) trace_id: TraceId,
    pub(crate) spans: &'a [SpanData],
    pub(crate) resource: &'a [KeyValue],
    /// Whole seconds since the sampler was built (for `rate_limiting`).
    pub(crate) second: u64,
}

/// The compiled top-level policies, evaluated in order (any-of).
#[derive(Debug)]
pub(crate) struct PolicySet {
    policies: Vec<Policy>,
}

#[derive(Debug)]
struct Policy {
    name: Arc<str>,
    rule: Rule,
}

#[derive(Debug)]
enum Rule {
    Always,
    Latency {
        min: Duration,
        max: Option<Duration>,
    },
    Status {
        ok: bool,
        error: bool,
        unset: bool,
    },
    Probabilistic {
        salt: Vec<u8>,
        /// Keep when the hash is at most this (`None` = keep all).
        threshold: Option<u64>,
    },
    StringAttr {
        key: Key,
        values: StringMatch,
        invert: bool,
    },
    NumericAttr {
        key: Key,
        min: f64,
        max: f64,
        invert: bool,
    },
    SpanCount {
        min: usize,
        max: usize,
    },
    RateLimit {
        spans_per_second: u64,
        /// (second, spans kept in that second)
        window: Mutex<(u64, u64)>,
    },
    And(Vec<Rule>),
}

#[derive(Debug)]
enum StringMatch {
    Exact(HashSet<String>),
    Regex(Vec<Regex>),
}

impl PolicySet {
    /// Checks the limits of `config` and compiles its policies.
    pub(crate) fn compile(config: &TailSamplingConfig) -> Result<Self, SamplingConfigError> {
        check_limits(config)?;
        if config.policies.is_empty() {
            return Err(SamplingConfigError::NoPolicies);
        }
        let mut names = HashSet::new();
        let mut policies = Vec::with_capacity(config.policies.len());
        for p in &config.policies {
            if !names.insert(p.name.as_str()) {
                return Err(SamplingConfigError::DuplicatePolicyName {
                    policy: p.name.clone(),
                });
            }
            policies.push(Policy {
                name: Arc::from(p.name.as_str()),
                rule: compile::compile_rule(p, compile::Nesting::TopLevel)?,
            });
        }
        Ok(Self { policies })
    }

    /// The name of the first policy that keeps the trace, or `None` to drop it.
    pub(crate) fn decide(&self, trace: &TraceView<'_>) -> Option<Arc<str>> {
        self.policies
            .iter()
            .find(|p| p.rule.matches(trace))
            .map(|p| Arc::clone(&p.name))
    }
}

/// The processor-wide bounds must be positive: a zero would keep nothing or decide at once.
fn check_limits(config: &TailSamplingConfig) -> Result<(), SamplingConfigError> {
    let limit = |key: &'static str, value: usize, what: &str| {
        if value == 0 {
            Err(SamplingConfigError::InvalidLimit {
                key,
                value: value.to_string(),
                reason: format!("must be at least 1 ({what})"),
            })
        } else {
            Ok(())
        }
    };
    limit("num_traces", config.num_traces, "e.g. 50000")?;
    limit(
        "max_spans_per_trace",
        config.max_spans_per_trace,
        "e.g. 10000",
    )?;
    limit(
        "max_buffered_bytes",
        config.max_buffered_bytes,
        "e.g. 67108864 for 64 MiB",
    )?;
    if config.decision_wait.is_zero() {
        return Err(SamplingConfigError::InvalidLimit {
            key: "decision_wait",
            value: "0s".to_owned(),
            reason: "must be positive, e.g. 30s".to_owned(),
        });
    }
    Ok(())
}

/// `None` means keep everything (100 %); otherwise keep when `hash <= threshold`, the
/// threshold being `u64::MAX` × the ratio, as the collector's `probabilistic` policy computes it.
fn percentage_threshold(pct: f64) -> Option<u64> {
    if pct >= 100.0 {
        return None;
    }
    // u64::MAX * pct / 100 in f64 (53-bit precision is plenty for a sampling rate); the cast
    // saturates.
    let t = (pct / 100.0) * u64::MAX as f64;
    Some(if t <= 0.0 { 0 } else { t as u64 })
}

/// The salt the collector uses when `hash_salt` is empty.
const DEFAULT_HASH_SALT: &[u8] = b"default-hash-seed";

/// FNV-1a (64 bit) over the salt (`default-hash-seed` when empty) and the trace id bytes: the
/// collector's `probabilistic` policy hash, so a process and a collector with the same salt
/// keep the same traces. Stable across runs, processes and platforms.
pub(crate) fn trace_hash(salt: &[u8], trace_id: TraceId) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let salt = if salt.is_empty() {
        DEFAULT_HASH_SALT
    } else {
        salt
    };
    let mut h = OFFSET;
    for b in salt.iter().chain(trace_id.to_bytes().iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// Would a `probabilistic` policy with this percentage and salt keep this trace id? The same
/// function the sampler uses, exposed so other components (and tests) can agree with it.
pub fn probabilistic_keeps(trace_id: TraceId, sampling_percentage: f64, hash_salt: &str) -> bool {
    match percentage_threshold(sampling_percentage.clamp(0.0, 100.0)) {
        None => true,
        Some(t) => trace_hash(hash_salt.as_bytes(), trace_id) <= t,
    }
}

impl Rule {
    fn matches(&self, t: &TraceView<'_>) -> bool {
        match self {
            Rule::Always => true,
            Rule::Latency { min, max } => {
                let d = trace_duration(t.spans);
                d >= *min && max.is_none_or(|m| d <= m)
            }
            Rule::Status { ok, error, unset } => t.spans.iter().any(|s| match s.status {
                Status::Ok => *ok,
                Status::Error { .. } => *error,
                Status::Unset => *unset,
            }),
            Rule::Probabilistic { salt, threshold } => match threshold {
                None => true,
                Some(th) => trace_hash(salt, t.trace_id) <= *th,
            },
            Rule::StringAttr {
                key,
                values,
                invert,
            } => {
                let found = attribute_values(t, key).any(|v| string_matches(v, values));
                found != *invert
            }
            Rule::NumericAttr {
                key,
                min,
                max,
                invert,
            } => {
                let found = attribute_values(t, key)
                    .any(|v| numeric_value(v).is_some_and(|n| n >= *min && n <= *max));
                found != *invert
            }
            Rule::SpanCount { min, max } => {
                let n = t.spans.len();
                n >= *min && n <= *max
            }
            Rule::RateLimit {
                spans_per_second,
                window,
            } => {
                let mut w = window.lock().unwrap_or_else(PoisonError::into_inner);
                if w.0 != t.second {
                    *w = (t.second, 0);
                }
                let spans = t.spans.len() as u64;
                if w.1.saturating_add(spans) <= *spans_per_second {
                    w.1 += spans;
                    true
                } else {
                    false
                }
            }
            Rule::And(rules) => rules.iter().all(|r| r.matches(t)),
        }
    }
}

/// Earliest start to latest end over the spans (zero for none).
fn trace_duration(spans: &[SpanData]) -> Duration {
    let mut start: Option<SystemTime> = None;
    let mut end: Option<SystemTime> = None;
    for s in spans {
        start = Some(start.map_or(s.start_time, |t| t.min(s.start_time)));
        end = Some(end.map_or(s.end_time, |t| t.max(s.end_time)));
    }
    match (start, end) {
        (Some(s), Some(e)) => e.duration_since(s).unwrap_or(Duration::ZERO),
        _ => Duration::ZERO,
    }
}

/// Every value of `key` on the spans, then on the resource.
fn attribute_values<'a>(
    t: &'a TraceView<'a>,
    key: &'a Key,
) -> impl Iterator<Item = &'a Value> + 'a {
    t.spans
        .iter()
        .flat_map(|s| s.attributes.iter())
        .chain(t.resource.iter())
        .filter(move |kv| kv.key == *key)
        .map(|kv| &kv.value)
}

fn string_matches(v: &Value, m: &StringMatch) -> bool {
    let one = |s: &str| match m {
        StringMatch::Exact(set) => set.contains(s),
        StringMatch::Regex(rs) => rs.iter().any(|r| r.is_match(s)),
    };
    match v {
        Value::String(s) => one(s.as_str()),
        Value::Array(Array::String(items)) => items.iter().any(|s| one(s.as_str())),
        _ => false,
    }
}

fn numeric_value(v: &Value) -> Option<f64> {
    match v {
        Value::I64(i) => Some(*i as f64),
        Value::F64(f) => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable() {
        // Golden values: a change here changes which traces every deployment keeps.
        let id = TraceId::from_bytes([1; 16]);
        assert_eq!(trace_hash(b"", id), 0x3852_e520_beb1_c84d);
        assert_eq!(trace_hash(b"default-hash-seed", id), 0x3852_e520_beb1_c84d);
        assert_eq!(trace_hash(b"salt", id), 0xbcdf_f654_9398_59d1);
        assert!(probabilistic_keeps(id, 100.0, ""));
        assert!(!probabilistic_keeps(id, 0.0, ""));
    }

    #[test]
    fn thresholds() {
        assert_eq!(percentage_threshold(0.0), Some(0));
        assert_eq!(percentage_threshold(100.0), None);
        assert_eq!(percentage_threshold(50.0), Some(1 << 63));
        assert_eq!(percentage_threshold(25.0), Some(1 << 62));
    }
}
