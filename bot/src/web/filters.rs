//! The filters of the analysis pages ("is it working", coverage, what to staff
//! next): a range of local dates, a site, an agency, a case manager and a kind, read
//! from the query string at the edge. A value the configuration does not know is
//! dropped (and said so on the page) rather than refused: a bookmarked link outlives
//! a renamed site.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::stats::BoardFilter;
use handoff_dispatcher::{AgencyId, HandoffKind};
use handoff_schedules::{PersonId, SiteId, resolve_local};
use maud::{Markup, html};
use serde::Deserialize;

/// The range shown when none is asked for: twelve weeks back from today.
pub(crate) const DEFAULT_DAYS: i64 = 84;
/// The longest range one page covers: three years, so one request cannot ask
/// for a century.
pub(crate) const MAX_DAYS: i64 = 3 * 366;

/// The query string as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct Query {
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
    #[serde(default)]
    pub(crate) site: String,
    #[serde(default)]
    pub(crate) agency: String,
    #[serde(default)]
    pub(crate) case_manager: String,
    #[serde(default)]
    pub(crate) kind: String,
    /// Blocks typed in on "what to staff next".
    #[serde(default)]
    pub(crate) blocks: String,
}

/// The filters, parsed and checked against the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filters {
    pub(crate) first: NaiveDate,
    pub(crate) last: NaiveDate,
    pub(crate) site: Option<SiteId>,
    pub(crate) agency: Option<AgencyId>,
    pub(crate) case_manager: Option<PersonId>,
    pub(crate) kind: Option<HandoffKind>,
    /// What was asked for but not understood, one line each.
    pub(crate) dropped: Vec<String>,
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
}

fn kind(text: &str) -> Option<HandoffKind> {
    match text.trim() {
        "arrest_diversion" => Some(HandoffKind::ArrestDiversion),
        "social_contact_referral" => Some(HandoffKind::SocialContactReferral),
        _ => None,
    }
}

impl Filters {
    pub(crate) fn read(query: &Query, directory: &Directory, today: NaiveDate) -> Filters {
        let mut dropped = Vec::new();
        let mut pick = |text: &str, what: &str, known: bool| -> bool {
            let asked = !text.trim().is_empty();
            if asked && !known {
                dropped.push(format!("unknown {what} `{}`: showing all", text.trim()));
            }
            asked && known
        };
        let site = query
            .site
            .parse::<SiteId>()
            .ok()
            .filter(|s| directory.sites.contains_key(s));
        let site_ok = pick(&query.site, "site", site.is_some());
        let agency = AgencyId::parse(query.agency.trim())
            .ok()
            .filter(|a| directory.roster.agencies.contains_key(a));
        let agency_ok = pick(&query.agency, "agency", agency.is_some());
        let person = query
            .case_manager
            .parse::<PersonId>()
            .ok()
            .filter(|p| directory.roster.people.contains_key(p));
        let person_ok = pick(&query.case_manager, "case manager", person.is_some());
        let kind_value = kind(&query.kind);
        let kind_ok = pick(&query.kind, "kind", kind_value.is_some());
        let last = date(&query.to).unwrap_or(today);
        let mut first = date(&query.from).unwrap_or(last - Duration::days(DEFAULT_DAYS - 1));
        if first > last {
            dropped.push("the first date is after the last: showing the last date only".to_owned());
            first = last;
        }
        if (last - first).num_days() >= MAX_DAYS {
            dropped.push(format!(
                "at most {MAX_DAYS} days at once: the range was shortened"
            ));
            first = last - Duration::days(MAX_DAYS - 1);
        }
        Filters {
            first,
            last,
            site: site.filter(|_| site_ok),
            agency: agency.filter(|_| agency_ok),
            case_manager: person.filter(|_| person_ok),
            kind: kind_value.filter(|_| kind_ok),
            dropped,
        }
    }

    /// The time zone the range is read in: the site's, or the first site's.
    pub(crate) fn zone(&self, directory: &Directory) -> Tz {
        self.site
            .as_ref()
            .and_then(|s| directory.sites.get(s))
            .or_else(|| directory.sites.values().next())
            .map_or(Tz::UTC, |s| s.schedule.tz)
    }

    /// The range as instants: local midnight of the first day to local midnight
    /// after the last.
    pub(crate) fn instants(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = |day: NaiveDate| resolve_local(zone, day.and_time(NaiveTime::MIN)).to_utc();
        let after = self.last.succ_opt().unwrap_or(self.last);
        (midnight(self.first), midnight(after))
    }

