//! The pattern table of the built-in detectors and the checks run on their candidates.
//!
//! Every pattern is ASCII-only (compiled inside `(?-u:…)`) so the combined lazy DFA never has to
//! fall back to a slower engine on non-ASCII text. Patterns find *candidates*; a validator then
//! confirms them in code (Luhn, IBAN mod-97, IPv6 parsing, randomness, context) and may shorten
//! the match. A pattern with `group: true` masks only its first capture group, so context such as
//! `password=` or `Bearer ` stays readable.

use super::Detector;

/// Confirms a candidate `hay[start..end]` and returns the accepted end (possibly shorter).
pub(crate) type Validator = fn(hay: &str, start: usize, end: usize) -> Option<usize>;

/// One built-in pattern.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BuiltinPattern {
    pub(crate) detector: Detector,
    pub(crate) regex: &'static str,
    /// Mask only capture group 1 instead of the whole match.
    pub(crate) group: bool,
    /// Re-label the masked value if it is a provider key (`api_key=sk-…` → `openai_key`).
    pub(crate) classify: bool,
    pub(crate) validate: Option<Validator>,
    /// The match is base64 of something else: decode it and mask it as a whole when the decoded
    /// text holds a known-format key (labelled by that key's detector).
    pub(crate) decode: bool,
}

const fn pat(
    detector: Detector,
    regex: &'static str,
    validate: Option<Validator>,
) -> BuiltinPattern {
    BuiltinPattern {
        detector,
        regex,
        group: false,
        classify: false,
        validate,
        decode: false,
    }
}

const fn ctx(
    detector: Detector,
    regex: &'static str,
    validate: Option<Validator>,
) -> BuiltinPattern {
    BuiltinPattern {
        detector,
        regex,
        group: true,
        classify: true,
        validate,
        decode: false,
    }
}

/// Base64 (standard or URL-safe) of a value that starts with a known key prefix, a URL scheme or
/// a credential keyword: the start of the encoding is fixed (`sk-` → `c2st`, `AKIA` → `QUtJQ`,
/// `ghp_` → `Z2hw`, `eyJ` → `ZXlK`, `-----BEGIN` → `LS0tLS1CRUdJTi`, `http` → `aHR0c`,
/// `Authorization` → `QXV0aG9yaXphdGlvbj`, `password` → `cGFzc3dvcmQ`, …), so only such runs
/// are decoded and scanned.
const fn b64(detector: Detector, regex: &'static str) -> BuiltinPattern {
    BuiltinPattern {
        detector,
        regex,
        group: false,
        classify: false,
        validate: None,
        decode: true,
    }
}

