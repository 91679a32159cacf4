//! The normalisation stage: a GenAI span written by another library (rig, genai, a hand-written
//! `tracing::info_span!`) made to look like one llmtrace wrote, before anything reads it.
//!
//! [`normalize_span`] applies the rules, [`NormalizingProcessor`] runs it first in the chain
//! (ahead of cost, the OpenInference mirror, metrics, redaction and tail sampling); the rules
//! are listed on [`normalize_span`].
//!
//! A span with nothing to do costs one pass over its attributes and no allocation.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{Array, Context, Key, KeyValue, StringValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use llmtrace_semconv::aliases::{self, key_rule, resolved_rule, KeyRule};
use llmtrace_semconv::content::is_content_key;
use llmtrace_semconv::{attribute as semconv, llmtrace as ours, Operation};

use crate::CaptureMode;

/// What one pass over a span's attributes found: whether the attributes need fixing, and the
/// values the name, kind and status are derived from (each the last one set).
#[derive(Default)]
struct Scan<'a> {
    fix_attributes: bool,
    operation: Option<&'a str>,
    request_model: Option<&'a str>,
    response_model: Option<&'a str>,
    agent: Option<&'a str>,
    tool: Option<&'a str>,
    workflow: Option<&'a str>,
    data_source: Option<&'a str>,
    error_type: bool,
    tool_error: Option<&'a str>,
    failed: bool,
    /// rig's agent-turn `chat` span ([`aliases::RIG_COMPLETION_PARENT`]).
    rig_turn: bool,
    streamed: bool,
    /// A response id, response model or token count was recorded.
    answered: bool,
}

impl<'a> Scan<'a> {
    /// Reads every attribute once.
    fn of(attributes: &'a [KeyValue], drop_content: bool) -> Self {
        let mut scan = Scan::default();
        let mut seen: u64 = 0;
        for kv in attributes {
            let key = kv.key.as_str();
            // The model's output, even when it is not kept, says the call was answered.
            scan.answered |=
                key == semconv::GEN_AI_OUTPUT_MESSAGES || key == aliases::GEN_AI_COMPLETION;
            if drop_content && is_content_key(key) {
                scan.fix_attributes = true;
                continue;
            }
            let text = match &kv.value {
                Value::String(s) => Some(s.as_str()),
                _ => None,
            };
            let Some((index, rule)) = key_rule(key) else {
                scan.other_key(key, &kv.value, text);
                continue;
            };
            let bit = 1u64 << index;
            scan.fix_attributes |= seen & bit != 0 || !fits(rule, &kv.value);
            seen |= bit;
            // An older name is read as the key it stands for.
            let key = match rule {
                KeyRule::Renamed(current) => current,
                _ => key,
            };
            scan.known_key(key, text);
        }
        scan
    }

    /// Notes a value of a key listed in the aliases table.
    fn known_key(&mut self, key: &str, text: Option<&'a str>) {
        match key {
            semconv::ERROR_TYPE => self.error_type = true,
            semconv::GEN_AI_OPERATION_NAME => self.operation = text,
            semconv::GEN_AI_REQUEST_MODEL => self.request_model = text,
            semconv::GEN_AI_RESPONSE_MODEL => {
                self.response_model = text;
                self.answered = true;
            }
            semconv::GEN_AI_AGENT_NAME => self.agent = text,
            semconv::GEN_AI_TOOL_NAME => self.tool = text,
            semconv::GEN_AI_WORKFLOW_NAME => self.workflow = text,
            semconv::GEN_AI_DATA_SOURCE_ID => self.data_source = text,
            semconv::GEN_AI_RESPONSE_ID
            | semconv::GEN_AI_USAGE_INPUT_TOKENS
            | semconv::GEN_AI_USAGE_OUTPUT_TOKENS => self.answered = true,
            semconv::GEN_AI_PROVIDER_NAME => {
                self.fix_attributes |= text.is_some_and(|p| renamed_provider(p).is_some());
            }
            _ => {}
        }
    }

