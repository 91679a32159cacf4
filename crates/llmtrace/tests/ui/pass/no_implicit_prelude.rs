#![no_implicit_prelude]

#[::llmtrace::llm(model = "gpt-4o", capture, ret)]
fn ask(prompt: &::std::primitive::str) -> ::std::result::Result<::std::string::String, ::std::string::String> {
    ::std::result::Result::Ok(::std::string::ToString::to_string(prompt))
}

#[::llmtrace::agent]
async fn agent() -> ::std::primitive::u32 {
    1
}

#[::llmtrace::llm(model = "gpt-4o")]
fn chunks() -> impl ::futures_util::Stream<Item = ::llmtrace::Usage> {
    ::futures_util::stream::empty()
}

#[::llmtrace::tool]
fn boxed() -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::std::primitive::u32> + ::std::marker::Send>> {
    ::std::boxed::Box::pin(async move { 1 })
}

fn main() {
    let _ = chunks();
    let _ = boxed();
    let _ = ask("hi");
    let _ = agent();
}
