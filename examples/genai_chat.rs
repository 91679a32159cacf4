//! genai 0.7.2 (feature `otel`) traced through llmtrace, offline: a chat, a streamed chat, a
//! tool round trip and an embedding in OpenAI's wire format, then a chat and a streamed chat in
//! Anthropic's, against a local mock provider started by the example. genai writes its own
//! `gen_ai.*` spans; llmtrace's processor chain normalises them, prices them and adds the
//! OpenInference mirror, and the console tree prints the trace.
//!
//! ```sh
//! cargo run --example genai_chat                        # the local mock, trace tree on stderr
//! OPENAI_API_KEY=sk-… cargo run --example genai_chat    # the real OpenAI API for its calls
//! ANTHROPIC_API_KEY=sk-ant-… cargo run --example genai_chat   # the real Anthropic API for its
//! # genai records message content only with its own switch, read once per process:
//! OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true LLMTRACE_CAPTURE_CONTENT=span_only \
//!     cargo run --example genai_chat
//! ```

use futures_util::StreamExt;
use genai::adapter::AdapterKind;
use genai::chat::{ChatMessage, ChatOptions, ChatRequest, ChatStreamEvent, Tool, ToolResponse};
use genai::resolver::{AuthData, Endpoint, ServiceTargetResolver};
use genai::{Client, ModelIden, ServiceTarget};
use llmtrace_test_support::mock_provider::{self, Reply, Request};
use serde_json::{json, Value};
use tracing::Instrument;

const MODEL: &str = "gpt-4o-mini";
const ANTHROPIC_MODEL: &str = "claude-3-5-haiku-20241022";
const EMBEDDING_MODEL: &str = "text-embedding-3-small";

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let guard = llmtrace::init()?;
    let client = client(start_mock()?)?;
    let run = tracing::info_span!("genai_chat");
    conversation(&client).instrument(run).await?;
    drop(guard);
    Ok(())
}

/// The four calls, one after the other.
async fn conversation(client: &Client) -> Result<(), Error> {
    let question = ChatRequest::new(vec![
        ChatMessage::system("Answer in one short sentence."),
        ChatMessage::user("Why is the sky blue?"),
    ]);
    let answer = client.exec_chat(MODEL, question.clone(), None).await?;
    println!("chat: {}", answer.first_text().unwrap_or("(no text)"));

    let options = ChatOptions::default().with_capture_usage(true);
    let mut stream = client
        .exec_chat_stream(MODEL, question, Some(&options))
        .await?
        .stream;
    print!("stream: ");
    while let Some(event) = stream.next().await {
        if let ChatStreamEvent::Chunk(chunk) = event? {
            print!("{}", chunk.content);
        }
    }
    // The stream's span ends when the stream is dropped: drop it as soon as it is read.
    drop(stream);
    println!();

    tool_round_trip(client).await?;

    let embedding = client.embed(EMBEDDING_MODEL, "sky", None).await?;
    let dimensions = embedding.first_embedding().map_or(0, |e| e.dimensions());
    println!("embedding: {dimensions} dimensions");

    anthropic(client).await
}

/// A chat and a streamed chat in Anthropic's wire format (the Messages API).
async fn anthropic(client: &Client) -> Result<(), Error> {
    let question = ChatRequest::new(vec![
        ChatMessage::system("Answer in one short sentence."),
        ChatMessage::user("Why are sunsets red?"),
    ]);
    let answer = client
        .exec_chat(ANTHROPIC_MODEL, question.clone(), None)
        .await?;
    println!("anthropic: {}", answer.first_text().unwrap_or("(no text)"));
    let options = ChatOptions::default().with_capture_usage(true);
    let mut stream = client
        .exec_chat_stream(ANTHROPIC_MODEL, question, Some(&options))
        .await?
        .stream;
    print!("anthropic stream: ");
    while let Some(event) = stream.next().await {
        if let ChatStreamEvent::Chunk(chunk) = event? {
            print!("{}", chunk.content);
        }
    }
    drop(stream);
    println!();
    Ok(())
}

