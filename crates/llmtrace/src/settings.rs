//! Whether content (prompts, completions, tool arguments, documents) is recorded: a choice of
//! each pipeline, carried by its `tracing` layer ([`ContentCapture`]) and found through the
//! dispatcher a span belongs to, the way `tracing-opentelemetry` finds its context. Two pipelines
//! in one process can choose differently. A process-wide switch is the fallback for dispatchers
//! without an llmtrace layer; before anything sets it, it follows the environment.
//!
//! (Whether the OpenInference mirror is written is likewise the pipeline's choice:
//! [`Builder::openinference`](crate::Builder::openinference), `LLMTRACE_OPENINFERENCE`.)

use std::any::TypeId;
use std::sync::atomic::{AtomicU8, Ordering};

use tracing::{Dispatch, Subscriber};
use tracing_subscriber::Layer;

const UNSET: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static FALLBACK: AtomicU8 = AtomicU8::new(UNSET);

/// A `tracing` layer that carries one pipeline's content-capture choice and does nothing else.
///
/// [`Guard::layer`](crate::Guard::layer) (and so [`init`](crate::init) and
/// [`Guard::dispatch`](crate::Guard::dispatch)) includes it; add it yourself only to a
/// subscriber you compose without a guard:
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry().with(llmtrace::ContentCapture::new(true));
/// tracing::subscriber::with_default(subscriber, || {
///     assert!(llmtrace::capture_content());
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentCapture {
    records_content: bool,
}

impl ContentCapture {
    /// A layer recording content when `records_content` is true, none otherwise.
    pub fn new(records_content: bool) -> Self {
        ContentCapture { records_content }
    }

    /// Whether spans under this layer record content.
    pub fn records_content(&self) -> bool {
        self.records_content
    }
}

impl<S: Subscriber> Layer<S> for ContentCapture {
    // Makes the layer findable with `Dispatch::downcast_ref::<ContentCapture>()`; `Layered`
    // forwards the query to each of its layers.
    #[allow(unsafe_code)]
    unsafe fn downcast_raw(&self, id: TypeId) -> Option<*const ()> {
        // SAFETY: the pointer is to `self`, whose type is the one asked for; the caller
        // (tracing-subscriber's `downcast_ref`) casts it back to exactly that type.
        (id == TypeId::of::<Self>()).then_some(self as *const Self as *const ())
    }
}

/// The choice of the pipeline `dispatch` belongs to, else the process-wide fallback.
fn of_dispatch(dispatch: &Dispatch) -> bool {
    match dispatch.downcast_ref::<ContentCapture>() {
        Some(layer) => layer.records_content,
        None => fallback(),
    }
}

fn fallback() -> bool {
    match FALLBACK.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => {
            let value = from_env();
            // Another thread may have set it meanwhile; keep theirs.
            let _ = FALLBACK.compare_exchange(
                UNSET,
                if value { ON } else { OFF },
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            FALLBACK.load(Ordering::Relaxed) == ON
        }
    }
}

fn from_env() -> bool {
    [
        "LLMTRACE_CAPTURE_CONTENT",
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
    ]
    .iter()
    .find_map(|n| std::env::var(n).ok())
    .and_then(|v| v.parse::<crate::CaptureMode>().ok())
    .is_some_and(crate::CaptureMode::records_content)
}

/// Whether message content (prompts, completions, tool arguments and results, document text) is
/// recorded by spans started now on this thread: the choice of the current dispatcher's
/// llmtrace pipeline ([`Builder::capture_content`](crate::Builder::capture_content),
/// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, `LLMTRACE_CAPTURE_CONTENT`), or, under a
/// dispatcher without one, the process-wide fallback ([`set_capture_content`], else the same
/// variables; off unless they name a [`CaptureMode`](crate::CaptureMode) that records content).
/// Captured content still passes the redacting processor before export.
pub fn capture_content() -> bool {
    tracing::dispatcher::get_default(of_dispatch)
}

/// Whether content is recorded on `span`: the choice of the pipeline the span belongs to,
/// whichever dispatcher is current where this is called (false for a disabled span).
pub(crate) fn capture_content_on(span: &tracing::Span) -> bool {
    span.with_subscriber(|(_, dispatch)| of_dispatch(dispatch))
        .unwrap_or(false)
}

/// Sets the process-wide fallback: whether content is recorded under dispatchers that carry no
/// llmtrace pipeline (code overrides the environment). A pipeline's own choice is made when it
/// is built and is not changed by this.
pub fn set_capture_content(on: bool) {
    FALLBACK.store(if on { ON } else { OFF }, Ordering::Relaxed);
}
