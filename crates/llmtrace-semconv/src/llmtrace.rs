//! Attribute keys of llmtrace's own, for facts the semantic conventions do not name yet.

crate::attributes! {
    /// Cost of a span in US dollars (for a local root: the sum over its subtree).
    COST_USD = "llmtrace.cost.usd": Double;
    /// The input-token part of [`COST_USD`].
    COST_INPUT_USD = "llmtrace.cost.input_usd": Double;
    /// The output-token part of [`COST_USD`].
    COST_OUTPUT_USD = "llmtrace.cost.output_usd": Double;
    /// `true` when a model had no price, so [`COST_USD`] is missing rather than a silent 0.
    COST_UNKNOWN = "llmtrace.cost.unknown": Boolean;
    /// On a local root: input tokens summed over its subtree.
    TRACE_INPUT_TOKENS = "llmtrace.trace.input_tokens": Int;
    /// On a local root: output tokens summed over its subtree.
    TRACE_OUTPUT_TOKENS = "llmtrace.trace.output_tokens": Int;
    /// Chunks received from a streamed response.
    STREAM_CHUNK_COUNT = "llmtrace.stream.chunk_count": Int;
    /// `true` when a stream was dropped before it ended.
    STREAM_CANCELLED = "llmtrace.stream.cancelled": Boolean;
    /// Attempt number of a retried call (1 for the first).
    RETRY_ATTEMPT = "llmtrace.retry.attempt": Int;
    /// The policy of the tail sampler that kept a trace.
    SAMPLING_POLICY = "llmtrace.sampling.policy": String;
    /// Iterations an agent ran.
    AGENT_ITERATIONS = "llmtrace.agent.iterations": Int;
    /// Seconds waited before this attempt (backoff).
    RETRY_WAIT_BEFORE_S = "llmtrace.retry.wait_before_s": Double;
    /// On a retry parent span: how many attempts were made in all.
    RETRY_ATTEMPTS = "llmtrace.retry.attempts": Int;
    /// On a retry parent span: the model that finally answered.
    RETRY_MODEL_USED = "llmtrace.retry.model_used": String;
    /// On a retry parent span: whether a fallback model answered.
    RETRY_FALLBACK_USED = "llmtrace.retry.fallback_used": Boolean;
    /// On a loop-detection event: how often the same tool was called with the same arguments.
    AGENT_REPEAT_COUNT = "llmtrace.agent.repeat_count": Int;
    /// On a loop-detection event: a hash of the repeated call's canonical JSON arguments.
    AGENT_ARGUMENTS_HASH = "llmtrace.agent.arguments_hash": String;
    /// The experiment a request belongs to (A/B tests).
    EXPERIMENT_NAME = "llmtrace.experiment.name": String;
    /// The experiment variant a request was served.
    EXPERIMENT_VARIANT = "llmtrace.experiment.variant": String;
    /// `true` on an `invoke_agent` / `invoke_workflow` span whose `gen_ai.usage.*` repeats what
    /// its descendants carry (the run's total): its usage is not priced, summed or measured again.
    USAGE_ROLLUP = "llmtrace.usage.rollup": Boolean;
    /// Set when content was captured but the value was cut to a size limit: the original length.
    TRUNCATED_ORIGINAL_LENGTH = "llmtrace.truncated.original_length": Int;
}

/// Event added to an `invoke_agent` span when the same tool is called with the same arguments
/// as often as the loop threshold.
pub const AGENT_LOOP_DETECTED_EVENT: &str = "llmtrace.agent.loop_detected";

/// `gen_ai.operation.name` of a reranking span. The registry has no reranking operation and its
/// enums are open ("if one of them applies, then the respective value MUST be used; otherwise, a
/// custom value MAY be used"), so reranking spans carry this custom value, named like the
/// rerank endpoints of Cohere, Jina and Voyage; the span name is `rerank {model}`.
pub const OPERATION_RERANK: &str = "rerank";

/// `gen_ai.operation.name` of the parent span of retried and fallen-back calls (llmtrace's
/// `Retry`): a custom value, since a retry policy
/// around one model call is none of the registry's operations (not a workflow of agents); the span
/// name is `retry {first model}`. Its attempts are ordinary `chat` spans, so metrics of the
/// model calls are not mixed with the retry's total duration.
pub const OPERATION_RETRY: &str = "retry";

/// `gen_ai.provider.name` llmtrace writes where the registry requires a provider and the
/// application named none: `invoke_agent` spans (required by `span.gen_ai.invoke_agent.*`) and
/// the points of the GenAI client metrics (required by `metric_attributes.gen_ai`) of agent, tool,
/// workflow and retrieval spans. The attribute names "the Generative AI provider as identified by
/// the client or server instrumentation" and "acts as a discriminator that identifies the GenAI
/// telemetry format flavor"; for work running in-process none of the registry's providers (all
/// model services) applies, so the value names the instrumentation, a custom value as the open
/// enum allows.
pub const PROVIDER_LLMTRACE: &str = "llmtrace";
