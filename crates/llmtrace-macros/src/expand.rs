//! Code generation: wraps the function body in a span built by the facade's span API.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

use crate::attr::{tokens, Args, Kind, Level, Operation};

/// Whether a type mentions `impl Trait` (which a closure or `let` annotation cannot name).
fn has_impl_trait(ty: &Type) -> bool {
    match ty {
        Type::ImplTrait(_) => true,
        Type::Reference(r) => has_impl_trait(&r.elem),
        Type::Paren(p) => has_impl_trait(&p.elem),
        Type::Tuple(t) => t.elems.iter().any(has_impl_trait),
        Type::Path(p) => p.path.segments.iter().any(|s| match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|g| match g {
                syn::GenericArgument::Type(t) => has_impl_trait(t),
                _ => false,
            }),
            _ => false,
        }),
        _ => false,
    }
}

/// How a streamed response is returned, so the stream can be wrapped without changing the
/// function's return type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamShape {
    /// `impl Stream<..>`: returned as the wrapper.
    Direct,
    /// `Result<impl Stream<..>, E>`: the `Ok` stream is wrapped.
    InResult,
    /// `Pin<Box<dyn Stream<..>>>` or a `BoxStream<..>` alias: the wrapper is boxed again.
    Boxed,
}

fn bounds_name_stream<'a>(bounds: impl IntoIterator<Item = &'a syn::TypeParamBound>) -> bool {
    bounds.into_iter().any(|b| match b {
        syn::TypeParamBound::Trait(t) => {
            t.path.segments.last().is_some_and(|s| s.ident == "Stream")
        }
        _ => false,
    })
}

