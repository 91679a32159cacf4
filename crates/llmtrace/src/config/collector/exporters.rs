//! The exporters of a collector pipeline that llmtrace can stand in for: `otlp_grpc` / `otlp`,
//! `otlp_http` / `otlphttp` (endpoint, headers, compression, timeout, `tls.insecure`), `debug`
//! (the console tree) and `file` (OTLP-JSON lines).

use std::path::PathBuf;
use std::time::Duration;

use super::keys::{key_name, scalar_string, Section};
use crate::config::{http_signal_url, Compression, Protocol};

/// One exporter llmtrace can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exporter {
    /// OTLP to `endpoint` (for HTTP the full `/v1/traces` URL).
    Otlp(OtlpExporter),
    /// The `debug` exporter: the console tree on stderr.
    Console,
    /// The `file` exporter: OTLP-JSON lines appended to `path`.
    File(PathBuf),
}

/// An `otlp_grpc` or `otlp_http` exporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OtlpExporter {
    /// The component id, e.g. `otlp_http/phoenix`.
    pub(crate) id: String,
    pub(crate) protocol: Protocol,
    pub(crate) endpoint: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    /// `compression: gzip` or `none`; unset is `None` (uncompressed in-process, where the
    /// collector's own default is gzip).
    pub(crate) compression: Option<Compression>,
    /// A `compression` llmtrace does not implement (`zstd`, `snappy`, …): sent uncompressed,
    /// noted at start-up.
    pub(crate) unsupported_compression: Option<String>,
}

/// The exporter types llmtrace implements.
pub(crate) const IMPLEMENTED: &[&str] = &[
    "otlp",
    "otlp_grpc",
    "otlphttp",
    "otlp_http",
    "debug",
    "file",
];

/// Keys of the OTLP exporters that llmtrace reads or that only tune the collector's own
/// sending (queue, retry, balancer); others are unknown-key errors.
const OTLP_KEYS: &[&str] = &[
    "endpoint",
    "traces_endpoint",
    "metrics_endpoint",
    "logs_endpoint",
    "headers",
    "compression",
    "timeout",
    "tls",
    "sending_queue",
    "retry_on_failure",
    "balancer_name",
    "keepalive",
    "auth",
    "encoding",
    "read_buffer_size",
    "write_buffer_size",
    "wait_for_ready",
    "max_idle_conns",
    "idle_conn_timeout",
];

/// Reads exporter `id` of type `kind_name` (one of [`IMPLEMENTED`]).
pub(crate) fn read(id: &str, kind_name: &str, section: Section<'_>) -> Result<Exporter, String> {
    match kind_name {
        "debug" => {
            section.only(&[
                "verbosity",
                "sampling_initial",
                "sampling_thereafter",
                "use_internal_logger",
            ])?;
            Ok(Exporter::Console)
        }
        "file" => {
            let path = section
                .string("path")?
                .filter(|p| !p.is_empty())
                .ok_or_else(|| format!("{}: missing", section.at("path")))?;
            Ok(Exporter::File(PathBuf::from(path)))
        }
        _ => otlp(id, kind_name, section).map(Exporter::Otlp),
    }
}

fn otlp(id: &str, kind_name: &str, section: Section<'_>) -> Result<OtlpExporter, String> {
    section.only(OTLP_KEYS)?;
    let grpc = matches!(kind_name, "otlp" | "otlp_grpc");
    let tls = Section::of("", section.get("tls"))?;
    let tls_path = section.at("tls");
    let tls = Section {
        path: &tls_path,
        map: tls.map,
    };
    tls.only(&[
        "insecure",
        "insecure_skip_verify",
        "ca_file",
        "cert_file",
        "key_file",
        "server_name_override",
        "min_version",
        "max_version",
    ])?;
    let insecure = tls.bool("insecure")?.unwrap_or(false);
    let endpoint = section.string("endpoint")?.unwrap_or_default();
    let endpoint = if grpc {
        grpc_endpoint(&endpoint, insecure)
    } else {
        match section.string("traces_endpoint")? {
            Some(url) if !url.is_empty() => url,
            _ if endpoint.is_empty() => String::new(),
            _ => http_signal_url(&endpoint, "traces"),
        }
    };
    if endpoint.is_empty() {
        return Err(format!("{}: missing", section.at("endpoint")));
    }
    let given = section.string("compression")?;
    let compression = given
        .as_deref()
        .and_then(|c| crate::config::env::parse_compression("compression", c).ok());
    let unsupported_compression = given.filter(|_| compression.is_none());
    crate::config::check_endpoint(&section.at("endpoint"), &endpoint).map_err(|e| e.to_string())?;
    Ok(OtlpExporter {
        id: id.to_owned(),
        protocol: if grpc {
            Protocol::Grpc
        } else {
            Protocol::HttpProtobuf
        },
        endpoint,
        headers: headers(&section)?,
        timeout: section.duration("timeout")?,
        compression,
        unsupported_compression,
    })
}

