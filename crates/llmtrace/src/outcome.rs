//! Recording what an instrumented function returned: the [`RecordOutcome`] trait, and
//! [`InstrumentedStream`] for streamed responses.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;

use llmtrace_semconv::llmtrace as ours;

use crate::{Document, LlmSpanExt, Response, Usage};

/// A value that knows what to record on the span of the call that produced it. The attribute
/// macros call it on return values (and on each chunk of a stream) whose type implements it, so
/// `#[llm]` on a function returning a chat response records tokens without extra code.
///
/// ```
/// use llmtrace::{LlmSpanExt, RecordOutcome, Response, Usage};
///
/// struct ChatResponse { id: String, prompt_tokens: u64, completion_tokens: u64 }
///
/// impl RecordOutcome for ChatResponse {
///     fn record_outcome(&self, span: &tracing::Span) {
///         span.record_usage(Usage::new(self.prompt_tokens, self.completion_tokens));
///         span.record_response(&Response::new().id(self.id.as_str()));
///     }
/// }
/// ```
pub trait RecordOutcome {
    /// Records this value on `span`.
    fn record_outcome(&self, span: &tracing::Span);
}

impl RecordOutcome for Usage {
    fn record_outcome(&self, span: &tracing::Span) {
        span.record_usage(*self);
    }
}

impl RecordOutcome for Response<'_> {
    fn record_outcome(&self, span: &tracing::Span) {
        span.record_response(self);
    }
}

impl RecordOutcome for Vec<Document> {
    fn record_outcome(&self, span: &tracing::Span) {
        span.record_documents(self);
    }
}

impl RecordOutcome for [Document] {
    fn record_outcome(&self, span: &tracing::Span) {
        span.record_documents(self);
    }
}

impl<T: RecordOutcome + ?Sized> RecordOutcome for &T {
    fn record_outcome(&self, span: &tracing::Span) {
        (**self).record_outcome(span);
    }
}

impl<T: RecordOutcome + ?Sized> RecordOutcome for Box<T> {
    fn record_outcome(&self, span: &tracing::Span) {
        (**self).record_outcome(span);
    }
}

impl<T: RecordOutcome> RecordOutcome for Option<T> {
    fn record_outcome(&self, span: &tracing::Span) {
        if let Some(value) = self {
            value.record_outcome(span);
        }
    }
}

impl<T: RecordOutcome, E> RecordOutcome for Result<T, E> {
    fn record_outcome(&self, span: &tracing::Span) {
        if let Ok(value) = self {
            value.record_outcome(span);
        }
    }
}

impl<A: RecordOutcome, B: RecordOutcome> RecordOutcome for (A, B) {
    fn record_outcome(&self, span: &tracing::Span) {
        self.0.record_outcome(span);
        self.1.record_outcome(span);
    }
}

pin_project_lite::pin_project! {
    /// A stream whose span stays open until it ends or is dropped, recording the time to the
    /// first chunk (`gen_ai.response.time_to_first_chunk`), the chunk count
    /// (`llmtrace.stream.chunk_count`), what each chunk records through [`RecordOutcome`] (the
    /// final usage chunk), and `llmtrace.stream.cancelled = true` when dropped before its end.
    ///
    /// `#[llm(stream)]` wraps returned streams in it; [`instrument_stream`] does it by hand.
    pub struct InstrumentedStream<S: Stream, F> {
        #[pin]
        inner: S,
        span: tracing::Span,
        started: Instant,
        chunks: u64,
        finished: bool,
        on_chunk: F,
    }

    impl<S: Stream, F> PinnedDrop for InstrumentedStream<S, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.finished {
                this.span.record_attribute(ours::STREAM_CANCELLED, true);
                this.span.record_attribute(ours::STREAM_CHUNK_COUNT, *this.chunks as i64);
            }
        }
    }
}

impl<S: Stream, F> std::fmt::Debug for InstrumentedStream<S, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstrumentedStream")
            .field("chunks", &self.chunks)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<S, F> InstrumentedStream<S, F>
where
    S: Stream,
    F: FnMut(&S::Item, &tracing::Span),
{
    /// Wraps `inner`; `started` is when the request was sent; `on_chunk` sees every chunk.
    pub fn new(inner: S, span: tracing::Span, started: Instant, on_chunk: F) -> Self {
        InstrumentedStream {
            inner,
            span,
            started,
            chunks: 0,
            finished: false,
            on_chunk,
        }
    }
}

impl<S, F> Stream for InstrumentedStream<S, F>
where
    S: Stream,
    F: FnMut(&S::Item, &tracing::Span),
{
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        // Entered while polled, so the span ends at the last poll and the producer's own spans
        // nest under it.
        let _entered = this.span.enter();
        let polled = this.inner.poll_next(cx);
        match &polled {
            Poll::Ready(Some(item)) => {
                if *this.chunks == 0 {
                    this.span.record_time_to_first_chunk(this.started.elapsed());
                }
                *this.chunks += 1;
                (this.on_chunk)(item, this.span);
            }
            Poll::Ready(None) if !*this.finished => {
                *this.finished = true;
                this.span
                    .record_attribute(ours::STREAM_CHUNK_COUNT, *this.chunks as i64);
            }
            _ => {}
        }
        polled
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

/// Wraps a stream of chunks produced for `span` (created when the request was sent): see
/// [`InstrumentedStream`]. Chunks that implement [`RecordOutcome`] are recorded with
/// `on_chunk = |chunk, span| chunk.record_outcome(span)`.
pub fn instrument_stream<S, F>(
    stream: S,
    span: tracing::Span,
    on_chunk: F,
) -> InstrumentedStream<S, F>
where
    S: Stream,
    F: FnMut(&S::Item, &tracing::Span),
{
    InstrumentedStream::new(stream, span, Instant::now(), on_chunk)
}
