//! The smallest traced LLM call: one prompt, one chat completion from a deterministic fake model.
//! `#[llmtrace::llm]` makes the span; the return value records its own token usage.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use llmtrace::{LlmSpanExt, RecordOutcome, Response, Usage};

/// What the (fake) client returns.
struct Completion {
    text: String,
    usage: Usage,
}

impl RecordOutcome for Completion {
    fn record_outcome(&self, span: &tracing::Span) {
        span.record_usage(self.usage);
        span.record_response(
            &Response::new()
                .id("chatcmpl-quickstart")
                .model("gpt-4o-mini-2024-07-18")
                .finish_reason("stop"),
        );
    }
}

/// Stands in for a real client; answers deterministically.
#[llmtrace::llm(model = "gpt-4o-mini", provider = "openai", capture)]
fn ask(prompt: &str) -> Completion {
    Completion {
        text: format!(
            "You asked {} characters worth of question; the answer is 42.",
            prompt.len()
        ),
        usage: Usage::new(prompt.split_whitespace().count() as u64 * 2 + 9, 14),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Prints each finished trace on stderr; set OTEL_EXPORTER_OTLP_ENDPOINT to export instead.
    let _guard = llmtrace::init()?;
    let answer = ask("What is the meaning of life?");
    println!("{}", answer.text);
    Ok(())
}
