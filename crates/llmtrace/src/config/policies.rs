//! What the environment and the file configure: the `tracing` filters and the stages of the
//! processor chain (redaction, tail sampling, attribute actions).

use llmtrace_processor::redact::{RedactionConfig, RedactionError};
use llmtrace_processor::sample::{SamplingConfigError, TailSamplingConfig};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::EnvFilter;

use super::{ConfigError, Env, EnvSettings, FileConfig};
use crate::attributes::Actions;
use crate::InitError;

/// One configured stage of the processor chain, outermost first in a list.
#[derive(Debug, Clone)]
pub(crate) enum Stage {
    /// Redaction (not compiled yet).
    Redaction(RedactionConfig),
    /// Tail sampling (not validated yet).
    TailSampling(TailSamplingConfig),
    /// The collector's `attributes` processor.
    Attributes(Actions),
}

impl Stage {
    /// The processor type, as the collector names it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Stage::Redaction(_) => "redaction",
            Stage::TailSampling(_) => "tail_sampling",
            Stage::Attributes(_) => "attributes",
        }
    }
}

/// The stages from the environment and the config file, when none is set in code.
///
/// An llmtrace file (or none): redaction (unless `LLMTRACE_REDACTION=false`; the file's
/// section or the defaults, overlaid with `LLMTRACE_REDACTION_*`), then tail sampling (the
/// `LLMTRACE_SAMPLING_*` variables, else the file's section, else none). A collector
/// configuration: its pipeline's stages in order, each redaction overlaid with
/// `LLMTRACE_REDACTION_*` (all dropped by `LLMTRACE_REDACTION=false`), the first tail sampling
/// replaced by the `LLMTRACE_SAMPLING_*` variables when set (appended when there is none).
pub(crate) fn stages(
    settings: &EnvSettings,
    file: Option<&FileConfig>,
    env: &dyn Env,
) -> Result<Vec<Stage>, InitError> {
    let Some(plan) = file.and_then(|f| f.collector.as_ref()) else {
        let mut stages = Vec::new();
        if let Some(config) = redaction_from_env(settings, file, env)? {
            stages.push(Stage::Redaction(config));
        }
        if let Some(config) = tail_sampling_from_env(file, env)? {
            stages.push(Stage::TailSampling(config));
        }
        return Ok(stages);
    };
    let mut from_env = TailSamplingConfig::from_env_vars(|name| env.get(name))?;
    let replace_sampling = from_env.is_some();
    let mut stages = Vec::with_capacity(plan.stages.len() + 1);
    for stage in &plan.stages {
        match stage {
            Stage::Redaction(_) if settings.redaction == Some(false) => {}
            Stage::Redaction(config) => {
                let mut config = config.clone();
                config.apply_env_with(|name| env.get(name))?;
                stages.push(Stage::Redaction(config));
            }
            Stage::TailSampling(_) if replace_sampling => {
                if let Some(config) = from_env.take() {
                    stages.push(Stage::TailSampling(config));
                }
            }
            other => stages.push(other.clone()),
        }
    }
    if let Some(config) = from_env {
        stages.push(Stage::TailSampling(config));
    }
    Ok(stages)
}

/// Targets whose own spans would loop back into the exporter; never traced. Appended to the
/// `LLMTRACE_LOG` directives.
pub(crate) const QUIET_TARGETS: &str =
    "h2=off,hyper=off,hyper_util=off,tonic=off,tower=off,reqwest=off,\
     opentelemetry=off,opentelemetry_sdk=off,opentelemetry_otlp=off";

/// Targets whose events llmtrace already records in structure (retries as attempt spans,
/// failures as the span's status and exception event); their events do not become span events
/// unless `LLMTRACE_SPAN_EVENTS` names them.
pub(crate) const QUIET_EVENT_TARGETS: &[&str] = &["async_openai"];

/// The `tracing` filter from `LLMTRACE_LOG` (default `info`) plus [`QUIET_TARGETS`]: which
/// spans (and events) reach OpenTelemetry.
pub(crate) fn log_filter(env: &dyn Env) -> Result<EnvFilter, ConfigError> {
    let directives = env.get("LLMTRACE_LOG");
    EnvFilter::try_new(format!(
        "{},{QUIET_TARGETS}",
        directives.as_deref().unwrap_or("info")
    ))
    .map_err(|e| {
        ConfigError::invalid(
            "LLMTRACE_LOG",
            directives.as_deref().unwrap_or_default(),
            format!("use tracing filter directives such as `info` or `my_app=debug` ({e})"),
        )
    })
}

/// The targets from `LLMTRACE_SPAN_EVENTS` (default `info`), with [`QUIET_EVENT_TARGETS`] off
/// unless named: which of the `tracing` events inside a traced span become span events (`off`:
/// none). Target and level directives only (`info`, `warn,my_app=debug`), no span-field ones.
pub(crate) fn span_event_filter(env: &dyn Env) -> Result<Targets, ConfigError> {
    const VARIABLE: &str = "LLMTRACE_SPAN_EVENTS";
    let given = env.get(VARIABLE);
    let mut targets: Targets = given.as_deref().unwrap_or("info").parse().map_err(|e| {
        ConfigError::invalid(
            VARIABLE,
            given.as_deref().unwrap_or_default(),
            format!("use target and level directives such as `info` or `warn,my_app=debug` ({e})"),
        )
    })?;
    for quiet in QUIET_EVENT_TARGETS {
        if !targets.iter().any(|(target, _)| target == *quiet) {
            targets = targets.with_target(*quiet, LevelFilter::OFF);
        }
    }
    Ok(targets)
}

/// The redaction policy from the environment and the config file, when none is set in code:
/// `None` when `LLMTRACE_REDACTION=false`, else the file's `redaction:` section (or the
/// defaults) overlaid with the `LLMTRACE_REDACTION_*` variables. Not compiled yet.
fn redaction_from_env(
    settings: &EnvSettings,
    file: Option<&FileConfig>,
    env: &dyn Env,
) -> Result<Option<RedactionConfig>, RedactionError> {
    if settings.redaction == Some(false) {
        return Ok(None);
    }
    let mut config = match file {
        Some(file) => RedactionConfig::from_yaml_document(&file.document)?,
        None => RedactionConfig::default(),
    };
    config.apply_env_with(|name| env.get(name))?;
    Ok(Some(config))
}

/// The tail-sampling policy from the environment and the config file, when none is set in
/// code: the `LLMTRACE_SAMPLING_*` variables if any is set, else the file's `tail_sampling:`
/// section, else `None` (off). Not validated yet.
fn tail_sampling_from_env(
    file: Option<&FileConfig>,
    env: &dyn Env,
) -> Result<Option<TailSamplingConfig>, SamplingConfigError> {
    if let Some(config) = TailSamplingConfig::from_env_vars(|name| env.get(name))? {
        return Ok(Some(config));
    }
    file.and_then(|f| f.tail_sampling.as_deref())
        .map(TailSamplingConfig::from_yaml_str)
        .transpose()
}
