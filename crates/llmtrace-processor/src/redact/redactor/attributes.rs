//! Attribute lists and spans: each attribute's key decision applied, values scrubbed and
//! truncated, the original length of a cut value recorded next to it.

use std::borrow::Cow;

use opentelemetry::trace::Status;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;

use super::keys::KeyDecision;
use super::summary::KeyTally;
use super::Redactor;
use crate::redact::json::STRING_MARKER;
use crate::redact::RedactionReport;

/// Last element appended to a string array whose tail was dropped by truncation.
pub const TRUNCATED_ELEMENT: &str = "[TRUNCATED]";
/// Prefix of the attribute recording a truncated value's original length in bytes:
/// `llmtrace.truncated.<key>.original_length`.
pub const TRUNCATED_ATTR_PREFIX: &str = "llmtrace.truncated.";
/// Suffix of the attribute recording a truncated value's original length.
pub const TRUNCATED_ATTR_SUFFIX: &str = ".original_length";

impl Redactor {
    /// Applies key rules, detectors and truncation to an attribute list and appends the
    /// `redaction.*` summary attributes (per `summary`).
    pub fn redact_attributes(&self, attrs: &mut Vec<KeyValue>) -> RedactionReport {
        let mut report = RedactionReport::default();
        self.process_attributes(attrs, &[], &mut report);
        report
    }

    /// Scrubs everything in a span that can hold content: name, attributes, event names and
    /// attributes, link attributes and the error status description.
    pub fn redact_span(&self, span: &mut SpanData) -> RedactionReport {
        let mut report = RedactionReport::default();
        let mut pseudo: Vec<&'static str> = Vec::new();

        if let Cow::Owned(name) = self.redact_text(&span.name, &mut report) {
            span.name = Cow::Owned(name);
            pseudo.push("span.name");
        }
        if let Status::Error { description } = &mut span.status {
            let (scrubbed, truncated) =
                self.scrub_string(description, self.max_value_bytes, 0, &mut report);
            if let Cow::Owned(new) = scrubbed {
                if truncated {
                    report.values_truncated += 1;
                }
                *description = Cow::Owned(new);
                pseudo.push("status.description");
            }
        }
        for event in span.events.events.iter_mut() {
            let mut event_pseudo: Vec<&'static str> = Vec::new();
            if let Cow::Owned(name) = self.redact_text(&event.name, &mut report) {
                event.name = Cow::Owned(name);
                event_pseudo.push("event.name");
            }
            self.process_attributes(&mut event.attributes, &event_pseudo, &mut report);
        }
        for link in span.links.links.iter_mut() {
            self.process_attributes(&mut link.attributes, &[], &mut report);
        }
        self.process_attributes(&mut span.attributes, &pseudo, &mut report);
        report
    }

