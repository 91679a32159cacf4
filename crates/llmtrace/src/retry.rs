//! Retries and fallbacks for model calls, traced: one span per attempt under a `retry {model}`
//! parent that records how many attempts were made and which model finally answered.
//!
//! ```
//! # async fn demo() -> Result<(), llmtrace::RetryError<std::io::Error>> {
//! use std::time::Duration;
//! let answer = llmtrace::Retry::new("gpt-4o")
//!     .max_attempts(2)
//!     .backoff(Duration::from_millis(50), Duration::from_secs(2))
//!     .fallback("claude-sonnet-4")
//!     .run(|attempt| async move {
//!         // call attempt.model here; record usage on attempt.span()
//!         Ok::<_, std::io::Error>(format!("answered by {}", attempt.model))
//!     })
//!     .await?;
//! assert_eq!(answer.model, "gpt-4o");
//! # Ok(()) }
//! ```

use std::error::Error;
use std::future::Future;
use std::time::Duration;

use tracing::Instrument;

use llmtrace_semconv::llmtrace as ours;

use crate::span::{kind, SpanBuilder};
use crate::LlmSpanExt;

type SpanFactory<'a> = Box<dyn Fn(&str) -> SpanBuilder<kind::Llm> + Send + Sync + 'a>;
type RetryIf<'a> = Box<dyn Fn(&(dyn Error + 'static)) -> bool + Send + Sync + 'a>;

/// A traced call with retries and fallback models; see the [module docs](self).
#[must_use = "a retry does nothing until `run` is awaited"]
pub struct Retry<'a> {
    models: Vec<String>,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    span: SpanFactory<'a>,
    retry_if: Option<RetryIf<'a>>,
}

impl std::fmt::Debug for Retry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retry")
            .field("models", &self.models)
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .finish_non_exhaustive()
    }
}

/// One attempt, handed to the call.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The model to call.
    pub model: String,
    /// 1 for the first attempt overall.
    pub number: u32,
    /// 1 for the first attempt with this model.
    pub number_for_model: u32,
    /// Whether `model` is a fallback rather than the primary model.
    pub is_fallback: bool,
    span: tracing::Span,
}

impl Attempt {
    /// The attempt's span (an LLM span for `model`): record usage and the response on it.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }
}

/// A successful call.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered<T> {
    /// What the call returned.
    pub value: T,
    /// The model that answered.
    pub model: String,
    /// Attempts made in all (1 when the first succeeded).
    pub attempts: u32,
}

/// Every attempt failed, or an error was not retryable.
#[derive(Debug, thiserror::Error)]
#[error("{attempts} attempt(s) failed; last error from {model}: {last}")]
pub struct RetryError<E: Error + 'static> {
    /// The last error.
    #[source]
    pub last: E,
    /// The model that gave it.
    pub model: String,
    /// Attempts made in all.
    pub attempts: u32,
}

impl<'a> Retry<'a> {
    /// Calls `model`, by default once.
    pub fn new(model: impl Into<String>) -> Self {
        Retry {
            models: vec![model.into()],
            max_attempts: 1,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            span: Box::new(|model| crate::chat(model)),
            retry_if: None,
        }
    }

    /// Attempts per model (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Exponential backoff: `initial` before the second attempt, doubling, at most `max`. The
    /// wait never blocks the executor and works on any async runtime (Tokio with or without its
    /// time driver included): llmtrace's own timer thread wakes the retry.
    /// No wait before switching to a fallback model.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// A model to try when the previous ones failed every attempt; call again for more.
    pub fn fallback(mut self, model: impl Into<String>) -> Self {
        self.models.push(model.into());
        self
    }

    /// How each attempt's span is built (default `llmtrace::chat(model)`); set the provider and
    /// request parameters here.
    pub fn span(
        mut self,
        factory: impl Fn(&str) -> SpanBuilder<kind::Llm> + Send + Sync + 'a,
    ) -> Self {
        self.span = Box::new(factory);
        self
    }

