use std::fmt::Display;

#[llmtrace::chain(capture)]
fn join<T: Display, I: IntoIterator<Item = T>>(items: I) -> impl Display
where
    T: Clone,
{
    items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

fn main() {
    assert_eq!(join([1, 2]).to_string(), "1,2");
}
