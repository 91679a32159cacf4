//! Strings: detectors and value rules over text, JSON scrubbed structurally, truncation.

use std::borrow::Cow;

use super::keys::KeyDecision;
use super::{Redactor, BLOCKED_VALUE_MASK, KEY_MASK};
use crate::redact::json::{self, JsonScrubber, STRING_MARKER};
use crate::redact::matcher::{Hit, Source};
use crate::redact::views;
use crate::redact::{Detector, RedactionReport};

/// Extra bytes scanned beyond the size limit before cutting, so a secret that straddles the cut
/// is still recognised (and masked) rather than left half-visible.
const SCAN_SLACK: usize = 4096;

/// How deep JSON inside JSON strings is scrubbed structurally (deeper levels are scanned as text).
const MAX_JSON_DEPTH: u8 = 2;

impl Redactor {
    /// Scrubs one string (JSON-aware, no truncation). Borrowed when nothing matched.
    pub fn redact_str<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let mut report = RedactionReport::default();
        self.redact_str_with_report(s, &mut report)
    }

    /// Like [`redact_str`](Self::redact_str), adding what was found to `report`.
    pub fn redact_str_with_report<'a>(
        &self,
        s: &'a str,
        report: &mut RedactionReport,
    ) -> Cow<'a, str> {
        self.scrub_string(s, usize::MAX, 0, report).0
    }

    /// Scrubs `s` as plain text: detectors and value rules only.
    ///
    /// Besides the direct matches, two second looks catch values hidden by a transformation:
    /// lines joined where a value was wrapped across a line break, and percent-escapes decoded
    /// (see `views`). Each mask covers exactly the original bytes of what it hides.
    pub fn redact_text<'a>(&self, s: &'a str, report: &mut RedactionReport) -> Cow<'a, str> {
        if !self.matcher.may_match() || self.matcher.surely_plain(s) {
            return Cow::Borrowed(s);
        }
        let first = self.matcher.next_hit(s, 0);
        let hidden = views::may_hide(s);
        if first.is_none() && !hidden {
            return Cow::Borrowed(s);
        }
        let mut hits = Vec::new();
        let mut hit = first;
        while let Some(h) = hit {
            hits.push(h);
            hit = self.matcher.next_hit(s, h.end.max(h.start + 1));
        }
        if hidden {
            self.view_hits(s, &mut hits);
        }
        if hits.is_empty() {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len() + 32);
        let mut last = 0;
        for h in &hits {
            out.push_str(s.get(last..h.start).unwrap_or(""));
            self.write_replacement(s, h, &mut out, report);
            last = h.end;
        }
        out.push_str(s.get(last..).unwrap_or(""));
        Cow::Owned(out)
    }

    /// Adds the hits of the joined and decoded views of `s` to `hits`, then sorts and merges
    /// overlapping hits (the earlier one's label wins).
    fn view_hits(&self, s: &str, hits: &mut Vec<Hit>) {
        let before = hits.len();
        let masked: Vec<(usize, usize, bool)> = hits
            .iter()
            .map(|h| {
                let closed = h.source == Source::Detector(Detector::PrivateKey)
                    && s.get(..h.end).is_some_and(|m| m.ends_with("-----"));
                (h.start, h.end, closed)
            })
            .collect();
        let mut views = views::joined(s, &masked);
        views.extend(views::percent_decoded(s));
        for view in &views {
            let mut from = 0;
            while let Some(h) = self.matcher.next_hit(&view.text, from) {
                if let Some((start, end)) = view.original(h.start, h.end) {
                    if s.is_char_boundary(start) && s.is_char_boundary(end) {
                        hits.push(Hit { start, end, ..h });
                    }
                }
                from = h.end.max(h.start + 1);
            }
        }
        if hits.len() == before {
            return;
        }
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut merged: Vec<Hit> = Vec::with_capacity(hits.len());
        for h in hits.drain(..) {
            match merged.last_mut() {
                Some(m) if h.start < m.end => m.end = m.end.max(h.end),
                _ => merged.push(h),
            }
        }
        *hits = merged;
    }

    fn write_replacement(
        &self,
        hay: &str,
        hit: &Hit,
        out: &mut String,
        report: &mut RedactionReport,
    ) {
        let matched = hay.get(hit.start..hit.end).unwrap_or("");
        match hit.source {
            Source::Detector(d) => {
                report.add_detector(d);
                match &self.value_hasher {
                    Some(h) => out.push_str(&h.hash(matched)),
                    None => out.push_str(d.mask()),
                }
            }
            Source::Custom(i) => {
                report.custom_rules += 1;
                let Some(rule) = self.custom.get(i) else {
                    out.push_str(BLOCKED_VALUE_MASK);
                    return;
                };
                match (&rule.replacement, &self.value_hasher) {
                    (Some(t), _) if t.contains('$') => self.matcher.expand_custom(hay, hit, t, out),
                    (Some(t), _) => out.push_str(t),
                    (None, Some(h)) => out.push_str(&h.hash(matched)),
                    (None, None) => out.push_str(&rule.mask),
                }
            }
            Source::Blocked => {
                report.blocked_values += 1;
                match &self.value_hasher {
                    Some(h) => out.push_str(&h.hash(matched)),
                    None => out.push_str(BLOCKED_VALUE_MASK),
                }
            }
        }
    }

    /// Whether a JSON string needs the structural pass at all.
    fn json_needs_walk(&self, s: &str) -> bool {
        (self.matcher.may_match() && (self.matcher.has_candidate(s) || views::may_hide(s)))
            || !self.key_rules.is_empty()
            || self.blocked_key_patterns.is_some()
            || !self.blocked_keys.is_empty()
    }

    /// Scrubs a string value: JSON structurally when it is JSON, else as text; cuts it to
    /// `limit` bytes. Returns the result and whether it was truncated.
    pub(super) fn scrub_string<'a>(
        &self,
        s: &'a str,
        limit: usize,
        depth: u8,
        report: &mut RedactionReport,
    ) -> (Cow<'a, str>, bool) {
        let json_like = self.scrub_json && json::looks_like_json(s);
        if json_like && s.len() <= limit && !self.json_needs_walk(s) {
            // Nothing to do whether or not it is JSON: skip the validation pass.
            return (Cow::Borrowed(s), false);
        }
        if json_like && json::is_valid_json(s) {
            let mut cb = JsonCallbacks {
                redactor: self,
                report,
                depth,
            };
            let out = json::scrub(s, limit, limit.saturating_add(SCAN_SLACK), &mut cb);
            if out.changed || out.truncated {
                return (Cow::Owned(out.text), out.truncated);
            }
            return (Cow::Borrowed(s), false);
        }
        if s.len() <= limit {
            return (self.redact_text(s, report), false);
        }
        // Scan only what can survive, plus slack, then cut on a char boundary.
        let head = json::prefix_at_boundary(s, limit.saturating_add(SCAN_SLACK));
        let scrubbed = self.redact_text(head, report);
        let keep = json::prefix_at_boundary(&scrubbed, limit.saturating_sub(STRING_MARKER.len()));
        let mut out = String::with_capacity(keep.len() + STRING_MARKER.len());
        out.push_str(keep);
        out.push_str(STRING_MARKER);
        (Cow::Owned(out), true)
    }
}