/// A gRPC endpoint as the collector takes it: `host:port` (TLS unless `tls.insecure`) or a URL.
fn grpc_endpoint(endpoint: &str, insecure: bool) -> String {
    if endpoint.is_empty() || endpoint.contains("://") {
        return endpoint.to_owned();
    }
    let scheme = if insecure { "http" } else { "https" };
    format!("{scheme}://{endpoint}")
}

fn headers(section: &Section<'_>) -> Result<Vec<(String, String)>, String> {
    let path = section.at("headers");
    let headers = Section::of(&path, section.get("headers"))?;
    let mut out = Vec::new();
    for (key, value) in headers.map.into_iter().flatten() {
        let name = key_name(key);
        let value =
            scalar_string(value).ok_or_else(|| format!("{path}.{name}: expected a string"))?;
        out.push((name, value));
    }
    Ok(out)
}

#[cfg(test)]
mod exporters_tests {
    use super::*;
    use serde_norway::Value;

    fn exporter(id: &str, kind_name: &str, yaml: &str) -> Result<Exporter, String> {
        let value: Value = serde_norway::from_str(yaml).expect("yaml");
        let path = format!("exporters.{id}");
        read(id, kind_name, Section::of(&path, Some(&value))?)
    }

    #[test]
    fn otlp_exporters_resolve_like_the_collector() {
        let Ok(Exporter::Otlp(http)) = exporter(
            "otlp_http/phoenix",
            "otlp_http",
            "{endpoint: 'http://localhost:6006', headers: {x-project-name: p}, timeout: 30s}",
        ) else {
            panic!("an OTLP exporter");
        };
        assert_eq!(http.endpoint, "http://localhost:6006/v1/traces");
        assert_eq!(http.headers, vec![("x-project-name".into(), "p".into())]);
        assert_eq!(http.timeout, Some(Duration::from_secs(30)));
        let Ok(Exporter::Otlp(grpc)) = exporter(
            "otlp_grpc/jaeger",
            "otlp_grpc",
            "{endpoint: 'jaeger:4317', tls: {insecure: true}, compression: gzip}",
        ) else {
            panic!("an OTLP exporter");
        };
        assert_eq!(grpc.endpoint, "http://jaeger:4317");
        assert_eq!(grpc.protocol, Protocol::Grpc);
        assert_eq!(grpc.compression, Some(Compression::Gzip));
        assert_eq!(grpc.unsupported_compression, None);
        let Ok(Exporter::Otlp(snappy)) =
            exporter("otlp", "otlp", "{endpoint: 'a:1', compression: snappy}")
        else {
            panic!("an OTLP exporter");
        };
        assert_eq!(snappy.compression, None);
        assert_eq!(snappy.unsupported_compression.as_deref(), Some("snappy"));
        let err =
            exporter("otlp", "otlp", "{endpoint: 'a:1', tls: {insecur: true}}").expect_err("typo");
        assert!(
            err.starts_with("exporters.otlp.tls.insecur: unknown key"),
            "{err}"
        );
        assert_eq!(
            exporter("file", "file", "{path: spans.jsonl}"),
            Ok(Exporter::File(PathBuf::from("spans.jsonl")))
        );
    }
}
