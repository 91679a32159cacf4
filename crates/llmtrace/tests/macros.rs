//! The attribute macros, asserted on exported spans (content capture off, and on in `capture_on`).

use std::time::Duration;

use llmtrace::semconv::{attribute as sc, llmtrace as ours, openinference as oi};
use llmtrace::{RecordOutcome, Response, Usage};
use llmtrace_test_support::*;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::Value;

struct ChatResponse {
    text: String,
    usage: Usage,
}

impl RecordOutcome for ChatResponse {
    fn record_outcome(&self, span: &tracing::Span) {
        self.usage.record_outcome(span);
        Response::new()
            .id("resp-1")
            .finish_reason("stop")
            .record_outcome(span);
    }
}

#[derive(Debug)]
struct ToolFailed;

impl std::fmt::Display for ToolFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("tool failed")
    }
}

impl std::error::Error for ToolFailed {}

#[llmtrace::llm(model = "gpt-4o", provider = "openai")]
fn ask(prompt: &str) -> ChatResponse {
    ChatResponse {
        text: format!("echo {prompt}"),
        usage: Usage::new(12, 3),
    }
}

#[llmtrace::tool(description = "Looks up the weather")]
fn get_weather(city: &str) -> Result<String, ToolFailed> {
    if city == "Atlantis" {
        Err(ToolFailed)
    } else {
        Ok(format!("sunny in {city}"))
    }
}

#[llmtrace::tool(name = "custom_tool", err(error_type = "lookup_failed"))]
fn looks_up() -> Result<(), String> {
    Err("no such key".to_owned())
}

#[llmtrace::agent(name = "planner")]
fn plan(question: &str) -> String {
    let answer = ask(question);
    let weather = get_weather("Lisbon").unwrap_or_default();
    let _ = get_weather("Atlantis");
    format!("{} / {weather}", answer.text)
}

#[llmtrace::retriever(data_source = "kb")]
fn search(_query: &str) -> Vec<llmtrace::Document> {
    vec![llmtrace::Document::new("d1").score(0.7)]
}

#[llmtrace::embedding(model = "text-embedding-3-small")]
fn embed(_text: &str) -> Usage {
    Usage::new(5, 0)
}

#[llmtrace::chain]
fn build_context() -> usize {
    3
}

struct Request {
    model: String,
}

#[llmtrace::llm(model = req.model, operation = "text_completion", level = "warn")]
fn complete(req: &Request) -> usize {
    req.model.len()
}

struct Client {
    prefix: String,
}

impl Client {
    #[llmtrace::llm(model = "claude-sonnet-4", provider = "anthropic")]
    async fn chat<T: std::fmt::Display + Send>(&self, message: T) -> Result<String, ToolFailed> {
        tokio::task::yield_now().await;
        Ok(format!("{}{message}", self.prefix))
    }
}

#[llmtrace::tool]
fn explodes() -> u32 {
    panic!("tool blew up")
}