/// Bridges the JSON pass to the redactor.
struct JsonCallbacks<'r> {
    redactor: &'r Redactor,
    report: &'r mut RedactionReport,
    depth: u8,
}

impl JsonScrubber for JsonCallbacks<'_> {
    fn covers_key(&mut self, key: &str) -> bool {
        !matches!(
            self.redactor.key_decision(key, false),
            KeyDecision::Scan | KeyDecision::Pass | KeyDecision::Ignored
        )
    }

    fn replace_member(&mut self, key: &str, raw: &str) -> String {
        match self.redactor.key_decision(key, false) {
            KeyDecision::Hash => {
                self.report.keys_hashed += 1;
                let value = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                    Some(inner) => json::unescape(inner, usize::MAX).0.into_owned(),
                    None => raw.to_owned(),
                };
                self.redactor.hash_value(&value)
            }
            KeyDecision::Mask(mask) => {
                self.report.keys_masked += 1;
                mask.to_owned()
            }
            KeyDecision::SecretName => {
                self.report.keys_masked += 1;
                match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                    Some(inner) => {
                        let value = json::unescape(inner, SCAN_SLACK).0;
                        self.redactor.secret_value_mask(&value).to_owned()
                    }
                    None => self.redactor.secret_value_mask(raw).to_owned(),
                }
            }
            _ => {
                self.report.keys_masked += 1;
                KEY_MASK.to_owned()
            }
        }
    }

    fn leaf<'a>(&mut self, text: &'a str) -> Cow<'a, str> {
        if self.depth < MAX_JSON_DEPTH {
            self.redactor
                .scrub_string(text, usize::MAX, self.depth + 1, self.report)
                .0
        } else {
            self.redactor.redact_text(text, self.report)
        }
    }
}
