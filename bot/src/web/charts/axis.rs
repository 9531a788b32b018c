//! Axis ticks at round numbers (steps of 1, 2 or 5 times a power of ten) and the
//! scale that maps counts onto a length, shared by the trend and bar charts.

/// At most this many intervals between ticks: more crowd a phone screen.
const MAX_INTERVALS: u64 = 5;

/// Ticks from 0 to the first round number at or above `max`, in equal round steps;
/// `[0, 1]` when `max` is 0, so an axis of zeros still has a scale. Counts near
/// `u64::MAX` get `[0, max]` rather than an overflow.
pub(crate) fn ticks(max: u64) -> Vec<u64> {
    let max = max.max(1);
    let mut magnitude: u64 = 1;
    loop {
        for multiple in [1, 2, 5] {
            let Some(step) = magnitude.checked_mul(multiple) else {
                return vec![0, max];
            };
            let intervals = max.div_ceil(step);
            if intervals <= MAX_INTERVALS {
                return (0..=intervals)
                    .map(|i| i.checked_mul(step))
                    .collect::<Option<Vec<u64>>>()
                    .unwrap_or_else(|| vec![0, max]);
            }
        }
        match magnitude.checked_mul(10) {
            Some(next) => magnitude = next,
            None => return vec![0, max],
        }
    }
}

/// Where `value` falls on an axis of `length` units whose last tick is `top`.
pub(crate) fn scale(value: u64, top: u64, length: f64) -> f64 {
    if top == 0 {
        return 0.0;
    }
    (value.min(top) as f64 / top as f64) * length
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_round_numbers_and_reach_the_largest_value() {
        for (max, expected) in [
            (0, vec![0, 1]),
            (1, vec![0, 1]),
            (3, vec![0, 1, 2, 3]),
            (5, vec![0, 1, 2, 3, 4, 5]),
            (6, vec![0, 2, 4, 6]),
            (7, vec![0, 2, 4, 6, 8]),
            (11, vec![0, 5, 10, 15]),
            (23, vec![0, 5, 10, 15, 20, 25]),
            (48, vec![0, 10, 20, 30, 40, 50]),
            (99, vec![0, 20, 40, 60, 80, 100]),
            (1234, vec![0, 500, 1000, 1500]),
        ] {
            assert_eq!(ticks(max), expected, "max {max}");
        }
    }

    #[test]
    fn the_largest_counts_get_an_axis_without_overflow() {
        assert_eq!(ticks(u64::MAX), vec![0, u64::MAX]);
        let big = ticks(u64::MAX / 3);
        assert!(big.last().is_some_and(|top| *top >= u64::MAX / 3));
    }

    #[test]
    fn values_scale_onto_the_axis_and_stop_at_its_end() {
        assert_eq!(scale(5, 10, 200.0), 100.0);
        assert_eq!(scale(20, 10, 200.0), 200.0);
        assert_eq!(scale(3, 0, 200.0), 0.0);
    }
}
