//! The tests of the field workflow's SMS words: the whole request, the search's
//! limit, offers naming their site, give-backs, not-diverted outcomes, the ETA
//! watch, intake, follow-ups and their digest, and the replies about reaching
//! people; one submodule for each.

mod case_manager;
mod confirmations;
mod eta_watch;
mod every_text;
mod follow_ups;
mod officer;
mod problems;
mod reaching_people;
