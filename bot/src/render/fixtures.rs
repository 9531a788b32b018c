//! Test fixtures for the SMS words: one message of every variant (and every
//! problem, audience, status state and optional field), with what people and the
//! configuration wrote in each field they fill in, so the table tests can check
//! every text against the rules.

use chrono::{DateTime, FixedOffset};
use handoff_dispatcher::center::Refusal;
use handoff_dispatcher::message::{
    AfterRefusal, Audience, Brief, FollowUpLine, Named, OfferContext, Problem, SiteNow, StatusLine,
};
use handoff_dispatcher::outcome::{FollowUpReason, NotDivertedCode};
use handoff_dispatcher::{HandoffId, HandoffKind, Message};

pub(super) const ID: u32 = 4821;

pub(super) fn id() -> HandoffId {
    HandoffId::new(ID)
}

pub(super) fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

pub(super) fn monday_eight() -> DateTime<FixedOffset> {
    at("2026-11-23T08:00:00-05:00")
}

pub(super) fn offer_of(location: &str, agency: &str, officer: &str, after_hours: bool) -> Message {
    Message::Offer {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        location: location.to_owned(),
        agency: agency.to_owned(),
        officer: officer.to_owned(),
        after_hours,
        context: Default::default(),
    }
}

/// The request as the brief's example has it, with `text` in every field.
pub(super) fn brief_of(text: &str) -> Brief {
    Brief {
        kind: HandoffKind::ArrestDiversion,
        location: text.to_owned(),
        site: text.to_owned(),
        zone: Some(text.to_owned()),
        officer: text.to_owned(),
        agency: text.to_owned(),
    }
}

/// A follow-up line with `text` in every field people or the configuration fill.
pub(super) fn follow_up_of(
    n: u32,
    reason: FollowUpReason,
    text: &str,
    taken_by: Option<&str>,
) -> FollowUpLine {
    FollowUpLine {
        id: HandoffId::new(n),
        kind: HandoffKind::SocialContactReferral,
        reason,
        site: text.to_owned(),
        requested_at: at("2026-11-21T02:14:00-05:00"),
        location: text.to_owned(),
        taken_by: taken_by.map(str::to_owned),
    }
}

/// Which variant a message is: the match has no wildcard, so a new variant
/// fails to compile here until `one_of_each` shows it too.
pub(super) fn variant(message: &Message) -> usize {
    match message {
        Message::Received { .. } => 0,
        Message::Assigned { .. } => 1,
        Message::Eta { .. } => 2,
        Message::ArrivedAtScene { .. } => 3,
        Message::Completed { .. } => 4,
        Message::Unstaffed { .. } => 5,
        Message::OutOfHours { .. } => 6,
        Message::AfterHoursSearching { .. } => 7,
        Message::CancelledByStaff { .. } => 8,
        Message::CancelConfirmed { .. } => 9,
        Message::Expired { .. } => 10,
        Message::RelayFromStaff { .. } => 11,
        Message::Offer { .. } => 12,
        Message::Assignment { .. } => 13,
        Message::TakenByOther { .. } => 14,
        Message::AlreadyTaken { .. } => 15,
        Message::Withdrawn { .. } => 16,
        Message::CancelledByOfficer { .. } => 17,
        Message::RelayFromOfficer { .. } => 18,
        Message::UnstaffedAlert { .. } => 19,
        Message::ExpiredAlert { .. } => 20,
        Message::Closed { .. } => 21,
        Message::Help { .. } => 22,
        Message::NotRegistered { .. } => 23,
        Message::OptedOut => 24,
        Message::OptedIn => 25,
        Message::Problem { .. } => 26,
        Message::Status { .. } => 27,
        Message::OnDutyNow { .. } => 28,
        Message::NotGettingThrough { .. } => 29,
        Message::GivenBack { .. } => 30,
        Message::NotDiverted { .. } => 31,
        Message::RunningLate { .. } => 32,
        Message::FollowedUpForOfficer { .. } => 33,
        Message::ReportNumberRecorded { .. } => 34,
        Message::DeclineConfirmed { .. } => 35,
        Message::GiveBackConfirmed { .. } => 36,
        Message::NotDivertedRecorded { .. } => 37,
        Message::EtaPassed { .. } => 38,
        Message::LateAlert { .. } => 39,
        Message::IntakeReminder { .. } => 40,
        Message::IntakeOverdueAlert { .. } => 41,
        Message::IntakeRecorded { .. } => 42,
        Message::FollowUpTaken { .. } => 43,
        Message::FollowUpTakenByOther { .. } => 44,
        Message::FollowedUpConfirmed { .. } => 45,
        Message::FollowUpDigest { .. } => 46,
        Message::FollowUps { .. } => 47,
        Message::DropOffConfirmed { .. } => 48,
        Message::DropOffRefused { .. } => 49,
        Message::CheckedInAtCenter { .. } => 50,
        Message::DropOffComing { .. } => 51,
        Message::DropOffReleased { .. } => 52,
        Message::CheckInRecorded { .. } => 53,
        Message::DropOffCalledOff { .. } => 54,
        Message::DropOffOverdue { .. } => 55,
    }
}
pub(super) const VARIANTS: usize = 56;

