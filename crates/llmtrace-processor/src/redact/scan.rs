//! Where a built-in pattern can start: a byte-class scan that skips text no detector can match.
//!
//! An unanchored search of the combined lazy DFA reads every byte of a haystack. Most text holds no
//! candidate at all, and every built-in pattern needs, at or near its start, something rare:
//!
//! | anchor (found 64 bytes at a time) | patterns | where the match can start |
//! |---|---|---|
//! | 7+ bytes of `[0-9 .()-]` with 4+ digits; in it, a digit run (`\b`, or after `+`/`(`) with 9 digits (8 after `+`) in its span, or `d.d` | cards, SSN, phones, IPv4 | the digit run, or the `+`/`(` before it |
//! | two letters and two digits at a word start | IBAN | the letters |
//! | `@`, `%40` | e-mail | each `\b` in the local part before it |
//! | `:` or `=` after a key (`[ \t]*`, a quote, a `[A-Za-z0-9_.-]` run) naming a secret | generic secret, `Authorization:` (Basic, Bearer) | each `\b` in the key before the name, `authorization`, `proxy-authorization` |
//! | `:` with a second `:` within 5 hex bytes | IPv6 | the `:` and each of up to 4 hex bytes before it |
//! | `://` | URL credentials, Slack webhooks | each letter at a word start in the 16 bytes before it |
//! | 5+ dashes followed by `BEGIN`; a dash after a blank | private keys, `--password x` | the last 5 dashes, the blank |
//! | a blank after `basic`/`bearer` at a word start | Basic, Bearer | the word |
//! | a run of 15+ token bytes `[A-Za-z0-9_+/.-]` | provider keys, JWTs, base64 of keys | each word start in it whose first two bytes begin a key prefix |
//!
//! Each anchor yields the positions where a match can start (a superset: the combined regex then
//! runs *anchored* at each, and the validators decide as before). Positions come in the order of
//! their anchors, not sorted: a look-back (the local part of an e-mail, a key before `=`) can
//! yield a position before an earlier one. A look-back never crosses a byte outside
//! [`reaches_back`], which lets the caller stop scanning once a hit is certain to be the leftmost.
//!
//! Each anchor is a bit of a 64-byte block's masks (byte classes, runs of them via shifts that
//! carry across blocks), so a block without anchors costs a few dozen instructions. The classes
//! come from AVX2 when the CPU has it, from a table otherwise; both give the same masks (tested).

use std::cell::Cell;

/// Bit per byte class, as in [`CLASS`].
const DIGIT: u16 = 1;
const WORD: u16 = 2;
const TOKEN: u16 = 4;
/// `:`, `=`, `@`, `%`: separators of keys, e-mails, escapes, IPv6 addresses and URLs.
const SPECIAL: u16 = 8;
const DASH: u16 = 16;
const BLANK: u16 = 32;
const LETTER_B: u16 = 64;
const ALPHA: u16 = 128;
/// A byte of a key name before `=`/`:` (`[A-Za-z0-9_.-]`).
const KEY: u16 = 256;
/// A byte of a written number (`[0-9 .()-]`): cards, phones, SSNs, IPv4 addresses.
const NUMBER: u16 = 512;
/// `\n` and `\\`: where the second looks of `views` start (with `%`).
const BREAK: u16 = 1024;

