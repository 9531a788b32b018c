//! Rotations: a list of people who take turns in one role, each turn a whole number of
//! local days long, changing at the same wall-clock time (e.g. weekly on Monday at
//! 08:00). Turns are counted on the wall clock, so a weekly turn stays "Monday 08:00
//! to Monday 08:00" across daylight-saving changes, one hour shorter or longer.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::ids::{PersonId, Role};
use crate::local::{resolve_local, to_local};
use crate::schedule::Availability;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub name: String,
    pub role: Role,
    /// Who takes turns, in order; the first takes the turn that starts at `anchor`.
    pub members: Vec<PersonId>,
    /// A wall-clock moment at which a turn starts (turns before it are counted
    /// backwards, so the rotation is defined at every instant).
    pub anchor: NaiveDateTime,
    /// Length of one turn in local days (7 for weekly), at least 1.
    pub turn_days: u32,
    /// When, within a turn, the person on turn is on duty.
    pub availability: Availability,
}

impl Rotation {
    /// The instant turn number `k` starts (turn 0 starts at the anchor).
    pub fn turn_start(&self, tz: Tz, k: i64) -> DateTime<Utc> {
        let days = k.saturating_mul(i64::from(self.turn_days.max(1)));
        resolve_local(tz, self.anchor + Duration::days(days))
    }

    /// The number of the turn under way at `at`.
    pub fn turn_at(&self, tz: Tz, at: DateTime<Utc>) -> i64 {
        let turn_seconds = 86_400 * i64::from(self.turn_days.max(1));
        let elapsed = (to_local(tz, at) - self.anchor).num_seconds();
        let mut k = elapsed.div_euclid(turn_seconds);
        // The wall-clock estimate can be off by one next to a boundary that falls in
        // a changed hour; settle it against the real boundaries.
        while self.turn_start(tz, k + 1) <= at {
            k += 1;
        }
        while self.turn_start(tz, k) > at {
            k -= 1;
        }
        k
    }

    /// Who is on turn at `at`, if the rotation has anyone.
    pub fn member_at(&self, tz: Tz, at: DateTime<Utc>) -> Option<&PersonId> {
        let count = i64::try_from(self.members.len()).ok().filter(|n| *n > 0)?;
        let index = usize::try_from(self.turn_at(tz, at).rem_euclid(count)).ok()?;
        self.members.get(index)
    }

    /// The instants in `[from, to)` at which one turn hands over to the next.
    pub fn handovers(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut k = self.turn_at(tz, from) + 1;
        loop {
            let start = self.turn_start(tz, k);
            if start >= to {
                break;
            }
            out.push(start);
            k += 1;
        }
        out
    }
}
