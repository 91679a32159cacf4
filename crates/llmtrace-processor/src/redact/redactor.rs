//! The [`Redactor`]: pure, thread-safe scrubbing of strings, attribute lists and spans.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use hmac::{Hmac, Mac};
use opentelemetry::trace::Status;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;
use regex::{Regex, RegexSet};
use sha2::{Digest, Sha256};

use super::config::{HashFunction, KeyAction, RedactionConfig, Summary};
use super::json::{self, JsonScrubber, STRING_MARKER};
use super::matcher::{Hit, Matcher, Source, UserPattern};
use super::{Detector, RedactionError, RedactionReport};

/// Extra bytes scanned beyond the size limit before cutting, so a secret that straddles the cut
/// is still recognised (and masked) rather than left half-visible.
const SCAN_SLACK: usize = 4096;

/// How deep JSON inside JSON strings is scrubbed structurally (deeper levels are scanned as text).
const MAX_JSON_DEPTH: u8 = 2;

/// Mask written by key rules and `blocked_key_patterns`.
pub const KEY_MASK: &str = "[REDACTED:key]";
/// Mask written for matches of `blocked_values`.
pub const BLOCKED_VALUE_MASK: &str = "[REDACTED:blocked_value]";
/// Last element appended to a string array whose tail was dropped by truncation.
pub const TRUNCATED_ELEMENT: &str = "[TRUNCATED]";
/// Prefix of the attribute recording a truncated value's original length in bytes:
/// `llmtrace.truncated.<key>.original_length`.
pub const TRUNCATED_ATTR_PREFIX: &str = "llmtrace.truncated.";
/// Suffix of the attribute recording a truncated value's original length.
pub const TRUNCATED_ATTR_SUFFIX: &str = ".original_length";

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

/// Keys that carry structure, not content, and are left untouched (`skip_structural_keys`).
pub const STRUCTURAL_KEYS: &[&str] = &[
    llmtrace_semconv::attribute::GEN_AI_OPERATION_NAME,
    llmtrace_semconv::attribute::GEN_AI_PROVIDER_NAME,
    llmtrace_semconv::attribute::GEN_AI_REQUEST_MODEL,
    llmtrace_semconv::attribute::GEN_AI_RESPONSE_MODEL,
    llmtrace_semconv::attribute::GEN_AI_RESPONSE_ID,
    llmtrace_semconv::attribute::GEN_AI_RESPONSE_FINISH_REASONS,
    llmtrace_semconv::attribute::GEN_AI_TOOL_NAME,
    llmtrace_semconv::attribute::GEN_AI_TOOL_CALL_ID,
    llmtrace_semconv::attribute::GEN_AI_TOOL_TYPE,
    llmtrace_semconv::attribute::GEN_AI_AGENT_ID,
    llmtrace_semconv::attribute::GEN_AI_AGENT_NAME,
    llmtrace_semconv::attribute::GEN_AI_DATA_SOURCE_ID,
    llmtrace_semconv::attribute::GEN_AI_TOKEN_TYPE,
    "gen_ai.system",
    "gen_ai.output.type",
    "openinference.span.kind",
    "llm.model_name",
    "llm.provider",
    "llm.system",
    "error.type",
    "server.address",
    "server.port",
    "url.scheme",
    "http.request.method",
    "http.response.status_code",
    "otel.kind",
    "otel.status_code",
];

/// Key prefixes that are structural (our own bookkeeping).
const STRUCTURAL_PREFIXES: &[&str] = &["llmtrace.", "redaction."];

/// Key names (last dotted segment) whose values are secrets; masked by the `generic_secret`
/// detector whatever their shape.
const SECRET_KEY_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "client_secret",
    "api_key",
    "apikey",
    "x_api_key",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "session_token",
    "token",
    "authorization",
    "proxy_authorization",
    "private_key",
    "secret_key",
    "access_key",
    "secret_access_key",
    "credentials",
    "credential",
    "cookie",
    "set_cookie",
];

fn is_secret_key_name(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).as_bytes();
    if last.len() > 64 {
        return false;
    }
    // Case-insensitive, `-` and `_` equivalent, without allocating.
    let same = |a: &[u8], b: &[u8]| {
        a.len() == b.len()
            && a.iter().zip(b).all(|(&x, &y)| {
                let x = if x == b'-' {
                    b'_'
                } else {
                    x.to_ascii_lowercase()
                };
                x == y
            })
    };
    SECRET_KEY_NAMES.iter().any(|n| {
        let n = n.as_bytes();
        if last.len() == n.len() {
            return same(last, n);
        }
        last.len() > n.len()
            && same(&last[last.len() - n.len()..], n)
            && matches!(last[last.len() - n.len() - 1], b'_' | b'-')
    })
}

