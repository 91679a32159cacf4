//! The transform matrix: every detector's generated (fake) secrets × the ways people and programs
//! write them — case changes, separators, line wrapping at every position, JSON escaping and
//! JSON in JSON, URL encoding in a query string, base64, quotes, other scripts around them.
//!
//! A cell is *caught* when, for every generated case, the output holds no run of 6 characters
//! of the secret (compared on lower-case letters and digits only, in its written and in its
//! transformed form) and the text around it survives unchanged (masks end where the secret
//! ends). The expected result of every cell is the table in `src/redact/matrix.md`, which is
//! also the crate's documentation: the test fails when a cell differs from it, and prints the
//! table it measured. Look-alikes (UUIDs, hashes, versions, timestamps, Luhn-failing numbers,
//! order ids, dates, model names) go through the same transforms and must come out unchanged.

mod redact_support;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use llmtrace_processor::redact::{RedactionConfig, Redactor};
use redact_support::{
    b64std, jwt, luhn_check_digit, luhn_valid, private_key, Rng, ALNUM, HEX, UPPER_DIGITS, URLSAFE,
};

const TABLE: &str = include_str!("../src/redact/matrix.md");
/// Generated secrets per cell (wrapping adds one case per position of each).
const SAMPLES: u64 = 6;

/// One generated secret with its context: `before` + `secret` + `after` is what gets written.
#[derive(Debug, Clone)]
struct Sample {
    before: String,
    secret: String,
    after: String,
    /// The secret's format allows another case (e-mail, IBAN, IPv6).
    case_secret: bool,
    /// The context is case-insensitive (`password=`, `Bearer `).
    case_ctx: bool,
    /// Grouped numbers: a prefix (`+`, `00`) and the digit groups, joined by a separator.
    groups: Option<(String, Vec<String>)>,
}

impl Sample {
    fn bare(secret: String) -> Self {
        Self {
            before: String::new(),
            secret,
            after: String::new(),
            case_secret: false,
            case_ctx: false,
            groups: None,
        }
    }
    fn grouped(prefix: &str, groups: Vec<String>) -> Self {
        let mut s = Self::bare(format!("{prefix}{}", groups.join(" ")));
        s.groups = Some((prefix.to_owned(), groups));
        s
    }
    fn ctx(before: &str, secret: String, after: &str) -> Self {
        Self {
            before: before.to_owned(),
            after: after.to_owned(),
            case_ctx: true,
            ..Self::bare(secret)
        }
    }
    fn item(&self) -> String {
        format!("{}{}{}", self.before, self.secret, self.after)
    }
    fn with_secret(&self, secret: String) -> Self {
        Self {
            secret,
            ..self.clone()
        }
    }
}

type Gen = fn(&mut Rng, u64) -> Sample;

fn digits_groups(r: &mut Rng, sizes: &[usize]) -> Vec<String> {
    sizes.iter().map(|&n| r.digits(n)).collect()
}

fn split_groups(s: &str, sizes: &[usize]) -> Vec<String> {
    let mut at = 0;
    sizes
        .iter()
        .map(|&n| {
            let g = s[at..at + n].to_owned();
            at += n;
            g
        })
        .collect()
}

fn mod97(s: &str) -> u32 {
    s.chars().fold(0, |rem, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        }
    })
}

fn token(r: &mut Rng, alphabet: &str, n: usize) -> String {
    r.token(alphabet, n)
}

/// Every row of the matrix: detector (and form) → generator of its samples.
fn rows() -> Vec<(&'static str, Gen)> {
    let mut rows = personal_data_rows();
    rows.extend(phone_rows());
    rows.extend(credential_rows());
    rows.extend(key_rows());
    rows
}

