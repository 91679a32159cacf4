#[llmtrace::tool(stream)]
fn t() {}

fn main() {}