#[test]
fn each_macro_gives_the_semconv_name_kind_and_nesting() {
    let spans = run(false, || {
        plan("hi");
        search("q");
        embed("x");
        build_context();
        complete(&Request {
            model: "davinci-002".into(),
        });
    });
    let agent = find_span(&spans, "invoke_agent planner");
    let chat = find_span(&spans, "chat gpt-4o");
    assert!(is_child_of(chat, agent));
    assert_eq!(chat.span_kind, SpanKind::Client);
    assert_eq!(
        attr_str(chat, sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some("openai")
    );
    let tools: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "execute_tool get_weather")
        .collect();
    assert_eq!(tools.len(), 2);
    assert!(tools
        .iter()
        .all(|t| is_child_of(t, agent) && t.span_kind == SpanKind::Internal));
    assert_eq!(
        attr_str(tools[0], sc::GEN_AI_TOOL_DESCRIPTION).as_deref(),
        Some("Looks up the weather")
    );
    assert_eq!(agent.span_kind, SpanKind::Internal);
    assert_eq!(
        attr_str(agent, oi::OPENINFERENCE_SPAN_KIND).as_deref(),
        Some("AGENT")
    );
    assert_eq!(
        attr_str(
            find_span(&spans, "retrieval kb"),
            oi::OPENINFERENCE_SPAN_KIND
        )
        .as_deref(),
        Some("RETRIEVER")
    );
    assert_eq!(
        attr_str(
            find_span(&spans, "embeddings text-embedding-3-small"),
            oi::OPENINFERENCE_SPAN_KIND
        )
        .as_deref(),
        Some("EMBEDDING")
    );
    assert_eq!(
        attr_str(
            find_span(&spans, "invoke_workflow build_context"),
            oi::OPENINFERENCE_SPAN_KIND
        )
        .as_deref(),
        Some("CHAIN")
    );
    for (name, kind) in [
        ("retrieval kb", SpanKind::Client),
        ("embeddings text-embedding-3-small", SpanKind::Client),
        ("invoke_workflow build_context", SpanKind::Internal),
        ("text_completion davinci-002", SpanKind::Client),
    ] {
        assert_eq!(find_span(&spans, name).span_kind, kind, "{name}");
    }
    // The model came from an argument expression; the span is at WARN level.
    let completion = find_span(&spans, "text_completion davinci-002");
    assert_eq!(
        attr_str(completion, sc::GEN_AI_OPERATION_NAME).as_deref(),
        Some("text_completion")
    );
}

