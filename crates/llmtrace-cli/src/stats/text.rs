//! `llmtrace stats` as text tables.

use super::aggregate::{top_by, Group, Stats, Table};
use crate::error::CliError;
use crate::histogram::Percentiles;
use crate::out::print;
use crate::style::Style;
use crate::summary::{cost_text, TraceSummary};
use crate::table::table;

const HEADER: [&str; 10] = [
    "", "calls", "errors", "in", "out", "cached", "cost", "p50", "p95", "max",
];

/// Prints the tables and the top traces.
pub(crate) fn print_stats(
    stats: &Stats,
    traces: &[TraceSummary],
    top: usize,
    style: Style,
) -> Result<(), CliError> {
    let mut out = format!("{} spans, {} traces\n", stats.spans, traces.len());
    section(&mut out, "model", &stats.models, style);
    section(&mut out, "operation", &stats.operations, style);
    if let Some((by, t)) = &stats.by {
        section(&mut out, &format!("{by:?}").to_ascii_lowercase(), t, style);
    }
    let by_cost = top_by(traces, top, |t| t.spend.priced_cost().unwrap_or(-1.0));
    top_section(&mut out, "top traces by cost", &by_cost, style);
    let by_time = top_by(traces, top, |t| t.duration().as_secs_f64());
    top_section(&mut out, "top traces by duration", &by_time, style);
    print(&out)
}

fn section(out: &mut String, title: &str, t: &Table, style: Style) {
    if t.groups.is_empty() {
        return;
    }
    let mut header = HEADER;
    header[0] = title;
    let rows: Vec<Vec<String>> = t.groups.iter().map(|(k, g)| row(k, g)).collect();
    out.push('\n');
    out.push_str(&table(&header, &rows, 1, style));
    let ttfc: Vec<Vec<String>> = t
        .groups
        .iter()
        .filter_map(|(k, g)| {
            let p = g.first_chunk.percentiles()?;
            Some(vec![k.clone(), ms(p.p50), ms(p.p95), ms(p.max)])
        })
        .collect();
    if !ttfc.is_empty() {
        out.push('\n');
        out.push_str(&table(
            &["first chunk", "p50", "p95", "max"],
            &ttfc,
            1,
            style,
        ));
    }
}

fn row(name: &str, g: &Group) -> Vec<String> {
    let p = g.latency.percentiles().unwrap_or(Percentiles {
        p50: 0.0,
        p95: 0.0,
        max: 0.0,
    });
    vec![
        name.to_owned(),
        g.calls.to_string(),
        g.errors.to_string(),
        g.spend.input_tokens.to_string(),
        g.spend.output_tokens.to_string(),
        g.spend.cached_input_tokens.to_string(),
        cost_text(g.spend.priced_cost(), g.spend.unpriced_calls),
        ms(p.p50),
        ms(p.p95),
        ms(p.max),
    ]
}

fn top_section(out: &mut String, title: &str, list: &[&TraceSummary], style: Style) {
    if list.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|t| {
            vec![
                t.trace_id.to_string(),
                t.root
                    .clone()
                    .unwrap_or_else(|| "(root not seen)".to_owned()),
                ms(t.duration().as_secs_f64() * 1e3),
                cost_text(t.spend.priced_cost(), t.spend.unpriced_calls),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        &[title, "root", "duration", "cost"],
        &rows,
        2,
        style,
    ));
}

/// Milliseconds as the tree prints durations.
fn ms(millis: f64) -> String {
    llmtrace::export::format_duration(std::time::Duration::from_secs_f64(millis.max(0.0) / 1e3))
}
