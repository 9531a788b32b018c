//! The words of drop-offs at diversion centers, after a keyword: the officer's
//! `DROPOFF 4821 [center]` (also `DROP OFF`, `DROP-OFF`) and the center staff's
//! `CHECKIN 4821` (also `CHECK IN`, `CHECK-IN`). Each function reads what follows
//! the keyword, as the rules of the module above say, and returns `None` when the
//! text is not the command after all (it is then relayed).

use super::field::{joined, past, then_word};
use super::{Command, id_and_reason, only_id};

/// `DROPOFF` and what follows: an optional id, then the center's name or id as
/// free text (`DROPOFF 4821 Stabilization Ctr`, `DROPOFF at the sobering center`).
pub(super) fn drop_off(after: &str, after_full: &str) -> Option<Command> {
    if joined(after) {
        // `dropoff's`, `drop-offs`: words of their own.
        return None;
    }
    let (id, center) = id_and_reason(after_full);
    Some(Command::DropOff { id, center })
}

/// `OFF ...` after `DROP` (`DROP OFF 4821`, `drop-off 4821`); `drop him off` is
/// no command.
pub(super) fn drop(after: &str, after_full: &str) -> Option<Command> {
    let (after, after_full) = past(after, after_full, "OFF")?;
    drop_off(after, after_full)
}

/// `CHECKIN` and nothing but an optional id.
pub(super) fn check_in(after: &str) -> Option<Command> {
    only_id(after).map(|id| Command::CheckIn { id })
}

/// `IN [4821]` after `CHECK` (`CHECK IN 4821`, `check-in`).
pub(super) fn check(after: &str) -> Option<Command> {
    let n = then_word(after, "IN")?;
    check_in(after.get(n..)?)
}
