//! Scrubbing and truncating JSON held in a string, preserving its formatting.
//!
//! The input is first validated (without allocating) by `serde_json`. Then one pass over the
//! tokens copies the text, replacing only the string tokens whose content changed (re-escaped),
//! and the values of members whose key a rule covers. Key order and whitespace survive, which a
//! parse/re-serialize round trip would not guarantee.
//!
//! With a byte budget, the pass stops before the output would exceed it: the string being written
//! is cut on a char boundary and ends with [`STRING_MARKER`], each open array gets a last element
//! [`ARRAY_MARKER`], each open object a last member [`OBJECT_MARKER`], and the brackets are
//! closed — the result always parses.

use std::borrow::Cow;

/// Appended inside a string that was cut.
pub(crate) const STRING_MARKER: &str = "…[TRUNCATED]";
/// Appended as the last element of an array whose tail was dropped.
pub(crate) const ARRAY_MARKER: &str = "\"[TRUNCATED]\"";
/// Appended as the last member of an object whose tail was dropped.
pub(crate) const OBJECT_MARKER: &str = "\"llmtrace.truncated\":true";

/// What the JSON pass asks of the redactor.
pub(crate) trait JsonScrubber {
    /// Whether the value of the member named `key` is replaced as a whole.
    fn covers_key(&mut self, key: &str) -> bool;
    /// The replacement (string content) for the value of a covered member; `raw` is its JSON text.
    fn replace_member(&mut self, key: &str, raw: &str) -> String;
    /// The scrubbed content of a string (a leaf or a key).
    fn leaf<'a>(&mut self, text: &'a str) -> Cow<'a, str>;
}

