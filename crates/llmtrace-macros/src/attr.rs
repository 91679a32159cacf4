//! Parsing of the macro arguments, with spanned errors for unknown, duplicate and misplaced ones.
//!
//! Argument names are keywords (`syn::custom_keyword!`); each family of arguments (flags,
//! expressions, string literals, `skip(..)`, `err(..)`) has its own step, and the checks that
//! need several arguments run once all are read.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
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
    fn own_args(self) -> &'static [Key] {
        match self {
            Kind::Llm => &[Key::Model, Key::Provider, Key::Operation, Key::Stream],
            Kind::Embedding => &[Key::Model, Key::Provider],
            Kind::Retriever => &[Key::DataSource],
            Kind::Tool => &[Key::Description, Key::ToolType],
            Kind::Agent => &[Key::Description],
            Kind::Chain => &[],
        }
    }

    fn takes(self, key: Key) -> bool {
        COMMON.contains(&key) || self.own_args().contains(&key)
    }
}

/// The `#[instrument]`-style arguments every macro takes.
const COMMON: &[Key] = &[
    Key::Name,
    Key::Skip,
    Key::SkipAll,
    Key::Fields,
    Key::Err,
    Key::Ret,
    Key::Level,
    Key::Capture,
    Key::Crate,
];

/// The keywords of the argument names (`crate` is a Rust keyword: `Token![crate]`).
mod kw {
    syn::custom_keyword!(name);
    syn::custom_keyword!(skip);
    syn::custom_keyword!(skip_all);
    syn::custom_keyword!(fields);
    syn::custom_keyword!(err);
    syn::custom_keyword!(ret);
    syn::custom_keyword!(level);
    syn::custom_keyword!(capture);
    syn::custom_keyword!(model);
    syn::custom_keyword!(provider);
    syn::custom_keyword!(operation);
    syn::custom_keyword!(stream);
    syn::custom_keyword!(data_source);
    syn::custom_keyword!(description);
    syn::custom_keyword!(tool_type);
    // inside `err(..)`
    syn::custom_keyword!(error_type);
}

/// Declares [`Key`] from `Variant => keyword` pairs: its name for messages, and the parser that
/// recognises it by its keyword.
macro_rules! keys {
    ($($key:ident => $kw:ident),* $(,)?) => {
        /// An argument's name.
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Key {
            Crate,
            $($key,)*
        }

        impl Key {
            fn as_str(self) -> &'static str {
                match self {
                    Key::Crate => "crate",
                    $(Key::$key => stringify!($kw),)*
                }
            }

            /// Consumes the argument name at the front of `input`; `None` (nothing consumed)
            /// if it is not one.
            fn parse_known(input: ParseStream<'_>) -> syn::Result<Option<(Key, Span)>> {
                if input.peek(Token![crate]) {
                    let token: Token![crate] = input.parse()?;
                    return Ok(Some((Key::Crate, token.span)));
                }
                $(
                    if input.peek(kw::$kw) {
                        let keyword: kw::$kw = input.parse()?;
                        return Ok(Some((Key::$key, keyword.span)));
                    }
                )*
                Ok(None)
            }
        }
    };
}

keys! {
    Name => name,
    Skip => skip,
    SkipAll => skip_all,
    Fields => fields,
    Err => err,
    Ret => ret,
    Level => level,
    Capture => capture,
    Model => model,
    Provider => provider,
    Operation => operation,
    Stream => stream,
    DataSource => data_source,
    Description => description,
    ToolType => tool_type,
}

/// `operation = "…"` of `#[llm]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Chat,
    TextCompletion,
}

/// `level = "…"`: the span's `tracing` level.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// The parsed arguments.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) name: Option<Expr>,
    pub(crate) model: Option<Expr>,
    pub(crate) provider: Option<Expr>,
    pub(crate) operation: Option<Operation>,
    pub(crate) data_source: Option<Expr>,
    pub(crate) description: Option<Expr>,
    pub(crate) tool_type: Option<Expr>,
    pub(crate) stream: bool,
    pub(crate) skip: Vec<Ident>,
    pub(crate) skip_all: bool,
    pub(crate) fields: Option<TokenStream>,
    pub(crate) error_type: Option<LitStr>,
    pub(crate) ret: bool,
    pub(crate) capture: bool,
    pub(crate) level: Option<Level>,
    pub(crate) krate: Option<syn::Path>,
}

