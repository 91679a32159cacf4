#[llmtrace::llm(model = "m", operation = "embeddings")]
fn ask() {}

fn main() {}
