//! Code generation: wraps the function body in a span built by the facade's span API.
//!
//! The generated body, step by step:
//! 1. [`Expansion::create_span`]: the `tracing` span (fields declared up front), the GenAI
//!    attributes (as creation-time fields when every one is a literal, see
//!    [`Expansion::static_fields`], else from the span builder), captured inputs, a guard that
//!    records a panic;
//! 2. [`Expansion::run_body`]: the original body inside the span — a closure run in the span,
//!    an `async` block instrumented with it, or (for a function that returns `async move { .. }`,
//!    as `#[async_trait]` writes it) that returned future instrumented in place;
//! 3. [`Expansion::finish`]: the error, outcome (usage, response) and output recorded from the
//!    result, or a returned stream wrapped so its chunks are recorded as they arrive.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Block, Expr, Ident, ItemFn, ReturnType, Signature};

use crate::attr::{tokens, Args, Kind, Level, Operation};
use crate::signature::{
    arg_idents, async_block_body, has_impl_trait, has_receiver, stream_shape, StreamShape,
};

pub(crate) fn expand(kind: Kind, args: Args, item: ItemFn) -> syn::Result<TokenStream> {
    let shape = check(kind, &args, &item)?;
    let expansion = Expansion::new(kind, &args, shape);
    let create = expansion.create_span(&item);
    let finish = expansion.finish();
    match async_block_body(&item) {
        Some(last) => expansion.instrument_returned_future(item, last, &create, &finish),
        None => Ok(expansion.instrument_body(item, &create, &finish)),
    }
}

/// The checks that need the function as well as the arguments; returns how a streaming
/// `#[llm]` function returns its stream.
fn check(kind: Kind, args: &Args, item: &ItemFn) -> syn::Result<Option<StreamShape>> {
    if let Some(constness) = &item.sig.constness {
        return Err(syn::Error::new(
            constness.span(),
            format!(
                "#[{}] cannot instrument a `const fn`: spans are created at run time",
                kind.macro_name()
            ),
        ));
    }
    check_skip(args, item)?;
    let shape = stream_shape(&item.sig.output, args.stream).filter(|_| kind == Kind::Llm);
    if args.stream && shape.is_none() {
        let message = "`stream` needs the return type `impl Stream<Item = …>`, `Result<impl Stream<Item = …>, E>` or `Pin<Box<dyn Stream<Item = …>>>`";
        return Err(match &item.sig.output {
            ReturnType::Type(_, ty) => syn::Error::new_spanned(ty, message),
            ReturnType::Default => syn::Error::new(item.sig.ident.span(), message),
        });
    }
    Ok(shape)
}

/// Every name in `skip(..)` is a parameter of the function.
fn check_skip(args: &Args, item: &ItemFn) -> syn::Result<()> {
    let idents = arg_idents(item);
    for skipped in &args.skip {
        let exists =
            idents.iter().any(|i| i == skipped) || (skipped == "self" && has_receiver(item));
        if !exists {
            return Err(syn::Error::new(
                skipped.span(),
                format!("`skip({skipped})`: this function has no parameter named `{skipped}`"),
            ));
        }
    }
    Ok(())
}

/// What the generation steps share: the macro, its arguments, and the names the code uses.
struct Expansion<'a> {
    kind: Kind,
    args: &'a Args,
    /// Set for an `#[llm]` function that returns a stream.
    shape: Option<StreamShape>,
    /// `::llmtrace`, or the path given with `crate = "…"`.
    krate: TokenStream,
    /// `#krate::__private`, the only other path the code names.
    private: TokenStream,
    /// The local holding the span.
    span: Ident,
}

