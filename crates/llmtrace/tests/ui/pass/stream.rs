use futures_util::Stream;

#[llmtrace::llm(model = "gpt-4o", stream)]
fn chunks(n: u32) -> impl Stream<Item = u32> {
    futures_util::stream::iter(0..n)
}

#[llmtrace::llm(model = "gpt-4o", stream)]
async fn chunks_later(n: u32) -> impl Stream<Item = llmtrace::Usage> {
    futures_util::stream::iter((0..n).map(|i| llmtrace::Usage::new(u64::from(i), 1)))
}

fn main() {
    let _stream = chunks(3);
    let _future = chunks_later(3);
}
