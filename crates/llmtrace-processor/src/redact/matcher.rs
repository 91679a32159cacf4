//! The combined matcher: one multi-pattern regex over every enabled detector and rule.
//!
//! A search finds the next candidate and which pattern produced it; only candidates are
//! validated in code. With the built-in patterns alone, the byte-class scan of `scan` proposes
//! where a match can start and the regex runs anchored at those places; with user patterns
//! (which may start anywhere) one unanchored leftmost-first search follows another. Both give
//! the same hits. A haystack without candidates allocates nothing.

use regex_automata::meta;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};

use super::patterns::{decode_base64, BuiltinPattern, BUILTIN};
use super::scan;
use super::{Detector, RedactionError};

/// Where a pattern comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A built-in detector.
    Detector(Detector),
    /// `custom_rules[i]`.
    Custom(usize),
    /// An entry of `blocked_values`.
    Blocked,
}

#[derive(Debug)]
struct Entry {
    source: Source,
    builtin: Option<BuiltinPattern>,
    /// The pattern alone, for anchored re-matching and capture groups.
    single: meta::Regex,
}

/// A confirmed match: replace `hay[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) source: Source,
}

/// A user-supplied pattern: custom rule or blocked value.
#[derive(Debug, Clone)]
pub(crate) struct UserPattern {
    pub(crate) field: String,
    pub(crate) pattern: String,
    pub(crate) source: Source,
}

/// The compiled matcher.
#[derive(Debug)]
pub(crate) struct Matcher {
    all: Option<meta::Regex>,
    entries: Vec<Entry>,
    /// Indices of entries that are value-only provider key patterns, used to re-label context
    /// matches (`api_key=sk-…` is an OpenAI key).
    classifiers: Vec<usize>,
    /// Built-in patterns only: searches run anchored at the starts `scan` proposes.
    scan: bool,
}

fn builtin_syntax() -> syntax::Config {
    syntax::Config::new()
}

fn wrap_ascii(p: &str) -> String {
    format!("(?-u:{p})")
}

