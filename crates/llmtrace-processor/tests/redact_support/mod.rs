//! Shared helpers of the redaction tests and benches: a seeded generator of synthetic (fake)
//! secrets and PII, the labelled corpus, and realistic prompt text.
//!
//! Nothing here is a real secret: every value is built at run time from a fixed seed, so the
//! repository holds no key a secret scanner could flag.
#![allow(dead_code, unreachable_pub)]

/// SplitMix64: small, seeded, deterministic.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chars_from(&mut self, alphabet: &str, n: usize) -> String {
        let a = alphabet.as_bytes();
        (0..n).map(|_| char::from(a[self.below(a.len())])).collect()
    }
    /// Random token that surely mixes upper, lower and digits.
    pub fn token(&mut self, alphabet: &str, n: usize) -> String {
        for _ in 0..1000 {
            let t = self.chars_from(alphabet, n);
            let b = t.as_bytes();
            if b.iter().any(u8::is_ascii_digit)
                && b.iter().any(u8::is_ascii_uppercase)
                && b.iter().any(u8::is_ascii_lowercase)
            {
                return t;
            }
        }
        self.chars_from(alphabet, n)
    }
    pub fn digits(&mut self, n: usize) -> String {
        self.chars_from(DIGITS, n)
    }
}

pub const DIGITS: &str = "0123456789";
pub const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const HEX: &str = "0123456789abcdef";
pub const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// One labelled example: `text` contains `secret`, which the detector `label` must mask.
#[derive(Debug, Clone)]
pub struct Positive {
    pub label: &'static str,
    pub text: String,
    pub secret: String,
}