/// All built-in patterns in priority order (the order of [`Detector::ALL`]).
pub(crate) const BUILTIN: &[BuiltinPattern] = &[
    pat(
        Detector::PrivateKey,
        r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\t\r\n \\:,]|-[A-Za-z0-9])*(?:-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----)?",
        None,
    ),
    pat(
        Detector::Jwt,
        r"\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*",
        None,
    ),
    pat(
        Detector::AnthropicKey,
        r"\bsk-ant-[A-Za-z0-9_-]{32,}",
        Some(v_random_tail),
    ),
    pat(
        Detector::OpenaiKey,
        r"\bsk-[A-Za-z0-9_-]{20,}",
        Some(v_random_tail),
    ),
    pat(
        Detector::AwsAccessKey,
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
        Some(v_has_digit),
    ),
    pat(
        Detector::GithubToken,
        r"\b(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b",
        Some(v_random_tail),
    ),
    pat(
        Detector::SlackToken,
        r"\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})",
        Some(v_has_digit),
    ),
    pat(
        Detector::SlackToken,
        r"\bhttps://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,}",
        None,
    ),
    pat(
        Detector::StripeKey,
        r"\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})\b",
        Some(v_random_tail),
    ),
    pat(
        Detector::GoogleApiKey,
        r"\bAIza[0-9A-Za-z_-]{35}",
        Some(v_google),
    ),
    pat(
        Detector::PlatformToken,
        r"\b(?:glpat-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,}|npm_[A-Za-z0-9]{36}|SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}|dop_v1_[a-f0-9]{64})",
        Some(v_random_tail),
    ),
    ctx(
        Detector::BasicAuth,
        r#"\b(?i:authorization)["']?[ \t]*[:=][ \t]*["']?(?i:basic)[ \t]+([A-Za-z0-9+/]{4,}={0,2})"#,
        None,
    ),
    ctx(
        Detector::BasicAuth,
        r"\b(?i:basic)[ \t]+([A-Za-z0-9+/]{6,}={0,2})",
        Some(v_basic),
    ),
    ctx(
        Detector::BasicAuth,
        r"\b[A-Za-z][A-Za-z0-9+.-]{1,15}://([A-Za-z0-9._~%!$&'()*+,;=-]{1,64}:[A-Za-z0-9._~%!$&'()*+,;=:-]{1,128})@",
        Some(v_url_credentials),
    ),
    ctx(
        Detector::BearerToken,
        r#"\b(?i:proxy-authorization|authorization)["']?[ \t]*[:=][ \t]*["']?(?:(?i:bearer|token)[ \t]+)?([A-Za-z0-9._~+/-]{8,}=*)"#,
        Some(v_random),
    ),
    ctx(
        Detector::BearerToken,
        r"\b(?i:bearer)[ \t]+([A-Za-z0-9._~+/-]{16,}=*)",
        Some(v_random),
    ),
    ctx(
        Detector::GenericSecret,
        r#"\b[A-Za-z0-9_.-]*(?i:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?|signature)[A-Za-z0-9_.-]*["']?[ \t]*(?::=|=>|=|:)[ \t]*["']?([A-Za-z0-9!#$%&*+./:<=>?@^_|~-]{4,256})"#,
        Some(v_generic),
    ),
    ctx(
        Detector::GenericSecret,
        r#"(?:^|[ \t])--?(?i:password|passwd|passphrase|token|api-key|apikey|secret|client-secret)[ =]["']?([A-Za-z0-9!#$%&*+./:<=>?@^_|~-]{4,256})"#,
        Some(v_generic),
    ),
    pat(
        Detector::Email,
        r"\b[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b",
        Some(v_email),
    ),
    pat(
        Detector::Iban,
        r"\b[A-Za-z]{2}[0-9]{2}(?:[ .-]?[A-Za-z0-9]{4}){2,7}(?:[ .-]?[A-Za-z0-9]{1,3})?\b",
        Some(v_iban),
    ),
    pat(
        Detector::PaymentCard,
        r"\b(?:4[0-9]{3}|5[1-5][0-9]{2}|2[2-7][0-9]{2}|3[0-9]{3}|6[0-9]{3})(?:[ .-]?[0-9]){9,15}\b",
        Some(v_card),
    ),
    pat(
        Detector::UsSsn,
        r"\b[0-9]{3}[ .-][0-9]{2}[ .-][0-9]{4}\b",
        Some(v_ssn),
    ),
    pat(
        Detector::Phone,
        r"\+[1-9](?:[ .-]?(?:\([0-9]{1,4}\)|[0-9])){6,16}",
        Some(v_phone_intl),
    ),
    pat(
        Detector::Phone,
        r"\b00[1-9](?:[ .-]?(?:\([0-9]{1,4}\)|[0-9])){6,16}",
        Some(v_phone_00),
    ),
    pat(
        Detector::Phone,
        r"(?:\([2-9][0-9]{2}\)[ ]?|\b[2-9][0-9]{2}[-. ])[2-9][0-9]{2}[-. ][0-9]{4}\b",
        Some(v_phone_nanp),
    ),
    pat(
        Detector::Phone,
        r"\b[1-9][0-9]{0,2}(?:[ -][0-9]{1,8}){2,6}\b",
        Some(v_phone_bare),
    ),
    pat(
        Detector::IpAddress,
        r"\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\b",
        Some(v_ipv4),
    ),
    pat(
        Detector::IpAddress,
        r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}",
        Some(v_ipv6),
    ),
    b64(
        Detector::GenericSecret,
        r"\b(?:c2st|c2tf|cmtf|QUtJQ|QVNJQ|QUJJQ|QUNDQ|Z2hw|Z2hv|Z2h1|Z2hz|Z2hy|Z2l0aHViX3BhdF|eG94|eGFwcC|d2hzZWNf|QUl6Y|Z2xwYXQt|aGZf|bnBtX|U0cu|ZG9wX3YxX|ZXlK|LS0tLS1CRUdJTi|aHR0c|cG9zdGdyZX|bXlzcWw6Ly|bW9uZ29kYi|cmVkaXM6Ly|YW1xcDovL|QXV0aG9yaXphdGlvbj|YXV0aG9yaXphdGlvbj|QmVhcmVy|QmFzaWMg|cGFzc3dvcmQ|UEFTU1dPUkQ|YXBpX2tleT|YXBpS2V5|dG9rZW4|c2VjcmV0)[A-Za-z0-9+/_-]{12,}={0,2}",
    ),
];