impl<'a> Expansion<'a> {
    fn new(kind: Kind, args: &'a Args, shape: Option<StreamShape>) -> Self {
        let krate = args
            .krate
            .clone()
            .map(|p| quote!(#p))
            .unwrap_or_else(|| quote!(::llmtrace));
        let private = quote!(#krate::__private);
        Expansion {
            kind,
            args,
            shape,
            krate,
            private,
            span: format_ident!("__llmtrace_span"),
        }
    }

    /// The statements that open the span and fill in what is known before the body runs.
    fn create_span(&self, item: &ItemFn) -> TokenStream {
        let (p, span) = (&self.private, &self.span);
        let fn_name = item.sig.ident.to_string();
        let callsite_name = self.callsite_name(&fn_name);
        let level = self.level();
        let fields = self.args.fields.as_ref().map(|f| quote!(, #f));
        let builder = self.span_builder(&fn_name);
        let capture_args = self.capture_inputs(item);
        // Streams measure the time to their first chunk from here; nothing else reads the clock.
        let started = self
            .shape
            .is_some()
            .then(|| quote!(let __llmtrace_started = #p::Instant::now();));
        if let Some(known) = self.static_fields() {
            // Every attribute is known at compile time: the span is created with them as its
            // fields, in one step, as `#[instrument]` creates its span.
            return quote! {
                let #span = #p::tracing::span!(
                    target: ::core::module_path!(),
                    #level,
                    #callsite_name,
                    #(#known),*
                    #fields
                );
                #started
                if !#span.is_disabled() {
                    #capture_args
                }
                let __llmtrace_guard = #p::PanicGuard::new(&#span);
            };
        }
        quote! {
            let #span = #p::tracing::span!(
                target: ::core::module_path!(),
                #level,
                #callsite_name,
                otel.name = #p::tracing::field::Empty,
                otel.kind = #p::tracing::field::Empty
                #fields
            );
            #started
            if !#span.is_disabled() {
                #p::apply(&#span, || #builder);
                #capture_args
            }
            let __llmtrace_guard = #p::PanicGuard::new(&#span);
        }
    }

    /// For an `#[llm]` or `#[embedding]` span whose model and provider are string literals: its
    /// name, kind and GenAI attributes as the span's creation-time fields (what the span
    /// builder would give it, without building anything at run time). `None` when any of them
    /// is an expression, or for the other macros (their builders do more: the tool mark, the
    /// agent's default provider).
    fn static_fields(&self) -> Option<Vec<TokenStream>> {
        let (args, p) = (self.args, &self.private);
        let literal = |e: &Expr| match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        };
        let operation = match (self.kind, args.operation) {
            (Kind::Llm, Some(Operation::TextCompletion)) => "text_completion",
            (Kind::Llm, Some(Operation::Chat) | None) => "chat",
            (Kind::Embedding, _) => "embeddings",
            _ => return None,
        };
        let model = literal(args.model.as_ref()?)?;
        let provider = match &args.provider {
            Some(e) => Some(literal(e)?),
            None => None,
        };
        // `{operation} {model}`, as `llmtrace_semconv::span_name` writes it.
        let name = if model.is_empty() {
            operation.to_owned()
        } else {
            format!("{operation} {model}")
        };
        // Dotted field names, not `{ CONSTANT }` ones: tracing expands those with the prelude's
        // `Some`, which `#![no_implicit_prelude]` callers do not have. The keys are the
        // conventions' (`llmtrace_semconv::attribute`); tests compare these spans with the span
        // API's.
        let mut fields = vec![
            quote!(otel.name = #name),
            quote!(otel.kind = #p::CLIENT_KIND),
            quote!(gen_ai.operation.name = #operation),
            quote!(gen_ai.request.model = #model),
        ];
        if let Some(provider) = provider {
            fields.push(quote!(gen_ai.provider.name = #provider));
        }
        if self.shape.is_some() {
            fields.push(quote!(gen_ai.request.stream = true));
        }
        Some(fields)
    }

    /// The callsite's static name: a literal `name = "…"`, else the function's name (the span's
    /// OpenTelemetry name is set at run time by the builder).
    fn callsite_name(&self, fn_name: &str) -> String {
        match &self.args.name {
            Some(Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })) => s.value(),
            _ => fn_name.to_owned(),
        }
    }

    fn level(&self) -> TokenStream {
        let p = &self.private;
        match self.args.level.unwrap_or(Level::Info) {
            Level::Trace => quote!(#p::tracing::Level::TRACE),
            Level::Debug => quote!(#p::tracing::Level::DEBUG),
            Level::Info => quote!(#p::tracing::Level::INFO),
            Level::Warn => quote!(#p::tracing::Level::WARN),
            Level::Error => quote!(#p::tracing::Level::ERROR),
        }
    }

    /// The facade's span builder for this kind of span, with the attributes the arguments give.
    fn span_builder(&self, fn_name: &str) -> TokenStream {
        let (args, k) = (self.args, &self.krate);
        let to_string = |e: &Expr| {
            let e = tokens(e);
            quote!(::std::string::ToString::to_string(&(#e)))
        };
        let target = args
            .name
            .as_ref()
            .map(to_string)
            .unwrap_or_else(|| quote!(::std::string::ToString::to_string(#fn_name)));
        let model = || args.model.as_ref().map(to_string).unwrap_or_default();
        let provider = method_call("provider", &args.provider);
        match self.kind {
            Kind::Llm => {
                let ctor = match args.operation {
                    Some(Operation::TextCompletion) => quote!(#k::completion),
                    Some(Operation::Chat) | None => quote!(#k::chat),
                };
                let model = model();
                let stream = self.shape.is_some().then(|| quote!(.stream(true)));
                quote!(#ctor(#model) #provider #stream)
            }
            Kind::Embedding => {
                let model = model();
                quote!(#k::embeddings(#model) #provider)
            }
            Kind::Retriever => {
                let source = args.data_source.as_ref().map(to_string).unwrap_or(target);
                quote!(#k::retrieval(#source))
            }
            Kind::Tool => {
                let description = method_call("description", &args.description);
                let tool_type = method_call("tool_type", &args.tool_type);
                quote!(#k::tool(#target) #description #tool_type)
            }
            Kind::Agent => {
                let description = method_call("description", &args.description);
                quote!(#k::agent(#target) #description)
            }
            Kind::Chain => quote!(#k::chain(#target)),
        }
    }

    /// With `capture`: records the arguments not skipped, each as JSON, `Debug` or not at all,
    /// whichever its type allows.
    fn capture_inputs(&self, item: &ItemFn) -> Option<TokenStream> {
        let (args, p, span) = (self.args, &self.private, &self.span);
        if !args.capture || args.skip_all {
            return None;
        }
        let idents = arg_idents(item);
        let captured: Vec<&Ident> = idents.iter().filter(|i| !args.skip.contains(i)).collect();
        if captured.is_empty() {
            return None;
        }
        let names = captured.iter().map(|i| i.to_string());
        Some(quote! {
            #p::record_input(&#span, || {
                use #p::{CaptureViaSerialize as _, CaptureViaDebug as _, CaptureViaNothing as _};
                ::std::vec![#( (#names, (&&&#p::Probe(&#captured)).__llmtrace_capture()) ),*]
            });
        })
    }

    /// The original body run inside the span: an instrumented `async` block for an `async fn`,
    /// else a closure run with the span entered. The return type is written out when it can be
    /// named, so `?` and `return` inside the body keep their meaning.
    fn run_body(&self, sig: &Signature, block: &Block) -> TokenStream {
        let (p, span) = (&self.private, &self.span);
        let ret_ty = match &sig.output {
            ReturnType::Default => Some(quote!(())),
            ReturnType::Type(_, ty) if !has_impl_trait(ty) => Some(quote!(#ty)),
            ReturnType::Type(..) => None,
        };
        if sig.asyncness.is_some() {
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
            quote!(#p::Instrument::instrument(#annotated, ::core::clone::Clone::clone(&#span)).await)
        } else {
            let annotated = match &ret_ty {
                Some(ty) => quote!(move || -> #ty #block),
                None => quote!(move || #block),
            };
            quote!(#span.in_scope(#annotated))
        }
    }

    /// The statements after the body: record what `__llmtrace_result` holds and return it (a
    /// returned stream is wrapped instead, and records its chunks itself).
    fn finish(&self) -> TokenStream {
        if let Some(shape) = self.shape {
            let wrapped = self.wrap_stream(shape);
            return quote! {
                __llmtrace_guard.disarm();
                #wrapped
            };
        }
        let record_error = self.record_error();
        let record_outcome = self.record_outcome();
        let record_output = self.record_output();
        quote! {
            #record_error
            #record_outcome
            #record_output
            __llmtrace_guard.disarm();
            __llmtrace_result
        }
    }

    /// An `Err` result: its type and message (via `Error`, `Display` or `Debug`).
    fn record_error(&self) -> TokenStream {
        let (args, p, span) = (self.args, &self.private, &self.span);
        let error_type = match &args.error_type {
            Some(lit) => quote!(::core::option::Option::Some(#lit)),
            None => quote!(::core::option::Option::None),
        };
        quote! {
            {
                use #p::{ErrViaError as _, ErrViaDisplay as _, ErrViaDebug as _, ErrViaNothing as _};
                (&&&&#p::Probe(&__llmtrace_result)).__llmtrace_error(&#span, #error_type);
            }
        }
    }

    /// What a result type knows how to record about itself (usage, response, documents).
    fn record_outcome(&self) -> TokenStream {
        let (p, span) = (&self.private, &self.span);
        let outcome = quote! {
            use #p::{OutcomeVia as _, OutcomeViaNothing as _};
            (&&#p::Probe(&__llmtrace_result)).__llmtrace_outcome(&#span);
        };
        // Embeddings produce no output tokens: usage recorded from the return value has none.
        match self.kind {
            Kind::Embedding => quote!(#p::embedding_outcome(|| { #outcome });),
            _ => quote!({ #outcome }),
        }
    }

    /// With `ret` or `capture`: the returned value, as JSON, `Debug` or not at all.
    fn record_output(&self) -> Option<TokenStream> {
        let (args, p, span) = (self.args, &self.private, &self.span);
        (args.ret || args.capture).then(|| {
            quote! {
                {
                    use #p::{CaptureViaSerialize as _, CaptureViaDebug as _, CaptureViaNothing as _};
                    #p::record_output(&#span, || (&&&#p::Probe(&__llmtrace_result)).__llmtrace_capture());
                }
            }
        })
    }

    /// The returned stream wrapped so the span ends with it and records each chunk, in the
    /// shape the function returns it.
    fn wrap_stream(&self, shape: StreamShape) -> TokenStream {
        match shape {
            StreamShape::Direct => self.instrumented_stream(quote!(__llmtrace_result)),
            StreamShape::Boxed => {
                let inner = self.instrumented_stream(quote!(__llmtrace_result));
                quote!(::std::boxed::Box::pin(#inner))
            }
            StreamShape::InResult => {
                let record_error = self.record_error();
                let inner = self.instrumented_stream(quote!(__llmtrace_stream));
                quote! {
                    #record_error
                    ::core::result::Result::map(__llmtrace_result, |__llmtrace_stream| #inner)
                }
            }
        }
    }

    fn instrumented_stream(&self, stream: TokenStream) -> TokenStream {
        let (p, span) = (&self.private, &self.span);
        quote! {
            #p::InstrumentedStream::new(
                #stream,
                ::core::clone::Clone::clone(&#span),
                __llmtrace_started,
                |__llmtrace_item, __llmtrace_chunk_span| {
                    use #p::{OutcomeVia as _, OutcomeViaNothing as _};
                    (&&#p::Probe(__llmtrace_item)).__llmtrace_outcome(__llmtrace_chunk_span);
                },
            )
        }
    }

    /// The function with its body replaced by: create the span, run the body in it, finish.
    fn instrument_body(
        &self,
        item: ItemFn,
        create: &TokenStream,
        finish: &TokenStream,
    ) -> TokenStream {
        let ItemFn {
            attrs,
            vis,
            sig,
            block,
        } = item;
        let run = self.run_body(&sig, &block);
        let body = quote_spanned! {block.span()=>
            #create
            let __llmtrace_result = #run;
            #finish
        };
        quote! {
            #(#attrs)*
            #vis #sig {
                #body
            }
        }
    }

    /// Instruments the future the body returns (`#[async_trait]` methods, `-> impl Future`): the
    /// statements before it run unchanged, the span opens when the future is first polled.
    fn instrument_returned_future(
        &self,
        item: ItemFn,
        last: usize,
        create: &TokenStream,
        finish: &TokenStream,
    ) -> syn::Result<TokenStream> {
        let (p, span) = (&self.private, &self.span);
        let ItemFn {
            attrs,
            vis,
            sig,
            mut block,
        } = item;
        let mut tail = block.stmts.remove(last);
        let future = match &mut tail {
            syn::Stmt::Expr(Expr::Call(call), None) => call.args.first_mut(),
            syn::Stmt::Expr(expr, None) => Some(expr),
            _ => None,
        };
        if let Some(future) = future {
            if let Expr::Async(inner) = &*future {
                let inner_block = &inner.block;
                let inner_attrs = &inner.attrs;
                let run = quote! {
                    #p::Instrument::instrument(
                        async move #inner_block,
                        ::core::clone::Clone::clone(&#span),
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
        Ok(quote! {
            #(#attrs)*
            #vis #sig {
                #(#stmts)*
                #tail
            }
        })
    }
}

/// `.method(expr)` when the argument is given.
fn method_call(method: &str, arg: &Option<Expr>) -> Option<TokenStream> {
    let method = Ident::new(method, Span::call_site());
    arg.as_ref().map(|e| {
        let e = tokens(e);
        quote!(.#method(#e))
    })
}