#[derive(Debug, Clone)]
enum Hasher {
    Hmac(Vec<u8>),
    Sha256,
}

impl Hasher {
    fn hash(&self, s: &str) -> String {
        match self {
            Hasher::Hmac(key) => match Hmac::<Sha256>::new_from_slice(key) {
                Ok(mut mac) => {
                    mac.update(s.as_bytes());
                    let tag = mac.finalize().into_bytes();
                    format!("hmac-sha256:{}", hex::encode(&tag[..16]))
                }
                // HMAC accepts keys of any length; fail closed if that ever changes.
                Err(_) => KEY_MASK.to_owned(),
            },
            Hasher::Sha256 => {
                let digest = Sha256::digest(s.as_bytes());
                format!("sha256:{}", hex::encode(&digest[..16]))
            }
        }
    }
}

#[derive(Debug)]
struct CompiledCustom {
    mask: String,
    replacement: Option<String>,
}

/// What to do with one attribute, decided from its key alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyDecision {
    /// Structural key: leave untouched, not counted.
    Pass,
    /// `ignored_keys`: leave untouched, counted.
    Ignored,
    Drop,
    Mask(&'static str),
    /// The key names a secret: mask the whole value, labelled by what it contains.
    SecretName,
    Hash,
    Scan,
}

/// Scrubs strings, attribute lists and spans according to a [`RedactionConfig`].
///
/// Pure and `Send + Sync`: share one behind an `Arc` or use it from many threads. Strings with
/// nothing to redact come back as `Cow::Borrowed` without allocating.
///
/// ```
/// use llmtrace_processor::redact::{Redactor, RedactionConfig};
///
/// let redactor = Redactor::new(&RedactionConfig::default())?;
/// assert_eq!(redactor.redact_str("mail ada@example.org"), "mail [REDACTED:email]");
/// assert!(matches!(redactor.redact_str("model gpt-4o-2024-08-06"), std::borrow::Cow::Borrowed(_)));
/// # Ok::<(), llmtrace_processor::redact::RedactionError>(())
/// ```
#[derive(Debug)]
pub struct Redactor {
    matcher: Matcher,
    custom: Vec<CompiledCustom>,
    allow_all_keys: bool,
    allowed_keys: HashSet<String>,
    ignored_keys: HashSet<String>,
    blocked_keys: HashSet<String>,
    allowed_values: Option<RegexSet>,
    blocked_key_patterns: Option<RegexSet>,
    key_rules: Vec<(Regex, KeyAction)>,
    /// Replaces masks when `hash_function` is set.
    value_hasher: Option<Hasher>,
    /// Used by `KeyAction::Hash`.
    key_hasher: Option<Hasher>,
    summary: Summary,
    max_value_bytes: usize,
    scrub_json: bool,
    skip_structural: bool,
    secret_key_names: bool,
    /// Attribute-key decisions already made: a decision depends on the key alone, and a
    /// service uses a few hundred keys at most.
    key_cache: KeyDecisionCache,
}

/// Keys remembered by [`KeyDecisionCache`]; past this, decisions are computed each time.
const KEY_CACHE_CAPACITY: usize = 4096;

/// A bounded map from attribute key to its [`KeyDecision`], read far more often than written.
#[derive(Debug, Default)]
struct KeyDecisionCache(
    std::sync::RwLock<HashMap<Box<str>, KeyDecision, BuildHasherDefault<KeyHasher>>>,
);

/// A word-at-a-time multiplicative hash (the Fx hash): several times faster than SipHash on
/// attribute keys. Not DoS-resistant, which is fine here: keys are names chosen by the
/// application's code, and the cache is bounded, so collisions only slow its lookups.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl KeyDecisionCache {
    /// The decision for each of `keys`, in order: one read lock for all of them, `decide` for
    /// those not cached, then one write lock to remember those while there is room.
    fn decide_all<'k>(
        &self,
        keys: impl Iterator<Item = &'k str>,
        decide: impl Fn(&str) -> KeyDecision,
    ) -> Vec<KeyDecision> {
        let mut misses: Vec<(&'k str, KeyDecision)> = Vec::new();
        let decisions = match self.0.read() {
            Ok(map) => {
                let room = map.len() < KEY_CACHE_CAPACITY;
                keys.map(|key| {
                    map.get(key).copied().unwrap_or_else(|| {
                        let decision = decide(key);
                        if room {
                            misses.push((key, decision));
                        }
                        decision
                    })
                })
                .collect()
            }
            // Poisoned (a panic elsewhere while writing): decide without the cache.
            Err(_) => return keys.map(decide).collect(),
        };
        if !misses.is_empty() {
            if let Ok(mut map) = self.0.write() {
                for (key, decision) in misses {
                    if map.len() >= KEY_CACHE_CAPACITY {
                        break;
                    }
                    map.insert(key.into(), decision);
                }
            }
        }
        decisions
    }
}

