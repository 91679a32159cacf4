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
mod signature;

use proc_macro::TokenStream;

use attr::{Args, Kind};

/// Expands one attribute. On an error, emits it next to the function as written (as
/// `tracing-attributes` does): the error is the only one reported, and callers still compile.
fn run(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    match instrument(kind, args.into(), item.clone()) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            let mut tokens = error.to_compile_error();
            tokens.extend(item);
            tokens.into()
        }
    }
}

fn instrument(
    kind: Kind,
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let args = Args::parse(kind, args)?;
    let item: syn::ItemFn = syn::parse2(item)?;
    expand::expand(kind, args, item)
}

/// Wraps a function that calls a model in a `chat {model}` span (kind CLIENT).
///
/// Own arguments: `model = …` (required: a literal or an expression over the arguments, e.g.
/// `model = req.model`), `provider = …`, `operation = "text_completion"`, `stream` (implied by an
/// `impl Stream`, `Result<impl Stream, E>` or `Pin<Box<dyn Stream>>` return type). Common
/// arguments (every macro): `name`, `skip(..)`, `skip_all`, `fields(..)`, `err`,
/// `err(error_type = "…")`, `ret`, `level = "…"`, `capture`, `crate = "…"`. See the "Macros"
/// section of the `llmtrace` crate docs.
#[proc_macro_attribute]
pub fn llm(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Llm, args, item)
}

/// Wraps a function that creates embeddings in an `embeddings {model}` span (kind CLIENT).
///
/// Own arguments: `model = …` (required), `provider = …`; plus the common ones (see [`llm`]).
#[proc_macro_attribute]
pub fn embedding(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Embedding, args, item)
}

/// Wraps a function that retrieves documents in a `retrieval {data_source}` span (kind CLIENT).
///
/// Own argument: `data_source = …` (default: `name`, else the function name); plus the common
/// ones (see [`llm`]). A returned `Vec<Document>` is recorded as the retrieved documents.
#[proc_macro_attribute]
pub fn retriever(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Retriever, args, item)
}

/// Wraps a tool in an `execute_tool {name}` span (kind INTERNAL; name: `name = …`, else the
/// function name).
///
/// Own arguments: `description = …`, `tool_type = …`; plus the common ones (see [`llm`]).
#[proc_macro_attribute]
pub fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Tool, args, item)
}

/// Wraps an agent in an `invoke_agent {name}` span (kind INTERNAL; name: `name = …`, else the
/// function name).
///
/// Own argument: `description = …`; plus the common ones (see [`llm`]).
#[proc_macro_attribute]
pub fn agent(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Agent, args, item)
}

/// Wraps a chain or workflow step in an `invoke_workflow {name}` span (kind INTERNAL; name:
/// `name = …`, else the function name). Takes the common arguments (see [`llm`]).
#[proc_macro_attribute]
pub fn chain(args: TokenStream, item: TokenStream) -> TokenStream {
    run(Kind::Chain, args, item)
}
