//! `TailSamplingConfig`: the `tail_sampling` section, with the OTel Collector's keys.
//!
//! The same YAML works here and in a collector's `processors.tail_sampling` (for the subset of
//! policy types we implement, see the [module docs](super)).

use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::duration::{serde_duration, serde_duration_opt};
use super::error::SamplingConfigError;

/// Default `decision_wait`: the collector's 30 s.
pub const DEFAULT_DECISION_WAIT: Duration = Duration::from_secs(30);
/// Default `num_traces` (undecided traces held at once): the collector's 50 000.
pub const DEFAULT_NUM_TRACES: usize = 50_000;
/// Default `max_spans_per_trace` (llmtrace extension).
pub const DEFAULT_MAX_SPANS_PER_TRACE: usize = 10_000;
/// Default `max_buffered_bytes` (llmtrace extension): 64 MiB of approximate `SpanData` size.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 64 * 1024 * 1024;
/// Default size of each decision cache (kept and dropped trace ids remembered for late spans).
pub const DEFAULT_DECISION_CACHE_SIZE: usize = 50_000;

/// Configuration of a [`TailSampler`](super::TailSampler): bounds and policies.
///
/// Deserialize it from the `tail_sampling` section of a YAML file
/// ([`from_yaml_str`](Self::from_yaml_str)), build it in code
/// ([`recommended`](Self::recommended), [`with_policy`](Self::with_policy), …) or from
/// `LLMTRACE_SAMPLING_*` variables ([`from_env`](Self::from_env)). Unknown keys are rejected.
///
/// ```
/// use llmtrace_processor::sample::TailSamplingConfig;
///
/// let config = TailSamplingConfig::from_yaml_str(r#"
/// decision_wait: 10s
/// num_traces: 20000
/// policies:
///   - name: errors
///     type: status_code
///     status_code: {status_codes: [ERROR]}
///   - name: premium
///     type: string_attribute
///     string_attribute: {key: user.tier, values: [premium]}
///   - name: ten-percent
///     type: probabilistic
///     probabilistic: {sampling_percentage: 10}
/// "#)?;
/// assert_eq!(config.policies.len(), 3);
/// # Ok::<(), llmtrace_processor::sample::SamplingConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TailSamplingConfig {
    /// How long after the first span of a trace arrived the trace is decided if its local root
    /// has not ended yet. Collector key; default 30 s.
    #[serde(default = "default_decision_wait", with = "serde_duration")]
    pub decision_wait: Duration,
    /// Maximum number of undecided traces buffered; when exceeded the oldest is decided early.
    /// Collector key; default 50 000.
    #[serde(default = "default_num_traces")]
    pub num_traces: usize,
    /// Accepted for compatibility with the collector and ignored.
    #[serde(default)]
    pub expected_new_traces_per_sec: u64,
    /// Accepted for compatibility with the collector and ignored: policies are always
    /// evaluated in order and the first match decides.
    #[serde(default)]
    pub sample_on_first_match: bool,
    /// Accepted for compatibility with the collector and ignored: in-process the children of a
    /// local root end before it, so the trace is decided as soon as the root ends (late spans
    /// follow the decision through the decision cache).
    #[serde(
        default,
        with = "serde_duration_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub decision_wait_after_root_received: Option<Duration>,
    /// Accepted for compatibility with the collector and ignored: the sampler never blocks the
    /// caller; on overflow the oldest trace is decided early.
    #[serde(default)]
    pub block_on_overflow: bool,
    /// Sizes of the caches of recent decisions that late spans follow. Collector key.
    #[serde(default)]
    pub decision_cache: DecisionCacheConfig,
    /// Maximum spans buffered for one trace; reaching it decides that trace early.
    /// llmtrace extension; default 10 000.
    #[serde(default = "default_max_spans_per_trace")]
    pub max_spans_per_trace: usize,
    /// Maximum approximate bytes of `SpanData` buffered over all traces; exceeding it decides
    /// the oldest traces early. llmtrace extension; default 64 MiB.
    #[serde(default = "default_max_buffered_bytes")]
    pub max_buffered_bytes: usize,
    /// The policies; a trace is kept when any of them says so (evaluated in order, the first
    /// match names the policy in `llmtrace.sampling.policy`).
    #[serde(default)]
    pub policies: Vec<PolicyConfig>,
}

