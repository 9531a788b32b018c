//! Round trips through the grammar: every command that has a canonical way of
//! writing it (`Y#4821 20 min`, `PASS #4821 busy`, `ETA 15 min #4821`) is read back
//! as that command, and whatever a text parses to, its canonical form parses to
//! the same. Also: any bytes a provider could deliver, read as text, parse.
//!
//! Case counts are small enough for CI; `PROPTEST_CASES=100000` hunts longer.

use std::str::FromStr;

use handoff_dispatcher::conversation::Placement;
use handoff_dispatcher::outcome::{NotDivertedCode, ReportNumber};
use handoff_dispatcher::{HandoffId, HandoffKind};
use proptest::collection::vec;
use proptest::prelude::*;

use super::tests::KEYWORDS;
use super::{Command, parse};

/// The number of cases to run: `default`, or `PROPTEST_CASES` for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn hash(id: Option<HandoffId>) -> String {
    id.map(|id| format!(" #{}", id.get())).unwrap_or_default()
}

fn then(words: Option<&String>) -> String {
    words.map(|w| format!(" {w}")).unwrap_or_default()
}

/// How a command is written most plainly, when it can be written at all (an
/// accept with minutes but no id cannot: `Y 20` takes hand-off 20).
fn canonical(command: &Command) -> Option<String> {
    use Command as C;
    let keyword = |kind: &HandoffKind| match kind {
        HandoffKind::ArrestDiversion => "LEAD",
        HandoffKind::SocialContactReferral => "REFER",
    };
    let minutes = |eta: Option<u32>| eta.map(|m| format!(" {m} min")).unwrap_or_default();
    Some(match command {
        C::OptOut => "STOP".to_owned(),
        C::OptIn => "START".to_owned(),
        C::Help => "HELP".to_owned(),
        C::Status => "STATUS".to_owned(),
        C::Who => "WHO".to_owned(),
        C::FollowUps => "FOLLOWUP".to_owned(),
        C::Empty => String::new(),
        C::BadEta => "ETA".to_owned(),
        C::Request {
            kind,
            text,
            placement,
        } if *placement == Placement::default() => format!("{} {text}", keyword(kind)),
        C::Request { .. } => return None,
        C::RequestWithoutLocation { kind } => keyword(kind).to_owned(),
        C::Cancel { id, reason } => format!("WITHDRAW{}{}", hash(*id), then(reason.as_ref())),
        C::Accept {
            id: None,
            eta: Some(_),
        }
        | C::Take {
            id: None,
            eta: Some(_),
        } => return None,
        C::Accept { id, eta } => format!("ACCEPT{}{}", hash(*id), minutes(*eta)),
        C::Take { id, eta } => format!("TAKE{}{}", hash(*id), minutes(*eta)),
        C::Decline { id, reason } => format!("PASS{}{}", hash(*id), then(reason.as_ref())),
        C::Eta { minutes, id } => format!("ETA {minutes} min{}", hash(*id)),
        C::Arrived { id } => format!("ARRIVED{}", hash(*id)),
        C::Done { id } => format!("DONE{}", hash(*id)),
        C::Intake { id } => format!("INTAKE{}", hash(*id)),
        C::GiveBack { id, reason } => format!("BACK{}{}", hash(*id), then(reason.as_ref())),
        C::NotDiverted { id, code, note } => format!(
            "NOTDIVERTED{}{}{}",
            hash(*id),
            code.map(|c| format!(" {c}")).unwrap_or_default(),
            then(note.as_ref())
        ),
        C::FollowedUp { id, note } => format!("FOLLOWED UP{}{}", hash(*id), then(note.as_ref())),
        C::ReportNumber { id, number } => format!(
            "RPT{}{}",
            hash(*id),
            number
                .as_ref()
                .map(|n| format!(" {}", n.as_str()))
                .unwrap_or_default()
        ),
        C::DropOff { id, center } => format!("DROPOFF{}{}", hash(*id), then(center.as_ref())),
        C::CheckIn { id } => format!("CHECKIN{}", hash(*id)),
        C::Text { id: Some(id), text } => format!("#{} {text}", id.get()),
        C::Text { id: None, text } => text.clone(),
    })
}

fn handoff_id() -> impl Strategy<Value = Option<HandoffId>> {
    proptest::option::of((1u32..=999_999_999).prop_map(HandoffId::new))
}

/// Free text as the grammar keeps it: words starting with a letter, one space
/// between them.
fn words() -> impl Strategy<Value = String> {
    vec("\\p{L}[\\p{L}\\p{N}',.!?&-]{0,8}", 1..6).prop_map(|w| w.join(" "))
}

fn code() -> impl Strategy<Value = NotDivertedCode> {
    proptest::sample::select(NotDivertedCode::ALL.to_vec())
}

