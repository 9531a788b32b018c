//! A hand-off as a summary counts it ([`Counted`]), and the short text the rollup
//! keeps of it beside each row (`handoff_stats.counted`), so that the store can
//! hand a summary every selected hand-off in one value (see `store::summary` for
//! why). The encoding and its parsing live here together.

use super::handoffs::{Arrival, Outcome};
use super::rollup::RollupRow;
use super::summary::{Alike, Sums};
use crate::outcome::NotDivertedCode;

/// Stands for "none" in the text.
const NONE: &str = "-";

/// What a summary counts of one hand-off: what makes it alike to others, what it
/// adds to the sums, and its response and arrival times in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counted {
    pub(crate) alike: Alike,
    pub(crate) sums: Sums,
    /// Request → accept.
    pub(crate) response_s: Option<i64>,
    /// Request → arrived.
    pub(crate) arrival_s: Option<i64>,
}

impl Counted {
    pub(crate) fn of(row: &RollupRow) -> Counted {
        Counted {
            alike: Alike {
                outcome: row.outcome,
                not_diverted: row.not_diverted,
                accepted: row.accepted,
                after_hours: row.after_hours,
                followup: row.followup.is_some(),
                followed_up: row.followed_up,
                arrival: row.arrival,
            },
            sums: Sums {
                given_back: u64::from(row.given_back),
                declines: u64::from(row.declines),
                escalations: u64::from(row.escalations),
            },
            response_s: row.time_to_accept_s,
            arrival_s: row.time_to_arrival_s,
        }
    }

    /// `c-1010f 0 2 1 421 1730`: the outcome's letter, the not-diverted code's
    /// letter (`-`: none), four flags (accepted, after hours, a follow-up,
    /// followed up) and the arrival's letter (`f` field meet, `d` drop-off, `-`
    /// none) in one word, then given back, declines, escalations, and the
    /// seconds to accept and to arrive (`-`: none); fields apart by one space, no
    /// comma anywhere. Short, because a summary reads a million of them.
    pub(crate) fn text(&self) -> String {
        let a = &self.alike;
        let flag = |yes: bool| if yes { '1' } else { '0' };
        let seconds = |s: Option<i64>| s.map_or_else(|| NONE.to_owned(), |s| s.to_string());
        format!(
            "{}{}{}{}{}{}{} {} {} {} {} {}",
            outcome_letter(a.outcome),
            a.not_diverted.map_or('-', code_letter),
            flag(a.accepted),
            flag(a.after_hours),
            flag(a.followup),
            flag(a.followed_up),
            a.arrival.map_or('-', arrival_letter),
            self.sums.given_back,
            self.sums.declines,
            self.sums.escalations,
            seconds(self.response_s),
            seconds(self.arrival_s),
        )
    }

    /// The [`Counted::text`] back; `None` if it is not one.
    pub(crate) fn parse(text: &str) -> Option<Counted> {
        let mut fields = text.split(' ');
        let mut next = || fields.next();
        let &[
            outcome,
            code,
            accepted,
            after_hours,
            followup,
            followed_up,
            arrival,
        ] = next()?.as_bytes()
        else {
            return None;
        };
        let flag = |byte: u8| match byte {
            b'1' => Some(true),
            b'0' => Some(false),
            _ => None,
        };
        let alike = Alike {
            outcome: Outcome::ALL
                .into_iter()
                .find(|o| outcome_letter(*o) as u8 == outcome)?,
            not_diverted: match code {
                b'-' => None,
                _ => Some(
                    NotDivertedCode::ALL
                        .into_iter()
                        .find(|c| code_letter(*c) as u8 == code)?,
                ),
            },
            accepted: flag(accepted)?,
            after_hours: flag(after_hours)?,
            followup: flag(followup)?,
            followed_up: flag(followed_up)?,
            arrival: match arrival {
                b'-' => None,
                _ => Some(
                    Arrival::ALL
                        .into_iter()
                        .find(|a| arrival_letter(*a) as u8 == arrival)?,
                ),
            },
        };
        let sums = Sums {
            given_back: next()?.parse().ok()?,
            declines: next()?.parse().ok()?,
            escalations: next()?.parse().ok()?,
        };
        let mut seconds = || match next()? {
            NONE => Some(None),
            s => s.parse().ok().map(Some),
        };
        let counted = Counted {
            alike,
            sums,
            response_s: seconds()?,
            arrival_s: seconds()?,
        };
        next().is_none().then_some(counted)
    }
}

