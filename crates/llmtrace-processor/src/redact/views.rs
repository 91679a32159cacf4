//! Second looks at text whose secrets are hidden by a transformation: lines joined where a value
//! was wrapped, percent-escapes decoded.
//!
//! A [`View`] is a transformed copy of part of the haystack together with, for every byte of
//! the copy, the range of original bytes it came from. The matcher runs over the view; a hit
//! that covers a transformed position (a removed line break, a decoded `%XX`) is mapped back to
//! the original range, which is then masked like any other hit (a hit the direct pass found too
//! merges with it; one found only here had its context hidden, `Authorization%3A%20Bearer%20…`).

/// How far a joined region reaches back and ahead of a line break (bytes). A wrapped value
/// longer than this on one line is matched by the direct pass anyway.
const JOIN_REACH: usize = 1024;

/// A transformed copy of `hay[offset..]`-relative ranges with its byte map.
#[derive(Debug, Default)]
pub(crate) struct View {
    /// The transformed text.
    pub(crate) text: String,
    /// For each byte of `text`, the original range `(start, end)` it stands for.
    map: Vec<(usize, usize)>,
}

impl View {
    fn push_copy(&mut self, hay: &str, start: usize, end: usize) {
        self.text.push_str(hay.get(start..end).unwrap_or(""));
        self.map.extend((start..end).map(|i| (i, i + 1)));
    }

    fn push_decoded(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        self.map.push((start, end));
    }

    /// The original range of `text[start..end]`.
    pub(crate) fn original(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let spans = self.map.get(start..end)?;
        Some((spans.first()?.0, spans.last()?.1))
    }
}

/// Bytes a wrapped value can end or start a line with.
fn is_wrap_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'@' | b'%')
}

/// A line break at `i` (`\n`, `\r\n`, or the two-character escapes `\n` / `\r\n` of JSON text
/// that was not parsed): its byte range, including the indentation after it.
fn break_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let (mut start, mut end) = match b.get(i..i + 2) {
        Some([b'\\', b'n']) => (i, i + 2),
        _ if b.get(i) == Some(&b'\n') => (i, i + 1),
        _ => return None,
    };
    if start >= 1 && b[start - 1] == b'\r' {
        start -= 1;
    } else if start >= 2 && &b[start - 2..start] == b"\\r" {
        start -= 2;
    }
    while matches!(b.get(end), Some(b' ' | b'\t')) {
        end += 1;
    }
    Some((start, end))
}

/// Whether the break `[start, end)` sits inside a value: a value byte before it (one space
/// allowed, for grouped numbers wrapped after a group) and after it. After a `.` or `:` (the end
/// of a sentence or a label) the next line must go on in lower case or digits.
fn is_wrap(b: &[u8], start: usize, end: usize) -> bool {
    let Some(&next) = b.get(end) else {
        return false;
    };
    let mut left = start;
    if left >= 1 && b[left - 1] == b' ' {
        left -= 1;
    }
    let Some(&prev) = left.checked_sub(1).and_then(|i| b.get(i)) else {
        return false;
    };
    if matches!(prev, b'.' | b':') {
        return (next.is_ascii_lowercase() || next.is_ascii_digit()) && worth_joining(b, left, end);
    }
    // A line may go on with `.`/`:` inside a value (`…@web` / `.de`, `53e7` / `:3f52`).
    let next_ok = is_wrap_byte(next)
        || (matches!(next, b'.' | b':') && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric));
    is_wrap_byte(prev) && next_ok && worth_joining(b, left, end)
}

/// Whether the next line starts like the rest of a value rather than a word: its first run
/// holds a digit, a capital after the first letter, or value punctuation. Asked when a masked
/// value ends right at the break: `The next line` after a key at the end of a line is not joined
/// (the key's mask would swallow `The`).
fn continues_value(b: &[u8], right_start: usize) -> bool {
    let run = b[right_start..]
        .iter()
        .take(64)
        .take_while(|&&c| is_wrap_byte(c) || matches!(c, b'.' | b':'));
    run.enumerate().any(|(i, &c)| {
        c.is_ascii_digit() || (i > 0 && c.is_ascii_uppercase()) || !c.is_ascii_alphanumeric()
    })
}

