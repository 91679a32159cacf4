//! Bad input: a 10 MB prompt, a 100 000-span trace, 10 000 levels of nesting, bytes that are not
//! UTF-8 recorded through `Debug`. Each case asserts what is exported, not only that nothing
//! crashed. Content capture is on in every case. (Invalid configuration and panics in instrumented code have their own tests in the
//! llmtrace crate: `config::tests`, `processors.rs`, `macros.rs`.)

use llmtrace::semconv::attribute as sc;
use llmtrace::{LlmSpanExt, Message};
use llmtrace_test_support::{attr, pipeline_with, run_in};
use opentelemetry::trace::SpanId;
use opentelemetry::Value;
use opentelemetry_sdk::trace::InMemorySpanExporter;

fn pipeline(
    capture: bool,
    sampling: Option<llmtrace::processor::sample::TailSamplingConfig>,
) -> (llmtrace::Guard, InMemorySpanExporter) {
    pipeline_with(capture, |builder| {
        let builder = builder.metrics(false);
        match sampling {
            Some(config) => builder.tail_sampling(config),
            None => builder,
        }
    })
}

#[test]
fn a_10_mb_prompt_is_cut_to_a_bounded_valid_json_value_with_its_length_recorded() {
    let (guard, exporter) = pipeline(true, None);
    let prompt = "lorem ipsum dolor sit amet ".repeat(10 * 1024 * 1024 / 27);
    let spans = run_in(&guard, &exporter, || {
        llmtrace::chat("gpt-4o")
            .input_messages(&[Message::user(prompt.as_str())])
            .start()
            .in_scope(|| {});
    });
    let chat = &spans[0];
    let value = attr(chat, sc::GEN_AI_INPUT_MESSAGES)
        .expect("messages")
        .as_str()
        .into_owned();
    assert!(
        value.len() <= 17 * 1024,
        "cut to the 16 KiB limit, got {} bytes",
        value.len()
    );
    serde_json::from_str::<serde_json::Value>(&value).expect("still valid JSON");
    let original = format!(
        "llmtrace.truncated.{}.original_length",
        sc::GEN_AI_INPUT_MESSAGES
    );
    match attr(chat, &original) {
        Some(Value::I64(n)) => assert!(*n as usize > prompt.len(), "{n}"),
        other => panic!("original length not recorded: {other:?}"),
    }
}

#[test]
fn a_100k_span_trace_is_exported_whole_and_the_tail_sampler_bounds_it() {
    let (guard, exporter) = pipeline(true, None);
    let spans = run_in(&guard, &exporter, || {
        llmtrace::agent("huge").start().in_scope(|| {
            for _ in 0..100_000 {
                llmtrace::tool("step").start().in_scope(|| {});
            }
        });
    });
    assert_eq!(spans.len(), 100_001);

    // With tail sampling, a trace past `max_spans_per_trace` is decided early instead of growing
    // the buffer; an error seen by then keeps it, and its later spans follow that decision.
    let config = llmtrace::processor::sample::TailSamplingConfig::recommended()
        .with_max_spans_per_trace(1000);
    let (guard, exporter) = pipeline(true, Some(config));
    let spans = run_in(&guard, &exporter, || {
        llmtrace::agent("huge").start().in_scope(|| {
            for i in 0..100_000 {
                let span = llmtrace::tool("step").start();
                if i == 10 {
                    span.record_error_type("boom", "step 10 failed");
                }
            }
        });
    });
    let stats = guard.sampler_stats().expect("sampler");
    assert_eq!(
        stats.decided_forced, 1,
        "decided at the span bound: {stats:?}"
    );
    assert!(stats.buffered_spans <= 1000, "{stats:?}");
    assert_eq!(stats.traces_kept, 1, "{stats:?}");
    assert_eq!(
        spans.len(),
        100_001,
        "the error trace is kept whole: {stats:?}"
    );
}

#[test]
fn ten_thousand_levels_of_nesting_keep_every_parent_link() {
    let (guard, exporter) = pipeline(true, None);
    let spans = run_in(&guard, &exporter, || {
        let mut entered = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            entered.push(llmtrace::chain("level").start().entered());
        }
        while let Some(span) = entered.pop() {
            drop(span);
        }
    });
    assert_eq!(spans.len(), 10_000);
    let parents: std::collections::HashMap<SpanId, SpanId> = spans
        .iter()
        .map(|s| (s.span_context.span_id(), s.parent_span_id))
        .collect();
    let leaf = spans
        .iter()
        .find(|s| !parents.values().any(|p| *p == s.span_context.span_id()))
        .expect("a leaf");
    let mut depth = 1;
    let mut id = leaf.parent_span_id;
    while id != SpanId::INVALID {
        depth += 1;
        id = parents[&id];
    }
    assert_eq!(depth, 10_000);
    // The console tree renders it without blowing the stack.
    let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let tree = llmtrace::export::TreeExporter::new(Box::new(Sink(out.clone())));
    use opentelemetry_sdk::trace::SpanExporter;
    futures_util::FutureExt::now_or_never(tree.export(spans))
        .expect("sync")
        .expect("exported");
    let printed = String::from_utf8(out.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        printed.contains("10000 spans"),
        "{}",
        &printed[..200.min(printed.len())]
    );
    assert!(printed.contains("deeper spans not shown"));
}

#[test]
fn non_utf8_bytes_recorded_through_debug_arrive_as_their_debug_text() {
    use std::os::unix::ffi::OsStrExt;
    let (guard, exporter) = pipeline(true, None);
    let bytes: &[u8] = &[0x66, 0xff, 0xfe, 0x6f];
    let os = std::ffi::OsStr::from_bytes(bytes);
    let spans = run_in(&guard, &exporter, || {
        tracing::info_span!("raw", payload = ?bytes, path = ?os).in_scope(|| {});
        let chat = llmtrace::chat("m").start();
        chat.record_output(&String::from_utf8_lossy(bytes));
    });
    let raw = spans.iter().find(|s| s.name == "raw").expect("raw span");
    assert_eq!(
        attr(raw, "payload").map(|v| v.as_str().into_owned()),
        Some("[102, 255, 254, 111]".into())
    );
    assert_eq!(
        attr(raw, "path").map(|v| v.as_str().into_owned()),
        Some(format!("{os:?}"))
    );
    let chat = spans.iter().find(|s| s.name == "chat m").expect("chat");
    assert_eq!(
        attr(chat, "output.value").map(|v| v.as_str().into_owned()),
        Some("f\u{fffd}\u{fffd}o".into())
    );
}
