//! The fast path allocates nothing: a string with nothing to redact comes back borrowed and the
//! matcher reuses its per-thread cache.

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use llmtrace_processor::redact::{RedactionConfig, RedactionReport, Redactor};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn no_allocation_when_nothing_matches() {
    let redactor = Redactor::new(&RedactionConfig::default()).expect("config");
    let inputs = [
        "The model gpt-4o-2024-08-06 answered in 1.8 s using 512 tokens (version 2.14.0).",
        "Order ORD-2024-004512 was placed on 2024-08-06T14:03:00Z; trace 4bf92f3577b34da6a3ce929d0e0e4736.",
        r#"[{"role":"user","content":"Summarize the order status, please."}]"#,
        "Le client demande une facture corrigée; merci de vérifier la TVA à 20 %.",
    ];
    let mut report = RedactionReport::default();
    for s in inputs {
        // Warm up: the matcher creates its per-thread search cache on first use.
        let _ = redactor.redact_str_with_report(s, &mut report);
    }
    for s in inputs {
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        let out = redactor.redact_str_with_report(s, &mut report);
        let after = ALLOCATIONS.load(Ordering::SeqCst);
        assert!(matches!(out, Cow::Borrowed(_)), "{s}");
        assert_eq!(after - before, 0, "{s}: allocated {} times", after - before);
    }
    assert!(report.is_empty());
}
