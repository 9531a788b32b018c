//! Percentiles of a set of durations, by nearest rank, printed in milliseconds.

use std::fmt;
use std::time::Duration;

/// The p50, p99 and max of a set of samples.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub count: usize,
}

impl Spread {
    /// `None` without samples.
    pub fn of(samples: &[Duration]) -> Option<Spread> {
        let mut sorted = samples.to_vec();
        sorted.sort();
        let max = *sorted.last()?;
        Some(Spread {
            p50: rank(&sorted, 50),
            p99: rank(&sorted, 99),
            max,
            count: sorted.len(),
        })
    }
}

/// The nearest-rank percentile `p` of `sorted` (not empty).
fn rank(sorted: &[Duration], p: usize) -> Duration {
    let index = (sorted.len() * p).div_ceil(100).saturating_sub(1);
    sorted
        .get(index.min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

impl fmt::Display for Spread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {} / p99 {} / max {} (n={})",
            ms(self.p50),
            ms(self.p99),
            ms(self.max),
            self.count
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let spread = Spread::of(&samples).unwrap();
        assert_eq!(spread.p50, Duration::from_millis(50));
        assert_eq!(spread.p99, Duration::from_millis(99));
        assert_eq!(spread.max, Duration::from_millis(100));
        assert!(Spread::of(&[]).is_none());
    }
}