fn kind() -> impl Strategy<Value = HandoffKind> {
    prop_oneof![
        Just(HandoffKind::ArrestDiversion),
        Just(HandoffKind::SocialContactReferral)
    ]
}

fn some_id() -> impl Strategy<Value = HandoffId> {
    (1u32..=999_999_999).prop_map(HandoffId::new)
}

fn eta() -> impl Strategy<Value = Option<u32>> {
    proptest::option::of(0u32..=100_000)
}

fn reason() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(words())
}

/// Commands with a canonical form, of every kind.
fn command() -> impl Strategy<Value = Command> {
    use Command as C;
    prop_oneof![
        prop_oneof![
            Just(C::OptOut),
            Just(C::OptIn),
            Just(C::Help),
            Just(C::Status),
            Just(C::Who),
            Just(C::FollowUps),
            Just(C::Empty),
            Just(C::BadEta),
        ],
        (kind(), words()).prop_map(|(kind, text)| C::Request {
            kind,
            text,
            placement: Placement::default()
        }),
        kind().prop_map(|kind| C::RequestWithoutLocation { kind }),
        (handoff_id(), reason()).prop_map(|(id, reason)| C::Cancel { id, reason }),
        (some_id(), eta()).prop_map(|(id, eta)| C::Accept { id: Some(id), eta }),
        (some_id(), eta()).prop_map(|(id, eta)| C::Take { id: Some(id), eta }),
        Just(C::Accept {
            id: None,
            eta: None
        }),
        Just(C::Take {
            id: None,
            eta: None
        }),
        (handoff_id(), reason()).prop_map(|(id, reason)| C::Decline { id, reason }),
        // Four digits after ETA are a hand-off number, whatever follows.
        (0u32..1000, handoff_id()).prop_map(|(minutes, id)| C::Eta { minutes, id }),
        handoff_id().prop_map(|id| C::Arrived { id }),
        handoff_id().prop_map(|id| C::Done { id }),
        handoff_id().prop_map(|id| C::Intake { id }),
        (handoff_id(), reason()).prop_map(|(id, reason)| C::GiveBack { id, reason }),
        (handoff_id(), proptest::option::of(code()), reason())
            .prop_filter(
                "a note that starts with a code word is the code",
                |(_, code, note)| {
                    code.is_some()
                        || note.as_ref().is_none_or(|n| {
                            n.split(' ')
                                .next()
                                .is_none_or(|w| NotDivertedCode::from_str(w).is_err())
                        })
                }
            )
            .prop_map(|(id, code, note)| C::NotDiverted { id, code, note }),
        (handoff_id(), reason()).prop_map(|(id, note)| C::FollowedUp { id, note }),
        (
            handoff_id(),
            proptest::option::of("[0-9]{1,4}-?[0-9A-Z]{1,8}")
        )
            .prop_map(|(id, number)| C::ReportNumber {
                id,
                number: number.and_then(|n| ReportNumber::parse(&n).ok())
            }),
        (some_id(), words()).prop_map(|(id, text)| C::Text { id: Some(id), text }),
        (handoff_id(), reason()).prop_map(|(id, center)| C::DropOff { id, center }),
        handoff_id().prop_map(|id| C::CheckIn { id }),
    ]
}

/// Texts near the grammar: keywords with ids, numbers, units, punctuation and
/// words after them.
fn keyword_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(KEYWORDS.to_vec()).prop_map(str::to_owned),
        2 => "#?[0-9]{1,10}",
        1 => proptest::sample::select(vec!["min", "m", "mins", "minutes", "UP", "BACK", "DIVERTED", "left", "declined", "ems", "DONE", "OFF", "IN"]).prop_map(str::to_owned),
        2 => "\\p{L}{1,8}",
        1 => "[ :,.;!?#-]{1,3}",
        1 => "\\PC{1,4}",
    ];
    vec(piece, 1..7).prop_map(|pieces| pieces.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(1000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_command_reads_back_from_its_canonical_form(command in command()) {
        let written = canonical(&command);
        prop_assume!(written.is_some());
        let written = written.unwrap_or_default();
        prop_assert_eq!(parse(&written), command, "written as {:?}", written);
    }

    #[test]
    fn whatever_a_text_parses_to_its_canonical_form_parses_to_the_same(
        body in prop_oneof![keyword_text(), any::<String>()],
    ) {
        let command = parse(&body);
        if let Some(written) = canonical(&command) {
            prop_assert_eq!(parse(&written), command, "{:?} written as {:?}", body, written);
        }
    }

    #[test]
    fn any_bytes_a_provider_could_deliver_parse(bytes in vec(any::<u8>(), 0..400)) {
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }
}