#[test]
fn return_values_record_usage_documents_and_response() {
    let spans = run(false, || {
        ask("hello");
        search("q");
        embed("x");
    });
    let chat = find_span(&spans, "chat gpt-4o");
    assert_eq!(attr_i64(chat, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(12));
    assert_eq!(attr_i64(chat, sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(3));
    assert_eq!(
        attr_str(chat, sc::GEN_AI_RESPONSE_ID).as_deref(),
        Some("resp-1")
    );
    assert!(
        attr(chat, ours::COST_USD).is_some(),
        "priced from the recorded usage"
    );
    let retrieval = find_span(&spans, "retrieval kb");
    assert_eq!(
        attr_str(retrieval, "retrieval.documents.0.document.id").as_deref(),
        Some("d1")
    );
    assert_eq!(
        attr_i64(
            find_span(&spans, "embeddings text-embedding-3-small"),
            sc::GEN_AI_USAGE_INPUT_TOKENS
        ),
        Some(5)
    );
}

#[test]
fn errors_end_the_span_with_status_error_type_and_an_exception_event() {
    let spans = run(false, || {
        let _ = get_weather("Atlantis");
        let _ = looks_up();
    });
    let tool = find_span(&spans, "execute_tool get_weather");
    assert_eq!(tool.status, Status::error("tool failed"));
    assert_eq!(
        attr_str(tool, sc::ERROR_TYPE).as_deref(),
        Some("macros::ToolFailed")
    );
    assert!(tool.events.iter().any(|e| e.name == "exception"));
    let custom = find_span(&spans, "execute_tool custom_tool");
    assert_eq!(
        attr_str(custom, sc::ERROR_TYPE).as_deref(),
        Some("lookup_failed")
    );
    assert_eq!(custom.status, Status::error("no such key"));
}

#[test]
fn a_panic_ends_the_span_as_an_error_and_keeps_unwinding() {
    let spans = run(false, || {
        let caught = std::panic::catch_unwind(explodes);
        assert!(caught.is_err(), "the panic continues");
    });
    let span = find_span(&spans, "execute_tool explodes");
    assert!(matches!(span.status, Status::Error { .. }));
    assert_eq!(attr_str(span, sc::ERROR_TYPE).as_deref(), Some("panic"));
}

#[test]
fn async_methods_with_generics_are_instrumented() {
    let spans = run(false, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        let client = Client {
            prefix: "> ".into(),
        };
        let answer = rt.block_on(client.chat(42));
        assert_eq!(answer.expect("ok"), "> 42");
    });
    let chat = find_span(&spans, "chat claude-sonnet-4");
    assert_eq!(
        attr_str(chat, sc::GEN_AI_PROVIDER_NAME).as_deref(),
        Some("anthropic")
    );
    assert_eq!(chat.status, Status::Unset);
}

#[derive(Debug, Clone)]
struct Chunk {
    usage: Option<Usage>,
}

impl RecordOutcome for Chunk {
    fn record_outcome(&self, span: &tracing::Span) {
        self.usage.record_outcome(span);
    }
}

#[llmtrace::llm(model = "gpt-4o", stream)]
fn stream_answer(chunks: usize) -> impl futures_util::Stream<Item = Chunk> {
    futures_util::stream::unfold(0, move |i| async move {
        if i == 0 {
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        (i < chunks).then(|| {
            let usage = (i + 1 == chunks).then(|| Usage::new(20, chunks as u64));
            (Chunk { usage }, i + 1)
        })
    })
}

#[test]
fn a_stream_records_time_to_first_chunk_count_and_final_usage_or_cancellation() {
    use futures_util::StreamExt;
    let spans = run(false, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let all: Vec<Chunk> = stream_answer(4).collect().await;
            assert_eq!(all.len(), 4);
            let mut partial = Box::pin(stream_answer(10));
            partial.next().await;
            partial.next().await;
            drop(partial);
        });
    });
    let streams: Vec<_> = spans.iter().filter(|s| s.name == "chat gpt-4o").collect();
    assert_eq!(streams.len(), 2);
    let full = streams
        .iter()
        .find(|s| attr(s, ours::STREAM_CANCELLED).is_none())
        .expect("the finished stream");
    let ttfc = match attr(full, sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) {
        Some(Value::F64(v)) => *v,
        other => panic!("no time to first chunk: {other:?}"),
    };
    assert!(
        ttfc >= 0.03,
        "first chunk came after the 30 ms wait: {ttfc}"
    );
    assert_eq!(attr_i64(full, ours::STREAM_CHUNK_COUNT), Some(4));
    assert_eq!(
        attr_i64(full, sc::GEN_AI_USAGE_OUTPUT_TOKENS),
        Some(4),
        "final usage chunk"
    );
    assert_eq!(
        attr(full, sc::GEN_AI_REQUEST_STREAM),
        Some(&Value::Bool(true))
    );
    let dropped = streams
        .iter()
        .find(|s| attr(s, ours::STREAM_CANCELLED).is_some())
        .expect("the dropped stream is exported, not lost");
    assert_eq!(
        attr(dropped, ours::STREAM_CANCELLED),
        Some(&Value::Bool(true))
    );
    assert_eq!(attr_i64(dropped, ours::STREAM_CHUNK_COUNT), Some(2));
}

#[llmtrace::tool(capture, skip(secret))]
fn with_args(city: &str, secret: &str, count: u32) -> String {
    format!("{city}{secret}{count}")
}

#[test]
fn capture_records_nothing_while_content_capture_is_off() {
    let spans = run(false, || {
        with_args("Oslo", "hunter2", 3);
    });
    let span = find_span(&spans, "execute_tool with_args");
    assert_eq!(attr(span, oi::INPUT_VALUE), None);
    assert_eq!(attr(span, oi::OUTPUT_VALUE), None);
}

#[async_trait::async_trait]
trait Retriever {
    async fn fetch(&self, query: &str) -> Vec<llmtrace::Document>;
}

struct VectorStore {
    name: String,
}

// `#[async_trait]` turns the method into `fn fetch(..) -> Pin<Box<dyn Future>>` with a
// `Box::pin(async move { .. })` body before `#[retriever]` expands: the span must wrap the
// future (and time its await), not the boxing.
#[async_trait::async_trait]
impl Retriever for VectorStore {
    #[llmtrace::retriever(data_source = self.name)]
    async fn fetch(&self, query: &str) -> Vec<llmtrace::Document> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        vec![llmtrace::Document::new(query)]
    }
}