    /// Applies the key decisions to `attrs`, scrubs what is left to scan, appends the original
    /// lengths of truncated values and the summary (`pseudo_masked` names changed non-attribute
    /// fields: `span.name`, `status.description`, `event.name`).
    fn process_attributes(
        &self,
        attrs: &mut Vec<KeyValue>,
        pseudo_masked: &[&'static str],
        report: &mut RedactionReport,
    ) {
        let mut tally = KeyTally::with_masked(pseudo_masked);
        let mut lengths: Vec<KeyValue> = Vec::new();
        let decisions = self
            .key_cache
            .decide_all(attrs.iter().map(|kv| kv.key.as_str()), |key| {
                self.key_decision(key, true)
            });
        let mut decisions = decisions.into_iter();
        attrs.retain_mut(|kv| {
            // Exactly one decision per attribute, in order; were one missing, scanning the
            // value is the safe default.
            let decision = decisions.next().unwrap_or(KeyDecision::Scan);
            self.apply_decision(decision, kv, &mut tally, &mut lengths, report)
        });
        attrs.extend(lengths);
        self.add_summary(attrs, tally);
    }

    /// Applies the decision for one attribute; `false` removes it.
    fn apply_decision(
        &self,
        decision: KeyDecision,
        kv: &mut KeyValue,
        tally: &mut KeyTally,
        lengths: &mut Vec<KeyValue>,
        report: &mut RedactionReport,
    ) -> bool {
        let key = kv.key.as_str();
        match decision {
            KeyDecision::Pass => {}
            KeyDecision::Ignored => tally.ignored += 1,
            KeyDecision::Drop => {
                tally.redacted.push(key.to_owned());
                report.attributes_dropped += 1;
                return false;
            }
            KeyDecision::Mask(mask) => {
                tally.masked.push(key.to_owned());
                report.keys_masked += 1;
                kv.value = masked_value(&kv.value, mask);
            }
            KeyDecision::SecretName => {
                tally.masked.push(key.to_owned());
                report.keys_masked += 1;
                kv.value = self.secret_masked_value(&kv.value);
            }
            KeyDecision::Hash => {
                tally.masked.push(key.to_owned());
                report.keys_hashed += 1;
                let hashed = self.hash_value(&kv.value.as_str());
                kv.value = Value::String(StringValue::from(hashed));
            }
            KeyDecision::Scan => self.scan_attribute(kv, tally, lengths, report),
        }
        true
    }

    /// The value of a key that names a secret, masked by the label of what it contains (each
    /// element of a string array on its own).
    fn secret_masked_value(&self, value: &Value) -> Value {
        match value {
            Value::Array(Array::String(items)) => Value::Array(Array::String(
                items
                    .iter()
                    .map(|v| StringValue::from(self.secret_value_mask(v.as_str())))
                    .collect(),
            )),
            other => Value::String(StringValue::from(self.secret_value_mask(&other.as_str()))),
        }
    }

    /// Scans an attribute no key rule decided: exempt when `allowed_values` matches, else its
    /// value scrubbed and truncated (a cut value's original length goes to `lengths`).
    fn scan_attribute(
        &self,
        kv: &mut KeyValue,
        tally: &mut KeyTally,
        lengths: &mut Vec<KeyValue>,
        report: &mut RedactionReport,
    ) {
        let key = kv.key.as_str();
        if let Some(set) = &self.allowed_values {
            if set.is_match(&kv.value.as_str()) {
                tally.allowed.push(key.to_owned());
                return;
            }
        }
        let before = (report.matches(), report.keys_masked, report.keys_hashed);
        let Some((value, original_len)) = self.scrub_value(&kv.value, report) else {
            return;
        };
        kv.value = value;
        if (report.matches(), report.keys_masked, report.keys_hashed) != before {
            tally.masked.push(key.to_owned());
        }
        if let Some(len) = original_len {
            report.values_truncated += 1;
            lengths.push(KeyValue::new(
                format!("{TRUNCATED_ATTR_PREFIX}{key}{TRUNCATED_ATTR_SUFFIX}"),
                i64::try_from(len).unwrap_or(i64::MAX),
            ));
        }
    }

    /// The new value (and original length when truncated) if anything changed.
    fn scrub_value(
        &self,
        value: &Value,
        report: &mut RedactionReport,
    ) -> Option<(Value, Option<usize>)> {
        match value {
            Value::String(sv) => {
                let s = sv.as_str();
                let (out, truncated) = self.scrub_string(s, self.max_value_bytes, 0, report);
                match out {
                    Cow::Borrowed(_) => None,
                    Cow::Owned(new) => Some((
                        Value::String(StringValue::from(new)),
                        truncated.then_some(s.len()),
                    )),
                }
            }
            Value::Array(Array::String(items)) => self.scrub_string_array(items, report),
            // Integers long enough to be card or phone numbers (collector `redact_all_types`,
            // here always on for such numbers): masked values become strings.
            Value::I64(v) if v.unsigned_abs() >= 1_000_000_000 => {
                let mut buf = [0u8; 20];
                let text = format_i64(*v, &mut buf);
                match self.redact_text(text, report) {
                    Cow::Owned(masked) => Some((Value::String(StringValue::from(masked)), None)),
                    Cow::Borrowed(_) => None,
                }
            }
            _ => None,
        }
    }

    /// A string array scrubbed item by item within `max_value_bytes` in total: the item that
    /// does not fit is cut and the rest replaced by one [`TRUNCATED_ELEMENT`].
    fn scrub_string_array(
        &self,
        items: &[StringValue],
        report: &mut RedactionReport,
    ) -> Option<(Value, Option<usize>)> {
        let mut changed = false;
        let mut total = 0usize;
        let mut original = 0usize;
        let mut cut = false;
        let mut out: Vec<StringValue> = Vec::with_capacity(items.len());
        for item in items {
            let s = item.as_str();
            original = original.saturating_add(s.len());
            if cut {
                continue;
            }
            let room = self.max_value_bytes.saturating_sub(total);
            if room < STRING_MARKER.len() + 16 {
                cut = true;
                continue;
            }
            let (new, truncated) = self.scrub_string(s, room, 0, report);
            total = total.saturating_add(new.len());
            cut |= truncated;
            match new {
                Cow::Borrowed(_) => out.push(item.clone()),
                Cow::Owned(n) => {
                    changed = true;
                    out.push(StringValue::from(n));
                }
            }
        }
        if cut {
            out.push(StringValue::from(TRUNCATED_ELEMENT));
        }
        (changed || cut).then(|| (Value::Array(Array::String(out)), cut.then_some(original)))
    }
}

/// `mask` in place of a value, keeping the shape of string arrays (e.g. `http.request.header.*`).
fn masked_value(value: &Value, mask: &'static str) -> Value {
    match value {
        Value::Array(Array::String(items)) => {
            Value::Array(Array::String(vec![StringValue::from(mask); items.len()]))
        }
        _ => Value::String(StringValue::from(mask)),
    }
}

/// Formats `v` into `buf` without allocating.
fn format_i64(v: i64, buf: &mut [u8; 20]) -> &str {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 || i == 1 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_integers() {
        let mut buf = [0u8; 20];
        for v in [0, 7, -7, 4_111_111_111_111_111, i64::MAX, i64::MIN] {
            assert_eq!(format_i64(v, &mut buf), v.to_string());
        }
    }
}