    /// Notes the error keys of other producers, and what tells a failed rig call.
    fn other_key(&mut self, key: &str, value: &Value, text: Option<&'a str>) {
        match key {
            aliases::RIG_COMPLETION_PARENT => self.rig_turn = true,
            semconv::GEN_AI_REQUEST_STREAM => self.streamed = matches!(value, Value::Bool(true)),
            aliases::TOOL_ERROR_TYPE => {
                self.tool_error = text;
                self.failed = true;
            }
            aliases::TOOL_CALL_OUTCOME => {
                self.failed |= text == Some(aliases::TOOL_CALL_OUTCOME_ERROR);
            }
            aliases::EXCEPTION_MESSAGE => self.failed = true,
            _ => {}
        }
    }

    /// The span name the conventions give this span, when its producer left it bare (the
    /// operation alone) and a target is known.
    fn name(&self, current: &str) -> Option<String> {
        let operation = self.operation?;
        if !(current.is_empty() || current == operation) {
            return None;
        }
        let target = match Operation::from_name(operation) {
            Some(Operation::ExecuteTool) => self.tool,
            Some(Operation::InvokeAgent | Operation::CreateAgent) => self.agent,
            Some(Operation::InvokeWorkflow) => self.workflow,
            Some(Operation::Retrieval) => self.data_source,
            _ => self
                .request_model
                .filter(|m| !m.is_empty())
                .or(self.response_model),
        };
        let target = target.filter(|t| !t.is_empty())?;
        Some(format!("{operation} {target}"))
    }

    /// CLIENT for a model call the producer left INTERNAL (the `tracing-opentelemetry` default)
    /// with a bare name.
    fn kind(&self, name: &str, kind: &SpanKind) -> Option<SpanKind> {
        let operation = self.operation?;
        let bare = name.is_empty() || name == operation;
        let client = match Operation::from_name(operation) {
            Some(op) => op.span_kind() == llmtrace_semconv::SpanKind::Client,
            None => operation == ours::OPERATION_RERANK,
        };
        (bare && client && *kind == SpanKind::Internal).then_some(SpanKind::Client)
    }

    /// A unary model call of a rig agent that ended with no response recorded: rig writes
    /// nothing on its span when the provider fails.
    fn unanswered(&self) -> bool {
        self.rig_turn && !self.streamed && !self.answered
    }

    /// The status and `error.type` to set: `(status, error type to add)`.
    fn error(&self, status: &Status) -> Option<(Option<Status>, Option<String>)> {
        let is_gen_ai = self.operation.is_some() || self.tool.is_some();
        let error_type = || {
            (!self.error_type).then(|| {
                self.tool_error
                    .unwrap_or(aliases::ERROR_TYPE_OTHER)
                    .to_owned()
            })
        };
        match status {
            Status::Unset if self.failed || (is_gen_ai && self.error_type) || self.unanswered() => {
                let description = match self.tool_error {
                    Some(kind) => kind,
                    None if self.unanswered() => "no response recorded",
                    None => "",
                };
                let description = description.to_owned();
                Some((Some(Status::error(description)), error_type()))
            }
            Status::Error { .. } if is_gen_ai && !self.error_type => Some((None, error_type())),
            _ => None,
        }
    }
}

/// Whether a value already has the type its key's rule asks for.
fn fits(rule: KeyRule, value: &Value) -> bool {
    match rule {
        KeyRule::Int => matches!(value, Value::I64(_)),
        KeyRule::StringArray => matches!(value, Value::Array(_)),
        KeyRule::Text => true,
        KeyRule::Renamed(_) => false,
    }
}

fn renamed_provider(value: &str) -> Option<&'static str> {
    aliases::PROVIDER_RENAMES
        .iter()
        .find(|(old, _)| *old == value)
        .map(|(_, new)| *new)
}

