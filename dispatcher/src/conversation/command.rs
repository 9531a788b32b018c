//! What an inbound message asks for, as a typed command. Each transport parses its
//! own words into a [`Command`] (SMS: `bot/src/sms/grammar.rs`); what a command
//! means for the sender's role is decided in [`super::understand`], once, for every
//! transport.

use handoff_schedules::{SiteId, ZoneId};

use crate::handoff::{HandoffId, HandoffKind};
use crate::outcome::{NotDivertedCode, ReportNumber};

/// Where a request is to go when its transport says so in fields of their own (the
/// JSON API's `site` and `zone`) rather than in the officer's words. The default,
/// nothing given, places it by the words, as every text is placed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub site: Option<SiteId>,
    pub zone: Option<ZoneId>,
}

/// What a message asks for. Which commands a sender may use depends on their role;
/// that is decided by the conversation, not by the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Carrier opt-out keyword sent alone: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END,
    /// QUIT (CTIA / Twilio defaults), REVOKE, OPTOUT (Twilio since May 2025).
    OptOut,
    /// Carrier opt-in keyword sent alone: START, YES, UNSTOP.
    OptIn,
    /// HELP or INFO alone.
    Help,
    /// Officer: `LEAD <location, notes>` = arrest diversion; `REFER <text>` =
    /// social contact referral.
    Request {
        kind: HandoffKind,
        text: String,
        placement: Placement,
    },
    /// `LEAD`/`REFER` with nothing after it.
    RequestWithoutLocation { kind: HandoffKind },
    /// STATUS alone.
    Status,
    /// `CANCEL 4821 [reason]`, `WITHDRAW [4821] [reason]`. Bare `CANCEL` is OptOut
    /// (carrier rule).
    Cancel {
        id: Option<HandoffId>,
        reason: Option<String>,
    },
    /// Staff: `Y4821`, `Y`, `ACCEPT [4821]`, ...; `Y4821 20` accepts with an ETA
    /// of 20 minutes.
    Accept {
        id: Option<HandoffId>,
        eta: Option<u32>,
    },
    /// Staff: `TAKE [4821] [minutes]`: accepts an offer open to the sender, or, on
    /// a hand-off waiting for a follow-up, takes the follow-up.
    Take {
        id: Option<HandoffId>,
        eta: Option<u32>,
    },
    /// Staff: `N4821 [reason]`, `PASS [4821] [reason]`, ...
    Decline {
        id: Option<HandoffId>,
        reason: Option<String>,
    },
    /// Staff: `ETA 15`, `ETA 4821 15`. The minutes as written: whether they are
    /// an acceptable ETA is the dispatcher's rule ([`crate::decide::MAX_ETA_MINUTES`]).
    Eta { minutes: u32, id: Option<HandoffId> },
    /// `ETA` without a usable number of minutes (missing, negative, or other words).
    BadEta,
    /// Staff: ARRIVED / HERE / ON SCENE, optionally with an id.
    Arrived { id: Option<HandoffId> },
    /// Staff: DONE / COMPLETE, optionally with an id.
    Done { id: Option<HandoffId> },
    /// WHO alone.
    Who,
    /// Staff: `BACK 4821 [reason]` (staff `CANCEL 4821` too): gives back a
    /// hand-off they accepted, to be offered to others.
    GiveBack {
        id: Option<HandoffId>,
        reason: Option<String>,
    },
    /// `NOTDIVERTED 4821 <code> [note]`: closes it without a diversion. `code` is
    /// `None` when the text has no known code.
    NotDiverted {
        id: Option<HandoffId>,
        code: Option<NotDivertedCode>,
        note: Option<String>,
    },
    /// Staff: FOLLOWUP alone: the follow-ups waiting.
    FollowUps,
    /// Staff: `FOLLOWED 4821 [note]`: the follow-up is done.
    FollowedUp {
        id: Option<HandoffId>,
        note: Option<String>,
    },
    /// Staff: `INTAKE 4821`: intake is complete.
    Intake { id: Option<HandoffId> },
    /// Officer: `RPT 4821 <number>`: the police report number. `number` is `None`
    /// when what follows is not one.
    ReportNumber {
        id: Option<HandoffId>,
        number: Option<ReportNumber>,
    },
    /// Officer: `DROPOFF [4821] [center]`: takes the person to a diversion center
    /// (the one named by id or name, or the first open one with room).
    DropOff {
        id: Option<HandoffId>,
        center: Option<String>,
    },
    /// Center staff: `CHECKIN [4821]`: the person dropped off is checked in.
    CheckIn { id: Option<HandoffId> },
    /// Anything else: text to relay. A `#4821 text` or `4821: text` prefix names the
    /// hand-off and is removed.
    Text { id: Option<HandoffId>, text: String },
    /// Empty or whitespace-only.
    Empty,
}
