//! `redact_str`: arbitrary text and JSON through `Redactor::redact_str`, with a fake secret
//! planted at a fuzzer-chosen position.
//!
//! Input: 8 header bytes, then the text (UTF-8, invalid bytes replaced).
//!
//! | header byte | knob |
//! |---|---|
//! | 0 | bits 0-1 hash function (1 `sha256`, 2 `hmac-sha256`, else none); bit 2 `scrub_json: false`; bits 3-7 a detector to switch off (≥ 19: none) |
//! | 1 | kind of fake secret ([`fake_secret`]) |
//! | 2, 3 | where it is planted (byte offset, moved back to a char boundary) |
//! | 4 | the whitespace delimiters around it |
//! | 5, 6, 7 | seed of its random parts |
//!
//! Invariants (from the `redact` module docs):
//! 1. never panics;
//! 2. the planted secret does not survive: the output holds no more copies of it than the
//!    fuzzer's own text did (secrets recognised by their context, `Bearer …`, are planted at
//!    the start of a line, see `llmtrace_fuzz::Secret::needs_context`);
//! 3. with `scrub_json` on, structural JSON (first non-blank byte `{` or `[`, valid) stays
//!    valid JSON;
//! 4. pure: the same input gives the same output; a borrowed result equals the input;
//! 5. redacting the output again changes little (the property `tests/redact_proptest.rs`
//!    states: at most 64 more bytes, or nothing).
#![no_main]

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use llmtrace_fuzz::{
    context_may_be_swallowed, fake_secret, is_json, is_structural_json, occurrences, plant, Header,
    Rng,
};
use llmtrace_processor::redact::{Detector, HashFunction, RedactionConfig, Redactor};

/// Compiling a redactor costs far more than one run: keep one per configuration.
fn redactor(knobs: u8) -> Arc<Redactor> {
    static CACHE: OnceLock<Mutex<HashMap<u8, Arc<Redactor>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    Arc::clone(cache.entry(knobs).or_insert_with(|| {
        let mut b = RedactionConfig::builder()
            .scrub_json(knobs & 0b100 == 0)
            .hash_key("fuzz-hash-key");
        b = match knobs & 0b11 {
            1 => b.hash_function(HashFunction::Sha256),
            2 => b.hash_function(HashFunction::HmacSha256),
            _ => b,
        };
        if let Some(&d) = Detector::ALL.get(usize::from(knobs >> 3)) {
            b = b.detector(d, false);
        }
        Arc::new(b.build().expect("a valid configuration"))
    }))
}

fn check(redactor: &Redactor, text: &str, scrub_json: bool) -> String {
    let out = redactor.redact_str(text);
    if let Cow::Borrowed(b) = &out {
        assert_eq!(*b, text, "borrowed output differs from the input");
    }
    assert_eq!(redactor.redact_str(text), out, "not deterministic");
    if scrub_json && is_structural_json(text) {
        assert!(
            is_json(&out),
            "JSON input {text:?} gave invalid JSON {out:?}"
        );
    }
    out.into_owned()
}

fuzz_target!(|data: &[u8]| {
    let (h, rest) = Header::split(data, 8);
    let text = String::from_utf8_lossy(rest);
    let mut knobs = h.byte(0);
    let mut rng = Rng::new(u64::from(h.u32(4)) | u64::from(h.byte(1)) << 32);
    let secret = fake_secret(h.byte(1), &mut rng);
    // Never switch off the detector that must find the planted secret.
    if Detector::ALL
        .get(usize::from(knobs >> 3))
        .is_some_and(|d| d.label() == secret.detector)
    {
        knobs |= 0b1111_1000;
    }
    let scrub_json = knobs & 0b100 == 0;
    let r = redactor(knobs);

    // The fuzzer's text as it is (JSON stays JSON, no panic).
    check(&r, &text, scrub_json);

    // The same text with a secret planted.
    let (planted, before, after) = plant(&text, h.u16(2), h.byte(4), &secret);
    let out = check(&r, &planted, scrub_json);
    let allowed = occurrences(before, &secret.needle) + occurrences(after, &secret.needle);
    assert!(
        context_may_be_swallowed(before, &secret) || occurrences(&out, &secret.needle) <= allowed,
        "{} secret {:?} survived in {out:?} (input {planted:?})",
        secret.detector,
        secret.needle
    );

    if knobs & 0b11 == 0 || knobs & 0b11 == 3 {
        let again = r.redact_str(&out);
        assert!(
            again.len() <= out.len() + 64 || again == out,
            "redacting again grew {out:?} to {again:?}"
        );
    }
});
