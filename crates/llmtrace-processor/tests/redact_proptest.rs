//! Property tests: arbitrary input never panics; JSON input stays JSON (also when truncated).

mod redact_support;

use std::sync::OnceLock;

use llmtrace_processor::redact::{RedactionConfig, Redactor};
use opentelemetry::KeyValue;
use proptest::prelude::*;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| Redactor::new(&RedactionConfig::default()).expect("default config"))
}

fn small_limit() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        RedactionConfig::builder()
            .max_value_bytes(256)
            .build()
            .expect("config")
    })
}

/// Strings that mix arbitrary Unicode with fragments of the things the detectors look for.
fn tricky_string() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        any::<String>(),
        Just("ada@example.org".to_owned()),
        Just("+44 20 7946 0958".to_owned()),
        Just("4111 1111 1111 1111".to_owned()),
        Just("password=".to_owned()),
        Just("Bearer ".to_owned()),
        Just("-----BEGIN RSA PRIVATE KEY-----\n".to_owned()),
        Just("eyJhbGciOi".to_owned()),
        Just("sk-".to_owned()),
        Just("::".to_owned()),
        Just("\\u00e9\"\\".to_owned()),
        "[0-9 .:-]{1,30}",
        "[A-Za-z0-9_=+/-]{1,60}",
    ];
    prop::collection::vec(fragment, 0..8).prop_map(|v| v.concat())
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        tricky_string().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    tricky_string(),
                    Just("password".to_owned()),
                    Just("content".to_owned())
                ],
                inner,
                0..8
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in tricky_string()) {
        let r = redactor();
        let out = r.redact_str(&s);
        // Output is a Rust string, hence valid UTF-8; redacting again changes nothing new.
        let again = r.redact_str(&out);
        prop_assert!(again.len() <= out.len() + 64 || again == out);
        let mut attrs = vec![KeyValue::new("v", s.clone())];
        small_limit().redact_attributes(&mut attrs);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let s = String::from_utf8_lossy(&bytes).into_owned();
        let _ = redactor().redact_str(&s);
        let mut attrs = vec![KeyValue::new("v", s)];
        small_limit().redact_attributes(&mut attrs);
    }

    #[test]
    fn json_stays_json(v in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) };
        let text = text.expect("serializable");
        let out = redactor().redact_str(&text);
        if text.trim_start().starts_with(['{', '[']) {
            prop_assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok(), "not JSON: {}", out);
            let mut attrs = vec![KeyValue::new("gen_ai.input.messages", text.clone())];
            small_limit().redact_attributes(&mut attrs);
            let value = attrs[0].value.as_str();
            prop_assert!(value.len() <= 256, "{} bytes", value.len());
            prop_assert!(serde_json::from_str::<serde_json::Value>(&value).is_ok(), "truncated not JSON: {}", value);
        }
    }
}
