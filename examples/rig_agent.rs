//! rig 0.44 (`rig-core` + `rig-agent`) traced through llmtrace, offline: an agent with two tools
//! and a retrieval from rig's in-memory vector store, then a call the provider refuses, against a
//! local OpenAI-compatible mock started by the example. rig writes its own `gen_ai.*` spans;
//! llmtrace's processor chain normalises them (names, kinds, integer token counts), prices them,
//! adds the OpenInference mirror and prints the trace trees on stderr.
//!
//! ```sh
//! cargo run --example rig_agent                         # the local mock, trace trees on stderr
//! OPENAI_API_KEY=sk-… cargo run --example rig_agent     # the real OpenAI API
//! LLMTRACE_CAPTURE_CONTENT=span_only cargo run --example rig_agent   # with content (redacted)
//! ```
//!
//! rig records message content only when the agent is built with
//! `record_content_telemetry(true)`; this example passes it `llmtrace::capture_content()`, so
//! llmtrace's one switch decides for both (`RIG_RECORD_CONTENT=true|false` overrides rig's).

use llmtrace_test_support::mock_provider::{self, Reply, Request};
use rig_agent::prelude::*;
use rig_agent::tool::ToolContext;
use rig_core::providers::openai::{OpenAI, OpenAIConfig};
use serde::Deserialize;
use serde_json::{json, Value};

const MODEL: &str = "gpt-4o-mini";
/// A model no provider serves: the call to it fails (404), and the example carries on.
const MISSING_MODEL: &str = "gpt-4o-mini-unreleased";
const EMBEDDING_MODEL: &str = "text-embedding-3-small";
/// The embedding width asked for (text-embedding-3 models shorten their vectors on request).
const DIMENSIONS: usize = 64;
/// What the traveller asks; the e-mail address is redacted when content is captured.
const PROMPT: &str = "I land in Paris tomorrow morning. What will the weather be, what time is \
                      it there now, and is any museum closed? Send the plan to jane.doe@example.com";
/// The notes the vector store holds; the one nearest the prompt is handed to the model.
const NOTES: [&str; 3] = [
    "Paris: the Louvre is closed on Tuesdays; the Orsay museum on Mondays.",
    "Tokyo: most museums close on Mondays; trains stop shortly after midnight.",
    "Lisbon: trams are crowded at noon; many restaurants close on Sundays.",
];

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let guard = llmtrace::init()?;
    let openai = match std::env::var("OPENAI_API_KEY") {
        Ok(_) => OpenAI::from_env()?,
        Err(_) => OpenAIConfig::new("mock-key")
            .with_base_url(format!("http://127.0.0.1:{}/v1", start_mock()?))
            .client(),
    };
    // rig's agent span is a new root when no span is current: each run is a trace of its own.
    let agent = travel_agent(&openai).await?;
    let answer = agent.prompt(PROMPT).max_turns(4).await?;
    println!("agent: {}", answer.output());
    let usage = answer.usage();
    let tokens = |n: Option<u64>| n.unwrap_or_default();
    println!(
        "usage: {} in / {} out",
        tokens(usage.input_tokens),
        tokens(usage.output_tokens)
    );

    let unreleased = AgentBuilder::new(openai.chat(MISSING_MODEL))
        .name("early_adopter")
        .record_content_telemetry(rig_records_content())
        .build();
    match unreleased.prompt("Hello?").await {
        Ok(answer) => println!("unexpected answer: {}", answer.output()),
        Err(error) => println!("refused, as expected: {error}"),
    }
    drop(guard);
    Ok(())
}

/// The agent: two tools, and the note nearest each prompt retrieved from the vector store.
/// Embedding the notes is a call of its own (an `embeddings` span) before any agent runs.
async fn travel_agent(openai: &OpenAI) -> Result<Agent, Error> {
    let embedder = openai.embedding(EMBEDDING_MODEL, Some(DIMENSIONS));
    let notes = EmbeddingsBuilder::new(embedder.clone())
        .documents(NOTES.map(str::to_owned))?
        .build()
        .await?;
    let index = InMemoryVectorStore::from_documents(notes).index(embedder);
    Ok(AgentBuilder::new(openai.chat(MODEL))
        .name("travel_agent")
        .preamble("You plan trips. Use the tools; answer in two sentences.")
        .dynamic_context(1, index)
        .tool(Weather)
        .tool(LocalTime)
        .record_content_telemetry(rig_records_content())
        .build())
}

