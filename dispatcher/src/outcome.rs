//! How a hand-off ends when it does not end in a diversion, and what is owed after
//! it: the structured reason a diversion did not happen ([`NotDivertedCode`], kept
//! for good like the timings, so the workgroup can count them), the follow-up a
//! request nobody could take leaves behind ([`FollowUp`]), and the police report
//! number an officer adds to match paperwork ([`ReportNumber`]).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use handoff_schedules::PersonId;
use serde::{Deserialize, Serialize};

/// Why a hand-off closed without a diversion: a code, never free text, so it is
/// kept when the words of the hand-off are forgotten and can be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotDivertedCode {
    /// The person said no.
    Declined,
    /// The person or the offence does not meet the program's criteria.
    Ineligible,
    /// The person left the scene.
    Left,
    /// A medical need came first (hospital, EMS).
    Medical,
    /// The person was booked after all.
    Booked,
    Other,
}

impl NotDivertedCode {
    pub const ALL: [NotDivertedCode; 6] = [
        NotDivertedCode::Declined,
        NotDivertedCode::Ineligible,
        NotDivertedCode::Left,
        NotDivertedCode::Medical,
        NotDivertedCode::Booked,
        NotDivertedCode::Other,
    ];

    /// The code as typed and as reports show it.
    pub fn name(self) -> &'static str {
        match self {
            NotDivertedCode::Declined => "declined",
            NotDivertedCode::Ineligible => "ineligible",
            NotDivertedCode::Left => "left",
            NotDivertedCode::Medical => "medical",
            NotDivertedCode::Booked => "booked",
            NotDivertedCode::Other => "other",
        }
    }

    /// The reason in plain words, for the officer.
    pub fn words(self) -> &'static str {
        match self {
            NotDivertedCode::Declined => "the person declined",
            NotDivertedCode::Ineligible => "the person is not eligible",
            NotDivertedCode::Left => "the person left the scene",
            NotDivertedCode::Medical => "a medical need came first",
            NotDivertedCode::Booked => "the person was booked",
            NotDivertedCode::Other => "other reasons",
        }
    }
}

/// The word is not one of the codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an outcome: expected declined, ineligible, left, medical, booked or other")]
pub struct BadNotDivertedCode(pub String);

impl FromStr for NotDivertedCode {
    type Err = BadNotDivertedCode;
    /// The codes, case-insensitive, and the words people use for them: `refused`,
    /// `no` (declined); `noteligible`, `not-eligible` (ineligible); `gone`, `ran`,
    /// `fled` (left); `hospital`, `ems` (medical); `arrested`, `jail` (booked).
    fn from_str(text: &str) -> Result<Self, BadNotDivertedCode> {
        let word: String = text
            .trim()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        Ok(match word.as_str() {
            "declined" | "decline" | "refused" | "no" => NotDivertedCode::Declined,
            "ineligible" | "noteligible" | "inelig" => NotDivertedCode::Ineligible,
            "left" | "gone" | "ran" | "fled" => NotDivertedCode::Left,
            "medical" | "hospital" | "ems" => NotDivertedCode::Medical,
            "booked" | "arrested" | "jail" => NotDivertedCode::Booked,
            "other" => NotDivertedCode::Other,
            _ => return Err(BadNotDivertedCode(text.to_owned())),
        })
    }
}

impl fmt::Display for NotDivertedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a closed hand-off is waiting for someone to follow up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpReason {
    /// A social contact referral filed while the site was closed.
    Referral,
    /// Nobody could be reached.
    Unstaffed,
    /// Accepted, but the case manager never arrived.
    Expired,
}

impl FollowUpReason {
    pub fn name(self) -> &'static str {
        match self {
            FollowUpReason::Referral => "referral",
            FollowUpReason::Unstaffed => "unstaffed",
            FollowUpReason::Expired => "expired",
        }
    }
}

/// Where a follow-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpState {
    Waiting,
    Taken,
    Done,
}

impl FollowUpState {
    /// The name kept in the `followup` column and shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            FollowUpState::Waiting => "waiting",
            FollowUpState::Taken => "taken",
            FollowUpState::Done => "done",
        }
    }
}

