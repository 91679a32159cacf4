//! The byte-class scan that proposes where built-in patterns may start (the fast path) must find
//! exactly what one unanchored search after another finds (the path taken when user patterns
//! exist, since those may start anywhere).
//!
//! The reference is the default redactor plus one custom rule that can never match: the rule
//! turns the scan off and changes nothing else. Both must give the same output, byte for byte,
//! on the corpus, its look-alikes, prompt text and arbitrary mixtures of detector fragments.

mod redact_support;

use std::sync::OnceLock;

use llmtrace_processor::redact::{RedactionConfig, Redactor};
use proptest::prelude::*;

fn scanned() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| Redactor::new(&RedactionConfig::default()).expect("default config"))
}

fn reference() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        RedactionConfig::builder()
            .custom_rule("never", r"a\Ab", None)
            .build()
            .expect("config with a rule that never matches")
    })
}

fn assert_same(text: &str) {
    let got = scanned().redact_str(text);
    let want = reference().redact_str(text);
    assert_eq!(got, want, "scan and unanchored search differ on {text:?}");
}

#[test]
fn corpus_and_look_alikes_give_the_same_output() {
    for seed in 0..6 {
        for p in redact_support::positives(seed, 8) {
            assert_same(&p.text);
        }
        for p in redact_support::hard_positives(seed, 16) {
            assert_same(&p.text);
        }
        for n in redact_support::generated_negatives(seed, 120) {
            assert_same(&n);
        }
    }
}

#[test]
fn prompt_text_gives_the_same_output() {
    for seed in 0..8 {
        assert_same(&redact_support::prompt_text(seed, 8 * 1024));
        assert_same(&redact_support::prompt_text_with_secrets(
            seed,
            8 * 1024,
            300,
        ));
        assert_same(&redact_support::prompt_text_with_secrets(
            seed,
            4 * 1024,
            40,
        ));
    }
}

#[test]
fn adjacent_secrets_give_the_same_output() {
    // Secrets glued to each other and to their context, so that look-backs cross earlier hits.
    let items: Vec<String> = redact_support::positives(7, 3)
        .into_iter()
        .chain(redact_support::hard_positives(7, 6))
        .map(|p| p.secret)
        .collect();
    for glue in [
        "", " ", ".", "-", "=", ":", "@", "_", "\n", "%40", "&token=",
    ] {
        for pair in items.windows(3) {
            assert_same(&pair.join(glue));
        }
    }
}

#[test]
fn found_differences_stay_fixed() {
    // Inputs on which an earlier version of the scan differed from the reference.
    for text in [
        // A key block right after one that ends in `-----`: the match starts inside the dashes.
        "-----BEGIN PRIVATE KEY-----\n-----BEGIN PRIVATE KEY-----\n---BEGIN PRIVATE KEY-----\n",
        // A hit ends at `.`: the e-mail at `.alan@` is rejected, the one at `alan@` is not.
        "glpat-64OcfUaU8pVhMMkuKa4IrbxTlW3rsDmargaret.alan88@corp.example.co.uk",
        // `\b` before a non-word byte: the e-mail starts at `+` right after a word.
        "npm_7OkjSMvCrKu0R3GG8WxzG0V3e3XFcYEjWoFzlxCn80DYGMEgga924GM9arMOoYSken+news@test.example.io",
    ] {
        assert_same(text);
    }
}

/// Fragments of what the detectors look for, with the bytes their anchors use.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ]{0,12}",
        "[0-9 .()+-]{1,24}",
        "[A-Za-z0-9_+/.=-]{1,48}",
        "[0-9a-fA-F:]{1,20}",
        "[a-z0-9._%+-]{1,12}(@|%40)[a-z0-9-]{1,8}\\.[a-z]{2,4}",
        "(api_key|Password|x-auth-token|Authorization|Proxy-Authorization|db.secret)[\"']?[ \t]{0,2}(:|=|:=|=>)[ \t]?[\"']?",
        "(Bearer|basic|BEARER) ",
        "( |\t|)--?(password|token|api-key|secret)( |=)",
        "[a-z+]{1,10}://[a-z]{1,6}:[A-Za-z0-9]{1,10}@",
        "-{3,7}BEGIN (RSA )?PRIVATE KEY-{5}\n",
        "(sk-|sk-ant-|ghp_|AKIA|AIza|xoxb-|eyJ|c2st|ZXlK|QUtJQ|hf_|SG\\.)[A-Za-z0-9_-]{10,44}",
        "(DE|de|GB)[0-9]{2}[ ]?[A-Z0-9 ]{4,24}",
        any::<String>(),
    ]
}

proptest! {
    // 3000 cases by default; `PROPTEST_CASES` runs more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_mixtures_give_the_same_output(parts in prop::collection::vec(fragment(), 1..10)) {
        let text = parts.concat();
        let got = scanned().redact_str(&text);
        let want = reference().redact_str(&text);
        prop_assert_eq!(got, want);
    }
}