// ---------------------------------------------------------------------------------------------
// Small helpers over bytes around a match.

fn prev_byte(hay: &str, start: usize) -> Option<u8> {
    start
        .checked_sub(1)
        .and_then(|i| hay.as_bytes().get(i).copied())
}

fn byte_at(hay: &str, i: usize) -> Option<u8> {
    hay.as_bytes().get(i).copied()
}

/// `.5`, `-7`: the match continues a longer dotted or dashed number.
fn continues_number(hay: &str, end: usize) -> bool {
    matches!(byte_at(hay, end), Some(b'.' | b'-'))
        && byte_at(hay, end + 1).is_some_and(|b| b.is_ascii_digit())
}

fn char_classes(s: &str) -> (bool, bool, bool) {
    let b = s.as_bytes();
    (
        b.iter().any(u8::is_ascii_uppercase),
        b.iter().any(u8::is_ascii_lowercase),
        b.iter().any(u8::is_ascii_digit),
    )
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for &b in s.as_bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Looks like a generated token rather than a word: mixed classes and enough entropy.
fn looks_random(s: &str) -> bool {
    let (upper, lower, digit) = char_classes(s);
    let classes = usize::from(upper) + usize::from(lower) + usize::from(digit);
    s.len() >= 8 && classes >= 2 && (digit || (upper && lower)) && entropy(s) >= 3.0
}

// ---------------------------------------------------------------------------------------------
// Validators.

fn v_has_digit(hay: &str, start: usize, end: usize) -> Option<usize> {
    hay.get(start..end)?
        .bytes()
        .any(|b| b.is_ascii_digit())
        .then_some(end)
}

/// The part after the provider prefix must look generated (`sk-learn-wrapper-…` is not a key).
fn v_random_tail(hay: &str, start: usize, end: usize) -> Option<usize> {
    let m = hay.get(start..end)?;
    let tail = m.split_once(['-', '_', '.']).map_or(m, |(_, t)| t);
    let (upper, lower, digit) = char_classes(tail);
    (digit && (upper || lower) || upper && lower).then_some(end)
}

fn v_random(hay: &str, start: usize, end: usize) -> Option<usize> {
    looks_random(hay.get(start..end)?).then_some(end)
}

fn v_google(hay: &str, start: usize, end: usize) -> Option<usize> {
    let next = byte_at(hay, end);
    if next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return None;
    }
    let (upper, lower, digit) = char_classes(hay.get(start + 4..end)?);
    (digit && (upper || lower) || upper && lower).then_some(end)
}

