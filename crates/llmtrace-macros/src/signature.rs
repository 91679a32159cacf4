//! What the instrumented function looks like: its recordable arguments, whether its return type
//! can be named, whether it returns a stream or a future built by its last expression.

use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

/// Argument names that can be recorded (simple identifier patterns, not `self`).
pub(crate) fn arg_idents(item: &ItemFn) -> Vec<syn::Ident> {
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

pub(crate) fn has_receiver(item: &ItemFn) -> bool {
    matches!(item.sig.inputs.first(), Some(FnArg::Receiver(_)))
}

/// Whether a type mentions `impl Trait` (which a closure or `let` annotation cannot name).
pub(crate) fn has_impl_trait(ty: &Type) -> bool {
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
pub(crate) enum StreamShape {
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
pub(crate) fn stream_shape(output: &ReturnType, explicit: bool) -> Option<StreamShape> {
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
pub(crate) fn async_block_body(item: &ItemFn) -> Option<usize> {
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
            is_box_pin(&call.func)
                && call.args.len() == 1
                && call.args.first().is_some_and(is_async_move)
        }
        _ => false,
    };
    found.then_some(last)
}

/// A path ending in `Box::pin`.
fn is_box_pin(func: &syn::Expr) -> bool {
    let syn::Expr::Path(p) = func else {
        return false;
    };
    let mut names = p.path.segments.iter().rev().map(|s| &s.ident);
    matches!(
        (names.next(), names.next()),
        (Some(pin), Some(boxed)) if pin == "pin" && boxed == "Box"
    )
}