#[llmtrace::tool]
fn later(x: u32) -> impl std::future::Future<Output = u32> {
    async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        x + 1
    }
}

#[test]
fn async_trait_methods_and_future_returning_fns_span_the_future() {
    let spans = run(false, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        let store = VectorStore { name: "pg".into() };
        rt.block_on(async {
            let docs = store.fetch("q1").await;
            assert_eq!(docs.len(), 1);
            assert_eq!(later(1).await, 2);
        });
    });
    for name in ["retrieval pg", "execute_tool later"] {
        let span = find_span(&spans, name);
        let took = span
            .end_time
            .duration_since(span.start_time)
            .expect("ends after it starts");
        assert!(
            took >= Duration::from_millis(20),
            "{name} spans the awaited future: {took:?}"
        );
    }
    assert_eq!(
        attr_str(
            find_span(&spans, "retrieval pg"),
            "retrieval.documents.0.document.id"
        )
        .as_deref(),
        Some("q1")
    );
}

// No `stream` argument: an `impl Stream` return type is detected.
#[llmtrace::llm(model = "gpt-4o-mini")]
async fn stream_detected() -> impl futures_util::Stream<Item = Chunk> {
    futures_util::stream::iter(vec![
        Chunk { usage: None },
        Chunk {
            usage: Some(Usage::new(7, 2)),
        },
    ])
}

#[test]
fn an_impl_stream_return_type_is_instrumented_as_a_stream() {
    use futures_util::StreamExt;
    let spans = run(false, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let n = stream_detected().await.count().await;
            assert_eq!(n, 2);
        });
    });
    let span = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(attr_i64(span, ours::STREAM_CHUNK_COUNT), Some(2));
    assert_eq!(attr_i64(span, sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(2));
    assert!(attr(span, sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK).is_some());
    assert_eq!(attr(span, ours::STREAM_CANCELLED), None);
}

#[llmtrace::agent(name = "fragile")]
async fn async_explodes() -> u32 {
    tokio::task::yield_now().await;
    panic!("agent blew up")
}

#[test]
fn a_panic_in_an_async_fn_ends_the_span_as_an_error() {
    let spans = run(false, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async_explodes())
        }));
        assert!(caught.is_err(), "the panic continues");
    });
    let span = find_span(&spans, "invoke_agent fragile");
    assert!(matches!(span.status, Status::Error { .. }));
    assert_eq!(attr_str(span, sc::ERROR_TYPE).as_deref(), Some("panic"));
}

#[llmtrace::llm(model = "gpt-4.1", stream)]
async fn stream_or_fail(fail: bool) -> Result<impl futures_util::Stream<Item = Chunk>, ToolFailed> {
    if fail {
        return Err(ToolFailed);
    }
    Ok(futures_util::stream::iter(vec![Chunk {
        usage: Some(Usage::new(3, 1)),
    }]))
}

// Detected without `stream`.
#[llmtrace::llm(model = "o3")]
fn boxed_stream() -> std::pin::Pin<Box<dyn futures_util::Stream<Item = Chunk> + Send>> {
    Box::pin(futures_util::stream::iter(vec![
        Chunk { usage: None },
        Chunk { usage: None },
        Chunk { usage: None },
    ]))
}

