//! Redaction of span data: PII and secrets never reach an exporter.
//!
//! [`RedactingProcessor`] wraps the next span processor. In `on_end` it runs a [`Redactor`] over
//! every place a string can hide — attribute values (strings, string arrays, JSON inside strings
//! such as `gen_ai.input.messages`), event names and attributes, link attributes, the span name
//! and the error status description — truncates over-long values, then hands the span on.
//!
//! ```
//! use llmtrace_processor::redact::{Detector, RedactionConfig, Redactor};
//!
//! let redactor = RedactionConfig::builder()
//!     .detector(Detector::IpAddress, false)
//!     .custom_rule("employee_id", r"\bEMP-[0-9]{6}\b", None)
//!     .build()?;
//! let out = redactor.redact_str(r#"[{"role":"user","content":"I am EMP-123456, mail ada@example.org"}]"#);
//! assert_eq!(out, r#"[{"role":"user","content":"I am [REDACTED:employee_id], mail [REDACTED:email]"}]"#);
//! # Ok::<(), llmtrace_processor::redact::RedactionError>(())
//! ```
//!
//! # How values are scrubbed
//!
//! One multi-pattern regex (a lazy DFA over all enabled detectors, custom rules and
//! `blocked_values`) finds candidates; checks in code confirm them (Luhn for
//! cards, mod-97 and country length for IBANs, IPv6 parsing, base64 `user:password` for Basic
//! credentials, randomness for tokens, context so version strings and dotted numbers are not IP
//! addresses). A string without candidates is returned borrowed, with no allocation.
//!
//! With the built-in detectors alone the regex does not read every byte: a byte-class scan,
//! 64 bytes at a time (AVX2 where the CPU has it), finds the few places a detector can start
//! (a long enough number, `@`, a key before `=` or `:`, a run of token bytes long enough for a
//! key, …) and the regex runs anchored there only. The scan proposes a superset of the starts
//! the regex could match at, so what is found is exactly what a search through every byte
//! finds (a test compares both on the corpus and on generated text). Custom rules and
//! `blocked_values` can start anywhere: with them every byte is read.
//!
//! | detector (`detectors:` key) | finds | mask |
//! |---|---|---|
//! | `email` | `ada@example.org` | `[REDACTED:email]` |
//! | `phone` | `+44 20 7946 0958`, `0044 20 7946 0958`, `44 20 7946 0958`, `(415) 555-0132`, `415-555-0132` | `[REDACTED:phone]` |
//! | `payment_card` | 13–19 digits of the card schemes (scheme lengths), Luhn-valid, groups separated by spaces, dashes or dots, mixed or not | `[REDACTED:payment_card]` |
//! | `iban` | `DE89 3704 0044 0532 0130 00`, `de89-3704-…` (upper or lower case; length + mod-97) | `[REDACTED:iban]` |
//! | `us_ssn` | `123-45-6789` (valid ranges) | `[REDACTED:us_ssn]` |
//! | `ip_address` | IPv4, IPv6 | `[REDACTED:ip_address]` |
//! | `jwt` | `eyJ….eyJ….…` | `[REDACTED:jwt]` |
//! | `bearer_token` | `Bearer …`, `Authorization: …` values | `Bearer [REDACTED:bearer_token]` |
//! | `basic_auth` | `Basic <base64 user:pass>`, `scheme://user:pass@host` | `Basic [REDACTED:basic_auth]` |
//! | `private_key` | `-----BEGIN … PRIVATE KEY-----` blocks | `[REDACTED:private_key]` |
//! | `openai_key` | `sk-…`, `sk-proj-…`, `sk-svcacct-…` | `[REDACTED:openai_key]` |
//! | `anthropic_key` | `sk-ant-api03-…` | `[REDACTED:anthropic_key]` |
//! | `aws_access_key` | `AKIA…`, `ASIA…` | `[REDACTED:aws_access_key]` |
//! | `github_token` | `ghp_…`, `gho_…`, `ghs_…`, `github_pat_…` | `[REDACTED:github_token]` |
//! | `slack_token` | `xoxb-…`, `xapp-…`, webhook URLs | `[REDACTED:slack_token]` |
//! | `stripe_key` | `sk_live_…`, `rk_test_…`, `whsec_…` | `[REDACTED:stripe_key]` |
//! | `google_api_key` | `AIza…` | `[REDACTED:google_api_key]` |
//! | `platform_token` | `glpat-…`, `hf_…`, `npm_…`, `SG.….…`, `dop_v1_…` | `[REDACTED:platform_token]` |
//! | `generic_secret` | `password=…`, `"api_key": "…"`, `token: …` (random-looking values; any password) and values of keys named like secrets (`password`, `*_token`, `authorization`, …) | `password=[REDACTED:generic_secret]` |
//!
//! Context patterns keep their context (`password=`, `Bearer `) and re-label provider keys:
//! `OPENAI_API_KEY=sk-proj-…` becomes `OPENAI_API_KEY=[REDACTED:openai_key]`. A value ends
//! before the next query parameter: `?password=…&next=/home` keeps `&next=/home`.
//!
//! Values hidden by a transformation are found by second looks at the text: lines joined where
//! a value was wrapped across a line break (`\n`, `\r\n`, the `\n` escape, indentation), and
//! percent-escapes decoded (`ada%40example.org`, `Authorization%3A%20Bearer%20…`); the mask then
//! covers exactly the original bytes, line break and escapes included. Base64 runs that start
//! like the encoding of a known key prefix, URL scheme or credential keyword (`c2st` is `sk-`,
//! `QUtJQ` is `AKIA`, `ZXlK` is `eyJ`) are decoded, and masked whole (with the key's label) when
//! they hold a credential.
//!
//! JSON in strings (first non-blank byte `{` or `[`, and valid): string leaves and member keys
//! are scrubbed, members whose key a rule covers have their value replaced, and the text is
//! otherwise copied as is (key order and whitespace survive). Invalid JSON is scrubbed as text.
//! JSON numbers of 9+ digits and integer attributes of 10+ digits are scanned too (a card number
//! stored as a number); a masked number becomes a string holding the mask.
//!
//! Keys that name a secret (last dotted segment `password`, `api_key`, `*_token`,
//! `authorization`, `cookie`, …; switched with `generic_secret`) have their whole value masked,
//! labelled by the first detector that recognises something in it (`"Authorization": "Bearer …"`
//! becomes `[REDACTED:bearer_token]`), else `[REDACTED:generic_secret]`. String arrays keep
//! their shape.
//!
//! Structural keys ([`STRUCTURAL_KEYS`]: `gen_ai.operation.name`, `gen_ai.request.model`,
//! `gen_ai.response.id`, …, and `llmtrace.*` / `redaction.*`) are never touched while
//! `skip_structural_keys` is on (default); with `allow_all_keys: false` they are kept too.
//! Model names (`gpt-4o-2024-08-06`), semver, UUIDs, hex trace ids and ISO timestamps are not
//! matched by any detector.
//!
//! # Masks and hashes
//!
//! Detectors write `[REDACTED:<detector>]`, custom rules `[REDACTED:<name>]` (or their
//! `replacement`), `blocked_values` `[REDACTED:blocked_value]`, key rules `[REDACTED:key]`.
//! With `hash_function: hmac-sha256` every mask is replaced by `hmac-sha256:<32 hex>` — the first
//! 128 bits of HMAC-SHA256 keyed with [`ENV_HASH_KEY`] — so equal values stay joinable across
//! traces without being readable. `sha256` gives `sha256:<32 hex>` without a key (weaker:
//! guessable values can be confirmed). A key rule with `action: hash` uses the same scheme.
//!
//! # Truncation
//!
//! A string longer than `max_value_bytes` (default 16 KiB, 0 = off) is cut on a char boundary
//! and ends with `…[TRUNCATED]`; only the kept part plus 4 KiB is scanned, so a 10 MB prompt
//! costs a 16 KiB scan. JSON stays valid: the string being cut ends with the marker inside its
//! quotes, an array whose tail was dropped ends with the element `"[TRUNCATED]"`, an object with
//! the member `"llmtrace.truncated":true`. A string array is cut as a whole (its tail replaced by
//! `"[TRUNCATED]"`). The original length in bytes is recorded in the attribute
//! `llmtrace.truncated.<key>.original_length` (int) next to the value; the status description
//! is cut the same way without a length attribute.
//!
//! # Summary attributes
//!
//! Like the collector, each attribute list that was changed (the span's, each event's, each
//! link's) gets, when `summary` is `info` (default) or `debug`: `redaction.redacted.count`
//! (attributes removed), `redaction.masked.count` (attributes whose value was masked, hashed or
//! had matches replaced), `redaction.allowed.count` (exempted by `allowed_values`),
//! `redaction.ignored.count` (`ignored_keys` present). With `debug` also the sorted,
//! comma-separated `redaction.redacted.keys`, `redaction.masked.keys`, `redaction.allowed.keys`.
//! A changed span name, status description or event name counts as a masked key named
//! `span.name`, `status.description` or `event.name`. Zero counts are not written.
//!
//! # Configuration
//!
//! From code ([`RedactionConfig::builder`]), the environment ([`RedactionConfig::from_env`],
//! [`RedactionConfig::apply_env`]) or YAML ([`RedactionConfig::from_yaml_str`] for the section
//! body, [`RedactionConfig::from_yaml_document`] for a whole file). Unknown keys, unknown
//! detectors, invalid regexes and unsupported hash functions are [`RedactionError`]s naming the
//! entry.
//!
//! ```yaml
//! redaction:
//!   allow_all_keys: true            # collector default is false
//!   ignored_keys: [session.id]
//!   blocked_values: ["\\bEMP-[0-9]{6}\\b"]
//!   blocked_key_patterns: [".*internal_note.*"]
//!   hash_function: none             # or hmac-sha256 (key from LLMTRACE_REDACTION_HASH_KEY)
//!   summary: info
//!   detectors: { ip_address: false }
//!   custom_rules:
//!     - { name: ticket, pattern: "TICKET-[0-9]+", replacement: "TICKET-?" }
//!   key_rules:
//!     - { pattern: "user\\.email", action: hash }
//!   blocked_keys: [http.request.header.cookie]
//!   max_value_bytes: 16384
//! ```
//!
//! | key | collector `redaction` processor | llmtrace |
//! |---|---|---|
//! | `allow_all_keys` | same meaning, default `false` | default **`true`**: with `false` every GenAI attribute not listed in `allowed_keys` is deleted |
//! | `allowed_keys` | same | same (structural keys are kept as well) |
//! | `ignored_keys` | same | same |
//! | `blocked_values` | regexes, matches masked `****` | regexes, matches masked `[REDACTED:blocked_value]` |
//! | `allowed_values` | value matching one is not masked | same (whole attribute exempt) |
//! | `blocked_key_patterns` | whole value masked | same, mask `[REDACTED:key]` |
//! | `hash_function` | `md5`, `sha1`, `sha3`, `hmac-sha256`, `hmac-sha512` | `none`, `hmac-sha256`, `sha256` (unkeyed `md5`/`sha1`/`sha3` rejected); applies to every mask |
//! | `summary` | `debug` / `info` / `silent`, default `silent`-like | same names and attributes, default `info` |
//! | `redact_all_types`, `url_sanitizer`, `db_sanitizer`, `ignored_key_patterns` | yes | not supported (unknown-key error) |
//! | `detectors`, `custom_rules`, `key_rules`, `blocked_keys`, `max_value_bytes`, `scrub_json`, `skip_structural_keys` | — | llmtrace extensions |
//!
//! Environment variables (overlaying the defaults or a YAML config; code set later wins):
//!
//! | variable | meaning |
//! |---|---|
//! | `LLMTRACE_REDACTION_HASH_KEY` | the HMAC secret (required for `hmac-sha256` and `action: hash`) |
//! | `LLMTRACE_REDACTION_HASH_FUNCTION` | `none`, `hmac-sha256`, `sha256` |
//! | `LLMTRACE_REDACTION_SUMMARY` | `debug`, `info`, `silent` |
//! | `LLMTRACE_REDACTION_MAX_VALUE_BYTES` | per-value limit in bytes, 0 = off |
//! | `LLMTRACE_REDACTION_ALLOW_ALL_KEYS` | `true` / `false` |
//! | `LLMTRACE_REDACTION_ALLOWED_KEYS` | comma-separated keys |
//! | `LLMTRACE_REDACTION_IGNORED_KEYS` | comma-separated keys |
//! | `LLMTRACE_REDACTION_DISABLED_DETECTORS` | comma-separated detector names, e.g. `ip_address,phone` |
//! | `LLMTRACE_REDACTION_SCRUB_JSON` | `true` / `false` |
//!
//! # Detection matrix
//!
#![doc = include_str!("matrix.md")]

