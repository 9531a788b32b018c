//! Coverage gaps in the coming weeks, as rows a page lists: the windows in which a
//! site is open and no case manager is on duty, so an officer's request would find
//! nobody to offer it to. Read from the schedules crate's own gap query (as the
//! `handoff schedule gaps` command is), so the page and the dispatcher agree.
//!
//! Only this kind of gap is listed: hours the site is closed are "what to staff
//! next", not a gap in the staffing of the hours it keeps.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use handoff_schedules::{GapKind, SiteId};

use super::regular::SiteRef;

/// The furthest ahead a page may look: half a year keeps one page's work small.
pub(crate) const MAX_WEEKS_AHEAD: u32 = 26;

/// One gap at one site, in the site's local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GapRow {
    pub site: SiteId,
    pub site_name: String,
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
    /// Whole minutes of real time.
    pub minutes: i64,
    /// Under way at `now`: `start` is `now`, not when the gap began.
    pub ongoing: bool,
    /// `Mon 2026-11-23 16:00 to 18:00 EST`, or `now to 18:00 EST` when ongoing.
    pub when: String,
    /// `2h`, `1h30m`.
    pub length: String,
}

/// The gaps of each site from `now` for `weeks` weeks (at most
/// [`MAX_WEEKS_AHEAD`]), grouped by site in the order given, each in time order.
pub(crate) fn coming_gaps(sites: &[SiteRef<'_>], now: DateTime<Utc>, weeks: u32) -> Vec<GapRow> {
    let days = i64::from(weeks.min(MAX_WEEKS_AHEAD)) * 7;
    let Some(until) = now.checked_add_signed(Duration::days(days)) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for site in sites {
        let tz = site.schedule.tz;
        for gap in site.schedule.gaps(now, until) {
            if gap.kind != GapKind::NoCaseManager {
                continue;
            }
            let (start, end) = (
                gap.span.start.with_timezone(&tz),
                gap.span.end.with_timezone(&tz),
            );
            let minutes = (gap.span.end - gap.span.start).num_minutes();
            let ongoing = gap.span.start == now;
            rows.push(GapRow {
                site: site.schedule.site.clone(),
                site_name: site.name.to_owned(),
                when: when_text(start, end, ongoing),
                length: crate::gaps::duration(minutes),
                start,
                end,
                minutes,
                ongoing,
            });
        }
    }
    rows
}

/// The end shows its date only when it is not the start's.
fn when_text(start: DateTime<Tz>, end: DateTime<Tz>, ongoing: bool) -> String {
    let end_text = if end.date_naive() == start.date_naive() {
        end.format("%H:%M %Z").to_string()
    } else {
        end.format("%a %Y-%m-%d %H:%M %Z").to_string()
    };
    if ongoing {
        format!("now to {end_text}")
    } else {
        format!("{} to {end_text}", start.format("%a %Y-%m-%d %H:%M"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::demand::fixtures::{at, case_manager, closed_on, new_york_site, window};

    fn rows(sites: &[SiteRef<'_>], now: &str, weeks: u32) -> Vec<(String, String, String)> {
        coming_gaps(sites, at(now), weeks)
            .into_iter()
            .map(|r| (r.site_name, r.when, r.length))
            .collect()
    }

    fn downtown() -> handoff_schedules::SiteSchedule {
        let mut site = new_york_site(&[window("mon-fri", "08:00", "18:00")]);
        site.shifts = vec![case_manager("dana", window("mon-fri", "08:00", "16:00"))];
        site
    }

    #[test]
    fn open_hours_with_no_case_manager_are_listed_in_local_time_across_the_clock_change() {
        let schedule = downtown();
        let site = SiteRef {
            name: "Downtown",
            schedule: &schedule,
        };
        // Friday 2026-03-06 12:00 EST; clocks spring forward on Sunday the 8th.
        let listed = rows(&[site], "2026-03-06T17:00:00Z", 1);
        let expected: Vec<(String, String, String)> = [
            "Fri 2026-03-06 16:00 to 18:00 EST",
            "Mon 2026-03-09 16:00 to 18:00 EDT",
            "Tue 2026-03-10 16:00 to 18:00 EDT",
            "Wed 2026-03-11 16:00 to 18:00 EDT",
            "Thu 2026-03-12 16:00 to 18:00 EDT",
        ]
        .into_iter()
        .map(|when| ("Downtown".to_owned(), when.to_owned(), "2h".to_owned()))
        .collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn a_gap_under_way_starts_now_and_a_holiday_has_none() {
        let mut schedule = downtown();
        schedule.closures = vec![closed_on("2026-11-26")];
        let site = SiteRef {
            name: "Downtown",
            schedule: &schedule,
        };
        // Wednesday 2026-11-25 17:00 EST, an hour into the day's gap.
        let all = coming_gaps(&[site], at("2026-11-25T22:00:00Z"), 1);
        assert!(all[0].ongoing);
        assert_eq!(all[0].when, "now to 18:00 EST");
        assert_eq!((all[0].minutes, all[0].length.as_str()), (60, "1h"));
        let days: Vec<String> = all
            .iter()
            .map(|r| r.start.format("%a %d").to_string())
            .collect();
        assert_eq!(days, ["Wed 25", "Fri 27", "Mon 30", "Tue 01", "Wed 02"]);
    }

    #[test]
    fn a_site_with_nobody_on_staff_is_one_gap_per_open_stretch_and_sites_keep_their_order() {
        let empty = new_york_site(&[window("sat", "20:00", "02:00")]);
        let staffed = downtown();
        let sites = [
            SiteRef {
                name: "Weekend <night>",
                schedule: &empty,
            },
            SiteRef {
                name: "Downtown",
                schedule: &staffed,
            },
        ];
        let listed = rows(&sites, "2026-01-05T05:00:00Z", 1);
        assert_eq!(
            listed[0],
            (
                "Weekend <night>".to_owned(),
                "Sat 2026-01-10 20:00 to Sun 2026-01-11 02:00 EST".to_owned(),
                "6h".to_owned()
            )
        );
        assert_eq!(listed.len(), 1 + 5);
        assert!(listed[1..].iter().all(|r| r.0 == "Downtown"));
    }

    #[test]
    fn the_horizon_is_capped_and_an_unrepresentable_one_gives_no_rows() {
        let schedule = downtown();
        let site = SiteRef {
            name: "Downtown",
            schedule: &schedule,
        };
        let capped = coming_gaps(&[site], at("2026-01-05T05:00:00Z"), 1000);
        assert_eq!(capped.len(), 5 * MAX_WEEKS_AHEAD as usize);
        assert_eq!(coming_gaps(&[site], DateTime::<Utc>::MAX_UTC, 1), []);
        assert_eq!(coming_gaps(&[site], at("2026-01-05T05:00:00Z"), 0), []);
    }
}
