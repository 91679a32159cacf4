//! The error of building a [`Redactor`](super::Redactor) from a configuration.

/// Why a redaction configuration was rejected.
///
/// Every message names the offending key or value and says how to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedactionError {
    /// A regular expression in the configuration does not compile.
    #[error("redaction: `{field}` entry {pattern:?} is not a valid regular expression ({source}); fix the pattern (regex crate syntax, no look-around)")]
    InvalidRegex {
        /// The configuration key holding the pattern (`blocked_values`, `custom_rules[2].pattern`, …).
        field: String,
        /// The pattern as written.
        pattern: String,
        /// The parser's explanation.
        #[source]
        source: Box<regex::Error>,
    },
    /// The combined matcher over all patterns could not be built (too large).
    #[error("redaction: the combined matcher over all detectors and rules could not be built ({0}); reduce the number or size of `blocked_values` / `custom_rules`")]
    Matcher(String),
    /// `hash_function` names a function that is not supported.
    #[error("redaction: `hash_function: {0}` is not supported; use `hmac-sha256` (recommended, keyed) or `sha256`, or `none` to mask")]
    UnsupportedHashFunction(String),
    /// A keyed hash is requested but no key was given.
    #[error("redaction: `hash_function: hmac-sha256` (or a key rule with `action: hash`) needs a secret key; set the environment variable LLMTRACE_REDACTION_HASH_KEY or call `hash_key(..)` on the builder")]
    MissingHashKey,
    /// `summary` names an unknown level.
    #[error("redaction: `summary: {0}` is not a level; use `debug`, `info` or `silent`")]
    InvalidSummary(String),
    /// A key action is unknown.
    #[error("redaction: `action: {0}` is not a key action; use `mask`, `drop` or `hash`")]
    InvalidKeyAction(String),
    /// A detector name is unknown.
    #[error("redaction: detector `{0}` does not exist; known detectors: {known}", known = super::Detector::names_joined())]
    UnknownDetector(String),
    /// The value-size limit is too small to hold a marker.
    #[error(
        "redaction: `max_value_bytes: {0}` is too small; use 0 (no truncation) or at least 256"
    )]
    InvalidMaxValueBytes(usize),
    /// An environment variable holds a value that cannot be used.
    #[error("redaction: environment variable {var}={value:?} is invalid: {reason}")]
    InvalidEnv {
        /// The variable name.
        var: String,
        /// Its value (never the hash key, which is not echoed).
        value: String,
        /// What was expected.
        reason: String,
    },
    /// The YAML text does not describe a redaction configuration (unknown key, wrong type).
    #[error("redaction: invalid YAML configuration: {0} (keys follow the OTel Collector `redaction` processor plus the llmtrace detector switches; see the module docs)")]
    Yaml(String),
    /// A custom rule has an empty name.
    #[error("redaction: `custom_rules[{0}].name` must be a non-empty label such as `employee_id`")]
    EmptyRuleName(usize),
}
