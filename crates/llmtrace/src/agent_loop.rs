//! Agent-loop accounting: iterations of an agent, and detection of repeated identical tool
//! calls ("the agent looped 47 times calling search with the same query").

use std::collections::HashMap;

use opentelemetry::KeyValue;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use llmtrace_semconv::{attribute as semconv, llmtrace as ours};

use crate::LlmSpanExt;

/// The agent loop was stopped by a configured cap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AgentLoopError {
    /// More iterations than `max_iterations`.
    #[error("agent stopped after {limit} iterations (max_iterations)")]
    MaxIterations {
        /// The cap.
        limit: u32,
    },
    /// The same tool was called with the same arguments `count` times.
    #[error("agent stopped: tool {tool} called {count} times with the same arguments (max_identical_calls)")]
    RepeatedToolCall {
        /// The tool.
        tool: String,
        /// How often it was called with these arguments.
        count: u32,
    },
}

/// Counts an agent's iterations and tool calls on its `invoke_agent` span, and detects repeated
/// identical tool calls ("the agent looped 47 times calling search with the same query"). The
/// iteration count is written when the `AgentLoop` is dropped.
///
/// ```
/// use llmtrace::{AgentLoop, AgentLoopError};
///
/// let agent = llmtrace::agent("researcher").start();
/// let mut agent_loop = AgentLoop::new(&agent).repeat_threshold(3).max_identical_calls(5);
/// let args = serde_json::json!({"query": "rust tracing"});
/// let mut outcome = Ok(0);
/// for _ in 0..10 {
///     agent_loop.next_iteration().expect("no iteration cap set");
///     outcome = agent_loop.tool_call("search", &args);
///     if outcome.is_err() {
///         break; // stopped by the hard cap
///     }
/// }
/// assert!(matches!(outcome, Err(AgentLoopError::RepeatedToolCall { count: 5, .. })));
/// ```
#[derive(Debug)]
pub struct AgentLoop {
    span: tracing::Span,
    repeat_threshold: u32,
    max_iterations: Option<u32>,
    max_identical_calls: Option<u32>,
    iterations: u32,
    calls: HashMap<(String, u64), u32>,
}

