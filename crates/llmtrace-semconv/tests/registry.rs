//! Checks every exported `gen_ai.*`, `error.*` and `server.*` key against the semantic-convention
//! registry YAML of the pinned version (in `shared/semconv/` beside the repository).

use std::collections::HashMap;
use std::path::PathBuf;

use llmtrace_semconv::{attribute, Operation, OutputType, Provider, TokenType, ValueType};
use serde::Deserialize;

#[derive(Deserialize)]
struct Registry {
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(default)]
    attributes: Vec<Attribute>,
}

#[derive(Deserialize)]
struct Attribute {
    id: Option<String>,
    #[serde(rename = "type")]
    ty: Option<serde_norway::Value>,
    deprecated: Option<serde_norway::Value>,
}

struct Entry {
    ty: serde_norway::Value,
    deprecated: bool,
}

fn registry_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/semconv/v1.41.1");
    assert!(
        dir.is_dir(),
        "semantic-convention registry not found at {}: the repository must be checked out with shared/ beside it",
        dir.display()
    );
    dir
}

fn load(files: &[&str]) -> HashMap<String, Entry> {
    let mut entries = HashMap::new();
    for file in files {
        let path = registry_dir().join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let registry: Registry = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
        for attr in registry.groups.into_iter().flat_map(|g| g.attributes) {
            if let (Some(id), Some(ty)) = (attr.id, attr.ty) {
                entries.insert(
                    id,
                    Entry {
                        ty,
                        deprecated: attr.deprecated.is_some(),
                    },
                );
            }
        }
    }
    entries
}

fn registry() -> HashMap<String, Entry> {
    load(&[
        "gen-ai/registry.yaml",
        "gen-ai/deprecated/registry-deprecated.yaml",
        "error/registry.yaml",
        "server/registry.yaml",
    ])
}

fn type_of(value: &serde_norway::Value) -> ValueType {
    match value {
        serde_norway::Value::String(s) => match s.as_str() {
            "string" => ValueType::String,
            "string[]" => ValueType::StringArray,
            "int" => ValueType::Int,
            "double" => ValueType::Double,
            "boolean" => ValueType::Boolean,
            "any" => ValueType::Any,
            other => panic!("unexpected registry type {other}"),
        },
        serde_norway::Value::Mapping(_) => ValueType::Enum,
        other => panic!("unexpected registry type {other:?}"),
    }
}

fn enum_members(value: &serde_norway::Value) -> Vec<String> {
    value["members"]
        .as_sequence()
        .expect("enum type has members")
        .iter()
        .map(|m| m["value"].as_str().expect("member value").to_owned())
        .collect()
}

#[test]
fn every_exported_key_is_in_the_registry_with_the_same_type_and_not_deprecated() {
    let registry = registry();
    let mut problems = Vec::new();
    for def in attribute::ALL {
        match registry.get(def.key) {
            None => problems.push(format!("{} is not in the registry", def.key)),
            Some(entry) if entry.deprecated => problems.push(format!("{} is deprecated", def.key)),
            Some(entry) => {
                let expected = type_of(&entry.ty);
                if expected != def.value_type {
                    problems.push(format!(
                        "{} is {:?} in the registry but {:?} here",
                        def.key, expected, def.value_type
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_catches_a_deprecated_key() {
    // The deprecated file is loaded, so a renamed key would be reported rather than missed.
    let registry = registry();
    let entry = registry
        .get("gen_ai.usage.prompt_tokens")
        .expect("the deprecated registry lists gen_ai.usage.prompt_tokens");
    assert!(entry.deprecated);
    assert!(!attribute::ALL
        .iter()
        .any(|d| d.key == "gen_ai.usage.prompt_tokens"));
}

fn assert_enum_matches(key: &str, ours: &[&str]) {
    let registry = registry();
    let members = enum_members(&registry[key].ty);
    for value in ours {
        assert!(
            members.iter().any(|m| m == value),
            "{key}: {value} is not a registry member ({members:?})"
        );
    }
    for member in &members {
        assert!(
            ours.contains(&member.as_str()),
            "{key}: registry member {member} has no variant here"
        );
    }
}

#[test]
fn typed_enums_match_registry_members() {
    assert_enum_matches(
        attribute::GEN_AI_OPERATION_NAME,
        &Operation::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>(),
    );
    assert_enum_matches(
        attribute::GEN_AI_PROVIDER_NAME,
        &Provider::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
    );
    assert_enum_matches(
        attribute::GEN_AI_OUTPUT_TYPE,
        &OutputType::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>(),
    );
    let tokens: Vec<_> = TokenType::ALL.iter().map(|v| v.as_str()).collect();
    let registry = registry();
    let members = enum_members(&registry[attribute::GEN_AI_TOKEN_TYPE].ty);
    for value in &tokens {
        assert!(members.iter().any(|m| m == value), "token type {value}");
    }
}

#[test]
fn span_names_follow_the_rule() {
    use llmtrace_semconv::span_name;
    assert_eq!(span_name(Operation::Chat, Some("gpt-4o")), "chat gpt-4o");
    assert_eq!(
        span_name(Operation::ExecuteTool, Some("get_weather")),
        "execute_tool get_weather"
    );
    assert_eq!(span_name(Operation::Retrieval, None), "retrieval");
    assert_eq!(span_name(Operation::Embeddings, Some("")), "embeddings");
}
