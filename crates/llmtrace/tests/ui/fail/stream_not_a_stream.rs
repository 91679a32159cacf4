#[llmtrace::llm(model = "gpt-4o", stream)]
fn not_a_stream() -> Vec<String> {
    Vec::new()
}

fn main() {}