    /// Retries only errors for which `predicate` is true (default: every error). A
    /// non-retryable error ends the call at once.
    pub fn retry_if(
        mut self,
        predicate: impl Fn(&(dyn Error + 'static)) -> bool + Send + Sync + 'a,
    ) -> Self {
        self.retry_if = Some(Box::new(predicate));
        self
    }

    fn backoff_before(&self, attempt_for_model: u32) -> Duration {
        if attempt_for_model <= 1 {
            return Duration::ZERO;
        }
        let factor = 2u32.saturating_pow(attempt_for_model - 2);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Runs `call` until it succeeds or every attempt of every model failed.
    pub async fn run<T, E, F, Fut>(self, mut call: F) -> Result<Answered<T>, RetryError<E>>
    where
        E: Error + 'static,
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // `retry {model}`, operation `retry` (a custom value: see `OPERATION_RETRY`).
        let parent = crate::span::custom_span(
            format!("{} {}", ours::OPERATION_RETRY, self.models[0]),
            Some(ours::OPERATION_RETRY),
        )
        .start();
        // The parent is entered while attempts run, so it spans them all.
        let outcome = self.attempts(&mut call).instrument(parent.clone()).await;
        self.record_run(&parent, &outcome);
        outcome
    }

    /// The attempts, each in its own span, until one succeeds or none is left.
    async fn attempts<T, E, F, Fut>(&self, call: &mut F) -> Result<Answered<T>, RetryError<E>>
    where
        E: Error + 'static,
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // (model index, attempt with that model); `Retry::new` guarantees one model and
        // `max_attempts` ≥ 1, so the first step always exists.
        let mut step = (0usize, 1u32);
        let mut number = 0;
        loop {
            let (index, number_for_model) = step;
            let model = &self.models[index];
            number += 1;
            let wait = self.backoff_before(number_for_model);
            if !wait.is_zero() {
                sleep(wait).await;
            }
            let span = (self.span)(model)
                .attribute(ours::RETRY_ATTEMPT, i64::from(number))
                .attribute(ours::RETRY_WAIT_BEFORE_S, wait.as_secs_f64())
                .start();
            let attempt = Attempt {
                model: model.clone(),
                number,
                number_for_model,
                is_fallback: index > 0,
                span: span.clone(),
            };
            let error = match call(attempt).instrument(span.clone()).await {
                Ok(value) => {
                    return Ok(Answered {
                        value,
                        model: model.clone(),
                        attempts: number,
                    })
                }
                Err(error) => error,
            };
            span.record_error(&error);
            let retryable = self.retry_if.as_ref().is_none_or(|p| p(&error));
            match self.next_step(step).filter(|_| retryable) {
                Some(next) => step = next,
                None => {
                    return Err(RetryError {
                        last: error,
                        model: model.clone(),
                        attempts: number,
                    })
                }
            }
        }
    }

    /// The outcome on the parent span: attempts, the model that answered, or the failure.
    fn record_run<T, E: Error + 'static>(
        &self,
        parent: &tracing::Span,
        outcome: &Result<Answered<T>, RetryError<E>>,
    ) {
        match outcome {
            Ok(answered) => {
                record_outcome(
                    parent,
                    answered.attempts,
                    Some((&answered.model, answered.model != self.models[0])),
                );
            }
            Err(error) => {
                record_outcome(parent, error.attempts, None);
                parent.record_error_type(
                    crate::span::error_type_name::<E>(),
                    &format!("{} attempt(s) failed; last: {}", error.attempts, error.last),
                );
            }
        }
    }

    fn next_step(&self, (index, number_for_model): (usize, u32)) -> Option<(usize, u32)> {
        if number_for_model < self.max_attempts {
            Some((index, number_for_model + 1))
        } else if index + 1 < self.models.len() {
            Some((index + 1, 1))
        } else {
            None
        }
    }
}

fn record_outcome(parent: &tracing::Span, attempts: u32, answered: Option<(&String, bool)>) {
    parent.record_attribute(ours::RETRY_ATTEMPTS, i64::from(attempts));
    if let Some((model, fallback)) = answered {
        parent.record_attribute(ours::RETRY_MODEL_USED, model.clone());
        parent.record_attribute(ours::RETRY_FALLBACK_USED, fallback);
    }
}

/// Waits without blocking the executor, whichever runs the retry (Tokio with or without its
/// time driver, async-std, smol, a hand-written one): a timer on llmtrace's own background
/// thread (one, started on the first backoff) wakes the future. If that thread cannot start,
/// the retry goes on without waiting rather than blocking or panicking.
async fn sleep(duration: Duration) {
    let Some(timer) = timer() else {
        return;
    };
    let (done, wait) = tokio::sync::oneshot::channel();
    timer.spawn(async move {
        tokio::time::sleep(duration).await;
        let _ = done.send(());
    });
    let _ = wait.await;
}

/// The runtime of the timer thread, started once.
fn timer() -> Option<&'static tokio::runtime::Handle> {
    static TIMER: std::sync::OnceLock<Option<tokio::runtime::Handle>> = std::sync::OnceLock::new();
    TIMER
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .ok()?;
            let handle = runtime.handle().clone();
            std::thread::Builder::new()
                .name("llmtrace-timer".into())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .ok()?;
            Some(handle)
        })
        .as_ref()
}