/// The model asks for a tool, the tool runs (in genai's `execute_tool` span), the model answers.
async fn tool_round_trip(client: &Client) -> Result<(), Error> {
    let weather = Tool::new("get_weather")
        .with_description("Current weather of a city")
        .with_schema(json!({"type": "object", "properties": {"city": {"type": "string"}}}));
    let request = ChatRequest::new(vec![ChatMessage::user(
        "Weather in Paris? Mail it to jane.doe@example.com",
    )])
    .with_tools(vec![weather]);
    let calls = client
        .exec_chat(MODEL, request.clone(), None)
        .await?
        .into_tool_calls();
    let mut request = request.append_message(calls.clone());
    for call in &calls {
        let span = genai::otel::agent::execute_tool_span(call);
        let result = span.in_scope(|| json!({"city": "Paris", "sky": "sunny"}).to_string());
        genai::otel::agent::ExecuteToolSpan::record_result(&span, &result);
        request = request.append_message(ToolResponse::new(call.call_id.clone(), result));
    }
    let answer = client.exec_chat(MODEL, request, None).await?;
    println!(
        "tool round trip: {}",
        answer.first_text().unwrap_or("(no text)")
    );
    Ok(())
}

/// A genai client: a provider whose API key is set (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`) is the
/// real one; every other model is served by the mock at `port`, in its provider's wire format.
fn client(port: u16) -> Result<Client, Error> {
    let resolver = ServiceTargetResolver::from_resolver_fn(
        move |target: ServiceTarget| -> Result<ServiceTarget, genai::resolver::Error> {
            let name = target.model.model_name.clone();
            let (adapter, key) = if name.starts_with("claude") {
                (AdapterKind::Anthropic, "ANTHROPIC_API_KEY")
            } else {
                (AdapterKind::OpenAI, "OPENAI_API_KEY")
            };
            if std::env::var_os(key).is_some() {
                return Ok(target);
            }
            Ok(ServiceTarget {
                endpoint: Endpoint::from_owned(format!("http://127.0.0.1:{port}/v1/")),
                auth: AuthData::from_single("mock-key"),
                model: ModelIden::new(adapter, name),
            })
        },
    );
    Ok(Client::builder()
        .with_service_target_resolver(resolver)
        .build()?)
}

/// Starts the local mock provider (`llmtrace_test_support::mock_provider`) with this
/// example's answers; returns its port.
fn start_mock() -> Result<u16, Error> {
    Ok(mock_provider::start(|request| {
        if request.path.ends_with("/messages") {
            anthropic_answer(request)
        } else if request.path.ends_with("/embeddings") {
            Reply::json(&embedding_answer())
        } else if request.body["stream"] == json!(true) {
            Reply::event_stream(&stream_answer())
        } else {
            Reply::json(&chat_answer(request))
        }
    })?)
}

/// A tool call when tools are offered and no tool has answered yet, else a sentence.
fn chat_answer(request: &Request) -> Value {
    let message = if request.body.get("tools").is_some() && !request.has_tool_answer() {
        mock_provider::tool_calls_message(&[("call_1", "get_weather", json!({"city": "Paris"}))])
    } else {
        mock_provider::text_message("Sunlight scatters off the air, blue the most.")
    };
    let prompt_tokens = 20 + 12 * request.message_count() as u64;
    mock_provider::chat_completion(MODEL, message, (prompt_tokens, 14))
}

/// A streamed answer in three chunks, the finish reason, then the usage.
fn stream_answer() -> Vec<Value> {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-mock-stream", "object": "chat.completion.chunk", "created": 0,
               "model": MODEL, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let mut events: Vec<Value> = ["Rayleigh ", "scattering, ", "mostly."]
        .iter()
        .map(|text| chunk(json!({"content": text}), Value::Null))
        .collect();
    events.push(chunk(json!({}), json!("stop")));
    events.push(
        json!({"id": "chatcmpl-mock-stream", "object": "chat.completion.chunk",
        "created": 0, "model": MODEL, "choices": [],
        "usage": {"prompt_tokens": 31, "completion_tokens": 6, "total_tokens": 37}}),
    );
    events
}

/// Anthropic's answer, whole or streamed as the request asks.
fn anthropic_answer(request: &Request) -> Reply {
    let usage = (18 + 9 * request.message_count() as u64, 11);
    if request.body["stream"] == json!(true) {
        let pieces = ["Light crosses ", "more air, ", "and red is left."];
        Reply::named_event_stream(&mock_provider::anthropic_stream(
            ANTHROPIC_MODEL,
            &pieces,
            usage,
        ))
    } else {
        let text = "Low sun: more air scatters the blue away.";
        Reply::json(&mock_provider::anthropic_message(
            ANTHROPIC_MODEL,
            text,
            usage,
        ))
    }
}

fn embedding_answer() -> Value {
    mock_provider::embeddings(EMBEDDING_MODEL, &[vec![0.1, -0.2, 0.3, 0.05]], 2)
}