/// Every command a problem may ask to name a hand-off for; the match has no
/// wildcard, so a new one fails to compile until it is listed.
pub(super) fn all_named() -> Vec<Named> {
    let all = [
        Named::Accept,
        Named::Decline,
        Named::Eta,
        Named::Arrived,
        Named::Done,
        Named::Cancel,
        Named::Message,
        Named::GiveBack,
        Named::NotDiverted,
        Named::Intake,
        Named::ReportNumber,
        Named::FollowedUp,
        Named::DropOff,
        Named::CheckIn,
    ];
    for named in all {
        match named {
            Named::Accept
            | Named::Decline
            | Named::Eta
            | Named::Arrived
            | Named::Done
            | Named::Cancel
            | Named::Message
            | Named::GiveBack
            | Named::NotDiverted
            | Named::Intake
            | Named::ReportNumber
            | Named::FollowedUp
            | Named::DropOff
            | Named::CheckIn => {}
        }
    }
    all.to_vec()
}

/// Every problem (each command for [`Problem::NameTheHandoff`], the edges of
/// [`Problem::EtaOutOfRange`]).
pub(super) fn all_problems() -> Vec<Problem> {
    let mut all = vec![
        Problem::NotUnderstood,
        Problem::UnknownHandoff,
        Problem::NothingOpen,
        Problem::NotOffered,
        Problem::NotYours,
        Problem::NotRequester,
        Problem::NotYetAccepted,
        Problem::Closed,
        Problem::BadEta,
        Problem::EtaOutOfRange { max: 600 },
        Problem::EtaOutOfRange { max: 5 },
        Problem::EtaOutOfRange { max: 0 },
        Problem::BadOutcome,
        Problem::BadReportNumber,
        Problem::NoFollowUp,
        Problem::NoIntake,
        Problem::CannotHandle,
        Problem::AlreadyArrived,
        Problem::AlreadyDroppingOff,
        Problem::NotDroppingOff,
        Problem::NotCenterStaff,
    ];
    all.extend(
        all_named()
            .into_iter()
            .map(|command| Problem::NameTheHandoff { command }),
    );
    all
}

/// Every variant (and every problem, audience, status state and optional
/// field), with `text` in each field people or the configuration fill in.
pub(super) fn one_of_each(text: &str) -> Vec<Message> {
    let mut all = to_officers(text);
    all.extend(to_staff(text));
    all.extend(field_to_staff(text));
    all.extend(replies(text));
    all.extend(drop_offs(text));
    for problem in all_problems() {
        for (named, open) in [
            (None, vec![]),
            (Some(id()), vec![]),
            (Some(id()), vec![id(), HandoffId::new(4822)]),
        ] {
            all.push(Message::Problem {
                id: named,
                problem,
                open,
            });
        }
    }
    all
}

