//! The [`Redactor`]: pure, thread-safe scrubbing of strings, attribute lists and spans.
//!
//! Each concern has its own module of `impl Redactor` blocks and helpers:
//!
//! - `text`: strings — detectors and value rules, JSON-aware scrubbing, truncation;
//! - `keys`: what to do with an attribute from its key alone (`KeyDecision`);
//! - `key_cache`: those decisions remembered per key;
//! - `attributes`: attribute lists and spans — applying the decisions, scrubbing the values;
//! - `summary`: the `redaction.*` summary attributes;
//! - `hash`: the hashes that replace masks.
//!
//! This module holds the [`Redactor`] itself and compiles it from a [`RedactionConfig`].

use std::collections::HashSet;

use regex::{Regex, RegexSet};

use super::config::{KeyAction, RedactionConfig, Summary};
use super::matcher::{Matcher, Source, UserPattern};
use super::{Detector, RedactionError};

mod attributes;
mod hash;
mod key_cache;
mod keys;
mod summary;
mod text;

pub use attributes::{TRUNCATED_ATTR_PREFIX, TRUNCATED_ATTR_SUFFIX, TRUNCATED_ELEMENT};
pub use keys::STRUCTURAL_KEYS;
pub use summary::{
    SUMMARY_ALLOWED_COUNT, SUMMARY_ALLOWED_KEYS, SUMMARY_IGNORED_COUNT, SUMMARY_MASKED_COUNT,
    SUMMARY_MASKED_KEYS, SUMMARY_REDACTED_COUNT, SUMMARY_REDACTED_KEYS,
};

use hash::{Hasher, Hashers};
use key_cache::KeyDecisionCache;

/// Mask written by key rules and `blocked_key_patterns`.
pub const KEY_MASK: &str = "[REDACTED:key]";
/// Mask written for matches of `blocked_values`.
pub const BLOCKED_VALUE_MASK: &str = "[REDACTED:blocked_value]";

#[derive(Debug)]
struct CompiledCustom {
    mask: String,
    replacement: Option<String>,
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

impl Redactor {
    /// Compiles `config`. Fails with a [`RedactionError`] naming the offending entry.
    pub fn new(config: &RedactionConfig) -> Result<Self, RedactionError> {
        if config.max_value_bytes != 0 && config.max_value_bytes < 256 {
            return Err(RedactionError::InvalidMaxValueBytes(config.max_value_bytes));
        }
        let (user, custom) = value_rules(config)?;
        let matcher = Matcher::new(&enabled_detectors(config), &user)?;
        let key_rules = compile_key_rules(config)?;
        let wants_key_hash = key_rules.iter().any(|(_, a)| *a == KeyAction::Hash);
        let hashers = Hashers::new(config, wants_key_hash)?;
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
            value_hasher: hashers.value,
            key_hasher: hashers.key,
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
}

/// The user's value patterns for the matcher (`custom_rules`, then `blocked_values`) and how
/// each custom rule masks what it matches.
fn value_rules(
    config: &RedactionConfig,
) -> Result<(Vec<UserPattern>, Vec<CompiledCustom>), RedactionError> {
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
    Ok((user, custom))
}

/// Which detectors are on, indexed by [`Detector::index`].
fn enabled_detectors(config: &RedactionConfig) -> [bool; Detector::COUNT] {
    let mut enabled = [false; Detector::COUNT];
    for d in Detector::ALL {
        enabled[d.index()] = config.detector_enabled(d);
    }
    enabled
}

/// `key_rules`, each pattern anchored to match whole keys.
fn compile_key_rules(config: &RedactionConfig) -> Result<Vec<(Regex, KeyAction)>, RedactionError> {
    let mut key_rules = Vec::with_capacity(config.key_rules.len());
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
    Ok(key_rules)
}

/// `patterns` as one set (`None` when empty); each is compiled alone first, so that an error
/// names its index.
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
