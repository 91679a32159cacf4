#[llmtrace::llm(model = "gpt-4o", provider = "openai", fields(app.request = 7))]
fn ask(prompt: &str) -> String {
    prompt.to_uppercase()
}

fn main() {
    assert_eq!(ask("hi"), "HI");
}
