//! The processors of a collector configuration that llmtrace runs in-process, each read with
//! the collector's keys and defaults: `redaction`, `tail_sampling`, `attributes`, `resource`,
//! `batch`, `memory_limiter`.

use std::time::Duration;

use llmtrace_processor::redact::{HashFunction, HashKey, RedactionConfig, Redactor, Summary};
use llmtrace_processor::sample::TailSamplingConfig;
use regex::Regex;
use serde_norway::Value;

use super::keys::{kind, scalar_string, Section};
use crate::attributes::{Action, ActionKind, Actions, Target};
use crate::config::Stage;

/// Keys of the collector's `redaction` processor (v0.161).
const REDACTION_KEYS: &[&str] = &[
    "allow_all_keys",
    "allowed_keys",
    "ignored_keys",
    "ignored_key_patterns",
    "blocked_key_patterns",
    "blocked_values",
    "allowed_values",
    "hash_function",
    "hmac_key",
    "summary",
    "redact_all_types",
    "url_sanitizer",
    "db_sanitizer",
];

/// Collector `redaction` keys llmtrace does not implement: an error when set, so nothing the
/// collector would scrub passes in-process unnoticed.
const REDACTION_COLLECTOR_ONLY: &[&str] = &[
    "ignored_key_patterns",
    "url_sanitizer",
    "db_sanitizer",
    "redact_all_types",
];

/// What one implemented processor contributes.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    /// A stage of the span processor chain.
    Stage(Box<Stage>),
    /// Resource attribute actions (applied once, to the resource).
    Resource(Actions),
    /// Batch settings.
    Batch(Batch),
    /// A bound on the spans queued for export.
    QueueSpans(usize),
    /// Nothing in-process beyond a note (e.g. `memory_limiter` with `limit_percentage`).
    Note(String),
}

/// The `batch` processor as the export batch settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) timeout: Duration,
    pub(crate) size: usize,
}

/// The processor types llmtrace implements.
pub(crate) const IMPLEMENTED: &[&str] = &[
    "redaction",
    "tail_sampling",
    "attributes",
    "resource",
    "batch",
    "memory_limiter",
];

/// Reads a processor of type `kind_name` (one of [`IMPLEMENTED`]) from its `section`.
pub(crate) fn read(kind_name: &str, section: Section<'_>) -> Result<Piece, String> {
    match kind_name {
        "redaction" => redaction(section).map(|c| Piece::Stage(Box::new(Stage::Redaction(c)))),
        "tail_sampling" => {
            tail_sampling(section).map(|c| Piece::Stage(Box::new(Stage::TailSampling(c))))
        }
        "attributes" => {
            section.only(&["actions"])?;
            actions(section).map(|a| Piece::Stage(Box::new(Stage::Attributes(a))))
        }
        "resource" => {
            section.only(&["attributes"])?;
            actions_at(section, "attributes").map(Piece::Resource)
        }
        "batch" => batch(section).map(Piece::Batch),
        _ => memory_limiter(section),
    }
}

/// The collector's `redaction` processor with the collector's defaults: `allow_all_keys: false`,
/// and no summary attributes unless `summary` asks for them.
fn redaction(section: Section<'_>) -> Result<RedactionConfig, String> {
    section.only(REDACTION_KEYS)?;
    for key in REDACTION_COLLECTOR_ONLY {
        if let Some(value) = section.get(key) {
            if switched_off(value) {
                continue;
            }
            return Err(format!(
                "{}: not implemented in-process; remove it or run this redaction in the \
                 collector only",
                section.at(key)
            ));
        }
    }
    let mut config = RedactionConfig::default();
    config.allow_all_keys = section.bool("allow_all_keys")?.unwrap_or(false);
    config.allowed_keys = section.strings("allowed_keys")?;
    config.ignored_keys = section.strings("ignored_keys")?;
    config.blocked_key_patterns = section.strings("blocked_key_patterns")?;
    config.blocked_values = section.strings("blocked_values")?;
    config.allowed_values = section.strings("allowed_values")?;
    // The collector treats every key alike: GenAI structure is removed when not allowed and
    // scanned like any other value.
    config.skip_structural_keys = false;
    config.summary = match section.string("summary")?.as_deref() {
        None | Some("") => Summary::Silent,
        Some(text) => text
            .parse()
            .map_err(|_| format!("{}: use debug, info or silent", section.at("summary")))?,
    };
    if let Some(name) = section.string("hash_function")? {
        config.hash_function = hash_function(&section, &name)?;
    }
    if let Some(key) = section.string("hmac_key")? {
        if !key.is_empty() {
            config.hash_key = Some(HashKey::new(key.into_bytes()));
        }
    }
    compiles(&section, &config)?;
    Ok(config)
}

