//! The flood limiter's tables: bursts and refills, keys limited apart, when a limited
//! key is told again, clocks that go back, extreme rates and a flood of new keys.

use chrono::{DateTime, Duration, Utc};

use super::{Limiter, MOST, Rate, Verdict};

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default() + Duration::seconds(seconds)
}

fn at_ms(ms: i64) -> DateTime<Utc> {
    at(0) + Duration::milliseconds(ms)
}

const QUIET: Duration = Duration::minutes(10);

fn limiter(burst: u32, per_minute: u32) -> Limiter<&'static str> {
    Limiter::new(Rate { burst, per_minute }, QUIET)
}

/// What a step of a table expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Yes,
    /// Limited, told or not, for this many seconds.
    No(i64, bool),
}

fn verdict(expect: Expect) -> Verdict {
    match expect {
        Expect::Yes => Verdict::Allowed,
        Expect::No(seconds, tell) => Verdict::Limited {
            retry_after: Duration::seconds(seconds),
            tell,
        },
    }
}

/// Runs `(key, second, expected)` steps through one limiter.
fn table(mut limiter: Limiter<&'static str>, steps: &[(&'static str, i64, Expect)]) {
    for (n, (key, second, expected)) in steps.iter().enumerate() {
        let got = limiter.take(key, at(*second));
        assert_eq!(
            got,
            verdict(*expected),
            "step {n}: {key} at {second}s: {steps:?}"
        );
    }
}

#[test]
fn a_burst_is_allowed_then_one_request_each_interval() {
    use Expect::{No, Yes};
    // 3 at once, then one every 6 seconds (10 a minute).
    table(
        limiter(3, 10),
        &[
            ("a", 0, Yes),
            ("a", 0, Yes),
            ("a", 0, Yes),
            ("a", 0, No(6, true)),
            ("a", 1, No(5, false)),
            ("a", 6, Yes),
            ("a", 6, No(6, false)),
            ("a", 12, Yes),
            // A quiet minute fills the bucket again.
            ("a", 72, Yes),
            ("a", 72, Yes),
            ("a", 72, Yes),
            ("a", 72, No(6, false)),
        ],
    );
}

#[test]
fn one_key_over_its_limit_leaves_the_others_alone() {
    use Expect::{No, Yes};
    table(
        limiter(2, 1),
        &[
            ("flood", 0, Yes),
            ("flood", 0, Yes),
            ("flood", 0, No(60, true)),
            ("flood", 0, No(60, false)),
            ("other", 0, Yes),
            ("other", 0, Yes),
            ("third", 1, Yes),
            ("flood", 59, No(1, false)),
            ("flood", 60, Yes),
        ],
    );
}

#[test]
fn a_limited_key_is_told_again_only_after_the_quiet_period() {
    use Expect::{No, Yes};
    // One a minute, no burst: limited again after every request.
    table(
        limiter(1, 1),
        &[
            ("a", 0, Yes),
            ("a", 1, No(59, true)),
            ("a", 60, Yes),
            ("a", 61, No(59, false)),
            ("a", 600, Yes),
            ("a", 601, No(59, true)),
        ],
    );
}

#[test]
fn a_clock_that_goes_back_restarts_the_key_instead_of_locking_it_out() {
    use Expect::{No, Yes};
    table(
        limiter(2, 1),
        &[
            ("a", 3600, Yes),
            ("a", 3600, Yes),
            ("a", 3600, No(60, true)),
            // An hour back: not an hour of refusals (and, the last word having
            // been "later" than now, the key is told afresh).
            ("a", 0, Yes),
            ("a", 0, Yes),
            ("a", 0, No(60, true)),
        ],
    );
}

#[test]
fn extreme_rates_neither_overflow_nor_divide_by_zero() {
    let now = at(0);
    for (burst, per_minute) in [
        (0, 0),
        (1, 1),
        (MOST, MOST),
        (u32::MAX, u32::MAX),
        (1, u32::MAX),
        (u32::MAX, 1),
    ] {
        let mut limiter = limiter(burst, per_minute);
        assert_eq!(
            limiter.take(&"a", now),
            Verdict::Allowed,
            "{burst}/{per_minute}"
        );
        for step in 0..1000 {
            let _ = limiter.take(&"a", now + Duration::milliseconds(step));
        }
        let far = now + Duration::days(365 * 100);
        assert_eq!(
            limiter.take(&"a", far),
            Verdict::Allowed,
            "{burst}/{per_minute}"
        );
        let _ = limiter.take(&"a", DateTime::<Utc>::MIN_UTC);
        let _ = limiter.take(&"a", DateTime::<Utc>::MAX_UTC);
    }
}

#[test]
fn the_allowance_refills_exactly_when_asked_often() {
    // Asked every millisecond for a minute, ends included, at 7 a minute (an interval of
    // 8.571428 s, not a whole number of milliseconds): exactly the burst and then
    // one each interval, never a rounding loss.
    let mut limiter = limiter(5, 7);
    let allowed = (0..=60_000)
        .filter(|ms| limiter.take(&"a", at_ms(*ms)) == Verdict::Allowed)
        .count();
    assert_eq!(allowed, 5 + 7);
}

#[test]
fn limited_for_says_how_long_without_counting() {
    let mut limiter = limiter(1, 1);
    assert_eq!(limiter.limited_for(&"a", at(0)), None);
    assert_eq!(limiter.take(&"a", at(0)), Verdict::Allowed);
    assert_eq!(
        limiter.limited_for(&"a", at(10)),
        Some(Duration::seconds(50))
    );
    assert_eq!(
        limiter.limited_for(&"a", at(10)),
        Some(Duration::seconds(50))
    );
    assert_eq!(limiter.limited_for(&"a", at(60)), None);
    assert_eq!(limiter.limited_for(&"b", at(10)), None);
}

#[test]
fn a_flood_of_new_keys_is_forgotten_fullest_first() {
    let mut limiter: Limiter<u32> = Limiter::new(
        Rate {
            burst: 1,
            per_minute: 1,
        },
        QUIET,
    );
    limiter.max_keys = 100;
    for key in 0..1000 {
        let _ = limiter.take(&key, at(i64::from(key)));
    }
    assert!(limiter.buckets.len() <= 100, "{}", limiter.buckets.len());
    // The last keys, still limited, are the ones remembered.
    assert!(matches!(
        limiter.take(&999, at(999)),
        Verdict::Limited { .. }
    ));
}