fn default_decision_wait() -> Duration {
    DEFAULT_DECISION_WAIT
}
fn default_num_traces() -> usize {
    DEFAULT_NUM_TRACES
}
fn default_max_spans_per_trace() -> usize {
    DEFAULT_MAX_SPANS_PER_TRACE
}
fn default_max_buffered_bytes() -> usize {
    DEFAULT_MAX_BUFFERED_BYTES
}
fn default_cache_size() -> usize {
    DEFAULT_DECISION_CACHE_SIZE
}

impl Default for TailSamplingConfig {
    /// Default bounds and **no policies** (which [`TailSampler`](super::TailSampler) rejects):
    /// add policies with [`with_policy`](Self::with_policy) or start from
    /// [`recommended`](Self::recommended).
    fn default() -> Self {
        Self {
            decision_wait: DEFAULT_DECISION_WAIT,
            num_traces: DEFAULT_NUM_TRACES,
            expected_new_traces_per_sec: 0,
            sample_on_first_match: false,
            decision_wait_after_root_received: None,
            block_on_overflow: false,
            decision_cache: DecisionCacheConfig::default(),
            max_spans_per_trace: DEFAULT_MAX_SPANS_PER_TRACE,
            max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
            policies: Vec::new(),
        }
    }
}

/// Sizes of the caches of recent decisions (collector key `decision_cache`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DecisionCacheConfig {
    /// Trace ids of kept traces remembered, so their late spans are kept too.
    #[serde(default = "default_cache_size")]
    pub sampled_cache_size: usize,
    /// Trace ids of dropped traces remembered, so their late spans are dropped too.
    #[serde(default = "default_cache_size")]
    pub non_sampled_cache_size: usize,
}

impl Default for DecisionCacheConfig {
    fn default() -> Self {
        Self {
            sampled_cache_size: DEFAULT_DECISION_CACHE_SIZE,
            non_sampled_cache_size: DEFAULT_DECISION_CACHE_SIZE,
        }
    }
}

/// One policy: `{name, type, <type>: {...}}`, as in the collector.
///
/// Build one in code with the constructors ([`status_code`](Self::status_code),
/// [`latency`](Self::latency), [`probabilistic`](Self::probabilistic), …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicyConfig {
    /// Unique name; written to `llmtrace.sampling.policy` on the spans of traces it keeps.
    pub name: String,
    /// The policy type, e.g. `status_code` (see the module docs for the supported set).
    #[serde(rename = "type")]
    pub policy_type: String,
    /// Settings of a `latency` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencyConfig>,
    /// Settings of a `status_code` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<StatusCodeConfig>,
    /// Settings of a `probabilistic` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probabilistic: Option<ProbabilisticConfig>,
    /// Settings of a `string_attribute` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_attribute: Option<StringAttributeConfig>,
    /// Settings of a `numeric_attribute` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric_attribute: Option<NumericAttributeConfig>,
    /// Settings of a `span_count` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_count: Option<SpanCountConfig>,
    /// Settings of a `rate_limiting` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limiting: Option<RateLimitingConfig>,
    /// Settings of an `and` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub and: Option<AndConfig>,
    /// Collector sections we do not implement: accepted by the parser so that the error names
    /// the unsupported `type` instead of an unknown key.
    #[serde(default, skip_serializing)]
    composite: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    boolean_attribute: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    ottl_condition: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    trace_state: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    not: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    drop: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    bytes_limiting: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    trace_flags: Option<serde_json::Value>,
}

/// `latency`: keep traces whose duration (earliest start to latest end of the buffered spans)
/// is at least `threshold_ms` and, when `upper_threshold_ms` is non-zero, at most that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LatencyConfig {
    /// Lower bound in milliseconds (inclusive).
    #[serde(default)]
    pub threshold_ms: u64,
    /// Upper bound in milliseconds (inclusive); 0 = none.
    #[serde(default)]
    pub upper_threshold_ms: u64,
}

/// `status_code`: keep traces with at least one span whose status is listed
/// (`ERROR`, `OK`, `UNSET`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StatusCodeConfig {
    /// The status codes, upper case as in the collector.
    #[serde(default)]
    pub status_codes: Vec<String>,
}

/// `probabilistic`: keep `sampling_percentage` % of traces, decided by a hash of the trace id
/// (and `hash_salt`), so every process with the same settings keeps the same traces.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProbabilisticConfig {
    /// Salt mixed into the hash; use different salts at different sampling layers.
    #[serde(default)]
    pub hash_salt: String,
    /// Percentage 0–100 of traces kept.
    #[serde(default)]
    pub sampling_percentage: f64,
}