/// `false`, or a section with `enabled: false`: a collector-only feature that is off.
fn switched_off(value: &Value) -> bool {
    match value {
        Value::Bool(on) => !on,
        Value::Mapping(map) => matches!(map.get("enabled"), Some(Value::Bool(false))),
        _ => false,
    }
}

/// Compiles `config` once so a bad regex is named with its key path; the HMAC key may still
/// come from `LLMTRACE_REDACTION_HASH_KEY`, so a stand-in is used when none is set here.
fn compiles(section: &Section<'_>, config: &RedactionConfig) -> Result<(), String> {
    let mut check = config.clone();
    if check.hash_key.is_none() {
        check.hash_key = Some(HashKey::new(vec![0; 32]));
    }
    Redactor::new(&check)
        .map(drop)
        .map_err(|e| format!("{}: {e}", section.path))
}

fn hash_function(section: &Section<'_>, name: &str) -> Result<HashFunction, String> {
    match name.trim().to_ascii_lowercase().as_str() {
        "" | "none" => Ok(HashFunction::None),
        "hmac-sha256" | "hmac_sha256" => Ok(HashFunction::HmacSha256),
        "sha256" => Ok(HashFunction::Sha256),
        other => Err(format!(
            "{}: {other:?} is not offered in-process (unkeyed md5/sha1/sha3 hashes of short \
             values are reversible); use hmac-sha256 with hmac_key",
            section.at("hash_function")
        )),
    }
}

/// The `tail_sampling` section, with llmtrace's parser (collector keys and defaults).
fn tail_sampling(section: Section<'_>) -> Result<TailSamplingConfig, String> {
    let text = match section.map {
        Some(map) => serde_norway::to_string(map).map_err(|e| format!("{}: {e}", section.path))?,
        None => String::new(),
    };
    let config =
        TailSamplingConfig::from_yaml_str(&text).map_err(|e| format!("{}: {e}", section.path))?;
    config
        .validate()
        .map_err(|e| format!("{}: {e}", section.path))?;
    Ok(config)
}

fn batch(section: Section<'_>) -> Result<Batch, String> {
    section.only(&[
        "timeout",
        "send_batch_size",
        "send_batch_max_size",
        "metadata_keys",
        "metadata_cardinality_limit",
    ])?;
    let size = section.uint("send_batch_size")?.unwrap_or(8192);
    let max = section.uint("send_batch_max_size")?.unwrap_or(0);
    let size = if max > 0 { size.min(max) } else { size };
    Ok(Batch {
        timeout: section
            .duration("timeout")?
            .unwrap_or(Duration::from_millis(200)),
        size: usize::try_from(size.max(1)).unwrap_or(usize::MAX),
    })
}

/// Approximate bytes of one queued GenAI span (attributes with messages), for turning
/// `limit_mib` into a queue bound.
const BYTES_PER_QUEUED_SPAN: u64 = 4096;

fn memory_limiter(section: Section<'_>) -> Result<Piece, String> {
    section.only(&[
        "check_interval",
        "limit_mib",
        "spike_limit_mib",
        "limit_percentage",
        "spike_limit_percentage",
        "min_gc_interval_when_soft_limited",
        "min_gc_interval_when_hard_limited",
    ])?;
    section.duration("check_interval")?;
    let Some(limit) = section.uint("limit_mib")? else {
        return Ok(Piece::Note(format!(
            "{}: only limit_mib bounds the in-process queue",
            section.path
        )));
    };
    let spike = section.uint("spike_limit_mib")?.unwrap_or(limit / 5);
    let soft = limit.saturating_sub(spike).max(1);
    let spans = soft.saturating_mul(1024 * 1024) / BYTES_PER_QUEUED_SPAN;
    Ok(Piece::QueueSpans(
        usize::try_from(spans).unwrap_or(usize::MAX),
    ))
}

/// The `actions:` list of an `attributes` processor.
fn actions(section: Section<'_>) -> Result<Actions, String> {
    actions_at(section, "actions")
}

fn actions_at(section: Section<'_>, key: &str) -> Result<Actions, String> {
    let path = section.at(key);
    let items = match section.get(key) {
        None => return Err(format!("{path}: missing; list at least one action")),
        Some(Value::Sequence(items)) => items,
        Some(other) => return Err(format!("{path}: expected a list, found {}", kind(other))),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        out.push(action(Section::of(&item_path, Some(item))?)?);
    }
    Ok(Actions(out))
}