fn to_officers(text: &str) -> Vec<Message> {
    let s = || text.to_owned();
    let mut all = vec![
        Message::Assigned {
            id: id(),
            first_name: s(),
            role: s(),
        },
        Message::Eta {
            id: id(),
            first_name: s(),
            minutes: 15,
            arrive_by: at("2026-11-23T10:47:00-05:00"),
        },
        Message::ArrivedAtScene {
            id: id(),
            first_name: s(),
        },
        Message::Completed { id: id() },
        Message::CancelledByStaff {
            id: id(),
            first_name: s(),
            reason: Some(s()),
        },
        Message::CancelConfirmed { id: id() },
        Message::RelayFromStaff {
            id: id(),
            first_name: s(),
            text: s(),
        },
        Message::GivenBack {
            id: id(),
            first_name: s(),
        },
        Message::RunningLate {
            id: id(),
            first_name: s(),
            supervisor_told: true,
        },
        Message::FollowedUpForOfficer { id: id() },
        Message::ReportNumberRecorded { id: id() },
    ];
    for search_minutes in [None, Some(0), Some(15), Some(65)] {
        all.push(Message::Received {
            id: id(),
            kind: HandoffKind::ArrestDiversion,
            location: s(),
            search_minutes,
            center: None,
        });
        all.push(Message::Received {
            id: id(),
            kind: HandoffKind::ArrestDiversion,
            location: s(),
            search_minutes,
            center: Some(s()),
        });
        for center in [None, Some(s())] {
            all.push(Message::AfterHoursSearching {
                id: id(),
                next_opening: Some(monday_eight()),
                search_minutes,
                center,
            });
        }
    }
    for (next_opening, center) in [
        (Some(monday_eight()), None),
        (None, None),
        (Some(monday_eight()), Some(s())),
        (None, Some(s())),
    ] {
        all.push(Message::Unstaffed {
            id: id(),
            next_opening,
            center: center.clone(),
        });
        for kind in [
            HandoffKind::ArrestDiversion,
            HandoffKind::SocialContactReferral,
        ] {
            all.push(Message::OutOfHours {
                id: id(),
                kind,
                next_opening,
                center: center.clone(),
            });
        }
    }
    for center in [None, Some(s())] {
        all.push(Message::Expired { id: id(), center });
    }
    for code in NotDivertedCode::ALL {
        all.push(Message::NotDiverted { id: id(), code });
        all.push(Message::NotDivertedRecorded { id: id(), code });
    }
    all
}

fn to_staff(text: &str) -> Vec<Message> {
    let s = || text.to_owned();
    let mut all = vec![
        Message::Assignment {
            id: id(),
            brief: None,
        },
        Message::Assignment {
            id: id(),
            brief: Some(brief_of(text)),
        },
        Message::TakenByOther {
            id: id(),
            first_name: s(),
        },
        Message::AlreadyTaken { id: id() },
        Message::Withdrawn { id: id() },
        Message::CancelledByOfficer {
            id: id(),
            reason: Some(s()),
        },
        Message::RelayFromOfficer {
            id: id(),
            officer: s(),
            text: s(),
        },
        Message::UnstaffedAlert {
            id: id(),
            site: s(),
            kind: HandoffKind::ArrestDiversion,
            location: s(),
            agency: s(),
        },
        Message::ExpiredAlert {
            id: id(),
            first_name: s(),
        },
        Message::Closed { id: id() },
    ];
    for name_site in [false, true] {
        all.push(Message::Offer {
            id: id(),
            kind: HandoffKind::SocialContactReferral,
            location: s(),
            agency: s(),
            officer: s(),
            after_hours: true,
            context: OfferContext {
                site: s(),
                name_site,
                ..Default::default()
            },
        });
    }
    all
}

fn field_to_staff(text: &str) -> Vec<Message> {
    let s = || text.to_owned();
    let items = vec![
        follow_up_of(4821, FollowUpReason::Referral, text, None),
        follow_up_of(4822, FollowUpReason::Unstaffed, text, Some(text)),
        follow_up_of(4823, FollowUpReason::Expired, text, None),
    ];
    vec![
        Message::DeclineConfirmed { id: id() },
        Message::GiveBackConfirmed { id: id() },
        Message::EtaPassed {
            id: id(),
            minutes: 10,
        },
        Message::EtaPassed {
            id: id(),
            minutes: 0,
        },
        Message::LateAlert {
            id: id(),
            first_name: s(),
            site: s(),
        },
        Message::IntakeReminder {
            id: id(),
            due: at("2026-12-28T17:00:00-05:00"),
        },
        Message::IntakeOverdueAlert {
            id: id(),
            first_name: s(),
            due: at("2026-12-28T17:00:00-05:00"),
        },
        Message::IntakeRecorded { id: id() },
        Message::FollowUpTaken { id: id() },
        Message::FollowUpTakenByOther {
            id: id(),
            first_name: s(),
        },
        Message::FollowedUpConfirmed { id: id() },
        Message::FollowUpDigest {
            site: s(),
            items: items.clone(),
        },
        Message::FollowUpDigest {
            site: s(),
            items: Vec::new(),
        },
        Message::FollowUps { items },
        Message::FollowUps { items: Vec::new() },
    ]
}

