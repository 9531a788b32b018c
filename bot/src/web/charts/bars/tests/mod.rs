//! The bar chart: each row's label, count and note, the axis and its ticks, escaping,
//! nothing to show, and long lists cut short.

use super::{Bar, MAX_BARS, PLOT_WIDTH, bar_list};
use crate::web::charts::{NO_REQUESTS, coord};

fn bar(label: &str, value: u64, note: &str) -> Bar {
    Bar {
        label: label.to_owned(),
        value,
        note: note.to_owned(),
    }
}

fn staff_next() -> Vec<Bar> {
    vec![
        bar("Fri 18:00-19:00, South", 10, "1 staff-hour a week"),
        bar("Mon 07:00-08:00, North", 5, "2 staff-hours a week"),
        bar("Tue 18:00-19:00, South", 0, ""),
    ]
}

#[test]
fn each_bar_carries_its_label_its_count_and_its_note() {
    let html = bar_list(
        "What to staff next",
        "Requests covered (count)",
        &staff_next(),
    )
    .into_string();
    assert!(html.contains("<figcaption>What to staff next</figcaption>"));
    assert!(html.contains("<title>What to staff next</title>"));
    assert_eq!(html.matches("<rect").count(), 3);
    for (label, count, note) in [
        ("Fri 18:00-19:00, South", 10, ", 1 staff-hour a week"),
        ("Mon 07:00-08:00, North", 5, ", 2 staff-hours a week"),
        ("Tue 18:00-19:00, South", 0, ""),
    ] {
        assert!(html.contains(&format!(">{label}</text>")), "{label}");
        assert!(html.contains(&format!("data-count=\"{count}\"")), "{label}");
        assert!(
            html.contains(&format!(
                "<title>{label}: Requests covered (count) {count}{note}</title>"
            )),
            "{label}"
        );
        assert!(html.contains(&format!(">{count}</text>")), "{label}");
    }
    assert!(html.contains("fill=\"#555555\">1 staff-hour a week</text>"));
    assert!(html.contains("fill=\"#555555\">2 staff-hours a week</text>"));
    assert_eq!(html.matches("fill=\"#555555\"").count(), 2);
    assert!(html.contains("<desc>3 ranked by requests covered (count).</desc>"));
}

#[test]
fn bars_scale_to_an_axis_with_round_ticks_and_a_labelled_unit() {
    let html = bar_list(
        "What to staff next",
        "Requests covered (count)",
        &staff_next(),
    )
    .into_string();
    // Ticks 0, 2, ... 10: the longest bar reaches the last one.
    assert!(html.contains(&format!("width=\"{}\" height=\"14\"", coord(PLOT_WIDTH))));
    assert!(html.contains(&format!(
        "width=\"{}\" height=\"14\"",
        coord(PLOT_WIDTH / 2.0)
    )));
    assert!(html.contains("width=\"0.0\" height=\"14\""));
    for tick in ["0", "2", "4", "6", "8", "10"] {
        assert!(
            html.contains(&format!(
                "text-anchor=\"middle\" font-size=\"10\">{tick}</text>"
            )),
            "{tick}"
        );
    }
    assert!(html.contains(">Requests covered (count)</text>"));
    assert!(html.contains("viewBox=\"0 0 400 202\" width=\"100%\""));
}

#[test]
fn a_label_with_markup_is_escaped() {
    let bars = [bar("<script>alert(1)</script> site", 3, "<i>note</i>")];
    let html = bar_list("Sites", "Requests (count)", &bars).into_string();
    assert!(!html.contains("<script>") && !html.contains("<i>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; site"));
    assert!(html.contains(">&lt;i&gt;note&lt;/i&gt;</text>"));
}

#[test]
fn no_bars_or_only_zeros_say_there_were_no_requests() {
    for bars in [vec![], vec![bar("Sat 07:00-08:00, North", 0, "")]] {
        let html = bar_list("What to staff next", "Requests covered (count)", &bars).into_string();
        assert!(html.contains(NO_REQUESTS));
        assert!(!html.contains("<svg"));
    }
}

#[test]
fn a_long_list_draws_its_first_rows_and_says_how_many_there_were() {
    let bars: Vec<Bar> = (0..45u64)
        .map(|i| bar(&format!("block {i}"), 45 - i, ""))
        .collect();
    let html = bar_list("What to staff next", "Requests covered (count)", &bars).into_string();
    assert_eq!(html.matches("<rect").count(), MAX_BARS);
    assert!(html.contains(">block 29</text>") && !html.contains(">block 30</text>"));
    assert!(html.contains("The first 30 of 45 are shown."));
}

#[test]
fn rows_without_notes_are_shorter() {
    let bars = [bar("Sat 07:00-08:00, North", 4, "")];
    let html = bar_list("Sites", "Requests (count)", &bars).into_string();
    assert!(html.contains("viewBox=\"0 0 400 88\""));
}