/// `Basic xxx` counts only when xxx is base64 of printable `user:password`.
fn v_basic(hay: &str, start: usize, end: usize) -> Option<usize> {
    let decoded = base64_decode(hay.get(start..end)?)?;
    let printable = decoded.iter().all(|b| (0x20..0x7f).contains(b));
    let colon = decoded.iter().position(|&b| b == b':')?;
    (printable && colon > 0 && colon + 1 < decoded.len()).then_some(end)
}

fn v_url_credentials(hay: &str, start: usize, end: usize) -> Option<usize> {
    let userinfo = hay.get(start..end)?;
    let (_, password) = userinfo.split_once(':')?;
    let placeholder = password
        .bytes()
        .all(|b| b == b'*' || b == b'x' || b == b'X');
    (!password.is_empty() && !placeholder).then_some(end)
}

const PLACEHOLDERS: &[&str] = &[
    "null",
    "none",
    "true",
    "false",
    "undefined",
    "required",
    "optional",
    "string",
    "hidden",
    "redacted",
    "example",
    "value",
    "empty",
    "secret",
    "password",
    "token",
    "your_password",
    "your_api_key",
    "your-api-key",
    "changeit",
];

/// Passwords of any shape (≥ 4 chars, not a placeholder); other key names need a random value.
fn v_generic(hay: &str, start: usize, end: usize) -> Option<usize> {
    let value = hay.get(start..end)?;
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDERS.contains(&lower.as_str())
        || value
            .bytes()
            .all(|b| matches!(b, b'*' | b'x' | b'X' | b'.' | b'#' | b'-'))
    {
        return None;
    }
    // The key name is the text of the match before the value; find it by walking back.
    let before = hay.get(..start)?;
    let key_start = before
        .trim_end_matches(|c: char| {
            c == '"' || c == '\'' || c == ' ' || c == '\t' || c == ':' || c == '=' || c == '>'
        })
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let key = before.get(key_start..)?.to_ascii_lowercase();
    let in_query = matches!(prev_byte(hay, key_start), Some(b'?' | b'&' | b';'));
    let end = end_before_next_param(value, in_query).map_or(end, |n| start + n);
    let value = hay.get(start..end)?;
    if value.len() < 4 {
        return None;
    }
    let is_password = ["password", "passwd", "passphrase", "pwd"]
        .iter()
        .any(|k| key.contains(k));
    if is_password {
        return Some(end);
    }
    looks_random(value).then_some(end)
}

/// Where a value ends when the next query parameter follows it: at `&` or `#` in a query string,
/// elsewhere at `&name=`. `None` when the value has no such tail.
fn end_before_next_param(value: &str, in_query: bool) -> Option<usize> {
    let b = value.as_bytes();
    b.iter().enumerate().find_map(|(i, &c)| {
        let next_is_param = || {
            let rest = &b[i + 1..];
            let name = rest
                .iter()
                .take_while(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
                .count();
            name > 0 && rest.get(name) == Some(&b'=')
        };
        match c {
            b'&' if in_query || next_is_param() => Some(i),
            b'#' if in_query => Some(i),
            _ => None,
        }
    })
}

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp"];

fn v_email(hay: &str, start: usize, end: usize) -> Option<usize> {
    let m = hay.get(start..end)?;
    let (local, domain) = m.rsplit_once('@').or_else(|| m.rsplit_once("%40"))?;
    if local.starts_with('.') || local.ends_with('.') || domain.starts_with('-') {
        return None;
    }
    let tld = domain.rsplit('.').next()?.to_ascii_lowercase();
    (!IMAGE_EXTENSIONS.contains(&tld.as_str())).then_some(end)
}

/// IBAN lengths by country (ISO 13616 registry, common countries).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VG", 24),
    ("XK", 20),
];

