//! Rotations: a list of people who take turns in one role, each turn a whole number of
//! local days long, changing at the same wall-clock time (e.g. weekly on Monday at
//! 08:00). Turns are counted on the wall clock, so a weekly turn stays "Monday 08:00
//! to Monday 08:00" across daylight-saving changes, one hour shorter or longer.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::bounds;
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
    /// Length of one turn in local days (7 for weekly), at least 1 (0 counts as 1).
    /// The configuration keeps it to 1..=365; any value is answered without panic.
    pub turn_days: u32,
    /// When, within a turn, the person on turn is on duty.
    pub availability: Availability,
}

/// How many steps `turn_at` may take to settle its estimate. The estimate is made on
/// the wall clock and can be off by one turn next to a handover in a changed hour (a
/// turn is at least a day, and no clock change is longer), so three is room to spare;
/// the cap keeps a schedule built with odd values from looping.
const SETTLE_STEPS: usize = 3;

impl Rotation {
    /// The instant turn number `k` starts (turn 0 starts at the anchor), or `None` if
    /// it is before or after anything that can be represented.
    pub fn turn_start(&self, tz: Tz, k: i64) -> Option<DateTime<Utc>> {
        let days = k.checked_mul(i64::from(self.turn_days.max(1)))?;
        Some(resolve_local(
            tz,
            bounds::add_local_days(self.anchor, days)?,
        ))
    }

    /// The number of the turn under way at `at`; `None` outside the years the
    /// schedules answer for (see `bounds`).
    pub fn turn_at(&self, tz: Tz, at: DateTime<Utc>) -> Option<i64> {
        if !bounds::in_range(at) {
            return None;
        }
        let turn_seconds = 86_400 * i64::from(self.turn_days.max(1));
        let elapsed = (to_local(tz, at) - self.anchor).num_seconds();
        let mut k = elapsed.div_euclid(turn_seconds);
        // A turn whose start cannot be represented starts after (or, counting back,
        // before) every instant in range, which settles the estimate as well.
        for _ in 0..SETTLE_STEPS {
            match self.turn_start(tz, k.checked_add(1)?) {
                Some(next) if next <= at => k = k.checked_add(1)?,
                _ => break,
            }
        }
        for _ in 0..SETTLE_STEPS {
            match self.turn_start(tz, k) {
                Some(start) if start > at => k = k.checked_sub(1)?,
                _ => break,
            }
        }
        Some(k)
    }

    /// Who is on turn at `at`, if the rotation has anyone.
    pub fn member_at(&self, tz: Tz, at: DateTime<Utc>) -> Option<&PersonId> {
        let count = i64::try_from(self.members.len()).ok().filter(|n| *n > 0)?;
        let index = usize::try_from(self.turn_at(tz, at)?.rem_euclid(count)).ok()?;
        self.members.get(index)
    }

    /// The instants in `[from, to)` at which one turn hands over to the next, within
    /// the years the schedules answer for: at most one a day.
    pub fn handovers(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let Some((from, to)) = bounds::clip(from, to) else {
            return out;
        };
        let mut next = self.turn_at(tz, from).and_then(|k| k.checked_add(1));
        while let Some(k) = next
            && let Some(start) = self.turn_start(tz, k)
            && start < to
        {
            out.push(start);
            next = k.checked_add(1);
        }
        out
    }
}
