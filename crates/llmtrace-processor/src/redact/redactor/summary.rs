//! The `redaction.*` summary attributes appended to each changed attribute list.

use opentelemetry::{KeyValue, StringValue, Value};

use super::Redactor;
use crate::redact::config::Summary;

/// Summary attribute: comma-separated keys removed (summary `debug`).
pub const SUMMARY_REDACTED_KEYS: &str = "redaction.redacted.keys";
/// Summary attribute: number of keys removed.
pub const SUMMARY_REDACTED_COUNT: &str = "redaction.redacted.count";
/// Summary attribute: comma-separated keys whose value was masked or hashed (summary `debug`).
pub const SUMMARY_MASKED_KEYS: &str = "redaction.masked.keys";
/// Summary attribute: number of keys whose value was masked or hashed.
pub const SUMMARY_MASKED_COUNT: &str = "redaction.masked.count";
/// Summary attribute: comma-separated keys exempted by `allowed_values` (summary `debug`).
pub const SUMMARY_ALLOWED_KEYS: &str = "redaction.allowed.keys";
/// Summary attribute: number of keys exempted by `allowed_values`.
pub const SUMMARY_ALLOWED_COUNT: &str = "redaction.allowed.count";
/// Summary attribute: number of `ignored_keys` present.
pub const SUMMARY_IGNORED_COUNT: &str = "redaction.ignored.count";

/// The keys of one attribute list by what happened to them, for its summary.
#[derive(Debug, Default)]
pub(super) struct KeyTally {
    /// Removed.
    pub(super) redacted: Vec<String>,
    /// Masked, hashed or with matches replaced.
    pub(super) masked: Vec<String>,
    /// Exempted by `allowed_values`.
    pub(super) allowed: Vec<String>,
    /// `ignored_keys` present.
    pub(super) ignored: i64,
}

impl KeyTally {
    /// A tally whose masked keys start with `pseudo_masked` (`span.name`, `event.name`, …).
    pub(super) fn with_masked(pseudo_masked: &[&'static str]) -> Self {
        Self {
            masked: pseudo_masked.iter().map(|s| (*s).to_owned()).collect(),
            ..Self::default()
        }
    }
}

impl Redactor {
    /// Appends (or adds to) the summary attributes of `tally`, as verbose as `summary` says.
    pub(super) fn add_summary(&self, attrs: &mut Vec<KeyValue>, tally: KeyTally) {
        if self.summary == Summary::Silent {
            return;
        }
        let debug = self.summary == Summary::Debug;
        let KeyTally {
            redacted,
            masked,
            allowed,
            ignored,
        } = tally;
        for (mut keys, keys_attr, count_attr) in [
            (redacted, SUMMARY_REDACTED_KEYS, SUMMARY_REDACTED_COUNT),
            (masked, SUMMARY_MASKED_KEYS, SUMMARY_MASKED_COUNT),
            (allowed, SUMMARY_ALLOWED_KEYS, SUMMARY_ALLOWED_COUNT),
        ] {
            if keys.is_empty() {
                continue;
            }
            let count = i64::try_from(keys.len()).unwrap_or(i64::MAX);
            if debug {
                if let Some(existing) = attrs.iter().find(|kv| kv.key.as_str() == keys_attr) {
                    keys.extend(
                        existing
                            .value
                            .as_str()
                            .split(',')
                            .filter(|k| !k.is_empty())
                            .map(str::to_owned),
                    );
                }
                keys.sort();
                upsert(
                    attrs,
                    keys_attr,
                    Value::String(StringValue::from(keys.join(","))),
                );
            }
            add_count(attrs, count_attr, count);
        }
        if ignored > 0 {
            add_count(attrs, SUMMARY_IGNORED_COUNT, ignored);
        }
    }
}

fn upsert(attrs: &mut Vec<KeyValue>, key: &'static str, value: Value) {
    match attrs.iter_mut().find(|kv| kv.key.as_str() == key) {
        Some(kv) => kv.value = value,
        None => attrs.push(KeyValue::new(key, value)),
    }
}

fn add_count(attrs: &mut Vec<KeyValue>, key: &'static str, n: i64) {
    let previous = attrs
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .and_then(|kv| match kv.value {
            Value::I64(v) => Some(v),
            _ => None,
        });
    upsert(
        attrs,
        key,
        Value::I64(previous.unwrap_or(0).saturating_add(n)),
    );
}