/// `string_attribute`: keep traces with a span (or resource) attribute `key` whose string
/// value is one of `values` (exact, or regexes with `enabled_regex_matching`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StringAttributeConfig {
    /// The attribute key, e.g. `user.tier`.
    pub key: String,
    /// Accepted values (or regexes).
    #[serde(default)]
    pub values: Vec<String>,
    /// Treat `values` as regular expressions (matched anywhere unless anchored).
    #[serde(default)]
    pub enabled_regex_matching: bool,
    /// Accepted for compatibility and ignored (regexes are compiled once, no cache needed).
    #[serde(default)]
    pub cache_max_size: usize,
    /// Keep traces where **no** span or resource attribute matches (including traces without
    /// the key).
    #[serde(default)]
    pub invert_match: bool,
}

/// `numeric_attribute`: keep traces with a span (or resource) attribute `key` whose int or
/// float value lies in `[min_value, max_value]` (both inclusive, a missing bound is open).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NumericAttributeConfig {
    /// The attribute key, e.g. `gen_ai.usage.input_tokens` or `llmtrace.cost.usd`.
    pub key: String,
    /// Lower bound (inclusive); floats allowed (llmtrace extension, the collector takes ints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<f64>,
    /// Upper bound (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<f64>,
    /// Keep traces where no attribute value lies in the range.
    #[serde(default)]
    pub invert_match: bool,
}

/// `span_count`: keep traces with at least `min_spans` (and, if non-zero, at most `max_spans`)
/// buffered spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SpanCountConfig {
    /// Minimum number of spans (inclusive).
    #[serde(default)]
    pub min_spans: usize,
    /// Maximum number of spans (inclusive); 0 = none.
    #[serde(default)]
    pub max_spans: usize,
}

/// `rate_limiting`: keep traces while the spans kept by this policy in the current second stay
/// within `spans_per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RateLimitingConfig {
    /// Span budget per second.
    pub spans_per_second: u64,
}

/// `and`: keep traces for which **all** sub-policies say keep.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AndConfig {
    /// The sub-policies (any supported type except `and`).
    #[serde(default)]
    pub and_sub_policy: Vec<PolicyConfig>,
}

impl PolicyConfig {
    fn empty(name: impl Into<String>, policy_type: &str) -> Self {
        Self {
            name: name.into(),
            policy_type: policy_type.to_owned(),
            latency: None,
            status_code: None,
            probabilistic: None,
            string_attribute: None,
            numeric_attribute: None,
            span_count: None,
            rate_limiting: None,
            and: None,
            composite: None,
            boolean_attribute: None,
            ottl_condition: None,
            trace_state: None,
            not: None,
            drop: None,
            bytes_limiting: None,
            trace_flags: None,
        }
    }

    /// `always_sample`: keep every trace.
    pub fn always_sample(name: impl Into<String>) -> Self {
        Self::empty(name, "always_sample")
    }

    /// `status_code` with the given codes (`"ERROR"`, `"OK"`, `"UNSET"`).
    pub fn status_code<I, S>(name: impl Into<String>, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut p = Self::empty(name, "status_code");
        p.status_code = Some(StatusCodeConfig {
            status_codes: codes.into_iter().map(Into::into).collect(),
        });
        p
    }

    /// `status_code: [ERROR]`: keep every trace with an error span.
    pub fn errors(name: impl Into<String>) -> Self {
        Self::status_code(name, ["ERROR"])
    }

    /// `latency` with a lower bound (no upper bound).
    pub fn latency(name: impl Into<String>, threshold: Duration) -> Self {
        let mut p = Self::empty(name, "latency");
        p.latency = Some(LatencyConfig {
            threshold_ms: u64::try_from(threshold.as_millis()).unwrap_or(u64::MAX),
            upper_threshold_ms: 0,
        });
        p
    }

    /// `probabilistic` keeping `percentage` % of traces (no salt).
    pub fn probabilistic(name: impl Into<String>, percentage: f64) -> Self {
        let mut p = Self::empty(name, "probabilistic");
        p.probabilistic = Some(ProbabilisticConfig {
            hash_salt: String::new(),
            sampling_percentage: percentage,
        });
        p
    }

    /// `string_attribute` with exact values.
    pub fn string_attribute<I, S>(
        name: impl Into<String>,
        key: impl Into<String>,
        values: I,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut p = Self::empty(name, "string_attribute");
        p.string_attribute = Some(StringAttributeConfig {
            key: key.into(),
            values: values.into_iter().map(Into::into).collect(),
            ..StringAttributeConfig::default()
        });
        p
    }

