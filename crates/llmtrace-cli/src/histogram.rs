//! Latency percentiles in constant memory: a log-scale histogram (buckets 2 % wide) with the
//! exact minimum and maximum.

use std::time::Duration;

use serde::Serialize;

/// Growth factor between buckets.
const FACTOR: f64 = 1.02;
/// Values at or above this many microseconds (about 11 days) share the last bucket.
const MAX_MICROS: f64 = 1e12;

/// A distribution of durations.
#[derive(Debug, Default, Clone)]
pub(crate) struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    min: Option<Duration>,
    max: Duration,
}

/// Percentiles in milliseconds, for output.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub(crate) struct Percentiles {
    /// The median.
    pub(crate) p50: f64,
    /// The 95th percentile.
    pub(crate) p95: f64,
    /// The largest value.
    pub(crate) max: f64,
}

fn bucket_of(d: Duration) -> usize {
    let micros = (d.as_secs_f64() * 1e6).clamp(1.0, MAX_MICROS);
    (micros.ln() / FACTOR.ln()) as usize
}

impl Histogram {
    /// Records one value.
    pub(crate) fn record(&mut self, d: Duration) {
        let i = bucket_of(d);
        if self.buckets.len() <= i {
            self.buckets.resize(i + 1, 0);
        }
        self.buckets[i] += 1;
        self.count += 1;
        self.min = Some(self.min.map_or(d, |m| m.min(d)));
        self.max = self.max.max(d);
    }

    /// The value below which a fraction `q` of the values lie (within 2 %).
    pub(crate) fn quantile(&self, q: f64) -> Option<Duration> {
        let min = self.min?;
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let micros = FACTOR.powf(i as f64 + 0.5);
                let d = Duration::from_secs_f64(micros / 1e6);
                return Some(d.clamp(min, self.max));
            }
        }
        Some(self.max)
    }

    /// p50, p95 and max in milliseconds; `None` when empty.
    pub(crate) fn percentiles(&self) -> Option<Percentiles> {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        Some(Percentiles {
            p50: ms(self.quantile(0.5)?),
            p95: ms(self.quantile(0.95)?),
            max: ms(self.max),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_within_two_percent() {
        let mut h = Histogram::default();
        for ms in 1..=100 {
            h.record(Duration::from_millis(ms));
        }
        let p = h.percentiles().expect("values");
        assert!((p.p50 - 50.0).abs() <= 1.0, "{p:?}");
        assert!((p.p95 - 95.0).abs() <= 2.0, "{p:?}");
        assert_eq!(p.max, 100.0);
    }

    #[test]
    fn one_value_is_exact() {
        let mut h = Histogram::default();
        h.record(Duration::from_millis(402));
        let p = h.percentiles().expect("a value");
        assert_eq!((p.p50, p.p95, p.max), (402.0, 402.0, 402.0));
        assert!(Histogram::default().percentiles().is_none());
    }
}