/// rig's own content switch, off by default: llmtrace's choice, unless `RIG_RECORD_CONTENT`
/// (`true` / `false`) says otherwise — with llmtrace's capture off, what rig records is
/// removed before export all the same.
fn rig_records_content() -> bool {
    match std::env::var("RIG_RECORD_CONTENT").as_deref() {
        Ok("true") => true,
        Ok("false") => false,
        _ => llmtrace::capture_content(),
    }
}

#[derive(Deserialize)]
struct CityArgs {
    city: String,
}

/// A tool that failed with this message.
#[derive(Debug)]
struct ToolFailed(String);

impl std::fmt::Display for ToolFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ToolFailed {}

fn city_schema() -> Value {
    json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
}

/// Tomorrow's weather of a city (fixed answers: the example is about the trace).
struct Weather;

impl Tool for Weather {
    const NAME: &'static str = "get_weather";
    type Args = CityArgs;
    type Output = String;
    type Error = ToolFailed;

    fn description(&self) -> String {
        "Tomorrow's weather in a city".to_owned()
    }

    fn parameters(&self) -> Value {
        city_schema()
    }

    async fn call(&self, _: &mut ToolContext, args: CityArgs) -> Result<String, ToolFailed> {
        match args.city.as_str() {
            "" => Err(ToolFailed("no city given".to_owned())),
            city => Ok(format!("{city}: 18°C, light rain until 10:00")),
        }
    }
}

/// The local time of a city.
struct LocalTime;

impl Tool for LocalTime {
    const NAME: &'static str = "local_time";
    type Args = CityArgs;
    type Output = String;
    type Error = ToolFailed;

    fn description(&self) -> String {
        "The current local time in a city".to_owned()
    }

    fn parameters(&self) -> Value {
        city_schema()
    }

    async fn call(&self, _: &mut ToolContext, args: CityArgs) -> Result<String, ToolFailed> {
        match args.city.as_str() {
            "Paris" | "Lisbon" => Ok(format!("{}: 09:12", args.city)),
            city => Err(ToolFailed(format!("no time zone known for {city:?}"))),
        }
    }
}

/// Starts the local mock provider (`llmtrace_test_support::mock_provider`) with this
/// example's answers; returns its port.
fn start_mock() -> std::io::Result<u16> {
    mock_provider::start(|request| {
        if request.path.ends_with("/embeddings") {
            Reply::json(&embeddings_answer(request))
        } else if request.body["model"] != MODEL {
            let model = request.body["model"].as_str().unwrap_or_default();
            let message =
                format!("The model `{model}` does not exist or you do not have access to it.");
            Reply::error(404, "model_not_found", &message)
        } else {
            Reply::json(&chat_answer(request))
        }
    })
}

/// The model's turns: the tools called at once, then the answer once they have answered.
/// Usage is fixed per turn so that a test can add it up.
fn chat_answer(request: &Request) -> Value {
    if request.has_tool_answer() {
        let answer = mock_provider::text_message(
            "Light rain until ten and it is 09:12 in Paris now; the Louvre is open tomorrow, \
             the Orsay is closed on Mondays.",
        );
        mock_provider::chat_completion(MODEL, answer, (190, 42))
    } else {
        let city = json!({"city": "Paris"});
        // The last call names a city the tool does not know: it fails, and the model goes on.
        let calls = mock_provider::tool_calls_message(&[
            ("call_weather", "get_weather", city.clone()),
            ("call_time", "local_time", city),
            ("call_time_2", "local_time", json!({"city": "Atlantis"})),
        ]);
        mock_provider::chat_completion(MODEL, calls, (120, 18))
    }
}

/// One vector per input, as wide as asked: a few topic words counted, so that the note about
/// the prompt's city is the nearest.
fn embeddings_answer(request: &Request) -> Value {
    let width = request.body["dimensions"]
        .as_u64()
        .map_or(DIMENSIONS, |w| w as usize);
    let texts = request.texts();
    let vectors: Vec<Vec<f32>> = texts.iter().map(|t| topic_vector(t, width)).collect();
    let tokens = texts
        .iter()
        .map(|t| t.split_whitespace().count() as u64)
        .sum();
    mock_provider::embeddings(EMBEDDING_MODEL, &vectors, tokens)
}

fn topic_vector(text: &str, width: usize) -> Vec<f32> {
    let text = text.to_lowercase();
    let mut vector = vec![0.0; width.max(5)];
    vector[0] = 0.1;
    for (i, word) in ["paris", "tokyo", "lisbon", "museum"].iter().enumerate() {
        vector[i + 1] = text.matches(word).count() as f32;
    }
    vector.truncate(width);
    vector
}