const fn class_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if b.is_ascii_digit() {
            c |= DIGIT | WORD | TOKEN | NUMBER;
        }
        if b.is_ascii_alphabetic() {
            c |= ALPHA;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            c |= WORD | TOKEN;
        }
        if matches!(b, b'+' | b'/' | b'.' | b'-') {
            c |= TOKEN;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-') {
            c |= KEY;
        }
        if matches!(b, b' ' | b'.' | b'(' | b')' | b'-') {
            c |= NUMBER;
        }
        if matches!(b, b':' | b'=' | b'@' | b'%') {
            c |= SPECIAL;
        }
        if b == b'-' {
            c |= DASH;
        }
        if matches!(b, b' ' | b'\t') {
            c |= BLANK;
        }
        if matches!(b, b'b' | b'B') {
            c |= LETTER_B;
        }
        if matches!(b, b'\n' | b'\\') {
            c |= BREAK;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// The class bits of every byte.
static CLASS: [u16; 256] = class_table();

/// The shortest run of token bytes a key-prefixed pattern needs (`xoxb-` + 10).
const MIN_KEY_RUN: usize = 15;

/// Two-byte starts of the key-prefixed patterns: provider prefixes (`sk-`, `AKIA`, `ghp_`, …),
/// `eyJ` and the base64 starts of the `decode` pattern. Checked by a unit test against the
/// prefixes `regex-syntax` extracts from the pattern table.
const KEY_STARTS: &[&[u8; 2]] = &[
    b"ey", b"sk", b"rk", b"AK", b"AS", b"AB", b"AC", b"gh", b"gi", b"xo", b"xa", b"wh", b"AI",
    b"gl", b"hf", b"np", b"SG", b"do", b"c2", b"cm", b"QU", b"QV", b"Z2", b"eG", b"d2", b"aG",
    b"bn", b"U0", b"ZG", b"ZX", b"LS", b"aH", b"cG", b"bX", b"bW", b"YW", b"QX", b"YX", b"Qm",
    b"UE", b"dG",
];

const fn key_start_table() -> [u64; 1024] {
    let mut t = [0u64; 1024];
    let mut i = 0;
    while i < KEY_STARTS.len() {
        let k = (KEY_STARTS[i][0] as usize) << 8 | KEY_STARTS[i][1] as usize;
        t[k / 64] |= 1 << (k % 64);
        i += 1;
    }
    t
}

/// A bit per two-byte value of [`KEY_STARTS`].
static KEY_START: [u64; 1024] = key_start_table();

fn is_key_start(a: u8, b: u8) -> bool {
    let k = usize::from(a) << 8 | usize::from(b);
    KEY_START[k / 64] & (1 << (k % 64)) != 0
}

fn class(b: u8) -> u16 {
    CLASS[usize::from(b)]
}

fn is_word(b: u8) -> bool {
    class(b) & WORD != 0
}

/// Whether a look-back may pass over `b`: key runs, quotes and blanks before `=`/`:`, e-mail
/// local parts, URL schemes, hex before `:`, IBAN letters, written numbers (`(415) 555-…`),
/// `+` before phone digits.
pub(crate) fn reaches_back(b: u8) -> bool {
    class(b) & (TOKEN | BLANK | NUMBER) != 0 || matches!(b, b'%' | b'"' | b'\'')
}

/// Whether `hay[i]` starts a word (`\b` before a word byte).
fn word_start(hay: &[u8], i: usize) -> bool {
    hay.get(i).is_some_and(|&b| is_word(b)) && (i == 0 || !is_word(hay[i - 1]))
}

/// The positions in `hay[from..to]` where `\b` holds (a word byte on one side only; a pattern
/// that starts with `\b[….-]*` may start at a `.` right after a word). Every one is a start:
/// when the checks reject a match at one, the next may hold an accepted one (`.ada@…` is
/// rejected, `ada@…` is not).
fn boundaries(hay: &[u8], from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
    let word_at = |j: usize| hay.get(j).is_some_and(|&b| is_word(b));
    (from..to).filter(move |&j| word_at(j) != (j > 0 && word_at(j - 1)))
}

/// Whether a short text surely holds nothing to redact, in any view: no byte an anchor or a
/// second look starts at (digit, `:`, `=`, `@`, `%`, `-`, `b`, line break, backslash) and no
/// run of token bytes long enough for a key. One pass over the bytes, cheaper than the block
/// scan for the short values most attributes hold.
pub(crate) fn is_plain(hay: &[u8]) -> bool {
    const ANCHOR: u16 = DIGIT | SPECIAL | DASH | LETTER_B | BREAK;
    let mut seen = 0;
    let mut run = 0usize;
    let mut longest = 0;
    for &b in hay {
        let c = class(b);
        seen |= c;
        run = (run + 1) * usize::from(c & TOKEN != 0);
        longest = longest.max(run);
    }
    seen & ANCHOR == 0 && longest < MIN_KEY_RUN
}

/// The shortest written number a detector accepts: `1.2.3.4`, `+` and 8 digits.
const MIN_NUMBER: u32 = 7;

/// Class masks of one block of up to 64 bytes: bit `k` stands for byte `k`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Masks {
    digit: u64,
    alpha: u64,
    word: u64,
    token: u64,
    number: u64,
    special: u64,
    dash: u64,
    blank: u64,
    letter_b: u64,
}

