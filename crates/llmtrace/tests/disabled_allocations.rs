//! With no subscriber, the span API allocates nothing: names, models and attribute values stay
//! borrowed until a subscriber wants the span. (Its own binary: it counts every allocation of
//! the process with a global allocator.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use llmtrace::{LlmSpanExt, Message, Response, Usage};

/// The system allocator, counting the allocations made on threads that asked to be counted.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// thread-local cells that never allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as for `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn count() {
    // `try_with`: thread-locals may already be gone while a thread exits.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The number of allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn the_span_api_allocates_nothing_without_a_subscriber() {
    let model = String::from("gpt-4o");
    let response = Response::new().id("chatcmpl-1").model("gpt-4o-2024-08-06");
    let messages = [Message::user("hello")];
    // Warm up lazily initialised statics (callsite registration) outside the count.
    drop(llmtrace::chat("warm-up").start());

    let counted = allocations(|| {
        let span = llmtrace::chat(model.as_str())
            .provider("openai")
            .temperature(0.2)
            .max_tokens(512)
            .server_address("api.example.test")
            .server_port(443)
            .input_messages(&messages)
            .start();
        span.record_usage(Usage::new(812, 64));
        span.record_response(&response);
        span.record_output_messages(&messages);
        drop(span);
        drop(
            llmtrace::tool("get_weather")
                .description("Looks up the weather")
                .start(),
        );
        drop(llmtrace::agent("planner").provider("openai").start());
        drop(llmtrace::embeddings("text-embedding-3-small").start());
        drop(llmtrace::retrieval("kb").start());
        drop(llmtrace::rerank("rerank-v3").start());
        drop(llmtrace::chain("plan").start());
    });
    assert_eq!(counted, 0, "allocations with no subscriber");

    // The counter itself works: the same calls allocate under a subscriber.
    let (guard, _exporter) = llmtrace_test_support::pipeline(false);
    let counted = tracing::dispatcher::with_default(&guard.dispatch(), || {
        allocations(|| drop(llmtrace::chat(model.as_str()).provider("openai").start()))
    });
    assert!(counted > 0);
}