    /// `numeric_attribute` with inclusive, optional bounds.
    pub fn numeric_attribute(
        name: impl Into<String>,
        key: impl Into<String>,
        min_value: Option<f64>,
        max_value: Option<f64>,
    ) -> Self {
        let mut p = Self::empty(name, "numeric_attribute");
        p.numeric_attribute = Some(NumericAttributeConfig {
            key: key.into(),
            min_value,
            max_value,
            invert_match: false,
        });
        p
    }

    /// `span_count` with `min_spans` and optional `max_spans` (0 = none).
    pub fn span_count(name: impl Into<String>, min_spans: usize, max_spans: usize) -> Self {
        let mut p = Self::empty(name, "span_count");
        p.span_count = Some(SpanCountConfig {
            min_spans,
            max_spans,
        });
        p
    }

    /// `rate_limiting` with a span budget per second.
    pub fn rate_limiting(name: impl Into<String>, spans_per_second: u64) -> Self {
        let mut p = Self::empty(name, "rate_limiting");
        p.rate_limiting = Some(RateLimitingConfig { spans_per_second });
        p
    }

    /// `and` of the given sub-policies.
    pub fn and(name: impl Into<String>, sub_policies: Vec<PolicyConfig>) -> Self {
        let mut p = Self::empty(name, "and");
        p.and = Some(AndConfig {
            and_sub_policy: sub_policies,
        });
        p
    }

    /// Sets `invert_match` on a `string_attribute` or `numeric_attribute` policy (no effect on
    /// other types).
    pub fn inverted(mut self) -> Self {
        if let Some(s) = self.string_attribute.as_mut() {
            s.invert_match = true;
        }
        if let Some(n) = self.numeric_attribute.as_mut() {
            n.invert_match = true;
        }
        self
    }

    /// Sets `enabled_regex_matching` on a `string_attribute` policy (no effect on other types).
    pub fn regex(mut self) -> Self {
        if let Some(s) = self.string_attribute.as_mut() {
            s.enabled_regex_matching = true;
        }
        self
    }
}

/// Environment variables read by [`TailSamplingConfig::from_env`].
pub const ENV_VARS: &[&str] = &[
    ENV_PERCENTAGE,
    ENV_LATENCY_MS,
    ENV_ERRORS,
    ENV_DECISION_WAIT,
    ENV_NUM_TRACES,
    ENV_MAX_SPANS_PER_TRACE,
    ENV_MAX_BUFFERED_BYTES,
];
const ENV_PERCENTAGE: &str = "LLMTRACE_SAMPLING_PERCENTAGE";
const ENV_LATENCY_MS: &str = "LLMTRACE_SAMPLING_LATENCY_MS";
const ENV_ERRORS: &str = "LLMTRACE_SAMPLING_ERRORS";
const ENV_DECISION_WAIT: &str = "LLMTRACE_SAMPLING_DECISION_WAIT";
const ENV_NUM_TRACES: &str = "LLMTRACE_SAMPLING_NUM_TRACES";
const ENV_MAX_SPANS_PER_TRACE: &str = "LLMTRACE_SAMPLING_MAX_SPANS_PER_TRACE";
const ENV_MAX_BUFFERED_BYTES: &str = "LLMTRACE_SAMPLING_MAX_BUFFERED_BYTES";

/// Names of the policies created by [`TailSamplingConfig::recommended`] and the env vars.
pub(crate) const ERRORS_POLICY: &str = "errors";
pub(crate) const SLOW_POLICY: &str = "slow";
pub(crate) const SAMPLED_POLICY: &str = "sampled";

impl TailSamplingConfig {
    /// The seeds' policy: keep every trace with an error (`errors`), every trace slower than
    /// 5 s (`slow`), and 10 % of the rest (`sampled`); default bounds.
    pub fn recommended() -> Self {
        Self::default()
            .with_policy(PolicyConfig::errors(ERRORS_POLICY))
            .with_policy(PolicyConfig::latency(SLOW_POLICY, Duration::from_secs(5)))
            .with_policy(PolicyConfig::probabilistic(SAMPLED_POLICY, 10.0))
    }

    /// Appends a policy.
    pub fn with_policy(mut self, policy: PolicyConfig) -> Self {
        self.policies.push(policy);
        self
    }

    /// Sets `decision_wait`.
    pub fn with_decision_wait(mut self, wait: Duration) -> Self {
        self.decision_wait = wait;
        self
    }