/// Each outcome's letter in the text: one each, fixed here (not by the order of
/// the variants), so that the text keeps its meaning.
fn outcome_letter(outcome: Outcome) -> char {
    match outcome {
        Outcome::Open => 'o',
        Outcome::Completed => 'c',
        Outcome::Cancelled => 'x',
        Outcome::Unstaffed => 'u',
        Outcome::OutOfHours => 'h',
        Outcome::Expired => 'e',
        Outcome::NotDiverted => 'n',
    }
}

/// Each arrival's letter in the text.
fn arrival_letter(arrival: Arrival) -> char {
    match arrival {
        Arrival::Field => 'f',
        Arrival::DropOff => 'd',
    }
}

/// Each not-diverted code's letter in the text.
fn code_letter(code: NotDivertedCode) -> char {
    match code {
        NotDivertedCode::Declined => 'd',
        NotDivertedCode::Ineligible => 'i',
        NotDivertedCode::Left => 'l',
        NotDivertedCode::Medical => 'm',
        NotDivertedCode::Booked => 'b',
        NotDivertedCode::Other => 'o',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(outcome: Outcome, code: Option<NotDivertedCode>) -> Counted {
        Counted {
            alike: Alike {
                outcome,
                not_diverted: code,
                accepted: true,
                after_hours: false,
                followup: true,
                followed_up: false,
                arrival: None,
            },
            sums: Sums {
                given_back: 1,
                declines: 12,
                escalations: 0,
            },
            response_s: Some(421),
            arrival_s: None,
        }
    }

    #[test]
    fn letters_are_one_per_outcome_and_one_per_code() {
        let outcomes: std::collections::BTreeSet<char> =
            Outcome::ALL.into_iter().map(outcome_letter).collect();
        assert_eq!(outcomes.len(), Outcome::ALL.len());
        let codes: std::collections::BTreeSet<char> =
            NotDivertedCode::ALL.into_iter().map(code_letter).collect();
        assert_eq!(codes.len(), NotDivertedCode::ALL.len());
        assert!(!codes.contains(&'-'));
    }

    #[test]
    fn every_outcome_and_code_reads_back_from_its_text() {
        let mut all = vec![counted(Outcome::Open, None)];
        all.extend(Outcome::ALL.map(|o| counted(o, None)));
        all.extend(NotDivertedCode::ALL.map(|c| counted(Outcome::NotDiverted, Some(c))));
        all.push(Counted {
            response_s: Some(-3),
            arrival_s: Some(7_200),
            ..counted(Outcome::Completed, None)
        });
        for arrival in Arrival::ALL {
            let mut reached = counted(Outcome::Completed, None);
            reached.alike.arrival = Some(arrival);
            all.push(reached);
        }
        for c in all {
            let text = c.text();
            assert!(!text.contains(','), "{text}");
            assert_eq!(Counted::parse(&text), Some(c), "{text}");
        }
        assert_eq!(
            counted(Outcome::NotDiverted, Some(NotDivertedCode::Booked)).text(),
            "nb1010- 1 12 0 421 -"
        );
    }

    #[test]
    fn a_text_that_is_not_one_reads_as_none() {
        for bad in [
            "",
            "c-1000-",
            "z-1000- 0 0 0 - -",
            "cz1000- 0 0 0 - -",
            "c-100- 0 0 0 - -",
            "c-1002- 0 0 0 - -",
            "c-1000z 0 0 0 - -",
            // The text of rows written before arrivals were kept.
            "c-1000 0 0 0 - -",
            "c-1000- 0 0 0 - - 5",
            "c-1000- x 0 0 - -",
            "c-1000- 0 0 0 4.5 -",
        ] {
            assert_eq!(Counted::parse(bad), None, "{bad:?}");
        }
    }
}
