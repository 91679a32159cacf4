//! The redaction configuration: from code (builder), from the environment, from YAML.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Detector, RedactionError, Redactor};

/// The default per-value size limit: 16 KiB.
pub const DEFAULT_MAX_VALUE_BYTES: usize = 16 * 1024;

/// Environment variable holding the HMAC secret for `hash_function: hmac-sha256`.
pub const ENV_HASH_KEY: &str = "LLMTRACE_REDACTION_HASH_KEY";
/// Environment variable overriding `hash_function`.
pub const ENV_HASH_FUNCTION: &str = "LLMTRACE_REDACTION_HASH_FUNCTION";
/// Environment variable overriding `summary`.
pub const ENV_SUMMARY: &str = "LLMTRACE_REDACTION_SUMMARY";
/// Environment variable overriding `max_value_bytes`.
pub const ENV_MAX_VALUE_BYTES: &str = "LLMTRACE_REDACTION_MAX_VALUE_BYTES";
/// Environment variable overriding `allow_all_keys`.
pub const ENV_ALLOW_ALL_KEYS: &str = "LLMTRACE_REDACTION_ALLOW_ALL_KEYS";
/// Environment variable overriding `allowed_keys` (comma-separated).
pub const ENV_ALLOWED_KEYS: &str = "LLMTRACE_REDACTION_ALLOWED_KEYS";
/// Environment variable overriding `ignored_keys` (comma-separated).
pub const ENV_IGNORED_KEYS: &str = "LLMTRACE_REDACTION_IGNORED_KEYS";
/// Environment variable switching detectors off (comma-separated labels, e.g. `ip_address,phone`).
pub const ENV_DISABLED_DETECTORS: &str = "LLMTRACE_REDACTION_DISABLED_DETECTORS";
/// Environment variable overriding `scrub_json`.
pub const ENV_SCRUB_JSON: &str = "LLMTRACE_REDACTION_SCRUB_JSON";

/// How masked values are replaced: by a fixed mask or by a hash.
///
/// Mirrors the collector's `hash_function`. `md5`, `sha1` and `sha3` are not offered: an
/// unkeyed hash of an e-mail address or phone number is reversed by trying candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HashFunction {
    /// Mask with a fixed `[REDACTED:<label>]` (the default).
    #[default]
    #[serde(rename = "none")]
    None,
    /// Keyed HMAC-SHA256 with the secret from [`ENV_HASH_KEY`]: `hmac-sha256:<32 hex>`.
    /// Equal values give equal hashes, so they stay joinable across traces.
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    /// Unkeyed SHA-256: `sha256:<32 hex>`. Joinable, but guessable values can be recovered.
    #[serde(rename = "sha256")]
    Sha256,
}

impl FromStr for HashFunction {
    type Err = RedactionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "none" => Ok(HashFunction::None),
            "hmac-sha256" | "hmac_sha256" | "hmacsha256" => Ok(HashFunction::HmacSha256),
            "sha256" | "sha-256" => Ok(HashFunction::Sha256),
            other => Err(RedactionError::UnsupportedHashFunction(other.to_owned())),
        }
    }
}

/// The verbosity of the `redaction.*` summary attributes added to spans (collector `summary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Summary {
    /// Counts and the names of the affected keys (`redaction.masked.keys`, …).
    Debug,
    /// Counts only (`redaction.masked.count`, …). The default.
    #[default]
    Info,
    /// No summary attributes.
    Silent,
}

impl FromStr for Summary {
    type Err = RedactionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "debug" => Ok(Summary::Debug),
            "info" => Ok(Summary::Info),
            "silent" => Ok(Summary::Silent),
            other => Err(RedactionError::InvalidSummary(other.to_owned())),
        }
    }
}

/// What happens to the value of an attribute (or JSON member) whose key a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum KeyAction {
    /// Replace the value by `[REDACTED:key]`.
    Mask,
    /// Remove the attribute. Inside JSON values the member's value is masked instead, so the
    /// document keeps its shape.
    Drop,
    /// Replace the value by its keyed hash `hmac-sha256:<32 hex>` (needs [`ENV_HASH_KEY`]).
    Hash,
}

