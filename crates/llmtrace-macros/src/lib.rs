//! Attribute macros that wrap a function in a GenAI span: `#[llm]`, `#[embedding]`,
//! `#[retriever]`, `#[tool]`, `#[agent]` and `#[chain]`. Use them through the `llmtrace` crate,
//! which re-exports them and documents every argument; the generated code names only
//! `::llmtrace::__private` (or the path given with `crate = "…"`).
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]

mod attr;
mod expand;

use proc_macro::TokenStream;

use attr::{Args, Kind};

fn run(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let result = Args::parse(kind, args.into()).and_then(|args| {
        let item: syn::ItemFn = syn::parse(item)?;
        expand::expand(kind, args, item)
    });
    match result {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

/// Wraps a function that calls a model in a `chat {model}` span (or `text_completion`); see
/// the `llmtrace` crate docs.
#[proc_macro_attribute]
pub fn llm(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Llm, args, item)
}

/// Wraps a function that creates embeddings in an `embeddings {model}` span.
#[proc_macro_attribute]
pub fn embedding(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Embedding, args, item)
}

/// Wraps a function that retrieves documents in a `retrieval {data_source}` span.
#[proc_macro_attribute]
pub fn retriever(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Retriever, args, item)
}

/// Wraps a tool in an `execute_tool {name}` span.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Tool, args, item)
}

/// Wraps an agent in an `invoke_agent {name}` span.
#[proc_macro_attribute]
pub fn agent(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Agent, args, item)
}

/// Wraps a chain or workflow step in an `invoke_workflow {name}` span.
#[proc_macro_attribute]
pub fn chain(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Chain, args, item)
}