/// Normalises one finished span in place; whether anything changed. Content keys are removed
/// when `drop_content`. A span with nothing to do costs one pass over its attributes and no
/// allocation.
///
/// | what arrives | what leaves |
/// |---|---|
/// | a numeric string on an integer key (`gen_ai.usage.input_tokens = "42"`: `tracing-opentelemetry` exports `u64` fields as strings) | the integer (a count past `i64::MAX` saturates) |
/// | a JSON array written as text on a string-array key (`gen_ai.response.finish_reasons = "[\"stop\"]"`) | the string array (a lone string: a one-element array) |
/// | a key set twice (`gen_ai.operation.name` on rig's agent chat spans) | the last value |
/// | an older or other key name ([`llmtrace_semconv::aliases`]: `gen_ai.system`, `gen_ai.usage.prompt_tokens`, rig's `gen_ai.usage.reasoning_tokens`…) | the current key, unless the span has it already (then the older one is dropped) |
/// | an older provider value (`vertex_ai`, `az.ai.openai`…) | the current one |
/// | a bare span name (the operation alone, as rig names its spans) | `{operation} {model \| tool \| agent \| workflow \| data source}` |
/// | with a bare name, kind INTERNAL on a model call (chat, text_completion, generate_content, embeddings, retrieval, create_agent, rerank) | CLIENT |
/// | status unset with `error.type`, `exception.message`, `gen_ai.tool.error.type` or `gen_ai.tool.call.outcome = error` | status error, and `error.type` (from `gen_ai.tool.error.type`, else `_OTHER`) when missing |
/// | status error without `error.type` on a GenAI span | `error.type` as above |
/// | rig's agent `chat` span (`rig.completion_parent`), not streamed, ended with no response id, response model or token count (rig records nothing when the provider fails) | status error, `error.type = _OTHER` |
/// | content keys ([`llmtrace_semconv::content`]) with content capture off | removed |
///
/// ```
/// use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
/// use opentelemetry::KeyValue;
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
///
/// // A span as rig leaves it: bare name, INTERNAL, token counts as strings.
/// let exporter = InMemorySpanExporter::default();
/// let provider = SdkTracerProvider::builder()
///     .with_simple_exporter(exporter.clone())
///     .build();
/// let tracer = provider.tracer("rig");
/// tracer
///     .span_builder("chat")
///     .with_attributes([
///         KeyValue::new("gen_ai.operation.name", "chat"),
///         KeyValue::new("gen_ai.request.model", "gpt-4o-mini"),
///         KeyValue::new("gen_ai.usage.input_tokens", "42"),
///     ])
///     .start(&tracer)
///     .end();
/// let mut span = exporter.get_finished_spans().expect("spans").remove(0);
///
/// assert!(llmtrace::enrich::normalize_span(&mut span, true));
/// assert_eq!(span.name, "chat gpt-4o-mini");
/// assert_eq!(span.span_kind, opentelemetry::trace::SpanKind::Client);
/// assert!(span.attributes.contains(&KeyValue::new("gen_ai.usage.input_tokens", 42_i64)));
/// ```
pub fn normalize_span(span: &mut SpanData, drop_content: bool) -> bool {
    let scan = Scan::of(&span.attributes, drop_content);
    let name = scan.name(&span.name);
    let kind = scan.kind(&span.name, &span.span_kind);
    let error = scan.error(&span.status);
    let fix_attributes = scan.fix_attributes;
    if !(fix_attributes || name.is_some() || kind.is_some() || error.is_some()) {
        return false;
    }
    if fix_attributes {
        fix(&mut span.attributes, drop_content);
    }
    if let Some(name) = name {
        span.name = Cow::Owned(name);
    }
    if let Some(kind) = kind {
        span.span_kind = kind;
    }
    if let Some((status, error_type)) = error {
        if let Some(status) = status {
            span.status = status;
        }
        if let Some(error_type) = error_type {
            span.attributes
                .push(KeyValue::new(semconv::ERROR_TYPE, error_type));
        }
    }
    true
}

/// Renames, converts, de-duplicates and (when `drop_content`) removes content, keeping the
/// last value of each key and a current key over any older name of it.
fn fix(attributes: &mut Vec<KeyValue>, drop_content: bool) {
    let bit = |index: usize| 1u64 << index;
    let current: u64 = attributes
        .iter()
        .filter_map(|kv| key_rule(kv.key.as_str()))
        .filter(|(_, rule)| !matches!(rule, KeyRule::Renamed(_)))
        .fold(0, |mask, (index, _)| mask | bit(index));
    let mut keep = vec![true; attributes.len()];
    let mut seen: u64 = 0;
    for (i, kv) in attributes.iter_mut().enumerate().rev() {
        if drop_content && is_content_key(kv.key.as_str()) {
            keep[i] = false;
            continue;
        }
        let Some((index, rule)) = key_rule(kv.key.as_str()) else {
            continue;
        };
        let Some((target, target_rule)) = resolved_rule(index) else {
            continue;
        };
        let renamed = target != index;
        if seen & bit(target) != 0 || (renamed && current & bit(target) != 0) {
            keep[i] = false;
            continue;
        }
        seen |= bit(target);
        if let KeyRule::Renamed(to) = rule {
            kv.key = Key::from_static_str(to);
        }
        convert(&mut kv.value, target_rule);
        if kv.key.as_str() == semconv::GEN_AI_PROVIDER_NAME {
            let new = renamed_provider(&kv.value.as_str());
            if let Some(new) = new {
                kv.value = Value::from(new);
            }
        }
    }
    let mut flags = keep.into_iter();
    attributes.retain(|_| flags.next().unwrap_or(true));
}

