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
    /// Set when content was captured but the value was cut to a size limit: the original length.
    TRUNCATED_ORIGINAL_LENGTH = "llmtrace.truncated.original_length": Int;
}
