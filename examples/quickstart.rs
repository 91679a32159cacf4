//! The smallest traced LLM call: one prompt, one chat completion from a deterministic fake model.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use llmtrace::{LlmSpanExt, Message, Response, Usage};

/// Stands in for a real client; answers deterministically.
fn fake_chat(prompt: &str) -> (String, Usage) {
    let answer = format!(
        "You asked {} characters worth of question; the answer is 42.",
        prompt.len()
    );
    (
        answer,
        Usage::new(prompt.split_whitespace().count() as u64 * 2 + 9, 14),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Prints each finished trace on stderr; set OTEL_EXPORTER_OTLP_ENDPOINT to export instead.
    let _guard = llmtrace::init()?;

    let prompt = "What is the meaning of life?";
    let span = llmtrace::chat("gpt-4o-mini")
        .provider("openai")
        .temperature(0.7)
        .input_messages(&[Message::user(prompt)])
        .start();
    let (answer, usage) = span.in_scope(|| fake_chat(prompt));
    span.record_usage(usage);
    span.record_response(
        &Response::new()
            .id("chatcmpl-quickstart")
            .model("gpt-4o-mini-2024-07-18")
            .finish_reason("stop"),
    );
    span.record_output_messages(&[Message::assistant(answer.as_str())]);
    drop(span);

    println!("{answer}");
    Ok(())
}
