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