/// Whether the value around a break can be something a detector finds: the text on both sides
/// (up to 64 bytes each, spaces included for grouped numbers) holds a digit, a dash or a
/// separator of e-mails, addresses and escapes, or the value runs touching the break are 12
/// bytes or longer together (keys). Wrapped prose (`rust` / `fn total`) is not joined.
fn worth_joining(b: &[u8], left_end: usize, right_start: usize) -> bool {
    let value = |c: &u8| is_wrap_byte(*c) || matches!(c, b'.' | b':');
    let near = |c: &u8| value(c) || *c == b' ';
    let trigger = |c: &u8| c.is_ascii_digit() || matches!(c, b'@' | b'%' | b':' | b'+' | b'-');
    let left = || b[..left_end].iter().rev().take(64);
    let right = || b[right_start..].iter().take(64);
    let run = left().take_while(|c| value(c)).count() + right().take_while(|c| value(c)).count();
    run >= 12
        || left().take_while(|c| near(c)).any(trigger)
        || right().take_while(|c| near(c)).any(trigger)
}

/// Every line break in `hay` that looks like a wrap inside a value, in order.
fn wrap_breaks(hay: &str) -> Vec<(usize, usize)> {
    let b = hay.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let Some(off) = memchr::memchr2(b'\n', b'\\', &b[i..]) else {
            break;
        };
        let at = i + off;
        match break_at(b, at) {
            Some((s, e)) if is_wrap(b, s, e) => {
                out.push((s, e));
                i = e.max(at + 1);
            }
            _ => i = at + 1,
        }
    }
    out
}

/// Whether `hay` has a line break inside a value or a percent-escape: the only texts for which
/// [`joined`] or [`percent_decoded`] can give anything.
pub(crate) fn may_hide(hay: &str) -> bool {
    let b = hay.as_bytes();
    memchr::memchr3_iter(b'\n', b'\\', b'%', b).any(|i| match b[i] {
        b'%' => hex_escape(b, i).is_some(),
        _ => break_at(b, i).is_some_and(|(s, e)| is_wrap(b, s, e)),
    })
}