/// The follow-up a closed hand-off owes: from when, why, who took it and when it
/// was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub reason: FollowUpReason,
    pub since: DateTime<Utc>,
    #[serde(default)]
    pub taken_by: Option<PersonId>,
    #[serde(default)]
    pub taken_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub done_at: Option<DateTime<Utc>>,
}

impl FollowUp {
    pub fn new(reason: FollowUpReason, since: DateTime<Utc>) -> FollowUp {
        FollowUp {
            reason,
            since,
            taken_by: None,
            taken_at: None,
            done_at: None,
        }
    }

    pub fn state(&self) -> FollowUpState {
        match (&self.taken_by, self.done_at) {
            (_, Some(_)) => FollowUpState::Done,
            (Some(_), None) => FollowUpState::Taken,
            (None, None) => FollowUpState::Waiting,
        }
    }
}

/// A police report (or incident) number as the officer's agency writes it: 1 to 32
/// letters, digits and `-`, `/`, `.`, kept upper-case. It is the key that matches
/// the program's records to the agency's and the prosecutor's paperwork, so it is
/// kept for good and shown in reports, but never sent by SMS.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportNumber(String);

/// The longest report number accepted.
pub const MAX_REPORT_NUMBER: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a report number: 1 to 32 letters, digits, `-`, `/` or `.`, with at least one digit"
)]
pub struct BadReportNumber(pub String);

impl ReportNumber {
    pub fn parse(text: &str) -> Result<ReportNumber, BadReportNumber> {
        let number = text.trim().to_uppercase();
        let shaped = !number.is_empty()
            && number.chars().count() <= MAX_REPORT_NUMBER
            && number.chars().any(|c| c.is_ascii_digit())
            && number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'));
        if shaped {
            Ok(ReportNumber(number))
        } else {
            Err(BadReportNumber(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReportNumber {
    type Error = BadReportNumber;
    fn try_from(text: String) -> Result<Self, BadReportNumber> {
        ReportNumber::parse(&text)
    }
}

impl From<ReportNumber> for String {
    fn from(number: ReportNumber) -> String {
        number.0
    }
}

impl fmt::Display for ReportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_codes_parse_from_their_names_and_the_words_people_use() {
        for code in NotDivertedCode::ALL {
            assert_eq!(code.name().parse(), Ok(code));
            assert_eq!(code.name().to_uppercase().parse(), Ok(code));
        }
        let table = [
            ("refused", NotDivertedCode::Declined),
            ("Not-eligible", NotDivertedCode::Ineligible),
            ("ran", NotDivertedCode::Left),
            ("EMS", NotDivertedCode::Medical),
            ("arrested.", NotDivertedCode::Booked),
        ];
        for (word, code) in table {
            assert_eq!(word.parse(), Ok(code), "{word}");
        }
        for bad in ["", "maybe", "4821", "declinedx"] {
            assert!(bad.parse::<NotDivertedCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn report_numbers_are_kept_upper_case_and_need_a_digit() {
        assert_eq!(
            ReportNumber::parse(" 2026-mpd-004512 ").map(String::from),
            Ok("2026-MPD-004512".to_owned())
        );
        assert!(ReportNumber::parse("26/4512.1").is_ok());
        for bad in ["", "ABC", "12 34", "12;34", &"1".repeat(33), "１２"] {
            assert!(ReportNumber::parse(bad).is_err(), "{bad}");
        }
        assert!(ReportNumber::parse(&"1".repeat(32)).is_ok());
    }

    #[test]
    fn a_follow_up_is_waiting_then_taken_then_done() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let mut follow_up = FollowUp::new(FollowUpReason::Referral, at);
        assert_eq!(follow_up.state(), FollowUpState::Waiting);
        follow_up.taken_by = Some(PersonId::parse("dana").unwrap());
        follow_up.taken_at = Some(at);
        assert_eq!(follow_up.state(), FollowUpState::Taken);
        follow_up.done_at = Some(at);
        assert_eq!(follow_up.state(), FollowUpState::Done);
    }
}
