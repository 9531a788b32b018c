-- Follow-ups: a closed hand-off that owes one (a referral filed out of hours, a
-- request nobody could take, one whose case manager never came) has `followup`
-- set to 'waiting', then 'taken', then 'done' (FollowUpState::name()), a copy of
-- the hand-off's data for the follow-up list and the opening digest.
ALTER TABLE handoffs ADD COLUMN followup TEXT;
CREATE INDEX handoffs_by_followup ON handoffs (followup);

-- When each site's follow-up digest is next due: the start of its next opening.
-- The digest of one opening is sent once, whichever instance sees it first (the
-- outbox keys name the site and the opening).
CREATE TABLE site_digests (
    site    TEXT   PRIMARY KEY NOT NULL,
    next_at BIGINT NOT NULL
);
