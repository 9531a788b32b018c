//! The weekly trend: its axes and lines, every week a point (quiet ones at zero),
//! round ticks, ranges cut short or empty, week labels, escaping, the line limit.

use chrono::NaiveDate;

use super::{
    MAX_LABELS, MAX_SERIES, MAX_WEEKS, PLOT_HEIGHT, Series, TOP, week_labels, weekly_trend,
};
use crate::web::charts::{NO_REQUESTS, coord};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn series(name: &str, counts: &[(&str, u64)]) -> Series {
    Series {
        name: name.to_owned(),
        counts: counts.iter().map(|(d, n)| (date(d), *n)).collect(),
    }
}

/// Four weeks from Monday 2026-01-05; nothing at all in the middle two.
fn january() -> String {
    weekly_trend(
        "Requests and hand-offs by week",
        "Hand-offs per week (count)",
        date("2026-01-07"),
        date("2026-02-01"),
        &[
            series(
                "Requests",
                &[("2026-01-06", 3), ("2026-01-11", 2), ("2026-01-26", 4)],
            ),
            series(
                "Completed hand-offs",
                &[("2026-01-05", 1), ("2026-01-30", 2)],
            ),
        ],
    )
    .into_string()
}

#[test]
fn the_trend_labels_both_axes_with_units_and_names_each_line() {
    let html = january();
    assert!(html.contains("<figcaption>Requests and hand-offs by week</figcaption>"));
    assert!(html.contains("<title>Requests and hand-offs by week</title>"));
    assert!(html.contains(">Hand-offs per week (count)</text>"));
    assert!(html.contains(">Week starting Monday (date)</text>"));
    assert!(html.contains(">Requests</text>"));
    assert!(html.contains(">Completed hand-offs</text>"));
    assert!(html.contains("viewBox=\"0 0 400 280\" width=\"100%\""));
    assert_eq!(html.matches("<polyline").count(), 2);
    assert!(html.contains("stroke-dasharray=\"6 3\""));
}

#[test]
fn every_week_of_the_range_is_a_point_and_quiet_weeks_are_drawn_at_zero() {
    let html = january();
    for expected in [
        "Requests, week of 2026-01-05: 5",
        "Requests, week of 2026-01-12: 0",
        "Requests, week of 2026-01-19: 0",
        "Requests, week of 2026-01-26: 4",
        "Completed hand-offs, week of 2026-01-05: 1",
        "Completed hand-offs, week of 2026-01-12: 0",
        "Completed hand-offs, week of 2026-01-19: 0",
        "Completed hand-offs, week of 2026-01-26: 2",
    ] {
        assert!(
            html.contains(&format!("<title>{expected}</title>")),
            "{expected}"
        );
    }
    assert_eq!(html.matches("<circle").count(), 8);
    // A zero sits on the axis line: the bottom of the plot.
    let base = coord(TOP + PLOT_HEIGHT);
    assert_eq!(html.matches(&format!("cy=\"{base}\" r=\"2.5\"")).count(), 4);
    for label in ["5 Jan 2026", "12 Jan", "19 Jan", "26 Jan"] {
        assert!(html.contains(&format!(">{label}</text>")), "{label}");
    }
    assert!(html.contains(
        "<desc>4 weeks from the week of 2026-01-05 to the week of 2026-01-26. \
         Requests: 9 in all, at most 5 (week of 2026-01-05). \
         Completed hand-offs: 3 in all, at most 2 (week of 2026-01-26).</desc>"
    ));
}

#[test]
fn the_count_axis_has_ticks_at_round_numbers_from_zero() {
    let html = weekly_trend(
        "Requests",
        "Requests per week (count)",
        date("2026-01-05"),
        date("2026-01-11"),
        &[series("Requests", &[("2026-01-05", 23)])],
    )
    .into_string();
    let labels: Vec<&str> = html
        .split("text-anchor=\"end\">")
        .skip(1)
        .filter_map(|t| t.split('<').next())
        .collect();
    assert_eq!(labels, ["0", "5", "10", "15", "20", "25"]);
}

