struct Request {
    model: String,
    prompt: String,
}

#[llmtrace::llm(model = req.model, provider = llmtrace::Provider::OpenAi, level = "debug", skip_all)]
fn send(req: &Request) -> usize {
    req.prompt.len()
}

fn main() {
    let req = Request { model: "gpt-4o-mini".into(), prompt: "hi".into() };
    assert_eq!(send(&req), 2);
}