fn action(section: Section<'_>) -> Result<Action, String> {
    section.only(&[
        "key",
        "pattern",
        "action",
        "value",
        "from_attribute",
        "from_context",
        "converted_type",
    ])?;
    let name = section
        .string("action")?
        .ok_or_else(|| format!("{}: missing", section.at("action")))?;
    let kind = match name.to_ascii_lowercase().as_str() {
        "insert" => ActionKind::Insert,
        "update" => ActionKind::Update,
        "upsert" => ActionKind::Upsert,
        "delete" => ActionKind::Delete,
        "hash" => ActionKind::Hash,
        other => {
            return Err(format!(
                "{}: {other:?} is not implemented in-process (insert, update, upsert, delete, \
                 hash are)",
                section.at("action")
            ))
        }
    };
    for key in ["from_context", "converted_type"] {
        if section.get(key).is_some() {
            return Err(format!("{}: not implemented in-process", section.at(key)));
        }
    }
    let key = section.string("key")?.filter(|k| !k.is_empty());
    let target = match (section.string("pattern")?, kind) {
        (Some(pattern), ActionKind::Delete | ActionKind::Hash) => {
            let re = Regex::new(&pattern).map_err(|e| format!("{}: {e}", section.at("pattern")))?;
            Target::Pattern(key, re)
        }
        (Some(_), _) => {
            return Err(format!(
                "{}: only delete and hash take a pattern",
                section.at("pattern")
            ))
        }
        (None, _) => Target::Key(key.ok_or_else(|| format!("{}: missing", section.at("key")))?),
    };
    let source = match kind {
        ActionKind::Delete | ActionKind::Hash => None,
        _ => Some(source(&section)?),
    };
    Ok(Action {
        kind,
        target,
        source,
    })
}

fn source(section: &Section<'_>) -> Result<crate::attributes::Source, String> {
    use crate::attributes::Source;
    match (section.get("value"), section.string("from_attribute")?) {
        (Some(value), None) => Ok(Source::Value(otel_value(value).ok_or_else(|| {
            format!(
                "{}: expected a string, number or boolean",
                section.at("value")
            )
        })?)),
        (None, Some(from)) => Ok(Source::FromAttribute(from)),
        _ => Err(format!(
            "{}: give exactly one of value and from_attribute",
            section.path
        )),
    }
}

/// A YAML scalar as an attribute value of the same type.
fn otel_value(value: &Value) -> Option<opentelemetry::Value> {
    match value {
        Value::Bool(b) => Some((*b).into()),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(i.into()),
            None => n.as_f64().map(Into::into),
        },
        Value::String(_) => scalar_string(value).map(Into::into),
        _ => None,
    }
}

#[cfg(test)]
mod processors_tests {
    use super::*;

    fn piece(kind_name: &str, yaml: &str) -> Result<Piece, String> {
        let value: Value = serde_norway::from_str(yaml).expect("yaml");
        let path = format!("processors.{kind_name}");
        read(kind_name, Section::of(&path, Some(&value))?)
    }

    #[test]
    fn redaction_takes_the_collectors_defaults() {
        let Ok(Piece::Stage(stage)) = piece("redaction", "{}") else {
            panic!("a stage");
        };
        let Stage::Redaction(config) = *stage else {
            panic!("a redaction stage");
        };
        assert!(!config.allow_all_keys, "collector default");
        assert_eq!(config.summary, Summary::Silent);
        let err = piece("redaction", "{alow_all_keys: true}").expect_err("typo");
        assert!(
            err.starts_with("processors.redaction.alow_all_keys: unknown key"),
            "{err}"
        );
        let err = piece("redaction", "{hash_function: md5}").expect_err("md5");
        assert!(err.contains("processors.redaction.hash_function"), "{err}");
        let err = piece("redaction", "{url_sanitizer: {enabled: true}}").expect_err("url");
        assert!(err.contains("url_sanitizer"), "{err}");
        assert!(piece("redaction", "{url_sanitizer: {enabled: false}}").is_ok());
        let err = piece("redaction", "{blocked_values: ['ok', '(']}").expect_err("regex");
        assert!(
            err.starts_with("processors.redaction: ") && err.contains("blocked_values[1]"),
            "{err}"
        );
    }

    #[test]
    fn batch_memory_limiter_and_actions_are_read() {
        let Ok(Piece::Batch(batch)) = piece(
            "batch",
            "{timeout: 1s, send_batch_size: 512, send_batch_max_size: 256}",
        ) else {
            panic!("a batch");
        };
        assert_eq!(batch.timeout, Duration::from_secs(1));
        assert_eq!(batch.size, 256);
        let Ok(Piece::QueueSpans(spans)) = piece(
            "memory_limiter",
            "{check_interval: 1s, limit_mib: 4, spike_limit_mib: 2}",
        ) else {
            panic!("a queue bound");
        };
        assert_eq!(spans, 512);
        let err = piece("attributes", "{actions: [{key: a, action: extract}]}").expect_err("x");
        assert!(
            err.starts_with("processors.attributes.actions[0].action"),
            "{err}"
        );
        let err = piece("attributes", "{actions: [{key: a, action: insert}]}").expect_err("x");
        assert!(err.contains("value and from_attribute"), "{err}");
        assert!(piece("resource", "{attributes: [{key: a, action: delete}]}").is_ok());
    }
}