    /// Sets `num_traces` (maximum undecided traces buffered).
    pub fn with_num_traces(mut self, num_traces: usize) -> Self {
        self.num_traces = num_traces;
        self
    }

    /// Sets `max_spans_per_trace`.
    pub fn with_max_spans_per_trace(mut self, max: usize) -> Self {
        self.max_spans_per_trace = max;
        self
    }

    /// Sets `max_buffered_bytes`.
    pub fn with_max_buffered_bytes(mut self, max: usize) -> Self {
        self.max_buffered_bytes = max;
        self
    }

    /// Sets the sizes of the kept and dropped decision caches.
    pub fn with_decision_cache(mut self, sampled: usize, non_sampled: usize) -> Self {
        self.decision_cache = DecisionCacheConfig {
            sampled_cache_size: sampled,
            non_sampled_cache_size: non_sampled,
        };
        self
    }

    /// Parses the content of a `tail_sampling` section (the mapping under the key, not the key
    /// itself). Checks syntax and keys only; policies are checked when the sampler is built
    /// (or with [`validate`](Self::validate)).
    pub fn from_yaml_str(yaml: &str) -> Result<Self, SamplingConfigError> {
        Ok(serde_norway::from_str(yaml)?)
    }

    /// Reads [`from_yaml_str`](Self::from_yaml_str) from a file.
    pub fn from_yaml_file(path: impl AsRef<std::path::Path>) -> Result<Self, SamplingConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SamplingConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml_str(&text)
    }

    /// Checks limits and compiles every policy, returning the first error.
    pub fn validate(&self) -> Result<(), SamplingConfigError> {
        super::policy::PolicySet::compile(self).map(|_| ())
    }

    /// Reads the `LLMTRACE_SAMPLING_*` variables of the process; see
    /// [`from_env_vars`](Self::from_env_vars).
    pub fn from_env() -> Result<Option<Self>, SamplingConfigError> {
        Self::from_env_vars(|name| std::env::var(name).ok())
    }

    /// Builds a configuration from `LLMTRACE_SAMPLING_*` variables looked up with `get`.
    ///
    /// Returns `Ok(None)` when none is set. Otherwise starts from
    /// [`recommended`](Self::recommended) and applies:
    ///
    /// | variable | effect |
    /// |---|---|
    /// | `LLMTRACE_SAMPLING_PERCENTAGE` | percentage of the `sampled` policy (0 removes it) |
    /// | `LLMTRACE_SAMPLING_LATENCY_MS` | threshold of the `slow` policy in ms (0 removes it) |
    /// | `LLMTRACE_SAMPLING_ERRORS` | `false` removes the `errors` policy |
    /// | `LLMTRACE_SAMPLING_DECISION_WAIT` | `decision_wait`, e.g. `10s` |
    /// | `LLMTRACE_SAMPLING_NUM_TRACES` | `num_traces` |
    /// | `LLMTRACE_SAMPLING_MAX_SPANS_PER_TRACE` | `max_spans_per_trace` |
    /// | `LLMTRACE_SAMPLING_MAX_BUFFERED_BYTES` | `max_buffered_bytes` |
    pub fn from_env_vars(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, SamplingConfigError> {
        if ENV_VARS.iter().all(|v| get(v).is_none()) {
            return Ok(None);
        }
        let mut config = Self::recommended();
        if let Some(v) = get(ENV_PERCENTAGE) {
            let pct: f64 = parse_env(ENV_PERCENTAGE, &v, "a percentage from 0 to 100, e.g. 10")?;
            if !(0.0..=100.0).contains(&pct) {
                return Err(env_error(
                    ENV_PERCENTAGE,
                    &v,
                    "a percentage from 0 to 100, e.g. 10",
                ));
            }
            config.policies.retain(|p| p.name != SAMPLED_POLICY);
            if pct > 0.0 {
                config
                    .policies
                    .push(PolicyConfig::probabilistic(SAMPLED_POLICY, pct));
            }
        }
        if let Some(v) = get(ENV_LATENCY_MS) {
            let ms: u64 = parse_env(ENV_LATENCY_MS, &v, "milliseconds as an integer, e.g. 5000")?;
            let pos = config.policies.iter().position(|p| p.name == SLOW_POLICY);
            if let Some(pos) = pos {
                if ms == 0 {
                    config.policies.remove(pos);
                } else if let Some(p) = config.policies.get_mut(pos) {
                    *p = PolicyConfig::latency(SLOW_POLICY, Duration::from_millis(ms));
                }
            }
        }
        if let Some(v) = get(ENV_ERRORS) {
            let keep = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                _ => return Err(env_error(ENV_ERRORS, &v, "true or false")),
            };
            if !keep {
                config.policies.retain(|p| p.name != ERRORS_POLICY);
            }
        }
        if let Some(v) = get(ENV_DECISION_WAIT) {
            config.decision_wait = super::duration::parse_duration(&v)
                .map_err(|reason| env_error(ENV_DECISION_WAIT, &v, &reason))?;
        }
        if let Some(v) = get(ENV_NUM_TRACES) {
            config.num_traces = parse_env(ENV_NUM_TRACES, &v, "a positive integer, e.g. 50000")?;
        }
        if let Some(v) = get(ENV_MAX_SPANS_PER_TRACE) {
            config.max_spans_per_trace = parse_env(
                ENV_MAX_SPANS_PER_TRACE,
                &v,
                "a positive integer, e.g. 10000",
            )?;
        }
        if let Some(v) = get(ENV_MAX_BUFFERED_BYTES) {
            config.max_buffered_bytes = parse_env(
                ENV_MAX_BUFFERED_BYTES,
                &v,
                "bytes as an integer, e.g. 67108864",
            )?;
        }
        Ok(Some(config))
    }
}