/// E-mail, card, IBAN, SSN, IP addresses.
fn personal_data_rows() -> Vec<(&'static str, Gen)> {
    vec![
        ("email", |r, i| {
            let names = ["ada.lovelace", "grace_hopper", "linus+news", "k.thompson"];
            let domains = ["mail.corp.test", "acme.co.uk", "web.de", "uni.edu"];
            let mut s = Sample::bare(format!(
                "{}{}@{}",
                names[i as usize % names.len()],
                r.below(100),
                r.pick(&domains)
            ));
            s.case_secret = true;
            s
        }),
        ("payment_card", |r, i| {
            let (prefix, sizes): (&str, &[usize]) = match i % 3 {
                0 => ("4", &[4, 4, 4, 4]),
                1 => ("51", &[4, 4, 4, 4]),
                _ => ("37", &[4, 6, 5]),
            };
            let len: usize = sizes.iter().sum();
            let body = format!("{prefix}{}", r.digits(len - prefix.len() - 1));
            let number = format!("{body}{}", luhn_check_digit(&body));
            Sample::grouped("", split_groups(&number, sizes))
        }),
        ("iban", |r, i| {
            let (country, len) =
                [("DE", 22), ("FR", 27), ("NL", 18), ("ES", 24), ("BE", 16)][i as usize % 5];
            let bban = if country == "NL" {
                format!("ABNA{}", r.digits(len - 8))
            } else {
                r.digits(len - 4)
            };
            let check = 98 - mod97(&format!("{bban}{country}00"));
            let compact = format!("{country}{check:02}{bban}");
            let sizes: Vec<usize> = (0..len).step_by(4).map(|at| (len - at).min(4)).collect();
            let mut s = Sample::grouped("", split_groups(&compact, &sizes));
            s.case_secret = true;
            s
        }),
        ("us_ssn", |r, _| {
            let g = vec![
                format!("{:03}", r.range(1, 665)),
                format!("{:02}", r.range(1, 99)),
                format!("{:04}", r.range(1, 9999)),
            ];
            Sample::grouped("", g)
        }),
        ("ip_address (v4)", |r, _| {
            Sample::bare(format!(
                "{}.{}.{}.{}",
                r.range(11, 223),
                r.below(256),
                r.below(256),
                r.range(1, 254)
            ))
        }),
        ("ip_address (v6)", |r, _| {
            let g: Vec<String> = (0..8)
                .map(|_| format!("{:x}", r.range(0x1000, 0xffff)))
                .collect();
            let mut s = Sample::bare(g.join(":"));
            s.case_secret = true;
            s
        }),
    ]
}

/// Phone numbers: international with `+`, with `00`, without prefix; North American.
fn phone_rows() -> Vec<(&'static str, Gen)> {
    vec![
        ("phone (+ prefix)", |r, _| {
            let cc = r.pick(&["44", "49", "33", "81", "91"]).to_string();
            let mut g = vec![cc];
            g.extend(digits_groups(r, &[2, 4, 4]));
            Sample::grouped("+", g)
        }),
        ("phone (00 prefix)", |r, _| {
            let cc = r.pick(&["44", "49", "33", "39", "34"]).to_string();
            let mut g = vec![cc];
            g.extend(digits_groups(r, &[2, 4, 4]));
            Sample::grouped("00", g)
        }),
        ("phone (no prefix)", |r, _| {
            let cc = r.pick(&["44", "49", "33", "39", "34"]).to_string();
            let mut g = vec![cc];
            g.extend(digits_groups(r, &[2, 4, 4]));
            Sample::grouped("", g)
        }),
        ("phone (North America)", |r, _| {
            let g = vec![
                r.range(201, 989).to_string(),
                r.range(200, 999).to_string(),
                r.digits(4),
            ];
            Sample::grouped("", g)
        }),
    ]
}

/// JWTs and credentials recognised by their context.
fn credential_rows() -> Vec<(&'static str, Gen)> {
    vec![
        ("jwt", |r, _| Sample::bare(jwt(r))),
        ("bearer_token", |r, _| {
            Sample::ctx("Authorization: Bearer ", token(r, URLSAFE, 40), "")
        }),
        ("basic_auth (header)", |r, _| {
            let cred = b64std(format!("deploy:{}", token(r, ALNUM, 14)).as_bytes());
            Sample::ctx("Authorization: Basic ", cred, "")
        }),
        ("basic_auth (URL)", |r, _| {
            Sample::ctx(
                "postgres://deploy:",
                token(r, ALNUM, 16),
                "@db.internal:5432/app",
            )
        }),
    ]
}