/// Gives `value` the type `rule` asks for, when it can be read as one; otherwise leaves it.
fn convert(value: &mut Value, rule: KeyRule) {
    match rule {
        KeyRule::Int => {
            if let Some(n) = as_int(value) {
                *value = Value::I64(n);
            }
        }
        KeyRule::StringArray => {
            if let Value::String(text) = value {
                let items = string_array(text.as_str());
                *value = Value::Array(Array::String(items));
            }
        }
        KeyRule::Text | KeyRule::Renamed(_) => {}
    }
}

/// An integer written as a string (a count past `i64::MAX` saturates) or as an integral float.
fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::String(text) => {
            let text = text.as_str().trim();
            text.parse::<i64>()
                .ok()
                .or_else(|| text.parse::<u64>().ok().map(|_| i64::MAX))
        }
        Value::F64(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
        _ => None,
    }
}

/// The items of a JSON array written as text (non-string items as their JSON); any other text
/// as a one-element array.
fn string_array(text: &str) -> Vec<StringValue> {
    if text.trim_start().starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<serde_json::Value>>(text) {
            return items
                .into_iter()
                .map(|item| match item {
                    serde_json::Value::String(s) => StringValue::from(s),
                    other => StringValue::from(other.to_string()),
                })
                .collect();
        }
    }
    vec![StringValue::from(text.to_owned())]
}

/// Wraps the next [`SpanProcessor`] and normalises each finished span (see
/// [`normalize_span`]) before handing it on: the first stage of the chain `llmtrace::init`
/// builds, so cost, the OpenInference mirror, metrics, redaction and tail sampling all read
/// normalised spans.
///
/// With a [`CaptureMode`] that records no content, content keys from any producer are removed
/// here. Unsampled spans pass unchanged. If normalising ever failed unexpectedly, the span is
/// handed on as it was and counted in [`failed_spans`](Self::failed_spans); the host never sees
/// a panic.
///
/// ```
/// use llmtrace::enrich::NormalizingProcessor;
/// use llmtrace::CaptureMode;
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
///
/// let exporter = InMemorySpanExporter::default();
/// let inner = SimpleSpanProcessor::new(exporter.clone());
/// let provider = SdkTracerProvider::builder()
///     .with_span_processor(NormalizingProcessor::new(inner, CaptureMode::NoContent))
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct NormalizingProcessor<P> {
    inner: P,
    drop_content: bool,
    failed: Arc<AtomicU64>,
}

