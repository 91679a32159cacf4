//! The travel agent of the workspace's `agent` example, with a real OpenAI-compatible model:
//! it plans with tool calls, runs the tools (local fakes) and answers. Every model turn is a
//! `chat {model}` span from llmtrace-openai under one `invoke_agent` span.
//!
//! ```sh
//! OPENAI_API_KEY=… cargo run -p llmtrace-openai --example agent_openai
//! # any OpenAI-compatible server, e.g. Ollama:
//! OPENAI_BASE_URL=http://127.0.0.1:11434/v1 OPENAI_MODEL=llama3.1 \
//!     cargo run -p llmtrace-openai --example agent_openai
//! ```
//!
//! Without `OPENAI_API_KEY` or `OPENAI_BASE_URL` it says so and exits.

use llmtrace::{LlmSpanExt, Message, ToolCall};
use llmtrace_openai::ChatModel;
use serde_json::json;
use tracing::Instrument;

/// The tools the model may call, with fake results.
fn run_tool(call: &ToolCall) -> Message {
    let span = llmtrace::tool(call.name.clone())
        .call_id(call.id.clone())
        .tool_type("function")
        .arguments(&call.arguments)
        .start();
    let result = match call.name.as_str() {
        "get_weather" => {
            json!({"city": call.arguments["city"], "forecast": "sunny", "celsius": 19})
        }
        "search_flights" => json!([{"flight": "TP1351", "departs": "07:40", "eur": 89}]),
        other => json!({"error": format!("unknown tool {other}")}),
    };
    span.record_tool_result(&result);
    Message::tool_result(call.id.clone(), result.to_string())
}

async fn answer(
    model: &ChatModel,
    question: &str,
) -> Result<String, async_openai::error::OpenAIError> {
    let mut history = vec![
        Message::system("You are a travel assistant. Use the tools, then answer in one sentence."),
        Message::user(question),
    ];
    for _turn in 0..4 {
        let reply = model.complete(&history).await?;
        let calls = reply.tool_calls.clone();
        history.push(reply);
        if calls.is_empty() {
            break;
        }
        history.extend(calls.iter().map(run_tool));
    }
    Ok(history
        .last()
        .and_then(|m| m.text.clone())
        .unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(model) = ChatModel::from_env() else {
        eprintln!("Set OPENAI_API_KEY (and/or OPENAI_BASE_URL, OPENAI_MODEL) to run this example.");
        return Ok(());
    };
    let model = model
        .temperature(0.2)
        .tool(
            "get_weather",
            "Current weather of a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        )
        .tool(
            "search_flights",
            "Cheapest flights to an airport",
            json!({"type": "object", "properties": {"to": {"type": "string", "description": "IATA code"}}, "required": ["to"]}),
        );
    let _guard = llmtrace::init()?;

    let question = "Find me a cheap flight to Lisbon and tell me the weather.";
    // The conventions require a provider on agent spans: the one of the model the agent runs on.
    let span = llmtrace::agent("travel-planner")
        .provider("openai")
        .model(model.model())
        .input(question)
        .start();
    match answer(&model, question).instrument(span.clone()).await {
        Ok(reply) => {
            span.record_output(&reply);
            println!("{reply}");
        }
        Err(error) => {
            span.record_error(&error);
            eprintln!("the model call failed: {error}");
        }
    }
    Ok(())
}
