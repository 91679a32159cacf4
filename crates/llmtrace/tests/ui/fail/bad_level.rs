#[llmtrace::chain(level = "loud")]
fn c() {}

fn main() {}
