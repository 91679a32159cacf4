//! Spans llmtrace did not create, made with plain `tracing` macros shaped exactly as genai 0.7.2
//! (feature `otel`) and rig 0.44.0 (rig-core, rig-agent) emit them — same targets, span names,
//! fields, field types and recording order — pushed through an llmtrace pipeline: names, kinds,
//! integer token counts, cost, the OpenInference mirror, parents, error status, the content
//! switch, and no double-counted usage on rig's agent span. The rig shapes were checked against
//! rig 0.44's real spans (`tests/rig_example.rs` runs the crate).

use llmtrace::semconv::{attribute as sc, llmtrace as ours, openinference as oi};
use llmtrace_test_support::*;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;
use tracing::field::Empty;

const EMAIL: &str = "jane.doe@example.com";

/// genai's `chat` span (`genai::otel::span::chat_request_span`), answered or failed.
fn genai_chat(fail: bool) {
    let span = tracing::info_span!(
        target: "genai::otel::span",
        "genai.chat",
        "otel.name" = "chat gpt-4o-mini",
        "otel.kind" = "client",
        "otel.status_code" = Empty,
        "error.type" = Empty,
        "gen_ai.operation.name" = "chat",
        "gen_ai.provider.name" = "openai",
        "gen_ai.request.model" = "gpt-4o-mini",
        "gen_ai.request.stream" = false,
        "server.address" = Empty,
        "server.port" = Empty,
        "gen_ai.response.id" = Empty,
        "gen_ai.response.model" = Empty,
        "gen_ai.response.finish_reasons" = Empty,
        "gen_ai.usage.input_tokens" = Empty,
        "gen_ai.usage.output_tokens" = Empty,
        "gen_ai.input.messages" = Empty,
        "gen_ai.output.messages" = Empty,
    );
    span.record("server.address", "127.0.0.1");
    span.record("server.port", 8080_i64);
    // genai reads its own capture variable; here it is on, so only llmtrace's switch decides.
    let input = format!(
        r#"[{{"role":"user","parts":[{{"type":"text","content":"Weather in Paris? Mail {EMAIL}"}}]}}]"#
    );
    span.record("gen_ai.input.messages", input.as_str());
    if fail {
        span.record("otel.status_code", "error");
        span.record("error.type", "429");
        return;
    }
    span.record("gen_ai.response.id", "chatcmpl-1");
    span.record("gen_ai.response.model", "gpt-4o-mini");
    span.record("gen_ai.response.finish_reasons", r#"["stop"]"#);
    span.record("gen_ai.usage.input_tokens", 42_i64);
    span.record("gen_ai.usage.output_tokens", 7_i64);
    span.record(
        "gen_ai.output.messages",
        r#"[{"role":"assistant","parts":[{"type":"text","content":"Sunny."}],"finish_reason":"stop"}]"#,
    );
}

/// genai's `execute_tool` span (`genai::otel::agent::ExecuteToolSpan`).
fn genai_tool() {
    let span = tracing::info_span!(
        target: "genai::otel::agent",
        "genai.execute_tool",
        "otel.name" = "execute_tool get_weather",
        "otel.kind" = "internal",
        "otel.status_code" = Empty,
        "error.type" = Empty,
        "gen_ai.operation.name" = "execute_tool",
        "gen_ai.tool.name" = "get_weather",
        "gen_ai.tool.call.id" = Empty,
        "gen_ai.tool.type" = Empty,
        "gen_ai.tool.call.arguments" = Empty,
        "gen_ai.tool.call.result" = Empty,
    );
    span.record("gen_ai.tool.call.id", "call_1");
    span.record("gen_ai.tool.type", "function");
    span.record("gen_ai.tool.call.arguments", r#"{"city":"Paris"}"#);
    span.record("gen_ai.tool.call.result", "sunny");
}

/// rig's agent `chat` span (`rig_agent::agent::telemetry::build_chat_span!`, a completion
/// parent), adopted by the provider call (`rig_core::telemetry::SpanBuilder`): the operation
/// recorded a second time, token counts as `u64`.
fn rig_chat(input_tokens: u64, output_tokens: u64, record_content: bool) {
    rig_turn(Some((input_tokens, output_tokens)), false, record_content);
}

/// rig's agent `chat` span, answered with `usage` or failed (`None`: rig records nothing more
/// once the provider fails, as seen running rig 0.44 against a mock that answers 404).
fn rig_turn(usage: Option<(u64, u64)>, stream: bool, record_content: bool) {
    let span = tracing::info_span!(
        target: "rig::agent_chat",
        "chat",
        rig.completion_parent = true,
        gen_ai.operation.name = "chat",
        gen_ai.system_instructions = Empty,
        gen_ai.provider.name = Empty,
        gen_ai.request.model = Empty,
        gen_ai.request.stream = Empty,
        gen_ai.response.id = Empty,
        gen_ai.response.model = Empty,
        rig.provider_request_id = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        gen_ai.usage.cache_read.input_tokens = Empty,
        gen_ai.usage.cache_creation.input_tokens = Empty,
        gen_ai.usage.tool_use_prompt_tokens = Empty,
        gen_ai.usage.reasoning_tokens = Empty,
        gen_ai.input.messages = Empty,
        gen_ai.output.messages = Empty,
        gen_ai.agent.name = "weather_agent",
    );
    let _entered = span.enter();
    span.record("gen_ai.operation.name", "chat");
    span.record("gen_ai.provider.name", "openai");
    span.record("gen_ai.request.model", "gpt-4o-mini");
    span.record("gen_ai.request.stream", stream);
    if record_content {
        let input = format!(
            r#"[{{"role":"user","parts":[{{"type":"text","content":"Weather in Paris? Mail {EMAIL}"}}]}}]"#
        );
        span.record("gen_ai.input.messages", input.as_str());
    }
    let Some((input_tokens, output_tokens)) = usage else {
        return;
    };
    span.record("gen_ai.response.id", "chatcmpl-2");
    span.record("gen_ai.response.model", "gpt-4o-mini");
    span.record("gen_ai.usage.input_tokens", input_tokens);
    span.record("gen_ai.usage.output_tokens", output_tokens);
    span.record("gen_ai.usage.reasoning_tokens", 0_u64);
}

/// rig's agent run whose only model call fails (the provider refuses the model): a root
/// `invoke_agent` with no usage, and its `chat` span with no response.
fn rig_refused_agent(stream: bool) {
    let agent = tracing::info_span!(
        target: "rig_agent::agent::telemetry",
        parent: None,
        "invoke_agent",
        gen_ai.operation.name = "invoke_agent",
        gen_ai.agent.name = "early_adopter",
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
    );
    let _entered = agent.enter();
    rig_turn(None, stream, false);
}

/// rig's `execute_tool` span (`rig_agent::agent::telemetry::new_execute_tool_span`), with the
/// outcome rig records (`record_tool_result`).
fn rig_tool(name: &str, error: Option<&str>, record_content: bool) {
    let span = tracing::info_span!(
        target: "rig_agent::agent::telemetry",
        "execute_tool",
        gen_ai.operation.name = "execute_tool",
        gen_ai.tool.type = "function",
        gen_ai.tool.name = Empty,
        gen_ai.tool.call.id = Empty,
        gen_ai.tool.call.arguments = Empty,
        gen_ai.tool.call.result = Empty,
        gen_ai.tool.call.outcome = Empty,
        gen_ai.tool.error.type = Empty
    );
    span.record("gen_ai.tool.name", name);
    span.record("gen_ai.tool.call.id", "call_9");
    if record_content {
        span.record("gen_ai.tool.call.arguments", r#"{"city":"Paris"}"#);
        span.record("gen_ai.tool.call.result", "sunny");
    }
    match error {
        None => span.record("gen_ai.tool.call.outcome", "success"),
        Some(kind) => {
            span.record("gen_ai.tool.call.outcome", "error");
            span.record("gen_ai.tool.error.type", kind)
        }
    };
}

/// rig's embeddings span (`rig_core::telemetry`, `new_modality_span!`).
fn rig_embeddings() {
    let span = tracing::info_span!(
        target: "rig::modalities",
        "embeddings",
        gen_ai.operation.name = "embeddings",
        gen_ai.provider.name = "openai",
        gen_ai.request.model = "text-embedding-3-small",
        gen_ai.response.id = Empty,
        gen_ai.response.model = Empty,
        rig.provider_request_id = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
    );
    span.record("gen_ai.response.model", "text-embedding-3-small");
    span.record("gen_ai.usage.input_tokens", 1_000_u64);
    span.record("gen_ai.usage.output_tokens", 0_u64);
}

/// rig's agent run (`rig_agent::agent::telemetry::acquire_agent_span`, a new root): two model
/// turns and two tools (the second fails), then the run's total usage on the agent span.
fn rig_agent(record_content: bool) {
    let agent = tracing::info_span!(
        target: "rig_agent::agent::telemetry",
        parent: None,
        "invoke_agent",
        gen_ai.operation.name = "invoke_agent",
        gen_ai.agent.name = "weather_agent",
        gen_ai.system_instructions = Empty,
        gen_ai.prompt = Empty,
        gen_ai.completion = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        gen_ai.usage.cache_read.input_tokens = Empty,
        gen_ai.usage.cache_creation.input_tokens = Empty,
        gen_ai.usage.tool_use_prompt_tokens = Empty,
        gen_ai.usage.reasoning_tokens = Empty,
    );
    let _entered = agent.enter();
    if record_content {
        let prompt = format!("Weather in Paris? Mail {EMAIL}");
        agent.record("gen_ai.prompt", prompt.as_str());
    }
    // A dynamic context (vector-store retrieval) embeds the prompt before each turn.
    rig_embeddings();
    rig_chat(100, 20, record_content);
    rig_tool("get_weather", None, record_content);
    rig_tool("get_forecast", Some("timeout"), record_content);
    rig_chat(150, 30, record_content);
    if record_content {
        agent.record("gen_ai.completion", "Sunny in Paris.");
    }
    agent.record("gen_ai.usage.input_tokens", 250_u64);
    agent.record("gen_ai.usage.output_tokens", 50_u64);
}

fn spans_named<'a>(spans: &'a [SpanData], name: &str) -> Vec<&'a SpanData> {
    spans.iter().filter(|s| s.name == name).collect()
}

fn oi_kind(span: &SpanData) -> Option<String> {
    attr_str(span, oi::OPENINFERENCE_SPAN_KIND)
}

#[test]
fn genai_spans_get_the_openinference_mirror_arrays_and_cost() {
    let spans = run(true, || {
        genai_chat(false);
        genai_tool();
    });
    let chat = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(chat.span_kind, SpanKind::Client);
    assert_eq!(attr_i64(chat, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(42));
    assert_eq!(
        attr_strings(chat, sc::GEN_AI_RESPONSE_FINISH_REASONS),
        ["stop"]
    );
    assert!(attr_f64(chat, ours::COST_USD).is_some_and(|c| c > 0.0));
    assert_eq!(oi_kind(chat).as_deref(), Some("LLM"));
    assert_eq!(
        attr_str(chat, oi::LLM_MODEL_NAME).as_deref(),
        Some("gpt-4o-mini")
    );
    assert_eq!(attr_i64(chat, oi::LLM_TOKEN_COUNT_TOTAL), Some(49));
    let tool = find_span(&spans, "execute_tool get_weather");
    assert_eq!(tool.span_kind, SpanKind::Internal);
    assert_eq!(oi_kind(tool).as_deref(), Some("TOOL"));
    assert_eq!(
        attr_str(tool, oi::TOOL_NAME).as_deref(),
        Some("get_weather")
    );
}

#[test]
fn a_failed_genai_call_keeps_its_error() {
    let spans = run(false, || genai_chat(true));
    let chat = find_span(&spans, "chat gpt-4o-mini");
    assert!(
        matches!(chat.status, Status::Error { .. }),
        "{:?}",
        chat.status
    );
    assert_eq!(attr_str(chat, sc::ERROR_TYPE).as_deref(), Some("429"));
}

#[test]
fn rig_spans_get_names_kinds_int_tokens_cost_and_the_mirror() {
    let spans = run(true, || {
        rig_agent(false);
        rig_embeddings();
    });
    let chats = spans_named(&spans, "chat gpt-4o-mini");
    assert_eq!(chats.len(), 2, "{:?}", names(&spans));
    for chat in &chats {
        assert_eq!(chat.span_kind, SpanKind::Client);
        assert_eq!(oi_kind(chat).as_deref(), Some("LLM"));
        assert_eq!(
            attr_str(chat, oi::LLM_MODEL_NAME).as_deref(),
            Some("gpt-4o-mini")
        );
        assert!(attr_f64(chat, ours::COST_USD).is_some_and(|c| c > 0.0));
        let operations = chat
            .attributes
            .iter()
            .filter(|kv| kv.key.as_str() == sc::GEN_AI_OPERATION_NAME)
            .count();
        assert_eq!(operations, 1);
        assert_eq!(
            attr_i64(chat, sc::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
            Some(0)
        );
    }
    assert_eq!(attr_i64(chats[0], sc::GEN_AI_USAGE_INPUT_TOKENS), Some(100));
    assert_eq!(attr_i64(chats[0], oi::LLM_TOKEN_COUNT_PROMPT), Some(100));
    assert_eq!(attr_i64(chats[1], sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(30));

    let agent = find_span(&spans, "invoke_agent weather_agent");
    assert_eq!(agent.span_kind, SpanKind::Internal);
    assert_eq!(oi_kind(agent).as_deref(), Some("AGENT"));
    for span in chats.iter().copied().chain([
        find_span(&spans, "execute_tool get_weather"),
        find_span(&spans, "execute_tool get_forecast"),
    ]) {
        assert!(is_child_of(span, agent), "{} under the agent", span.name);
    }
    let tool = find_span(&spans, "execute_tool get_weather");
    assert_eq!(oi_kind(tool).as_deref(), Some("TOOL"));
    assert_eq!(tool.status, Status::Unset);

    let embeddings = find_span(&spans, "embeddings text-embedding-3-small");
    assert_eq!(embeddings.span_kind, SpanKind::Client);
    assert_eq!(oi_kind(embeddings).as_deref(), Some("EMBEDDING"));
    assert_eq!(
        attr_i64(embeddings, sc::GEN_AI_USAGE_INPUT_TOKENS),
        Some(1000)
    );
    assert!(attr_f64(embeddings, ours::COST_USD).is_some_and(|c| c > 0.0));
}

#[test]
fn a_failed_rig_tool_call_is_an_error() {
    let spans = run(false, || rig_agent(false));
    let tool = find_span(&spans, "execute_tool get_forecast");
    assert!(
        matches!(tool.status, Status::Error { .. }),
        "{:?}",
        tool.status
    );
    assert_eq!(attr_str(tool, sc::ERROR_TYPE).as_deref(), Some("timeout"));
}

#[test]
fn the_agent_run_total_is_not_counted_again() {
    let spans = run(false, || rig_agent(false));
    let agent = find_span(&spans, "invoke_agent weather_agent");
    // The calls under the agent: two chats and the retrieval's embedding.
    let calls: Vec<&SpanData> = spans.iter().filter(|s| is_child_of(s, agent)).collect();
    let call_cost: f64 = calls
        .iter()
        .filter_map(|s| attr_f64(s, ours::COST_USD))
        .sum();
    assert_eq!(attr_bool(agent, ours::USAGE_ROLLUP), Some(true));
    // The run's own usage is kept as rig wrote it (as integers), but only the calls count.
    assert_eq!(attr_i64(agent, sc::GEN_AI_USAGE_INPUT_TOKENS), Some(250));
    assert_eq!(attr_i64(agent, ours::TRACE_INPUT_TOKENS), Some(250 + 1000));
    assert_eq!(attr_i64(agent, ours::TRACE_OUTPUT_TOKENS), Some(50));
    let root_cost = attr_f64(agent, ours::COST_USD).expect("the trace's cost");
    assert!(
        (root_cost - call_cost).abs() < 1e-12,
        "{root_cost} vs {call_cost}"
    );
    assert_eq!(attr_f64(agent, ours::COST_INPUT_USD), None);
    assert_eq!(attr_i64(agent, oi::LLM_TOKEN_COUNT_PROMPT), None);
}

#[test]
fn with_capture_off_no_content_from_any_producer_is_exported() {
    let spans = run(false, || {
        genai_chat(false);
        genai_tool();
        rig_agent(true);
    });
    let everything = all_strings(&spans);
    for secret in [EMAIL, "Weather in Paris", "Sunny", "sunny", "Paris"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
    for span in &spans {
        for kv in &span.attributes {
            assert!(
                !llmtrace::content::is_content_key(kv.key.as_str()),
                "{} on {}",
                kv.key,
                span.name
            );
        }
    }
}

#[test]
fn with_capture_on_content_is_kept_redacted() {
    let spans = run(true, || {
        genai_chat(false);
        rig_agent(true);
    });
    let chat = find_span(&spans, "chat gpt-4o-mini");
    let input = attr_str(chat, sc::GEN_AI_INPUT_MESSAGES).expect("input kept");
    assert!(input.contains("[REDACTED:email]"), "{input}");
    assert!(attr_str(chat, oi::INPUT_VALUE).is_some());
    let agent = find_span(&spans, "invoke_agent weather_agent");
    let prompt = attr_str(agent, "gen_ai.prompt").expect("prompt kept");
    assert!(prompt.contains("[REDACTED:email]"), "{prompt}");
    assert_eq!(
        attr_str(agent, oi::OUTPUT_VALUE).as_deref(),
        Some("Sunny in Paris.")
    );
    assert!(!all_strings(&spans).contains(EMAIL));
}

#[test]
fn a_rig_agent_call_that_got_no_response_is_an_error() {
    let spans = run(false, || {
        rig_refused_agent(false);
        rig_agent(false);
    });
    let chats = spans_named(&spans, "chat gpt-4o-mini");
    assert_eq!(chats.len(), 3);
    let (refused, answered): (Vec<&SpanData>, Vec<&SpanData>) = chats
        .into_iter()
        .partition(|s| attr_i64(s, sc::GEN_AI_USAGE_INPUT_TOKENS).is_none());
    assert_eq!(refused.len(), 1);
    assert!(
        matches!(refused[0].status, Status::Error { .. }),
        "{:?}",
        refused[0].status
    );
    assert_eq!(
        attr_str(refused[0], sc::ERROR_TYPE).as_deref(),
        Some("_OTHER")
    );
    assert_eq!(attr_f64(refused[0], ours::COST_USD), None);
    // Answered calls are not touched.
    for chat in answered {
        assert_eq!(chat.status, Status::Unset);
        assert_eq!(attr_str(chat, sc::ERROR_TYPE), None);
    }
}

#[test]
fn a_rig_stream_without_a_response_is_not_called_failed() {
    // A stream the caller stopped reading ends with no response either; it did not fail.
    let spans = run(false, || rig_refused_agent(true));
    let chat = find_span(&spans, "chat gpt-4o-mini");
    assert_eq!(chat.status, Status::Unset);
    assert_eq!(attr_str(chat, sc::ERROR_TYPE), None);
}
