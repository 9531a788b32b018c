//! `handoff audit verify`: checks the event log's hash chain (`dispatcher::audit`)
//! and says that it is whole, with the number of events checked and its head, or
//! where it first breaks and what is wrong there. With `--anchor SEQ:HASH` (a head
//! an earlier run printed) the chain must also still pass through that link.
//!
//! A broken chain is an error of its own ([`ChainBroken`]) with its own exit code,
//! so a scheduled check can tell "someone changed the log" from "the database
//! could not be read".

use std::io::Write;

use handoff_dispatcher::audit::{Anchor, Break, Verified};
use handoff_dispatcher::store::Records;

/// The exit code of `handoff audit verify` for a broken chain.
pub const EXIT_CHAIN_BROKEN: u8 = 3;

/// The chain is broken: the first broken link.
#[derive(Debug, thiserror::Error)]
#[error("the event log's hash chain is broken at {0}")]
pub struct ChainBroken(pub Break);

impl ChainBroken {
    /// What to print on standard error.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("error: {self}"),
            "The log is checked in seq order and this is the first broken link: the events \
             before it check out; nothing after it was checked."
                .to_owned(),
        ]
    }
}

/// Checks the chain of the database `records` reads (through `anchor`, if given):
/// the summary on `out`, or [`ChainBroken`].
pub async fn verify(
    records: &Records,
    anchor: Option<Anchor>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    match records.verify_audit(anchor).await? {
        Ok(verified) => {
            write!(out, "{}", summary(&verified, anchor))?;
            Ok(())
        }
        Err(broken) => Err(ChainBroken(broken).into()),
    }
}

/// What a whole chain prints.
pub fn summary(verified: &Verified, anchor: Option<Anchor>) -> String {
    let mut text = format!(
        "The event log's hash chain is intact: {} event{} verified.\n",
        verified.events,
        if verified.events == 1 { "" } else { "s" }
    );
    if let Some(anchor) = anchor {
        text.push_str(&format!(
            "It passes through event {} with the hash noted earlier.\n",
            anchor.seq
        ));
    }
    if verified.head_seq > 0 {
        let head = Anchor {
            seq: verified.head_seq,
            hash: verified.head_hash,
        };
        text.push_str(&format!(
            "Head: event {}, hash {}\n\
             To check later that the log up to here is unchanged, note it and run: \
             handoff audit verify --anchor {head}\n",
            head.seq, head.hash
        ));
    }
    if verified.legacy_through > 0 {
        text.push_str(&format!(
            "Events up to {} were written before the chain existed and were chained at the \
             first start after the upgrade: changes made to them before then cannot be seen.\n",
            verified.legacy_through
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff_dispatcher::audit::{Hash, Problem};

    #[test]
    fn a_whole_chain_prints_its_count_and_head_and_says_where_it_began() {
        let verified = Verified {
            events: 12,
            head_seq: 12,
            head_hash: Hash::GENESIS,
            legacy_through: 0,
        };
        let zeros = "0".repeat(64);
        assert_eq!(
            summary(&verified, None),
            format!(
                "The event log's hash chain is intact: 12 events verified.\n\
                 Head: event 12, hash {zeros}\n\
                 To check later that the log up to here is unchanged, note it and run: \
                 handoff audit verify --anchor 12:{zeros}\n"
            )
        );
        let anchor = Anchor {
            seq: 3,
            hash: Hash::GENESIS,
        };
        assert!(
            summary(&verified, Some(anchor))
                .contains("\nIt passes through event 3 with the hash noted earlier.\n")
        );
        let upgraded = Verified {
            legacy_through: 4,
            ..verified
        };
        assert!(summary(&upgraded, None).contains("Events up to 4 were written before the chain"));
        let empty = Verified {
            events: 0,
            head_seq: 0,
            head_hash: Hash::GENESIS,
            legacy_through: 0,
        };
        assert_eq!(
            summary(&empty, None),
            "The event log's hash chain is intact: 0 events verified.\n"
        );
    }

    #[test]
    fn a_broken_chain_names_the_event_its_hand_off_and_what_differs() {
        let broken = ChainBroken(Break {
            seq: 7,
            handoff: Some(1001),
            problem: Problem::HashMismatch,
        });
        assert_eq!(
            broken.lines()[0],
            "error: the event log's hash chain is broken at event 7 (hand-off 1001): hash \
             mismatch: the row's contents are not what was chained (it was edited)"
        );
    }
}