/// The masks from the class table (the reference for the SIMD version, and the path of
/// targets without it).
fn masks_table(block: &[u8]) -> Masks {
    let mut m = Masks::default();
    for (k, &b) in block.iter().enumerate().take(64) {
        let c = class(b);
        let bit = |flag: u16| u64::from(c & flag != 0) << k;
        m.digit |= bit(DIGIT);
        m.alpha |= bit(ALPHA);
        m.word |= bit(WORD);
        m.token |= bit(TOKEN);
        m.number |= bit(NUMBER);
        m.special |= bit(SPECIAL);
        m.dash |= bit(DASH);
        m.blank |= bit(BLANK);
        m.letter_b |= bit(LETTER_B);
    }
    m
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! The masks 32 bytes at a time, and the scan loop compiled for AVX2 so that they inline
    //! into it. Only called after `is_x86_feature_detected!("avx2")`.
    use core::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8, _mm256_sub_epi8,
    };

    use super::Masks;

    #[target_feature(enable = "avx2")]
    fn splat(b: u8) -> __m256i {
        _mm256_set1_epi8(b as i8)
    }

    #[target_feature(enable = "avx2")]
    fn bits(v: __m256i) -> u64 {
        u64::from(_mm256_movemask_epi8(v) as u32)
    }

    /// `lo <= x <= lo + width` per byte, unsigned.
    #[target_feature(enable = "avx2")]
    fn in_range(x: __m256i, lo: u8, width: u8) -> __m256i {
        let t = _mm256_sub_epi8(x, splat(lo));
        _mm256_cmpeq_epi8(_mm256_min_epu8(t, splat(width)), t)
    }

    #[target_feature(enable = "avx2")]
    fn eq(x: __m256i, b: u8) -> __m256i {
        _mm256_cmpeq_epi8(x, splat(b))
    }

    #[target_feature(enable = "avx2")]
    fn or(a: __m256i, b: __m256i) -> __m256i {
        _mm256_or_si256(a, b)
    }

    /// [`super::scan`] with the AVX2 masks.
    #[target_feature(enable = "avx2")]
    pub(super) fn scan(hay: &[u8], lo: usize, visit: super::Visit<'_>) {
        super::scan(hay, lo, visit, |block: &[u8]| masks(block));
    }

    /// The masks of a block of up to 64 bytes.
    #[target_feature(enable = "avx2")]
    pub(super) fn masks(block: &[u8]) -> Masks {
        // Zero bytes belong to no class, so padding adds no bits.
        let mut padded = [0u8; 64];
        let block = match <&[u8; 64]>::try_from(block) {
            Ok(full) => full,
            Err(_) => {
                padded[..block.len()].copy_from_slice(block);
                &padded
            }
        };
        let mut m = Masks::default();
        for (lane, chunk) in block.chunks_exact(32).enumerate() {
            // SAFETY: `chunk` holds 32 bytes; the load has no alignment requirement.
            let x = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>()) };
            let lower = or(x, splat(0x20));
            let digit = in_range(x, b'0', 9);
            let alpha = in_range(lower, b'a', 25);
            let word_v = or(or(digit, alpha), eq(x, b'_'));
            let dash = eq(x, b'-');
            let dot = eq(x, b'.');
            let blank = or(eq(x, b' '), eq(x, b'\t'));
            let token = or(or(word_v, dash), or(or(eq(x, b'+'), eq(x, b'/')), dot));
            let number = or(
                or(digit, or(dash, dot)),
                or(eq(x, b' '), in_range(x, b'(', 1)),
            );
            let special = or(or(eq(x, b':'), eq(x, b'=')), or(eq(x, b'@'), eq(x, b'%')));
            let shift = 32 * lane;
            m.digit |= bits(digit) << shift;
            m.alpha |= bits(alpha) << shift;
            m.word |= bits(word_v) << shift;
            m.token |= bits(token) << shift;
            m.number |= bits(number) << shift;
            m.special |= bits(special) << shift;
            m.dash |= bits(dash) << shift;
            m.blank |= bits(blank) << shift;
            m.letter_b |= bits(eq(lower, b'b')) << shift;
        }
        m
    }
}

