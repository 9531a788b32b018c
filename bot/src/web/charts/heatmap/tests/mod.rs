//! The week heatmap: its axes, each cell's count and shade, the legend's ranges, the
//! split view, escaping, and an empty range.

use proptest::prelude::proptest;

use super::{Layers, TOTAL, heatmap, legend, legend_steps, level};
use crate::web::charts::NO_REQUESTS;
use crate::web::demand::week::{Counts, HourOfWeek, WeekGrid};

fn counts(covered: u64, unanswered: u64, out_of_hours: u64) -> Counts {
    Counts {
        covered,
        unanswered,
        out_of_hours,
    }
}

fn hour(index: u32) -> HourOfWeek {
    HourOfWeek::new(index).unwrap()
}

/// Monday 08:00: 3 answered; Friday 22:00: 1 answered, 2 unanswered, 5 closed;
/// Sunday 23:00: 1 closed.
fn sample() -> WeekGrid {
    let mut grid = WeekGrid::default();
    grid.add(hour(8), counts(3, 0, 0));
    grid.add(hour(4 * 24 + 22), counts(1, 2, 5));
    grid.add(hour(167), counts(0, 0, 1));
    grid
}

fn occurrences(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[test]
fn the_heatmap_labels_both_axes_with_units_and_every_hour_and_day() {
    let html = heatmap("Requests by hour, all sites", &sample(), Layers::Total).into_string();
    assert!(html.contains("<figcaption>Requests by hour, all sites</figcaption>"));
    assert!(html.contains("aria-label=\"Requests by hour, all sites\""));
    assert!(html.contains("<title>Requests by hour, all sites</title>"));
    assert!(html.contains(">Hour of day (local time, 00-23)</text>"));
    assert!(html.contains(">Day of week (Mon-Sun)</text>"));
    assert!(html.contains(">Shade: requests per hour (count)</text>"));
    for day in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] {
        assert!(html.contains(&format!(">{day}</text>")), "{day}");
    }
    for h in 0..24 {
        assert!(html.contains(&format!(">{h:02}</text>")), "{h:02}");
    }
    assert!(html.contains("viewBox=\"0 0 440 208\" width=\"100%\" role=\"img\""));
}

#[test]
fn every_cell_carries_its_own_count_and_how_its_requests_ended() {
    let grid = sample();
    let html = heatmap("Requests", &grid, Layers::Total).into_string();
    assert_eq!(occurrences(&html, "<rect class=\"cell\""), 168);
    for (h, c) in grid.iter() {
        let attributes = format!("data-hour=\"{}\" data-count=\"{}\"", h.index(), c.total());
        assert!(html.contains(&attributes), "{attributes}");
    }
    assert!(html.contains(
        "<title>Fri 22:00-23:00: 8 requests (1 answered, 2 not answered while open, \
         5 not answered while closed)</title>"
    ));
    assert!(html.contains(
        "<title>Sun 23:00-24:00: 1 request (0 answered, 0 not answered while open, \
         1 not answered while closed)</title>"
    ));
    assert!(html.contains("<title>Tue 03:00-04:00: 0 requests</title>"));
    assert!(html.contains(
        "<desc>Hours of the week, Monday to Sunday, local time: 12 requests in all. \
         8 of them not answered. The most in one hour: 8 in Fri 22:00-23:00.</desc>"
    ));
}

#[test]
fn the_busiest_cell_is_darkest_and_an_empty_cell_is_the_lightest_shade() {
    let html = heatmap("Requests", &sample(), Layers::Total).into_string();
    let cell = |index: usize| {
        let at = html.find(&format!("data-hour=\"{index}\" ")).unwrap();
        let start = html[..at].rfind("fill=\"").unwrap() + 6;
        html[start..start + 7].to_owned()
    };
    assert_eq!(cell(4 * 24 + 22), TOTAL.palette[4]);
    assert_eq!(cell(8), TOTAL.palette[2]);
    assert_eq!(cell(167), TOTAL.palette[1]);
    assert_eq!(cell(0), TOTAL.palette[0]);
}

#[test]
fn the_legend_gives_each_shade_its_exact_range_of_counts() {
    let html = legend(&TOTAL, 8).into_string();
    let ranges: Vec<&str> = html
        .split("</text>")
        .filter_map(|t| t.rsplit('>').next())
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(
        ranges,
        [
            "Shade: requests per hour (count)",
            "0",
            "1-2",
            "3-4",
            "5-6",
            "7-8"
        ]
    );
    assert_eq!(legend_steps(2), vec![(0, 0, 0), (2, 1, 1), (4, 2, 2)]);
    assert_eq!(legend_steps(0), vec![(0, 0, 0)]);
}

proptest! {
    #[test]
    fn a_cells_shade_is_the_legend_step_that_holds_its_count(max in 1u64..500, share in 0u64..=1000) {
        let value = max * share / 1000;
        let steps = legend_steps(max);
        let holding: Vec<usize> = steps
            .iter()
            .filter(|(_, low, high)| *low <= value && value <= *high)
            .map(|(step, _, _)| *step)
            .collect();
        proptest::prop_assert_eq!(holding, vec![level(value, max)]);
    }
}

#[test]
fn the_split_view_draws_answered_and_both_kinds_of_not_answered_apart() {
    let html = heatmap("Downtown", &sample(), Layers::Split).into_string();
    assert_eq!(occurrences(&html, "<svg "), 3);
    assert_eq!(occurrences(&html, "<rect class=\"cell\""), 3 * 168);
    for name in [
        "Answered",
        "Not answered, site open",
        "Not answered, site closed",
    ] {
        assert!(
            html.contains(&format!("aria-label=\"Downtown: {name}\"")),
            "{name}"
        );
        assert!(html.contains(&format!(">{name}</text>")), "{name}");
    }
    assert!(html.contains("<title>Fri 22:00-23:00: 2 requests not answered while open</title>"));
    assert!(html.contains("<title>Fri 22:00-23:00: 5 requests not answered while closed</title>"));
    assert!(html.contains("<title>Mon 08:00-09:00: 3 requests answered</title>"));
    assert_eq!(
        occurrences(&html, ">Shade: requests per hour (count)</text>"),
        3
    );
}

#[test]
fn a_split_panel_with_nothing_to_show_says_so_in_its_legend() {
    let mut grid = WeekGrid::default();
    grid.add(hour(8), counts(3, 0, 0));
    let html = heatmap("Downtown", &grid, Layers::Split).into_string();
    assert!(html.contains(">Shade: requests per hour (count), none in this range</text>"));
    assert!(html.contains("<desc>Hours of the week, Monday to Sunday, local time: 0 requests not answered while open in all.</desc>"));
}

#[test]
fn a_site_name_is_escaped_wherever_it_appears() {
    let title = "<script>alert('x')</script> & co";
    for layers in [Layers::Total, Layers::Split] {
        let html = heatmap(title, &sample(), layers).into_string();
        assert!(!html.contains("<script>"), "{layers:?}");
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; co"));
    }
    let empty = heatmap(title, &WeekGrid::default(), Layers::Total).into_string();
    assert!(!empty.contains("<script>"));
}

#[test]
fn an_empty_range_says_there_were_no_requests_instead_of_drawing_a_grid() {
    for layers in [Layers::Total, Layers::Split] {
        let html = heatmap("Requests", &WeekGrid::default(), layers).into_string();
        assert!(html.contains(NO_REQUESTS));
        assert!(!html.contains("<svg"));
    }
}
