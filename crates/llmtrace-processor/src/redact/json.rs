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
    let b = s.as_bytes();
    let mut w = Writer {
        out: String::with_capacity(s.len().min(budget).saturating_add(64)),
        budget,
        reserve: 0,
        stack: Vec::new(),
        changed: false,
    };
    let mut i = 0;
    let mut member_key: Option<String> = None;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            let start = i;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let ws = s.get(start..i).unwrap_or("");
            if w.fits(ws.len()) {
                w.out.push_str(ws);
            }
            continue;
        }
        let in_key_position = w.stack.last().is_some_and(|f| f.is_obj && f.expect_key);
        if !in_key_position && c != b':' {
            if let Some(key) = member_key.take() {
                // Replace this whole value.
                let end = skip_value(b, i);
                let raw = s.get(i..end).unwrap_or("");
                let replacement = cb.replace_member(&key, raw);
                w.changed = true;
                if !w.write_string(&replacement, true) {
                    return w.finish_truncated();
                }
                i = end;
                continue;
            }
        }
        match c {
            b'{' | b'[' => {
                let is_obj = c == b'{';
                let r = frame_reserve(is_obj);
                if !w.fits(1 + r) {
                    return w.finish_truncated();
                }
                w.out.push(char::from(c));
                w.reserve += r;
                let safe = w.out.len();
                w.stack.push(Frame {
                    is_obj,
                    safe,
                    count: 0,
                    expect_key: is_obj,
                    reserve: r,
                });
                i += 1;
            }
            b'}' | b']' => {
                if let Some(f) = w.stack.pop() {
                    w.reserve = w.reserve.saturating_sub(f.reserve);
                }
                w.out.push(char::from(c));
                w.value_done();
                i += 1;
            }
            b',' => {
                if !w.fits(1) {
                    return w.finish_truncated();
                }
                w.out.push(',');
                if let Some(f) = w.stack.last_mut() {
                    f.expect_key = f.is_obj;
                }
                i += 1;
            }
            b':' => {
                if !w.fits(1) {
                    return w.finish_truncated();
                }
                w.out.push(':');
                i += 1;
            }
            b'"' => {
                let end = string_end(b, i);
                let raw = s.get(i + 1..end.saturating_sub(1)).unwrap_or("");
                if in_key_position {
                    let (key, _) = unescape(raw, usize::MAX);
                    let scrubbed = cb.leaf(&key);
                    let covered = cb.covers_key(&key);
                    // A key needs room for itself, the colon and at least an empty string.
                    let ok = if matches!(scrubbed, Cow::Borrowed(_)) {
                        w.write_raw_string(raw, 3)
                    } else {
                        w.changed = true;
                        w.write_escaped_whole(&scrubbed, 3)
                    };
                    if !ok {
                        return w.finish_truncated();
                    }
                    if let Some(f) = w.stack.last_mut() {
                        f.expect_key = false;
                    }
                    if covered {
                        member_key = Some(key.into_owned());
                    }
                } else {
                    let (decoded, cut) = unescape(raw, leaf_limit);
                    let scrubbed = cb.leaf(&decoded);
                    let unchanged = !cut && matches!(scrubbed, Cow::Borrowed(_));
                    if unchanged && w.write_raw_string(raw, 0) {
                        w.value_done();
                    } else {
                        if !unchanged {
                            w.changed = true;
                        }
                        if !w.write_string(&scrubbed, !cut) {
                            return w.finish_truncated();
                        }
                    }
                }
                i = end;
            }
            _ => {
                let end = scalar_end(b, i);
                let tok = s.get(i..end).unwrap_or("");
                // Long numbers can be card numbers or phone numbers: scan them; a number that
                // had to be masked becomes a string holding the mask.
                let digits = tok.bytes().filter(u8::is_ascii_digit).count();
                if digits >= 9 {
                    if let Cow::Owned(masked) = cb.leaf(tok) {
                        w.changed = true;
                        if !w.write_string(&masked, true) {
                            return w.finish_truncated();
                        }
                        i = end.max(i + 1);
                        continue;
                    }
                }
                if !w.fits(tok.len()) {
                    return w.finish_truncated();
                }
                w.out.push_str(tok);
                w.value_done();
                i = end.max(i + 1);
            }
        }
    }
    JsonOutcome {
        text: w.out,
        changed: w.changed,
        truncated: false,
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
        if !self.fits(escaped_len(text) + 2 + extra) {
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
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
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
    if !raw.contains('\\') {
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
        let Some(k) = rest.find('\\') else {
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
