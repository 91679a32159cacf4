#[llmtrace::tool]
const fn t() -> u32 {
    1
}

fn main() {}