mod config;
mod detector;
mod error;
mod json;
mod matcher;
mod patterns;
mod processor;
mod redactor;
mod report;
mod scan;
mod views;

pub use config::{
    CustomRule, HashFunction, HashKey, KeyAction, KeyRule, RedactionConfig, RedactionConfigBuilder,
    Summary, DEFAULT_MAX_VALUE_BYTES, ENV_ALLOWED_KEYS, ENV_ALLOW_ALL_KEYS, ENV_DISABLED_DETECTORS,
    ENV_HASH_FUNCTION, ENV_HASH_KEY, ENV_IGNORED_KEYS, ENV_MAX_VALUE_BYTES, ENV_SCRUB_JSON,
    ENV_SUMMARY,
};
pub use detector::Detector;
pub use error::RedactionError;
pub use processor::RedactingProcessor;
pub use redactor::{
    Redactor, BLOCKED_VALUE_MASK, KEY_MASK, STRUCTURAL_KEYS, SUMMARY_ALLOWED_COUNT,
    SUMMARY_ALLOWED_KEYS, SUMMARY_IGNORED_COUNT, SUMMARY_MASKED_COUNT, SUMMARY_MASKED_KEYS,
    SUMMARY_REDACTED_COUNT, SUMMARY_REDACTED_KEYS, TRUNCATED_ATTR_PREFIX, TRUNCATED_ATTR_SUFFIX,
    TRUNCATED_ELEMENT,
};
pub use report::{RedactionReport, RedactionStats, StatsHandle};

/// The marker that ends a truncated string value: `…[TRUNCATED]`.
pub const TRUNCATED_MARKER: &str = json::STRING_MARKER;
