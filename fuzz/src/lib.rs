//! Helpers shared by the fuzz targets (see `docs/fuzzing.md`).
//!
//! - [`Header`]: the fixed-size prefix of each input that picks configuration knobs, so the rest
//!   of the input stays plain text and the seed files stay readable.
//! - [`Rng`] and [`fake_secret`]: fake secrets of every shape the redactor's docs list,
//!   generated from a fuzzer-chosen seed. Nothing here is a real secret.
//! - [`plant`]: inserts a secret into fuzzer text at a fuzzer-chosen char boundary, between
//!   whitespace delimiters (a boundary every detector documents).

/// The first bytes of an input, read as knobs; reads past the end give 0.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    bytes: &'a [u8],
}

impl<'a> Header<'a> {
    /// Splits `data` into an `n`-byte header and the rest (the text part).
    pub fn split(data: &'a [u8], n: usize) -> (Self, &'a [u8]) {
        let (head, rest) = data.split_at(n.min(data.len()));
        (Self { bytes: head }, rest)
    }

    /// Byte `i` of the header (0 when the input is shorter).
    pub fn byte(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    /// Bytes `i` and `i + 1`, little-endian.
    pub fn u16(&self, i: usize) -> u16 {
        u16::from_le_bytes([self.byte(i), self.byte(i + 1)])
    }

    /// Bytes `i..i + 4`, little-endian.
    pub fn u32(&self, i: usize) -> u32 {
        u32::from_le_bytes([
            self.byte(i),
            self.byte(i + 1),
            self.byte(i + 2),
            self.byte(i + 3),
        ])
    }

    /// Picks one of `items` with byte `i`.
    pub fn pick<T: Copy>(&self, i: usize, items: &[T]) -> T {
        items[usize::from(self.byte(i)) % items.len()]
    }
}

/// The seeded generator and alphabets of the redaction tests, shared with them (one copy).
#[path = "../../crates/llmtrace-processor/tests/redact_support/mod.rs"]
mod redact_support;

use redact_support::{b64std, luhn_check_digit, HEX, UPPER_DIGITS};
pub use redact_support::{Rng, ALNUM, URLSAFE};

const LOWER_DIGITS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";

/// A token that mixes upper case, lower case and digits and has high entropy, as generated
/// keys do (the detectors require "random-looking" values).
///
/// `n` must be at least 12 (shorter strings rarely or never reach the entropy bar); after
/// 64 unlucky draws the token is built from distinct characters, so this always ends.
pub fn token(rng: &mut Rng, alphabet: &str, n: usize) -> String {
    let looks_generated = |t: &str| {
        let b = t.as_bytes();
        b.iter().any(u8::is_ascii_digit)
            && b.iter().any(u8::is_ascii_uppercase)
            && b.iter().any(u8::is_ascii_lowercase)
            && entropy(t) >= 3.2
    };
    for _ in 0..64 {
        let t = rng.chars_from(alphabet, n);
        if looks_generated(&t) {
            return t;
        }
    }
    // Distinct characters (7 is coprime with the alphabet lengths used here), rotated from
    // a random start: entropy log2(n) and, over ≥ 12 characters, every class.
    let a = alphabet.as_bytes();
    let start = rng.range(0, a.len() - 1);
    let t: String = (0..n)
        .map(|i| char::from(a[(start + 7 * i) % a.len()]))
        .collect();
    assert!(
        looks_generated(&t),
        "token fallback {t:?} is not token-like"
    );
    t
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for &b in s.as_bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// A fake secret to plant: `text` is inserted, `needle` (the sensitive part of it) must not
/// survive redaction.
#[derive(Debug, Clone)]
pub struct Secret {
    /// The detector expected to find it (for messages only).
    pub detector: &'static str,
    /// What is inserted, context included (`password=…`, `Bearer …`).
    pub text: String,
    /// The part that must be masked.
    pub needle: String,
    /// Whether a plain space is a boundary for this detector. Phone numbers, card numbers and
    /// IBANs are written with spaces inside, so a following number could extend them; those are
    /// planted between tabs or newlines only.
    pub space_is_boundary: bool,
    /// Whether detection depends on a context written before the needle (`Bearer `,
    /// `password=`, `host `). Matching is leftmost-first and non-overlapping, so a match that
    /// starts earlier on the same line can swallow that context (`Authorization: Basic Bearer
    /// <token>` masks `Bearer` as the basic credential); such secrets are planted at the start
    /// of a line. See [`context_may_be_swallowed`].
    pub needs_context: bool,
}

/// Whether a secret planted after `before` can lose its context to an earlier match even at
/// the start of a line: only a private-key block without its END line spans lines (by design,
/// it masks everything after `BEGIN … PRIVATE KEY-----` that looks like key material).
pub fn context_may_be_swallowed(before: &str, secret: &Secret) -> bool {
    secret.needs_context && before.contains("PRIVATE KEY")
}

/// How many kinds [`fake_secret`] knows.
pub const SECRET_KINDS: u8 = 25;

/// A Luhn-valid 16-digit Visa-shaped number.
pub fn card_number(rng: &mut Rng) -> String {
    let body = format!("4{}", rng.digits(14));
    let check = luhn_check_digit(&body);
    format!("{body}{check}")
}

fn iban_de(rng: &mut Rng) -> String {
    let bban = rng.digits(18);
    // ISO 7064 mod 97-10 over BBAN + "DE00" (D=13, E=14).
    let mut rem = 0u32;
    for c in format!("{bban}131400").bytes() {
        rem = (rem * 10 + u32::from(c - b'0')) % 97;
    }
    format!("DE{:02}{bban}", 98 - rem)
}

/// Fake secret number `kind % SECRET_KINDS`, its random parts drawn from `rng`.
pub fn fake_secret(kind: u8, rng: &mut Rng) -> Secret {
    let plain = |detector, text: String| Secret {
        detector,
        needle: text.clone(),
        text,
        space_is_boundary: true,
        needs_context: false,
    };
    let with_context = |detector, context: &str, needle: String| Secret {
        detector,
        text: format!("{context}{needle}"),
        needle,
        space_is_boundary: true,
        needs_context: true,
    };
    let spaced = |detector, text: String| Secret {
        detector,
        needle: text.clone(),
        text,
        space_is_boundary: false,
        needs_context: false,
    };
    match kind % SECRET_KINDS {
        0 => {
            let n = rng.range(1, 12);
            let local = rng.chars_from(LOWER_DIGITS, n);
            let n = rng.range(1, 10);
            let domain = rng.chars_from(LOWER_DIGITS, n);
            let tld = ["com", "org", "net", "io", "de", "co.uk"][rng.range(0, 5)];
            plain("email", format!("{local}@{domain}.{tld}"))
        }
        1 => {
            let n = rng.range(1, 6);
            let first = rng.chars_from(LOWER_DIGITS, n);
            let n = rng.range(1, 8);
            let last = rng.chars_from(LOWER_DIGITS, n);
            plain("email", format!("{first}.{last}@example.org"))
        }
        2 => spaced("phone", format!("+44{}", rng.digits(10))),
        3 => spaced(
            "phone",
            format!(
                "+1 {} {} {}",
                rng.range(200, 999),
                rng.range(200, 999),
                rng.digits(4)
            ),
        ),
        4 => plain(
            "phone",
            format!(
                "({}) {}-{}",
                rng.range(200, 999),
                rng.range(200, 999),
                rng.digits(4)
            ),
        ),
        5 => spaced("payment_card", card_number(rng)),
        6 => {
            let n = card_number(rng);
            spaced(
                "payment_card",
                format!("{} {} {} {}", &n[..4], &n[4..8], &n[8..12], &n[12..]),
            )
        }
        7 => spaced("iban", iban_de(rng)),
        8 => {
            let mut area = rng.range(1, 899);
            if area == 666 {
                area = 665;
            }
            spaced(
                "us_ssn",
                format!(
                    "{area:03}-{:02}-{:04}",
                    rng.range(1, 99),
                    rng.range(1, 9999)
                ),
            )
        }
        9 => {
            let ip = format!(
                "{}.{}.{}.{}",
                rng.range(1, 223),
                rng.range(0, 255),
                rng.range(0, 255),
                rng.range(1, 254)
            );
            with_context("ip_address", "host ", ip)
        }
        10 => {
            let groups: Vec<String> = (0..8)
                .map(|i| {
                    let n = if i == 0 { 4 } else { rng.range(1, 4) };
                    rng.chars_from(HEX, n)
                })
                .collect();
            plain("ip_address", groups.join(":"))
        }
        11 => {
            let (a, b, c) = (rng.range(8, 20), rng.range(8, 30), rng.range(10, 40));
            let jwt = format!(
                "eyJ{}.eyJ{}.{}",
                rng.chars_from(URLSAFE, a),
                rng.chars_from(URLSAFE, b),
                rng.chars_from(URLSAFE, c)
            );
            plain("jwt", jwt)
        }
        12 => {
            let n = rng.range(20, 40);
            with_context("bearer_token", "Bearer ", token(rng, ALNUM, n))
        }
        13 => {
            let n = rng.range(3, 8);
            let user = rng
                .chars_from(LOWER_DIGITS, n)
                .replace(|c: char| c.is_ascii_digit(), "u");
            let n = rng.range(12, 16);
            let password = token(rng, ALNUM, n);
            with_context(
                "basic_auth",
                "Authorization: Basic ",
                b64std(format!("{user}:{password}").as_bytes()),
            )
        }
        14 => {
            let n = rng.range(3, 8);
            let user = rng.chars_from(LOWER_DIGITS, n);
            let n = rng.range(12, 16);
            let userinfo = format!("{user}:{}", token(rng, ALNUM, n));
            Secret {
                detector: "basic_auth",
                text: format!("https://{userinfo}@db.example.com/app"),
                needle: userinfo,
                space_is_boundary: true,
                needs_context: true,
            }
        }
        15 => {
            let lines: Vec<String> = (0..rng.range(1, 3))
                .map(|_| {
                    token(
                        rng,
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                        64,
                    )
                })
                .collect();
            Secret {
                detector: "private_key",
                text: format!(
                    "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
                    lines.join("\n")
                ),
                needle: lines[0].clone(),
                space_is_boundary: true,
                needs_context: false,
            }
        }
        16 => {
            let n = rng.range(40, 60);
            plain("openai_key", format!("sk-proj-{}", token(rng, ALNUM, n)))
        }
        17 => {
            let n = rng.range(80, 95);
            plain(
                "anthropic_key",
                format!("sk-ant-api03-{}", token(rng, ALNUM, n)),
            )
        }
        18 => {
            let mut body = rng.chars_from(UPPER_DIGITS, 15);
            body.push(char::from(b'2' + (rng.next_u64() % 6) as u8));
            plain("aws_access_key", format!("AKIA{body}"))
        }
        19 => plain("github_token", format!("ghp_{}", token(rng, ALNUM, 36))),
        20 => {
            let (a, b) = (rng.range(10, 13), rng.range(10, 13));
            let slack = format!(
                "xoxb-{}-{}-{}",
                rng.digits(a),
                rng.digits(b),
                token(rng, ALNUM, 24)
            );
            plain("slack_token", slack)
        }
        21 => {
            let n = rng.range(24, 34);
            plain("stripe_key", format!("sk_live_{}", token(rng, ALNUM, n)))
        }
        22 => plain("google_api_key", format!("AIza{}", token(rng, ALNUM, 35))),
        23 => {
            let n = rng.range(12, 16);
            let value = token(
                rng,
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%",
                n,
            );
            with_context("generic_secret", "password=", value)
        }
        _ => {
            let token = token(rng, ALNUM, 32);
            with_context("generic_secret", "api_key: ", token)
        }
    }
}

/// Inserts `secret.text` into `text` at the char boundary at or before `pos % (len + 1)`,
/// between whitespace delimiters chosen by `delim`. Returns the new text and the parts of
/// `text` before and after the insertion point.
pub fn plant<'t>(
    text: &'t str,
    pos: u16,
    delim: u8,
    secret: &Secret,
) -> (String, &'t str, &'t str) {
    let mut at = usize::from(pos) % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (before, after) = text.split_at(at);
    let delims: &[(&str, &str)] = if secret.needs_context {
        &[("\n", " "), ("\n", "\n"), ("\r\n", "\r\n"), ("\n", "\t")]
    } else if secret.space_is_boundary {
        &[
            (" ", " "),
            ("\n", "\n"),
            ("\t", " "),
            (" ", "\n"),
            ("\r\n", "\r\n"),
        ]
    } else {
        &[("\n", "\n"), ("\t", "\t"), ("\n", "\t"), ("\r\n", "\r\n")]
    };
    let (open, close) = delims[usize::from(delim) % delims.len()];
    let planted = format!("{before}{open}{}{close}{after}", secret.text);
    (planted, before, after)
}

/// Occurrences of `needle` in `hay`, overlapping ones included.
pub fn occurrences(hay: &str, needle: &str) -> usize {
    if needle.is_empty() {
        return 0;
    }
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1))
        .filter(|&i| h[i..].starts_with(n))
        .count()
}

/// Whether `s` is JSON the redactor treats structurally: first non-blank byte `{` or `[`, and
/// valid (the same test as `llmtrace_processor`'s JSON pass).
pub fn is_structural_json(s: &str) -> bool {
    matches!(s.trim_start().as_bytes().first(), Some(b'{' | b'['))
        && serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
}

/// Whether `s` is valid JSON.
pub fn is_json(s: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_valid_shapes() {
        let mut rng = Rng::new(7);
        for _ in 0..100 {
            let iban = iban_de(&mut rng);
            assert_eq!(iban.len(), 22);
            let card = card_number(&mut rng);
            assert_eq!(luhn_check_digit(&card[..15]), card.as_bytes()[15] - b'0');
        }
        assert_eq!(b64std(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(b64std(b"ab"), "YWI=");
        assert_eq!(occurrences("aaa", "aa"), 2);
        // Every kind ends (a token loop that could not reach its entropy bar once hung here).
        for kind in 0..SECRET_KINDS {
            for seed in 0..200 {
                assert!(!fake_secret(kind, &mut Rng::new(seed)).needle.is_empty());
            }
        }
    }
}