    pub(crate) fn board(&self, directory: &Directory, arrival_target: Duration) -> BoardFilter {
        let zone = self.zone(directory);
        let (from, to) = self.instants(zone);
        BoardFilter {
            from,
            to,
            site: self.site.clone(),
            agency: self.agency.clone(),
            case_manager: self.case_manager.clone(),
            kind: self.kind,
            arrival_target,
            zone,
        }
    }

    /// Days covered, at least one.
    #[cfg(test)]
    pub(crate) fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }
}

/// The filter form, keeping what was chosen.
pub(crate) fn form(
    action: &str,
    filters: &Filters,
    directory: &Directory,
    extra: Markup,
) -> Markup {
    let selected = |chosen: bool| chosen.then_some("selected");
    html! {
        form.filters method="get" action=(action) {
            label { "From" input type="date" name="from" value=(filters.first.format("%Y-%m-%d")); }
            label { "To" input type="date" name="to" value=(filters.last.format("%Y-%m-%d")); }
            label { "Site" select name="site" {
                option value="" { "all" }
                @for (id, site) in &directory.sites {
                    option value=(id) selected=[selected(filters.site.as_ref() == Some(id))] { (site.name) }
                }
            } }
            label { "Agency" select name="agency" {
                option value="" { "all" }
                @for (id, agency) in &directory.roster.agencies {
                    option value=(id) selected=[selected(filters.agency.as_ref() == Some(id))] { (agency.name) }
                }
            } }
            label { "Case manager" select name="case_manager" {
                option value="" { "all" }
                @for (id, person) in &directory.roster.people {
                    @if person.roles.contains(&handoff_schedules::Role::CaseManager) {
                        option value=(id) selected=[selected(filters.case_manager.as_ref() == Some(id))] { (person.name) }
                    }
                }
            } }
            label { "Kind" select name="kind" {
                option value="" { "all" }
                option value="arrest_diversion" selected=[selected(filters.kind == Some(HandoffKind::ArrestDiversion))] { "arrest diversion" }
                option value="social_contact_referral" selected=[selected(filters.kind == Some(HandoffKind::SocialContactReferral))] { "social contact referral" }
            } }
            (extra)
            button type="submit" { "Show" }
        }
        @for line in &filters.dropped { p.bad { (line) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff_dispatcher::directory::Directory;

    fn directory() -> Directory {
        Directory::default()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn no_query_means_the_last_twelve_weeks_to_today() {
        let filters = Filters::read(&Query::default(), &directory(), day("2026-12-02"));
        assert_eq!(filters.last, day("2026-12-02"));
        assert_eq!(filters.days(), DEFAULT_DAYS);
        assert!(filters.dropped.is_empty());
    }

    #[test]
    fn unknown_values_are_dropped_and_said_so() {
        let query = Query {
            site: "atlantis".to_owned(),
            agency: "<script>".to_owned(),
            kind: "felony".to_owned(),
            ..Query::default()
        };
        let filters = Filters::read(&query, &directory(), day("2026-12-02"));
        assert_eq!(
            (filters.site, filters.agency, filters.kind),
            (None, None, None)
        );
        assert_eq!(filters.dropped.len(), 3, "{:?}", filters.dropped);
    }

    #[test]
    fn backwards_huge_and_malformed_ranges_are_bounded() {
        let read = |from: &str, to: &str| {
            let query = Query {
                from: from.to_owned(),
                to: to.to_owned(),
                ..Query::default()
            };
            Filters::read(&query, &directory(), day("2026-12-02"))
        };
        let backwards = read("2026-12-01", "2026-11-01");
        assert_eq!(
            (backwards.first, backwards.last),
            (day("2026-11-01"), day("2026-11-01"))
        );
        let huge = read("2000-01-01", "2100-12-31");
        assert_eq!(huge.days(), MAX_DAYS);
        let junk = read("yesterday", "99999-01-01");
        assert_eq!(junk.last, day("2026-12-02"));
        assert_eq!(junk.days(), DEFAULT_DAYS);
    }

    #[test]
    fn a_range_is_read_from_local_midnight_across_a_clock_change() {
        let query = Query {
            from: "2026-11-01".to_owned(),
            to: "2026-11-01".to_owned(),
            ..Query::default()
        };
        let filters = Filters::read(&query, &directory(), day("2026-12-02"));
        let (from, to) = filters.instants(chrono_tz::America::New_York);
        assert_eq!(from.to_rfc3339(), "2026-11-01T04:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-11-02T05:00:00+00:00");
        assert_eq!(to - from, Duration::hours(25));
    }
}
