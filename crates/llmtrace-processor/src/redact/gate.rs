//! A cheap first look that rules out most strings with nothing to redact before the matcher runs.
//!
//! Every built-in pattern needs, somewhere in its match, a byte of a small set (a digit, `@`,
//! `+`, `(`, `:`, `%`) or one of a few literals (key prefixes such as `sk-`, `ghp_`, `AIza`,
//! keywords such as `password`, `token`, `bearer`, and the starts of base64 encodings that hold
//! no digit). A string with neither cannot match, whatever its length: one byte scan plus one
//! case-insensitive Aho-Corasick pass decide, usually in a few nanoseconds for a short value.
//! With custom rules or blocked values (arbitrary patterns) there is no gate.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Literals, matched case-insensitively, at least one of which every digit-free match holds.
const LITERALS: &[&str] = &[
    // Private keys, JWTs, provider key prefixes.
    "-----begin",
    "eyj",
    "sk-",
    "sk_",
    "rk_",
    "akia",
    "asia",
    "abia",
    "acca",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "xapp-",
    "whsec_",
    "aiza",
    "glpat-",
    "hf_",
    "npm_",
    "sg.",
    "dop_v",
    // Context keywords of `basic_auth`, `bearer_token`, `generic_secret`.
    "basic",
    "bearer",
    "authorization",
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "credential",
    "signature",
    // Base64 starts of known prefixes that contain no digit.
    "zxlk",
    "qutjq",
    "qvnjq",
    "qujjq",
    "qundq",
    "agzf",
    "qmvhcmvy",
    "qmfzawmg",
    "bnbtx",
    "egfwcc",
    "cmtf",
];

/// Whether a byte can be part of a match without any literal: digits and the separators of
/// e-mails, phones, IPv6 addresses, URLs and percent-escapes.
const fn trigger_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = true;
        b += 1;
    }
    t[b'@' as usize] = true;
    t[b'+' as usize] = true;
    t[b'(' as usize] = true;
    t[b':' as usize] = true;
    t[b'%' as usize] = true;
    t
}

static TRIGGER: [bool; 256] = trigger_table();

/// The gate of the built-in detectors.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    literals: AhoCorasick,
}

impl Gate {
    /// `None` if the literal automaton cannot be built (then every string is scanned).
    pub(crate) fn new() -> Option<Self> {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(LITERALS)
            .ok()
            .map(|literals| Self { literals })
    }

    /// Whether `hay` may hold a match (false: it surely holds none).
    pub(crate) fn may_match(&self, hay: &str) -> bool {
        hay.bytes().any(|b| TRIGGER[usize::from(b)]) || self.literals.is_match(hay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_out_plain_words_only() {
        let g = Gate::new().expect("gate");
        assert!(!g.may_match("The weather in Paris is sunny today ok"));
        assert!(!g.may_match("Le client demande une facture corrigée."));
        assert!(g.may_match("order 42"));
        assert!(g.may_match("ada@example.org"));
        assert!(g.may_match("the Bearer abc"));
        assert!(g.may_match("PASSWORD=hunter"));
        assert!(g.may_match("ZXlKaGJHY2lPaUpJVXpJMU5pSjku"));
    }
}