/// Whether `s` starts (after whitespace) like a JSON object or array. Cheap.
pub(crate) fn looks_like_json(s: &str) -> bool {
    matches!(s.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// Whether `s` is one valid JSON value. Does not allocate for strings.
pub(crate) fn is_valid_json(s: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
}

/// The result of [`scrub`].
#[derive(Debug)]
pub(crate) struct JsonOutcome {
    pub(crate) text: String,
    pub(crate) changed: bool,
    pub(crate) truncated: bool,
}

#[derive(Debug)]
struct Frame {
    is_obj: bool,
    /// Output length after the last complete element (or right after the opening bracket).
    safe: usize,
    count: usize,
    expect_key: bool,
    /// Bytes reserved for this frame's marker and closer.
    reserve: usize,
}

fn frame_reserve(is_obj: bool) -> usize {
    1 + 1
        + if is_obj {
            OBJECT_MARKER.len()
        } else {
            ARRAY_MARKER.len()
        }
}

/// Scrubs valid JSON `s`, keeping the output within `budget` bytes (`usize::MAX`: no limit).
/// `leaf_limit` caps how much of one huge string is decoded and scanned.
pub(crate) fn scrub(
    s: &str,
    budget: usize,
    leaf_limit: usize,
    cb: &mut dyn JsonScrubber,
) -> JsonOutcome {
    let mut pass = Pass {
        s,
        leaf_limit,
        cb,
        w: Writer {
            out: String::with_capacity(s.len().min(budget).saturating_add(64)),
            budget,
            reserve: 0,
            stack: Vec::new(),
            changed: false,
        },
        member_key: None,
    };
    let mut i = 0;
    while i < s.len() {
        match pass.token(i) {
            Ok(next) => i = next,
            Err(Full) => return pass.w.finish_truncated(),
        }
    }
    JsonOutcome {
        text: pass.w.out,
        changed: pass.w.changed,
        truncated: false,
    }
}

/// Writing stopped because the budget is exhausted; the open containers still need closing
/// ([`Writer::finish_truncated`]).
struct Full;

/// One pass over the tokens of `s`, copying them into `w`.
struct Pass<'s, 'c> {
    s: &'s str,
    leaf_limit: usize,
    cb: &'c mut dyn JsonScrubber,
    w: Writer,
    /// The key of the member whose value comes next and is replaced as a whole.
    member_key: Option<String>,
}

impl<'s> Pass<'s, '_> {
    /// Copies (or replaces) the token starting at `i`; returns the index just past it.
    fn token(&mut self, i: usize) -> Result<usize, Full> {
        let c = self.s.as_bytes()[i];
        if c.is_ascii_whitespace() {
            return Ok(self.whitespace(i));
        }
        let in_key_position = self.w.in_key_position();
        if !in_key_position && c != b':' {
            if let Some(key) = self.member_key.take() {
                return self.replaced_value(i, &key);
            }
        }
        match c {
            b'{' | b'[' => self.w.open(c == b'{')?,
            b'}' | b']' => self.w.close(c),
            b',' => self.w.comma()?,
            b':' => self.w.colon()?,
            b'"' if in_key_position => return self.key(i),
            b'"' => return self.string_value(i),
            _ => return self.scalar(i),
        }
        Ok(i + 1)
    }

    /// Copies the run of whitespace at `i` while it fits (it is never worth a cut).
    fn whitespace(&mut self, i: usize) -> usize {
        let b = self.s.as_bytes();
        let mut end = i;
        while end < b.len() && b[end].is_ascii_whitespace() {
            end += 1;
        }
        let ws = self.s.get(i..end).unwrap_or("");
        if self.w.fits(ws.len()) {
            self.w.out.push_str(ws);
        }
        end
    }

    /// Writes the replacement for the value at `i` of the covered member `key`.
    fn replaced_value(&mut self, i: usize, key: &str) -> Result<usize, Full> {
        let end = skip_value(self.s.as_bytes(), i);
        let raw = self.s.get(i..end).unwrap_or("");
        let replacement = self.cb.replace_member(key, raw);
        self.w.changed = true;
        if !self.w.write_string(&replacement, true) {
            return Err(Full);
        }
        Ok(end)
    }

    /// The content (still escaped) of the string token at `i`, and the index past it.
    fn string_token(&self, i: usize) -> (&'s str, usize) {
        let s: &'s str = self.s;
        let end = string_end(s.as_bytes(), i);
        (s.get(i + 1..end.saturating_sub(1)).unwrap_or(""), end)
    }

    /// Writes a member key, scrubbed; remembers it when the rules cover its value.
    fn key(&mut self, i: usize) -> Result<usize, Full> {
        let (raw, end) = self.string_token(i);
        let (key, _) = unescape(raw, usize::MAX);
        let scrubbed = self.cb.leaf(&key);
        let covered = self.cb.covers_key(&key);
        // A key needs room for itself, the colon and at least an empty string.
        let ok = if matches!(scrubbed, Cow::Borrowed(_)) {
            self.w.write_raw_string(raw, 3)
        } else {
            self.w.changed = true;
            self.w.write_escaped_whole(&scrubbed, 3)
        };
        if !ok {
            return Err(Full);
        }
        if let Some(f) = self.w.stack.last_mut() {
            f.expect_key = false;
        }
        if covered {
            self.member_key = Some(key.into_owned());
        }
        Ok(end)
    }

    /// Writes a string value: as is when the scrubber left it alone, else re-escaped (and cut
    /// with a marker when it does not fit or was longer than `leaf_limit`).
    fn string_value(&mut self, i: usize) -> Result<usize, Full> {
        let (raw, end) = self.string_token(i);
        let (decoded, cut) = unescape(raw, self.leaf_limit);
        let scrubbed = self.cb.leaf(&decoded);
        let unchanged = !cut && matches!(scrubbed, Cow::Borrowed(_));
        if unchanged && self.w.write_raw_string(raw, 0) {
            self.w.value_done();
            return Ok(end);
        }
        if !unchanged {
            self.w.changed = true;
        }
        if !self.w.write_string(&scrubbed, !cut) {
            return Err(Full);
        }
        Ok(end)
    }

    /// Writes a number or literal. Long numbers can be card numbers or phone numbers: they are
    /// scanned, and a number that had to be masked becomes a string holding the mask.
    fn scalar(&mut self, i: usize) -> Result<usize, Full> {
        let end = scalar_end(self.s.as_bytes(), i);
        let next = end.max(i + 1);
        let tok = self.s.get(i..end).unwrap_or("");
        let digits = tok.bytes().filter(u8::is_ascii_digit).count();
        if digits >= 9 {
            if let Cow::Owned(masked) = self.cb.leaf(tok) {
                self.w.changed = true;
                if !self.w.write_string(&masked, true) {
                    return Err(Full);
                }
                return Ok(next);
            }
        }
        if !self.w.fits(tok.len()) {
            return Err(Full);
        }
        self.w.out.push_str(tok);
        self.w.value_done();
        Ok(next)
    }
}

struct Writer {
    out: String,
    budget: usize,
    reserve: usize,
    stack: Vec<Frame>,
    changed: bool,
}

impl Writer {
    fn fits(&self, n: usize) -> bool {
        self.out
            .len()
            .saturating_add(n)
            .saturating_add(self.reserve)
            <= self.budget
    }

    /// Whether the next string is a member key.
    fn in_key_position(&self) -> bool {
        self.stack.last().is_some_and(|f| f.is_obj && f.expect_key)
    }

    /// Opens an object or array, reserving room for its marker and closer.
    fn open(&mut self, is_obj: bool) -> Result<(), Full> {
        let r = frame_reserve(is_obj);
        if !self.fits(1 + r) {
            return Err(Full);
        }
        self.out.push(if is_obj { '{' } else { '[' });
        self.reserve += r;
        let safe = self.out.len();
        self.stack.push(Frame {
            is_obj,
            safe,
            count: 0,
            expect_key: is_obj,
            reserve: r,
        });
        Ok(())
    }

    /// Closes the innermost container (`closer` is `}` or `]`), releasing its reserve.
    fn close(&mut self, closer: u8) {
        if let Some(f) = self.stack.pop() {
            self.reserve = self.reserve.saturating_sub(f.reserve);
        }
        self.out.push(char::from(closer));
        self.value_done();
    }

    /// Writes a `,`; in an object a key comes next.
    fn comma(&mut self) -> Result<(), Full> {
        if !self.fits(1) {
            return Err(Full);
        }
        self.out.push(',');
        if let Some(f) = self.stack.last_mut() {
            f.expect_key = f.is_obj;
        }
        Ok(())
    }

    /// Writes the `:` after a member key.
    fn colon(&mut self) -> Result<(), Full> {
        if !self.fits(1) {
            return Err(Full);
        }
        self.out.push(':');
        Ok(())
    }

    fn value_done(&mut self) {
        let len = self.out.len();
        if let Some(f) = self.stack.last_mut() {
            if !f.expect_key {
                f.count += 1;
                f.safe = len;
            }
        }
    }

    /// Writes `"raw"` unchanged if it fits with `extra` bytes to spare.
    fn write_raw_string(&mut self, raw: &str, extra: usize) -> bool {
        if !self.fits(raw.len() + 2 + extra) {
            return false;
        }
        self.out.push('"');
        self.out.push_str(raw);
        self.out.push('"');
        true
    }

    fn write_escaped_whole(&mut self, text: &str, extra: usize) -> bool {
        // Escaping at most sixfolds the text: count exactly only when that bound does not fit.
        let fits_escaped = |n: usize| self.fits(n.saturating_add(2).saturating_add(extra));
        if !fits_escaped(text.len().saturating_mul(6)) && !fits_escaped(escaped_len(text)) {
            return false;
        }
        self.out.push('"');
        escape_into(&mut self.out, text);
        self.out.push('"');
        true
    }

    /// Writes a string value, cutting it with a marker if it does not fit. `complete` is false
    /// when `text` is already a prefix of a longer value. Returns false when writing stopped.
    fn write_string(&mut self, text: &str, complete: bool) -> bool {
        if complete && self.write_escaped_whole(text, 0) {
            self.value_done();
            return true;
        }
        let room = self
            .budget
            .saturating_sub(self.out.len())
            .saturating_sub(self.reserve);
        let needed = 2 + STRING_MARKER.len();
        if room < needed {
            return false;
        }
        self.out.push('"');
        escape_prefix_into(&mut self.out, text, room - needed);
        self.out.push_str(STRING_MARKER);
        self.out.push('"');
        self.value_done();
        false
    }

    /// Drops the partial element of the innermost container and closes every open container
    /// with its marker.
    fn finish_truncated(mut self) -> JsonOutcome {
        if let Some(top) = self.stack.last() {
            self.out.truncate(top.safe);
        }
        while let Some(f) = self.stack.pop() {
            if f.count > 0 {
                self.out.push(',');
            }
            self.out.push_str(if f.is_obj {
                OBJECT_MARKER
            } else {
                ARRAY_MARKER
            });
            self.out.push(if f.is_obj { '}' } else { ']' });
            if let Some(parent) = self.stack.last_mut() {
                parent.count += 1;
            }
        }
        JsonOutcome {
            text: self.out,
            changed: true,
            truncated: true,
        }
    }
}

/// Index just past the closing quote of the string starting at `i`.
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while let Some(k) = b
        .get(j..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        match b[j + k] {
            b'"' => return j + k + 1,
            _ => j += k + 2,
        }
    }
    b.len()
}