impl Args {
    pub(crate) fn parse(kind: Kind, tokens: TokenStream) -> syn::Result<Args> {
        let list = Parser::parse2(
            |input: ParseStream<'_>| Arg::parse_list(kind, input),
            tokens,
        )?;
        let mut args = Args::default();
        for arg in list {
            args.set(arg)?;
        }
        args.check(kind)?;
        Ok(args)
    }

    /// Stores one argument, read in the form its family takes.
    fn set(&mut self, arg: Arg) -> syn::Result<()> {
        match arg.key {
            Key::Stream => self.stream = arg.flag()?,
            Key::SkipAll => self.skip_all = arg.flag()?,
            Key::Ret => self.ret = arg.flag()?,
            Key::Capture => self.capture = arg.flag()?,
            // `err` is accepted for `#[instrument]` compatibility: errors are always recorded.
            Key::Err => self.error_type = arg.err()?,
            Key::Skip => self.skip = arg.skip()?,
            Key::Fields => self.fields = Some(arg.list()?),
            Key::Name => self.name = Some(arg.expr()?),
            Key::Model => self.model = Some(arg.expr()?),
            Key::Provider => self.provider = Some(arg.expr()?),
            Key::DataSource => self.data_source = Some(arg.expr()?),
            Key::Description => self.description = Some(arg.expr()?),
            Key::ToolType => self.tool_type = Some(arg.expr()?),
            Key::Operation => self.operation = Some(operation(&arg.lit_str()?)?),
            Key::Level => self.level = Some(level(&arg.lit_str()?)?),
            Key::Crate => self.krate = Some(arg.lit_str()?.parse()?),
        }
        Ok(())
    }

    /// The rules that involve more than one argument.
    fn check(&self, kind: Kind) -> syn::Result<()> {
        if let (true, Some(skipped)) = (self.skip_all, self.skip.first()) {
            return Err(syn::Error::new(
                skipped.span(),
                "`skip` and `skip_all` cannot be used together",
            ));
        }
        if matches!(kind, Kind::Llm | Kind::Embedding) && self.model.is_none() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!(
                    "#[{}] needs `model = …` (a string, or an expression over the arguments such as `model = req.model`)",
                    kind.macro_name()
                ),
            ));
        }
        Ok(())
    }
}

/// What follows an argument's name.
enum Value {
    Flag,
    Expr(Expr),
    List(TokenStream),
}

impl Parse for Value {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Ok(Value::Expr(input.parse()?))
        } else if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            Ok(Value::List(content.parse()?))
        } else {
            Ok(Value::Flag)
        }
    }
}

/// One argument: `key`, `key = value` or `key(..)`.
struct Arg {
    key: Key,
    span: Span,
    value: Value,
}

