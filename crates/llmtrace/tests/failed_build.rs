//! A failed `build()` changes nothing observable, and its error reads as a sentence. (Its own
//! binary: it reads the process-wide fallback of the content switch.)

use std::sync::Mutex;

use llmtrace::{CaptureMode, ConfigError, InitError};

/// Held by the tests that set or read the process-wide fallback.
static SWITCHES: Mutex<()> = Mutex::new(());

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn builds_leave_the_process_wide_content_switch_as_it_was() {
    let _switches = SWITCHES.lock().unwrap_or_else(|p| p.into_inner());
    llmtrace::set_capture_content(false);
    let err = llmtrace::builder()
        .with_env(vars(&[
            (
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
                "span_and_event",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "udp"),
        ]))
        .install_global(false)
        .console(false)
        .build()
        .expect_err("udp is not an OTLP protocol");
    assert!(matches!(
        err,
        InitError::Config(ConfigError::InvalidValue { .. })
    ));
    assert!(
        !llmtrace::capture_content(),
        "content capture switched on by a failed build"
    );

    // The same settings without the mistake: they apply to the pipeline's own spans, and the
    // process-wide fallback stays as it was.
    let guard = llmtrace::builder()
        .with_env(vars(&[(
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
            "span_and_event",
        )]))
        .install_global(false)
        .console(false)
        .build()
        .expect("valid");
    assert!(tracing::dispatcher::with_default(
        &guard.dispatch(),
        llmtrace::capture_content
    ));
    assert!(!llmtrace::capture_content(), "the fallback was changed");
    drop(guard);
}

#[test]
fn an_unknown_capture_value_is_tolerated_by_build_and_reported_by_check_config() {
    let _switches = SWITCHES.lock().unwrap_or_else(|p| p.into_inner());
    let var = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";
    let built = llmtrace::builder()
        .with_env(vars(&[(var, "everything")]))
        .install_global(false)
        .console(false)
        .build();
    assert!(built.is_ok(), "{built:?}");
    let err = llmtrace::check_config(vars(&[(var, "everything")]), None)
        .expect_err("check_config is strict");
    assert!(
        matches!(&err, InitError::Config(ConfigError::InvalidValue { variable, .. }) if variable == var),
        "{err:?}"
    );
    for value in [
        "no_content",
        "span_only",
        "event_only",
        "span_and_event",
        "true",
        "false",
    ] {
        llmtrace::check_config(vars(&[(var, value)]), None).expect(value);
        assert!(value.parse::<CaptureMode>().is_ok());
    }
}

#[test]
fn the_debug_form_of_an_init_error_is_the_message() {
    let err = llmtrace::builder()
        .with_env(vars(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "udp")]))
        .install_global(false)
        .build()
        .expect_err("invalid");
    let debug = format!("{err:?}");
    assert_eq!(debug, err.to_string());
    assert!(
        debug.starts_with("OTEL_EXPORTER_OTLP_PROTOCOL=\"udp\" is not valid: use grpc"),
        "{debug}"
    );
    // What `fn main() -> Result<(), Box<dyn Error>>` prints after `Error: `.
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert_eq!(format!("{boxed:?}"), debug);
}