fn first_type_arg(segment: &syn::PathSegment) -> Option<&Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// The stream shape of a return type; `explicit` (the `stream` argument) also accepts a
/// `BoxStream` alias, which cannot be recognised from its name alone.
fn stream_shape(output: &ReturnType, explicit: bool) -> Option<StreamShape> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    match &**ty {
        Type::ImplTrait(t) if bounds_name_stream(&t.bounds) => Some(StreamShape::Direct),
        Type::Path(p) => {
            let last = p.path.segments.last()?;
            if last.ident == "Result" {
                match first_type_arg(last)? {
                    Type::ImplTrait(t) if bounds_name_stream(&t.bounds) => {
                        Some(StreamShape::InResult)
                    }
                    _ => None,
                }
            } else if last.ident == "Pin" {
                let Type::Path(boxed) = first_type_arg(last)? else {
                    return None;
                };
                let boxed = boxed.path.segments.last()?;
                match first_type_arg(boxed)? {
                    Type::TraitObject(t)
                        if boxed.ident == "Box" && bounds_name_stream(&t.bounds) =>
                    {
                        Some(StreamShape::Boxed)
                    }
                    _ => None,
                }
            } else if explicit && last.ident == "BoxStream" {
                Some(StreamShape::Boxed)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A non-`async` function whose body ends in an `async move` block, bare (`-> impl Future`) or
/// boxed (`Box::pin(async move { .. })`, what `#[async_trait]` generates): the span must wrap
/// the future, not its construction. Returns the index of that last statement.
fn async_block_body(item: &ItemFn) -> Option<usize> {
    if item.sig.asyncness.is_some() {
        return None;
    }
    let last = item.block.stmts.len().checked_sub(1)?;
    let syn::Stmt::Expr(expr, None) = &item.block.stmts[last] else {
        return None;
    };
    let is_async_move = |e: &syn::Expr| matches!(e, syn::Expr::Async(a) if a.capture.is_some());
    let found = match expr {
        syn::Expr::Async(_) => is_async_move(expr),
        syn::Expr::Call(call) => {
            let is_box_pin = match &*call.func {
                syn::Expr::Path(p) => {
                    let segments: Vec<String> = p
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect();
                    segments.ends_with(&["Box".to_owned(), "pin".to_owned()])
                }
                _ => false,
            };
            is_box_pin && call.args.len() == 1 && call.args.first().is_some_and(is_async_move)
        }
        _ => false,
    };
    found.then_some(last)
}

/// Argument names that can be recorded (simple identifier patterns, not `self`).
fn arg_idents(item: &ItemFn) -> Vec<syn::Ident> {
    item.sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(t) => match &*t.pat {
                Pat::Ident(p) => Some(p.ident.clone()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect()
}

pub(crate) fn expand(kind: Kind, args: Args, item: ItemFn) -> syn::Result<TokenStream> {
    if let Some(constness) = &item.sig.constness {
        return Err(syn::Error::new(
            constness.span(),
            format!(
                "#[{}] cannot instrument a `const fn`: spans are created at run time",
                kind.macro_name()
            ),
        ));
    }
    let idents = arg_idents(&item);
    let has_receiver = matches!(item.sig.inputs.first(), Some(FnArg::Receiver(_)));
    for skipped in &args.skip {
        let exists = idents.iter().any(|i| i == skipped) || (skipped == "self" && has_receiver);
        if !exists {
            return Err(syn::Error::new(
                skipped.span(),
                format!("`skip({skipped})`: this function has no parameter named `{skipped}`"),
            ));
        }
    }
    let is_async = item.sig.asyncness.is_some();
    let async_block = async_block_body(&item);
    let shape = stream_shape(&item.sig.output, args.stream).filter(|_| kind == Kind::Llm);
    let stream = shape.is_some();
    if args.stream && kind == Kind::Llm && shape.is_none() {
        let message = "`stream` needs the return type `impl Stream<Item = …>`, `Result<impl Stream<Item = …>, E>` or `Pin<Box<dyn Stream<Item = …>>>`";
        return Err(match &item.sig.output {
            ReturnType::Type(_, ty) => syn::Error::new_spanned(ty, message),
            ReturnType::Default => syn::Error::new(item.sig.ident.span(), message),
        });
    }
    if args.stream && kind != Kind::Llm {
        return Err(syn::Error::new(
            Span::call_site(),
            "`stream` is for #[llm] only",
        ));
    }

    let k = args
        .krate
        .clone()
        .map(|p| quote!(#p))
        .unwrap_or_else(|| quote!(::llmtrace));
    let p = quote!(#k::__private);
    let fn_name = item.sig.ident.to_string();
    let callsite_name = match (&args.name, kind) {
        (
            Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })),
            _,
        ) => s.value(),
        _ => fn_name.clone(),
    };
    let level = match args.level {
        Some(Level::Trace) => quote!(#p::tracing::Level::TRACE),
        Some(Level::Debug) => quote!(#p::tracing::Level::DEBUG),
        Some(Level::Warn) => quote!(#p::tracing::Level::WARN),
        Some(Level::Error) => quote!(#p::tracing::Level::ERROR),
        Some(Level::Info) | None => quote!(#p::tracing::Level::INFO),
    };
    let fields = args.fields.as_ref().map(|f| quote!(, #f));

    let to_string = |e: &syn::Expr| {
        let e = tokens(e);
        quote!(::std::string::ToString::to_string(&(#e)))
    };
    let default_name = quote!(::std::string::ToString::to_string(#fn_name));
    let target = args
        .name
        .as_ref()
        .map(to_string)
        .unwrap_or_else(|| default_name.clone());
    let provider = args.provider.as_ref().map(|e| {
        let e = tokens(e);
        quote!(.provider(#e))
    });
    let builder = match kind {
        Kind::Llm => {
            let model = args.model.as_ref().map(to_string).unwrap_or_default();
            let ctor = match args.operation {
                Some(Operation::TextCompletion) => quote!(#k::completion),
                Some(Operation::Chat) | None => quote!(#k::chat),
            };
            let stream = stream.then(|| quote!(.stream(true)));
            quote!(#ctor(#model) #provider #stream)
        }
        Kind::Embedding => {
            let model = args.model.as_ref().map(to_string).unwrap_or_default();
            quote!(#k::embeddings(#model) #provider)
        }
        Kind::Retriever => {
            let source = args.data_source.as_ref().map(to_string).unwrap_or(target);
            quote!(#k::retrieval(#source))
        }
        Kind::Tool => {
            let description = args.description.as_ref().map(|e| {
                let e = tokens(e);
                quote!(.description(#e))
            });
            let tool_type = args.tool_type.as_ref().map(|e| {
                let e = tokens(e);
                quote!(.tool_type(#e))
            });
            quote!(#k::tool(#target) #description #tool_type)
        }
        Kind::Agent => {
            let description = args.description.as_ref().map(|e| {
                let e = tokens(e);
                quote!(.description(#e))
            });
            quote!(#k::agent(#target) #description)
        }
        Kind::Chain => quote!(#k::chain(#target)),
    };

    let captured: Vec<&syn::Ident> = if args.capture && !args.skip_all {
        idents.iter().filter(|i| !args.skip.contains(i)).collect()
    } else {
        Vec::new()
    };
    let capture_args = (!captured.is_empty()).then(|| {
        let names = captured.iter().map(|i| i.to_string());
        quote! {
            #p::record_input(&__llmtrace_span, || {
                use #p::{CaptureViaSerialize as _, CaptureViaDebug as _, CaptureViaNothing as _};
                ::std::vec![#( (#names, (&&&#p::Probe(&#captured)).__llmtrace_capture()) ),*]
            });
        }
    });

    let span_ident = format_ident!("__llmtrace_span");
    // Streams measure the time to their first chunk from here; nothing else reads the clock.
    let started = stream.then(|| quote!(let __llmtrace_started = #p::Instant::now();));
    let create = quote! {
        let #span_ident = #p::tracing::span!(
            target: ::core::module_path!(),
            #level,
            #callsite_name,
            otel.name = #p::tracing::field::Empty,
            otel.kind = #p::tracing::field::Empty
            #fields
        );
        #started
        if !#span_ident.is_disabled() {
            #p::apply(&#span_ident, || #builder);
            #capture_args
        }
        let __llmtrace_guard = #p::PanicGuard::new(&#span_ident);
    };

    let ItemFn {
        attrs,
        vis,
        sig,
        mut block,
    } = item;
    let ret_ty = match &sig.output {
        ReturnType::Default => Some(quote!(())),
        ReturnType::Type(_, ty) if !has_impl_trait(ty) => Some(quote!(#ty)),
        ReturnType::Type(..) => None,
    };

    let error_type = match &args.error_type {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    let record_output = (args.ret || args.capture).then(|| {
        quote! {
            {
                use #p::{CaptureViaSerialize as _, CaptureViaDebug as _, CaptureViaNothing as _};
                #p::record_output(&#span_ident, || (&&&#p::Probe(&__llmtrace_result)).__llmtrace_capture());
            }
        }
    });

    let run = if is_async {
        let annotated = match &ret_ty {
            Some(ty) => quote! {
                async move {
                    let __llmtrace_out: #ty = #block;
                    #[allow(unreachable_code)]
                    __llmtrace_out
                }
            },
            None => quote!(async move #block),
        };
        quote!(#p::Instrument::instrument(#annotated, ::core::clone::Clone::clone(&#span_ident)).await)
    } else {
        let annotated = match &ret_ty {
            Some(ty) => quote!(move || -> #ty #block),
            None => quote!(move || #block),
        };
        quote!(#span_ident.in_scope(#annotated))
    };

    let wrap = |stream: TokenStream| {
        quote! {
            #p::InstrumentedStream::new(
                #stream,
                ::core::clone::Clone::clone(&#span_ident),
                __llmtrace_started,
                |__llmtrace_item, __llmtrace_chunk_span| {
                    use #p::{OutcomeVia as _, OutcomeViaNothing as _};
                    (&&#p::Probe(__llmtrace_item)).__llmtrace_outcome(__llmtrace_chunk_span);
                },
            )
        }
    };
    let record_error = quote! {
        {
            use #p::{ErrViaError as _, ErrViaDisplay as _, ErrViaDebug as _, ErrViaNothing as _};
            (&&&&#p::Probe(&__llmtrace_result)).__llmtrace_error(&#span_ident, #error_type);
        }
    };
    let finish = if let Some(shape) = shape {
        let wrapped = match shape {
            StreamShape::Direct => wrap(quote!(__llmtrace_result)),
            StreamShape::Boxed => {
                let inner = wrap(quote!(__llmtrace_result));
                quote!(::std::boxed::Box::pin(#inner))
            }
            StreamShape::InResult => {
                let inner = wrap(quote!(__llmtrace_stream));
                quote! {
                    #record_error
                    ::core::result::Result::map(__llmtrace_result, |__llmtrace_stream| #inner)
                }
            }
        };
        quote! {
            __llmtrace_guard.disarm();
            #wrapped
        }
    } else {
        quote! {
            #record_error
            {
                use #p::{OutcomeVia as _, OutcomeViaNothing as _};
                (&&#p::Probe(&__llmtrace_result)).__llmtrace_outcome(&#span_ident);
            }
            #record_output
            __llmtrace_guard.disarm();
            __llmtrace_result
        }
    };

    if let Some(last) = async_block {
        // Instrument the future the body returns (`#[async_trait]` methods, `-> impl Future`):
        // the statements before it run unchanged, the span opens when the future is first polled.
        let mut tail = block.stmts.remove(last);
        let future = match &mut tail {
            syn::Stmt::Expr(syn::Expr::Call(call), None) => call.args.first_mut(),
            syn::Stmt::Expr(expr, None) => Some(expr),
            _ => None,
        };
        if let Some(future) = future {
            if let syn::Expr::Async(inner) = &*future {
                let inner_block = &inner.block;
                let inner_attrs = &inner.attrs;
                let run = quote! {
                    #p::Instrument::instrument(
                        async move #inner_block,
                        ::core::clone::Clone::clone(&#span_ident),
                    ).await
                };
                *future = syn::parse2(quote_spanned! {inner_block.span()=>
                    #(#inner_attrs)*
                    async move {
                        #create
                        let __llmtrace_result = #run;
                        #finish
                    }
                })?;
            }
        }
        let stmts = &block.stmts;
        return Ok(quote! {
            #(#attrs)*
            #vis #sig {
                #(#stmts)*
                #tail
            }
        });
    }

    let body = quote_spanned! {block.span()=>
        #create
        let __llmtrace_result = #run;
        #finish
    };
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            #body
        }
    })
}