/// Index just past the number or literal starting at `i`.
fn scalar_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
        j += 1;
    }
    j
}

/// Index just past the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => string_end(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => scalar_end(b, i),
    }
}

/// Decodes the content of a JSON string token, up to about `limit` bytes.
/// Returns the text and whether it was cut.
pub(crate) fn unescape(raw: &str, limit: usize) -> (Cow<'_, str>, bool) {
    if memchr::memchr(b'\\', raw.as_bytes()).is_none() {
        if raw.len() <= limit {
            return (Cow::Borrowed(raw), false);
        }
        return (Cow::Borrowed(prefix_at_boundary(raw, limit)), true);
    }
    let mut out = String::with_capacity(raw.len().min(limit.saturating_add(8)));
    let mut rest = raw;
    let mut pending_high: Option<u32> = None;
    loop {
        if out.len() >= limit {
            return (Cow::Owned(out), true);
        }
        let Some(k) = memchr::memchr(b'\\', rest.as_bytes()) else {
            if !rest.is_empty() {
                flush_high(&mut out, &mut pending_high);
            }
            let room = limit.saturating_sub(out.len());
            if rest.len() > room {
                out.push_str(prefix_at_boundary(rest, room));
                return (Cow::Owned(out), true);
            }
            out.push_str(rest);
            break;
        };
        if k > 0 {
            flush_high(&mut out, &mut pending_high);
            let run = rest.get(..k).unwrap_or("");
            let room = limit.saturating_sub(out.len());
            if run.len() > room {
                out.push_str(prefix_at_boundary(run, room));
                return (Cow::Owned(out), true);
            }
            out.push_str(run);
        }
        rest = rest.get(k + 1..).unwrap_or("");
        let Some(e) = rest.chars().next() else { break };
        rest = rest.get(e.len_utf8()..).unwrap_or("");
        let decoded = match e {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'u' => {
                let hex = rest.get(..4).unwrap_or("");
                rest = rest.get(hex.len()..).unwrap_or("");
                let code = u32::from_str_radix(hex, 16).unwrap_or(0xFFFD);
                if (0xD800..0xDC00).contains(&code) {
                    flush_high(&mut out, &mut pending_high);
                    pending_high = Some(code);
                    continue;
                }
                if (0xDC00..0xE000).contains(&code) {
                    if let Some(high) = pending_high.take() {
                        let combined = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00);
                        out.push(char::from_u32(combined).unwrap_or('\u{FFFD}'));
                    } else {
                        out.push('\u{FFFD}');
                    }
                    continue;
                }
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
            other => other,
        };
        flush_high(&mut out, &mut pending_high);
        out.push(decoded);
    }
    flush_high(&mut out, &mut pending_high);
    (Cow::Owned(out), false)
}

