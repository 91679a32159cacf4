//! [`check_config`]: `build`'s parsing and validation, with nothing set up.

use std::collections::BTreeMap;
use std::path::PathBuf;

use llmtrace_processor::redact::Redactor;

use super::{log_filter, span_event_filter, stages, Stage};
use super::{EnvSettings, FileConfig};
use crate::InitError;

/// Checks a configuration the way [`Builder::build`](crate::Builder::build) does, without
/// setting anything up: no exporter, thread, file or global subscriber.
///
/// `vars` are the environment variables (`LLMTRACE_*`, `OTEL_*`; others are ignored, empty
/// values count as unset), `file_text` the contents of the `LLMTRACE_CONFIG` file, if any.
/// Runs the same parsing as `build` — every variable, `${env:VAR:-default}` substitution in the
/// file, its `redaction:` and `tail_sampling:` sections overlaid with the
/// `LLMTRACE_REDACTION_*` / `LLMTRACE_SAMPLING_*` variables, the `LLMTRACE_LOG` filter — and
/// then compiles the redaction rules and the tail-sampling policies as `build` would.
///
/// The file may also be an OpenTelemetry Collector configuration: then the pipeline
/// `service.pipelines.traces` (or the one `LLMTRACE_PIPELINE` names) is checked as `build`
/// reads it — every key of the processors and exporters llmtrace runs in-process, with the
/// collector's defaults — and each error names its key path, e.g.
/// `processors.redaction.alow_all_keys: unknown key`. Unlike
/// `build`, it also compiles them when `OTEL_SDK_DISABLED=true`, so a policy can be checked
/// before it is switched on. Paths (`LLMTRACE_CONFIG`, `LLMTRACE_FILE`, `LLMTRACE_PRICES`) are
/// not opened: read the config file yourself and pass its text.
///
/// Returns the error `build` would return: [`InitError::Config`], [`InitError::Redaction`] or
/// [`InitError::Sampling`], naming the variable or key and the fix. Never panics. It is stricter
/// than `build` in one respect: a value of a variable llmtrace shares with other languages'
/// instrumentations (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`,
/// `OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT`) that it does not know is an error here, where
/// `build` warns and records no content rather than failing the host's start-up.
///
/// ```
/// use llmtrace::config::check_config;
///
/// let vars = [("OTEL_EXPORTER_OTLP_PROTOCOL".to_owned(), "grpc".to_owned())];
/// let file = "
/// redaction:
///   detectors: { ip_address: false }
/// tail_sampling:
///   policies:
///     - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
///     - {name: sampled, type: probabilistic, probabilistic: {sampling_percentage: ${env:PCT:-10}}}
/// ";
/// check_config(vars, Some(file))?;
///
/// let vars = [("OTEL_EXPORTER_OTLP_PROTOCOL".to_owned(), "udp".to_owned())];
/// let err = check_config(vars, None).expect_err("udp is not an OTLP protocol");
/// assert!(err.to_string().contains("OTEL_EXPORTER_OTLP_PROTOCOL"), "{err}");
/// # Ok::<(), llmtrace::InitError>(())
/// ```
///
/// An OpenTelemetry Collector configuration is checked as `build` reads it, each mistake named
/// with its key path:
///
/// ```
/// let file = "
/// receivers: {otlp: {protocols: {grpc: {}}}}
/// processors:
///   redaction: {alow_all_keys: true}
/// exporters: {debug: {}}
/// service:
///   pipelines:
///     traces: {receivers: [otlp], processors: [redaction], exporters: [debug]}
/// ";
/// let err = llmtrace::check_config(Vec::new(), Some(file)).expect_err("misspelt key");
/// assert!(err.to_string().contains("processors.redaction.alow_all_keys"), "{err}");
/// let fixed = file.replace("alow_all_keys", "allow_all_keys");
/// llmtrace::check_config(Vec::new(), Some(&fixed))?;
/// # Ok::<(), llmtrace::InitError>(())
/// ```
///
/// Checking the process environment and the file it names:
///
/// ```no_run
/// let vars: Vec<(String, String)> = std::env::vars_os()
///     .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
///     .collect();
/// let file = match std::env::var("LLMTRACE_CONFIG") {
///     Ok(path) => Some(std::fs::read_to_string(path)?),
///     Err(_) => None,
/// };
/// llmtrace::config::check_config(vars, file.as_deref())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_config(
    vars: impl IntoIterator<Item = (String, String)>,
    file_text: Option<&str>,
) -> Result<(), InitError> {
    let env: BTreeMap<String, String> = vars.into_iter().collect();
    let settings = EnvSettings::from_env(&env)?;
    if let Some(tolerated) = settings.tolerated.first() {
        return Err(tolerated.clone().into());
    }
    let file = match file_text {
        Some(text) => {
            let path = settings
                .config_file
                .clone()
                .unwrap_or_else(|| PathBuf::from("LLMTRACE_CONFIG"));
            Some(FileConfig::parse_file(&path, text, &env)?)
        }
        None => None,
    };
    let stages = stages(&settings, file.as_ref(), &env)?;
    log_filter(&env)?;
    span_event_filter(&env)?;
    for stage in &stages {
        match stage {
            Stage::TailSampling(config) => config.validate()?,
            Stage::Redaction(config) => {
                Redactor::new(config)?;
            }
            Stage::Attributes(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod check_tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const FILE: &str = "
redaction:
  summary: debug
  custom_rules:
    - {name: employee_id, pattern: 'EMP-[0-9]{6}'}
tail_sampling:
  decision_wait: ${env:WAIT:-10s}
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
";

    #[test]
    fn valid_configurations_pass() {
        assert!(check_config(vars(&[]), None).is_ok());
        assert!(check_config(vars(&[]), Some("")).is_ok());
        assert!(check_config(vars(&[("WAIT", "2s")]), Some(FILE)).is_ok());
        let all = vars(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
            ("LLMTRACE_LOG", "info,my_app=debug"),
            ("LLMTRACE_REDACTION_DISABLED_DETECTORS", "ip_address,phone"),
            ("LLMTRACE_SAMPLING_PERCENTAGE", "25"),
            ("UNRELATED", "ignored"),
        ]);
        assert!(check_config(all, Some(FILE)).is_ok());
    }

    #[test]
    fn each_kind_of_mistake_is_a_typed_error_naming_it() {
        // (variables, config file, what the message must name)
        type Case<'a> = (Vec<(String, String)>, Option<&'a str>, &'a str);
        let cases: Vec<Case<'_>> = vec![
            (
                vars(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "udp")]),
                None,
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            ),
            (vars(&[("LLMTRACE_LOG", "a=b=c")]), None, "LLMTRACE_LOG"),
            (
                vars(&[("LLMTRACE_CONFIG", "/etc/llmtrace.yaml")]),
                Some("redactoin: {}"),
                "/etc/llmtrace.yaml",
            ),
            (vars(&[]), Some("a: ${oops"), "LLMTRACE_CONFIG"),
            (
                vars(&[]),
                Some("redaction: {blocked_values: ['(']}"),
                "blocked_values[0]",
            ),
            (
                vars(&[("LLMTRACE_REDACTION_SUMMARY", "loud")]),
                None,
                "loud",
            ),
            (vars(&[]), Some("tail_sampling: {policies: []}"), "policies"),
            (
                vars(&[("LLMTRACE_SAMPLING_PERCENTAGE", "150")]),
                None,
                "LLMTRACE_SAMPLING_PERCENTAGE",
            ),
        ];
        for (vars, file, needle) in cases {
            let err = check_config(vars.clone(), file)
                .expect_err(&format!("{vars:?} / {file:?} should be rejected"));
            let message = err.to_string();
            assert!(message.contains(needle), "{message} does not name {needle}");
            match err {
                InitError::Config(_) | InitError::Redaction(_) | InitError::Sampling(_) => {}
                other => panic!("unexpected error kind {other:?}"),
            }
        }
    }

    #[test]
    fn switched_off_redaction_is_not_compiled_but_disabled_tracing_still_is() {
        let bad = Some("redaction: {blocked_values: ['(']}");
        assert!(check_config(vars(&[("LLMTRACE_REDACTION", "false")]), bad).is_ok());
        assert!(check_config(vars(&[("OTEL_SDK_DISABLED", "true")]), bad).is_err());
    }

    /// The repository's collector configuration.
    const COLLECTOR_YAML: &str = include_str!("../../../../otel-collector.yaml");

    #[test]
    fn the_repositorys_collector_configuration_is_accepted_and_its_typos_are_named() {
        assert!(check_config(vars(&[]), Some(COLLECTOR_YAML)).is_ok());
        let typo = COLLECTOR_YAML.replace("allow_all_keys: true", "alow_all_keys: true");
        assert_ne!(typo, COLLECTOR_YAML);
        let err = check_config(vars(&[]), Some(&typo)).expect_err("misspelt key");
        assert!(
            err.to_string()
                .contains("processors.redaction.alow_all_keys: unknown key"),
            "{err}"
        );
        // A pipeline that does not exist, an invalid regex, a bad percentage in a variable.
        let err = check_config(
            vars(&[("LLMTRACE_PIPELINE", "traces/tempo")]),
            Some(COLLECTOR_YAML),
        )
        .expect_err("commented out");
        assert!(
            err.to_string().contains("service.pipelines.traces/tempo"),
            "{err}"
        );
        let bad_regex = COLLECTOR_YAML.replace(r#""\\bsk-[A-Za-z0-9_-]{20,}""#, r#""(""#);
        assert_ne!(bad_regex, COLLECTOR_YAML);
        let err = check_config(vars(&[]), Some(&bad_regex)).expect_err("regex");
        assert!(
            err.to_string().contains("processors.redaction: ")
                && err.to_string().contains("blocked_values[2]"),
            "{err}"
        );
        let err = check_config(
            vars(&[("OTELCOL_TAIL_SAMPLING_PERCENTAGE", "lots")]),
            Some(COLLECTOR_YAML),
        )
        .expect_err("not a number");
        assert!(
            err.to_string().contains("processors.tail_sampling"),
            "{err}"
        );
    }

    #[test]
    fn the_yaml_of_docs_configuration_md_is_accepted() {
        let page = include_str!("../../../../docs/configuration.md");
        let yaml = page
            .split("```yaml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("the page's YAML block");
        assert!(yaml.contains("service:"), "{yaml}");
        assert!(check_config(vars(&[]), Some(yaml)).is_ok());
    }

    #[test]
    fn sampling_variables_take_precedence_over_the_file_section() {
        let file = Some("tail_sampling: {policies: []}");
        assert!(check_config(vars(&[]), file).is_err());
        assert!(check_config(vars(&[("LLMTRACE_SAMPLING_PERCENTAGE", "5")]), file).is_ok());
    }
}