fn floor_boundary(hay: &str, mut i: usize) -> usize {
    while i > 0 && !hay.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(hay: &str, mut i: usize) -> usize {
    while i < hay.len() && !hay.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Two views per chain of wrapped lines: the lines around each run of wrap breaks joined without
/// the breaks, and with each break read as one space (a wrap in place of a separator, as in
/// grouped numbers); each side cut at [`JOIN_REACH`] bytes. A chain that lies inside one of
/// `masked` is skipped.
///
/// `masked` holds the sorted ranges the direct pass already masks, each with whether it is
/// *closed* (a private key block that ends with its `-----END …-----` line cannot go on). Breaks
/// inside a range or right after a closed one are not joined, nor those right after an open one
/// when the next line does not go on like a value ([`continues_value`]); a chain whose first
/// line starts inside or right after a range is widened to the range's start (a key block
/// whose END line was wrapped).
pub(crate) fn joined(hay: &str, masked: &[(usize, usize, bool)]) -> Vec<View> {
    let mut breaks = wrap_breaks(hay);
    breaks.retain(|&(s, e)| {
        masked
            .get(masked.partition_point(|&(_, me, _)| me < s))
            .is_none_or(|&(ms, me, closed)| {
                let inside = ms < s && (e < me || (closed && s == me));
                let ends_here = s == me && !closed && !continues_value(hay.as_bytes(), e);
                !inside && !ends_here
            })
    });
    let mut views = Vec::new();
    let mut k = 0;
    while k < breaks.len() {
        // A chain: breaks whose lines connect (no other line break between them).
        let mut last = k;
        while last + 1 < breaks.len() {
            let between = hay.get(breaks[last].1..breaks[last + 1].0).unwrap_or("\n");
            if between.contains('\n') || between.len() > JOIN_REACH {
                break;
            }
            last += 1;
        }
        let first_start = breaks[k].0;
        let line_start = hay
            .get(..first_start)
            .and_then(|h| h.rfind('\n'))
            .map_or(0, |i| i + 1);
        let mut start = ceil_boundary(hay, line_start.max(first_start.saturating_sub(JOIN_REACH)));
        if let Some(&(ms, me, _)) = masked.get(masked.partition_point(|&(_, me, _)| me <= start)) {
            if ms < start && start <= me {
                start = ms;
            }
        }
        let last_end = breaks[last].1;
        let line_end = hay
            .get(last_end..)
            .and_then(|h| h.find('\n'))
            .map_or(hay.len(), |i| last_end + i);
        let end = floor_boundary(hay, line_end.min(last_end.saturating_add(JOIN_REACH)));
        let covered = masked
            .get(masked.partition_point(|&(_, me, _)| me <= start))
            .is_some_and(|&(ms, me, _)| ms <= start && end <= me);
        if covered {
            k = last + 1;
            continue;
        }
        for space in [false, true] {
            let mut view = View::default();
            let mut at = start;
            for &(s, e) in &breaks[k..=last] {
                view.push_copy(hay, at, s);
                if space {
                    view.push_decoded(' ', s, e);
                }
                at = e;
            }
            view.push_copy(hay, at, end.max(at));
            views.push(view);
        }
        k = last + 1;
    }
    views
}

/// The ASCII byte of the escape `%XX` at `i`, if it is one.
fn hex_escape(b: &[u8], i: usize) -> Option<u8> {
    let hex = |c: u8| char::from(c).to_digit(16);
    let hi = hex(*b.get(i + 1)?)?;
    let lo = hex(*b.get(i + 2)?)?;
    let v = u8::try_from(hi * 16 + lo).ok()?;
    (v.is_ascii() && (v >= 0x20 || matches!(v, b'\n' | b'\r' | b'\t'))).then_some(v)
}

/// `hay` with its ASCII percent-escapes decoded, and `+` between two alphanumerics read as a
/// space (form encoding); `None` when there is no escape.
pub(crate) fn percent_decoded(hay: &str) -> Option<View> {
    let b = hay.as_bytes();
    let first = memchr::memchr_iter(b'%', b).find(|&i| hex_escape(b, i).is_some())?;
    let mut view = View::default();
    view.push_copy(hay, 0, first);
    let mut i = first;
    let mut copied = first;
    while i < b.len() {
        let decoded = match b[i] {
            b'%' => hex_escape(b, i).map(|v| (char::from(v), 3)),
            b'+' if i > 0
                && b[i - 1].is_ascii_alphanumeric()
                && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                Some((' ', 1))
            }
            _ => None,
        };
        match decoded {
            Some((c, width)) => {
                view.push_copy(hay, copied, i);
                view.push_decoded(c, i, i + width);
                i += width;
                copied = i;
            }
            None => i += 1,
        }
    }
    view.push_copy(hay, copied, b.len());
    Some(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_wrapped_lines_only() {
        let views = joined("key sk-abc\ndef12 end.\nThe end.\nNext", &[]);
        assert_eq!(views.len(), 2);
        assert_eq!(views[0].text, "key sk-abcdef12 end.");
        assert_eq!(views[0].original(4, 15), Some((4, 16)));
        assert_eq!(views[1].text, "key sk-abc def12 end.");
        assert!(joined("A sentence.\nThe next one.", &[]).is_empty());
        assert!(joined("sk-abc\ndef12", &[(0, 12, false)]).is_empty());
        let pem = "-----BEGIN KEY-----\nab12\n-----END KEY-----\nplease";
        assert!(joined(pem, &[(0, 42, true)]).is_empty());
        assert!(!may_hide("A sentence.\nThe next one."));
        assert!(may_hide("abc\\nd3f"));
        assert!(!may_hide("```rust\nfn total"));
    }

    #[test]
    fn decodes_percent_escapes() {
        let v = percent_decoded("q=ada%40example.org&x=a+b").expect("escape");
        assert_eq!(v.text, "q=ada@example.org&x=a b");
        assert_eq!(v.original(2, 17), Some((2, 19)));
        assert!(percent_decoded("20 % off").is_none());
    }
}