fn parse_env<T: std::str::FromStr>(
    var: &'static str,
    value: &str,
    expected: &str,
) -> Result<T, SamplingConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| env_error(var, value, expected))
}

fn env_error(var: &'static str, value: &str, expected: &str) -> SamplingConfigError {
    SamplingConfigError::InvalidEnv {
        var,
        value: value.to_owned(),
        reason: format!("expected {expected}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_follow_the_collector() {
        let c = TailSamplingConfig::from_yaml_str("policies: []").expect("parses");
        assert_eq!(c.decision_wait, Duration::from_secs(30));
        assert_eq!(c.num_traces, 50_000);
        assert_eq!(c.max_spans_per_trace, 10_000);
        assert_eq!(c.max_buffered_bytes, 64 * 1024 * 1024);
        assert!(matches!(c.validate(), Err(SamplingConfigError::NoPolicies)));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = TailSamplingConfig::from_yaml_str("decision_wiat: 10s").expect_err("typo");
        assert!(err.to_string().contains("decision_wiat"), "{err}");
    }

    #[test]
    fn yaml_round_trips() {
        let c = TailSamplingConfig::recommended()
            .with_decision_wait(Duration::from_millis(1500))
            .with_policy(PolicyConfig::string_attribute(
                "premium",
                "user.tier",
                ["premium"],
            ));
        let yaml = serde_norway::to_string(&c).expect("serializes");
        assert!(yaml.contains("decision_wait: 1500ms"), "{yaml}");
        assert_eq!(TailSamplingConfig::from_yaml_str(&yaml).expect("parses"), c);
    }

    #[test]
    fn env_builds_the_seed_policy() {
        let vars: HashMap<&str, &str> = [
            ("LLMTRACE_SAMPLING_PERCENTAGE", "25"),
            ("LLMTRACE_SAMPLING_LATENCY_MS", "2000"),
            ("LLMTRACE_SAMPLING_NUM_TRACES", "1000"),
        ]
        .into();
        let c = TailSamplingConfig::from_env_vars(|k| vars.get(k).map(|v| v.to_string()))
            .expect("valid")
            .expect("set");
        assert_eq!(c.num_traces, 1000);
        let names: Vec<_> = c.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["errors", "slow", "sampled"]);
        assert_eq!(c.policies[1].latency.map(|l| l.threshold_ms), Some(2000));
        assert_eq!(
            c.policies[2]
                .probabilistic
                .as_ref()
                .map(|p| p.sampling_percentage),
            Some(25.0)
        );
        assert!(TailSamplingConfig::from_env_vars(|_| None)
            .expect("ok")
            .is_none());
    }

    #[test]
    fn bad_env_is_a_typed_error() {
        let err = TailSamplingConfig::from_env_vars(|k| {
            (k == "LLMTRACE_SAMPLING_PERCENTAGE").then(|| "150".to_owned())
        })
        .expect_err("out of range");
        assert!(matches!(
            err,
            SamplingConfigError::InvalidEnv {
                var: "LLMTRACE_SAMPLING_PERCENTAGE",
                ..
            }
        ));
    }
}