/// `cur` shifted `k` bytes towards the end, the previous block's last bytes shifted in: bit `i`
/// then tells about byte `i - k`.
#[inline(always)]
fn back(cur: u64, prev: u64, k: u32) -> u64 {
    (cur << k) | (prev >> (64 - k))
}

/// The events of one block: a bit per anchor, by kind.
#[derive(Debug, Default, Clone, Copy)]
struct Events {
    /// The 7th byte of a run of number bytes: the run may hold a number.
    number: u64,
    /// The second digit of `[A-Za-z]{2}[0-9]{2}` at a word start: an IBAN.
    iban: u64,
    special: u64,
    /// The 5th dash of a run: a private key's `-----BEGIN`.
    dashes: u64,
    /// A dash after a blank, or first in the text: `--password x`.
    option: u64,
    /// The blank after a 5- or 6-letter word starting with `b`/`B`: `basic`, `bearer`.
    word_b: u64,
    /// The 15th byte of a run of token bytes: a key may be in the run.
    long_run: u64,
}

impl Events {
    fn all(&self) -> u64 {
        self.number
            | self.iban
            | self.special
            | self.dashes
            | self.option
            | self.word_b
            | self.long_run
    }
}

/// Bytes that end a run of at least 1, 2, 4 and 8 set bits of `cur`, runs of the previous
/// block (whose levels are `prev`) going on.
#[inline(always)]
fn run_levels(cur: u64, prev: &[u64; 4]) -> [u64; 4] {
    let a0 = cur;
    let a1 = a0 & back(a0, prev[0], 1);
    let a2 = a1 & back(a1, prev[1], 2);
    let a3 = a2 & back(a2, prev[2], 4);
    [a0, a1, a2, a3]
}

/// Bytes that end a run of at least `n` (1..=16) set bits; `state` carries the levels from
/// block to block.
#[inline(always)]
fn runs_at_least(cur: u64, state: &mut [u64; 4], n: u32) -> u64 {
    let levels = run_levels(cur, state);
    let k = (31 - n.leading_zeros()) as usize;
    let rest = n - (1 << k);
    let runs = match rest {
        0 => levels[k],
        _ => levels[k] & back(levels[k], state[k], rest),
    };
    *state = levels;
    runs
}

/// Look-behind state carried from one block to the next. It is zero before the first block:
/// runs that began before the scan's start count from there, where any match has to start.
#[derive(Debug, Default)]
struct Carry {
    prev: Masks,
    prev_word_start: u64,
    prev_word_b: u64,
    number_runs: [u64; 4],
    token_runs: [u64; 4],
    dash_runs: [u64; 4],
    /// The previous block's "run long enough" bits, per kind of run.
    prev_long: [u64; 3],
}

/// The anchors of one block (see the module's table).
#[inline(always)]
fn events(m: &Masks, c: &mut Carry, text_start: bool) -> Events {
    let p = c.prev;
    let word_start = m.word & !back(m.word, p.word, 1);
    let word_b = m.letter_b & word_start;
    let mut option = m.dash & back(m.blank, p.blank, 1);
    if text_start {
        option |= m.dash & 1;
    }
    // One event per run: the byte at which it becomes long enough.
    let number = runs_at_least(m.number, &mut c.number_runs, MIN_NUMBER);
    let dashes = runs_at_least(m.dash, &mut c.dash_runs, 5);
    let token = runs_at_least(m.token, &mut c.token_runs, MIN_KEY_RUN as u32);
    let first = |runs: u64, k: usize| runs & !back(runs, c.prev_long[k], 1);
    let e = Events {
        number: first(number, NUMBER_RUN),
        iban: m.digit
            & back(m.digit, p.digit, 1)
            & back(m.alpha, p.alpha, 2)
            & back(m.alpha, p.alpha, 3)
            & back(word_start, c.prev_word_start, 3),
        special: m.special,
        dashes: first(dashes, DASH_RUN),
        option,
        // The blank after a five- or six-letter word that starts with `b`.
        word_b: m.blank & (back(word_b, c.prev_word_b, 5) | back(word_b, c.prev_word_b, 6)),
        long_run: first(token, TOKEN_RUN),
    };
    c.prev = *m;
    c.prev_word_start = word_start;
    c.prev_word_b = word_b;
    c.prev_long = [number, dashes, token];
    e
}