#[test]
fn result_and_boxed_streams_are_wrapped_and_a_failed_request_is_an_error() {
    use futures_util::StreamExt;
    let spans = run(false, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let ok = stream_or_fail(false).await.expect("stream");
            assert_eq!(ok.count().await, 1);
            assert!(stream_or_fail(true).await.is_err());
            assert_eq!(boxed_stream().count().await, 3);
        });
    });
    let streams: Vec<_> = spans.iter().filter(|s| s.name == "chat gpt-4.1").collect();
    assert_eq!(streams.len(), 2);
    let ok = streams
        .iter()
        .find(|s| s.status == Status::Unset)
        .expect("the streamed one");
    assert_eq!(attr_i64(ok, ours::STREAM_CHUNK_COUNT), Some(1));
    assert_eq!(attr_i64(ok, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(3));
    let failed = streams
        .iter()
        .find(|s| s.status != Status::Unset)
        .expect("the failed one");
    assert_eq!(
        attr_str(failed, sc::ERROR_TYPE).as_deref(),
        Some("macros::ToolFailed")
    );
    assert_eq!(attr(failed, ours::STREAM_CHUNK_COUNT), None);
    let boxed = find_span(&spans, "chat o3");
    assert_eq!(attr_i64(boxed, ours::STREAM_CHUNK_COUNT), Some(3));
}

#[llmtrace::chain(name = "ranked", fields(user.tier = "gold", query.len = query.len() as i64))]
fn with_fields(query: &str) -> usize {
    query.len()
}

#[llmtrace::tool(level = "debug")]
fn chatty() -> u32 {
    1
}

#[test]
fn fields_become_attributes_and_level_is_filtered() {
    let spans = run(false, || {
        with_fields("abc");
        chatty();
    });
    let span = find_span(&spans, "invoke_workflow ranked");
    assert_eq!(attr_str(span, "user.tier").as_deref(), Some("gold"));
    assert_eq!(attr_i64(span, "query.len"), Some(3));
    assert!(
        !names(&spans).iter().any(|n| n.contains("chatty")),
        "a DEBUG span is below the default `info` filter: {:?}",
        names(&spans)
    );
}

#[test]
fn without_a_subscriber_the_functions_behave_the_same() {
    use futures_util::StreamExt;
    // No dispatcher in this thread: every span is disabled.
    assert!(get_weather("Atlantis").is_err());
    assert_eq!(get_weather("Oslo").expect("ok"), "sunny in Oslo");
    assert_eq!(ask("hi").usage, Usage::new(12, 3));
    assert!(std::panic::catch_unwind(explodes).is_err());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        assert_eq!(stream_answer(3).count().await, 3);
        assert_eq!(later(1).await, 2);
    });
}

// Borrowed returns, including `&mut` ones, pass through the generated code.
#[llmtrace::tool]
fn first(v: &mut [u8]) -> &mut u8 {
    &mut v[0]
}

struct Notes {
    text: String,
}

impl Notes {
    #[llmtrace::tool(name = "notes_get")]
    fn get(&self) -> &str {
        &self.text
    }

    #[llmtrace::tool(name = "notes_get_mut")]
    fn get_mut(&mut self) -> &mut String {
        &mut self.text
    }
}

#[test]
fn functions_returning_borrows_are_instrumented() {
    let spans = run(false, || {
        let mut v = vec![1, 2];
        *first(&mut v) = 7;
        assert_eq!(v, [7, 2]);
        let mut notes = Notes { text: "a".into() };
        notes.get_mut().push('b');
        assert_eq!(notes.get(), "ab");
    });
    for name in [
        "execute_tool first",
        "execute_tool notes_get",
        "execute_tool notes_get_mut",
    ] {
        find_span(&spans, name);
    }
}

/// `capture` with content capture on, in the same binary as the tests above with it off: the
/// choice belongs to each pipeline, not to the process.
mod capture_on {
    use super::*;

