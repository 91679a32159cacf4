//! Tail sampling in-process: keep error, slow and interesting traces, sample the rest, with
//! bounded memory.
//!
//! [`TailSampler`] is a [`SpanProcessor`](opentelemetry_sdk::trace::SpanProcessor) decorator.
//! It buffers the ended spans of each trace and decides **per trace** when the trace's
//! *local root* ends; spans of kept traces go to the inner processor (typically a
//! `BatchSpanProcessor`), the others are dropped.
//!
//! ```
//! use llmtrace_processor::sample::{PolicyConfig, TailSampler, TailSamplingConfig};
//! use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
//! use opentelemetry::trace::{Status, Tracer, TracerProvider, Span};
//!
//! // errors + slower than 5 s + 10 % of the rest, plus premium users
//! let config = TailSamplingConfig::recommended()
//!     .with_policy(PolicyConfig::string_attribute("premium", "user.tier", ["premium"]));
//! let exporter = InMemorySpanExporter::default();
//! let sampler = TailSampler::new(SimpleSpanProcessor::new(exporter.clone()), config)?;
//! let provider = SdkTracerProvider::builder().with_span_processor(sampler).build();
//!
//! let tracer = provider.tracer("demo");
//! let mut root = tracer.start("invoke_agent planner");
//! root.set_status(Status::error("tool failed"));
//! root.end();
//!
//! let spans = exporter.get_finished_spans().unwrap_or_default();
//! assert_eq!(spans.len(), 1);
//! assert!(spans[0].attributes.iter().any(|kv| kv.key.as_str() == "llmtrace.sampling.policy"
//!     && kv.value.as_str() == "errors"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # When a trace is decided
//!
//! - **Local root ends** (the normal case): a span whose parent span id is invalid or whose
//!   parent is remote (`SpanData::parent_span_is_remote`). In a normal tree children end
//!   before their root, so the whole local part of the trace is buffered by then.
//! - **`decision_wait` elapsed** since the trace's first span arrived and the root has not
//!   ended (e.g. the root lives in another process, or leaked). There is no background thread:
//!   expired traces are looked for during `on_end` (at most every `decision_wait / 10`,
//!   clamped to 1 ms – 1 s, amortised over all calls) and on `force_flush` / `shutdown`. A
//!   trace can therefore wait longer than `decision_wait` if no further span ends at all.
//! - **A bound is hit** (*forced*): the trace reaching `max_spans_per_trace` is decided at
//!   once; when `num_traces` or `max_buffered_bytes` is exceeded, the **oldest** undecided
//!   traces are decided until the buffer is back within bounds. Forced decisions run the same
//!   policies over the spans buffered so far, so a trace that already contains an error is
//!   still kept by a `status_code: [ERROR]` policy. Memory never grows without bound;
//!   concurrent `on_end` calls can overshoot a bound by about one trace per thread, briefly.
//! - **`force_flush` / `shutdown`** decide every pending trace and hand the kept spans to the
//!   inner processor *before* flushing / shutting it down. A `force_flush` therefore also
//!   decides traces still in progress (their later spans follow that decision); call it at
//!   the end of a unit of work (e.g. before a serverless function freezes), not on a timer.
//!
//! Spans that end **after** their trace was decided follow the decision, through bounded
//! FIFO caches of recent kept and dropped trace ids (`decision_cache`). A late span whose
//! decision was already evicted from the cache starts a new pending trace.
//!
//! Limits of deciding per process: a span that ends after its local root (fire-and-forget
//! work) cannot change the decision — an error in it is dropped with a dropped trace. A trace
//! that enters this process several times (an upstream service calling it twice within one
//! trace) is decided when the first local root ends; the later visits follow that decision.
//! Traces spanning services are best tail-sampled once more in the collector, which sees all
//! their spans (the repository's `otel-collector.yaml` enforces the same policies).
//!
//! Memory: `max_buffered_bytes` bounds the approximate size of the buffered `SpanData`
//! (inline size plus owned strings and vectors, plus ~200 B per trace for the index); the
//! decision caches are bounded by entry count and cost roughly 100 B per remembered trace id
//! (≈10 MiB at the defaults). Measured: 100 000 open one-span LLM traces under default bounds
//! hold 50 000 traces in ≈55 MiB of heap (see `tests/tail_sampler_bounds.rs`).
//!
//! # Decision semantics
//!
//! Like the collector: policies are evaluated **in order** against all buffered spans of the
//! trace (and the resource attributes, for attribute policies); the **first** policy that
//! says *sample* keeps the trace (any-of), and its `name` is written to the attribute
//! `llmtrace.sampling.policy` on **every** forwarded span of the trace, late spans included.
//! No match → the trace is dropped. `and` keeps a trace only when all sub-policies match.
//!
//! Supported policy types (collector YAML shape `{name, type, <type>: {...}}`):
//!
//! | type | keys | keeps a trace when |
//! |---|---|---|
//! | `always_sample` | — | always |
//! | `latency` | `threshold_ms`, `upper_threshold_ms` | earliest start → latest end ≥ threshold (and ≤ upper, if non-zero) |
//! | `status_code` | `status_codes: [ERROR, OK, UNSET]` | any span has a listed status |
//! | `probabilistic` | `sampling_percentage`, `hash_salt` | hash(salt, trace id) falls in the percentage — the same trace ids on every run and in every process |
//! | `string_attribute` | `key`, `values`, `enabled_regex_matching`, `invert_match` (`cache_max_size` ignored) | a span/resource string (or string-array item) value matches |
//! | `numeric_attribute` | `key`, `min_value`, `max_value`, `invert_match` | an int/float value lies in `[min, max]` (inclusive; floats allowed, a missing bound is open) |
//! | `span_count` | `min_spans`, `max_spans` | buffered span count in range (`max_spans: 0` = open) |
//! | `rate_limiting` | `spans_per_second` | the spans this policy kept in the current second stay within budget |
//! | `and` | `and_sub_policy: [...]` | all sub-policies match (no nested `and`) |
//!
//! Not implemented, rejected with [`SamplingConfigError::UnsupportedPolicyType`] naming the
//! type: `composite` (list its sub-policies at the top level instead — that is any-of),
//! `boolean_attribute`, `ottl_condition`, `trace_state`, `not`, `drop`, `bytes_limiting`,
//! `trace_flags`. Differences from the collector: `invert_match` does not veto other
//! policies (it simply matches when nothing matches); `rate_limiting` budget is consumed only
//! when the policy is reached (put it last). The probabilistic hash is the collector's (FNV-1a
//! over the salt — `default-hash-seed` when empty — and the trace id, kept when at most
//! `u64::MAX` × the percentage), so a process and a collector with the same `hash_salt` keep
//! the same trace ids.
//!
//! # Configuration
//!
//! [`TailSamplingConfig`] is the `tail_sampling` section with the collector's keys
//! (`decision_wait`, `num_traces`, `expected_new_traces_per_sec` (ignored),
//! `sample_on_first_match` (ignored), `decision_cache: {sampled_cache_size,
//! non_sampled_cache_size}`, `policies`) plus our bounds `max_spans_per_trace` (default
//! 10 000) and `max_buffered_bytes` (default 64 MiB of approximate `SpanData` size). Unknown
//! keys and invalid policies are typed [`SamplingConfigError`]s.
//!
//! ```yaml
//! decision_wait: 10s
//! num_traces: 50000
//! max_spans_per_trace: 10000
//! max_buffered_bytes: 67108864
//! policies:
//!   - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
//!   - {name: slow, type: latency, latency: {threshold_ms: 5000}}
//!   - {name: premium, type: string_attribute, string_attribute: {key: user.tier, values: [premium]}}
//!   - {name: big-prompt, type: numeric_attribute, numeric_attribute: {key: gen_ai.usage.input_tokens, min_value: 10001}}
//!   - {name: expensive, type: numeric_attribute, numeric_attribute: {key: llmtrace.cost.usd, min_value: 0.5}}
//!   - {name: sampled, type: probabilistic, probabilistic: {sampling_percentage: 10}}
//! ```
//!
//! Environment ([`TailSamplingConfig::from_env`]); any of them set yields
//! [`TailSamplingConfig::recommended`] (errors + latency > 5 s + 10 %) with these changes:
//!
//! | variable | effect |
//! |---|---|
//! | `LLMTRACE_SAMPLING_PERCENTAGE` | percentage of the `sampled` policy (0 removes it) |
//! | `LLMTRACE_SAMPLING_LATENCY_MS` | threshold of the `slow` policy (0 removes it) |
//! | `LLMTRACE_SAMPLING_ERRORS` | `false` removes the `errors` policy |
//! | `LLMTRACE_SAMPLING_DECISION_WAIT` | `decision_wait`, e.g. `10s` |
//! | `LLMTRACE_SAMPLING_NUM_TRACES` | `num_traces` |
//! | `LLMTRACE_SAMPLING_MAX_SPANS_PER_TRACE` | `max_spans_per_trace` |
//! | `LLMTRACE_SAMPLING_MAX_BUFFERED_BYTES` | `max_buffered_bytes` |
//!
//! # Head sampling and tail sampling together
//!
//! Head sampling (`OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `OTEL_TRACES_SAMPLER_ARG=0.5`)
//! stays available and runs first, when a span *starts*: a span the head sampler drops is never
//! recorded and never reaches `on_end`, so the tail sampler cannot keep it — not even if it
//! fails. The tail sampler decides among the head-sampled remainder, so the effective rate of
//! ordinary traffic is `head ratio × tail percentage`, and "always keep errors" holds only
//! within the head-sampled share. To keep *every* error, leave the head sampler at
//! `parentbased_always_on` (the default) and reduce volume here. Spans that are recorded but
//! not sampled (`RecordOnly`, `span_context().is_sampled() == false`) are ignored: counted in
//! [`SamplerStats::unsampled_spans`], never buffered nor forwarded.
//!
//! **Metrics count all traffic.** Dropping a trace drops its spans only. Metrics such as
//! token usage and operation durations must be recorded by the instrumentation through the
//! OTel metrics API, or derived from spans *before* the tail decision — never from exported
//! spans. The `llmtrace` facade does the latter: its `MetricsProcessor` sits in front of the
//! redacting and sampling processors, so `gen_ai.client.token.usage` and
//! `gen_ai.client.operation.duration` count every span the head sampler recorded, including
//! the traces this sampler drops. When assembling a chain by hand, put metric derivation in
//! front of the `TailSampler`. Metrics derived from spans can only see what the head sampler
//! recorded; keep it at `parentbased_always_on` for exact totals.
//!
//! # Observability of the sampler
//!
//! [`TailSampler::stats`] returns a [`SamplerStats`] snapshot; the same figures are exported
//! through the OTel metrics API (meter `llmtrace`, or one passed to the builder):
//! `llmtrace.sampler.traces{decision=kept|dropped, trigger=root|timeout|forced|flush}`,
//! `llmtrace.sampler.spans{decision=kept|dropped|unsampled}` and the gauges
//! `llmtrace.sampler.buffered.traces` / `llmtrace.sampler.buffered.bytes`.
//!
//! # Concurrency
//!
//! Traces are spread over 32 mutex-protected shards by trace id, so threads ending spans of
//! different traces rarely contend. No lock is held while calling the inner processor, two
//! shard locks are never held at once, and a poisoned lock is recovered, never propagated.

mod buffer;
mod clock;
mod config;
mod duration;
mod error;
mod policy;
mod processor;
mod stats;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    AndConfig, DecisionCacheConfig, LatencyConfig, NumericAttributeConfig, PolicyConfig,
    ProbabilisticConfig, RateLimitingConfig, SpanCountConfig, StatusCodeConfig,
    StringAttributeConfig, TailSamplingConfig, DEFAULT_DECISION_CACHE_SIZE, DEFAULT_DECISION_WAIT,
    DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_SPANS_PER_TRACE, DEFAULT_NUM_TRACES, ENV_VARS,
};
pub use error::SamplingConfigError;
pub use policy::probabilistic_keeps;
pub use processor::{TailSampler, TailSamplerBuilder};
pub use stats::{SamplerStats, SamplerStatsHandle};

/// The attribute naming the policy that kept a trace (on every forwarded span).
pub const SAMPLING_POLICY_ATTRIBUTE: &str = llmtrace_semconv::llmtrace::SAMPLING_POLICY;