/// Private keys, provider keys and generic secrets.
fn key_rows() -> Vec<(&'static str, Gen)> {
    vec![
        ("private_key", |r, _| Sample::bare(private_key(r))),
        ("openai_key", |r, i| {
            Sample::bare(match i % 2 {
                0 => format!("sk-proj-{}", token(r, URLSAFE, 120)),
                _ => format!("sk-{}", token(r, ALNUM, 48)),
            })
        }),
        ("anthropic_key", |r, _| {
            Sample::bare(format!("sk-ant-api03-{}AA", token(r, URLSAFE, 93)))
        }),
        ("aws_access_key", |r, _| {
            Sample::bare(format!("AKIA2{}", r.chars_from(UPPER_DIGITS, 15)))
        }),
        ("github_token", |r, i| {
            Sample::bare(match i % 2 {
                0 => format!("ghp_{}", token(r, ALNUM, 36)),
                _ => format!("github_pat_{}_{}", token(r, ALNUM, 22), token(r, ALNUM, 59)),
            })
        }),
        ("slack_token", |r, _| {
            Sample::bare(format!(
                "xoxb-{}-{}-{}",
                r.digits(11),
                r.digits(12),
                token(r, ALNUM, 24)
            ))
        }),
        ("stripe_key", |r, _| {
            Sample::bare(format!("sk_live_{}", token(r, ALNUM, 24)))
        }),
        ("google_api_key", |r, _| {
            Sample::bare(format!("AIza{}", token(r, URLSAFE, 35)))
        }),
        ("platform_token", |r, i| {
            Sample::bare(match i % 3 {
                0 => format!("glpat-{}", token(r, URLSAFE, 20)),
                1 => format!("npm_{}", token(r, ALNUM, 36)),
                _ => format!("dop_v1_{}", r.chars_from(HEX, 64)),
            })
        }),
        ("generic_secret (password)", |r, _| {
            Sample::ctx("password=", token(r, ALNUM, 14), "")
        }),
        ("generic_secret (api key)", |r, _| {
            Sample::ctx("api_key: ", token(r, ALNUM, 32), "")
        }),
    ]
}

const COLUMNS: [&str; 14] = [
    "plain", "quoted", "case", "space", "dash", "dot", "mixed", "none", "wrap", "json", "json²",
    "url", "base64", "scripts",
];

/// One input to redact: the text, the fragments that must not survive (6-character runs), the
/// parts around them that must.
#[derive(Debug)]
struct Case {
    input: String,
    secrets: Vec<String>,
    keep: Vec<String>,
}

const BEFORE: &str = "Note: use";
const AFTER: &str = "for the deploy.";

fn in_prose(item: &str) -> String {
    format!("{BEFORE} {item} {AFTER}")
}

fn prose_case(item: String, secrets: Vec<String>) -> Case {
    Case {
        input: in_prose(&item),
        secrets,
        keep: vec![BEFORE.to_owned(), AFTER.to_owned()],
    }
}

fn pct_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("string serializes")
}

fn separated(s: &Sample, sep: &dyn Fn(usize) -> &'static str) -> Option<Sample> {
    let (prefix, groups) = s.groups.as_ref()?;
    let mut out = prefix.clone();
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep(i));
        }
        out.push_str(g);
    }
    Some(s.with_secret(out))
}

fn case_changed(s: &Sample) -> Option<Vec<Sample>> {
    if !s.case_secret && !s.case_ctx {
        return None;
    }
    let fns: [fn(&str) -> String; 2] = [str::to_uppercase, str::to_lowercase];
    Some(
        fns.iter()
            .map(|f| Sample {
                before: if s.case_ctx {
                    f(&s.before)
                } else {
                    s.before.clone()
                },
                secret: if s.case_secret {
                    f(&s.secret)
                } else {
                    s.secret.clone()
                },
                ..s.clone()
            })
            .collect(),
    )
}

/// Line breaks at every char boundary inside the secret (at most 48 positions, evenly spread),
/// alternating `\n`, `\r\n` and `\n` + indentation.
fn wrapped(s: &Sample) -> Vec<Case> {
    let bounds: Vec<usize> = (1..s.secret.len())
        .filter(|&i| s.secret.is_char_boundary(i))
        .collect();
    let step = bounds.len().div_ceil(48).max(1);
    bounds
        .iter()
        .step_by(step)
        .enumerate()
        .map(|(k, &at)| {
            let brk = ["\n", "\r\n", "\n    "][k % 3];
            let secret = format!("{}{brk}{}", &s.secret[..at], &s.secret[at..]);
            prose_case(
                format!("{}{secret}{}", s.before, s.after),
                vec![s.secret.clone()],
            )
        })
        .collect()
}

