//! The error of building a tail sampler from its configuration.

use thiserror::Error;

/// Why a [`TailSamplingConfig`](super::TailSamplingConfig) could not be turned into a
/// [`TailSampler`](super::TailSampler).
///
/// Every message names the offending policy or key and says how to fix it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SamplingConfigError {
    /// The YAML text is not a valid `tail_sampling` section (syntax, unknown key, wrong type).
    #[error("invalid tail_sampling YAML: {0} (keys follow the OTel Collector tail_sampling processor; see llmtrace_processor::sample)")]
    Yaml(#[from] serde_norway::Error),

    /// A YAML file could not be read.
    #[error("cannot read tail_sampling config file `{path}`: {source}")]
    Io {
        /// The file that could not be read.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },

    /// `policies` is empty: nothing would ever be kept.
    #[error("tail_sampling.policies is empty: add at least one policy (e.g. `{{name: errors, type: status_code, status_code: {{status_codes: [ERROR]}}}}`) or use TailSamplingConfig::recommended()")]
    NoPolicies,

    /// A policy `type` the collector knows but llmtrace does not implement, or a misspelt one.
    #[error("policy `{policy}`: type `{policy_type}` is not supported in-process; supported types: always_sample, latency, status_code, probabilistic, string_attribute, numeric_attribute, span_count, rate_limiting, and (for `composite`, list its sub-policies at the top level, which is any-of)")]
    UnsupportedPolicyType {
        /// The `name` of the policy.
        policy: String,
        /// The `type` it asked for.
        policy_type: String,
    },

    /// A policy of type `T` lacks its `T: {...}` section.
    #[error("policy `{policy}` has type `{policy_type}` but no `{policy_type}:` section; add one with its settings")]
    MissingSection {
        /// The `name` of the policy.
        policy: String,
        /// The `type` whose section is missing.
        policy_type: String,
    },

    /// Two policies share a name, so the `llmtrace.sampling.policy` attribute would be ambiguous.
    #[error("policy name `{policy}` is used twice; give every policy a unique `name`")]
    DuplicatePolicyName {
        /// The repeated name.
        policy: String,
    },

    /// A policy setting has a value outside its domain.
    #[error("policy `{policy}`: `{key}: {value}` is invalid: {reason}")]
    InvalidPolicyValue {
        /// The `name` of the policy.
        policy: String,
        /// The offending key, e.g. `probabilistic.sampling_percentage`.
        key: String,
        /// The offending value as written.
        value: String,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// A `string_attribute` value is not a valid regular expression.
    #[error("policy `{policy}`: `string_attribute.values` entry `{pattern}` is not a valid regex ({source}); fix the pattern or set enabled_regex_matching: false")]
    InvalidRegex {
        /// The `name` of the policy.
        policy: String,
        /// The pattern as written.
        pattern: String,
        /// The regex compiler's error.
        source: regex::Error,
    },

    /// A processor-wide limit is invalid (e.g. `num_traces: 0`).
    #[error("tail_sampling.{key}: {value} is invalid: {reason}")]
    InvalidLimit {
        /// The key, e.g. `num_traces`.
        key: &'static str,
        /// The offending value.
        value: String,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// An `LLMTRACE_SAMPLING_*` environment variable could not be parsed.
    #[error("environment variable {var}=`{value}` is invalid: {reason}")]
    InvalidEnv {
        /// The variable name.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is expected.
        reason: String,
    },
}