impl FromStr for KeyAction {
    type Err = RedactionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mask" => Ok(KeyAction::Mask),
            "drop" => Ok(KeyAction::Drop),
            "hash" => Ok(KeyAction::Hash),
            other => Err(RedactionError::InvalidKeyAction(other.to_owned())),
        }
    }
}

/// A user rule on values: every match of `pattern` is replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    /// A label used in the default mask `[REDACTED:<name>]` and in statistics.
    pub name: String,
    /// A regular expression (regex crate syntax).
    pub pattern: String,
    /// The replacement; `$1` / `$name` refer to capture groups. Default: `[REDACTED:<name>]`
    /// (or the hash when `hash_function` is set).
    #[serde(default)]
    pub replacement: Option<String>,
}

/// A user rule on keys: attributes (and JSON members) whose key matches get `action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRule {
    /// A regular expression matched against the whole key (anchor it with `^…$` for exact keys).
    pub pattern: String,
    /// What to do with the value.
    pub action: KeyAction,
}

/// The secret for keyed hashing. Its `Debug` output never shows the bytes.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct HashKey(Vec<u8>);

impl HashKey {
    /// Wraps secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HashKey(<{} bytes>)", self.0.len())
    }
}

/// The configuration of a [`Redactor`]: the `redaction:` section of the llmtrace YAML config.
///
/// Keys of the OTel Collector `redaction` processor keep their meaning (see the
/// [module docs](super) for the mapping); the rest are llmtrace extensions. Unknown keys are
/// rejected. Every field has a default, so an empty section is valid and safe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct RedactionConfig {
    /// Keep attributes whose key is not in `allowed_keys`. Default **true** (the collector's
    /// default is false, which would delete every GenAI attribute).
    pub allow_all_keys: bool,
    /// With `allow_all_keys: false`, the only attribute keys kept.
    pub allowed_keys: Vec<String>,
    /// Attribute keys passed through untouched (never scanned, masked or dropped).
    pub ignored_keys: Vec<String>,
    /// Regular expressions; matching parts of values are masked `[REDACTED:blocked_value]`.
    pub blocked_values: Vec<String>,
    /// Regular expressions; an attribute whose value matches one is left as is.
    pub allowed_values: Vec<String>,
    /// Regular expressions on keys; matching attributes have their whole value masked.
    pub blocked_key_patterns: Vec<String>,
    /// Mask (`none`) or hash (`hmac-sha256`, `sha256`) what is redacted.
    pub hash_function: HashFunction,
    /// Verbosity of the `redaction.*` summary attributes.
    pub summary: Summary,
    /// Detector switches, e.g. `{ ip_address: false }`. A detector not listed is on.
    pub detectors: BTreeMap<Detector, bool>,
    /// Additional value rules, applied before the built-in detectors.
    pub custom_rules: Vec<CustomRule>,
    /// Key rules with an explicit action (mask, drop, hash), applied in order.
    pub key_rules: Vec<KeyRule>,
    /// Exact attribute keys to drop (deny-list).
    pub blocked_keys: Vec<String>,
    /// Per-value byte limit; longer values are truncated (JSON stays valid). 0 disables.
    pub max_value_bytes: usize,
    /// Scrub string values holding JSON structurally (leaves and member keys).
    pub scrub_json: bool,
    /// Leave structural GenAI keys (`gen_ai.request.model`, `gen_ai.operation.name`, …) untouched.
    pub skip_structural_keys: bool,
    /// The HMAC secret. Never read from YAML: set it from code or [`ENV_HASH_KEY`].
    #[serde(skip)]
    pub hash_key: Option<HashKey>,
}

