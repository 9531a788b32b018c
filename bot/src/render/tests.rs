//! The tests of the SMS words, one submodule per kind of text: the design's
//! examples, every variant in GSM-7, offers and receipts in one segment, times, the
//! other officer texts, help and refusals, status and who. The strategy for any
//! Unicode text, shared with the field tests, is here.

use proptest::prelude::*;

mod examples;
mod help;
mod offers;
mod officer;
mod status;
mod times;
mod variants;

/// Any text of up to `max` characters, from all of Unicode.
pub(super) fn unicode(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter)
}