/// FNV-1a over the canonical (key-sorted) JSON of the arguments.
fn arguments_hash(arguments: &serde_json::Value) -> u64 {
    /// What is left to hash: a value, or punctuation of the compact JSON text.
    enum Item<'a> {
        Value(&'a serde_json::Value),
        Key(&'a str),
        Text(&'static str),
    }
    fn feed(hash: &mut u64, bytes: &[u8]) {
        for byte in bytes {
            *hash = (*hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    // FNV-1a over the compact JSON text with object keys sorted, whatever order the map keeps
    // (serde_json's `preserve_order` feature may be on in the application); iterative, so deep
    // arguments cannot overflow the stack.
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut stack = vec![Item::Value(arguments)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Text(text) => feed(&mut hash, text.as_bytes()),
            Item::Key(key) => {
                feed(
                    &mut hash,
                    serde_json::Value::from(key).to_string().as_bytes(),
                );
                feed(&mut hash, b":");
            }
            Item::Value(serde_json::Value::Object(map)) => {
                feed(&mut hash, b"{");
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                stack.push(Item::Text("}"));
                for (i, (key, value)) in entries.into_iter().enumerate().rev() {
                    stack.push(Item::Value(value));
                    stack.push(Item::Key(key));
                    if i > 0 {
                        stack.push(Item::Text(","));
                    }
                }
            }
            Item::Value(serde_json::Value::Array(values)) => {
                feed(&mut hash, b"[");
                stack.push(Item::Text("]"));
                for (i, value) in values.iter().enumerate().rev() {
                    stack.push(Item::Value(value));
                    if i > 0 {
                        stack.push(Item::Text(","));
                    }
                }
            }
            Item::Value(scalar) => feed(&mut hash, scalar.to_string().as_bytes()),
        }
    }
    hash
}

impl AgentLoop {
    /// Tracks the agent whose span is `agent_span`. Loops are flagged at 3 identical calls by
    /// default; nothing is capped unless asked.
    pub fn new(agent_span: &tracing::Span) -> Self {
        AgentLoop {
            span: agent_span.clone(),
            repeat_threshold: 3,
            max_iterations: None,
            max_identical_calls: None,
            iterations: 0,
            calls: HashMap::new(),
        }
    }

    /// Identical calls that raise a `llmtrace.agent.loop_detected` event (at least 2).
    pub fn repeat_threshold(mut self, calls: u32) -> Self {
        self.repeat_threshold = calls.max(2);
        self
    }

    /// Stops the loop with [`AgentLoopError::MaxIterations`] past this many iterations.
    pub fn max_iterations(mut self, iterations: u32) -> Self {
        self.max_iterations = Some(iterations);
        self
    }

    /// Stops the loop with [`AgentLoopError::RepeatedToolCall`] when a tool is called this many
    /// times with the same arguments.
    pub fn max_identical_calls(mut self, calls: u32) -> Self {
        self.max_identical_calls = Some(calls.max(1));
        self
    }

    /// Iterations so far.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Starts the next iteration; returns its number (1 for the first).
    pub fn next_iteration(&mut self) -> Result<u32, AgentLoopError> {
        if let Some(limit) = self.max_iterations {
            if self.iterations >= limit {
                let error = AgentLoopError::MaxIterations { limit };
                self.span
                    .record_error_type("max_iterations", &error.to_string());
                return Err(error);
            }
        }
        self.iterations += 1;
        Ok(self.iterations)
    }

    /// Notes a tool call; returns how often this tool has now been called with these
    /// arguments. Adds a `llmtrace.agent.loop_detected` event when that reaches the threshold.
    pub fn tool_call(
        &mut self,
        tool: &str,
        arguments: &serde_json::Value,
    ) -> Result<u32, AgentLoopError> {
        let hash = arguments_hash(arguments);
        let count = self.calls.entry((tool.to_owned(), hash)).or_insert(0);
        *count += 1;
        let count = *count;
        if count == self.repeat_threshold {
            self.span.add_event(
                ours::AGENT_LOOP_DETECTED_EVENT,
                vec![
                    KeyValue::new(semconv::GEN_AI_TOOL_NAME, tool.to_owned()),
                    KeyValue::new(ours::AGENT_REPEAT_COUNT, i64::from(count)),
                    KeyValue::new(ours::AGENT_ARGUMENTS_HASH, format!("{hash:016x}")),
                ],
            );
        }
        if let Some(limit) = self.max_identical_calls {
            if count >= limit {
                let error = AgentLoopError::RepeatedToolCall {
                    tool: tool.to_owned(),
                    count,
                };
                self.span
                    .record_error_type("loop_detected", &error.to_string());
                return Err(error);
            }
        }
        Ok(count)
    }
}

impl Drop for AgentLoop {
    fn drop(&mut self) {
        self.span
            .record_attribute(ours::AGENT_ITERATIONS, i64::from(self.iterations));
    }
}

#[cfg(test)]
mod tests {
    use super::arguments_hash;

    #[test]
    fn the_hash_is_that_of_the_compact_json_text_with_sorted_keys() {
        let value: serde_json::Value =
            serde_json::from_str(r#"{"b": [1, {"y": null, "x": "é\""}], "a": true}"#)
                .expect("json");
        let sorted = r#"{"a":true,"b":[1,{"x":"é\"","y":null}]}"#;
        let fnv = sorted
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            });
        assert_eq!(arguments_hash(&value), fnv);
    }

    #[test]
    fn deep_arguments_do_not_overflow_the_stack() {
        let mut value = serde_json::json!(0);
        for _ in 0..100_000 {
            value = serde_json::Value::Array(vec![value]);
        }
        let _ = arguments_hash(&value);
        // Dropping a deep `Value` recurses inside serde_json; unwind it by hand.
        while let serde_json::Value::Array(mut items) = value {
            value = items.pop().unwrap_or_default();
        }
    }
}
