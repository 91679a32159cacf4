use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

/// Hands every finished span to several processors (one per destination), so that the
/// redacting and sampling decorators run once, in front of all of them.
#[derive(Debug, Default)]
pub struct FanOut {
    processors: Vec<Box<dyn SpanProcessor>>,
}

impl FanOut {
    /// No destinations yet.
    pub fn new() -> Self {
        FanOut::default()
    }

    /// Adds a destination.
    pub fn push(&mut self, processor: impl SpanProcessor + 'static) {
        self.processors.push(Box::new(processor));
    }

    /// Adds an already boxed destination.
    pub fn push_boxed(&mut self, processor: Box<dyn SpanProcessor>) {
        self.processors.push(processor);
    }

    /// Whether there is no destination.
    pub fn is_empty(&self) -> bool {
        self.processors.is_empty()
    }

    fn each(&self, f: impl Fn(&dyn SpanProcessor) -> OTelSdkResult) -> OTelSdkResult {
        let errors: Vec<String> = self
            .processors
            .iter()
            .filter_map(|p| f(p.as_ref()).err().map(|e| e.to_string()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(OTelSdkError::InternalFailure(errors.join("; ")))
        }
    }
}

impl SpanProcessor for FanOut {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        for p in &self.processors {
            p.on_start(span, cx);
        }
    }

    fn on_end(&self, span: SpanData) {
        if let Some((last, rest)) = self.processors.split_last() {
            for p in rest {
                p.on_end(span.clone());
            }
            last.on_end(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.each(|p| p.force_flush())
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        // One deadline for all destinations, not one each.
        let deadline = std::time::Instant::now() + timeout;
        self.each(|p| {
            p.shutdown_with_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
        })
    }

    fn set_resource(&mut self, resource: &Resource) {
        for p in &mut self.processors {
            p.set_resource(resource);
        }
    }
}

/// A type-erased span processor, so decorators (`CostProcessor<P>`, `RedactingProcessor<P>`…)
/// can wrap a chain whose concrete type depends on configuration.
#[derive(Debug)]
pub struct DynProcessor(Box<dyn SpanProcessor>);

impl DynProcessor {
    /// Erases `processor`'s type.
    pub fn new(processor: impl SpanProcessor + 'static) -> Self {
        DynProcessor(Box::new(processor))
    }
}

impl SpanProcessor for DynProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.0.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.0.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}