fn flush_high(out: &mut String, pending: &mut Option<u32>) {
    if pending.take().is_some() {
        out.push('\u{FFFD}');
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub(crate) fn prefix_at_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while cut > 0 && !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.get(..cut).unwrap_or("")
}

fn char_escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

fn escaped_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            b if b < 0x20 => 6,
            _ => 1,
        })
        .sum()
}

fn push_escaped_char(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        c if (c as u32) < 0x20 => {
            out.push_str("\\u00");
            let v = c as u32;
            out.push(char::from_digit(v >> 4, 16).unwrap_or('0'));
            out.push(char::from_digit(v & 0xF, 16).unwrap_or('0'));
        }
        c => out.push(c),
    }
}

/// Appends `s` escaped as JSON string content (without quotes), copying unescaped runs whole.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if needs_escape(b) {
            out.push_str(s.get(run..i).unwrap_or(""));
            push_escaped_char(out, char::from(b));
            run = i + 1;
        }
    }
    out.push_str(s.get(run..).unwrap_or(""));
}

/// Appends as many whole chars of `s`, escaped, as fit in `max` bytes.
fn escape_prefix_into(out: &mut String, s: &str, max: usize) {
    let mut used = 0;
    for c in s.chars() {
        let n = char_escaped_len(c);
        if used + n > max {
            break;
        }
        used += n;
        push_escaped_char(out, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Upper;
    impl JsonScrubber for Upper {
        fn covers_key(&mut self, key: &str) -> bool {
            key == "password"
        }
        fn replace_member(&mut self, _key: &str, _raw: &str) -> String {
            "[REDACTED:key]".to_owned()
        }
        fn leaf<'a>(&mut self, text: &'a str) -> Cow<'a, str> {
            if text.contains("secret") {
                Cow::Owned(text.replace("secret", "[X]"))
            } else {
                Cow::Borrowed(text)
            }
        }
    }

    #[test]
    fn keeps_formatting_and_replaces() {
        let s = r#"{ "b": "a secret", "password": {"x": 1}, "a": [1, 2.5, null, "é\n"] }"#;
        let out = scrub(s, usize::MAX, usize::MAX, &mut Upper);
        assert!(out.changed);
        assert_eq!(
            out.text,
            r#"{ "b": "a [X]", "password": "[REDACTED:key]", "a": [1, 2.5, null, "é\n"] }"#
        );
    }

    #[test]
    fn truncation_stays_valid() {
        let long: String = "x".repeat(500);
        let s = format!(
            r#"{{"messages":[{{"role":"user","content":"{long}"}},{{"role":"a","content":"b"}}],"n":1}}"#
        );
        for budget in [60, 100, 150, 300, 400, 700] {
            let out = scrub(&s, budget, budget + 64, &mut Upper);
            assert!(
                out.text.len() <= budget,
                "{budget}: {} > budget",
                out.text.len()
            );
            assert!(is_valid_json(&out.text), "{budget}: {}", out.text);
            assert_eq!(out.truncated, budget < s.len());
        }
    }

    #[test]
    fn escape_and_unescape_round_trip() {
        for text in [
            "plain",
            "é\n\t\"q\" \\ \u{1}\u{1f}😀",
            "",
            "\\\\x",
            "a\u{0}b",
        ] {
            let encoded = serde_json::to_string(text).expect("json");
            let raw = &encoded[1..encoded.len() - 1];
            assert_eq!(unescape(raw, usize::MAX).0, text);
            let mut mine = String::new();
            escape_into(&mut mine, text);
            assert_eq!(
                serde_json::from_str::<String>(&format!("\"{mine}\"")).expect("valid"),
                text
            );
            assert_eq!(escaped_len(text), mine.len());
            let (cut, was_cut) = unescape(raw, 3);
            assert!(cut.len() <= 3 + 4 && (was_cut || cut == text));
        }
    }

    #[test]
    fn unescape_handles_surrogates() {
        let (s, cut) = unescape(r"a\ud83d\ude00b\u00e9", usize::MAX);
        assert_eq!(s, "a😀bé");
        assert!(!cut);
    }
}
