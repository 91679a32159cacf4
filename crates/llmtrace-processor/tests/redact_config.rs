//! Configuration of the redactor from YAML, the environment and code, and its typed errors.

use std::collections::HashMap;

use llmtrace_processor::redact::{
    Detector, HashFunction, KeyAction, RedactionConfig, RedactionError, Redactor, Summary,
    DEFAULT_MAX_VALUE_BYTES,
};

#[test]
fn collector_style_yaml_section() {
    let yaml = r#"
allow_all_keys: false
allowed_keys: [description, user.note]
ignored_keys: [safe]
blocked_values: ["\\bEMP-[0-9]{6}\\b"]
allowed_values: ["^public:"]
blocked_key_patterns: [".*token.*"]
hash_function: hmac-sha256
summary: debug
detectors: { ip_address: false, phone: false }
custom_rules:
  - { name: ticket, pattern: "TICKET-([0-9]+)", replacement: "TICKET-#" }
key_rules:
  - { pattern: "user\\.email", action: hash }
  - { pattern: "debug\\..*", action: drop }
blocked_keys: [http.request.header.cookie]
max_value_bytes: 4096
scrub_json: true
"#;
    let c = RedactionConfig::from_yaml_str(yaml).expect("valid");
    assert!(!c.allow_all_keys);
    assert_eq!(c.allowed_keys, ["description", "user.note"]);
    assert_eq!(c.hash_function, HashFunction::HmacSha256);
    assert_eq!(c.summary, Summary::Debug);
    assert!(!c.detector_enabled(Detector::IpAddress));
    assert!(c.detector_enabled(Detector::Email));
    assert_eq!(c.key_rules[0].action, KeyAction::Hash);
    assert_eq!(c.max_value_bytes, 4096);
    // hmac-sha256 without a key is refused with a message naming the variable.
    let err = Redactor::new(&c).expect_err("no key");
    assert!(matches!(err, RedactionError::MissingHashKey));
    assert!(err.to_string().contains("LLMTRACE_REDACTION_HASH_KEY"));

    let mut c = c;
    c.apply_env_with(|name| (name == "LLMTRACE_REDACTION_HASH_KEY").then(|| "k".to_owned()))
        .expect("env");
    let r = Redactor::new(&c).expect("builds with key");
    assert_eq!(
        r.redact_str("see TICKET-42 from 10.0.0.1"),
        "see TICKET-# from 10.0.0.1"
    );
}

#[test]
fn whole_document_and_defaults() {
    let c = RedactionConfig::from_yaml_document(
        "service: x\nredaction:\n  summary: silent\nsampling: {}\n",
    )
    .expect("doc");
    assert_eq!(c.summary, Summary::Silent);
    let d = RedactionConfig::from_yaml_document("service: x\n").expect("no section");
    assert_eq!(d, RedactionConfig::default());
    assert_eq!(
        RedactionConfig::from_yaml_str("").expect("empty"),
        RedactionConfig::default()
    );
    let default = RedactionConfig::default();
    assert!(
        default.allow_all_keys,
        "safe LLM default keeps GenAI attributes"
    );
    assert_eq!(default.max_value_bytes, DEFAULT_MAX_VALUE_BYTES);
    assert!(Detector::ALL.iter().all(|d| default.detector_enabled(*d)));
}

#[test]
fn unknown_keys_and_detectors_are_named() {
    let err = RedactionConfig::from_yaml_str("allow_all_keyz: true").expect_err("unknown key");
    assert!(err.to_string().contains("allow_all_keyz"), "{err}");
    let err = RedactionConfig::from_yaml_str("detectors: { emial: false }")
        .expect_err("unknown detector");
    assert!(err.to_string().contains("emial"), "{err}");
    let err = RedactionConfig::from_yaml_str("hash_function: md5").expect_err("md5");
    assert!(err.to_string().contains("md5"), "{err}");
    let err = RedactionConfig::from_yaml_str("summary: loud").expect_err("summary");
    assert!(err.to_string().contains("loud"), "{err}");
    let err = RedactionConfig::from_yaml_str("custom_rules: [{ name: x, pattern: y, extra: 1 }]")
        .expect_err("rule");
    assert!(err.to_string().contains("extra"), "{err}");
}

