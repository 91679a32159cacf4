#[llmtrace::agent(name = "planner", description = "plans")]
async fn plan(steps: u32) -> u32 {
    if steps == 0 {
        return 0;
    }
    steps * 2
}

fn main() {
    let _future = plan(3);
}
