//! The `LLMTRACE_CONFIG` file, with `${env:VAR:-default}` references replaced: either
//! llmtrace's own sections (`redaction:`, `tail_sampling:`) or an OpenTelemetry Collector
//! configuration, whose traces pipeline is read by [`super::collector`].

use super::collector::{is_collector_config, CollectorPlan};
use super::{ConfigError, Env};

/// The variable naming the collector pipeline to read (default `traces`).
pub(crate) const PIPELINE_VARIABLE: &str = "LLMTRACE_PIPELINE";

/// An `LLMTRACE_CONFIG` YAML file, with `${env:VAR:-default}` / `${VAR}` references already
/// replaced.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileConfig {
    /// The whole document (the redaction section of an llmtrace file is read from it).
    pub(crate) document: String,
    /// The `tail_sampling:` section body of an llmtrace file, if present.
    pub(crate) tail_sampling: Option<String>,
    /// What a collector configuration's pipeline asks for.
    pub(crate) collector: Option<CollectorPlan>,
}

/// Keys a config file may hold at the top level.
const FILE_SECTIONS: &[&str] = &["redaction", "tail_sampling"];

impl FileConfig {
    pub(crate) fn read(path: &std::path::Path, env: &dyn Env) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        FileConfig::parse_file(path, &text, env)
    }

    /// [`parse`](Self::parse), its error naming the file `path`.
    pub(crate) fn parse_file(
        path: &std::path::Path,
        text: &str,
        env: &dyn Env,
    ) -> Result<Self, ConfigError> {
        FileConfig::parse(text, env).map_err(|message| ConfigError::File {
            path: path.to_owned(),
            message,
        })
    }

    pub(crate) fn parse(text: &str, env: &dyn Env) -> Result<Self, String> {
        let document = substitute_env(text, env)?;
        let value: serde_norway::Value =
            serde_norway::from_str(&document).map_err(|e| e.to_string())?;
        let mapping = match &value {
            serde_norway::Value::Mapping(m) => m.clone(),
            serde_norway::Value::Null => serde_norway::Mapping::new(),
            _ => {
                return Err(
                    "the file must be a mapping with `redaction:` and/or `tail_sampling:`".into(),
                )
            }
        };
        if is_collector_config(&mapping) {
            let pipeline = env.get(PIPELINE_VARIABLE);
            let plan = CollectorPlan::read(&mapping, pipeline.as_deref())?;
            return Ok(FileConfig {
                document,
                tail_sampling: None,
                collector: Some(plan),
            });
        }
        for key in mapping.keys() {
            let name = key.as_str().unwrap_or_default();
            if !FILE_SECTIONS.contains(&name) {
                return Err(format!(
                    "unknown section `{name}`; the sections are {} (or those of an \
                     OpenTelemetry Collector configuration: {})",
                    FILE_SECTIONS.join(", "),
                    super::collector::COLLECTOR_SECTIONS.join(", ")
                ));
            }
        }
        let tail_sampling = match mapping.get("tail_sampling") {
            None | Some(serde_norway::Value::Null) => None,
            Some(section) => Some(serde_norway::to_string(section).map_err(|e| e.to_string())?),
        };
        Ok(FileConfig {
            document,
            tail_sampling,
            collector: None,
        })
    }
}

/// Replaces `${env:VAR}`, `${env:VAR:-default}`, `${VAR}` and `${VAR:-default}` as the
/// OpenTelemetry Collector does, so one file serves both; `$$` is a literal `$`.
pub(crate) fn substitute_env(text: &str, env: &dyn Env) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in `{}`", excerpt(&rest[at..], 40)))?;
            let reference = &body[..end];
            let reference = reference.strip_prefix("env:").unwrap_or(reference);
            let (name, default) = match reference.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (reference, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`${{{reference}}}` is not a variable reference"));
            }
            out.push_str(
                &env.get(name)
                    .or(default.map(str::to_owned))
                    .unwrap_or_default(),
            );
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// At most the first `max_bytes` of `text`, cut at a char boundary.
fn excerpt(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use crate::config::test_env::env;

    #[test]
    fn an_unclosed_reference_before_multibyte_text_is_an_error_not_a_panic() {
        // Found by the `check_config` fuzz target: the message's excerpt cut a char in two.
        let text = format!("a: ${{env:{}", "\u{fffd}".repeat(20));
        let err = substitute_env(&text, &env(&[])).expect_err("unclosed");
        assert!(err.starts_with("unclosed `${`"), "{err}");
        assert_eq!(excerpt("ab\u{fffd}", 3), "ab");
    }

    #[test]
    fn references_are_substituted_like_the_collector_does() {
        let e = env(&[("PCT", "25")]);
        assert_eq!(
            substitute_env(
                "a: ${env:PCT:-10} b: ${MISSING:-x} c: ${PCT} d: $$5 e: $x",
                &e
            ),
            Ok("a: 25 b: x c: 25 d: $5 e: $x".to_owned())
        );
        assert!(substitute_env("a: ${oops", &e).is_err());
        assert!(substitute_env("a: ${no spaces}", &e).is_err());
    }

    #[test]
    fn unknown_sections_are_errors_and_sections_are_split() {
        let err = FileConfig::parse("redactoin: {}", &env(&[])).expect_err("typo");
        assert!(err.contains("redactoin"), "{err}");
        let file = FileConfig::parse(
            "redaction: {summary: debug}\ntail_sampling:\n  policies: []\n",
            &env(&[]),
        )
        .expect("valid");
        assert!(file.tail_sampling.expect("section").contains("policies"));
    }
}
