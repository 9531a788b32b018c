//! Daylight-saving tables for America/New_York, America/Los_Angeles, Europe/London and
//! Australia/Sydney, around each zone's 2026 clock changes.
//!
//! Every expected instant is written out as an RFC 3339 literal (with the offset the
//! zone's clock shows at that instant), so a reader can check a row against a wall
//! calendar. The tables cover: how long a window crossing midnight really lasts on the
//! nights the clocks change; that a local time in the skipped hour means the first
//! instant after the gap and one in the repeated hour its first occurrence; that
//! `duty_intervals` and `coverage` report a night shift across a change as one
//! stretch; that a closure on a change day governs all of its 23 or 25 hours; and that a
//! weekly rotation keeps handing over at 08:00 on Monday, 167 or 169 real hours later.
//!
//! The 2026 transitions themselves (from chrono-tz's copy of the tz database):
//!
//! | zone                | clocks go forward           | clocks go back              |
//! |---------------------|-----------------------------|-----------------------------|
//! | America/New_York    | 2026-03-08 02:00 -> 03:00   | 2026-11-01 02:00 -> 01:00   |
//! | America/Los_Angeles | 2026-03-08 02:00 -> 03:00   | 2026-11-01 02:00 -> 01:00   |
//! | Europe/London       | 2026-03-29 01:00 -> 02:00   | 2026-10-25 02:00 -> 01:00   |
//! | Australia/Sydney    | 2026-10-04 02:00 -> 03:00   | 2026-04-05 03:00 -> 02:00   |

