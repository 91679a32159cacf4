//! Compiling policy configurations into [`Rule`]s: each section checks its own settings.
//!
//! A policy is `{name, type, <type>: {...}}`. [`compile_rule`] checks the name, then dispatches
//! on `type` to the section of that name, which implements [`CompilePolicy`]. Adding a policy
//! type means adding its section struct (in `config.rs`), its [`Rule`] variant, an
//! implementation of [`CompilePolicy`] here and one arm in [`compile_rule`].

use opentelemetry::Key;
use regex::Regex;
use std::sync::Mutex;
use std::time::Duration;

use super::{percentage_threshold, Rule, StringMatch};
use crate::sample::config::{
    AndConfig, LatencyConfig, NumericAttributeConfig, PolicyConfig, ProbabilisticConfig,
    RateLimitingConfig, SpanCountConfig, StatusCodeConfig, StringAttributeConfig,
};
use crate::sample::error::SamplingConfigError;

/// A policy section (`latency: {...}`, `status_code: {...}`, …) that checks its settings and
/// compiles itself into the [`Rule`] the sampler evaluates.
trait CompilePolicy {
    /// The rule for this section of the policy named `policy` (which errors name, together
    /// with the offending key).
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError>;
}

/// Where a policy sits: `and` may not nest (its sub-policies are compiled as [`Nesting::Sub`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nesting {
    /// A policy of the `policies` list.
    TopLevel,
    /// A sub-policy of an `and`.
    Sub,
}

/// Compiles one policy: a non-empty name, then its `type`'s section.
pub(super) fn compile_rule(
    p: &PolicyConfig,
    nesting: Nesting,
) -> Result<Rule, SamplingConfigError> {
    if p.name.trim().is_empty() {
        return Err(invalid(
            &p.name,
            "name",
            "\"\"",
            "every policy needs a non-empty name",
        ));
    }
    match p.policy_type.as_str() {
        "always_sample" => Ok(Rule::Always),
        "latency" => compile_section(p, &p.latency),
        "status_code" => compile_section(p, &p.status_code),
        "probabilistic" => compile_section(p, &p.probabilistic),
        "string_attribute" => compile_section(p, &p.string_attribute),
        "numeric_attribute" => compile_section(p, &p.numeric_attribute),
        "span_count" => compile_section(p, &p.span_count),
        "rate_limiting" => compile_section(p, &p.rate_limiting),
        "and" if nesting == Nesting::TopLevel => compile_section(p, &p.and),
        other => Err(SamplingConfigError::UnsupportedPolicyType {
            policy: p.name.clone(),
            policy_type: other.to_owned(),
        }),
    }
}

/// Compiles the section `p`'s type asks for, or says that it is missing.
fn compile_section<S: CompilePolicy>(
    p: &PolicyConfig,
    section: &Option<S>,
) -> Result<Rule, SamplingConfigError> {
    section
        .as_ref()
        .ok_or_else(|| SamplingConfigError::MissingSection {
            policy: p.name.clone(),
            policy_type: p.policy_type.clone(),
        })?
        .compile(&p.name)
}

/// `policy`'s setting `key` has a value outside its domain.
fn invalid(policy: &str, key: &str, value: impl ToString, reason: &str) -> SamplingConfigError {
    SamplingConfigError::InvalidPolicyValue {
        policy: policy.to_owned(),
        key: key.to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    }
}

impl CompilePolicy for LatencyConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        if self.upper_threshold_ms != 0 && self.upper_threshold_ms < self.threshold_ms {
            return Err(invalid(
                policy,
                "latency.upper_threshold_ms",
                self.upper_threshold_ms,
                "must be 0 (no upper bound) or at least threshold_ms",
            ));
        }
        Ok(Rule::Latency {
            min: Duration::from_millis(self.threshold_ms),
            max: (self.upper_threshold_ms != 0)
                .then(|| Duration::from_millis(self.upper_threshold_ms)),
        })
    }
}

impl CompilePolicy for StatusCodeConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        if self.status_codes.is_empty() {
            return Err(invalid(
                policy,
                "status_code.status_codes",
                "[]",
                "list at least one of ERROR, OK, UNSET",
            ));
        }
        let (mut ok, mut error, mut unset) = (false, false, false);
        for code in &self.status_codes {
            match code.as_str() {
                "OK" => ok = true,
                "ERROR" => error = true,
                "UNSET" => unset = true,
                other => {
                    return Err(invalid(
                        policy,
                        "status_code.status_codes",
                        other,
                        "status codes are ERROR, OK or UNSET (upper case)",
                    ))
                }
            }
        }
        Ok(Rule::Status { ok, error, unset })
    }
}