fn compile_set(field: &str, patterns: &[String]) -> Result<Option<RegexSet>, RedactionError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    for (i, p) in patterns.iter().enumerate() {
        Regex::new(p).map_err(|e| RedactionError::InvalidRegex {
            field: format!("{field}[{i}]"),
            pattern: p.clone(),
            source: Box::new(e),
        })?;
    }
    RegexSet::new(patterns)
        .map(Some)
        .map_err(|e| RedactionError::InvalidRegex {
            field: field.to_owned(),
            pattern: patterns.join(" | "),
            source: Box::new(e),
        })
}

impl Redactor {
    /// Compiles `config`. Fails with a [`RedactionError`] naming the offending entry.
    pub fn new(config: &RedactionConfig) -> Result<Self, RedactionError> {
        if config.max_value_bytes != 0 && config.max_value_bytes < 256 {
            return Err(RedactionError::InvalidMaxValueBytes(config.max_value_bytes));
        }
        let mut user = Vec::new();
        let mut custom = Vec::new();
        for (i, rule) in config.custom_rules.iter().enumerate() {
            if rule.name.trim().is_empty() {
                return Err(RedactionError::EmptyRuleName(i));
            }
            user.push(UserPattern {
                field: format!("custom_rules[{i}].pattern"),
                pattern: rule.pattern.clone(),
                source: Source::Custom(i),
            });
            custom.push(CompiledCustom {
                mask: format!("[REDACTED:{}]", rule.name.trim()),
                replacement: rule.replacement.clone(),
            });
        }
        for (i, p) in config.blocked_values.iter().enumerate() {
            user.push(UserPattern {
                field: format!("blocked_values[{i}]"),
                pattern: p.clone(),
                source: Source::Blocked,
            });
        }
        let mut enabled = [false; Detector::COUNT];
        for d in Detector::ALL {
            enabled[d.index()] = config.detector_enabled(d);
        }
        let matcher = Matcher::new(&enabled, &user)?;

        let mut key_rules = Vec::new();
        for (i, rule) in config.key_rules.iter().enumerate() {
            let re = Regex::new(&format!("^(?:{})$", rule.pattern)).map_err(|e| {
                RedactionError::InvalidRegex {
                    field: format!("key_rules[{i}].pattern"),
                    pattern: rule.pattern.clone(),
                    source: Box::new(e),
                }
            })?;
            key_rules.push((re, rule.action));
        }

        let hmac = config
            .hash_key
            .as_ref()
            .filter(|k| !k.bytes().is_empty())
            .map(|k| Hasher::Hmac(k.bytes().to_vec()));
        let value_hasher = match config.hash_function {
            HashFunction::None => None,
            HashFunction::Sha256 => Some(Hasher::Sha256),
            HashFunction::HmacSha256 => Some(hmac.clone().ok_or(RedactionError::MissingHashKey)?),
        };
        let wants_key_hash = key_rules.iter().any(|(_, a)| *a == KeyAction::Hash);
        let key_hasher = match (&value_hasher, hmac) {
            (Some(h), _) => Some(h.clone()),
            (None, Some(h)) => Some(h),
            (None, None) if wants_key_hash => return Err(RedactionError::MissingHashKey),
            (None, None) => None,
        };

        Ok(Self {
            matcher,
            custom,
            allow_all_keys: config.allow_all_keys,
            allowed_keys: config.allowed_keys.iter().cloned().collect(),
            ignored_keys: config.ignored_keys.iter().cloned().collect(),
            blocked_keys: config.blocked_keys.iter().cloned().collect(),
            allowed_values: compile_set("allowed_values", &config.allowed_values)?,
            blocked_key_patterns: compile_set(
                "blocked_key_patterns",
                &config.blocked_key_patterns,
            )?,
            key_rules,
            value_hasher,
            key_hasher,
            summary: config.summary,
            max_value_bytes: if config.max_value_bytes == 0 {
                usize::MAX
            } else {
                config.max_value_bytes
            },
            scrub_json: config.scrub_json,
            skip_structural: config.skip_structural_keys,
            secret_key_names: config.detector_enabled(Detector::GenericSecret),
            key_cache: KeyDecisionCache::default(),
        })
    }