impl Default for RedactionConfig {
    fn default() -> Self {
        Self {
            allow_all_keys: true,
            allowed_keys: Vec::new(),
            ignored_keys: Vec::new(),
            blocked_values: Vec::new(),
            allowed_values: Vec::new(),
            blocked_key_patterns: Vec::new(),
            hash_function: HashFunction::None,
            summary: Summary::Info,
            detectors: BTreeMap::new(),
            custom_rules: Vec::new(),
            key_rules: Vec::new(),
            blocked_keys: Vec::new(),
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            scrub_json: true,
            skip_structural_keys: true,
            hash_key: None,
        }
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_bool(var: &str, v: &str) -> Result<bool, RedactionError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(RedactionError::InvalidEnv {
            var: var.to_owned(),
            value: v.to_owned(),
            reason: "expected true or false".to_owned(),
        }),
    }
}

impl RedactionConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> RedactionConfigBuilder {
        RedactionConfigBuilder {
            config: Self::default(),
        }
    }

    /// The defaults overlaid with the `LLMTRACE_REDACTION_*` environment variables.
    pub fn from_env() -> Result<Self, RedactionError> {
        let mut c = Self::default();
        c.apply_env()?;
        Ok(c)
    }

    /// Parses the body of a `redaction:` section (YAML). Unknown keys are errors.
    pub fn from_yaml_str(yaml: &str) -> Result<Self, RedactionError> {
        if yaml.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_norway::from_str(yaml).map_err(|e| RedactionError::Yaml(e.to_string()))
    }

    /// Reads the `redaction:` section of a whole llmtrace config document (YAML); other
    /// sections are ignored; a missing section gives the defaults.
    pub fn from_yaml_document(yaml: &str) -> Result<Self, RedactionError> {
        let doc: serde_norway::Value =
            serde_norway::from_str(yaml).map_err(|e| RedactionError::Yaml(e.to_string()))?;
        match doc.get("redaction") {
            None | Some(serde_norway::Value::Null) => Ok(Self::default()),
            Some(section) => serde_norway::from_value(section.clone())
                .map_err(|e| RedactionError::Yaml(e.to_string())),
        }
    }

    /// Overlays the `LLMTRACE_REDACTION_*` environment variables (see the module docs).
    pub fn apply_env(&mut self) -> Result<(), RedactionError> {
        self.apply_env_with(|name| std::env::var(name).ok())
    }

    /// Overlays variables obtained from `lookup` (for tests and embedding).
    pub fn apply_env_with(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), RedactionError> {
        if let Some(v) = lookup(ENV_HASH_KEY).filter(|v| !v.is_empty()) {
            self.hash_key = Some(HashKey::new(v.into_bytes()));
        }
        if let Some(v) = lookup(ENV_HASH_FUNCTION) {
            self.hash_function = v.parse()?;
        }
        if let Some(v) = lookup(ENV_SUMMARY) {
            self.summary = v.parse()?;
        }
        if let Some(v) = lookup(ENV_MAX_VALUE_BYTES) {
            self.max_value_bytes = v.trim().parse().map_err(|_| RedactionError::InvalidEnv {
                var: ENV_MAX_VALUE_BYTES.to_owned(),
                value: v.clone(),
                reason: "expected a number of bytes (0 disables truncation)".to_owned(),
            })?;
        }
        if let Some(v) = lookup(ENV_ALLOW_ALL_KEYS) {
            self.allow_all_keys = parse_bool(ENV_ALLOW_ALL_KEYS, &v)?;
        }
        if let Some(v) = lookup(ENV_ALLOWED_KEYS) {
            self.allowed_keys = split_list(&v);
        }
        if let Some(v) = lookup(ENV_IGNORED_KEYS) {
            self.ignored_keys = split_list(&v);
        }
        if let Some(v) = lookup(ENV_DISABLED_DETECTORS) {
            for name in split_list(&v) {
                let d: Detector = name.parse()?;
                self.detectors.insert(d, false);
            }
        }
        if let Some(v) = lookup(ENV_SCRUB_JSON) {
            self.scrub_json = parse_bool(ENV_SCRUB_JSON, &v)?;
        }
        Ok(())
    }

    /// Whether detector `d` is switched on.
    pub fn detector_enabled(&self, d: Detector) -> bool {
        self.detectors.get(&d).copied().unwrap_or(true)
    }

    /// Compiles this configuration.
    pub fn build(&self) -> Result<Redactor, RedactionError> {
        Redactor::new(self)
    }
}