/// The Luhn check digit of `body` (digits only).
pub fn luhn_check_digit(body: &str) -> u8 {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        let mut v = u32::from(b - b'0');
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

pub fn luhn_valid(digits: &str) -> bool {
    let (body, last) = digits.split_at(digits.len() - 1);
    luhn_check_digit(body) == last.as_bytes()[0] - b'0'
}

pub fn card(rng: &mut Rng) -> String {
    let (prefix, len) = *rng.pick(&[
        ("4", 16usize),
        ("4", 13),
        ("51", 16),
        ("55", 16),
        ("2221", 16),
        ("2720", 16),
        ("34", 15),
        ("37", 15),
        ("6011", 16),
        ("65", 16),
        ("3530", 16),
        ("36", 14),
        ("4", 19),
    ]);
    let body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
    let check = luhn_check_digit(&body);
    let number = format!("{body}{check}");
    match rng.below(3) {
        0 => number,
        1 if len == 16 => group(&number, &[4, 4, 4, 4], ' '),
        2 if len == 16 => group(&number, &[4, 4, 4, 4], '-'),
        _ if len == 15 => group(&number, &[4, 6, 5], ' '),
        _ => number,
    }
}

fn group(s: &str, sizes: &[usize], sep: char) -> String {
    let mut out = String::new();
    let mut i = 0;
    for (n, size) in sizes.iter().enumerate() {
        if n > 0 {
            out.push(sep);
        }
        out.push_str(&s[i..i + size]);
        i += size;
    }
    out
}

fn mod97(s: &str) -> u32 {
    let mut rem = 0u32;
    for c in s.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem
}

pub fn iban(rng: &mut Rng) -> String {
    let (country, len) = *rng.pick(&[
        ("DE", 22usize),
        ("GB", 22),
        ("FR", 27),
        ("NL", 18),
        ("ES", 24),
        ("IT", 27),
        ("CH", 21),
        ("BE", 16),
        ("PL", 28),
        ("AT", 20),
    ]);
    let bban = if country == "GB" || country == "NL" {
        format!(
            "{}{}",
            rng.chars_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
            rng.digits(len - 8)
        )
    } else {
        rng.digits(len - 4)
    };
    let check = 98 - mod97(&format!("{bban}{country}00"));
    let compact = format!("{country}{check:02}{bban}");
    if rng.below(2) == 0 {
        compact
    } else {
        compact
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub fn ssn(rng: &mut Rng) -> String {
    let area = loop {
        let a = rng.range(1, 899);
        if a != 666 {
            break a;
        }
    };
    format!(
        "{area:03}-{:02}-{:04}",
        rng.range(1, 99),
        rng.range(1, 9999)
    )
}

pub fn b64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

pub fn b64std(bytes: &[u8]) -> String {
    b64url(bytes).replace('-', "+").replace('_', "/") + ["", "==", "="][bytes.len() % 3]
}

pub fn jwt(rng: &mut Rng) -> String {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(
        format!(
            r#"{{"sub":"{}","name":"Test User","iat":{}}}"#,
            rng.digits(8),
            1_700_000_000 + rng.below(10_000_000)
        )
        .as_bytes(),
    );
    format!("{header}.{payload}.{}", rng.chars_from(URLSAFE, 43))
}

pub fn private_key(rng: &mut Rng) -> String {
    let kind = *rng.pick(&["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "]);
    let mut body = String::new();
    for _ in 0..rng.range(3, 12) {
        body.push_str(&rng.chars_from(B64, 64));
        body.push('\n');
    }
    format!("-----BEGIN {kind}PRIVATE KEY-----\n{body}-----END {kind}PRIVATE KEY-----")
}

pub fn ipv6(rng: &mut Rng) -> String {
    let groups: Vec<String> = (0..8)
        .map(|_| format!("{:x}", rng.below(0xffff) + 1))
        .collect();
    match rng.below(3) {
        0 => groups.join(":"),
        1 => format!("2001:db8::{}", groups[7]),
        _ => format!("fe80::{}:{}", groups[2], groups[3]),
    }
}

const FIRST: &[&str] = &[
    "ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken", "frances", "edsger",
];
const DOMAINS: &[&str] = &[
    "example.org",
    "example.com",
    "mail.example.net",
    "corp.example.co.uk",
    "test.example.io",
];
const SENTENCES: &[&str] = &[
    "Please contact me at {} about the invoice.",
    "{}",
    "My details: {} (do not share)",
    "The user wrote: \"here it is {} thanks\"",
    "config value = {} ;",
    "<{}>",
];

fn embed(rng: &mut Rng, secret: &str) -> String {
    rng.pick(SENTENCES).replace("{}", secret)
}

/// The labelled positive corpus: at least 16 examples per detector.
pub fn positives(seed: u64, per_detector: usize) -> Vec<Positive> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut push = |label: &'static str, text: String, secret: String| {
        out.push(Positive {
            label,
            text,
            secret,
        })
    };
    for i in 0..per_detector {
        let r = &mut rng;
        // email
        let e = format!(
            "{}.{}{}@{}",
            r.pick(FIRST),
            r.pick(FIRST),
            r.below(100),
            r.pick(DOMAINS)
        );
        push("email", embed(r, &e), e);
        // phone
        let p = match i % 6 {
            0 => format!(
                "+1 {} {} {}",
                r.range(201, 989),
                r.range(200, 999),
                r.digits(4)
            ),
            1 => format!("+44 20 {} {}", r.digits(4), r.digits(4)),
            2 => format!("+49 30 {}", r.digits(7)),
            3 => format!(
                "+33 1 {} {} {} {}",
                r.digits(2),
                r.digits(2),
                r.digits(2),
                r.digits(2)
            ),
            4 => format!(
                "({}) {}-{}",
                r.range(201, 989),
                r.range(200, 999),
                r.digits(4)
            ),
            _ => format!(
                "{}-{}-{}",
                r.range(201, 989),
                r.range(200, 999),
                r.digits(4)
            ),
        };
        push("phone", embed(r, &p), p);
        // payment card
        let c = card(r);
        push("payment_card", embed(r, &c), c);
        // iban
        let ib = iban(r);
        push("iban", embed(r, &ib), ib);
        // ssn
        let s = ssn(r);
        push("us_ssn", format!("SSN {s} on file"), s);
        // ip
        let ip = if i % 2 == 0 {
            format!(
                "{}.{}.{}.{}",
                r.range(1, 223),
                r.below(256),
                r.below(256),
                r.range(1, 254)
            )
        } else {
            ipv6(r)
        };
        push(
            "ip_address",
            format!("client connected from {ip} at noon"),
            ip,
        );
        // jwt
        let j = jwt(r);
        push("jwt", embed(r, &j), j);
        // bearer
        let t = r.token(URLSAFE, 40);
        let text = if i % 2 == 0 {
            format!("Authorization: Bearer {t}")
        } else {
            format!("curl -H 'authorization: bearer {t}' https://api.example.com")
        };
        push("bearer_token", text, t);
        // basic auth
        let user = r.pick(FIRST).to_string();
        let pass = r.token(ALNUM, 14);
        if i % 2 == 0 {
            let cred = b64std(format!("{user}:{pass}").as_bytes());
            push("basic_auth", format!("Authorization: Basic {cred}"), cred);
        } else {
            push(
                "basic_auth",
                format!("DATABASE_URL=postgres://{user}:{pass}@db.internal:5432/app"),
                pass,
            );
        }
        // private key
        let k = private_key(r);
        let secret_line = k.lines().nth(1).unwrap_or_default().to_owned();
        push(
            "private_key",
            format!("Here is my key:\n{k}\nplease debug"),
            secret_line,
        );
        // openai
        let o = match i % 3 {
            0 => format!("sk-{}", r.token(ALNUM, 48)),
            1 => format!("sk-proj-{}", r.token(URLSAFE, 156)),
            _ => format!("sk-svcacct-{}", r.token(URLSAFE, 120)),
        };
        push("openai_key", embed(r, &o), o);
        // anthropic
        let a = format!("sk-ant-api03-{}AA", r.token(URLSAFE, 93));
        push("anthropic_key", embed(r, &a), a);
        // aws
        let aws = format!(
            "{}{}",
            r.pick(&["AKIA", "ASIA"]),
            loop {
                let t = r.chars_from(UPPER_DIGITS, 16);
                if t.bytes().any(|b| b.is_ascii_digit()) {
                    break t;
                }
            }
        );
        push("aws_access_key", format!("aws_access_key_id = {aws}"), aws);
        // github
        let g = if i % 3 == 2 {
            format!("github_pat_{}_{}", r.token(ALNUM, 22), r.token(ALNUM, 59))
        } else {
            format!(
                "{}_{}",
                r.pick(&["ghp", "gho", "ghs", "ghu", "ghr"]),
                r.token(ALNUM, 36)
            )
        };
        push("github_token", embed(r, &g), g);
        // slack
        let sl = if i % 3 == 0 {
            format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                r.chars_from(UPPER_DIGITS, 8),
                r.chars_from(UPPER_DIGITS, 10),
                r.token(ALNUM, 24)
            )
        } else {
            format!(
                "{}-{}-{}-{}",
                r.pick(&["xoxb", "xoxp", "xoxa"]),
                r.digits(11),
                r.digits(12),
                r.token(ALNUM, 24)
            )
        };
        push("slack_token", embed(r, &sl), sl);
        // stripe
        let st = match i % 3 {
            0 => format!("sk_live_{}", r.token(ALNUM, 24)),
            1 => format!("rk_test_{}", r.token(ALNUM, 99)),
            _ => format!("whsec_{}", r.token(ALNUM, 32)),
        };
        push("stripe_key", embed(r, &st), st);
        // google
        let go = format!("AIza{}", r.token(URLSAFE, 35));
        push(
            "google_api_key",
            format!("https://maps.example.com/api?key={go}&q=x"),
            go,
        );
        // platform
        let pt = match i % 5 {
            0 => format!("glpat-{}", r.token(URLSAFE, 20)),
            1 => format!(
                "hf_Q{}z",
                r.chars_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 32)
            ),
            2 => format!("npm_{}", r.token(ALNUM, 36)),
            3 => format!("SG.{}.{}", r.token(URLSAFE, 22), r.token(URLSAFE, 43)),
            _ => format!("dop_v1_{}", r.chars_from(HEX, 64)),
        };
        push("platform_token", embed(r, &pt), pt);
        // generic
        let n = r.range(16, 40);
        let v = r.token(ALNUM, n);
        let (text, secret) = match i % 5 {
            0 => (format!("password={}", &v[..10]), v[..10].to_owned()),
            1 => (format!(r#"{{"api_key": "{v}"}}"#), v),
            2 => (format!("client_secret: {v}"), v),
            3 => (
                format!("export DB_PASSWORD='{}'", &v[..12]),
                v[..12].to_owned(),
            ),
            _ => (format!("auth_token={v}&user=1"), v),
        };
        push("generic_secret", text, secret);
    }
    out
}

/// Harder formats: other separators and countries, values inside JSON numbers, URLs, quotes.
pub fn hard_positives(seed: u64, n: usize) -> Vec<Positive> {
    let mut r = Rng::new(seed);
    let mut out = Vec::new();
    let mut push = |label: &'static str, text: String, secret: String| {
        out.push(Positive {
            label,
            text,
            secret,
        })
    };
    for i in 0..n {
        let r = &mut r;
        let e = match i % 4 {
            0 => format!("{}+newsletter@{}", r.pick(FIRST), r.pick(DOMAINS)),
            1 => format!("{}@{}", r.pick(FIRST), r.pick(DOMAINS)).to_uppercase(),
            2 => format!("{}_{}@{}", r.pick(FIRST), r.digits(3), r.pick(DOMAINS)),
            _ => format!("{}.{}@{}", r.pick(FIRST), r.pick(FIRST), r.pick(DOMAINS)),
        };
        let text = if i % 2 == 0 {
            format!("mailto:{e}")
        } else {
            format!(r#"{{"to": ["{e}"]}}"#)
        };
        push("email", text, e);
        let p = match i % 5 {
            0 => format!(
                "+1-{}-{}-{}",
                r.range(201, 989),
                r.range(200, 999),
                r.digits(4)
            ),
            1 => format!("+81-3-{}-{}", r.digits(4), r.digits(4)),
            2 => format!("+91 {} {}", r.digits(5), r.digits(5)),
            3 => format!(
                "+1 ({}) {}-{}",
                r.range(201, 989),
                r.range(200, 999),
                r.digits(4)
            ),
            _ => format!("+4420{}", r.digits(8)),
        };
        push("phone", format!("tel: {p}."), p);
        let c = loop {
            let c = card(r);
            if c.bytes().all(|b| b.is_ascii_digit()) {
                break c;
            }
        };
        push(
            "payment_card",
            format!(r#"{{"card_number": {c}, "exp": "12/29"}}"#),
            c,
        );
        let ib = iban(r);
        push("iban", format!("IBAN: {ib}."), ib);
        let s = ssn(r).replace('-', " ");
        push("us_ssn", format!("ssn={s}"), s);
        let ip = if i % 2 == 0 {
            format!("10.{}.{}.{}", r.below(256), r.below(256), r.range(1, 254))
        } else {
            format!("2001:db8:{:x}::{:x}", r.range(1, 0xfff), r.range(1, 0xfff))
        };
        let text = if i % 2 == 0 {
            format!("http://{ip}:8080/health")
        } else {
            format!("https://[{ip}]:443/")
        };
        push("ip_address", text, ip);
        let j = jwt(r);
        push(
            "jwt",
            format!("https://app.example.com/cb?id_token={j}&state=1"),
            j.clone(),
        );
        let t = r.token(URLSAFE, 32);
        push(
            "bearer_token",
            format!(r#"{{"headers": {{"Authorization": "Bearer {t}"}}}}"#),
            t,
        );
        let pass = r.token(ALNUM, 12);
        push(
            "basic_auth",
            format!("mongodb+srv://admin:{pass}@cluster0.example.net/db"),
            pass,
        );
        let k = private_key(r);
        let cut: String = k.lines().take(3).collect::<Vec<_>>().join(r"\n");
        let secret = k.lines().nth(1).unwrap_or_default().to_owned();
        push("private_key", format!(r#"{{"key": "{cut}"}}"#), secret);
        let o = format!("sk-{}T3BlbkFJ{}", r.token(ALNUM, 20), r.token(ALNUM, 20));
        push("openai_key", format!("OPENAI_API_KEY={o}"), o);
        let a = format!("sk-ant-admin01-{}AA", r.token(URLSAFE, 93));
        push("anthropic_key", format!("x-api-key: {a}"), a);
        let aws = format!("AKIA2{}", r.chars_from(UPPER_DIGITS, 15));
        push(
            "aws_access_key",
            format!(r#"{{"AccessKeyId": "{aws}"}}"#),
            aws,
        );
        let g = format!("ghs_{}", r.token(ALNUM, 36));
        push(
            "github_token",
            format!("https://x-access-token:{g}@github.com/org/repo.git"),
            g,
        );
        let sl = format!(
            "xoxp-{}-{}-{}-{}",
            r.digits(10),
            r.digits(12),
            r.digits(13),
            r.chars_from(HEX, 32)
        );
        push("slack_token", format!("SLACK_TOKEN=\"{sl}\""), sl);
        let st = format!("sk_test_{}", r.token(ALNUM, 99));
        push("stripe_key", format!("stripe.api_key = '{st}'"), st);
        let go = format!("AIza{}", r.token(URLSAFE, 35));
        push("google_api_key", format!(r#"{{"apiKey": "{go}"}}"#), go);
        let pt = format!("glpat-{}", r.token(URLSAFE, 20));
        push("platform_token", format!("GITLAB_TOKEN={pt}"), pt);
        let v = r.token(ALNUM, 20);
        push("generic_secret", format!("--password {v}"), v);
    }
    out
}

/// Generated negatives: look-alikes of every detector that must stay unchanged.
pub fn generated_negatives(seed: u64, n: usize) -> Vec<String> {
    let mut r = Rng::new(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let v = match out.len() % 12 {
            0 => format!("v{}.{}.{}", r.below(20), r.below(50), r.below(200)),
            1 => format!(
                "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                r.range(1, 12),
                r.range(1, 28),
                r.below(24),
                r.below(60),
                r.below(60),
                r.below(1000)
            ),
            2 => r.chars_from(HEX, 64),
            3 => r.chars_from(HEX, 32),
            4 => format!(
                "{}-{}-4{}-a{}-{}",
                r.chars_from(HEX, 8),
                r.chars_from(HEX, 4),
                r.chars_from(HEX, 3),
                r.chars_from(HEX, 3),
                r.chars_from(HEX, 12)
            ),
            5 => format!("ORD-{}-{}", 2020 + r.below(6), r.digits(6)),
            6 => {
                // A 16-digit number that fails Luhn (order numbers, not cards).
                loop {
                    let d = format!("4{}", r.digits(15));
                    if !luhn_valid(&d) {
                        break format!("order number {d}");
                    }
                }
            }
            7 => format!("gpt-4o-2024-{:02}-{:02}", r.range(1, 12), r.range(1, 28)),
            8 => format!(
                "took {}.{} ms, {} tokens",
                r.below(900),
                r.below(100),
                r.below(5000)
            ),
            9 => format!(
                "{}.{}.{}-beta.{}",
                r.below(5),
                r.below(30),
                r.below(30),
                r.below(9)
            ),
            10 => format!(
                "span_id={} parent={}",
                r.chars_from(HEX, 16),
                r.chars_from(HEX, 16)
            ),
            _ => format!(
                "price ${}.{:02} x {}",
                r.below(1000),
                r.below(100),
                r.below(50)
            ),
        };
        out.push(v);
    }
    out
}

/// Realistic chat/prompt text (a support conversation with code and numbers), no PII.
pub fn prompt_text(seed: u64, bytes: usize) -> String {
    let mut r = Rng::new(seed);
    let paragraphs = [
        "You are a helpful assistant for an online shop. Answer briefly and cite the order status.",
        "The customer asks why order ORD-2024-004512 has not shipped yet; it was placed on 2024-08-06 at 14:03.",
        "Retrieved context: shipping takes 3-5 business days; express orders ship within 24 hours. Returns are accepted for 30 days.",
        "```rust\nfn total(items: &[Item]) -> u64 { items.iter().map(|i| i.price * i.qty).sum() }\n```",
        "Tool result: {\"status\": \"processing\", \"warehouse\": \"B7\", \"items\": 3, \"eta_days\": 2}.",
        "The model gpt-4o-2024-08-06 answered in 1.8 s using 512 input and 128 output tokens (version 2.14.0).",
        "Le client demande une facture corrigée; merci de vérifier la TVA à 20 % et le total de 149,90 €.",
        "Summarize the conversation so far and propose the next best action for the support agent.",
    ];
    let mut s = String::with_capacity(bytes + 256);
    while s.len() < bytes {
        s.push_str(paragraphs[r.below(paragraphs.len())]);
        s.push('\n');
    }
    let mut cut = bytes.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

/// Prompt text with roughly one PII item or secret per `every` bytes.
pub fn prompt_text_with_secrets(seed: u64, bytes: usize, every: usize) -> String {
    let mut r = Rng::new(seed ^ 0xABCD);
    let base = prompt_text(seed, bytes);
    let items = positives(seed, 4);
    let mut out = String::with_capacity(bytes + 1024);
    for (i, chunk) in base.as_bytes().chunks(every).enumerate() {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push(' ');
        out.push_str(&items[(i + r.below(7)) % items.len()].text);
        out.push(' ');
    }
    out
}
