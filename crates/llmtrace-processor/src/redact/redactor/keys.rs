//! What to do with an attribute, decided from its key alone: structural keys and
//! `ignored_keys` pass untouched; keys outside `allowed_keys` (with `allow_all_keys: false`),
//! `blocked_keys`, key rules and `blocked_key_patterns` drop, mask or hash; keys that name a
//! secret have their whole value masked; everything else is scanned.

use super::{Redactor, KEY_MASK};
use crate::redact::config::KeyAction;
use crate::redact::Detector;

/// Keys that carry structure, not content, and are left untouched (`skip_structural_keys`).
pub const STRUCTURAL_KEYS: &[&str] = &[
    llmtrace_semconv::attribute::GEN_AI_OPERATION_NAME,
    llmtrace_semconv::attribute::GEN_AI_PROVIDER_NAME,
    llmtrace_semconv::attribute::GEN_AI_REQUEST_MODEL,
    llmtrace_semconv::attribute::GEN_AI_RESPONSE_MODEL,
    llmtrace_semconv::attribute::GEN_AI_RESPONSE_ID,
    llmtrace_semconv::attribute::GEN_AI_RESPONSE_FINISH_REASONS,
    llmtrace_semconv::attribute::GEN_AI_TOOL_NAME,
    llmtrace_semconv::attribute::GEN_AI_TOOL_CALL_ID,
    llmtrace_semconv::attribute::GEN_AI_TOOL_TYPE,
    llmtrace_semconv::attribute::GEN_AI_AGENT_ID,
    llmtrace_semconv::attribute::GEN_AI_AGENT_NAME,
    llmtrace_semconv::attribute::GEN_AI_DATA_SOURCE_ID,
    llmtrace_semconv::attribute::GEN_AI_TOKEN_TYPE,
    "gen_ai.system",
    "gen_ai.output.type",
    "openinference.span.kind",
    "llm.model_name",
    "llm.provider",
    "llm.system",
    "error.type",
    "server.address",
    "server.port",
    "url.scheme",
    "http.request.method",
    "http.response.status_code",
    "otel.kind",
    "otel.status_code",
];

/// Key prefixes that are structural (our own bookkeeping).
const STRUCTURAL_PREFIXES: &[&str] = &["llmtrace.", "redaction."];

/// Key names (last dotted segment) whose values are secrets; masked by the `generic_secret`
/// detector whatever their shape.
const SECRET_KEY_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "client_secret",
    "api_key",
    "apikey",
    "x_api_key",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "session_token",
    "token",
    "authorization",
    "proxy_authorization",
    "private_key",
    "secret_key",
    "access_key",
    "secret_access_key",
    "credentials",
    "credential",
    "cookie",
    "set_cookie",
];

fn is_secret_key_name(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).as_bytes();
    if last.len() > 64 {
        return false;
    }
    // Case-insensitive, `-` and `_` equivalent, without allocating.
    let same = |a: &[u8], b: &[u8]| {
        a.len() == b.len()
            && a.iter().zip(b).all(|(&x, &y)| {
                let x = if x == b'-' {
                    b'_'
                } else {
                    x.to_ascii_lowercase()
                };
                x == y
            })
    };
    SECRET_KEY_NAMES.iter().any(|n| {
        let n = n.as_bytes();
        if last.len() == n.len() {
            return same(last, n);
        }
        last.len() > n.len()
            && same(&last[last.len() - n.len()..], n)
            && matches!(last[last.len() - n.len() - 1], b'_' | b'-')
    })
}

/// What to do with one attribute, decided from its key alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyDecision {
    /// Structural key: leave untouched, not counted.
    Pass,
    /// `ignored_keys`: leave untouched, counted.
    Ignored,
    Drop,
    Mask(&'static str),
    /// The key names a secret: mask the whole value, labelled by what it contains.
    SecretName,
    Hash,
    Scan,
}

impl Redactor {
    /// The decision for `key`: of an attribute (`attribute`), or of a JSON member, for which
    /// only the rules that mask, hash or drop apply.
    pub(super) fn key_decision(&self, key: &str, attribute: bool) -> KeyDecision {
        if attribute {
            if self.skip_structural
                && (STRUCTURAL_KEYS.contains(&key)
                    || STRUCTURAL_PREFIXES.iter().any(|p| key.starts_with(p)))
            {
                return KeyDecision::Pass;
            }
            if self.ignored_keys.contains(key) {
                return KeyDecision::Ignored;
            }
            if !self.allow_all_keys && !self.allowed_keys.contains(key) {
                return KeyDecision::Drop;
            }
        }
        if self.blocked_keys.contains(key) {
            return KeyDecision::Drop;
        }
        for (re, action) in &self.key_rules {
            if re.is_match(key) {
                return match action {
                    KeyAction::Drop => KeyDecision::Drop,
                    KeyAction::Hash => KeyDecision::Hash,
                    _ => KeyDecision::Mask(KEY_MASK),
                };
            }
        }
        if self
            .blocked_key_patterns
            .as_ref()
            .is_some_and(|set| set.is_match(key))
        {
            return if self.value_hasher.is_some() {
                KeyDecision::Hash
            } else {
                KeyDecision::Mask(KEY_MASK)
            };
        }
        if self.secret_key_names && is_secret_key_name(key) {
            return if self.value_hasher.is_some() {
                KeyDecision::Hash
            } else {
                KeyDecision::SecretName
            };
        }
        KeyDecision::Scan
    }

    /// The mask for the value of a key that names a secret: the label of the first detector
    /// that recognises something in it (`Bearer eyJ…` is a JWT), else `generic_secret`.
    pub(super) fn secret_value_mask(&self, value: &str) -> &'static str {
        self.matcher
            .first_detector(value)
            .unwrap_or(Detector::GenericSecret)
            .mask()
    }

    /// The hash of a value a key rule hashes; the key mask when there is no hasher.
    pub(super) fn hash_value(&self, s: &str) -> String {
        match &self.key_hasher {
            Some(h) => h.hash(s),
            None => KEY_MASK.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_names() {
        for k in [
            "password",
            "db.password",
            "OPENAI_API_KEY",
            "x-api-key",
            "http.request.header.authorization",
            "next_page_token",
        ] {
            assert!(is_secret_key_name(k), "{k}");
        }
        for k in [
            "max_tokens",
            "gen_ai.usage.input_tokens",
            "token_count",
            "tokenizer",
            "keyboard",
        ] {
            assert!(!is_secret_key_name(k), "{k}");
        }
    }
}