#[test]
fn invalid_regexes_name_the_entry() {
    let c = RedactionConfig::builder()
        .blocked_value("ok")
        .blocked_value("(unclosed")
        .into_config();
    let err = Redactor::new(&c).expect_err("bad regex");
    let msg = err.to_string();
    assert!(
        msg.contains("blocked_values[1]") && msg.contains("(unclosed"),
        "{msg}"
    );

    let c = RedactionConfig::builder()
        .custom_rule("r", "[z-a]", None)
        .into_config();
    assert!(Redactor::new(&c)
        .expect_err("bad")
        .to_string()
        .contains("custom_rules[0].pattern"));
    let c = RedactionConfig::builder()
        .key_rule("*x", KeyAction::Mask)
        .into_config();
    assert!(Redactor::new(&c)
        .expect_err("bad")
        .to_string()
        .contains("key_rules[0].pattern"));
    let c = RedactionConfig::builder()
        .blocked_key_pattern("a{2,1}")
        .into_config();
    assert!(Redactor::new(&c)
        .expect_err("bad")
        .to_string()
        .contains("blocked_key_patterns[0]"));
    let c = RedactionConfig::builder()
        .custom_rule(" ", "x", None)
        .into_config();
    assert!(matches!(
        Redactor::new(&c),
        Err(RedactionError::EmptyRuleName(0))
    ));
    let c = RedactionConfig::builder().max_value_bytes(10).into_config();
    assert!(matches!(
        Redactor::new(&c),
        Err(RedactionError::InvalidMaxValueBytes(10))
    ));
    let c = RedactionConfig::builder()
        .key_rule("k", KeyAction::Hash)
        .into_config();
    assert!(matches!(
        Redactor::new(&c),
        Err(RedactionError::MissingHashKey)
    ));
}

#[test]
fn environment_overlay() {
    let env: HashMap<&str, &str> = [
        ("LLMTRACE_REDACTION_SUMMARY", "debug"),
        ("LLMTRACE_REDACTION_MAX_VALUE_BYTES", "0"),
        ("LLMTRACE_REDACTION_ALLOW_ALL_KEYS", "false"),
        ("LLMTRACE_REDACTION_ALLOWED_KEYS", "a, b"),
        ("LLMTRACE_REDACTION_IGNORED_KEYS", "c"),
        ("LLMTRACE_REDACTION_DISABLED_DETECTORS", "ip_address,phone"),
        ("LLMTRACE_REDACTION_HASH_FUNCTION", "sha256"),
        ("LLMTRACE_REDACTION_SCRUB_JSON", "off"),
    ]
    .into_iter()
    .collect();
    let mut c = RedactionConfig::default();
    c.apply_env_with(|k| env.get(k).map(|v| (*v).to_owned()))
        .expect("env");
    assert_eq!(c.summary, Summary::Debug);
    assert_eq!(c.max_value_bytes, 0);
    assert!(!c.allow_all_keys);
    assert_eq!(c.allowed_keys, ["a", "b"]);
    assert_eq!(c.ignored_keys, ["c"]);
    assert!(!c.detector_enabled(Detector::Phone));
    assert_eq!(c.hash_function, HashFunction::Sha256);
    assert!(!c.scrub_json);
    let r = Redactor::new(&c).expect("sha256 needs no key");
    assert!(r.redact_str("ada@example.org").starts_with("sha256:"));

    let err = RedactionConfig::default()
        .apply_env_with(|k| {
            (k == "LLMTRACE_REDACTION_DISABLED_DETECTORS").then(|| "emial".to_owned())
        })
        .expect_err("unknown detector");
    assert!(
        err.to_string().contains("emial") && err.to_string().contains("email"),
        "{err}"
    );
    let err = RedactionConfig::default()
        .apply_env_with(|k| (k == "LLMTRACE_REDACTION_MAX_VALUE_BYTES").then(|| "lots".to_owned()))
        .expect_err("not a number");
    assert!(
        err.to_string()
            .contains("LLMTRACE_REDACTION_MAX_VALUE_BYTES"),
        "{err}"
    );
}

#[test]
fn builder_and_detector_switches() {
    let r = RedactionConfig::builder()
        .only_detectors(&[Detector::Email])
        .summary(Summary::Info)
        .build()
        .expect("builds");
    assert_eq!(
        r.redact_str("ada@example.org 10.0.0.1"),
        "[REDACTED:email] 10.0.0.1"
    );
    let none = RedactionConfig::builder()
        .only_detectors(&[])
        .build()
        .expect("builds");
    assert_eq!(none.redact_str("ada@example.org"), "ada@example.org");
    for d in Detector::ALL {
        assert_eq!(d.label().parse::<Detector>().expect("round trip"), d);
        assert_eq!(d.mask(), format!("[REDACTED:{}]", d.label()));
    }
}

#[test]
fn module_doc_example_parses() {
    let doc = r#"
redaction:
  allow_all_keys: true            # collector default is false
  ignored_keys: [session.id]
  blocked_values: ["\\bEMP-[0-9]{6}\\b"]
  blocked_key_patterns: [".*internal_note.*"]
  hash_function: none             # or hmac-sha256 (key from LLMTRACE_REDACTION_HASH_KEY)
  summary: info
  detectors: { ip_address: false }
  custom_rules:
    - { name: ticket, pattern: "TICKET-[0-9]+", replacement: "TICKET-?" }
  key_rules:
    - { pattern: "user\\.email", action: hash }
  blocked_keys: [http.request.header.cookie]
  max_value_bytes: 16384
"#;
    let mut c = RedactionConfig::from_yaml_document(doc).expect("doc example");
    c.hash_key = Some(llmtrace_processor::redact::HashKey::new("k"));
    let r = Redactor::new(&c).expect("builds");
    assert_eq!(
        r.redact_str("EMP-123456 filed TICKET-77"),
        "[REDACTED:blocked_value] filed TICKET-?"
    );
}