fn cases(col: &str, s: &Sample) -> Option<Vec<Case>> {
    let plain = |x: &Sample| prose_case(x.item(), vec![x.secret.clone()]);
    let sep = |f: &dyn Fn(usize) -> &'static str| separated(s, f).map(|x| vec![plain(&x)]);
    Some(match col {
        "plain" => vec![plain(s)],
        "quoted" => vec![
            prose_case(format!("\"{}\"", s.item()), vec![s.secret.clone()]),
            prose_case(format!("'{}'", s.item()), vec![s.secret.clone()]),
        ],
        "case" => case_changed(s)?.iter().map(plain).collect(),
        "space" => sep(&|_| " ")?,
        "dash" => sep(&|_| "-")?,
        "dot" => sep(&|_| ".")?,
        "mixed" => sep(&|i| [" ", "-", " ", "-", "."][i % 5])?,
        "none" => sep(&|_| "")?,
        "wrap" => wrapped(s),
        "json" => {
            let input = format!(
                r#"{{"role":"user","content":{}}}"#,
                json_string(&in_prose(&s.item()))
            );
            vec![Case {
                secrets: vec![s.secret.clone(), json_string(&s.secret)],
                input,
                keep: vec![
                    BEFORE.to_owned(),
                    AFTER.to_owned(),
                    r#""role":"user""#.to_owned(),
                ],
            }]
        }
        "json²" => {
            let inner = format!(r#"{{"content":{}}}"#, json_string(&in_prose(&s.item())));
            let input = format!(r#"{{"tool":"lookup","output":{}}}"#, json_string(&inner));
            vec![Case {
                secrets: vec![s.secret.clone(), json_string(&s.secret)],
                input,
                keep: vec![
                    BEFORE.to_owned(),
                    AFTER.to_owned(),
                    r#""tool":"lookup""#.to_owned(),
                ],
            }]
        }
        "url" => {
            let enc = pct_encode(&s.item());
            vec![Case {
                input: format!("GET https://app.test/cb?q={enc}&next=/home HTTP/1.1"),
                secrets: vec![s.secret.clone(), pct_encode(&s.secret)],
                keep: vec![
                    "https://app.test/cb?q=".to_owned(),
                    "&next=/home HTTP/1.1".to_owned(),
                ],
            }]
        }
        "base64" => {
            let enc = b64std(s.item().as_bytes());
            vec![prose_case(enc.clone(), vec![enc])]
        }
        "scripts" => ["密码是{}请保密", "пароль:{}спасибо", "الرمز{}شكرا"]
            .iter()
            .map(|t| {
                let input = t.replace("{}", &s.item());
                let (pre, post) = t.split_once("{}").unwrap_or_default();
                Case {
                    input,
                    secrets: vec![s.secret.clone()],
                    keep: vec![pre.to_owned(), post.to_owned()],
                }
            })
            .collect(),
        _ => return None,
    })
}

/// Lower-case letters and digits only, masks (`[REDACTED:…]`) removed: how leaks are compared.
fn projection(s: &str) -> String {
    let mut unmasked = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("[REDACTED:") {
        unmasked.push_str(&rest[..i]);
        rest = rest[i..].split_once(']').map_or("", |(_, r)| r);
    }
    unmasked.push_str(rest);
    unmasked
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The first 6-character run of one of `secrets` found in `out`.
fn leak(out: &str, secrets: &[String]) -> Option<String> {
    let out = projection(out);
    secrets.iter().find_map(|s| {
        let p = projection(s);
        let b = p.as_bytes();
        b.windows(6)
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .find(|w| out.contains(w.as_str()))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Caught,
    Missed,
    NotApplicable,
}

/// Runs one cell; on a miss, also returns the first failing input and output.
fn run_cell(r: &Redactor, gen: Gen, col: &str) -> (Cell, Option<String>) {
    let mut any = false;
    for i in 0..SAMPLES {
        let mut rng = Rng::new(0x22_0000 + i * 7919 + col.len() as u64);
        let sample = gen(&mut rng, i);
        let Some(cases) = cases(col, &sample) else {
            return (Cell::NotApplicable, None);
        };
        for c in cases {
            any = true;
            let out = r.redact_str(&c.input);
            let leaked = leak(&out, &c.secrets);
            let lost = c.keep.iter().find(|k| !out.contains(k.as_str()));
            if leaked.is_some() || lost.is_some() {
                let why = format!(
                    "input {:?}\n  output {out:?}\n  leaked {leaked:?}, lost {lost:?}",
                    c.input
                );
                return (Cell::Missed, Some(why));
            }
        }
    }
    if any {
        (Cell::Caught, None)
    } else {
        (Cell::NotApplicable, None)
    }
}

/// The expected cells of `matrix.md`: row name → one `Cell` per column, plus the reasons.
fn expected() -> (BTreeMap<String, Vec<Cell>>, BTreeMap<String, String>) {
    let mut rows = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    for line in TABLE.lines() {
        if let Some(rest) = line.strip_prefix("- ✗") {
            if let Some((tag, reason)) = rest.trim().split_once(':') {
                reasons.insert(tag.trim().to_owned(), reason.trim().to_owned());
            }
        }
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() != COLUMNS.len() + 1 || cells[0] == "row" || cells[0].starts_with("---") {
            continue;
        }
        let parsed = cells[1..]
            .iter()
            .map(|c| match c.chars().next() {
                Some('✓') => Cell::Caught,
                Some('✗') => Cell::Missed,
                _ => Cell::NotApplicable,
            })
            .collect();
        rows.insert(cells[0].trim_matches('`').to_owned(), parsed);
    }
    (rows, reasons)
}

fn render(measured: &[(&str, Vec<Cell>)]) -> String {
    let mut t = format!("| row | {} |\n|---|", COLUMNS.join(" | "));
    t.push_str(&"---|".repeat(COLUMNS.len()));
    t.push('\n');
    for (name, cells) in measured {
        let _ = write!(t, "| `{name}` |");
        for c in cells {
            t.push_str(match c {
                Cell::Caught => " ✓ |",
                Cell::Missed => " ✗ ? |",
                Cell::NotApplicable => " — |",
            });
        }
        t.push('\n');
    }
    t
}

#[test]
fn transform_matrix_matches_the_documented_table() {
    let r = Redactor::new(&RedactionConfig::default()).expect("default config");
    let (want, reasons) = expected();
    let mut measured = Vec::new();
    let mut problems = Vec::new();
    for (name, gen) in rows() {
        let mut cells = Vec::new();
        for col in COLUMNS {
            let (cell, why) = run_cell(&r, gen, col);
            let documented = want.get(name).and_then(|row| row.get(cells.len()).copied());
            if documented != Some(cell) {
                problems.push(format!(
                    "{name} × {col}: measured {cell:?}, documented {documented:?}\n  {}",
                    why.unwrap_or_default()
                ));
            }
            cells.push(cell);
        }
        measured.push((name, cells));
    }
    if want.len() != measured.len() {
        problems.push(format!(
            "{} rows documented, {} measured",
            want.len(),
            measured.len()
        ));
    }
    for line in TABLE.lines().filter(|l| l.starts_with("| `")) {
        for tag in line.split('|').filter_map(|c| c.trim().strip_prefix('✗')) {
            assert!(
                reasons.contains_key(tag.trim()),
                "no reason for ✗{tag} in: {line}"
            );
        }
    }
    assert!(
        problems.is_empty(),
        "{} cells differ from src/redact/matrix.md:\n{}\n\nmeasured:\n{}",
        problems.len(),
        problems.join("\n"),
        render(&measured)
    );
}

/// Look-alikes of every detector, generated: none may change under any transform.
fn look_alikes(r: &mut Rng) -> Vec<String> {
    let luhn_failing = loop {
        let d = format!("4{}", r.digits(15));
        if !luhn_valid(&d) {
            break d;
        }
    };
    vec![
        format!(
            "{}-{}-4{}-a{}-{}",
            r.chars_from(HEX, 8),
            r.chars_from(HEX, 4),
            r.chars_from(HEX, 3),
            r.chars_from(HEX, 3),
            r.chars_from(HEX, 12)
        ),
        r.chars_from(HEX, 32),
        r.chars_from(HEX, 40),
        r.chars_from(HEX, 64),
        format!("v{}.{}.{}", r.below(20), r.below(50), r.below(200)),
        format!(
            "{}.{}.{}-beta.{}",
            r.below(5),
            r.below(30),
            r.below(30),
            r.below(9)
        ),
        format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            r.range(1, 12),
            r.range(1, 28),
            r.below(24),
            r.below(60),
            r.below(60),
            r.below(1000)
        ),
        format!("{}", 1_700_000_000 + r.below(100_000_000)),
        luhn_failing.clone(),
        split_groups(&luhn_failing, &[4, 4, 4, 4]).join(" "),
        format!("ORD-{}-{}", 2020 + r.below(6), r.digits(6)),
        format!("order #{}", r.digits(8)),
        format!(
            "{:02}/{:02}/20{:02}",
            r.range(1, 28),
            r.range(1, 12),
            r.below(30)
        ),
        format!("2025-{:02}-{:02}", r.range(1, 12), r.range(1, 28)),
        format!("gpt-4o-2024-{:02}-{:02}", r.range(1, 12), r.range(1, 28)),
        "claude-3-5-sonnet-20241022".to_owned(),
        format!("span_id={}", r.chars_from(HEX, 16)),
        format!("took {}.{} ms", r.below(900), r.below(100)),
    ]
}

#[test]
fn look_alikes_survive_every_transform() {
    let r = Redactor::new(&RedactionConfig::default()).expect("default config");
    let mut rng = Rng::new(0x22);
    let mut changed = Vec::new();
    for _ in 0..8 {
        for la in look_alikes(&mut rng) {
            let sample = Sample::bare(la);
            for col in [
                "plain", "quoted", "wrap", "json", "json²", "url", "base64", "scripts",
            ] {
                for c in cases(col, &sample).unwrap_or_default() {
                    let out = r.redact_str(&c.input);
                    if out != c.input {
                        changed.push(format!("{col}: {:?}\n  -> {out:?}", c.input));
                    }
                }
            }
        }
    }
    assert!(
        changed.is_empty(),
        "{} look-alikes changed:\n{}",
        changed.len(),
        changed.join("\n")
    );
}

/// A key at the end of a line: the next line's first word is not part of it.
#[test]
fn key_at_line_end_keeps_the_next_line() {
    let r = Redactor::new(&RedactionConfig::default()).expect("default config");
    let key = format!("sk-proj-{}", token(&mut Rng::new(9), URLSAFE, 48));
    let input = format!("key {key}\nThe next line");
    let out = r.redact_str(&input);
    assert_eq!(out, "key [REDACTED:openai_key]\nThe next line");
}

/// The issue's query-string case: the mask ends where the password ends.
#[test]
fn password_in_query_string_keeps_the_next_parameter() {
    let r = Redactor::new(&RedactionConfig::default()).expect("default config");
    let mut rng = Rng::new(5);
    let pw = token(&mut rng, ALNUM, 12);
    for url in [
        format!("https://app.test/login?user=ada&password={pw}&next=/home"),
        format!("https://app.test/login?password={pw}&next=%2Fhome#top"),
        format!("password={pw}&next=/home"),
    ] {
        let out = r.redact_str(&url);
        assert!(!out.contains(&pw), "{out}");
        assert!(out.contains("[REDACTED:generic_secret]&next="), "{out}");
    }
}

/// The classes of the issue's held-out set that got through before, one example each.
#[test]
fn issue_22_escapes_are_caught() {
    let r = Redactor::new(&RedactionConfig::default()).expect("default config");
    let mut rng = Rng::new(22);
    let body = format!("4{}", rng.digits(14));
    let card = format!("{body}{}", luhn_check_digit(&body));
    let key = format!("sk-proj-{}", token(&mut rng, URLSAFE, 64));
    let b64_key = b64std(format!("ghp_{}", token(&mut rng, ALNUM, 36)).as_bytes());
    let cases = [
        (
            format!(
                "card {} {}-{} {} ok",
                &card[..4],
                &card[4..8],
                &card[8..12],
                &card[12..]
            ),
            card.clone(),
        ),
        (
            format!("key: {}\n{} ok", &key[..30], &key[30..]),
            key.clone(),
        ),
        (
            "call 0044 20 7946 0958 ok".to_owned(),
            "0044 20 7946 0958".to_owned(),
        ),
        (
            "call 44 20 7946 0958 ok".to_owned(),
            "44 20 7946 0958".to_owned(),
        ),
        (
            "appelle 33 1 23 45 67 89 ok".to_owned(),
            "33 1 23 45 67 89".to_owned(),
        ),
        (
            "ruf 49 30 12345678 an, ok".to_owned(),
            "49 30 12345678".to_owned(),
        ),
        (
            "iban de89 3704 0044 0532 0130 00 ok".to_owned(),
            "de89 3704".to_owned(),
        ),
        (format!("blob {b64_key} ok"), b64_key.clone()),
    ];
    for (input, secret) in cases {
        let out = r.redact_str(&input);
        assert_eq!(leak(&out, &[secret]), None, "{input:?} -> {out:?}");
        assert!(out.ends_with(" ok"), "{out}");
    }
}
