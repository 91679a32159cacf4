//! Reading YAML sections with key paths: every error names where it is
//! (`processors.redaction.alow_all_keys`), unknown keys are errors.

use std::time::Duration;

use serde_norway::{Mapping, Value};

/// A section of the document and its key path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Section<'a> {
    pub(crate) path: &'a str,
    pub(crate) map: Option<&'a Mapping>,
}

impl<'a> Section<'a> {
    /// `value` at `path`: a mapping, or null / absent (an empty section). Anything else is an
    /// error naming `path`.
    pub(crate) fn of(path: &'a str, value: Option<&'a Value>) -> Result<Self, String> {
        match value {
            None | Some(Value::Null) => Ok(Section { path, map: None }),
            Some(Value::Mapping(map)) => Ok(Section {
                path,
                map: Some(map),
            }),
            Some(other) => Err(format!("{path}: expected a mapping, found {}", kind(other))),
        }
    }

    /// Fails on the first key not in `known`, naming its path and the keys allowed.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), String> {
        for key in self.map.into_iter().flat_map(|m| m.keys()) {
            let name = key_name(key);
            if !known.contains(&name.as_str()) {
                return Err(format!(
                    "{}.{name}: unknown key; the keys here are {}",
                    self.path,
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The value of `key`, if present and not null.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map?.get(key).filter(|v| !v.is_null())
    }

    /// The path of `key` inside this section.
    pub(crate) fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// A boolean (`true`/`false`, also as a string, as after `${env:…}` substitution).
    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        self.get(key)
            .map(|v| match v {
                Value::Bool(b) => Ok(*b),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
                other => Err(format!(
                    "{}: expected true or false, found {}",
                    self.at(key),
                    shown(other)
                )),
            })
            .transpose()
    }

    /// A non-negative integer.
    pub(crate) fn uint(&self, key: &str) -> Result<Option<u64>, String> {
        self.get(key)
            .map(|v| match v {
                Value::Number(n) if n.as_u64().is_some() => Ok(n.as_u64().unwrap_or_default()),
                Value::String(s) if s.trim().parse::<u64>().is_ok() => {
                    Ok(s.trim().parse().unwrap_or_default())
                }
                other => Err(format!(
                    "{}: expected a non-negative integer, found {}",
                    self.at(key),
                    shown(other)
                )),
            })
            .transpose()
    }

    /// A string (numbers and booleans are taken as written).
    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, String> {
        self.get(key)
            .map(|v| scalar_string(v).ok_or_else(|| format!("{}: expected a string", self.at(key))))
            .transpose()
    }

    /// A list of strings.
    pub(crate) fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Sequence(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    scalar_string(v)
                        .ok_or_else(|| format!("{}[{i}]: expected a string", self.at(key)))
                })
                .collect(),
            Some(other) => Err(format!(
                "{}: expected a list, found {}",
                self.at(key),
                kind(other)
            )),
        }
    }

    /// A duration as the collector writes it (`200ms`, `5s`, `1m30s`; a bare number is
    /// nanoseconds).
    pub(crate) fn duration(&self, key: &str) -> Result<Option<Duration>, String> {
        self.get(key)
            .map(|v| {
                let text = scalar_string(v).unwrap_or_default();
                parse_go_duration(&text).ok_or_else(|| {
                    format!(
                        "{}: {text:?} is not a duration; write e.g. 200ms, 5s or 1m30s",
                        self.at(key)
                    )
                })
            })
            .transpose()
    }
}

/// A key as text (YAML keys may be numbers or booleans).
pub(crate) fn key_name(key: &Value) -> String {
    scalar_string(key).unwrap_or_else(|| "<non-scalar key>".to_owned())
}

/// A scalar's text; `None` for mappings and sequences.
pub(crate) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// What kind of YAML value this is, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn shown(value: &Value) -> String {
    scalar_string(value).map_or_else(|| kind(value).to_owned(), |s| format!("{s:?}"))
}

/// Parses Go's `time.ParseDuration` syntax: a sequence of numbers with units `ns`, `us`, `µs`,
/// `ms`, `s`, `m`, `h`; a bare integer is nanoseconds (as the collector's decoder takes it).
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(nanos) = text.parse::<u64>() {
        return Some(Duration::from_nanos(nanos));
    }
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += number * seconds_per_unit;
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod keys_tests {
    use super::*;

    #[test]
    fn go_durations_parse_like_the_collector() {
        assert_eq!(parse_go_duration("200ms"), Some(Duration::from_millis(200)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("1000"), Some(Duration::from_nanos(1000)));
        for bad in ["", "s", "5 sec", "-1s", "1d"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn unknown_keys_name_their_path() {
        let value: Value = serde_norway::from_str("{a: 1, alow: 2}").expect("yaml");
        let section = Section::of("processors.x", Some(&value)).expect("mapping");
        let err = section.only(&["a"]).expect_err("alow is unknown");
        assert!(err.starts_with("processors.x.alow: unknown key"), "{err}");
        let err = Section::of("p", Some(&Value::from(3))).expect_err("not a mapping");
        assert!(err.contains("p: expected a mapping"), "{err}");
    }
}
