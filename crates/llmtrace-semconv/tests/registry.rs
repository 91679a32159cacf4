//! Checks every exported `gen_ai.*`, `error.*` and `server.*` key, and the typed enums, against
//! the in-crate snapshot of the semantic-convention registry (`llmtrace_semconv::registry`,
//! generated from the pinned tag by `registry/generate.py`; see `registry/README.md`).
//!
//! Nothing here reads a file: the snapshot is compiled in. The one test that regenerates it runs
//! only when `LLMTRACE_SEMCONV_MODEL_DIR` names a registry `model/` folder.

use std::process::Command;

use llmtrace_semconv::registry::{
    self, DeprecationReason, EnumBase, GroupKind, RegistrySpanKind, RegistryType, RequirementLevel,
    Stability,
};
use llmtrace_semconv::{attribute, Operation, OutputType, Provider, TokenType, ValueType};

/// The crate's name for a registry type; `None` for types the crate has no constant of.
fn value_type(ty: RegistryType) -> Option<ValueType> {
    Some(match ty {
        RegistryType::String => ValueType::String,
        RegistryType::StringArray => ValueType::StringArray,
        RegistryType::Int => ValueType::Int,
        RegistryType::Double => ValueType::Double,
        RegistryType::Boolean => ValueType::Boolean,
        RegistryType::Any => ValueType::Any,
        RegistryType::Enum(_) => ValueType::Enum,
        RegistryType::IntArray | RegistryType::DoubleArray | RegistryType::BooleanArray => {
            return None
        }
    })
}

fn spec(key: &str) -> &'static registry::AttributeSpec {
    registry::attribute(key).unwrap_or_else(|| panic!("{key} is not in the registry snapshot"))
}

fn group(id: &str) -> &'static registry::GroupSpec {
    registry::group(id).unwrap_or_else(|| panic!("{id} is not in the registry snapshot"))
}

