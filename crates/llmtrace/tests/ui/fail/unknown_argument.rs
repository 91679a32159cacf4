#[llmtrace::tool(nmae = "typo")]
fn t() {}

fn main() {}
