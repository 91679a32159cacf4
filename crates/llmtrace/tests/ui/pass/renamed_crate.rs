extern crate llmtrace as my_tracing;

#[my_tracing::tool(crate = "my_tracing")]
fn renamed(x: u32) -> u32 {
    x + 1
}

fn main() {
    assert_eq!(renamed(1), 2);
}
