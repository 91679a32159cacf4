//! An agent that plans with a model, calls tools in a loop and answers — and runs into the
//! trouble real agents meet: the primary model is overloaded (retried, then a fallback model
//! answers), a tool times out once (retried), and the model keeps asking for the same search
//! (flagged as a loop). The model is a deterministic fake, so the example needs no network and no
//! key — unless `OPENAI_API_KEY` or `OPENAI_BASE_URL` is set: then a real OpenAI-compatible model
//! (`OPENAI_MODEL`, default `gpt-4o-mini`) plans and answers through llmtrace-openai's traced
//! client.
//!
//! ```sh
//! cargo run --example agent                      # trace printed as a tree on stderr
//! OPENAI_BASE_URL=http://127.0.0.1:11434/v1 cargo run --example agent   # a real local model
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 cargo run --example agent   # to a backend
//! ```

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use llmtrace::{
    AgentLoop, LlmContext, LlmSpanExt, Message, Response, Retry, Role, ToolCall, ToolDefinition,
    Usage,
};
use serde_json::json;
use tracing::Instrument;

#[derive(Debug)]
struct ApiError(String);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ApiError {}

/// A scripted stand-in for a chat model: overloaded on its first two requests, then it plans
/// tool calls, asks for the same flight search until it gets results, and answers.
struct FakeModel {
    requests: AtomicU32,
}

struct Completion {
    message: Message,
    usage: Usage,
    id: String,
}

impl FakeModel {
    async fn complete(&self, model: &str, history: &[Message]) -> Result<Completion, ApiError> {
        tokio::time::sleep(Duration::from_millis(30)).await;
        if model == "gpt-4o" && self.requests.fetch_add(1, Ordering::Relaxed) < 2 {
            return Err(ApiError("503 model overloaded, try again later".into()));
        }
        let flight_search = || {
            ToolCall::new(
                format!("call_{}", history.len()),
                "search_flights",
                json!({"to": "LIS", "date": "2026-12-01"}),
            )
        };
        let found_flight = history.iter().any(|m| {
            m.role == Role::Tool && m.text.as_deref().is_some_and(|t| t.contains("TP1351"))
        });
        let asked = history.iter().filter(|m| !m.tool_calls.is_empty()).count();
        let input_tokens = 60 * history.len() as u64 + 150;
        let message = if asked == 0 {
            Message::tool_calls(vec![
                ToolCall::new("call_0", "get_weather", json!({"city": "Lisbon"})),
                flight_search(),
            ])
        } else if !found_flight {
            Message::tool_calls(vec![flight_search()])
        } else {
            Message::assistant(
                "Lisbon will be sunny (19°C). The cheapest flight is TP1351 at 07:40 for €89.",
            )
            .with_finish_reason("stop")
        };
        Ok(Completion {
            usage: Usage::new(input_tokens, 24 + 8 * message.tool_calls.len() as u64)
                .cache_read(if history.len() > 4 { 128 } else { 0 }),
            id: format!("chatcmpl-{}", history.len()),
            message,
        })
    }
}

/// One model call, retried on the primary model and then sent to a fallback model; every
/// attempt is its own span under a `retry gpt-4o` parent.
async fn call_model(model: &FakeModel, history: &[Message]) -> Result<Message, ApiError> {
    let answered = Retry::new("gpt-4o")
        .max_attempts(2)
        .backoff(Duration::from_millis(20), Duration::from_millis(200))
        .fallback("claude-sonnet-4")
        .span(|name| {
            let provider = if name.starts_with("claude") {
                "anthropic"
            } else {
                "openai"
            };
            llmtrace::chat(name)
                .provider(provider)
                .temperature(0.2)
                .max_tokens(512)
                .tool_definitions(&tools())
                .input_messages(history)
        })
        .run(|attempt| async move {
            let completion = model.complete(&attempt.model, history).await?;
            let span = attempt.span();
            span.record_usage(completion.usage);
            span.record_response(
                &Response::new()
                    .id(completion.id.as_str())
                    .model(attempt.model.as_str())
                    .finish_reason(completion.message.finish_reason.clone().unwrap_or_default()),
            );
            span.record_output_messages(std::slice::from_ref(&completion.message));
            Ok(completion.message)
        })
        .await
        .map_err(|e| e.last)?;
    Ok(answered.value)
}

