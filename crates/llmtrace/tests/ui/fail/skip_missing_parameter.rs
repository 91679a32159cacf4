#[llmtrace::tool(skip(secret))]
fn t(city: &str) -> usize {
    city.len()
}

fn main() {}
