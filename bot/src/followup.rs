//! `handoff followup list`: the follow-ups closed hand-offs owe (a referral filed
//! out of hours, a request nobody could take, one whose case manager never came),
//! waiting or taken, for the project manager and the coordinator. Staff see the
//! same list by texting FOLLOWUP and get it when their site opens.

use chrono::{DateTime, Utc};
use handoff_dispatcher::store::Records;
use handoff_dispatcher::{Handoff, StoreError};
use handoff_schedules::SiteId;
use serde::Serialize;

/// One row of `handoff followup list`. Ids only: no location or message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRow {
    pub handoff: u32,
    pub site: String,
    pub kind: &'static str,
    /// Why it is a follow-up: `referral`, `unstaffed` or `expired`.
    pub reason: &'static str,
    pub requested_at: DateTime<Utc>,
    /// `waiting`, `taken` or `done`.
    pub state: &'static str,
    pub taken_by: Option<String>,
    pub taken_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

impl FollowUpRow {
    fn of(handoff: &Handoff) -> Option<FollowUpRow> {
        let followup = handoff.followup.as_ref()?;
        Some(FollowUpRow {
            handoff: handoff.id.get(),
            site: handoff.request.site.to_string(),
            kind: match handoff.request.kind {
                handoff_dispatcher::HandoffKind::ArrestDiversion => "arrest_diversion",
                handoff_dispatcher::HandoffKind::SocialContactReferral => "social_contact_referral",
            },
            reason: followup.reason.name(),
            requested_at: handoff.requested_at,
            state: followup.state().name(),
            taken_by: followup.taken_by.as_ref().map(ToString::to_string),
            taken_at: followup.taken_at,
            done_at: followup.done_at,
        })
    }
}

/// The follow-ups not yet done (`all`: done ones too), of `site` if given, by
/// hand-off number.
pub async fn list(
    store: &Records,
    site: Option<&SiteId>,
    all: bool,
) -> Result<Vec<FollowUpRow>, StoreError> {
    Ok(store
        .followups(all)
        .await?
        .iter()
        .filter(|h| site.is_none_or(|s| &h.request.site == s))
        .filter_map(FollowUpRow::of)
        .collect())
}