/// The tools the agent offers the model.
fn tools() -> Vec<ToolDefinition> {
    vec![
        ToolDefinition::function("get_weather")
            .description("Current weather of a city")
            .parameters(json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})),
        ToolDefinition::function("search_flights")
            .description("Flights to an airport on a date")
            .parameters(json!({"type": "object", "properties": {"to": {"type": "string"}, "date": {"type": "string"}}, "required": ["to"]})),
    ]
}

static FLIGHT_SEARCHES: AtomicU32 = AtomicU32::new(0);

/// The weather service times out on its first call; the flight search finds nothing twice.
async fn run_tool(call: &ToolCall, attempt: u32) -> Result<serde_json::Value, ApiError> {
    tokio::time::sleep(Duration::from_millis(15)).await;
    match (call.name.as_str(), attempt) {
        ("get_weather", 1) => Err(ApiError("weather service timed out after 10 ms".into())),
        ("get_weather", _) => Ok(json!({"city": "Lisbon", "forecast": "sunny", "celsius": 19})),
        ("search_flights", _) if FLIGHT_SEARCHES.fetch_add(1, Ordering::Relaxed) < 2 => {
            Ok(json!([]))
        }
        ("search_flights", _) => Ok(json!([{"flight": "TP1351", "departs": "07:40", "eur": 89}])),
        _ => Err(ApiError(format!("unknown tool {}", call.name))),
    }
}

/// Runs one tool call, retrying once on failure; each attempt is its own span.
async fn call_tool(call: ToolCall) -> Message {
    for attempt in 1..=2 {
        let span = llmtrace::tool(call.name.clone())
            .call_id(call.id.clone())
            .tool_type("function")
            .arguments(&call.arguments)
            .attribute(
                llmtrace::semconv::llmtrace::RETRY_ATTEMPT,
                i64::from(attempt),
            )
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

async fn answer(
    agent_span: &tracing::Span,
    question: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let model = FakeModel {
        requests: AtomicU32::new(0),
    };
    // A real model when OPENAI_API_KEY / OPENAI_BASE_URL is set; its calls are traced by
    // llmtrace-openai (`chat {model}` spans with usage, tool calls, errors and retries).
    let real_model = llmtrace_openai::ChatModel::from_env().map(|m| {
        tools()
            .into_iter()
            .fold(m.temperature(0.2).max_tokens(512), |m, tool| {
                m.tool(
                    tool.name,
                    tool.description.unwrap_or_default(),
                    tool.parameters.unwrap_or_default(),
                )
            })
    });
    let mut agent_loop = AgentLoop::new(agent_span)
        .repeat_threshold(3)
        .max_iterations(8);
    let mut history = vec![
        Message::system("You are a travel assistant. Use tools."),
        Message::user(question),
    ];
    loop {
        agent_loop.next_iteration()?;
        let reply = match &real_model {
            Some(real) => real.complete(&history).await?,
            None => call_model(&model, &history).await?,
        };
        let calls = reply.tool_calls.clone();
        history.push(reply);
        if calls.is_empty() {
            break;
        }
        for call in &calls {
            // Flags the third identical search on the agent span (it does not stop the loop).
            agent_loop.tool_call(&call.name, &call.arguments)?;
        }
        // Tools run concurrently on other tasks; `in_current_span` carries the span (and the
        // session/user context) across `tokio::spawn`.
        let handles: Vec<_> = calls
            .into_iter()
            .map(|call| tokio::spawn(call_tool(call).in_current_span()))
            .collect();
        for handle in handles {
            history.push(handle.await?);
        }
    }
    Ok(history
        .last()
        .and_then(|m| m.text.clone())
        .unwrap_or_default())
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
    let reply = answer(&span, question).instrument(span.clone()).await?;
    span.record_output(&reply);
    drop(span);
    println!("{reply}");
    Ok(())
}