/// Calls `visit(start, anchor)` for every position `>= lo` where a built-in pattern may start,
/// anchors in increasing order. `visit` returns the last anchor that still matters
/// (`usize::MAX`: all do); the scan ends at the first anchor past the smallest one returned.
pub(crate) fn for_each_start(hay: &[u8], lo: usize, mut visit: impl FnMut(usize, usize) -> usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above), all `avx2::scan` needs.
            unsafe { avx2::scan(hay, lo, &mut visit) };
            return;
        }
    }
    scan(hay, lo, &mut visit, masks_table);
}

/// The scan loop over 64-byte blocks, with `masks` computing each block's classes.
#[inline(always)]
fn scan(hay: &[u8], lo: usize, visit: Visit<'_>, masks: impl Fn(&[u8]) -> Masks) {
    let s = Scanner {
        hay,
        lo,
        last_anchor: Cell::new(usize::MAX),
    };
    let mut carry = Carry::default();
    let mut pos = lo;
    while pos < hay.len() {
        let end = (pos + 64).min(hay.len());
        let e = events(&masks(&hay[pos..end]), &mut carry, pos == 0);
        let mut all = e.all();
        while all != 0 {
            let k = all.trailing_zeros();
            all &= all - 1;
            let i = pos + k as usize;
            if i > s.last_anchor.get() || s.event(&e, 1 << k, i, visit) {
                return;
            }
        }
        pos = end;
    }
}

/// The anchors' handlers; each returns whether the scan is over.
struct Scanner<'h> {
    hay: &'h [u8],
    lo: usize,
    /// The smallest last anchor that matters, of those `visit` returned.
    last_anchor: Cell<usize>,
}

type Visit<'v> = &'v mut dyn FnMut(usize, usize) -> usize;

/// Indices into [`Carry::prev_long`], per kind of run.
const NUMBER_RUN: usize = 0;
const DASH_RUN: usize = 1;
const TOKEN_RUN: usize = 2;

