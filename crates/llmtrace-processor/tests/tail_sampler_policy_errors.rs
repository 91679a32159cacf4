//! Every policy error names the policy and the offending key, with the exact wording users see.

use llmtrace_processor::sample::{SamplingConfigError, TailSamplingConfig};

/// The error of validating a config with the given `policies:` list (YAML flow sequence).
fn error_of(policies: &str) -> SamplingConfigError {
    TailSamplingConfig::from_yaml_str(&format!("policies: {policies}"))
        .expect("valid YAML")
        .validate()
        .expect_err("invalid policy")
}

const UNSUPPORTED: &str = "is not supported in-process; supported types: always_sample, latency, \
    status_code, probabilistic, string_attribute, numeric_attribute, span_count, rate_limiting, \
    and (for `composite`, list its sub-policies at the top level, which is any-of)";

#[test]
fn invalid_values_name_policy_key_and_fix() {
    let cases = [
        (
            r#"[{name: "", type: always_sample}]"#,
            r#"policy ``: `name: ""` is invalid: every policy needs a non-empty name"#,
        ),
        (
            "[{name: l, type: latency, latency: {threshold_ms: 500, upper_threshold_ms: 100}}]",
            "policy `l`: `latency.upper_threshold_ms: 100` is invalid: must be 0 (no upper bound) or at least threshold_ms",
        ),
        (
            "[{name: s, type: status_code, status_code: {status_codes: []}}]",
            "policy `s`: `status_code.status_codes: []` is invalid: list at least one of ERROR, OK, UNSET",
        ),
        (
            "[{name: s, type: status_code, status_code: {status_codes: [ERROR, error]}}]",
            "policy `s`: `status_code.status_codes: error` is invalid: status codes are ERROR, OK or UNSET (upper case)",
        ),
        (
            "[{name: p, type: probabilistic, probabilistic: {sampling_percentage: -1}}]",
            "policy `p`: `probabilistic.sampling_percentage: -1` is invalid: must be between 0 and 100",
        ),
        (
            "[{name: t, type: string_attribute, string_attribute: {key: '', values: [a]}}]",
            r#"policy `t`: `string_attribute.key: ""` is invalid: name the attribute, e.g. user.tier"#,
        ),
        (
            "[{name: t, type: string_attribute, string_attribute: {key: user.tier}}]",
            "policy `t`: `string_attribute.values: []` is invalid: list at least one value",
        ),
        (
            "[{name: n, type: numeric_attribute, numeric_attribute: {key: '', min_value: 1}}]",
            r#"policy `n`: `numeric_attribute.key: ""` is invalid: name the attribute, e.g. gen_ai.usage.input_tokens"#,
        ),
        (
            "[{name: n, type: numeric_attribute, numeric_attribute: {key: k}}]",
            "policy `n`: `numeric_attribute.min_value: (none)` is invalid: set min_value, max_value or both",
        ),
        (
            "[{name: n, type: numeric_attribute, numeric_attribute: {key: k, min_value: 5, max_value: 1.5}}]",
            "policy `n`: `numeric_attribute.max_value: 1.5` is invalid: must be a number not below min_value",
        ),
        (
            "[{name: c, type: span_count, span_count: {min_spans: 10, max_spans: 2}}]",
            "policy `c`: `span_count.max_spans: 2` is invalid: must be 0 (no upper bound) or at least min_spans",
        ),
        (
            "[{name: r, type: rate_limiting, rate_limiting: {spans_per_second: 0}}]",
            "policy `r`: `rate_limiting.spans_per_second: 0` is invalid: must be at least 1",
        ),
        (
            "[{name: a, type: and, and: {and_sub_policy: []}}]",
            "policy `a`: `and.and_sub_policy: []` is invalid: list at least one sub-policy",
        ),
        (
            "[{name: a, type: and, and: {and_sub_policy: [{name: inner, type: latency, latency: {threshold_ms: 9, upper_threshold_ms: 1}}]}}]",
            "policy `inner`: `latency.upper_threshold_ms: 1` is invalid: must be 0 (no upper bound) or at least threshold_ms",
        ),
    ];
    for (policies, message) in cases {
        let err = error_of(policies);
        assert!(
            matches!(err, SamplingConfigError::InvalidPolicyValue { .. }),
            "{policies}: {err:?}"
        );
        assert_eq!(err.to_string(), message, "{policies}");
    }
}

#[test]
fn types_and_sections_are_checked_before_values() {
    let err = error_of("[{name: s, type: span_count}]");
    assert_eq!(
        err.to_string(),
        "policy `s` has type `span_count` but no `span_count:` section; add one with its settings"
    );

    let err = error_of("[{name: b, type: boolean_attribute, boolean_attribute: {key: k}}]");
    assert_eq!(
        err.to_string(),
        format!("policy `b`: type `boolean_attribute` {UNSUPPORTED}")
    );

    // `and` does not nest: the inner one is an unsupported type, named by its own name.
    let err = error_of(
        "[{name: outer, type: and, and: {and_sub_policy: [{name: inner, type: and, and: {and_sub_policy: [{name: x, type: always_sample}]}}]}}]",
    );
    assert_eq!(
        err.to_string(),
        format!("policy `inner`: type `and` {UNSUPPORTED}")
    );

    // A section of another type does not stand in for the missing one.
    let err = error_of("[{name: l, type: latency, span_count: {min_spans: 1}}]");
    assert!(
        matches!(&err, SamplingConfigError::MissingSection { policy, policy_type } if policy == "l" && policy_type == "latency"),
        "{err}"
    );

    let err = error_of(
        "[{name: r, type: string_attribute, string_attribute: {key: k, values: [ok, '('], enabled_regex_matching: true}}]",
    );
    assert!(
        matches!(&err, SamplingConfigError::InvalidRegex { policy, pattern, .. } if policy == "r" && pattern == "("),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("policy `r`: `string_attribute.values` entry `(` is not a valid regex ("),
        "{err}"
    );
}

#[test]
fn valid_sections_compile() {
    let config = TailSamplingConfig::from_yaml_str(
        r#"
policies:
  - {name: always, type: always_sample}
  - {name: slow, type: latency, latency: {threshold_ms: 100, upper_threshold_ms: 0}}
  - {name: errors, type: status_code, status_code: {status_codes: [ERROR, OK, UNSET]}}
  - {name: some, type: probabilistic, probabilistic: {sampling_percentage: 100, hash_salt: s}}
  - {name: tier, type: string_attribute, string_attribute: {key: user.tier, values: ['^p.*'], enabled_regex_matching: true}}
  - {name: tokens, type: numeric_attribute, numeric_attribute: {key: n, max_value: 10}}
  - {name: count, type: span_count, span_count: {min_spans: 2}}
  - {name: rate, type: rate_limiting, rate_limiting: {spans_per_second: 5}}
  - {name: both, type: and, and: {and_sub_policy: [{name: x, type: always_sample}, {name: y, type: span_count, span_count: {min_spans: 1}}]}}
"#,
    )
    .expect("parses");
    config.validate().expect("every section compiles");
}
