//! Trace context in `params._meta`: the W3C `traceparent` and `tracestate` under those two keys
//! at the top level of the request's `_meta` object (MCP SEP-414), which is where the Python
//! OpenTelemetry MCP instrumentations (`openinference-instrumentation-mcp`,
//! `opentelemetry-instrumentation-mcp`) inject and extract them with the global text-map
//! propagator. The transport does not matter: the context travels inside the JSON-RPC message.

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use rmcp::model::MetaObject;

struct MetaInjector<'a>(&'a mut MetaObject);

impl Injector for MetaInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // The W3C propagator writes `tracestate` even when it is empty; an empty one says
        // nothing and is left out (an older one of the caller's, if any, is removed).
        if value.is_empty() {
            self.0 .0.remove(key);
            return;
        }
        self.0
             .0
            .insert(key.to_owned(), serde_json::Value::String(value));
    }
}

struct MetaExtractor<'a>(&'a MetaObject);

impl Extractor for MetaExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0 .0.get(key).and_then(serde_json::Value::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0 .0.keys().map(String::as_str).collect()
    }
}

/// Writes the span context of `cx` into `meta` as `traceparent` (and `tracestate` when the
/// context has one). A context without a valid span writes nothing.
///
/// ```
/// use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
/// use rmcp::model::MetaObject;
///
/// let span = SpanContext::new(
///     TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").unwrap(),
///     SpanId::from_hex("b7ad6b7169203331").unwrap(),
///     TraceFlags::SAMPLED,
///     false,
///     TraceState::NONE,
/// );
/// let cx = opentelemetry::Context::new().with_remote_span_context(span);
/// let mut meta = MetaObject::new();
/// llmtrace_mcp::inject_context(&cx, &mut meta);
/// assert_eq!(
///     meta.get_traceparent(),
///     Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
/// );
/// assert!(meta.get("tracestate").is_none(), "no empty tracestate");
/// ```
pub fn inject_context(cx: &Context, meta: &mut MetaObject) {
    if !cx.span().span_context().is_valid() {
        return;
    }
    TraceContextPropagator::new().inject_context(cx, &mut MetaInjector(meta));
}

/// The remote parent carried by `meta`, if its `traceparent` is a valid W3C value (a missing,
/// malformed or non-string one gives `None`, never an error: the request is then traced as the
/// start of a new trace).
///
/// ```
/// use opentelemetry::trace::TraceContextExt;
/// use rmcp::model::MetaObject;
///
/// let mut meta = MetaObject::new();
/// meta.set_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
/// let cx = llmtrace_mcp::extract_context(&meta).expect("a valid traceparent");
/// assert!(cx.span().span_context().is_remote());
///
/// meta.set_traceparent("not a traceparent");
/// assert!(llmtrace_mcp::extract_context(&meta).is_none());
/// ```
pub fn extract_context(meta: &MetaObject) -> Option<Context> {
    // Over an empty context: `extract` would start from the current one, and a request without
    // a traceparent would then pass the current span (rmcp's `serve_inner`) off as its parent.
    let cx =
        TraceContextPropagator::new().extract_with_context(&Context::new(), &MetaExtractor(meta));
    let span = cx.span().span_context().clone();
    (span.is_valid() && span.is_remote()).then_some(cx)
}
