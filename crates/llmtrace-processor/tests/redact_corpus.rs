//! Recall and precision of the built-in detectors over a labelled corpus.
//!
//! Positives (≥ 300, every detector) are synthetic values generated from a fixed seed; negatives
//! (≥ 300) are hand-written look-alikes (`tests/data/redact/negatives.txt`: model names, versions,
//! timestamps, hashes, order ids …) plus generated ones. Run with `--nocapture` for the table.

mod redact_support;

use std::collections::BTreeMap;

use llmtrace_processor::redact::{Detector, RedactionConfig, Redactor};
use redact_support::{generated_negatives, hard_positives, positives};

const NEGATIVES_FILE: &str = include_str!("data/redact/negatives.txt");

fn negatives() -> Vec<String> {
    let mut out: Vec<String> = NEGATIVES_FILE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    out.extend(generated_negatives(7, 200));
    out
}

fn labels_in(text: &str) -> Vec<String> {
    text.match_indices("[REDACTED:")
        .filter_map(|(i, _)| {
            let rest = &text[i + "[REDACTED:".len()..];
            rest.find(']').map(|end| rest[..end].to_owned())
        })
        .collect()
}

#[derive(Default)]
struct Row {
    positives: usize,
    true_pos: usize,
    false_pos: usize,
}

#[test]
fn corpus_recall_and_precision() {
    let redactor = Redactor::new(&RedactionConfig::default()).expect("default config compiles");
    let mut pos = positives(2024, 18);
    pos.extend(hard_positives(99, 10));
    let neg = negatives();
    assert!(pos.len() >= 300, "only {} positives", pos.len());
    assert!(neg.len() >= 300, "only {} negatives", neg.len());

    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    for d in Detector::ALL {
        rows.insert(d.label(), Row::default());
    }
    let mut misses = Vec::new();
    for p in &pos {
        let out = redactor.redact_str(&p.text);
        let row = rows.entry(p.label).or_default();
        row.positives += 1;
        let labels = labels_in(&out);
        if !out.contains(&p.secret) && labels.iter().any(|l| l == p.label) {
            row.true_pos += 1;
        } else {
            misses.push(format!("[{}] {:?}\n   -> {:?}", p.label, p.text, out));
        }
        for l in labels.iter().filter(|l| *l != p.label) {
            if let Some(r) = rows.get_mut(l.as_str()) {
                r.false_pos += 1;
            }
        }
    }
    let mut false_alarms = Vec::new();
    for n in &neg {
        let out = redactor.redact_str(n);
        if out != n.as_str() {
            false_alarms.push(format!("{n:?}\n   -> {out:?}"));
            for l in labels_in(&out) {
                if let Some(r) = rows.get_mut(l.as_str()) {
                    r.false_pos += 1;
                }
            }
        }
    }

    println!(
        "\n{:<16} {:>5} {:>5} {:>5} {:>8} {:>10}",
        "detector", "pos", "TP", "FP", "recall", "precision"
    );
    let (mut tp, mut fp, mut total) = (0, 0, 0);
    for (label, r) in &rows {
        let recall = r.true_pos as f64 / r.positives.max(1) as f64;
        let precision = r.true_pos as f64 / (r.true_pos + r.false_pos).max(1) as f64;
        println!(
            "{:<16} {:>5} {:>5} {:>5} {:>7.1}% {:>9.1}%",
            label,
            r.positives,
            r.true_pos,
            r.false_pos,
            recall * 100.0,
            precision * 100.0
        );
        tp += r.true_pos;
        fp += r.false_pos;
        total += r.positives;
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    println!(
        "{:<16} {:>5} {:>5} {:>5} {:>7.1}% {:>9.1}%   ({} negatives, {} changed)",
        "ALL",
        total,
        tp,
        fp,
        tp as f64 / total as f64 * 100.0,
        precision * 100.0,
        neg.len(),
        false_alarms.len()
    );
    for m in &misses {
        println!("MISS {m}");
    }
    for f in &false_alarms {
        println!("FALSE ALARM {f}");
    }

    for (label, r) in &rows {
        assert!(r.positives >= 16, "{label}: only {} positives", r.positives);
        assert_eq!(r.true_pos, r.positives, "{label}: recall below 100%");
    }
    assert!(precision >= 0.95, "overall precision {precision:.3} < 0.95");
}

#[test]
fn model_names_and_ids_are_never_touched() {
    let redactor = Redactor::new(&RedactionConfig::default()).expect("default config compiles");
    for s in [
        "gpt-4o-2024-08-06",
        "claude-3-5-sonnet-20241022",
        "1.2.3",
        "2.0.0-alpha.1+build.5",
        "550e8400-e29b-41d4-a716-446655440000",
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
        "2024-08-06T12:34:56.789Z",
        "2024-08-06T12:34:56+02:00",
    ] {
        assert_eq!(redactor.redact_str(s), s, "{s} was changed");
        assert!(matches!(
            redactor.redact_str(s),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