#[test]
fn counts_outside_the_range_are_left_out() {
    let html = weekly_trend(
        "Requests",
        "Requests per week (count)",
        date("2026-01-05"),
        date("2026-01-18"),
        &[series(
            "Requests",
            &[("2026-01-04", 50), ("2026-01-05", 1), ("2026-01-19", 50)],
        )],
    )
    .into_string();
    assert!(html.contains("<title>Requests, week of 2026-01-05: 1</title>"));
    assert!(html.contains("<title>Requests, week of 2026-01-12: 0</title>"));
    assert_eq!(html.matches("<circle").count(), 2);
}

#[test]
fn a_range_with_no_requests_says_so_instead_of_drawing_axes() {
    let nothing = [series("Requests", &[("2026-01-06", 0)])];
    for (first, last, given) in [
        ("2026-01-05", "2026-03-01", &nothing[..]),
        ("2026-01-05", "2026-03-01", &[][..]),
        ("2026-03-01", "2026-01-05", &nothing[..]),
    ] {
        let html = weekly_trend(
            "Requests",
            "Requests (count)",
            date(first),
            date(last),
            given,
        )
        .into_string();
        assert!(html.contains(NO_REQUESTS), "{first} {last}");
        assert!(!html.contains("<svg"));
    }
}

#[test]
fn a_long_range_shows_its_last_weeks_and_says_so() {
    let html = weekly_trend(
        "Requests",
        "Requests per week (count)",
        date("2020-01-06"),
        date("2026-01-05"),
        &[series("Requests", &[("2026-01-05", 7), ("2020-01-06", 9)])],
    )
    .into_string();
    assert_eq!(html.matches("<circle").count(), MAX_WEEKS);
    assert!(html.contains("Only the last 260 weeks are shown."));
    assert!(html.contains("<title>Requests, week of 2026-01-05: 7</title>"));
    assert!(!html.contains("2020-01-06"));
    assert!(html.matches("font-size=\"10\"").count() <= MAX_LABELS);
}

#[test]
fn week_labels_carry_the_year_on_the_first_and_where_it_turns() {
    let weeks: Vec<NaiveDate> = ["2025-12-22", "2025-12-29", "2026-01-05"]
        .into_iter()
        .map(date)
        .collect();
    assert_eq!(
        week_labels(&weeks),
        [
            Some("22 Dec 2025".to_owned()),
            Some("29 Dec".to_owned()),
            Some("5 Jan 2026".to_owned())
        ]
    );
}

#[test]
fn series_names_and_labels_are_escaped() {
    let html = weekly_trend(
        "<script>x</script>",
        "<b>count</b>",
        date("2026-01-05"),
        date("2026-01-05"),
        &[series("<script>y</script>", &[("2026-01-05", 1)])],
    )
    .into_string();
    assert!(!html.contains("<script>") && !html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;y&lt;/script&gt;, week of 2026-01-05: 1"));
    assert!(html.contains("&lt;b&gt;count&lt;/b&gt;"));
}

#[test]
fn at_most_four_lines_are_drawn_and_the_description_names_the_rest() {
    let many: Vec<Series> = ["A", "B", "C", "D", "E"]
        .into_iter()
        .map(|name| series(name, &[("2026-01-05", 1)]))
        .collect();
    let html = weekly_trend(
        "Requests",
        "Requests per week (count)",
        date("2026-01-05"),
        date("2026-01-05"),
        &many,
    )
    .into_string();
    assert_eq!(html.matches("<polyline").count(), MAX_SERIES);
    for dash in ["none", "6 3", "2 2", "8 3 2 3"] {
        assert_eq!(
            html.matches(&format!("stroke-dasharray=\"{dash}\""))
                .count(),
            2,
            "{dash}"
        );
    }
    assert!(html.contains(" E is not drawn: at most 4 lines.</desc>"));
    assert!(!html.contains(">E</text>"));
}
