//! [`Actions`]: an ordered list of attribute actions and how one list of key-values changes.

use opentelemetry::{Key, KeyValue, Value};
use regex::Regex;
use sha2::{Digest, Sha256};

/// What one action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActionKind {
    /// Sets the key when it is absent.
    Insert,
    /// Sets the key when it is present.
    Update,
    /// Sets the key.
    Upsert,
    /// Removes the key(s).
    Delete,
    /// Replaces the value(s) by their SHA-256 hex digest.
    Hash,
}

/// Which keys an action touches.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// One key.
    Key(String),
    /// Every key matching the regex (`delete` and `hash` only), and `key` if given.
    Pattern(Option<String>, Regex),
}

impl Target {
    fn matches(&self, key: &str) -> bool {
        match self {
            Target::Key(k) => k == key,
            Target::Pattern(k, re) => k.as_deref() == Some(key) || re.is_match(key),
        }
    }
}

/// Where a set value comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// A literal.
    Value(Value),
    /// The value of another attribute.
    FromAttribute(String),
}

/// One action.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    pub(crate) kind: ActionKind,
    pub(crate) target: Target,
    /// For insert / update / upsert.
    pub(crate) source: Option<Source>,
}

/// The actions of one `attributes` or `resource` processor, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Actions(pub(crate) Vec<Action>);

impl Actions {
    /// Applies every action in order to `attributes`.
    pub(crate) fn apply(&self, attributes: &mut Vec<KeyValue>) {
        for action in &self.0 {
            action.apply(attributes);
        }
    }
}

impl Action {
    fn apply(&self, attributes: &mut Vec<KeyValue>) {
        match self.kind {
            ActionKind::Delete => attributes.retain(|kv| !self.target.matches(kv.key.as_str())),
            ActionKind::Hash => {
                for kv in attributes.iter_mut() {
                    if self.target.matches(kv.key.as_str()) {
                        kv.value = Value::from(sha256_hex(&kv.value));
                    }
                }
            }
            ActionKind::Insert | ActionKind::Update | ActionKind::Upsert => self.set(attributes),
        }
    }

    fn set(&self, attributes: &mut Vec<KeyValue>) {
        let Target::Key(key) = &self.target else {
            return;
        };
        let value = match &self.source {
            Some(Source::Value(v)) => v.clone(),
            Some(Source::FromAttribute(from)) => {
                match attributes.iter().find(|kv| kv.key.as_str() == from) {
                    Some(kv) => kv.value.clone(),
                    None => return,
                }
            }
            None => return,
        };
        let existing = attributes.iter_mut().find(|kv| kv.key.as_str() == key);
        match (existing, self.kind) {
            (Some(kv), ActionKind::Update | ActionKind::Upsert) => kv.value = value,
            (None, ActionKind::Insert | ActionKind::Upsert) => {
                attributes.push(KeyValue::new(Key::from(key.clone()), value));
            }
            _ => {}
        }
    }
}

/// The collector's hash of an attribute value: hex SHA-256 of its bytes.
fn sha256_hex(value: &Value) -> String {
    let bytes: Vec<u8> = match value {
        Value::String(s) => s.as_str().as_bytes().to_vec(),
        Value::Bool(b) => vec![u8::from(*b)],
        Value::I64(i) => i.to_le_bytes().to_vec(),
        Value::F64(f) => f.to_bits().to_le_bytes().to_vec(),
        _ => return String::new(),
    };
    hex::encode(Sha256::digest(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: ActionKind, key: &str, source: Option<Source>) -> Action {
        Action {
            kind,
            target: Target::Key(key.to_owned()),
            source,
        }
    }

    fn get<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
        attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }

    #[test]
    fn insert_update_and_upsert_follow_the_collectors_presence_rules() {
        let value = |s: &str| Some(Source::Value(Value::from(s.to_owned())));
        let actions = Actions(vec![
            action(ActionKind::Insert, "present", value("inserted")),
            action(ActionKind::Insert, "new", value("inserted")),
            action(ActionKind::Update, "absent", value("updated")),
            action(ActionKind::Update, "other", value("updated")),
            action(ActionKind::Upsert, "up", value("upserted")),
            action(
                ActionKind::Upsert,
                "copy",
                Some(Source::FromAttribute("present".into())),
            ),
            action(
                ActionKind::Insert,
                "nothing",
                Some(Source::FromAttribute("missing".into())),
            ),
        ]);
        let mut attributes = vec![
            KeyValue::new("present", "kept"),
            KeyValue::new("other", "old"),
        ];
        actions.apply(&mut attributes);
        assert_eq!(get(&attributes, "present"), Some(&Value::from("kept")));
        assert_eq!(get(&attributes, "new"), Some(&Value::from("inserted")));
        assert_eq!(get(&attributes, "absent"), None);
        assert_eq!(get(&attributes, "other"), Some(&Value::from("updated")));
        assert_eq!(get(&attributes, "up"), Some(&Value::from("upserted")));
        assert_eq!(get(&attributes, "copy"), Some(&Value::from("kept")));
        assert_eq!(get(&attributes, "nothing"), None);
    }

    #[test]
    fn delete_and_hash_take_a_key_or_a_pattern() {
        let pattern = |re: &str| Target::Pattern(None, Regex::new(re).expect("regex"));
        let actions = Actions(vec![
            Action {
                kind: ActionKind::Delete,
                target: pattern("^tmp\\."),
                source: None,
            },
            action(ActionKind::Hash, "user.email", None),
            Action {
                kind: ActionKind::Hash,
                target: pattern("^n$"),
                source: None,
            },
        ]);
        let mut attributes = vec![
            KeyValue::new("tmp.a", "x"),
            KeyValue::new("tmp.b", 1),
            KeyValue::new("user.email", "ada@example.org"),
            KeyValue::new("n", 1_i64),
        ];
        actions.apply(&mut attributes);
        assert_eq!(attributes.len(), 2);
        // sha256("ada@example.org") and sha256(1_i64 as 8 little-endian bytes)
        assert_eq!(
            get(&attributes, "user.email"),
            Some(&Value::from(hex::encode(Sha256::digest(
                b"ada@example.org"
            ))))
        );
        assert_eq!(
            get(&attributes, "n"),
            Some(&Value::from(hex::encode(Sha256::digest(
                1_i64.to_le_bytes()
            ))))
        );
    }
}
