#[llmtrace::agent(name = "a", name = "b")]
fn a() {}

fn main() {}
