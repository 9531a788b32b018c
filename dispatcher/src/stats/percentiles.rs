//! Nearest-rank percentiles of durations: p50, p90 and max, always a value that
//! was observed.

use chrono::Duration;
use serde::{Serialize, Serializer};

use super::handoffs::seconds;

/// Count, median, 90th percentile and maximum of some durations, by nearest rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    pub count: u64,
    /// `None` when `count` is 0, like the others.
    pub p50: Option<Duration>,
    pub p90: Option<Duration>,
    pub max: Option<Duration>,
}

impl Percentiles {
    /// The percentiles of the values, in any order.
    pub fn of(values: &[Duration]) -> Percentiles {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        Percentiles {
            count: sorted.len() as u64,
            p50: nearest_rank(&sorted, 50),
            p90: nearest_rank(&sorted, 90),
            max: sorted.last().copied(),
        }
    }

    /// The percentiles of values given as (value, how many times), in any order,
    /// a value possibly more than once: the same as [`Percentiles::of`] over the
    /// values written out, without writing them out. What a database's
    /// `GROUP BY value` answers with.
    pub fn of_counts(counts: &[(Duration, u64)]) -> Percentiles {
        let mut sorted: Vec<(Duration, u64)> =
            counts.iter().copied().filter(|&(_, n)| n > 0).collect();
        sorted.sort_unstable_by_key(|&(value, _)| value);
        let count = sorted.iter().map(|&(_, n)| n).sum();
        Percentiles {
            count,
            p50: counted_rank(&sorted, count, 50),
            p90: counted_rank(&sorted, count, 90),
            max: sorted.last().map(|&(value, _)| value),
        }
    }
}

/// [`nearest_rank`] over (value, count) pairs sorted by value, `total` the sum of
/// the counts: the value whose run of counts holds the ⌈percent·total/100⌉-th.
fn counted_rank(sorted: &[(Duration, u64)], total: u64, percent: u32) -> Option<Duration> {
    let rank = (u128::from(percent.min(100)) * u128::from(total))
        .div_ceil(100)
        .max(1);
    let mut seen: u128 = 0;
    sorted.iter().find_map(|&(value, n)| {
        seen += u128::from(n);
        (seen >= rank).then_some(value)
    })
}

/// The `percent`-th percentile of sorted values by the nearest-rank method: the
/// ⌈percent·n/100⌉-th smallest (rank at least 1). `None` for no values.
pub fn nearest_rank<T: Copy>(sorted: &[T], percent: u32) -> Option<T> {
    let n = sorted.len();
    let rank = (u64::from(percent.min(100)) * n as u64)
        .div_ceil(100)
        .max(1);
    sorted.get(usize::try_from(rank).ok()? - 1).copied()
}

#[derive(Serialize)]
pub(super) struct PercentilesRow {
    pub(super) count: u64,
    pub(super) p50_seconds: Option<i64>,
    pub(super) p90_seconds: Option<i64>,
    pub(super) max_seconds: Option<i64>,
}

impl From<&Percentiles> for PercentilesRow {
    fn from(p: &Percentiles) -> PercentilesRow {
        PercentilesRow {
            count: p.count,
            p50_seconds: seconds(p.p50),
            p90_seconds: seconds(p.p90),
            max_seconds: seconds(p.max),
        }
    }
}

/// Serializes as `{count, p50_seconds, p90_seconds, max_seconds}`.
impl Serialize for Percentiles {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PercentilesRow::from(self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(values: &[i64]) -> Vec<Duration> {
        values.iter().map(|&s| Duration::seconds(s)).collect()
    }

    /// The values written out as (value, count) pairs, in a scrambled order, with a
    /// zero count thrown in.
    fn counted(values: &[Duration]) -> Vec<(Duration, u64)> {
        let mut counts: Vec<(Duration, u64)> = Vec::new();
        for &value in values {
            match counts.iter_mut().find(|(v, _)| *v == value) {
                Some((_, n)) => *n += 1,
                None => counts.push((value, 1)),
            }
        }
        counts.reverse();
        counts.push((Duration::seconds(-999), 0));
        counts
    }

    #[test]
    fn percentiles_of_counts_are_those_of_the_values_written_out() {
        let table: [&[i64]; 9] = [
            &[],
            &[7],
            &[5, 5],
            &[1, 2],
            &[3, 1, 2],
            &[10, 10, 10, 10, 10, 10, 10, 10, 10, 99],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
            &[-30, -30, 0, 45, 45, 45, 600, -5, 12, 12, 12, 12],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3600, 3600, 7200],
        ];
        for values in table {
            let values = secs(values);
            assert_eq!(
                Percentiles::of_counts(&counted(&values)),
                Percentiles::of(&values),
                "{values:?}"
            );
        }
    }

    #[test]
    fn a_value_counted_many_times_is_one_run_of_ranks() {
        let p = Percentiles::of_counts(&[
            (Duration::seconds(60), 1_000_000),
            (Duration::seconds(5), 500_000),
            (Duration::seconds(900), 110_000),
        ]);
        assert_eq!(p.count, 1_610_000);
        assert_eq!(p.p50, Some(Duration::seconds(60)));
        assert_eq!(p.p90, Some(Duration::seconds(60)));
        assert_eq!(p.max, Some(Duration::seconds(900)));
    }
}