#[test]
fn every_exported_key_is_in_the_registry_with_the_same_type_and_not_deprecated() {
    let mut problems = Vec::new();
    for def in attribute::ALL {
        match registry::attribute(def.key) {
            None => problems.push(format!("{} is not in the registry", def.key)),
            Some(entry) if entry.is_deprecated() => {
                problems.push(format!("{} is deprecated", def.key))
            }
            Some(entry) => {
                let expected = value_type(entry.ty);
                if expected != Some(def.value_type) {
                    problems.push(format!(
                        "{} is {:?} in the registry but {:?} here",
                        def.key, entry.ty, def.value_type
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_catches_a_deprecated_key() {
    // The deprecated registry is in the snapshot, so a renamed key would be reported rather than
    // missed.
    let entry = spec("gen_ai.usage.prompt_tokens");
    assert!(entry.is_deprecated());
    assert_eq!(
        entry.deprecated.and_then(|d| d.renamed_to),
        Some(attribute::GEN_AI_USAGE_INPUT_TOKENS)
    );
    assert!(!attribute::ALL
        .iter()
        .any(|d| d.key == "gen_ai.usage.prompt_tokens"));
}

fn enum_members(key: &str) -> Vec<&'static str> {
    let entry = spec(key);
    assert_eq!(
        entry.ty,
        RegistryType::Enum(EnumBase::String),
        "{key} is not a string enum"
    );
    assert!(!entry.members.is_empty(), "{key} has no members");
    entry.members.iter().map(|m| m.value).collect()
}

fn assert_enum_matches(key: &str, ours: &[&str]) {
    let members = enum_members(key);
    for value in ours {
        assert!(
            members.contains(value),
            "{key}: {value} is not a registry member ({members:?})"
        );
    }
    for member in &members {
        assert!(
            ours.contains(member),
            "{key}: registry member {member} has no variant here"
        );
    }
    assert_no_deprecated_value(key, ours);
}

/// Each of our values names at least one member that is not deprecated.
fn assert_no_deprecated_value(key: &str, ours: &[&str]) {
    let entry = spec(key);
    for value in ours {
        assert!(
            entry
                .members
                .iter()
                .any(|m| m.value == *value && m.deprecated.is_none()),
            "{key}: {value} is only a deprecated member"
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
    // `gen_ai.token.type` lists `completion` as a deprecated alias of `output`: our values must be
    // members, and every member that is not deprecated must have a variant.
    let tokens: Vec<_> = TokenType::ALL.iter().map(|v| v.as_str()).collect();
    let members = enum_members(attribute::GEN_AI_TOKEN_TYPE);
    for value in &tokens {
        assert!(members.contains(value), "token type {value}");
    }
    assert_no_deprecated_value(attribute::GEN_AI_TOKEN_TYPE, &tokens);
    for member in spec(attribute::GEN_AI_TOKEN_TYPE).members {
        if member.deprecated.is_none() {
            assert!(
                tokens.contains(&member.value),
                "token type member {} has no variant here",
                member.value
            );
        }
    }
}

#[test]
fn other_exported_names_match_the_registry() {
    let error_type = spec(attribute::ERROR_TYPE);
    let other = error_type
        .member(attribute::ERROR_TYPE_OTHER)
        .expect("error.type has the _OTHER member");
    assert_eq!(other.id, "other");

    let evaluation = group("event.gen_ai.evaluation.result");
    assert_eq!(evaluation.kind, GroupKind::Event);
    assert_eq!(evaluation.name, attribute::GEN_AI_EVALUATION_RESULT_EVENT);

    let exception = group("event.gen_ai.client.operation.exception");
    for key in [attribute::EXCEPTION_MESSAGE, attribute::EXCEPTION_TYPE] {
        assert!(exception.attribute(key).is_some(), "{key}");
    }

    assert_eq!(registry::SCHEMA_URL, llmtrace_semconv::SCHEMA_URL);
    assert_eq!(
        registry::SOURCE_TAG,
        format!("v{}", llmtrace_semconv::SEMCONV_VERSION)
    );
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

    // The registry's patterns open with the operation name, as `span_name` does.
    let mut spans = 0;
    for spec in registry::GROUPS
        .iter()
        .filter(|g| g.kind == GroupKind::Span && g.id.starts_with("span.gen_ai."))
    {
        spans += 1;
        let first = spec.name.split(' ').next().unwrap_or_default();
        assert!(
            first == "{gen_ai.operation.name}" || Operation::from_name(first).is_some(),
            "{}: span name pattern {:?}",
            spec.id,
            spec.name
        );
    }
    assert!(spans >= 7, "only {spans} gen_ai span groups");
}

#[test]
fn the_snapshot_is_populated_sorted_and_looked_up() {
    assert!(registry::ATTRIBUTES.len() >= 60, "attributes missing");
    assert!(registry::GROUPS.len() >= 20, "groups missing");
    assert!(
        registry::ATTRIBUTES.windows(2).all(|w| w[0].key < w[1].key),
        "ATTRIBUTES must be sorted by key without duplicates"
    );
    assert!(
        registry::GROUPS.windows(2).all(|w| w[0].id < w[1].id),
        "GROUPS must be sorted by id without duplicates"
    );
    for spec in registry::ATTRIBUTES {
        assert_eq!(registry::attribute(spec.key), Some(spec));
    }
    for spec in registry::GROUPS {
        assert_eq!(registry::group(spec.id), Some(spec));
        assert!(
            spec.attributes.windows(2).all(|w| w[0].key < w[1].key),
            "{}: references must be sorted by key",
            spec.id
        );
        for r in spec.attributes {
            assert_eq!(spec.attribute(r.key), Some(r));
        }
    }
    assert_eq!(registry::attribute("gen_ai.no_such_key"), None);
    assert_eq!(registry::attribute(""), None);
    assert_eq!(registry::group("span.gen_ai.no_such_span"), None);

    // Values as gen-ai/registry.yaml and gen-ai/deprecated/registry-deprecated.yaml give them.
    assert_eq!(spec("gen_ai.request.model").ty, RegistryType::String);
    assert_eq!(spec("gen_ai.usage.input_tokens").ty, RegistryType::Int);
    assert_eq!(spec("gen_ai.request.temperature").ty, RegistryType::Double);
    assert_eq!(
        spec("gen_ai.request.stop_sequences").ty,
        RegistryType::StringArray
    );
    assert_eq!(spec("gen_ai.request.stream").ty, RegistryType::Boolean);
    assert_eq!(spec("gen_ai.input.messages").ty, RegistryType::Any);
    assert_eq!(spec("error.type").stability, Stability::Stable);
    assert_eq!(
        spec("gen_ai.request.model").stability,
        Stability::Development
    );
    assert!(!spec("gen_ai.provider.name").is_deprecated());

    let system = spec("gen_ai.system")
        .deprecated
        .expect("gen_ai.system is deprecated");
    assert_eq!(system.reason, DeprecationReason::Renamed);
    assert_eq!(system.renamed_to, Some("gen_ai.provider.name"));
    let prompt = spec("gen_ai.prompt")
        .deprecated
        .expect("gen_ai.prompt is deprecated");
    assert_eq!(prompt.reason, DeprecationReason::Obsoleted);
    assert_eq!(prompt.renamed_to, None);

    let completion = spec("gen_ai.token.type")
        .members
        .iter()
        .find(|m| m.id == "completion")
        .expect("gen_ai.token.type lists completion");
    assert_eq!(completion.value, "output");
    assert_eq!(
        completion.deprecated.and_then(|d| d.renamed_to),
        Some("output")
    );

    // gen-ai/spans.yaml: span.gen_ai.invoke_agent.internal requires gen_ai.provider.name itself
    // and inherits the rest through attributes.gen_ai.invoke_agent.internal -> .common ->
    // attributes.gen_ai.common.
    let agent = group("span.gen_ai.invoke_agent.internal");
    assert_eq!(agent.kind, GroupKind::Span);
    assert_eq!(agent.span_kind, Some(RegistrySpanKind::Internal));
    assert_eq!(agent.name, "invoke_agent {gen_ai.agent.name}");
    let provider = agent
        .attribute("gen_ai.provider.name")
        .expect("invoke_agent references gen_ai.provider.name");
    assert_eq!(provider.level, RequirementLevel::Required);
    assert!(provider.sampling_relevant);
    let mut required: Vec<_> = agent.required().collect();
    required.sort_unstable();
    assert_eq!(required, ["gen_ai.operation.name", "gen_ai.provider.name"]);
    let model = agent
        .attribute("gen_ai.request.model")
        .expect("inherited from attributes.gen_ai.common");
    assert_eq!(model.level, RequirementLevel::ConditionallyRequired);
    assert_eq!(model.condition, Some("If available."));
    let error = agent.attribute("error.type").expect("inherited");
    assert_eq!(error.condition, Some("if the operation ended in an error"));
    assert_eq!(
        agent.attribute("gen_ai.input.messages").map(|r| r.level),
        Some(RequirementLevel::OptIn)
    );
    assert_eq!(agent.attribute("server.address"), None);

    let client = group("span.gen_ai.invoke_agent.client");
    assert_eq!(client.span_kind, Some(RegistrySpanKind::Client));
    assert_eq!(
        client.attribute("server.address").map(|r| r.level),
        Some(RequirementLevel::Recommended)
    );

    let tool = group("span.gen_ai.execute_tool.internal");
    let mut required: Vec<_> = tool.required().collect();
    required.sort_unstable();
    assert_eq!(required, ["gen_ai.operation.name", "gen_ai.tool.name"]);

    let usage = group("metric.gen_ai.client.token.usage");
    assert_eq!(usage.kind, GroupKind::Metric);
    assert_eq!(usage.name, "gen_ai.client.token.usage");
    assert_eq!(usage.instrument, Some("histogram"));
    assert_eq!(usage.unit, Some("{token}"));
    assert_eq!(usage.span_kind, None);
    assert_eq!(
        usage.attribute("gen_ai.token.type").map(|r| r.level),
        Some(RequirementLevel::Required)
    );

    let mcp = group("span.mcp.server");
    assert_eq!(mcp.span_kind, Some(RegistrySpanKind::Server));
    assert_eq!(
        mcp.attribute("mcp.method.name").map(|r| r.level),
        Some(RequirementLevel::Required)
    );
    assert_eq!(
        spec("mcp.method.name").member("tools/call").map(|m| m.id),
        Some("tools_call")
    );
    assert_eq!(
        spec("openai.api.type").ty,
        RegistryType::Enum(EnumBase::String)
    );
}

#[test]
fn references_to_snapshot_areas_resolve() {
    // A group's reference into one of the snapshotted areas must name an attribute of the
    // snapshot; references into other areas (client.*, exception.*) are not snapshotted.
    let areas = ["gen_ai.", "error.", "server.", "mcp.", "openai."];
    let mut problems = Vec::new();
    for spec in registry::GROUPS {
        for r in spec.attributes {
            if areas.iter().any(|a| r.key.starts_with(a)) && registry::attribute(r.key).is_none() {
                problems.push(format!("{} references unknown {}", spec.id, r.key));
            }
            let conditional = r.level == RequirementLevel::ConditionallyRequired;
            assert!(
                !conditional || r.condition.is_some(),
                "{} -> {}: conditionally required without a condition",
                spec.id,
                r.key
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The committed snapshot, compiled in (no file is read).
const COMMITTED: &str = include_str!("../src/registry.rs");

/// Regenerates `src/registry.rs` from the folder `LLMTRACE_SEMCONV_MODEL_DIR` names (the `model/`
/// folder of a semantic-conventions checkout at the pinned tag) and compares it with the
/// committed file. Skipped, with a note, when the variable is unset or `python3` lacks PyYAML.
#[test]
fn the_snapshot_regenerates_from_the_registry() {
    let Some(model_dir) = std::env::var_os("LLMTRACE_SEMCONV_MODEL_DIR") else {
        eprintln!(
            "note: skipped: set LLMTRACE_SEMCONV_MODEL_DIR to a semantic-conventions {} `model/` \
             folder to check that src/registry.rs regenerates",
            registry::SOURCE_TAG
        );
        return;
    };
    let has_yaml = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_yaml {
        eprintln!("note: skipped: `python3` with PyYAML is needed to regenerate src/registry.rs");
        return;
    }
    // Read the optional areas the committed snapshot was made with, so a full checkout (which has
    // them) and a copy of just the required areas both reproduce it.
    let optional = COMMITTED
        .lines()
        .find_map(|l| l.strip_prefix("// Optional areas read: "))
        .and_then(|rest| rest.split(" (").next())
        .expect("the snapshot header records the optional areas read");
    let optional = if optional == "none" {
        String::new()
    } else {
        optional.replace(", ", ",")
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/registry/generate.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(&model_dir)
        .arg(format!("--optional-areas={optional}"))
        .args(["--output", "-"])
        .output()
        .expect("run python3 registry/generate.py");
    assert!(
        output.status.success(),
        "generate.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let generated = String::from_utf8(output.stdout).expect("UTF-8 output");
    if generated != COMMITTED {
        let line = generated
            .lines()
            .zip(COMMITTED.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| generated.lines().count().min(COMMITTED.lines().count()));
        panic!(
            "src/registry.rs differs from what registry/generate.py makes of {} (first at line \
             {}):\n  generated: {:?}\n  committed: {:?}\nregenerate it as registry/README.md says",
            std::path::Path::new(&model_dir).display(),
            line + 1,
            generated.lines().nth(line),
            COMMITTED.lines().nth(line)
        );
    }
}

#[test]
fn every_mcp_key_is_referenced_by_the_mcp_span_or_metric_groups() {
    use llmtrace_semconv::mcp;
    let groups = [
        group("span.mcp.client"),
        group("span.mcp.server"),
        group("metric.mcp.client.operation.duration"),
        group("metric.mcp.server.operation.duration"),
    ];
    for def in mcp::ALL {
        assert!(
            groups.iter().any(|g| g.attribute(def.key).is_some()),
            "{} is referenced by no MCP span or metric group",
            def.key
        );
        // Keys of the `mcp.*` registry itself: the same type as there.
        if def.key.starts_with("mcp.") {
            assert_eq!(
                value_type(spec(def.key).ty),
                Some(def.value_type),
                "{}",
                def.key
            );
        }
    }
    for key in mcp::METRIC_DIMENSIONS {
        assert!(
            group("metric.mcp.server.operation.duration")
                .attribute(key)
                .is_some(),
            "{key} is not an attribute of the server metric"
        );
    }
    for key in mcp::CLIENT_METRIC_DIMENSIONS {
        assert!(
            group("metric.mcp.client.operation.duration")
                .attribute(key)
                .is_some(),
            "{key} is not an attribute of the client metric"
        );
    }
    let methods = enum_members(mcp::MCP_METHOD_NAME);
    for method in [
        mcp::method::TOOLS_CALL,
        mcp::method::TOOLS_LIST,
        mcp::method::PROMPTS_GET,
        mcp::method::RESOURCES_READ,
        mcp::method::INITIALIZE,
    ] {
        assert!(
            methods.contains(&method),
            "{method} is not a registry method"
        );
    }
}