fn replies(text: &str) -> Vec<Message> {
    let s = || text.to_owned();
    let states = [
        "offering",
        "accepted",
        "en_route",
        "arrived",
        "completed",
        "cancelled",
        "unstaffed",
        "out_of_hours",
        "expired",
        "not_diverted",
    ];
    let line = |state: &str, brief: Option<Brief>| StatusLine {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        state: state.to_owned(),
        first_name: Some(s()),
        eta: Some(at("2026-11-23T10:47:00-05:00")),
        brief,
    };
    vec![
        Message::Help {
            audience: Audience::Officer,
        },
        Message::Help {
            audience: Audience::Staff,
        },
        Message::NotRegistered { contact: None },
        Message::NotRegistered { contact: Some(s()) },
        Message::OptedOut,
        Message::OptedIn,
        Message::NotGettingThrough {
            id: id(),
            to: s(),
            for_officer: true,
        },
        Message::NotGettingThrough {
            id: id(),
            to: s(),
            for_officer: false,
        },
        Message::Status {
            lines: states.iter().map(|state| line(state, None)).collect(),
        },
        Message::Status {
            lines: states
                .iter()
                .map(|state| line(state, Some(brief_of(text))))
                .collect(),
        },
        Message::Status { lines: Vec::new() },
        Message::OnDutyNow {
            sites: vec![
                SiteNow {
                    site: s(),
                    open: true,
                    on_duty: vec![(s(), s())],
                    next_opening: None,
                },
                SiteNow {
                    site: s(),
                    open: false,
                    on_duty: Vec::new(),
                    next_opening: Some(monday_eight()),
                },
            ],
        },
    ]
}

/// The texts of drop-offs at diversion centers, with every refusal.
fn drop_offs(text: &str) -> Vec<Message> {
    let s = || text.to_owned();
    let refusals = vec![
        Refusal::NoCenters,
        Refusal::NoneOpen {
            next: Some((s(), monday_eight())),
        },
        Refusal::NoneOpen { next: None },
        Refusal::AllFull,
        Refusal::Unknown { open: vec![] },
        Refusal::Unknown {
            open: vec![s(), s(), s()],
        },
        Refusal::Closed {
            name: s(),
            opens: Some(monday_eight()),
        },
        Refusal::Closed {
            name: s(),
            opens: None,
        },
        Refusal::Full {
            name: s(),
            others: vec![],
        },
        Refusal::Full {
            name: s(),
            others: vec![s(), s()],
        },
    ];
    let thens = [
        AfterRefusal::Searching,
        AfterRefusal::Coming,
        AfterRefusal::Closed,
    ];
    let mut all: Vec<Message> = refusals
        .into_iter()
        .flat_map(|refusal| {
            thens.map(|then| Message::DropOffRefused {
                id: id(),
                refusal: refusal.clone(),
                then,
            })
        })
        .collect();
    for staff_told in [true, false] {
        all.push(Message::DropOffConfirmed {
            id: id(),
            center: s(),
            address: s(),
            staff_told,
        });
    }
    all.extend([
        Message::CheckedInAtCenter {
            id: id(),
            center: s(),
            first_name: s(),
        },
        Message::DropOffComing {
            id: id(),
            kind: HandoffKind::SocialContactReferral,
            center: s(),
            officer: s(),
            agency: s(),
        },
        Message::DropOffReleased {
            id: id(),
            center: s(),
        },
        Message::CheckInRecorded { id: id() },
        Message::DropOffCalledOff {
            id: id(),
            center: s(),
        },
        Message::DropOffOverdue {
            id: id(),
            center: s(),
            officer: s(),
            minutes: 720,
        },
    ]);
    all
}
