//! Colour: ANSI escapes on a terminal (unless `NO_COLOR` is set or `--color never`), plain text
//! otherwise.

use std::io::IsTerminal;

use crate::cli::ColorChoice;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";

/// Whether and how to colour standard output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    enabled: bool,
}

impl Style {
    /// Decides from the flag, `NO_COLOR` and whether standard output is a terminal.
    pub(crate) fn detect(choice: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Style { enabled }
    }

    /// Plain text, or coloured.
    #[cfg(test)]
    pub(crate) fn fixed(enabled: bool) -> Self {
        Style { enabled }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    /// A heading.
    pub(crate) fn bold(&self, text: &str) -> String {
        self.paint(BOLD, text)
    }

    /// Something wrong.
    pub(crate) fn red(&self, text: &str) -> String {
        self.paint(RED, text)
    }

    /// Something to look at.
    pub(crate) fn yellow(&self, text: &str) -> String {
        self.paint(YELLOW, text)
    }

    /// Less important.
    pub(crate) fn dim(&self, text: &str) -> String {
        self.paint(DIM, text)
    }

    /// Colours a rendered tree line by line: the trace line, failed spans, flags.
    pub(crate) fn tree(&self, text: &str) -> String {
        if !self.enabled {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            let (body, newline) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            let painted = if body.starts_with("trace ") {
                self.paint(&format!("{BOLD}{CYAN}"), body)
            } else if body.contains('✗') {
                self.red(body)
            } else if body.contains('⚑') {
                self.yellow(body)
            } else {
                body.to_owned()
            };
            out.push_str(&painted);
            out.push_str(newline);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &str = "\ntrace 01 · 2 spans · 1 ms\nroot  1 ms\n└─ chat  1 ms  ✗ boom\n";

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(Style::fixed(false).tree(TREE), TREE);
        assert_eq!(Style::fixed(false).red("x"), "x");
    }

    #[test]
    fn colours_the_trace_line_and_failures() {
        let coloured = Style::fixed(true).tree(TREE);
        assert!(coloured.contains("\x1b[1m\x1b[36mtrace 01"), "{coloured:?}");
        assert!(coloured.contains("\x1b[31m└─ chat  1 ms  ✗ boom\x1b[0m\n"));
        assert!(coloured.contains("\nroot  1 ms\n"));
    }
}
