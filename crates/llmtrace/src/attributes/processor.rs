//! [`AttributesProcessor`]: the collector's `attributes` processor as a span processor.

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use super::Actions;

/// Applies [`Actions`] to each ended span's attributes, then hands it to `inner`.
#[derive(Debug)]
pub(crate) struct AttributesProcessor<P> {
    inner: P,
    actions: Actions,
}

impl<P: SpanProcessor> AttributesProcessor<P> {
    /// Runs `actions` in front of `inner`.
    pub(crate) fn new(inner: P, actions: Actions) -> Self {
        AttributesProcessor { inner, actions }
    }
}

impl<P: SpanProcessor> SpanProcessor for AttributesProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        self.actions.apply(&mut span.attributes);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: std::time::Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