    /// The configured summary verbosity.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    // -----------------------------------------------------------------------------------------
    // Strings

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
    pub fn redact_text<'a>(&self, s: &'a str, report: &mut RedactionReport) -> Cow<'a, str> {
        let Some(first) = self.matcher.next_hit(s, 0) else {
            return Cow::Borrowed(s);
        };
        let mut out = String::with_capacity(s.len() + 32);
        let mut last = 0;
        let mut hit = Some(first);
        while let Some(h) = hit {
            out.push_str(s.get(last..h.start).unwrap_or(""));
            self.write_replacement(s, &h, &mut out, report);
            last = h.end;
            hit = self.matcher.next_hit(s, h.end);
        }
        out.push_str(s.get(last..).unwrap_or(""));
        Cow::Owned(out)
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
        self.matcher.has_candidate(s)
            || !self.key_rules.is_empty()
            || self.blocked_key_patterns.is_some()
            || !self.blocked_keys.is_empty()
    }

    /// Scrubs a string value: JSON structurally when it is JSON, else as text; cuts it to
    /// `limit` bytes. Returns the result and whether it was truncated.
    fn scrub_string<'a>(
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

    // -----------------------------------------------------------------------------------------
    // Keys

    fn key_decision(&self, key: &str, attribute: bool) -> KeyDecision {
        if attribute {
            if self.skip_structural
                && (STRUCTURAL_KEYS.contains(&key)
                    || STRUCTURAL_PREFIXES.iter().any(|p| key.starts_with(p)))
            {
                return KeyDecision::Pass;
            }
            if self.ignored_keys.contains(key) {
                return KeyDecision::Ignored;
            }
            if !self.allow_all_keys && !self.allowed_keys.contains(key) {
                return KeyDecision::Drop;
            }
        }
        if self.blocked_keys.contains(key) {
            return KeyDecision::Drop;
        }
        for (re, action) in &self.key_rules {
            if re.is_match(key) {
                return match action {
                    KeyAction::Drop => KeyDecision::Drop,
                    KeyAction::Hash => KeyDecision::Hash,
                    _ => KeyDecision::Mask(KEY_MASK),
                };
            }
        }
        if self
            .blocked_key_patterns
            .as_ref()
            .is_some_and(|set| set.is_match(key))
        {
            return if self.value_hasher.is_some() {
                KeyDecision::Hash
            } else {
                KeyDecision::Mask(KEY_MASK)
            };
        }
        if self.secret_key_names && is_secret_key_name(key) {
            return if self.value_hasher.is_some() {
                KeyDecision::Hash
            } else {
                KeyDecision::SecretName
            };
        }
        KeyDecision::Scan
    }

    /// The mask for the value of a key that names a secret: the label of the first detector
    /// that recognises something in it (`Bearer eyJ…` is a JWT), else `generic_secret`.
    fn secret_value_mask(&self, value: &str) -> &'static str {
        self.matcher
            .first_detector(value)
            .unwrap_or(Detector::GenericSecret)
            .mask()
    }

    fn hash_value(&self, s: &str) -> String {
        match &self.key_hasher {
            Some(h) => h.hash(s),
            None => KEY_MASK.to_owned(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Attributes and spans

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

    fn process_attributes(
        &self,
        attrs: &mut Vec<KeyValue>,
        pseudo_masked: &[&'static str],
        report: &mut RedactionReport,
    ) {
        let mut redacted: Vec<String> = Vec::new();
        let mut masked: Vec<String> = pseudo_masked.iter().map(|s| (*s).to_owned()).collect();
        let mut allowed: Vec<String> = Vec::new();
        let mut ignored: i64 = 0;
        let mut truncated: Vec<KeyValue> = Vec::new();

        let decisions = self
            .key_cache
            .decide_all(attrs.iter().map(|kv| kv.key.as_str()), |key| {
                self.key_decision(key, true)
            });
        let mut decisions = decisions.into_iter();
        attrs.retain_mut(|kv| {
            let key = kv.key.as_str();
            // Exactly one decision per attribute, in order; were one missing, scanning the
            // value is the safe default.
            match decisions.next().unwrap_or(KeyDecision::Scan) {
                KeyDecision::Pass => true,
                KeyDecision::Ignored => {
                    ignored += 1;
                    true
                }
                KeyDecision::Drop => {
                    redacted.push(key.to_owned());
                    report.attributes_dropped += 1;
                    false
                }
                KeyDecision::Mask(mask) => {
                    masked.push(key.to_owned());
                    report.keys_masked += 1;
                    // Keep the shape of string arrays (e.g. `http.request.header.*`).
                    kv.value = match &kv.value {
                        Value::Array(Array::String(items)) => {
                            Value::Array(Array::String(vec![StringValue::from(mask); items.len()]))
                        }
                        _ => Value::String(StringValue::from(mask)),
                    };
                    true
                }
                KeyDecision::SecretName => {
                    masked.push(key.to_owned());
                    report.keys_masked += 1;
                    kv.value = match &kv.value {
                        Value::Array(Array::String(items)) => Value::Array(Array::String(
                            items
                                .iter()
                                .map(|v| StringValue::from(self.secret_value_mask(v.as_str())))
                                .collect(),
                        )),
                        other => Value::String(StringValue::from(
                            self.secret_value_mask(&other.as_str()),
                        )),
                    };
                    true
                }
                KeyDecision::Hash => {
                    masked.push(key.to_owned());
                    report.keys_hashed += 1;
                    let hashed = self.hash_value(&kv.value.as_str());
                    kv.value = Value::String(StringValue::from(hashed));
                    true
                }
                KeyDecision::Scan => {
                    if let Some(set) = &self.allowed_values {
                        if set.is_match(&kv.value.as_str()) {
                            allowed.push(key.to_owned());
                            return true;
                        }
                    }
                    let before = (report.matches(), report.keys_masked, report.keys_hashed);
                    if let Some((value, original_len)) = self.scrub_value(&kv.value, report) {
                        kv.value = value;
                        if (report.matches(), report.keys_masked, report.keys_hashed) != before {
                            masked.push(key.to_owned());
                        }
                        if let Some(len) = original_len {
                            report.values_truncated += 1;
                            truncated.push(KeyValue::new(
                                format!("{TRUNCATED_ATTR_PREFIX}{key}{TRUNCATED_ATTR_SUFFIX}"),
                                i64::try_from(len).unwrap_or(i64::MAX),
                            ));
                        }
                    }
                    true
                }
            }
        });
        attrs.extend(truncated);
        self.add_summary(attrs, redacted, masked, allowed, ignored);
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
            Value::Array(Array::String(items)) => {
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
                (changed || cut)
                    .then(|| (Value::Array(Array::String(out)), cut.then_some(original)))
            }
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

    fn add_summary(
        &self,
        attrs: &mut Vec<KeyValue>,
        redacted: Vec<String>,
        masked: Vec<String>,
        allowed: Vec<String>,
        ignored: i64,
    ) {
        if self.summary == Summary::Silent {
            return;
        }
        let debug = self.summary == Summary::Debug;
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

    #[test]
    fn key_decisions_stay_right_past_the_cache_capacity() {
        let redactor = Redactor::new(&RedactionConfig::default()).expect("defaults compile");
        let n = KEY_CACHE_CAPACITY + 100;
        // Twice over the same keys: the second pass reads the cache, or computes past capacity.
        for _ in 0..2 {
            let mut attrs: Vec<KeyValue> = (0..n)
                .flat_map(|i| {
                    [
                        KeyValue::new(format!("retrieval.documents.{i}.document.id"), "doc"),
                        KeyValue::new(format!("tool.{i}.password"), "hunter2-plain"),
                    ]
                })
                .collect();
            redactor.redact_attributes(&mut attrs);
            // The originals in order (a summary attribute may follow them).
            assert!(attrs.len() >= 2 * n, "attributes were lost");
            for (i, pair) in attrs[..2 * n].chunks(2).enumerate() {
                assert_eq!(
                    pair[0].key.as_str(),
                    format!("retrieval.documents.{i}.document.id")
                );
                assert_eq!(pair[0].value.as_str(), "doc", "{:?}", pair[0]);
                assert_eq!(pair[1].key.as_str(), format!("tool.{i}.password"));
                assert_ne!(pair[1].value.as_str(), "hunter2-plain", "{:?}", pair[1]);
            }
        }
        let cached = redactor.key_cache.0.read().expect("not poisoned").len();
        assert_eq!(cached, KEY_CACHE_CAPACITY);
    }

    #[test]
    fn secret_key_names() {
        for k in [
            "password",
            "db.password",
            "OPENAI_API_KEY",
            "x-api-key",
            "http.request.header.authorization",
            "next_page_token",
        ] {
            assert!(is_secret_key_name(k), "{k}");
        }
        for k in [
            "max_tokens",
            "gen_ai.usage.input_tokens",
            "token_count",
            "tokenizer",
            "keyboard",
        ] {
            assert!(!is_secret_key_name(k), "{k}");
        }
    }
}