/// Mod-97 of the rearranged IBAN (ISO 7064); valid IBANs give 1.
pub(crate) fn iban_checksum_ok(compact: &[u8]) -> bool {
    if compact.len() < 5 {
        return false;
    }
    let rearranged = compact[4..].iter().chain(compact[..4].iter());
    let mut rem: u32 = 0;
    for &b in rearranged {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Upper case or lower case (not mixed), separators anywhere, country length, mod-97, and a
/// BBAN of at least half digits (so words and codes that happen to pass mod-97 stay).
fn v_iban(hay: &str, start: usize, end: usize) -> Option<usize> {
    let m = hay.get(start..end)?.as_bytes();
    let country = hay.get(start..start + 2)?.to_ascii_uppercase();
    let want = IBAN_LENGTHS.iter().find(|(c, _)| *c == country)?.1;
    let mut compact = Vec::with_capacity(want);
    let mut cut = None;
    let (mut upper, mut lower) = (false, false);
    for (i, &b) in m.iter().enumerate() {
        if matches!(b, b' ' | b'.' | b'-') {
            continue;
        }
        upper |= b.is_ascii_uppercase();
        lower |= b.is_ascii_lowercase();
        compact.push(b.to_ascii_uppercase());
        if compact.len() == want {
            cut = Some(start + i + 1);
            break;
        }
    }
    let cut = cut?;
    if (upper && lower) || byte_at(hay, cut).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let bban_digits = compact[4..].iter().filter(|b| b.is_ascii_digit()).count();
    (bban_digits * 2 >= want - 4 && iban_checksum_ok(&compact)).then_some(cut)
}

/// The Luhn check over ASCII digits.
pub(crate) fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn v_card(hay: &str, start: usize, end: usize) -> Option<usize> {
    if matches!(prev_byte(hay, start), Some(b'.' | b'-' | b'/' | b'+')) {
        return None;
    }
    let m = hay.get(start..end)?.as_bytes();
    // Separators may be mixed (`4111 1111-1111 1111`); dotted numbers must look grouped like a
    // card (≥ 2 dots, groups of 3–6 digits) so that decimals are not cards.
    if m.contains(&b'.') && !card_grouped(m) {
        return None;
    }
    let mut digits = Vec::with_capacity(19);
    let mut ends = Vec::with_capacity(19);
    for (i, &b) in m.iter().enumerate() {
        if b.is_ascii_digit() {
            digits.push(b);
            ends.push(start + i + 1);
        }
    }
    // The greedy pattern may have swallowed a trailing group (an expiry date, a CVV):
    // try the longest prefix that ends on a group boundary and passes Luhn.
    let max = digits.len().min(19);
    for n in (13..=max).rev() {
        let cut = ends[n - 1];
        if byte_at(hay, cut).is_some_and(|b| b.is_ascii_digit()) {
            continue;
        }
        if card_length_ok(&digits[..n]) && luhn_ok(&digits[..n]) && !continues_number(hay, cut) {
            return Some(cut);
        }
    }
    None
}

/// The lengths the card schemes issue for the number's prefix (Visa 13/16/19, Mastercard 16,
/// Amex 15, Diners 14–19, JCB and Discover 16–19).
fn card_length_ok(d: &[u8]) -> bool {
    let n = d.len();
    match (d.first(), d.get(1)) {
        (Some(b'4'), _) => matches!(n, 13 | 16 | 19),
        (Some(b'5' | b'2'), _) => n == 16,
        (Some(b'3'), Some(b'4' | b'7')) => n == 15,
        (Some(b'3'), _) => (14..=19).contains(&n),
        (Some(b'6'), _) => (16..=19).contains(&n),
        _ => false,
    }
}

/// At least two separators and every group 3–6 digits long.
fn card_grouped(m: &[u8]) -> bool {
    let groups = m.split(|b| !b.is_ascii_digit());
    let mut n = 0;
    for g in groups {
        if !(3..=6).contains(&g.len()) {
            return false;
        }
        n += 1;
    }
    n >= 3
}

fn v_ssn(hay: &str, start: usize, end: usize) -> Option<usize> {
    if matches!(prev_byte(hay, start), Some(b'-' | b'.' | b'+' | b'/'))
        || continues_number(hay, end)
    {
        return None;
    }
    let m = hay.get(start..end)?.as_bytes();
    if m.len() != 11 {
        return None;
    }
    let area = &m[0..3];
    let group = &m[4..6];
    let serial = &m[7..11];
    let bad_area = area == b"000" || area == b"666" || area[0] == b'9';
    (!bad_area && group != b"00" && serial != b"0000").then_some(end)
}

fn v_phone_intl(hay: &str, start: usize, end: usize) -> Option<usize> {
    if prev_byte(hay, start).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'_') {
        return None;
    }
    let m = hay.get(start..end)?;
    let digits = m.bytes().filter(u8::is_ascii_digit).count();
    let mut end = end;
    // Do not end on a separator or an opening parenthesis.
    while end > start && matches!(byte_at(hay, end - 1), Some(b' ' | b'.' | b'-' | b'(')) {
        end -= 1;
    }
    ((8..=15).contains(&digits) && !continues_number(hay, end)).then_some(end)
}

fn v_phone_nanp(hay: &str, start: usize, end: usize) -> Option<usize> {
    if matches!(
        prev_byte(hay, start),
        Some(b'.' | b'-' | b'+' | b'/' | b'_')
    ) || prev_byte(hay, start).is_some_and(|b| b.is_ascii_alphanumeric())
        || continues_number(hay, end)
    {
        return None;
    }
    let m = hay.get(start..end)?.as_bytes();
    if m.first() != Some(&b'(') && m.len() != 12 {
        return None;
    }
    Some(end)
}

/// `0044 20 7946 0958`: the international form with the `00` call prefix instead of `+`.
fn v_phone_00(hay: &str, start: usize, end: usize) -> Option<usize> {
    if matches!(prev_byte(hay, start), Some(b'.' | b'-' | b'/' | b',')) {
        return None;
    }
    let e = v_phone_intl(hay, start, end)?;
    let digits = hay
        .get(start..e)?
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    let first_group = hay
        .get(start..e)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    // `00` + 8–15 digits; a bare 00… run without separators is a number, not a phone.
    ((10..=17).contains(&digits) && first_group < digits).then_some(e)
}

/// The 2-digit E.164 country calling codes.
const CC_2: &[u8] = &[
    20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
    57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
];

/// A 1- or 2-digit country calling code (3-digit codes are not recognised without `+`/`00`).
fn is_country_code(g: &[u8]) -> bool {
    match g {
        [b'1' | b'7'] => true,
        [a, b] => CC_2.contains(&((a - b'0') * 10 + (b - b'0'))),
        _ => false,
    }
}

/// `44 20 7946 0958`: an international number written without `+` or `00`. Accepted only when
/// the first group is a 1- or 2-digit country calling code, the separator is the same
/// throughout, the national number has 9–11 digits, its groups are not all of three digits
/// (`1 234 567 890` is an amount), and it has a group of 3+ digits or is written in pairs
/// (`33 1 23 45 67 89`).
fn v_phone_bare(hay: &str, start: usize, end: usize) -> Option<usize> {
    let prev = prev_byte(hay, start);
    if prev.is_some_and(|b| b.is_ascii_alphanumeric())
        || matches!(prev, Some(b'.' | b'-' | b'+' | b'/' | b'_' | b',' | b'$'))
        || continues_number(hay, end)
        || matches!(byte_at(hay, end), Some(b',' | b'%'))
    {
        return None;
    }
    // `4937 92 19 2080 9562`: a group of a longer number, not its start.
    if matches!(prev, Some(b' ' | b'-'))
        && start >= 2
        && byte_at(hay, start - 2).is_some_and(|b| b.is_ascii_digit())
    {
        return None;
    }
    let m = hay.get(start..end)?.as_bytes();
    let sep = *m.iter().find(|b| !b.is_ascii_digit())?;
    if m.iter().any(|&b| !b.is_ascii_digit() && b != sep) {
        return None;
    }
    let groups: Vec<&[u8]> = m.split(|&b| b == sep).collect();
    let cc = groups.first()?;
    let rest = groups.get(1..)?;
    let national: usize = rest.iter().map(|g| g.len()).sum();
    let nanp_ok = *cc != b"1" || rest.iter().map(|g| g.len()).eq([3, 3, 4]);
    let all_three = rest.iter().all(|g| g.len() == 3);
    let longest = rest.iter().map(|g| g.len()).max()?;
    (is_country_code(cc)
        && nanp_ok
        && !all_three
        && (longest >= 3 || rest.len() >= 4)
        && (9..=11).contains(&national))
    .then_some(end)
}

const VERSION_WORDS: &[&str] = &[
    "version", "ver", "v", "release", "build", "firmware", "sdk", "oid",
];

fn v_ipv4(hay: &str, start: usize, end: usize) -> Option<usize> {
    if matches!(prev_byte(hay, start), Some(b'.' | b'-')) || continues_number(hay, end) {
        return None;
    }
    let before = hay.get(start.saturating_sub(16)..start).unwrap_or("");
    let word = before
        .trim_end_matches([' ', ':', '=', '\t'])
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    (!VERSION_WORDS.contains(&word.as_str())).then_some(end)
}

fn v_ipv6(hay: &str, start: usize, end: usize) -> Option<usize> {
    let is_part = |b: u8| b.is_ascii_alphanumeric() || b == b':' || b == b'_' || b == b'.';
    // A colon right before is a label's (`ip:fe80::1`) unless it continues an address.
    let label_colon = prev_byte(hay, start) == Some(b':')
        && start >= 2
        && byte_at(hay, start - 2).is_none_or(|b| !is_part(b))
        && byte_at(hay, start) != Some(b':');
    if (prev_byte(hay, start).is_some_and(is_part) && !label_colon)
        || byte_at(hay, end).is_some_and(is_part)
    {
        return None;
    }
    let m = hay.get(start..end)?;
    m.parse::<std::net::Ipv6Addr>().ok()?;
    if m == "::1" {
        return Some(end);
    }
    let groups: Vec<&str> = m.split(':').filter(|g| !g.is_empty()).collect();
    let long_group = groups.iter().any(|g| g.len() >= 3);
    (groups.len() >= 3 || (groups.len() == 2 && long_group)).then_some(end)
}

/// Decodes standard base64 (with or without padding); `None` if malformed.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    decode_base64(s, false)
}

/// Decodes standard or (with `url_safe`) URL-safe base64, padding optional; `None` if malformed.
pub(crate) fn decode_base64(s: &str, url_safe: bool) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' if !url_safe => 62,
            b'/' if !url_safe => 63,
            b'-' if url_safe => 62,
            b'_' if url_safe => 63,
            _ => return None,
        };
        acc = ((acc << 6) | u32::from(v)) & 0x00FF_FFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_iban() {
        assert!(luhn_ok(b"4111111111111111"));
        assert!(!luhn_ok(b"4111111111111112"));
        assert!(iban_checksum_ok(b"GB82WEST12345698765432"));
        assert!(!iban_checksum_ok(b"GB82WEST12345698765433"));
    }

    #[test]
    fn base64() {
        assert_eq!(
            base64_decode("dXNlcjpwYXNz").as_deref(),
            Some(&b"user:pass"[..])
        );
        assert!(base64_decode("not base64!").is_none());
    }

    #[test]
    fn pattern_count_matches_detectors() {
        for d in Detector::ALL {
            assert!(
                BUILTIN.iter().any(|p| p.detector == d),
                "no pattern for {d}"
            );
        }
    }
}
