#[llmtrace::llm(provider = "openai")]
fn ask() {}

fn main() {}
