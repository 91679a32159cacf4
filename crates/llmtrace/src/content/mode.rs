//! Where message content goes: the capture modes of
//! `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, spelled as the official OpenTelemetry
//! GenAI instrumentations spell them.

use crate::config::ConfigError;

/// Where message content (prompts, completions, system instructions, tool definitions, tool
/// arguments and results, document text) is recorded.
///
/// Parsed from `LLMTRACE_CAPTURE_CONTENT` or `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`
/// with the values of the official instrumentations (`opentelemetry-util-genai`), case
/// insensitive: `no_content`, `span_only`, `event_only`, `span_and_event`. The older boolean
/// spelling is accepted too: `false` means `no_content`, `true` means `span_only` (content on
/// spans, what `true` always meant for llmtrace).
///
/// Content always passes the redacting processor before it leaves the process, whichever the
/// mode.
///
/// ```
/// use llmtrace::CaptureMode;
///
/// assert_eq!("SPAN_AND_EVENT".parse::<CaptureMode>(), Ok(CaptureMode::SpanAndEvent));
/// assert_eq!("true".parse::<CaptureMode>(), Ok(CaptureMode::SpanOnly));
/// assert!(CaptureMode::EventOnly.records_content());
/// assert!(!CaptureMode::EventOnly.on_spans());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CaptureMode {
    /// No content anywhere (the default).
    #[default]
    NoContent,
    /// Content as span attributes (`gen_ai.input.messages`, … and the OpenInference mirror).
    SpanOnly,
    /// Content only in the `gen_ai.client.inference.operation.details` log record of each
    /// inference, as structured values; spans carry none.
    EventOnly,
    /// Both: span attributes and the log record.
    SpanAndEvent,
}

/// The accepted spellings, for error messages.
const VALUES: &str = "no_content, span_only, event_only, span_and_event, true or false";

impl CaptureMode {
    /// The value as the official instrumentations spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            CaptureMode::NoContent => "no_content",
            CaptureMode::SpanOnly => "span_only",
            CaptureMode::EventOnly => "event_only",
            CaptureMode::SpanAndEvent => "span_and_event",
        }
    }

    /// Whether instrumentation records content at all (any mode but `no_content`).
    pub const fn records_content(self) -> bool {
        !matches!(self, CaptureMode::NoContent)
    }

    /// Whether content stays on spans.
    pub const fn on_spans(self) -> bool {
        matches!(self, CaptureMode::SpanOnly | CaptureMode::SpanAndEvent)
    }

    /// Whether content goes into the inference log record.
    pub const fn in_events(self) -> bool {
        matches!(self, CaptureMode::EventOnly | CaptureMode::SpanAndEvent)
    }

    /// Parses a variable's value, naming the variable in the error.
    pub(crate) fn parse_var(variable: &str, value: &str) -> Result<Self, ConfigError> {
        value
            .parse()
            .map_err(|_| ConfigError::invalid(variable, value, format!("use {VALUES}")))
    }
}

impl From<bool> for CaptureMode {
    /// `true` is [`CaptureMode::SpanOnly`], `false` [`CaptureMode::NoContent`].
    fn from(on: bool) -> Self {
        if on {
            CaptureMode::SpanOnly
        } else {
            CaptureMode::NoContent
        }
    }
}

/// A capture-mode value outside the accepted set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a capture mode: use {VALUES}")]
pub struct UnknownCaptureMode {
    value: String,
}

impl std::str::FromStr for CaptureMode {
    type Err = UnknownCaptureMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "no_content" | "false" => CaptureMode::NoContent,
            "span_only" | "true" => CaptureMode::SpanOnly,
            "event_only" => CaptureMode::EventOnly,
            "span_and_event" => CaptureMode::SpanAndEvent,
            _ => {
                return Err(UnknownCaptureMode {
                    value: s.to_owned(),
                })
            }
        })
    }
}

impl std::fmt::Display for CaptureMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_official_value_and_the_booleans_parse() {
        let cases = [
            ("no_content", CaptureMode::NoContent),
            ("NO_CONTENT", CaptureMode::NoContent),
            ("span_only", CaptureMode::SpanOnly),
            ("SPAN_ONLY", CaptureMode::SpanOnly),
            ("event_only", CaptureMode::EventOnly),
            (" Event_Only ", CaptureMode::EventOnly),
            ("span_and_event", CaptureMode::SpanAndEvent),
            ("true", CaptureMode::SpanOnly),
            ("TRUE", CaptureMode::SpanOnly),
            ("false", CaptureMode::NoContent),
        ];
        for (text, mode) in cases {
            assert_eq!(text.parse::<CaptureMode>(), Ok(mode), "{text}");
        }
        for mode in [
            CaptureMode::NoContent,
            CaptureMode::SpanOnly,
            CaptureMode::EventOnly,
            CaptureMode::SpanAndEvent,
        ] {
            assert_eq!(mode.as_str().parse::<CaptureMode>(), Ok(mode));
        }
    }

    #[test]
    fn unknown_values_are_errors_naming_the_variable() {
        assert!("yes please".parse::<CaptureMode>().is_err());
        assert!("".parse::<CaptureMode>().is_err());
        let err = CaptureMode::parse_var("LLMTRACE_CAPTURE_CONTENT", "spans").expect_err("bad");
        assert!(
            matches!(&err, ConfigError::InvalidValue { variable, fix, .. }
                if variable == "LLMTRACE_CAPTURE_CONTENT" && fix.contains("span_and_event")),
            "{err:?}"
        );
    }

    #[test]
    fn modes_say_where_content_goes() {
        use CaptureMode::*;
        let table = [
            (NoContent, false, false, false),
            (SpanOnly, true, true, false),
            (EventOnly, true, false, true),
            (SpanAndEvent, true, true, true),
        ];
        for (mode, records, spans, events) in table {
            assert_eq!(mode.records_content(), records, "{mode}");
            assert_eq!(mode.on_spans(), spans, "{mode}");
            assert_eq!(mode.in_events(), events, "{mode}");
        }
    }
}
