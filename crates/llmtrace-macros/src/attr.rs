//! Parsing of the macro arguments, with spanned errors for unknown, duplicate and misplaced ones.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Token};

/// Which macro is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Llm,
    Embedding,
    Retriever,
    Tool,
    Agent,
    Chain,
}

impl Kind {
    pub(crate) fn macro_name(self) -> &'static str {
        match self {
            Kind::Llm => "llm",
            Kind::Embedding => "embedding",
            Kind::Retriever => "retriever",
            Kind::Tool => "tool",
            Kind::Agent => "agent",
            Kind::Chain => "chain",
        }
    }

    /// The arguments this macro takes besides the `#[instrument]`-style ones.
    fn own_args(self) -> &'static [&'static str] {
        match self {
            Kind::Llm => &["model", "provider", "operation", "stream"],
            Kind::Embedding => &["model", "provider"],
            Kind::Retriever => &["data_source"],
            Kind::Tool => &["description", "tool_type"],
            Kind::Agent => &["description"],
            Kind::Chain => &[],
        }
    }
}

const COMMON: &[&str] = &[
    "name", "skip", "skip_all", "fields", "err", "ret", "level", "capture", "crate",
];

/// The parsed arguments.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) name: Option<Expr>,
    pub(crate) model: Option<Expr>,
    pub(crate) provider: Option<Expr>,
    pub(crate) operation: Option<LitStr>,
    pub(crate) data_source: Option<Expr>,
    pub(crate) description: Option<Expr>,
    pub(crate) tool_type: Option<Expr>,
    pub(crate) stream: bool,
    pub(crate) skip: Vec<Ident>,
    pub(crate) skip_all: bool,
    pub(crate) fields: Option<TokenStream>,
    pub(crate) err: bool,
    pub(crate) error_type: Option<LitStr>,
    pub(crate) ret: bool,
    pub(crate) capture: bool,
    pub(crate) level: Option<LitStr>,
    pub(crate) krate: Option<syn::Path>,
}

enum Value {
    Flag,
    Expr(Expr),
    List(TokenStream),
}

struct Arg {
    ident: Ident,
    value: Value,
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let ident = if input.peek(Token![crate]) {
            let token: Token![crate] = input.parse()?;
            Ident::new("crate", token.span)
        } else {
            input.parse::<Ident>()?
        };
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Value::Expr(input.parse()?)
        } else if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            Value::List(content.parse()?)
        } else {
            Value::Flag
        };
        Ok(Arg { ident, value })
    }
}

fn lit_str(expr: Expr, what: &str) -> syn::Result<LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{what}` takes a string literal"),
        )),
    }
}

impl Args {
    pub(crate) fn parse(kind: Kind, tokens: TokenStream) -> syn::Result<Args> {
        let list =
            syn::parse::Parser::parse2(Punctuated::<Arg, Token![,]>::parse_terminated, tokens)?;
        let mut args = Args::default();
        let mut seen: Vec<String> = Vec::new();
        for arg in list {
            let key = arg.ident.to_string();
            if !COMMON.contains(&key.as_str()) && !kind.own_args().contains(&key.as_str()) {
                let mut known: Vec<&str> = COMMON.to_vec();
                known.extend(kind.own_args());
                return Err(syn::Error::new(
                    arg.ident.span(),
                    format!(
                        "unknown argument `{key}` for #[{}]; expected one of: {}",
                        kind.macro_name(),
                        known.join(", ")
                    ),
                ));
            }
            if seen.contains(&key) {
                return Err(syn::Error::new(
                    arg.ident.span(),
                    format!("duplicate argument `{key}`"),
                ));
            }
            seen.push(key.clone());
            let span = arg.ident.span();
            match (key.as_str(), arg.value) {
                ("stream", Value::Flag) => args.stream = true,
                ("skip_all", Value::Flag) => args.skip_all = true,
                ("err", Value::Flag) => args.err = true,
                ("err", Value::List(list)) => {
                    let inner: ErrArgs = syn::parse2(list)?;
                    args.err = true;
                    args.error_type = Some(inner.error_type);
                }
                ("ret", Value::Flag) => args.ret = true,
                ("capture", Value::Flag) => args.capture = true,
                ("skip", Value::List(list)) => {
                    // `self` is accepted (and never recorded anyway).
                    args.skip = syn::parse::Parser::parse2(
                        |input: ParseStream<'_>| {
                            Punctuated::<Ident, Token![,]>::parse_terminated_with(
                                input,
                                syn::ext::IdentExt::parse_any,
                            )
                        },
                        list,
                    )?
                    .into_iter()
                    .collect();
                }
                ("fields", Value::List(list)) => args.fields = Some(list),
                ("name", Value::Expr(e)) => args.name = Some(e),
                ("model", Value::Expr(e)) => args.model = Some(e),
                ("provider", Value::Expr(e)) => args.provider = Some(e),
                ("data_source", Value::Expr(e)) => args.data_source = Some(e),
                ("description", Value::Expr(e)) => args.description = Some(e),
                ("tool_type", Value::Expr(e)) => args.tool_type = Some(e),
                ("operation", Value::Expr(e)) => {
                    let lit = lit_str(e, "operation")?;
                    if lit.value() != "chat" && lit.value() != "text_completion" {
                        return Err(syn::Error::new(
                            lit.span(),
                            "`operation` is \"chat\" (default) or \"text_completion\"",
                        ));
                    }
                    args.operation = Some(lit);
                }
                ("level", Value::Expr(e)) => {
                    let lit = lit_str(e, "level")?;
                    let ok = ["trace", "debug", "info", "warn", "error"]
                        .contains(&lit.value().to_ascii_lowercase().as_str());
                    if !ok {
                        return Err(syn::Error::new(
                            lit.span(),
                            "`level` is one of \"trace\", \"debug\", \"info\", \"warn\", \"error\"",
                        ));
                    }
                    args.level = Some(lit);
                }
                ("crate", Value::Expr(e)) => {
                    let lit = lit_str(e, "crate")?;
                    args.krate = Some(lit.parse()?);
                }
                (key, _) => {
                    let form = match key {
                        "stream" | "skip_all" | "ret" | "capture" => {
                            format!("`{key}` takes no value")
                        }
                        "skip" => "write `skip(arg, …)`".to_owned(),
                        "fields" => "write `fields(key = value, …)`".to_owned(),
                        "err" => "write `err` or `err(error_type = \"…\")`".to_owned(),
                        _ => format!("write `{key} = …`"),
                    };
                    return Err(syn::Error::new(span, form));
                }
            }
        }
        if args.skip_all && !args.skip.is_empty() {
            return Err(syn::Error::new(
                args.skip[0].span(),
                "`skip` and `skip_all` cannot be used together",
            ));
        }
        if matches!(kind, Kind::Llm | Kind::Embedding) && args.model.is_none() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!(
                    "#[{}] needs `model = …` (a string, or an expression over the arguments such as `model = req.model`)",
                    kind.macro_name()
                ),
            ));
        }
        Ok(args)
    }
}

struct ErrArgs {
    error_type: LitStr,
}

impl Parse for ErrArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let ident: Ident = input.parse()?;
        if ident != "error_type" {
            return Err(syn::Error::new(
                ident.span(),
                "`err` takes `error_type = \"…\"`",
            ));
        }
        input.parse::<Token![=]>()?;
        Ok(ErrArgs {
            error_type: input.parse()?,
        })
    }
}

/// The expression as tokens (for quoting).
pub(crate) fn tokens(expr: &Expr) -> TokenStream {
    expr.to_token_stream()
}
