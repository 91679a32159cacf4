#![no_implicit_prelude]

#[::llmtrace::llm(model = "gpt-4o", capture, ret)]
fn ask(prompt: &::std::primitive::str) -> ::std::result::Result<::std::string::String, ::std::string::String> {
    ::std::result::Result::Ok(::std::string::ToString::to_string(prompt))
}

#[::llmtrace::agent]
async fn agent() -> ::std::primitive::u32 {
    1
}

fn main() {
    let _ = ask("hi");
    let _ = agent();
}