/// Builds a [`RedactionConfig`] (or directly a [`Redactor`]) in code.
#[derive(Debug, Clone)]
pub struct RedactionConfigBuilder {
    config: RedactionConfig,
}

impl RedactionConfigBuilder {
    /// Sets `allow_all_keys`.
    pub fn allow_all_keys(mut self, on: bool) -> Self {
        self.config.allow_all_keys = on;
        self
    }
    /// Adds an allowed key (used with `allow_all_keys(false)`).
    pub fn allowed_key(mut self, key: impl Into<String>) -> Self {
        self.config.allowed_keys.push(key.into());
        self
    }
    /// Adds a key that is never scrubbed.
    pub fn ignored_key(mut self, key: impl Into<String>) -> Self {
        self.config.ignored_keys.push(key.into());
        self
    }
    /// Adds a value regex to mask.
    pub fn blocked_value(mut self, pattern: impl Into<String>) -> Self {
        self.config.blocked_values.push(pattern.into());
        self
    }
    /// Adds a value regex that exempts an attribute from scrubbing.
    pub fn allowed_value(mut self, pattern: impl Into<String>) -> Self {
        self.config.allowed_values.push(pattern.into());
        self
    }
    /// Adds a key regex whose values are masked.
    pub fn blocked_key_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.config.blocked_key_patterns.push(pattern.into());
        self
    }
    /// Adds an exact key to drop.
    pub fn blocked_key(mut self, key: impl Into<String>) -> Self {
        self.config.blocked_keys.push(key.into());
        self
    }
    /// Adds a key rule.
    pub fn key_rule(mut self, pattern: impl Into<String>, action: KeyAction) -> Self {
        self.config.key_rules.push(KeyRule {
            pattern: pattern.into(),
            action,
        });
        self
    }
    /// Adds a custom value rule; `replacement: None` masks with `[REDACTED:<name>]`.
    pub fn custom_rule(
        mut self,
        name: impl Into<String>,
        pattern: impl Into<String>,
        replacement: Option<&str>,
    ) -> Self {
        self.config.custom_rules.push(CustomRule {
            name: name.into(),
            pattern: pattern.into(),
            replacement: replacement.map(str::to_owned),
        });
        self
    }
    /// Switches one detector on or off.
    pub fn detector(mut self, d: Detector, on: bool) -> Self {
        self.config.detectors.insert(d, on);
        self
    }
    /// Switches every detector off except those listed.
    pub fn only_detectors(mut self, on: &[Detector]) -> Self {
        for d in Detector::ALL {
            self.config.detectors.insert(d, on.contains(&d));
        }
        self
    }
    /// Sets the hash function.
    pub fn hash_function(mut self, f: HashFunction) -> Self {
        self.config.hash_function = f;
        self
    }
    /// Sets the HMAC secret.
    pub fn hash_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.config.hash_key = Some(HashKey::new(key));
        self
    }
    /// Sets the summary verbosity.
    pub fn summary(mut self, s: Summary) -> Self {
        self.config.summary = s;
        self
    }
    /// Sets the per-value byte limit (0 disables truncation).
    pub fn max_value_bytes(mut self, n: usize) -> Self {
        self.config.max_value_bytes = n;
        self
    }
    /// Switches structural JSON scrubbing.
    pub fn scrub_json(mut self, on: bool) -> Self {
        self.config.scrub_json = on;
        self
    }
    /// Switches the pass-through of structural GenAI keys.
    pub fn skip_structural_keys(mut self, on: bool) -> Self {
        self.config.skip_structural_keys = on;
        self
    }
    /// Overlays the environment (`LLMTRACE_REDACTION_*`); values set later in code still win.
    pub fn with_env(mut self) -> Result<Self, RedactionError> {
        self.config.apply_env()?;
        Ok(self)
    }
    /// The configuration.
    pub fn into_config(self) -> RedactionConfig {
        self.config
    }
    /// Compiles the configuration into a [`Redactor`].
    pub fn build(self) -> Result<Redactor, RedactionError> {
        Redactor::new(&self.config)
    }
}