    #[derive(Debug)]
    struct Units(&'static str);

    /// Neither `Serialize` nor `Debug`: left out of the input.
    struct Opaque;

    #[llmtrace::tool(capture, skip(secret))]
    fn with_args(city: &str, secret: &str, count: u32, units: Units, _opaque: Opaque) -> String {
        format!("{city}{}{count}{}", secret.len(), units.0)
    }

    #[llmtrace::agent(capture, skip_all)]
    fn private_agent(secret: &str) -> usize {
        secret.len()
    }

    #[llmtrace::chain(capture)]
    fn structured(n: u32) -> Vec<u32> {
        vec![n, n + 1]
    }

    #[llmtrace::chain(ret)]
    fn only_output(text: &str) -> String {
        text.to_uppercase()
    }

    #[test]
    fn captured_arguments_and_return_values_respect_skip() {
        let spans = run(true, || {
            with_args("Oslo", "hunter2", 3, Units("C"), Opaque);
            structured(1);
            private_agent("hunter3");
            only_output("mail ada@example.org");
        });
        let span = find_span(&spans, "execute_tool with_args");
        let input: serde_json::Value =
            serde_json::from_str(&attr_str(span, oi::INPUT_VALUE).expect("input")).expect("json");
        assert_eq!(
            input,
            serde_json::json!({"city": "Oslo", "count": 3, "units": "Units(\"C\")"}),
            "serde form, else Debug form, else left out"
        );
        assert_eq!(attr_str(span, oi::OUTPUT_VALUE).as_deref(), Some("Oslo73C"));
        let private = find_span(&spans, "invoke_agent private_agent");
        assert_eq!(
            attr(private, oi::INPUT_VALUE),
            None,
            "skip_all records no argument"
        );
        assert_eq!(attr_str(private, oi::OUTPUT_VALUE).as_deref(), Some("7"));
        assert!(!all_strings(&spans).contains("hunter3"));
        let structured = find_span(&spans, "invoke_workflow structured");
        assert_eq!(
            attr_str(structured, oi::INPUT_VALUE).as_deref(),
            Some(r#"{"n":1}"#)
        );
        assert_eq!(
            attr_str(structured, oi::OUTPUT_VALUE).as_deref(),
            Some("[1,2]")
        );
        assert_eq!(
            attr_str(structured, oi::OUTPUT_MIME_TYPE).as_deref(),
            Some("application/json")
        );
        assert!(!all_strings(&spans).contains("hunter2"));
        let chain = find_span(&spans, "invoke_workflow only_output");
        assert_eq!(
            attr(chain, oi::INPUT_VALUE),
            None,
            "`ret` records only the output"
        );
        let output = attr_str(chain, oi::OUTPUT_VALUE).expect("output");
        assert!(
            output.contains("[REDACTED:email]"),
            "captured content passes the redactor: {output}"
        );
    }
}

#[llmtrace::llm(model = "gpt-4o", provider = "openai")]
fn literal_chat() -> u8 {
    1
}

#[llmtrace::llm(model = "davinci-002", operation = "text_completion")]
fn literal_completion() -> u8 {
    2
}

#[llmtrace::embedding(model = "text-embedding-3-small", provider = "openai")]
fn literal_embedding() -> u8 {
    3
}

/// A span's name, kind and attributes (sorted, values as text): what two spans are compared by.
fn shape(span: &opentelemetry_sdk::trace::SpanData) -> (String, SpanKind, Vec<(String, String)>) {
    let mut attributes: Vec<(String, String)> = span
        .attributes
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect();
    attributes.sort();
    (span.name.to_string(), span.span_kind.clone(), attributes)
}

#[test]
fn literal_macro_arguments_give_the_span_apis_span() {
    // With literal model and provider, `#[llm]` / `#[embedding]` write their attributes as the
    // span's fields instead of running the span builder: the exported span must be the same.
    type Case = (fn() -> u8, fn());
    let cases: [Case; 3] = [
        (literal_chat, || {
            let _span = llmtrace::chat("gpt-4o").provider("openai").start();
        }),
        (literal_completion, || {
            let _span = llmtrace::completion("davinci-002").start();
        }),
        (literal_embedding, || {
            let _span = llmtrace::embeddings("text-embedding-3-small")
                .provider("openai")
                .start();
        }),
    ];
    for (with_macro, with_api) in cases {
        let from_macro = run(false, || {
            with_macro();
        });
        let from_api = run(false, with_api);
        assert_eq!(from_macro.len(), 1);
        assert_eq!(from_api.len(), 1);
        assert_eq!(shape(&from_macro[0]), shape(&from_api[0]));
    }
}
