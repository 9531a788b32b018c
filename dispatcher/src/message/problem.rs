//! Why a command could not be carried out, as its sender is told, and the commands
//! such an answer may ask to name a hand-off for.

use serde::{Deserialize, Serialize};

/// Why a command could not be carried out, as the sender is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The text was not a command this sender can use.
    NotUnderstood,
    /// No such hand-off number.
    UnknownHandoff,
    /// The command needs a hand-off number: the sender has several open ones.
    /// Carries the command, so the example shown is the one the sender meant.
    NameTheHandoff {
        command: Named,
    },
    /// The sender has no open hand-off the command could apply to.
    NothingOpen,
    NotOffered,
    NotYours,
    NotRequester,
    NotYetAccepted,
    Closed,
    /// `ETA` without a usable number of minutes.
    BadEta,
    /// An ETA past what the hand-off allows: from 1 to `max` minutes (the arrival
    /// limit, or what is left of it).
    EtaOutOfRange {
        max: u32,
    },
    /// `NOTDIVERTED` without one of the outcome codes.
    BadOutcome,
    /// `RPT` without a report number of the right shape.
    BadReportNumber,
    /// `TAKE` or `FOLLOWED` on a hand-off that owes no follow-up.
    NoFollowUp,
    /// `INTAKE` on a hand-off that owes no intake (or it is already recorded).
    NoIntake,
    /// The dispatcher could not act on it (a value past what the calendar holds,
    /// a site gone from the configuration): the sender must use the usual way.
    CannotHandle,
    /// `DROPOFF` after the case manager arrived.
    AlreadyArrived,
    /// `DROPOFF` on a hand-off already on its way to a center.
    AlreadyDroppingOff,
    /// `CHECKIN` on a hand-off not dropped off at a center.
    NotDroppingOff,
    /// `CHECKIN` by someone who is not staff of the center it was dropped off at.
    NotCenterStaff,
}

/// A command that may name a hand-off, for the example in
/// [`Problem::NameTheHandoff`] ("say which, e.g. Y4821").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Named {
    Accept,
    Decline,
    Eta,
    Arrived,
    Done,
    Cancel,
    /// A message to relay to the other side.
    Message,
    GiveBack,
    NotDiverted,
    Intake,
    ReportNumber,
    FollowedUp,
    DropOff,
    CheckIn,
}