impl Arg {
    /// The comma-separated arguments, each one this macro takes and none twice.
    fn parse_list(kind: Kind, input: ParseStream<'_>) -> syn::Result<Vec<Arg>> {
        let mut list: Vec<Arg> = Vec::new();
        while !input.is_empty() {
            let arg = Arg::parse(kind, input)?;
            if list.iter().any(|seen| seen.key == arg.key) {
                return Err(syn::Error::new(
                    arg.span,
                    format!("duplicate argument `{}`", arg.key.as_str()),
                ));
            }
            list.push(arg);
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(list)
    }

    fn parse(kind: Kind, input: ParseStream<'_>) -> syn::Result<Arg> {
        let (key, span) = match Key::parse_known(input)? {
            Some((key, span)) if kind.takes(key) => (key, span),
            Some((key, span)) => return Err(unknown(kind, key.as_str(), span)),
            None => {
                let ident: Ident = input.parse()?;
                return Err(unknown(kind, &ident.to_string(), ident.span()));
            }
        };
        let value = input.parse()?;
        Ok(Arg { key, span, value })
    }

    /// `stream`, `skip_all`, `ret`, `capture`: present means on.
    fn flag(self) -> syn::Result<bool> {
        match self.value {
            Value::Flag => Ok(true),
            _ => Err(self.misused()),
        }
    }

    /// `name = …`, `model = …` and the other expressions.
    fn expr(self) -> syn::Result<Expr> {
        match self.value {
            Value::Expr(expr) => Ok(expr),
            _ => Err(self.misused()),
        }
    }

    /// `operation`, `level`, `crate`: `key = "…"`.
    fn lit_str(self) -> syn::Result<LitStr> {
        let what = self.key.as_str();
        match self.expr()? {
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

    /// `fields(..)`, kept as tokens for `tracing::span!`.
    fn list(self) -> syn::Result<TokenStream> {
        match self.value {
            Value::List(list) => Ok(list),
            _ => Err(self.misused()),
        }
    }

    /// `skip(arg, …)`; `self` is accepted (and never recorded anyway).
    fn skip(self) -> syn::Result<Vec<Ident>> {
        let list = self.list()?;
        let names = Parser::parse2(
            |input: ParseStream<'_>| {
                Punctuated::<Ident, Token![,]>::parse_terminated_with(input, Ident::parse_any)
            },
            list,
        )?;
        Ok(names.into_iter().collect())
    }

    /// `err` or `err(error_type = "…")`: the error type to record, if given.
    fn err(self) -> syn::Result<Option<LitStr>> {
        match self.value {
            Value::Flag => Ok(None),
            Value::List(list) => Ok(Some(syn::parse2::<ErrArgs>(list)?.error_type)),
            Value::Expr(_) => Err(self.misused()),
        }
    }

    /// The error for an argument written in another family's form.
    fn misused(&self) -> syn::Error {
        let key = self.key.as_str();
        let form = match self.key {
            Key::Stream | Key::SkipAll | Key::Ret | Key::Capture => {
                format!("`{key}` takes no value")
            }
            Key::Skip => "write `skip(arg, …)`".to_owned(),
            Key::Fields => "write `fields(key = value, …)`".to_owned(),
            Key::Err => "write `err` or `err(error_type = \"…\")`".to_owned(),
            _ => format!("write `{key} = …`"),
        };
        syn::Error::new(self.span, form)
    }
}

fn unknown(kind: Kind, name: &str, span: Span) -> syn::Error {
    let known: Vec<&str> = COMMON
        .iter()
        .chain(kind.own_args())
        .map(|key| key.as_str())
        .collect();
    syn::Error::new(
        span,
        format!(
            "unknown argument `{name}` for #[{}]; expected one of: {}",
            kind.macro_name(),
            known.join(", ")
        ),
    )
}

fn operation(lit: &LitStr) -> syn::Result<Operation> {
    match lit.value().as_str() {
        "chat" => Ok(Operation::Chat),
        "text_completion" => Ok(Operation::TextCompletion),
        _ => Err(syn::Error::new(
            lit.span(),
            "`operation` is \"chat\" (default) or \"text_completion\"",
        )),
    }
}

/// Any case: `"INFO"` is `"info"`.
fn level(lit: &LitStr) -> syn::Result<Level> {
    match lit.value().to_ascii_lowercase().as_str() {
        "trace" => Ok(Level::Trace),
        "debug" => Ok(Level::Debug),
        "info" => Ok(Level::Info),
        "warn" => Ok(Level::Warn),
        "error" => Ok(Level::Error),
        _ => Err(syn::Error::new(
            lit.span(),
            "`level` is one of \"trace\", \"debug\", \"info\", \"warn\", \"error\"",
        )),
    }
}

/// The inside of `err(..)`.
struct ErrArgs {
    error_type: LitStr,
}

impl Parse for ErrArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if !input.peek(kw::error_type) {
            let ident: Ident = input.parse()?;
            return Err(syn::Error::new(
                ident.span(),
                "`err` takes `error_type = \"…\"`",
            ));
        }
        input.parse::<kw::error_type>()?;
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
