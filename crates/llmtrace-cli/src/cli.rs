//! The command-line syntax: commands, their options and help texts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Read llmtrace's OTLP-JSON trace files and receive OTLP: trees, statistics, searches.
#[derive(Debug, Parser)]
#[command(name = "llmtrace", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the console tree of each trace, newest first.
    View(ViewArgs),
    /// Calls, errors, tokens, cost and latency per model and per operation; the top traces.
    Stats(StatsArgs),
    /// The traces that are slow, failing, looping, expensive or match an attribute.
    Find(FindArgs),
    /// A local OTLP receiver (gRPC, HTTP/protobuf, HTTP/JSON) printing each trace as it completes.
    Serve(ServeArgs),
    /// Validate an LLMTRACE_CONFIG file as `llmtrace::init()` would; non-zero exit on errors.
    CheckConfig(CheckConfigArgs),
}

/// The input files and shared output options.
#[derive(Debug, Args)]
pub(crate) struct Input {
    /// OTLP-JSON lines files (as written with LLMTRACE_FILE).
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// JSON output for scripts.
    #[arg(long)]
    pub(crate) json: bool,
    /// No progress line on standard error.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// `llmtrace view`.
#[derive(Debug, Args)]
pub(crate) struct ViewArgs {
    #[command(flatten)]
    pub(crate) input: Input,
    /// Only this trace (its id, or a unique prefix of it).
    #[arg(long, value_name = "ID")]
    pub(crate) trace: Option<String>,
    /// Levels printed below each root.
    #[arg(long, value_name = "N")]
    pub(crate) depth: Option<usize>,
    /// At most this many traces, the newest.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub(crate) limit: usize,
    /// Follow the files as they grow, printing each trace once it completes.
    #[arg(long, short = 'f')]
    pub(crate) follow: bool,
}

/// What `stats --by` groups by, besides model and operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GroupBy {
    /// The resource's `service.name`.
    Service,
    /// `session.id` (or `gen_ai.conversation.id`).
    Session,
    /// `user.id`.
    User,
    /// `gen_ai.tool.name`.
    Tool,
}

/// `llmtrace stats`.
#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    #[command(flatten)]
    pub(crate) input: Input,
    /// Also group the calls by this.
    #[arg(long, value_enum)]
    pub(crate) by: Option<GroupBy>,
    /// How many traces to list by cost and by duration.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub(crate) top: usize,
}

/// `llmtrace find`; several criteria must all match.
#[derive(Debug, Args)]
pub(crate) struct FindArgs {
    #[command(flatten)]
    pub(crate) input: Input,
    /// Traces lasting at least this long (`2s`, `500ms`, `1m`).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) slow: Option<Duration>,
    /// Traces with a failed span.
    #[arg(long)]
    pub(crate) errors: bool,
    /// Traces where an agent loop was detected.
    #[arg(long)]
    pub(crate) loops: bool,
    /// Traces costing more than this many US dollars.
    #[arg(long, value_name = "USD")]
    pub(crate) cost_above: Option<f64>,
    /// Traces calling this model (request or response model).
    #[arg(long, value_name = "MODEL")]
    pub(crate) model: Option<String>,
    /// Traces with a span (or resource) attribute of this value; repeatable.
    #[arg(long, value_parser = parse_key_value, value_name = "KEY=VALUE")]
    pub(crate) attr: Vec<(String, String)>,
    /// Print the matching traces' trees too.
    #[arg(long)]
    pub(crate) tree: bool,
}

/// `llmtrace serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// OTLP/gRPC address (loopback only).
    #[arg(long, default_value = "127.0.0.1:4317", value_name = "ADDR")]
    pub(crate) grpc: SocketAddr,
    /// OTLP/HTTP address (loopback only; protobuf and JSON, `POST /v1/traces`).
    #[arg(long, default_value = "127.0.0.1:4318", value_name = "ADDR")]
    pub(crate) http: SocketAddr,
    /// Append each received request to this file as an OTLP-JSON line.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// A trace is complete once its root arrived and no span came for this long.
    #[arg(long, value_parser = parse_duration, default_value = "1s", value_name = "DURATION")]
    pub(crate) quiet: Duration,
    /// Levels printed below each root.
    #[arg(long, value_name = "N")]
    pub(crate) depth: Option<usize>,
}

/// `llmtrace check-config`.
#[derive(Debug, Args)]
pub(crate) struct CheckConfigArgs {
    /// The configuration file (LLMTRACE_CONFIG).
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Ignore the LLMTRACE_* and OTEL_* variables of the environment.
    #[arg(long)]
    pub(crate) no_env: bool,
    /// JSON output for scripts.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `2s`, `1.5s`, `500ms`, `250us`, `2m`, `1h`; a bare number is seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (try 2s, 500ms, 1m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1e3,
        "us" | "µs" => value / 1e6,
        "ns" => value / 1e9,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown duration unit `{other}` (use ns, us, ms, s, m, h)"
            ))
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

/// `key=value`.
fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not key=value")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("2 parsecs").is_err());
        assert!(parse_duration("fast").is_err());
    }

    #[test]
    fn key_values() {
        assert_eq!(
            parse_key_value("user.id=u1=x"),
            Ok(("user.id".to_owned(), "u1=x".to_owned()))
        );
        assert!(parse_key_value("=x").is_err());
        assert!(parse_key_value("nothing").is_err());
    }
}