use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use handoff_schedules::{
    Availability, Closure, ClosureDates, DutyInterval, Interval, PersonId, Recurrence, Role,
    Rotation, Shift, SiteId, SiteSchedule, When, Window, resolve_local, to_local,
};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// An instant from an RFC 3339 literal.
fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("`{text}` is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// Parses a table literal; a malformed one fails the test naming the text.
fn parse<T>(text: &str) -> T
where
    T: FromStr,
    T::Err: Display,
{
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` in a table does not parse: {e}"))
}

fn zone(name: &str) -> Tz {
    parse(name)
}

fn date(text: &str) -> NaiveDate {
    parse(text)
}

fn person(name: &str) -> PersonId {
    parse(name)
}

/// A window from `("daily 22:00", "06:00")` (weekdays and a start time) or
/// `("0 22 * * sat", "06:00")` (a 5-field cron expression) and its end time.
fn window((starts, end): (&str, &str)) -> Window {
    let fields: Vec<&str> = starts.split_whitespace().collect();
    let starts = match fields.as_slice() {
        [days, time] => Recurrence::Weekly {
            days: parse(days),
            at: parse(time),
        },
        _ => Recurrence::Cron(parse(starts)),
    };
    Window {
        starts,
        end: parse(end),
    }
}

/// How an instant reads on the zone's wall clock, for failure messages.
fn show(tz: Tz, instant: DateTime<Utc>) -> String {
    instant.with_timezone(&tz).to_rfc3339()
}

fn always(windows: Vec<Window>) -> Availability {
    Availability {
        windows,
        when: When::Always,
    }
}

// ---------------------------------------------------------------------------------
// The transitions the tables are built on
// ---------------------------------------------------------------------------------

struct Transition {
    label: &'static str,
    zone: &'static str,
    /// The first instant of the new offset.
    at: &'static str,
    before: &'static str,
    after: &'static str,
}

const TRANSITIONS: &[Transition] = &[
    Transition {
        label: "New York springs forward",
        zone: "America/New_York",
        at: "2026-03-08T07:00:00Z",
        before: "-05:00",
        after: "-04:00",
    },
    Transition {
        label: "New York falls back",
        zone: "America/New_York",
        at: "2026-11-01T06:00:00Z",
        before: "-04:00",
        after: "-05:00",
    },
    Transition {
        label: "Los Angeles springs forward",
        zone: "America/Los_Angeles",
        at: "2026-03-08T10:00:00Z",
        before: "-08:00",
        after: "-07:00",
    },
    Transition {
        label: "Los Angeles falls back",
        zone: "America/Los_Angeles",
        at: "2026-11-01T09:00:00Z",
        before: "-07:00",
        after: "-08:00",
    },
    Transition {
        label: "London springs forward",
        zone: "Europe/London",
        at: "2026-03-29T01:00:00Z",
        before: "+00:00",
        after: "+01:00",
    },
    Transition {
        label: "London falls back",
        zone: "Europe/London",
        at: "2026-10-25T01:00:00Z",
        before: "+01:00",
        after: "+00:00",
    },
    Transition {
        label: "Sydney falls back (first Sunday of April)",
        zone: "Australia/Sydney",
        at: "2026-04-04T16:00:00Z",
        before: "+11:00",
        after: "+10:00",
    },
    Transition {
        label: "Sydney springs forward (first Sunday of October)",
        zone: "Australia/Sydney",
        at: "2026-10-03T16:00:00Z",
        before: "+10:00",
        after: "+11:00",
    },
];

#[test]
fn the_2026_clock_changes_are_where_the_tables_put_them() {
    for row in TRANSITIONS {
        let tz = zone(row.zone);
        let change = at(row.at);
        let offset = |instant: DateTime<Utc>| {
            tz.offset_from_utc_datetime(&instant.naive_utc())
                .fix()
                .to_string()
        };
        assert_eq!(
            offset(change - Duration::seconds(1)),
            row.before,
            "{}: offset just before",
            row.label
        );
        assert_eq!(
            offset(change),
            row.after,
            "{}: offset from the change on",
            row.label
        );
    }
}

// ---------------------------------------------------------------------------------
// One window, one span: the shape of most tables below
// ---------------------------------------------------------------------------------

/// A window asked for its spans over `[from, to)`; exactly one span is expected.
struct SpanRow {
    label: &'static str,
    zone: &'static str,
    window: (&'static str, &'static str),
    from: &'static str,
    to: &'static str,
    start: &'static str,
    end: &'static str,
    minutes: i64,
}

fn check_single_span(row: &SpanRow) {
    let tz = zone(row.zone);
    let spans = window(row.window).intervals(tz, at(row.from), at(row.to));
    let shown: Vec<String> = spans
        .iter()
        .map(|s| format!("{} .. {}", show(tz, s.start), show(tz, s.end)))
        .collect();
    assert_eq!(
        spans.len(),
        1,
        "{}: expected exactly one span, got {shown:?}",
        row.label
    );
    let span = spans[0];
    assert_eq!(
        span.start,
        at(row.start),
        "{}: start {} (expected {})",
        row.label,
        show(tz, span.start),
        row.start
    );
    assert_eq!(
        span.end,
        at(row.end),
        "{}: end {} (expected {})",
        row.label,
        show(tz, span.end),
        row.end
    );
    assert_eq!(
        span.length(),
        Duration::minutes(row.minutes),
        "{}: real length",
        row.label
    );
}

// ---------------------------------------------------------------------------------
// A night window, 22:00-06:00, on the nights the clocks change and on ordinary ones
// ---------------------------------------------------------------------------------

const NIGHT: (&str, &str) = ("daily 22:00", "06:00");

const FALL_BACK_NIGHTS: &[SpanRow] = &[
    SpanRow {
        label: "New York, night of 2026-10-31",
        zone: "America/New_York",
        window: NIGHT,
        from: "2026-10-31T12:00:00-04:00",
        to: "2026-11-01T12:00:00-05:00",
        start: "2026-10-31T22:00:00-04:00",
        end: "2026-11-01T06:00:00-05:00",
        minutes: 9 * 60,
    },
    SpanRow {
        label: "Los Angeles, night of 2026-10-31",
        zone: "America/Los_Angeles",
        window: NIGHT,
        from: "2026-10-31T12:00:00-07:00",
        to: "2026-11-01T12:00:00-08:00",
        start: "2026-10-31T22:00:00-07:00",
        end: "2026-11-01T06:00:00-08:00",
        minutes: 9 * 60,
    },
    SpanRow {
        label: "London, night of 2026-10-24",
        zone: "Europe/London",
        window: NIGHT,
        from: "2026-10-24T12:00:00+01:00",
        to: "2026-10-25T12:00:00+00:00",
        start: "2026-10-24T22:00:00+01:00",
        end: "2026-10-25T06:00:00+00:00",
        minutes: 9 * 60,
    },
    SpanRow {
        label: "Sydney, night of 2026-04-04",
        zone: "Australia/Sydney",
        window: NIGHT,
        from: "2026-04-04T12:00:00+11:00",
        to: "2026-04-05T12:00:00+10:00",
        start: "2026-04-04T22:00:00+11:00",
        end: "2026-04-05T06:00:00+10:00",
        minutes: 9 * 60,
    },
];

const SPRING_FORWARD_NIGHTS: &[SpanRow] = &[
    SpanRow {
        label: "New York, night of 2026-03-07",
        zone: "America/New_York",
        window: NIGHT,
        from: "2026-03-07T12:00:00-05:00",
        to: "2026-03-08T12:00:00-04:00",
        start: "2026-03-07T22:00:00-05:00",
        end: "2026-03-08T06:00:00-04:00",
        minutes: 7 * 60,
    },
    SpanRow {
        label: "Los Angeles, night of 2026-03-07",
        zone: "America/Los_Angeles",
        window: NIGHT,
        from: "2026-03-07T12:00:00-08:00",
        to: "2026-03-08T12:00:00-07:00",
        start: "2026-03-07T22:00:00-08:00",
        end: "2026-03-08T06:00:00-07:00",
        minutes: 7 * 60,
    },
    SpanRow {
        label: "London, night of 2026-03-28",
        zone: "Europe/London",
        window: NIGHT,
        from: "2026-03-28T12:00:00+00:00",
        to: "2026-03-29T12:00:00+01:00",
        start: "2026-03-28T22:00:00+00:00",
        end: "2026-03-29T06:00:00+01:00",
        minutes: 7 * 60,
    },
    SpanRow {
        label: "Sydney, night of 2026-10-03",
        zone: "Australia/Sydney",
        window: NIGHT,
        from: "2026-10-03T12:00:00+10:00",
        to: "2026-10-04T12:00:00+11:00",
        start: "2026-10-03T22:00:00+10:00",
        end: "2026-10-04T06:00:00+11:00",
        minutes: 7 * 60,
    },
];

const ORDINARY_NIGHTS: &[SpanRow] = &[
    SpanRow {
        label: "New York, winter night of 2026-01-10",
        zone: "America/New_York",
        window: NIGHT,
        from: "2026-01-10T12:00:00-05:00",
        to: "2026-01-11T12:00:00-05:00",
        start: "2026-01-10T22:00:00-05:00",
        end: "2026-01-11T06:00:00-05:00",
        minutes: 8 * 60,
    },
    SpanRow {
        label: "Los Angeles, summer night of 2026-07-15",
        zone: "America/Los_Angeles",
        window: NIGHT,
        from: "2026-07-15T12:00:00-07:00",
        to: "2026-07-16T12:00:00-07:00",
        start: "2026-07-15T22:00:00-07:00",
        end: "2026-07-16T06:00:00-07:00",
        minutes: 8 * 60,
    },
    SpanRow {
        label: "London, summer night of 2026-06-20",
        zone: "Europe/London",
        window: NIGHT,
        from: "2026-06-20T12:00:00+01:00",
        to: "2026-06-21T12:00:00+01:00",
        start: "2026-06-20T22:00:00+01:00",
        end: "2026-06-21T06:00:00+01:00",
        minutes: 8 * 60,
    },
    SpanRow {
        label: "Sydney, winter night of 2026-07-04",
        zone: "Australia/Sydney",
        window: NIGHT,
        from: "2026-07-04T12:00:00+10:00",
        to: "2026-07-05T12:00:00+10:00",
        start: "2026-07-04T22:00:00+10:00",
        end: "2026-07-05T06:00:00+10:00",
        minutes: 8 * 60,
    },
    SpanRow {
        label: "New York, the night after clocks went back",
        zone: "America/New_York",
        window: NIGHT,
        from: "2026-11-01T12:00:00-05:00",
        to: "2026-11-02T12:00:00-05:00",
        start: "2026-11-01T22:00:00-05:00",
        end: "2026-11-02T06:00:00-05:00",
        minutes: 8 * 60,
    },
    SpanRow {
        label: "Sydney, the night after clocks went forward",
        zone: "Australia/Sydney",
        window: NIGHT,
        from: "2026-10-04T12:00:00+11:00",
        to: "2026-10-05T12:00:00+11:00",
        start: "2026-10-04T22:00:00+11:00",
        end: "2026-10-05T06:00:00+11:00",
        minutes: 8 * 60,
    },
];

#[test]
fn a_night_window_lasts_nine_hours_when_clocks_go_back() {
    FALL_BACK_NIGHTS.iter().for_each(check_single_span);
}

#[test]
fn a_night_window_lasts_seven_hours_when_clocks_spring_forward() {
    SPRING_FORWARD_NIGHTS.iter().for_each(check_single_span);
}

#[test]
fn a_night_window_lasts_eight_hours_on_an_ordinary_night() {
    ORDINARY_NIGHTS.iter().for_each(check_single_span);
}

fn all_nights() -> impl Iterator<Item = &'static SpanRow> {
    FALL_BACK_NIGHTS
        .iter()
        .chain(SPRING_FORWARD_NIGHTS)
        .chain(ORDINARY_NIGHTS)
}

// ---------------------------------------------------------------------------------
// The skipped hour: the first valid instant after the gap
// ---------------------------------------------------------------------------------

const STARTS_IN_SKIPPED_HOUR: &[SpanRow] = &[
    SpanRow {
        label: "New York, Sunday 02:30 on 2026-03-08",
        zone: "America/New_York",
        window: ("sun 02:30", "06:00"),
        from: "2026-03-08T00:00:00-05:00",
        to: "2026-03-08T12:00:00-04:00",
        start: "2026-03-08T03:00:00-04:00",
        end: "2026-03-08T06:00:00-04:00",
        minutes: 3 * 60,
    },
    SpanRow {
        label: "Los Angeles, Sunday 02:30 on 2026-03-08",
        zone: "America/Los_Angeles",
        window: ("sun 02:30", "06:00"),
        from: "2026-03-08T00:00:00-08:00",
        to: "2026-03-08T12:00:00-07:00",
        start: "2026-03-08T03:00:00-07:00",
        end: "2026-03-08T06:00:00-07:00",
        minutes: 3 * 60,
    },
    SpanRow {
        label: "London, Sunday 01:30 on 2026-03-29",
        zone: "Europe/London",
        window: ("sun 01:30", "06:00"),
        from: "2026-03-29T00:00:00+00:00",
        to: "2026-03-29T12:00:00+01:00",
        start: "2026-03-29T02:00:00+01:00",
        end: "2026-03-29T06:00:00+01:00",
        minutes: 4 * 60,
    },
    SpanRow {
        label: "Sydney, Sunday 02:30 on 2026-10-04",
        zone: "Australia/Sydney",
        window: ("sun 02:30", "06:00"),
        from: "2026-10-04T00:00:00+10:00",
        to: "2026-10-04T12:00:00+11:00",
        start: "2026-10-04T03:00:00+11:00",
        end: "2026-10-04T06:00:00+11:00",
        minutes: 3 * 60,
    },
    SpanRow {
        label: "New York, cron `30 2 * * sun` on 2026-03-08",
        zone: "America/New_York",
        window: ("30 2 * * sun", "06:00"),
        from: "2026-03-08T00:00:00-05:00",
        to: "2026-03-08T12:00:00-04:00",
        start: "2026-03-08T03:00:00-04:00",
        end: "2026-03-08T06:00:00-04:00",
        minutes: 3 * 60,
    },
    SpanRow {
        label: "London, cron `30 1 * * sun` on 2026-03-29",
        zone: "Europe/London",
        window: ("30 1 * * sun", "06:00"),
        from: "2026-03-29T00:00:00+00:00",
        to: "2026-03-29T12:00:00+01:00",
        start: "2026-03-29T02:00:00+01:00",
        end: "2026-03-29T06:00:00+01:00",
        minutes: 4 * 60,
    },
];

const ENDS_IN_SKIPPED_HOUR: &[SpanRow] = &[
    SpanRow {
        label: "New York, 22:00-02:30 on the night of 2026-03-07",
        zone: "America/New_York",
        window: ("daily 22:00", "02:30"),
        from: "2026-03-07T12:00:00-05:00",
        to: "2026-03-08T12:00:00-04:00",
        start: "2026-03-07T22:00:00-05:00",
        end: "2026-03-08T03:00:00-04:00",
        minutes: 4 * 60,
    },
    SpanRow {
        label: "Los Angeles, 22:00-02:30 on the night of 2026-03-07",
        zone: "America/Los_Angeles",
        window: ("daily 22:00", "02:30"),
        from: "2026-03-07T12:00:00-08:00",
        to: "2026-03-08T12:00:00-07:00",
        start: "2026-03-07T22:00:00-08:00",
        end: "2026-03-08T03:00:00-07:00",
        minutes: 4 * 60,
    },
    SpanRow {
        label: "London, 22:00-01:30 on the night of 2026-03-28",
        zone: "Europe/London",
        window: ("daily 22:00", "01:30"),
        from: "2026-03-28T12:00:00+00:00",
        to: "2026-03-29T12:00:00+01:00",
        start: "2026-03-28T22:00:00+00:00",
        end: "2026-03-29T02:00:00+01:00",
        minutes: 3 * 60,
    },
    SpanRow {
        label: "Sydney, 22:00-02:30 on the night of 2026-10-03",
        zone: "Australia/Sydney",
        window: ("daily 22:00", "02:30"),
        from: "2026-10-03T12:00:00+10:00",
        to: "2026-10-04T12:00:00+11:00",
        start: "2026-10-03T22:00:00+10:00",
        end: "2026-10-04T03:00:00+11:00",
        minutes: 4 * 60,
    },
];

#[test]
fn a_window_starting_in_the_skipped_hour_starts_when_the_gap_ends() {
    STARTS_IN_SKIPPED_HOUR.iter().for_each(check_single_span);
}

#[test]
fn a_window_ending_in_the_skipped_hour_ends_when_the_gap_ends() {
    ENDS_IN_SKIPPED_HOUR.iter().for_each(check_single_span);
}

// ---------------------------------------------------------------------------------
// The repeated hour: its first occurrence
// ---------------------------------------------------------------------------------

const ENDS_IN_REPEATED_HOUR: &[SpanRow] = &[
    SpanRow {
        label: "New York, 22:00-01:30 on the night of 2026-10-31",
        zone: "America/New_York",
        window: ("daily 22:00", "01:30"),
        from: "2026-10-31T12:00:00-04:00",
        to: "2026-11-01T12:00:00-05:00",
        start: "2026-10-31T22:00:00-04:00",
        end: "2026-11-01T01:30:00-04:00",
        minutes: 3 * 60 + 30,
    },
    SpanRow {
        label: "Los Angeles, 22:00-01:30 on the night of 2026-10-31",
        zone: "America/Los_Angeles",
        window: ("daily 22:00", "01:30"),
        from: "2026-10-31T12:00:00-07:00",
        to: "2026-11-01T12:00:00-08:00",
        start: "2026-10-31T22:00:00-07:00",
        end: "2026-11-01T01:30:00-07:00",
        minutes: 3 * 60 + 30,
    },
    SpanRow {
        label: "London, 22:00-01:30 on the night of 2026-10-24",
        zone: "Europe/London",
        window: ("daily 22:00", "01:30"),
        from: "2026-10-24T12:00:00+01:00",
        to: "2026-10-25T12:00:00+00:00",
        start: "2026-10-24T22:00:00+01:00",
        end: "2026-10-25T01:30:00+01:00",
        minutes: 3 * 60 + 30,
    },
    SpanRow {
        label: "Sydney, 22:00-02:30 on the night of 2026-04-04",
        zone: "Australia/Sydney",
        window: ("daily 22:00", "02:30"),
        from: "2026-04-04T12:00:00+11:00",
        to: "2026-04-05T12:00:00+10:00",
        start: "2026-04-04T22:00:00+11:00",
        end: "2026-04-05T02:30:00+11:00",
        minutes: 4 * 60 + 30,
    },
];

const STARTS_IN_REPEATED_HOUR: &[SpanRow] = &[
    SpanRow {
        label: "New York, Sunday 01:30-06:00 on 2026-11-01",
        zone: "America/New_York",
        window: ("sun 01:30", "06:00"),
        from: "2026-11-01T00:00:00-04:00",
        to: "2026-11-01T12:00:00-05:00",
        start: "2026-11-01T01:30:00-04:00",
        end: "2026-11-01T06:00:00-05:00",
        minutes: 5 * 60 + 30,
    },
    SpanRow {
        label: "Los Angeles, Sunday 01:30-06:00 on 2026-11-01",
        zone: "America/Los_Angeles",
        window: ("sun 01:30", "06:00"),
        from: "2026-11-01T00:00:00-07:00",
        to: "2026-11-01T12:00:00-08:00",
        start: "2026-11-01T01:30:00-07:00",
        end: "2026-11-01T06:00:00-08:00",
        minutes: 5 * 60 + 30,
    },
    SpanRow {
        label: "London, Sunday 01:30-06:00 on 2026-10-25",
        zone: "Europe/London",
        window: ("sun 01:30", "06:00"),
        from: "2026-10-25T00:00:00+01:00",
        to: "2026-10-25T12:00:00+00:00",
        start: "2026-10-25T01:30:00+01:00",
        end: "2026-10-25T06:00:00+00:00",
        minutes: 5 * 60 + 30,
    },
    SpanRow {
        label: "Sydney, Sunday 02:30-06:00 on 2026-04-05",
        zone: "Australia/Sydney",
        window: ("sun 02:30", "06:00"),
        from: "2026-04-05T00:00:00+11:00",
        to: "2026-04-05T12:00:00+10:00",
        start: "2026-04-05T02:30:00+11:00",
        end: "2026-04-05T06:00:00+10:00",
        minutes: 4 * 60 + 30,
    },
    SpanRow {
        label: "New York, cron `30 1 * * sun` until 03:00 on 2026-11-01",
        zone: "America/New_York",
        window: ("30 1 * * sun", "03:00"),
        from: "2026-11-01T00:00:00-04:00",
        to: "2026-11-01T12:00:00-05:00",
        start: "2026-11-01T01:30:00-04:00",
        end: "2026-11-01T03:00:00-05:00",
        minutes: 2 * 60 + 30,
    },
];

#[test]
fn a_window_ending_in_the_repeated_hour_ends_at_its_first_occurrence() {
    ENDS_IN_REPEATED_HOUR.iter().for_each(check_single_span);
}

#[test]
fn a_window_starting_in_the_repeated_hour_starts_at_its_first_occurrence() {
    STARTS_IN_REPEATED_HOUR.iter().for_each(check_single_span);
}

// ---------------------------------------------------------------------------------
// Point questions next to the changed hours
// ---------------------------------------------------------------------------------

struct Membership {
    label: &'static str,
    zone: &'static str,
    window: (&'static str, &'static str),
    at: &'static str,
    inside: bool,
}

const MEMBERSHIP: &[Membership] = &[
    Membership {
        label: "New York 22:00-01:30: the first 01:29 is inside",
        zone: "America/New_York",
        window: ("daily 22:00", "01:30"),
        at: "2026-11-01T01:29:00-04:00",
        inside: true,
    },
    Membership {
        label: "New York 22:00-01:30: the first 01:30 is the end",
        zone: "America/New_York",
        window: ("daily 22:00", "01:30"),
        at: "2026-11-01T01:30:00-04:00",
        inside: false,
    },
    Membership {
        label: "New York 22:00-01:30: the second 01:15 is outside",
        zone: "America/New_York",
        window: ("daily 22:00", "01:30"),
        at: "2026-11-01T01:15:00-05:00",
        inside: false,
    },
    Membership {
        label: "London 22:00-01:30: the second 01:00 is outside",
        zone: "Europe/London",
        window: ("daily 22:00", "01:30"),
        at: "2026-10-25T01:00:00+00:00",
        inside: false,
    },
    Membership {
        label: "Sydney 22:00-02:30: the second 02:00 is outside",
        zone: "Australia/Sydney",
        window: ("daily 22:00", "02:30"),
        at: "2026-04-05T02:00:00+10:00",
        inside: false,
    },
    Membership {
        label: "New York Sunday 02:30: the last minute before the gap is outside",
        zone: "America/New_York",
        window: ("sun 02:30", "06:00"),
        at: "2026-03-08T01:59:00-05:00",
        inside: false,
    },
    Membership {
        label: "New York Sunday 02:30: 03:00 EDT is inside",
        zone: "America/New_York",
        window: ("sun 02:30", "06:00"),
        at: "2026-03-08T03:00:00-04:00",
        inside: true,
    },
    Membership {
        label: "Los Angeles Sunday 02:30: 03:00 PDT is inside",
        zone: "America/Los_Angeles",
        window: ("sun 02:30", "06:00"),
        at: "2026-03-08T03:00:00-07:00",
        inside: true,
    },
    Membership {
        label: "London Sunday 01:30: 00:59 GMT is outside",
        zone: "Europe/London",
        window: ("sun 01:30", "06:00"),
        at: "2026-03-29T00:59:00+00:00",
        inside: false,
    },
    Membership {
        label: "London Sunday 01:30: 02:00 BST is inside",
        zone: "Europe/London",
        window: ("sun 01:30", "06:00"),
        at: "2026-03-29T02:00:00+01:00",
        inside: true,
    },
    Membership {
        label: "Sydney Sunday 02:30: 01:59 AEST is outside",
        zone: "Australia/Sydney",
        window: ("sun 02:30", "06:00"),
        at: "2026-10-04T01:59:00+10:00",
        inside: false,
    },
    Membership {
        label: "Sydney Sunday 02:30: 03:00 AEDT is inside",
        zone: "Australia/Sydney",
        window: ("sun 02:30", "06:00"),
        at: "2026-10-04T03:00:00+11:00",
        inside: true,
    },
];

#[test]
fn a_window_contains_the_first_pass_through_a_repeated_hour_and_not_the_gap() {
    for row in MEMBERSHIP {
        let tz = zone(row.zone);
        assert_eq!(
            window(row.window).contains(tz, at(row.at)),
            row.inside,
            "{}",
            row.label
        );
    }
}

struct Resolution {
    label: &'static str,
    zone: &'static str,
    local: &'static str,
    instant: &'static str,
}

const RESOLUTIONS: &[Resolution] = &[
    Resolution {
        label: "New York 02:30 in the gap",
        zone: "America/New_York",
        local: "2026-03-08T02:30:00",
        instant: "2026-03-08T07:00:00Z",
    },
    Resolution {
        label: "New York 01:30 twice",
        zone: "America/New_York",
        local: "2026-11-01T01:30:00",
        instant: "2026-11-01T05:30:00Z",
    },
    Resolution {
        label: "Los Angeles 02:30 in the gap",
        zone: "America/Los_Angeles",
        local: "2026-03-08T02:30:00",
        instant: "2026-03-08T10:00:00Z",
    },
    Resolution {
        label: "Los Angeles 01:30 twice",
        zone: "America/Los_Angeles",
        local: "2026-11-01T01:30:00",
        instant: "2026-11-01T08:30:00Z",
    },
    Resolution {
        label: "London 01:30 in the gap",
        zone: "Europe/London",
        local: "2026-03-29T01:30:00",
        instant: "2026-03-29T01:00:00Z",
    },
    Resolution {
        label: "London 01:30 twice",
        zone: "Europe/London",
        local: "2026-10-25T01:30:00",
        instant: "2026-10-25T00:30:00Z",
    },
    Resolution {
        label: "Sydney 02:30 in the gap",
        zone: "Australia/Sydney",
        local: "2026-10-04T02:30:00",
        instant: "2026-10-03T16:00:00Z",
    },
    Resolution {
        label: "Sydney 02:30 twice",
        zone: "Australia/Sydney",
        local: "2026-04-05T02:30:00",
        instant: "2026-04-04T15:30:00Z",
    },
    Resolution {
        label: "Sydney 02:59:30 at the very end of the gap",
        zone: "Australia/Sydney",
        local: "2026-10-04T02:59:30",
        instant: "2026-10-03T16:00:00Z",
    },
];

#[test]
fn a_local_time_resolves_to_the_end_of_a_gap_or_the_first_of_a_repeat() {
    for row in RESOLUTIONS {
        let tz = zone(row.zone);
        let local: NaiveDateTime = parse(row.local);
        let resolved = resolve_local(tz, local);
        assert_eq!(
            resolved,
            at(row.instant),
            "{}: got {}",
            row.label,
            show(tz, resolved)
        );
    }
}

// ---------------------------------------------------------------------------------
// Schedules over a clock change: one stretch, the right length
// ---------------------------------------------------------------------------------

fn night_watch_site(tz: Tz, shift_window: Window) -> SiteSchedule {
    let mut site = SiteSchedule::new(parse::<SiteId>("night-desk"), tz);
    site.shifts.push(Shift {
        person: person("nadia"),
        role: Role::Coordinator,
        availability: always(vec![shift_window]),
    });
    site
}

#[test]
fn duty_intervals_report_a_night_shift_across_a_clock_change_as_one_stretch() {
    for row in all_nights() {
        let tz = zone(row.zone);
        let site = night_watch_site(tz, window(row.window));
        let duties = site.duty_intervals(at(row.from), at(row.to));
        let expected = vec![DutyInterval {
            person: person("nadia"),
            role: Role::Coordinator,
            span: Interval::new(at(row.start), at(row.end)).unwrap(),
        }];
        assert_eq!(duties, expected, "{}", row.label);
        assert_eq!(
            duties[0].span.length(),
            Duration::minutes(row.minutes),
            "{}: length",
            row.label
        );
    }
}

#[test]
fn coverage_reports_a_night_shift_across_a_clock_change_as_one_segment() {
    for row in all_nights() {
        let tz = zone(row.zone);
        let site = night_watch_site(tz, window(row.window));
        let segments = site.coverage(at(row.from), at(row.to));
        let spans: Vec<(String, String, usize)> = segments
            .iter()
            .map(|s| {
                (
                    show(tz, s.span.start),
                    show(tz, s.span.end),
                    s.on_duty.len(),
                )
            })
            .collect();
        assert_eq!(segments.len(), 3, "{}: segments {spans:?}", row.label);
        let (before, night, after) = (&segments[0], &segments[1], &segments[2]);
        assert!(
            before.on_duty.is_empty() && after.on_duty.is_empty(),
            "{}: {spans:?}",
            row.label
        );
        assert_eq!(
            night.on_duty,
            vec![(person("nadia"), Role::Coordinator)],
            "{}",
            row.label
        );
        assert_eq!(
            night.span.start,
            at(row.start),
            "{}: night segment start",
            row.label
        );
        assert_eq!(
            night.span.end,
            at(row.end),
            "{}: night segment end",
            row.label
        );
        assert_eq!(
            night.span.length(),
            Duration::minutes(row.minutes),
            "{}: length",
            row.label
        );
        assert!(
            !night.open,
            "{}: a site with no hours is never open",
            row.label
        );
    }
}

#[test]
fn a_cron_night_window_over_a_clock_change_is_one_duty_stretch() {
    // Every change night is a Saturday night, so the same rows hold with the window
    // written as cron: `0 22 * * sat` until 06:00.
    for night in FALL_BACK_NIGHTS.iter().chain(SPRING_FORWARD_NIGHTS) {
        let label = night.label;
        let tz = zone(night.zone);
        let site = night_watch_site(tz, window(("0 22 * * sat", "06:00")));
        let duties = site.duty_intervals(at(night.from), at(night.to));
        assert_eq!(duties.len(), 1, "{label}: {duties:?}");
        assert_eq!(duties[0].span.start, at(night.start), "{label}: start");
        assert_eq!(duties[0].span.end, at(night.end), "{label}: end");
        assert_eq!(
            duties[0].span.length(),
            Duration::minutes(night.minutes),
            "{label}: length"
        );
    }
}

// ---------------------------------------------------------------------------------
// A closure on a change day governs the whole local day, 23 or 25 hours
// ---------------------------------------------------------------------------------

struct ChangeDay {
    label: &'static str,
    zone: &'static str,
    date: &'static str,
    start: &'static str,
    end: &'static str,
    hours: i64,
}

const CHANGE_DAYS: &[ChangeDay] = &[
    ChangeDay {
        label: "New York spring-forward Sunday",
        zone: "America/New_York",
        date: "2026-03-08",
        start: "2026-03-08T00:00:00-05:00",
        end: "2026-03-09T00:00:00-04:00",
        hours: 23,
    },
    ChangeDay {
        label: "New York fall-back Sunday",
        zone: "America/New_York",
        date: "2026-11-01",
        start: "2026-11-01T00:00:00-04:00",
        end: "2026-11-02T00:00:00-05:00",
        hours: 25,
    },
    ChangeDay {
        label: "Los Angeles spring-forward Sunday",
        zone: "America/Los_Angeles",
        date: "2026-03-08",
        start: "2026-03-08T00:00:00-08:00",
        end: "2026-03-09T00:00:00-07:00",
        hours: 23,
    },
    ChangeDay {
        label: "Los Angeles fall-back Sunday",
        zone: "America/Los_Angeles",
        date: "2026-11-01",
        start: "2026-11-01T00:00:00-07:00",
        end: "2026-11-02T00:00:00-08:00",
        hours: 25,
    },
    ChangeDay {
        label: "London spring-forward Sunday",
        zone: "Europe/London",
        date: "2026-03-29",
        start: "2026-03-29T00:00:00+00:00",
        end: "2026-03-30T00:00:00+01:00",
        hours: 23,
    },
    ChangeDay {
        label: "London fall-back Sunday",
        zone: "Europe/London",
        date: "2026-10-25",
        start: "2026-10-25T00:00:00+01:00",
        end: "2026-10-26T00:00:00+00:00",
        hours: 25,
    },
    ChangeDay {
        label: "Sydney fall-back Sunday (April)",
        zone: "Australia/Sydney",
        date: "2026-04-05",
        start: "2026-04-05T00:00:00+11:00",
        end: "2026-04-06T00:00:00+10:00",
        hours: 25,
    },
    ChangeDay {
        label: "Sydney spring-forward Sunday (October)",
        zone: "Australia/Sydney",
        date: "2026-10-04",
        start: "2026-10-04T00:00:00+10:00",
        end: "2026-10-05T00:00:00+11:00",
        hours: 23,
    },
];

#[test]
fn a_closure_on_a_clock_change_day_governs_all_of_its_hours() {
    for row in CHANGE_DAYS {
        let tz = zone(row.zone);
        let day = date(row.date);
        let span = Closure::day_span(tz, day).unwrap();
        assert_eq!(span.start, at(row.start), "{}: day starts", row.label);
        assert_eq!(span.end, at(row.end), "{}: day ends", row.label);
        assert_eq!(
            span.length(),
            Duration::hours(row.hours),
            "{}: day length",
            row.label
        );

        // A site open around the clock, closed that day: open right up to the
        // day's first instant and again from its last.
        let mut site = SiteSchedule::new(parse::<SiteId>("around-the-clock"), tz);
        site.hours.push(window(("daily 00:00", "24:00")));
        site.closures.push(Closure {
            name: "closed".to_owned(),
            dates: ClosureDates::On(day),
            reduced_hours: Vec::new(),
        });
        let from = at(row.start) - Duration::hours(12);
        let to = at(row.end) + Duration::hours(12);
        let open = site.open_intervals(from, to);
        let expected = vec![
            Interval::new(from, at(row.start)).unwrap(),
            Interval::new(at(row.end), to).unwrap(),
        ];
        assert_eq!(
            open, expected,
            "{}: open intervals around the closure",
            row.label
        );
        assert!(
            !site.is_open(at(row.start)),
            "{}: closed at its first instant",
            row.label
        );
        assert!(
            !site.is_open(at(row.end) - Duration::seconds(1)),
            "{}: closed at its last second",
            row.label
        );
        let next = site.next_opening(at(row.start)).unwrap();
        assert_eq!(
            next.to_rfc3339(),
            row.end,
            "{}: reopens at the next midnight",
            row.label
        );
    }
}

// ---------------------------------------------------------------------------------
// A weekly rotation handing over on Monday at 08:00
// ---------------------------------------------------------------------------------

struct Turn {
    label: &'static str,
    zone: &'static str,
    start: &'static str,
    end: &'static str,
    on_turn: &'static str,
    hours: i64,
}

/// Turns counted from Monday 2026-01-05 08:00 local, sam first, weekly.
const TURNS: &[Turn] = &[
    Turn {
        label: "New York, week clocks spring forward",
        zone: "America/New_York",
        start: "2026-03-02T08:00:00-05:00",
        end: "2026-03-09T08:00:00-04:00",
        on_turn: "sam",
        hours: 167,
    },
    Turn {
        label: "New York, week clocks go back",
        zone: "America/New_York",
        start: "2026-10-26T08:00:00-04:00",
        end: "2026-11-02T08:00:00-05:00",
        on_turn: "sam",
        hours: 169,
    },
    Turn {
        label: "New York, an ordinary week",
        zone: "America/New_York",
        start: "2026-11-02T08:00:00-05:00",
        end: "2026-11-09T08:00:00-05:00",
        on_turn: "alex",
        hours: 168,
    },
    Turn {
        label: "Los Angeles, week clocks spring forward",
        zone: "America/Los_Angeles",
        start: "2026-03-02T08:00:00-08:00",
        end: "2026-03-09T08:00:00-07:00",
        on_turn: "sam",
        hours: 167,
    },
    Turn {
        label: "Los Angeles, week clocks go back",
        zone: "America/Los_Angeles",
        start: "2026-10-26T08:00:00-07:00",
        end: "2026-11-02T08:00:00-08:00",
        on_turn: "sam",
        hours: 169,
    },
    Turn {
        label: "London, week clocks spring forward",
        zone: "Europe/London",
        start: "2026-03-23T08:00:00+00:00",
        end: "2026-03-30T08:00:00+01:00",
        on_turn: "alex",
        hours: 167,
    },
    Turn {
        label: "London, week clocks go back",
        zone: "Europe/London",
        start: "2026-10-19T08:00:00+01:00",
        end: "2026-10-26T08:00:00+00:00",
        on_turn: "alex",
        hours: 169,
    },
    Turn {
        label: "Sydney, week clocks go back (April)",
        zone: "Australia/Sydney",
        start: "2026-03-30T08:00:00+11:00",
        end: "2026-04-06T08:00:00+10:00",
        on_turn: "sam",
        hours: 169,
    },
    Turn {
        label: "Sydney, week clocks spring forward (October)",
        zone: "Australia/Sydney",
        start: "2026-09-28T08:00:00+10:00",
        end: "2026-10-05T08:00:00+11:00",
        on_turn: "sam",
        hours: 167,
    },
];

fn weekly_rotation() -> Rotation {
    Rotation {
        name: "on-call".to_owned(),
        role: Role::Coordinator,
        members: vec![person("sam"), person("alex")],
        anchor: parse("2026-01-05T08:00:00"),
        turn_days: 7,
        availability: always(Vec::new()),
    }
}

#[test]
fn a_weekly_rotation_hands_over_at_eight_on_monday_across_a_clock_change() {
    let rotation = weekly_rotation();
    for row in TURNS {
        let tz = zone(row.zone);
        let (start, end) = (at(row.start), at(row.end));
        let hour = Duration::hours(1);
        let second = Duration::seconds(1);

        assert_eq!(
            rotation.handovers(tz, start - hour, end + hour),
            vec![start, end],
            "{}: handovers",
            row.label
        );
        let k = rotation.turn_at(tz, start).unwrap();
        assert_eq!(
            rotation.turn_start(tz, k),
            Some(start),
            "{}: turn start",
            row.label
        );
        assert_eq!(
            rotation.turn_start(tz, k + 1),
            Some(end),
            "{}: next turn start",
            row.label
        );
        assert_eq!(
            rotation.turn_at(tz, end - second),
            Some(k),
            "{}: last second of the turn",
            row.label
        );
        assert_eq!(
            rotation.turn_at(tz, end),
            Some(k + 1),
            "{}: first second of the next",
            row.label
        );

        let on_turn = person(row.on_turn);
        assert_eq!(
            rotation.member_at(tz, start),
            Some(&on_turn),
            "{}: on turn at its start",
            row.label
        );
        assert_eq!(
            rotation.member_at(tz, end - second),
            Some(&on_turn),
            "{}: on turn at its end",
            row.label
        );
        assert_ne!(
            rotation.member_at(tz, end),
            Some(&on_turn),
            "{}: handed over",
            row.label
        );
        assert_ne!(
            rotation.member_at(tz, start - second),
            Some(&on_turn),
            "{}: took over",
            row.label
        );

        for edge in [start, end] {
            let local = to_local(tz, edge).format("%a %H:%M").to_string();
            assert_eq!(
                local,
                "Mon 08:00",
                "{}: handover at {}",
                row.label,
                show(tz, edge)
            );
        }
        assert_eq!(
            end - start,
            Duration::hours(row.hours),
            "{}: turn length",
            row.label
        );
    }
}

#[test]
fn a_rotation_turn_across_a_clock_change_is_one_duty_stretch_of_167_or_169_hours() {
    for row in TURNS {
        let tz = zone(row.zone);
        let mut site = SiteSchedule::new(parse::<SiteId>("on-call-only"), tz);
        site.rotations.push(weekly_rotation());
        let (start, end) = (at(row.start), at(row.end));
        let from = start - Duration::hours(1);
        let to = end + Duration::hours(1);
        let duties = site.duty_intervals(from, to);
        assert_eq!(duties.len(), 3, "{}: {duties:?}", row.label);
        let turn = &duties[1];
        assert_eq!(turn.person, person(row.on_turn), "{}: who", row.label);
        assert_eq!(
            turn.span,
            Interval::new(start, end).unwrap(),
            "{}: span",
            row.label
        );
        assert_eq!(
            turn.span.length(),
            Duration::hours(row.hours),
            "{}: length",
            row.label
        );
        assert_eq!(
            duties[0].span,
            Interval::new(from, start).unwrap(),
            "{}: previous turn",
            row.label
        );
        assert_eq!(
            duties[2].span,
            Interval::new(end, to).unwrap(),
            "{}: next turn",
            row.label
        );
        assert_ne!(
            duties[0].person, turn.person,
            "{}: previous turn is the other person",
            row.label
        );
    }
}
