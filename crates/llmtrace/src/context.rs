//! Context values — session, user, conversation, tags, metadata — set once on a scope and
//! stamped on every span started below it.
//!
//! The values travel inside the OpenTelemetry [`Context`](opentelemetry::Context), which
//! `tracing-opentelemetry` hands from parent to child span, so they follow the span tree across
//! `tokio::spawn(fut.instrument(span))` and `spawn_blocking` closures that enter a span.
//! [`ContextProcessor`] writes them as attributes when each span starts.

use std::collections::BTreeMap;
use std::sync::Arc;

use opentelemetry::trace::Span as _;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

use llmtrace_semconv::{attribute as semconv, llmtrace as ours, openinference as oi};

/// Values that describe who and what a request is for — session, user, conversation, tags,
/// metadata — set once on a scope and stamped on every span started below it, across
/// `tokio::spawn(fut.instrument(span))` and `spawn_blocking` (they travel in the OpenTelemetry
/// context; [`ContextProcessor`] writes them as attributes when each span starts).
///
/// ```
/// let context = llmtrace::LlmContext::new()
///     .session_id("session-42")
///     .user_id("user-7")
///     .tag("beta")
///     .metadata("tenant", "acme");
/// let _guard = context.attach();
/// // every span started on this thread from here on carries session.id=session-42, …
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmContext {
    session_id: Option<String>,
    user_id: Option<String>,
    conversation_id: Option<String>,
    tags: Vec<String>,
    metadata: BTreeMap<String, serde_json::Value>,
    experiment: Option<(String, String)>,
}

impl LlmContext {
    /// No values.
    pub fn new() -> Self {
        LlmContext::default()
    }

    /// The session (OpenInference `session.id`).
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// The end user (`user.id`).
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.user_id = Some(id.into());
        self
    }

    /// The conversation (`gen_ai.conversation.id`).
    pub fn conversation_id(mut self, id: impl Into<String>) -> Self {
        self.conversation_id = Some(id.into());
        self
    }

    /// Adds a tag (`tag.tags`).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
        self
    }

    /// Adds a metadata entry (`metadata`, a JSON object).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The experiment and variant this request was served (A/B tests):
    /// `llmtrace.experiment.name`, `llmtrace.experiment.variant`, and the tags
    /// `experiment:{name}` and `variant:{variant}` so backends that group by tag show the split.
    pub fn experiment(self, name: impl Into<String>, variant: impl Into<String>) -> Self {
        let (name, variant) = (name.into(), variant.into());
        let mut with = self
            .tag(format!("experiment:{name}"))
            .tag(format!("variant:{variant}"));
        with.experiment = Some((name, variant));
        with
    }

    /// `self` laid over `outer`: values set here win, tags and metadata are merged.
    fn over(&self, outer: &LlmContext) -> LlmContext {
        let mut merged = outer.clone();
        if self.session_id.is_some() {
            merged.session_id.clone_from(&self.session_id);
        }
        if self.user_id.is_some() {
            merged.user_id.clone_from(&self.user_id);
        }
        if self.conversation_id.is_some() {
            merged.conversation_id.clone_from(&self.conversation_id);
        }
        if self.experiment.is_some() {
            merged.experiment.clone_from(&self.experiment);
        }
        for tag in &self.tags {
            if !merged.tags.contains(tag) {
                merged.tags.push(tag.clone());
            }
        }
        merged
            .metadata
            .extend(self.metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
        merged
    }

    /// The current OpenTelemetry context with these values laid over any already in it.
    pub(crate) fn merged_into_current(&self) -> opentelemetry::Context {
        let current = opentelemetry::Context::current();
        let merged = match current.get::<Arc<LlmContext>>() {
            Some(outer) => self.over(outer),
            None => self.clone(),
        };
        current.with_value(Arc::new(merged))
    }

    /// Makes these values current on this thread until the guard drops: spans started meanwhile
    /// (and their descendants, wherever they run) carry them.
    pub fn attach(&self) -> opentelemetry::ContextGuard {
        self.merged_into_current().attach()
    }

    /// Runs `f` with these values current.
    pub fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.attach();
        f()
    }

    /// The values current on this thread, if any.
    pub fn current() -> Option<LlmContext> {
        opentelemetry::Context::current()
            .get::<Arc<LlmContext>>()
            .map(|c| LlmContext::clone(c))
    }

    fn attributes(&self) -> Vec<KeyValue> {
        let mut attrs = Vec::new();
        if let Some(id) = &self.session_id {
            attrs.push(KeyValue::new(oi::SESSION_ID, id.clone()));
        }
        if let Some(id) = &self.user_id {
            attrs.push(KeyValue::new(oi::USER_ID, id.clone()));
        }
        if let Some(id) = &self.conversation_id {
            attrs.push(KeyValue::new(semconv::GEN_AI_CONVERSATION_ID, id.clone()));
        }
        if let Some((name, variant)) = &self.experiment {
            attrs.push(KeyValue::new(ours::EXPERIMENT_NAME, name.clone()));
            attrs.push(KeyValue::new(ours::EXPERIMENT_VARIANT, variant.clone()));
        }
        if !self.tags.is_empty() {
            let tags: Vec<StringValue> = self.tags.iter().cloned().map(StringValue::from).collect();
            attrs.push(KeyValue::new(
                oi::TAG_TAGS,
                Value::Array(Array::String(tags)),
            ));
        }
        if !self.metadata.is_empty() {
            let json = serde_json::to_string(&self.metadata).unwrap_or_default();
            attrs.push(KeyValue::new(oi::METADATA, json));
        }
        attrs
    }
}

/// Stamps the [`LlmContext`] values of the parent context on each span as it starts.
///
/// Register it on its own next to your exporting chain, or — better, and what `init` does —
/// wrap the chain with [`ContextProcessor::wrap`]: the SDK hands every processor of a provider
/// its own copy of each finished span, so one processor per provider saves a copy per span.
#[derive(Debug, Default, Clone, Copy)]
pub struct ContextProcessor;

impl ContextProcessor {
    /// One processor that stamps the context values on start and forwards everything to `inner`.
    pub fn wrap<P: SpanProcessor>(inner: P) -> WithContext<P> {
        WithContext { inner }
    }

    fn stamp(span: &mut Span, cx: &opentelemetry::Context) {
        if let Some(values) = cx.get::<Arc<LlmContext>>() {
            span.set_attributes(values.attributes());
        }
    }
}

impl SpanProcessor for ContextProcessor {
    fn on_start(&self, span: &mut Span, cx: &opentelemetry::Context) {
        Self::stamp(span, cx);
    }

    fn on_end(&self, _span: SpanData) {}

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// A processor chain behind [`ContextProcessor`] stamping: see [`ContextProcessor::wrap`].
#[derive(Debug)]
pub struct WithContext<P> {
    inner: P,
}

impl<P: SpanProcessor> SpanProcessor for WithContext<P> {
    fn on_start(&self, span: &mut Span, cx: &opentelemetry::Context) {
        ContextProcessor::stamp(span, cx);
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: std::time::Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}