impl Scanner<'_> {
    fn byte(&self, i: usize) -> u8 {
        self.hay.get(i).copied().unwrap_or(0)
    }

    /// Proposes `start`; whether the scan is over (`anchor` is past the last one that matters).
    fn emit(&self, start: usize, anchor: usize, visit: Visit<'_>) -> bool {
        if start < self.lo {
            return false;
        }
        let last = self.last_anchor.get().min(visit(start, anchor));
        self.last_anchor.set(last);
        anchor > last
    }

    /// The run of bytes of class `flag` around `i`, from `lo` on. Each run has one event (the
    /// byte at which it becomes long enough), so each run is walked once.
    fn run_around(&self, i: usize, flag: u16) -> (usize, usize) {
        let hay = self.hay;
        let mut start = i;
        while start > self.lo && class(hay[start - 1]) & flag != 0 {
            start -= 1;
        }
        let mut end = i;
        while end < hay.len() && class(hay[end]) & flag != 0 {
            end += 1;
        }
        (start, end)
    }

    /// Dispatches the event at `i` (`bit` of the block's events).
    #[inline(always)]
    fn event(&self, e: &Events, bit: u64, i: usize, visit: Visit<'_>) -> bool {
        (e.number & bit != 0 && self.number(i, visit))
            || (e.iban & bit != 0 && self.emit(i - 3, i, visit))
            || (e.special & bit != 0 && self.special(i, visit))
            || (e.dashes & bit != 0 && self.private_key(i, visit))
            || (e.option & bit != 0 && self.option(i, visit))
            || (e.word_b & bit != 0 && self.auth_word(i, visit))
            || (e.long_run & bit != 0 && self.long_run(i, visit))
    }

    /// A written number of 7+ bytes around `i`: each digit run in it that starts a number
    /// (cards, SSNs, phones, IPv4): at a word boundary (or after `+`/`(`), with enough digits
    /// after it in the run (9, or 8 after `+`: SSNs and international phones are the shortest),
    /// or starting like an IPv4 address.
    fn number(&self, i: usize, visit: Visit<'_>) -> bool {
        let (start, end) = self.run_around(i, NUMBER);
        let hay = self.hay;
        let total = hay[start..end]
            .iter()
            .filter(|b| b.is_ascii_digit())
            .count();
        if total < 4 {
            return false;
        }
        let mut seen = 0;
        let mut prev = start.checked_sub(1).map(|p| hay[p]);
        for (j, &b) in hay.iter().enumerate().take(end).skip(start) {
            if b.is_ascii_digit() {
                if !prev.is_some_and(is_word) {
                    let need = if prev == Some(b'+') { 8 } else { 9 };
                    if (total - seen >= need || self.ipv4_start(j)) && self.digits(j, prev, visit) {
                        return true;
                    }
                }
                seen += 1;
            }
            prev = Some(b);
        }
        false
    }

    /// A run of digits at `i` long enough for a detector (`prev` is the byte before it).
    fn digits(&self, i: usize, prev: Option<u8>, visit: Visit<'_>) -> bool {
        if matches!(prev, Some(b'+' | b'(')) && self.emit(i - 1, i, visit) {
            return true;
        }
        self.emit(i, i, visit)
    }

    /// `d.d`, `dd.d`, `ddd.d` at `i`: the start of an IPv4 address.
    fn ipv4_start(&self, i: usize) -> bool {
        let lead = self.hay[i..]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        lead <= 3 && self.byte(i + lead) == b'.' && self.byte(i + lead + 1).is_ascii_digit()
    }

    /// The 5th dash of a run at `i`: `-----BEGIN` after the run starts a private key.
    fn private_key(&self, i: usize, visit: Visit<'_>) -> bool {
        let (_, end) = self.run_around(i, DASH);
        self.hay[end..].starts_with(b"BEGIN") && self.emit(end - 5, i, visit)
    }

    /// A dash after a blank (or opening the text) at `i`: `--password x`, `-token x`.
    fn option(&self, i: usize, visit: Visit<'_>) -> bool {
        const FLAGS: &[&[u8]] = &[b"pass", b"token", b"api", b"secret", b"client-secret"];
        let hay = self.hay;
        let dashes = 1 + usize::from(self.byte(i + 1) == b'-');
        let rest = &hay[i + dashes..];
        let flag = FLAGS.iter().any(|f| {
            rest.get(..f.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(f))
        });
        // `(?:^|[ \t])--?…`: the match starts at the blank, or at the dash when it opens the text.
        flag && self.emit(i.saturating_sub(1), i, visit)
    }

    /// The blank at `i` after `basic` / `bearer` (any case) at a word start.
    fn auth_word(&self, i: usize, visit: Visit<'_>) -> bool {
        let hay = self.hay;
        let word = [&b"basic"[..], &b"bearer"[..]].into_iter().find(|w| {
            i.checked_sub(w.len())
                .is_some_and(|s| hay[s..i].eq_ignore_ascii_case(w))
        });
        word.is_some_and(|w| self.emit(i - w.len(), i, visit))
    }

    /// `:`, `=`, `@`, `%`.
    fn special(&self, i: usize, visit: Visit<'_>) -> bool {
        match self.hay[i] {
            b'@' | b'%' => self.at(i, visit),
            _ => self.separator(i, visit),
        }
    }

    /// `@` or `%40`: the local part of an e-mail ends here; it starts at a `\b` in it.
    fn at(&self, i: usize, visit: Visit<'_>) -> bool {
        let hay = self.hay;
        let after = match hay[i] {
            b'@' => i + 1,
            _ if hay[i..].starts_with(b"%40") => i + 3,
            _ => return false,
        };
        if !self.byte(after).is_ascii_alphanumeric() && self.byte(after) != b'-' {
            return false;
        }
        let local =
            |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
        let back = hay[self.lo..i]
            .iter()
            .rev()
            .take_while(|b| local(b))
            .count();
        boundaries(hay, i - back, i).any(|j| self.emit(j, i, visit))
    }

    /// `:` or `=`: a key naming a secret before it, an IPv6 address or a URL around it.
    fn separator(&self, i: usize, visit: Visit<'_>) -> bool {
        let hay = self.hay;
        if hay[i] == b':' {
            if self
                .ipv6_starts(i)
                .is_some_and(|mut starts| starts.any(|q| self.emit(q, i, visit)))
            {
                return true;
            }
            if hay[i + 1..].starts_with(b"//")
                && self.scheme_starts(i).any(|q| self.emit(q, i, visit))
            {
                return true;
            }
        }
        self.key_before(i, visit)
    }

    /// The starts of an IPv6 candidate whose first `:` is at `i`: another `:` follows within
    /// five hex bytes; the address starts up to four hex bytes back (each is a start).
    fn ipv6_starts(&self, i: usize) -> Option<std::ops::RangeInclusive<usize>> {
        let hay = self.hay;
        let hex = hay[i + 1..]
            .iter()
            .take(5)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if hex > 4 || self.byte(i + 1 + hex) != b':' {
            return None;
        }
        let back = hay[self.lo..i]
            .iter()
            .rev()
            .take(4)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        Some(i - back..=i)
    }

    /// Where a URL scheme (`\b[A-Za-z][A-Za-z0-9+.-]{1,15}`) ending at `i` can start.
    fn scheme_starts(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let hay = self.hay;
        let scheme = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-');
        let back = hay[self.lo..i]
            .iter()
            .rev()
            .take(16)
            .take_while(|b| scheme(b))
            .count();
        (i - back..i.saturating_sub(1))
            .filter(move |&q| hay[q].is_ascii_alphabetic() && word_start(hay, q))
    }

    /// The key before a separator at `i` (`[A-Za-z0-9_.-]+`, then an optional quote and blanks):
    /// each `\b` followed by a name of a secret, and `authorization` /
    /// `proxy-authorization` when it ends with them.
    fn key_before(&self, i: usize, visit: Visit<'_>) -> bool {
        let hay = self.hay;
        let lo = self.lo;
        let mut end = i;
        while end > lo && matches!(hay[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if end > lo && matches!(hay[end - 1], b'"' | b'\'') {
            end -= 1;
        }
        let mut start = end;
        while start > lo && class(hay[start - 1]) & KEY != 0 {
            start -= 1;
        }
        // The shortest names are three bytes long (`pwd`, `key`).
        if end - start < 3 {
            return false;
        }
        for name in [&b"proxy-authorization"[..], &b"authorization"[..]] {
            if let Some(p) = end.checked_sub(name.len()) {
                if p >= start
                    && hay[p..end].eq_ignore_ascii_case(name)
                    && word_start(hay, p)
                    && self.emit(p, i, visit)
                {
                    return true;
                }
            }
        }
        boundaries(hay, start, end)
            .take_while(|&j| names_secret(&hay[j..end]))
            .any(|j| self.emit(j, i, visit))
    }

    /// The 15th token byte of a run at `i`: each word start in the run whose first two bytes
    /// begin a key prefix is a candidate.
    fn long_run(&self, i: usize, visit: Visit<'_>) -> bool {
        let (start, end) = self.run_around(i, TOKEN);
        let hay = self.hay;
        end - start >= MIN_KEY_RUN
            && (start..=end - MIN_KEY_RUN).any(|j| {
                word_start(hay, j)
                    && is_key_start(hay[j], self.byte(j + 1))
                    && self.emit(j, i, visit)
            })
    }
}

/// Whether a key name holds a word of the generic-secret pattern (`password`, `pwd`, `secret`,
/// `token`, `*key`, `credential`, `signature`), in any case. Broader than the pattern: the
/// regex decides.
fn names_secret(key: &[u8]) -> bool {
    if key.len() > 256 {
        return true;
    }
    (0..key.len()).any(|at| {
        let rest = &key[at..];
        let has = |word: &[u8]| {
            rest.get(..word.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(word))
        };
        match rest[0] | 0x20 {
            b'p' => has(b"pass") || has(b"pwd"),
            b's' => has(b"secret") || has(b"signature"),
            b't' => has(b"token"),
            b'k' => has(b"key"),
            b'c' => has(b"credential"),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(hay: &str) -> Vec<usize> {
        let mut out = Vec::new();
        for_each_start(hay.as_bytes(), 0, |s, _| {
            out.push(s);
            usize::MAX
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn simd_masks_equal_the_table() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            let mut block = [0u8; 64];
            for b in &mut block {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *b = (seed >> 24) as u8;
            }
            let n = (seed % 65) as usize;
            // SAFETY: only run when the CPU has AVX2.
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                assert_eq!(
                    unsafe { avx2::masks(&block[..n]) },
                    masks_table(&block[..n])
                );
            }
        }
    }

    #[test]
    fn plain_text_is_told_apart() {
        assert!(is_plain(b"The weather in Paris is sunny today ok"));
        for text in [
            "order 42",
            "ada@example.org",
            "x=1",
            "a-b",
            "Basic",
            "line\nbreak",
            "Supercalifragilistic",
        ] {
            assert!(!is_plain(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn table_masks_give_the_same_starts() {
        // Targets without AVX2 scan with the table masks: same starts, same anchors.
        let pieces: &[&str] = &[
            "ada@example.org ",
            "+44 20 7946 0958",
            "4111-1111-1111-1111",
            " DE89 3704 ",
            "api_key: ",
            "Bearer ",
            "--password x",
            "-----BEGIN RSA PRIVATE KEY-----",
            "fe80::1 ",
            "https://u:p@h ",
            "sk-proj-abcdefghijklmnopqrstuv",
            "é ",
            "\n",
            "a",
            "  ",
            "2024-08-06",
            "x=",
            "QUtJQ0FBQUFBQUFBQUFBQUFB",
        ];
        let mut seed = 7u64;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            for lo in [0, text.len() / 3] {
                let mut fast = Vec::new();
                for_each_start(text.as_bytes(), lo, |s, a| {
                    fast.push((s, a));
                    usize::MAX
                });
                let mut table = Vec::new();
                scan(
                    text.as_bytes(),
                    lo,
                    &mut |s, a| {
                        table.push((s, a));
                        usize::MAX
                    },
                    masks_table,
                );
                assert_eq!(fast, table, "{text:?} from {lo}");
            }
        }
    }

    #[test]
    fn prose_has_no_starts() {
        assert!(starts("The weather in Paris is sunny today ok, 3-5 days at 14:03.").is_empty());
        assert!(starts("shipping takes 24 hours; order ORD-2024 on 2024-08-06").is_empty());
    }

    #[test]
    fn anchors_yield_their_starts() {
        assert_eq!(starts("mail ada.l@example.org"), vec![5, 8, 9]);
        assert_eq!(starts("call +44 20 7946 0958"), vec![5, 6, 9]);
        assert_eq!(starts("card 4111 1111 1111 1111"), vec![5, 10]);
        assert_eq!(starts("x DE89370400440532013000"), vec![2]);
        assert_eq!(starts("api_key = abc"), vec![0]);
        assert_eq!(starts("Proxy-Authorization: Basic x"), vec![0, 6, 21]);
        assert_eq!(starts("at fe80::1"), vec![3, 4, 5, 6, 7]);
        assert_eq!(starts("go postgres://u:p@h"), vec![3, 16]);
        assert_eq!(starts("run --password hunter2"), vec![3]);
        assert_eq!(starts("-----BEGIN RSA PRIVATE KEY-----"), vec![0]);
        assert_eq!(starts("key sk-proj-abcdefghijklmnopqrst"), vec![4]);
        assert_eq!(starts("ip 10.0.0.1"), vec![3, 6, 8]);
    }

    #[test]
    fn look_backs_stop_at_lo() {
        let hay = b"abc.def@example.org";
        let mut out = Vec::new();
        for_each_start(hay, 5, |s, _| {
            out.push(s);
            usize::MAX
        });
        assert_eq!(out, Vec::<usize>::new());
    }

    #[test]
    fn key_starts_cover_the_key_patterns() {
        use super::super::Detector;
        use regex_syntax::hir::literal::{ExtractKind, Extractor};
        for p in super::super::patterns::BUILTIN {
            let hir = regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(p.regex)
                .expect("pattern parses");
            let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
            let keyed = matches!(
                p.detector,
                Detector::Jwt
                    | Detector::AnthropicKey
                    | Detector::OpenaiKey
                    | Detector::AwsAccessKey
                    | Detector::GithubToken
                    | Detector::SlackToken
                    | Detector::StripeKey
                    | Detector::GoogleApiKey
                    | Detector::PlatformToken
            );
            // The Slack webhook starts with its URL scheme (the `://` anchor).
            if !(p.decode || keyed) || p.regex.contains("https") {
                continue;
            }
            let lits = seq.literals().expect("a finite set of key prefixes");
            for l in lits {
                let b = l.as_bytes();
                assert!(is_key_start(b[0], b[1]), "{:?} of {}", l, p.detector);
            }
        }
    }

    #[test]
    fn secret_names() {
        assert!(names_secret(b"OPENAI_API_KEY"));
        assert!(names_secret(b"db.Password"));
        assert!(!names_secret(b"status"));
        assert!(!names_secret(b"ke"));
    }
}
