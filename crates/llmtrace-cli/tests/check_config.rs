//! `llmtrace check-config`: exit 0 for a valid file, non-zero with the key named otherwise.

mod common;

use common::{arg, bin, run, scratch};

fn check(text: &str) -> std::process::Output {
    let path = scratch("check-config").join(format!("{:x}.yaml", text.len()));
    std::fs::write(&path, text).expect("write");
    bin()
        .args(["check-config", arg(&path), "--json"])
        .output()
        .expect("runs")
}

#[test]
fn a_valid_file_exits_zero() {
    let out = check(
        "redaction:\n  allow_all_keys: true\n  detectors: { ip_address: false }\n\
         tail_sampling:\n  policies:\n    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}\n",
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["valid"], true);
}

#[test]
fn a_misspelt_key_exits_non_zero_and_names_it() {
    let out = check("redaction:\n  alow_all_keys: true\n");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["valid"], false);
    let error = report["errors"][0].as_str().expect("error");
    assert!(error.contains("alow_all_keys"), "{error}");
}

#[test]
fn a_collector_style_misspelt_key_exits_non_zero() {
    let out = check(
        "processors:\n  redaction:\n    alow_all_keys: true\n\
         service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [redaction]\n      exporters: [otlp]\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let error = report["errors"][0].as_str().expect("error");
    assert!(
        error.contains("processors.redaction.alow_all_keys"),
        "{error}"
    );
}

#[test]
fn an_unreadable_file_exits_two() {
    let out = run(&["check-config", "no/such/config.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/config.yaml"));
}

/// The repository's collector configuration, as `init()` reads it (its traces pipeline).
#[test]
fn the_repository_collector_config_is_valid() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../otel-collector.yaml");
    let out = run(&["check-config", file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