impl<P: SpanProcessor> NormalizingProcessor<P> {
    /// Normalises spans, removing content unless `capture` records it, then hands them to
    /// `inner`.
    pub fn new(inner: P, capture: CaptureMode) -> Self {
        NormalizingProcessor {
            inner,
            drop_content: !capture.records_content(),
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Spans whose normalisation failed and that were handed on as they were.
    pub fn failed_spans(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// The wrapped processor.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

impl<P: SpanProcessor> SpanProcessor for NormalizingProcessor<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        if span.span_context.is_sampled() {
            // A panic part-way would leave a partly normalised span, still a valid one.
            let normalised = catch_unwind(AssertUnwindSafe(|| {
                normalize_span(&mut span, self.drop_content)
            }));
            if normalised.is_err() {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    use super::*;

    fn span(name: &'static str, attributes: Vec<KeyValue>) -> SpanData {
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(1_u128),
                SpanId::from(1_u64),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: Cow::Borrowed(name),
            start_time: std::time::SystemTime::UNIX_EPOCH,
            end_time: std::time::SystemTime::UNIX_EPOCH,
            attributes,
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status: Status::Unset,
            instrumentation_scope: Default::default(),
        }
    }

    fn values<'a>(span: &'a SpanData, key: &str) -> Vec<&'a Value> {
        span.attributes
            .iter()
            .filter(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
            .collect()
    }

    #[test]
    fn a_proper_span_is_left_alone() {
        let attributes = vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.request.model", "gpt-4o"),
            KeyValue::new("gen_ai.usage.input_tokens", 3_i64),
            KeyValue::new(
                "gen_ai.response.finish_reasons",
                Value::Array(vec![StringValue::from("stop")].into()),
            ),
            KeyValue::new("http.route", "/x"),
        ];
        let mut chat = span("chat gpt-4o", attributes.clone());
        chat.span_kind = SpanKind::Client;
        assert!(!normalize_span(&mut chat, true));
        assert_eq!(chat.attributes, attributes);
    }

    #[test]
    fn rig_chat_span_gets_ints_name_kind_and_one_operation() {
        let mut chat = span(
            "chat",
            vec![
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("gen_ai.request.model", "gpt-4o-mini"),
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("gen_ai.usage.input_tokens", "42"),
                KeyValue::new("gen_ai.usage.output_tokens", " 7 "),
                KeyValue::new("gen_ai.usage.reasoning_tokens", "18446744073709551615"),
                KeyValue::new("gen_ai.usage.cache_read.input_tokens", "n/a"),
            ],
        );
        assert!(normalize_span(&mut chat, false));
        assert_eq!(chat.name, "chat gpt-4o-mini");
        assert_eq!(chat.span_kind, SpanKind::Client);
        assert_eq!(values(&chat, "gen_ai.operation.name").len(), 1);
        assert_eq!(
            values(&chat, "gen_ai.usage.input_tokens"),
            [&Value::I64(42)]
        );
        assert_eq!(
            values(&chat, "gen_ai.usage.output_tokens"),
            [&Value::I64(7)]
        );
        assert_eq!(
            values(&chat, "gen_ai.usage.reasoning.output_tokens"),
            [&Value::I64(i64::MAX)]
        );
        assert!(values(&chat, "gen_ai.usage.reasoning_tokens").is_empty());
        // Not a number: left as it came.
        assert_eq!(
            values(&chat, "gen_ai.usage.cache_read.input_tokens"),
            [&Value::from("n/a")]
        );
    }

    #[test]
    fn a_rig_turn_is_failed_only_when_nothing_says_it_was_answered() {
        let turn = |extra: Vec<KeyValue>| {
            let mut attributes = vec![
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("gen_ai.request.model", "gpt-4o-mini"),
                KeyValue::new(aliases::RIG_COMPLETION_PARENT, true),
            ];
            attributes.extend(extra);
            let mut chat = span("chat", attributes);
            normalize_span(&mut chat, true);
            matches!(chat.status, Status::Error { .. })
        };
        assert!(turn(Vec::new()), "no answer recorded");
        assert!(!turn(vec![KeyValue::new(
            "gen_ai.usage.prompt_tokens",
            "12"
        )]));
        // Content capture off removes the output, which still counts as an answer.
        assert!(!turn(vec![KeyValue::new("gen_ai.completion", "Sunny.")]));
        assert!(!turn(vec![KeyValue::new("gen_ai.output.messages", "[]")]));
        assert!(!turn(vec![KeyValue::new("gen_ai.request.stream", true)]));
    }

    #[test]
    fn json_arrays_become_arrays_and_older_names_give_way() {
        let mut chat = span(
            "chat gpt-4o",
            vec![
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("gen_ai.response.finish_reasons", "[\"stop\", 3]"),
                KeyValue::new("gen_ai.request.stop_sequences", "END"),
                KeyValue::new("gen_ai.system", "az.ai.openai"),
                KeyValue::new("gen_ai.usage.prompt_tokens", 9_i64),
                KeyValue::new("gen_ai.usage.input_tokens", 10_i64),
            ],
        );
        assert!(normalize_span(&mut chat, false));
        let array = |items: &[&str]| {
            Value::Array(
                items
                    .iter()
                    .map(|s| StringValue::from(s.to_string()))
                    .collect::<Vec<_>>()
                    .into(),
            )
        };
        assert_eq!(
            values(&chat, "gen_ai.response.finish_reasons"),
            [&array(&["stop", "3"])]
        );
        assert_eq!(
            values(&chat, "gen_ai.request.stop_sequences"),
            [&array(&["END"])]
        );
        assert_eq!(
            values(&chat, "gen_ai.provider.name"),
            [&Value::from("azure.ai.openai")]
        );
        // The current key wins over its older name, wherever each stands.
        assert_eq!(
            values(&chat, "gen_ai.usage.input_tokens"),
            [&Value::I64(10)]
        );
        assert!(values(&chat, "gen_ai.usage.prompt_tokens").is_empty());
        assert!(values(&chat, "gen_ai.system").is_empty());
    }

    #[test]
    fn failed_tool_call_gets_error_status_and_type() {
        let mut tool = span(
            "execute_tool",
            vec![
                KeyValue::new("gen_ai.operation.name", "execute_tool"),
                KeyValue::new("gen_ai.tool.name", "get_weather"),
                KeyValue::new("gen_ai.tool.call.outcome", "error"),
                KeyValue::new("gen_ai.tool.error.type", "execution_failed"),
            ],
        );
        assert!(normalize_span(&mut tool, true));
        assert_eq!(tool.name, "execute_tool get_weather");
        assert_eq!(tool.span_kind, SpanKind::Internal);
        assert!(matches!(tool.status, Status::Error { .. }));
        assert_eq!(
            values(&tool, "error.type"),
            [&Value::from("execution_failed")]
        );

        let mut chat = span(
            "chat gpt-4o",
            vec![
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("error.type", "429"),
            ],
        );
        chat.span_kind = SpanKind::Client;
        assert!(normalize_span(&mut chat, true));
        assert!(matches!(chat.status, Status::Error { .. }));
        assert_eq!(values(&chat, "error.type"), [&Value::from("429")]);

        let mut denied = span(
            "execute_tool",
            vec![
                KeyValue::new("gen_ai.operation.name", "execute_tool"),
                KeyValue::new("gen_ai.tool.call.outcome", "denied"),
            ],
        );
        normalize_span(&mut denied, true);
        assert_eq!(denied.status, Status::Unset);
    }

    #[test]
    fn errored_gen_ai_span_without_type_gets_other() {
        let mut chat = span(
            "chat gpt-4o",
            vec![KeyValue::new("gen_ai.operation.name", "chat")],
        );
        chat.status = Status::error("boom");
        assert!(normalize_span(&mut chat, true));
        assert_eq!(values(&chat, "error.type"), [&Value::from("_OTHER")]);
    }

    #[test]
    fn content_is_removed_only_when_asked() {
        let attributes = vec![
            KeyValue::new("gen_ai.operation.name", "invoke_agent"),
            KeyValue::new("gen_ai.agent.name", "helper"),
            KeyValue::new("gen_ai.prompt", "hi, I am bob@example.com"),
            KeyValue::new("gen_ai.completion", "hello"),
            KeyValue::new("input.value", "hi"),
            KeyValue::new("llm.input_messages.0.message.content", "hi"),
        ];
        let mut kept = span("invoke_agent helper", attributes.clone());
        assert!(!normalize_span(&mut kept, false));
        assert_eq!(kept.attributes, attributes);

        let mut dropped = span("invoke_agent helper", attributes);
        assert!(normalize_span(&mut dropped, true));
        let keys: Vec<&str> = dropped
            .attributes
            .iter()
            .map(|kv| kv.key.as_str())
            .collect();
        assert_eq!(keys, ["gen_ai.operation.name", "gen_ai.agent.name"]);
    }

    #[test]
    fn odd_values_never_panic() {
        let mut odd = span(
            "",
            vec![
                KeyValue::new("gen_ai.operation.name", ""),
                KeyValue::new("gen_ai.usage.input_tokens", f64::NAN),
                KeyValue::new("gen_ai.usage.output_tokens", 1e300),
                KeyValue::new("gen_ai.response.finish_reasons", "[unclosed"),
                KeyValue::new("gen_ai.request.max_tokens", true),
                KeyValue::new("gen_ai.system", 5_i64),
            ],
        );
        normalize_span(&mut odd, true);
        assert_eq!(
            values(&odd, "gen_ai.response.finish_reasons"),
            [&Value::Array(vec![StringValue::from("[unclosed")].into())]
        );
    }
}