impl Matcher {
    /// Compiles the enabled detectors plus user patterns (which take priority, in order).
    pub(crate) fn new(
        enabled: &[bool; Detector::COUNT],
        user: &[UserPattern],
    ) -> Result<Self, RedactionError> {
        let mut entries = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        for up in user {
            // Validate with the friendly regex crate first so errors name the pattern.
            if let Err(e) = regex::Regex::new(&up.pattern) {
                return Err(RedactionError::InvalidRegex {
                    field: up.field.clone(),
                    pattern: up.pattern.clone(),
                    source: Box::new(e),
                });
            }
            let single = meta::Regex::new(&up.pattern)
                .map_err(|e| RedactionError::Matcher(e.to_string()))?;
            entries.push(Entry {
                source: up.source,
                builtin: None,
                single,
            });
            sources.push(up.pattern.clone());
        }
        for bp in BUILTIN {
            if !enabled[bp.detector.index()] {
                continue;
            }
            let wrapped = wrap_ascii(bp.regex);
            let single = meta::Builder::new()
                .syntax(builtin_syntax())
                .build(&wrapped)
                .map_err(|e| RedactionError::Matcher(format!("{}: {e}", bp.detector)))?;
            entries.push(Entry {
                source: Source::Detector(bp.detector),
                builtin: Some(*bp),
                single,
            });
            sources.push(wrapped);
        }
        let all = if sources.is_empty() {
            None
        } else {
            // 2 MiB of lazy-DFA cache per thread: measured as fast as 8 MiB on prompt text.
            let config = meta::Config::new().hybrid_cache_capacity(2 * 1024 * 1024);
            Some(
                meta::Builder::new()
                    .configure(config)
                    .syntax(builtin_syntax())
                    .build_many(&sources)
                    .map_err(|e| RedactionError::Matcher(e.to_string()))?,
            )
        };
        let classifiers = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.builtin.is_some_and(|b| {
                    !b.group
                        && !b.decode
                        && b.detector.is_secret()
                        && !matches!(b.detector, Detector::PrivateKey)
                })
            })
            .map(|(i, _)| i)
            .collect();
        Ok(Self {
            all,
            entries,
            classifiers,
            scan: user.is_empty(),
        })
    }

    /// Whether any pattern is compiled (with none, nothing can match).
    pub(crate) fn may_match(&self) -> bool {
        self.all.is_some()
    }

    /// Whether `hay` is a short text in which no built-in pattern can match, directly or in a
    /// second look (see `scan::is_plain`). Always false with user patterns.
    pub(crate) fn surely_plain(&self, hay: &str) -> bool {
        /// Above this length the block scan is the cheaper first look.
        const SHORT: usize = 128;
        self.scan && hay.len() <= SHORT && scan::is_plain(hay.as_bytes())
    }

    /// Whether any candidate (validated or not) occurs in `hay`. Allocation-free.
    pub(crate) fn has_candidate(&self, hay: &str) -> bool {
        let Some(all) = self.all.as_ref() else {
            return false;
        };
        if !self.scan {
            return all.is_match(hay);
        }
        let mut found = false;
        scan::for_each_start(hay.as_bytes(), 0, |start, _| {
            found = all.is_match(anchored_at(hay, start));
            if found {
                0
            } else {
                usize::MAX
            }
        });
        found
    }

    /// The next confirmed hit starting at or after `from`.
    pub(crate) fn next_hit(&self, hay: &str, from: usize) -> Option<Hit> {
        self.next_hit_at(hay, from, 0)
    }

    /// [`next_hit`](Self::next_hit) inside `depth` levels of decoded base64.
    fn next_hit_at(&self, hay: &str, from: usize, depth: u8) -> Option<Hit> {
        let all = self.all.as_ref()?;
        if self.scan {
            self.next_hit_scanned(all, hay, from, depth)
        } else {
            self.next_hit_unanchored(all, hay, from, depth)
        }
    }

    /// One unanchored search after another: the leftmost candidate, confirmed or skipped.
    fn next_hit_unanchored(
        &self,
        all: &meta::Regex,
        hay: &str,
        mut from: usize,
        depth: u8,
    ) -> Option<Hit> {
        while from <= hay.len() {
            let m = all.search(&Input::new(hay).span(from..hay.len()))?;
            let hit = self.confirm(hay, m.pattern().as_usize(), m.start(), m.end(), depth);
            if hit.is_some() {
                return hit;
            }
            from = next_boundary(hay, m.start());
        }
        None
    }

    /// Anchored searches at the starts the scan proposes (see `scan`): the confirmed hit of the
    /// leftmost start, as the unanchored search would find it.
    ///
    /// Starts come in the order of their anchors, and a look-back can propose a start before an
    /// earlier one. So after a hit the scan goes on until the first byte no look-back can pass:
    /// no later anchor can then propose a start before the hit's.
    fn next_hit_scanned(
        &self,
        all: &meta::Regex,
        hay: &str,
        from: usize,
        depth: u8,
    ) -> Option<Hit> {
        let bytes = hay.as_bytes();
        let mut best: Option<(usize, Hit)> = None;
        let mut last_anchor = usize::MAX;
        scan::for_each_start(bytes, from, |start, anchor| {
            if best.is_some_and(|(s, _)| start >= s) || !hay.is_char_boundary(start) {
                return last_anchor;
            }
            let Some(m) = all.search(&anchored_at(hay, start)) else {
                return last_anchor;
            };
            if let Some(hit) = self.confirm(hay, m.pattern().as_usize(), start, m.end(), depth) {
                best = Some((start, hit));
                let from = anchor.max(start);
                last_anchor = from
                    + bytes[from..]
                        .iter()
                        .take_while(|&&b| scan::reaches_back(b))
                        .count();
            }
            last_anchor
        });
        best.map(|(_, hit)| hit)
    }

    /// Pattern `pid` matched `hay[start..end]`: its hit if the checks accept it, else the first
    /// lower-priority pattern that matches at the same start and is accepted (leftmost-first
    /// means the higher ones did not match there).
    fn confirm(&self, hay: &str, pid: usize, start: usize, end: usize, depth: u8) -> Option<Hit> {
        if let Some(hit) = self.accept(hay, pid, start, end, depth) {
            return Some(hit);
        }
        let input = anchored_at(hay, start);
        self.entries
            .iter()
            .enumerate()
            .skip(pid + 1)
            .find_map(|(alt, entry)| {
                let m = entry.single.search(&input)?;
                self.accept(hay, alt, m.start(), m.end(), depth)
            })
    }

    /// The capture groups of user pattern `source` matched at `start` (for `$1` replacements).
    pub(crate) fn expand_custom(&self, hay: &str, hit: &Hit, template: &str, dst: &mut String) {
        let Some(entry) = self.entries.iter().find(|e| e.source == hit.source) else {
            return;
        };
        let mut caps = entry.single.create_captures();
        let input = Input::new(hay)
            .span(hit.start..hay.len())
            .anchored(Anchored::Yes);
        entry.single.search_captures(&input, &mut caps);
        if caps.is_match() {
            caps.interpolate_string_into(hay, template, dst);
        } else {
            dst.push_str(template);
        }
    }

    fn accept(&self, hay: &str, pid: usize, start: usize, end: usize, depth: u8) -> Option<Hit> {
        let entry = self.entries.get(pid)?;
        let Some(bp) = entry.builtin else {
            return Some(Hit {
                start,
                end,
                source: entry.source,
            });
        };
        if bp.decode {
            return self.accept_base64(hay, start, end, depth);
        }
        let (mut s, mut e) = (start, end);
        if bp.group {
            let mut caps = entry.single.create_captures();
            let input = Input::new(hay).span(start..end).anchored(Anchored::Yes);
            entry.single.search_captures(&input, &mut caps);
            let span = caps.get_group(1)?;
            s = span.start;
            e = span.end;
        }
        if let Some(validate) = bp.validate {
            e = validate(hay, s, e)?;
        }
        if e <= s {
            return None;
        }
        let mut detector = bp.detector;
        if bp.classify {
            detector = self.classify(hay, s, e).unwrap_or(detector);
        }
        Some(Hit {
            start: s,
            end: e,
            source: Source::Detector(detector),
        })
    }

    /// A base64 run with a known key prefix: masked as a whole when its decoded text holds a
    /// credential (one level deep: base64 inside base64 is not decoded again).
    fn accept_base64(&self, hay: &str, start: usize, end: usize, depth: u8) -> Option<Hit> {
        if depth > 0 {
            return None;
        }
        let run = hay.get(start..end)?;
        let url_safe = run.bytes().any(|b| b == b'-' || b == b'_');
        let decoded = decode_base64(run, url_safe)?;
        let text = String::from_utf8_lossy(&decoded);
        let mut from = 0;
        while let Some(hit) = self.next_hit_at(&text, from, depth + 1) {
            if let Source::Detector(d) = hit.source {
                if d.is_secret() {
                    return Some(Hit {
                        start,
                        end,
                        source: Source::Detector(d),
                    });
                }
            }
            from = hit.end.max(hit.start + 1);
        }
        None
    }

    /// The detector of the first provider key found inside `hay[s..e]`, if any
    /// (`id_token=eyJ…&state=1` is a JWT, `x-access-token:ghs_…` a GitHub token).
    fn classify(&self, hay: &str, s: usize, e: usize) -> Option<Detector> {
        let mut best: Option<(usize, Detector)> = None;
        for &i in &self.classifiers {
            let entry = self.entries.get(i)?;
            let input = Input::new(hay).span(s..e);
            if let Some(m) = entry.single.search(&input) {
                if best.is_some_and(|(start, _)| start <= m.start()) {
                    continue;
                }
                if let Some(Hit {
                    source: Source::Detector(d),
                    ..
                }) = self.accept(hay, i, m.start(), m.end(), 1)
                {
                    best = Some((m.start(), d));
                }
            }
        }
        best.map(|(_, d)| d)
    }

    /// The detector of the first confirmed hit in `text`, if any.
    pub(crate) fn first_detector(&self, text: &str) -> Option<Detector> {
        match self.next_hit(text, 0)?.source {
            Source::Detector(d) => Some(d),
            _ => None,
        }
    }
}

/// The search input for a match that starts exactly at `start`.
fn anchored_at(hay: &str, start: usize) -> Input<'_> {
    Input::new(hay)
        .span(start..hay.len())
        .anchored(Anchored::Yes)
}

/// The byte index of the char after the one starting at `i` (or `len + 1` at the end).
fn next_boundary(hay: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < hay.len() && !hay.is_char_boundary(j) {
        j += 1;
    }
    j
}
