//! An agent that plans with a model, calls tools in a loop (one call fails and is retried) and
//! answers. The model is a deterministic fake, so the example needs no network and no key.
//!
//! ```sh
//! cargo run --example agent                      # trace printed as a tree on stderr
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 cargo run --example agent   # to a backend
//! ```

use std::time::Duration;

use llmtrace::{LlmContext, LlmSpanExt, Message, Response, ToolCall, Usage};
use serde_json::json;
use tracing::Instrument;

/// What the fake model says at each turn of the conversation.
struct FakeModel;

struct Completion {
    message: Message,
    usage: Usage,
    id: String,
}

impl FakeModel {
    /// Plans two tool calls first, then answers from the tool results.
    async fn complete(&self, history: &[Message]) -> Completion {
        tokio::time::sleep(Duration::from_millis(40)).await;
        let turn = history.iter().filter(|m| m.role == llmtrace::Role::Assistant).count();
        let input_tokens = 40 * history.len() as u64 + 120;
        if turn == 0 {
            Completion {
                message: Message::tool_calls(vec![
                    ToolCall::new("call_1", "get_weather", json!({"city": "Lisbon"})),
                    ToolCall::new("call_2", "search_flights", json!({"to": "LIS", "date": "2026-12-01"})),
                ]),
                usage: Usage::new(input_tokens, 38),
                id: "chatcmpl-plan-1".into(),
            }
        } else {
            Completion {
                message: Message::assistant(
                    "Lisbon will be sunny (19°C). The cheapest flight is TP1351 at 07:40 for €89.",
                )
                .with_finish_reason("stop"),
                usage: Usage::new(input_tokens, 31).cache_read(96),
                id: "chatcmpl-answer-2".into(),
            }
        }
    }
}

#[derive(Debug)]
struct ToolError(&'static str);

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ToolError {}

/// The weather service times out on its first call.
async fn run_tool(call: &ToolCall, attempt: u32) -> Result<serde_json::Value, ToolError> {
    tokio::time::sleep(Duration::from_millis(15)).await;
    match (call.name.as_str(), attempt) {
        ("get_weather", 1) => Err(ToolError("weather service timed out after 10 ms")),
        ("get_weather", _) => Ok(json!({"city": "Lisbon", "forecast": "sunny", "celsius": 19})),
        ("search_flights", _) => Ok(json!([{"flight": "TP1351", "departs": "07:40", "eur": 89}])),
        _ => Err(ToolError("unknown tool")),
    }
}

async fn call_model(model: &FakeModel, history: &[Message]) -> Message {
    let span = llmtrace::chat("gpt-4o")
        .provider(llmtrace::Provider::OpenAi)
        .temperature(0.2)
        .max_tokens(512)
        .input_messages(history)
        .start();
    let completion = model.complete(history).instrument(span.clone()).await;
    span.record_usage(completion.usage);
    span.record_response(
        &Response::new()
            .id(completion.id)
            .model("gpt-4o-2024-08-06")
            .finish_reason(completion.message.finish_reason.clone().unwrap_or_default()),
    );
    span.record_output_messages(std::slice::from_ref(&completion.message));
    completion.message
}

/// Runs one tool call, retrying once on failure; each attempt is its own span.
async fn call_tool(call: ToolCall) -> Message {
    for attempt in 1..=2 {
        let span = llmtrace::tool(call.name.clone())
            .call_id(call.id.clone())
            .tool_type("function")
            .arguments(&call.arguments)
            .attribute(llmtrace::semconv::llmtrace::RETRY_ATTEMPT, i64::from(attempt))
            .start();
        match run_tool(&call, attempt).instrument(span.clone()).await {
            Ok(result) => {
                span.record_tool_result(&result);
                return Message::tool_result(call.id, result.to_string());
            }
            Err(error) => span.record_error(&error),
        }
    }
    Message::tool_result(call.id, "the tool failed twice")
}

async fn answer(question: &str) -> String {
    let model = FakeModel;
    let mut history = vec![
        Message::system("You are a travel assistant. Use tools."),
        Message::user(question),
    ];
    for _iteration in 0..4 {
        let reply = call_model(&model, &history).await;
        let calls = reply.tool_calls.clone();
        history.push(reply);
        if calls.is_empty() {
            break;
        }
        // Tools run concurrently on other tasks; `instrument` carries the span (and the
        // session/user context) across `tokio::spawn`.
        let handles: Vec<_> = calls
            .into_iter()
            .map(|call| tokio::spawn(call_tool(call).in_current_span()))
            .collect();
        for handle in handles {
            if let Ok(message) = handle.await {
                history.push(message);
            }
        }
    }
    history
        .last()
        .and_then(|m| m.text.clone())
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _guard = llmtrace::init()?;

    let question = "Find me a cheap flight to Lisbon and tell me the weather.";
    let span = llmtrace::agent("travel-planner")
        .description("Plans trips with weather and flight tools")
        .input(question)
        .context(
            LlmContext::new()
                .session_id("session-4821")
                .user_id("user-17")
                .tag("example"),
        )
        .start();
    let reply = answer(question).instrument(span.clone()).await;
    span.record_output(&reply);
    drop(span);
    println!("{reply}");
    Ok(())
}