impl CompilePolicy for ProbabilisticConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        let pct = self.sampling_percentage;
        if !(0.0..=100.0).contains(&pct) {
            return Err(invalid(
                policy,
                "probabilistic.sampling_percentage",
                pct,
                "must be between 0 and 100",
            ));
        }
        Ok(Rule::Probabilistic {
            salt: self.hash_salt.as_bytes().to_vec(),
            threshold: percentage_threshold(pct),
        })
    }
}

impl CompilePolicy for StringAttributeConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        if self.key.is_empty() {
            return Err(invalid(
                policy,
                "string_attribute.key",
                "\"\"",
                "name the attribute, e.g. user.tier",
            ));
        }
        if self.values.is_empty() {
            return Err(invalid(
                policy,
                "string_attribute.values",
                "[]",
                "list at least one value",
            ));
        }
        Ok(Rule::StringAttr {
            key: Key::new(self.key.clone()),
            values: self.string_match(policy)?,
            invert: self.invert_match,
        })
    }
}

impl StringAttributeConfig {
    /// The values as a set of exact strings, or as compiled regexes.
    fn string_match(&self, policy: &str) -> Result<StringMatch, SamplingConfigError> {
        if !self.enabled_regex_matching {
            return Ok(StringMatch::Exact(self.values.iter().cloned().collect()));
        }
        let mut regexes = Vec::with_capacity(self.values.len());
        for pattern in &self.values {
            regexes.push(Regex::new(pattern).map_err(|source| {
                SamplingConfigError::InvalidRegex {
                    policy: policy.to_owned(),
                    pattern: pattern.clone(),
                    source,
                }
            })?);
        }
        Ok(StringMatch::Regex(regexes))
    }
}

impl CompilePolicy for NumericAttributeConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        if self.key.is_empty() {
            return Err(invalid(
                policy,
                "numeric_attribute.key",
                "\"\"",
                "name the attribute, e.g. gen_ai.usage.input_tokens",
            ));
        }
        if self.min_value.is_none() && self.max_value.is_none() {
            return Err(invalid(
                policy,
                "numeric_attribute.min_value",
                "(none)",
                "set min_value, max_value or both",
            ));
        }
        let min = self.min_value.unwrap_or(f64::NEG_INFINITY);
        let max = self.max_value.unwrap_or(f64::INFINITY);
        if min.is_nan() || max.is_nan() || min > max {
            return Err(invalid(
                policy,
                "numeric_attribute.max_value",
                max,
                "must be a number not below min_value",
            ));
        }
        Ok(Rule::NumericAttr {
            key: Key::new(self.key.clone()),
            min,
            max,
            invert: self.invert_match,
        })
    }
}

impl CompilePolicy for SpanCountConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        if self.max_spans != 0 && self.max_spans < self.min_spans {
            return Err(invalid(
                policy,
                "span_count.max_spans",
                self.max_spans,
                "must be 0 (no upper bound) or at least min_spans",
            ));
        }
        Ok(Rule::SpanCount {
            min: self.min_spans,
            max: if self.max_spans == 0 {
                usize::MAX
            } else {
                self.max_spans
            },
        })
    }
}

impl CompilePolicy for RateLimitingConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        if self.spans_per_second == 0 {
            return Err(invalid(
                policy,
                "rate_limiting.spans_per_second",
                0,
                "must be at least 1",
            ));
        }
        Ok(Rule::RateLimit {
            spans_per_second: self.spans_per_second,
            window: Mutex::new((0, 0)),
        })
    }
}

impl CompilePolicy for AndConfig {
    fn compile(&self, policy: &str) -> Result<Rule, SamplingConfigError> {
        if self.and_sub_policy.is_empty() {
            return Err(invalid(
                policy,
                "and.and_sub_policy",
                "[]",
                "list at least one sub-policy",
            ));
        }
        let rules = self
            .and_sub_policy
            .iter()
            .map(|sub| compile_rule(sub, Nesting::Sub))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rule::And(rules))
    }
}
