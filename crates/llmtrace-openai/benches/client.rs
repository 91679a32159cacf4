//! What tracing adds to one chat completion call, against a local mock provider that keeps its
//! connections alive (so that the figure is the client's, not the TCP handshake's):
//!
//! - `plain_async_openai`: `async_openai::Client`, no llmtrace;
//! - `traced_no_subscriber`: `llmtrace_openai::Client` with no tracing subscriber (tracing off);
//! - `traced_default_pipeline`: `llmtrace_openai::Client` under llmtrace's default pipeline
//!   (normalisation, cost, OpenInference, metrics, redaction, tail sampling) ending in a batch
//!   processor with a no-op exporter;
//! - `traced_capture_on`: the same with content capture on (messages serialised and redacted).
//!
//! Each call runs to completion on a current-thread Tokio runtime; the server's thread answers
//! from the other core. Compare the variants within one run:
//! `cargo bench -p llmtrace-openai --bench client -- --warm-up-time 1 --measurement-time 4`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, CreateChatCompletionRequestArgs,
};
use criterion::{criterion_group, criterion_main, Criterion};
use llmtrace_test_support::mock_provider::{self, Reply};
use llmtrace_test_support::DiscardingExporter;
use opentelemetry_sdk::trace::BatchSpanProcessor;

const MODEL: &str = "gpt-4o-mini";

fn config(port: u16) -> OpenAIConfig {
    OpenAIConfig::new()
        .with_api_base(format!("http://127.0.0.1:{port}/v1"))
        .with_api_key("bench-key")
}

fn request() -> CreateChatCompletionRequest {
    CreateChatCompletionRequestArgs::default()
        .model(MODEL)
        .temperature(0.2)
        .max_tokens(64_u32)
        .messages([
            ChatCompletionRequestSystemMessage::from("Answer in one sentence.").into(),
            ChatCompletionRequestUserMessage::from("Why is the sky blue? Reply to ada@example.org")
                .into(),
        ])
        .build()
        .expect("request")
}

fn mock() -> u16 {
    let answer = mock_provider::chat_completion(
        MODEL,
        mock_provider::text_message("Sunlight scatters off the air, blue the most."),
        (24, 12),
    );
    mock_provider::start(move |_| Reply::json(&answer)).expect("mock provider")
}

fn pipeline(capture: &str) -> llmtrace::Guard {
    llmtrace::builder()
        .with_env(vec![(
            "LLMTRACE_CAPTURE_CONTENT".to_owned(),
            capture.to_owned(),
        )])
        .install_global(false)
        .console(false)
        .with_span_processor(BatchSpanProcessor::builder(DiscardingExporter).build())
        .build()
        .expect("pipeline")
}

fn client_call(c: &mut Criterion) {
    let port = mock();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("client_call");

    let plain = async_openai::Client::with_config(config(port));
    group.bench_function("plain_async_openai", |b| {
        b.iter(|| {
            runtime
                .block_on(plain.chat().create(request()))
                .expect("answer")
        })
    });

    let traced = llmtrace_openai::Client::with_config(config(port));
    group.bench_function("traced_no_subscriber", |b| {
        b.iter(|| {
            runtime
                .block_on(traced.chat().create(request()))
                .expect("answer")
        })
    });

    for (name, capture) in [
        ("traced_default_pipeline", "no_content"),
        ("traced_capture_on", "span_only"),
    ] {
        let guard = pipeline(capture);
        let dispatch = guard.dispatch();
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&dispatch, || {
                b.iter(|| {
                    runtime
                        .block_on(traced.chat().create(request()))
                        .expect("answer")
                })
            })
        });
        drop(guard);
    }
    group.finish();
}

criterion_group!(benches, client_call);
criterion_main!(benches);
