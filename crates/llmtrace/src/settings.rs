//! The process-wide switch the span API consults on every call: whether content (prompts,
//! completions, tool arguments, documents) is recorded. `init` sets it; before `init` it follows
//! the environment. (Whether the OpenInference mirror is written is the pipeline's choice:
//! [`Builder::openinference`](crate::Builder::openinference), `LLMTRACE_OPENINFERENCE`.)

use std::sync::atomic::{AtomicU8, Ordering};

const UNSET: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static CAPTURE_CONTENT: AtomicU8 = AtomicU8::new(UNSET);

fn read(flag: &AtomicU8, from_env: impl FnOnce() -> bool) -> bool {
    match flag.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => {
            let value = from_env();
            // Another thread may have set it meanwhile; keep theirs.
            let _ = flag.compare_exchange(
                UNSET,
                if value { ON } else { OFF },
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            flag.load(Ordering::Relaxed) == ON
        }
    }
}

/// Whether message content (prompts, completions, tool arguments and results, document text) is
/// recorded. Off unless `LLMTRACE_CAPTURE_CONTENT` or
/// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` names a [`CaptureMode`](crate::CaptureMode)
/// that records content (`span_only`, `event_only`, `span_and_event`, `true`), or
/// [`set_capture_content`] turned it on; `init` sets it from its resolved mode. Captured content
/// still passes the redacting processor before export.
pub fn capture_content() -> bool {
    read(&CAPTURE_CONTENT, || {
        [
            "LLMTRACE_CAPTURE_CONTENT",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
        ]
        .iter()
        .find_map(|n| std::env::var(n).ok())
        .and_then(|v| v.parse::<crate::CaptureMode>().ok())
        .is_some_and(crate::CaptureMode::records_content)
    })
}

/// Turns content capture on or off for the whole process (code overrides the environment).
pub fn set_capture_content(on: bool) {
    CAPTURE_CONTENT.store(if on { ON } else { OFF }, Ordering::Relaxed);
}
