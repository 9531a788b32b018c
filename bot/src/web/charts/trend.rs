//! Counts week by week: one line per series (requests, completed hand-offs, ...)
//! over every week of a date range, weeks with nothing drawn at zero so a quiet
//! stretch shows as a dip rather than disappearing between two points.
//!
//! Weeks are named by their Monday, as the dispatcher's weekly statistics name
//! them; a count dated any day of a week is added to that week.

use chrono::{Datelike, Days, NaiveDate};
use maud::{Markup, html};

use super::axis::{scale, ticks};
use super::{coord, count_of, figure, svg};

/// One line of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Series {
    /// How the legend names it: `Requests`.
    pub name: String,
    /// Counts by date; dates outside the chart's range are left out.
    pub counts: Vec<(NaiveDate, u64)>,
}

/// The most weeks one chart draws: five years stay legible on a wide screen.
/// A longer range shows its last weeks, and the description says so.
pub(crate) const MAX_WEEKS: usize = 260;

/// The most series one chart draws, each in its own style; more would not be
/// told apart. The description names the ones left out.
pub(crate) const MAX_SERIES: usize = 4;

// A narrow drawing, so its text stays legible when a phone scales it down.
const WIDTH: u32 = 400;
const HEIGHT: u32 = 280;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 10.0;
/// Room above the plot for the legend: two rows of two series.
const TOP: f64 = 50.0;
const BOTTOM: f64 = 48.0;
const PLOT_WIDTH: f64 = WIDTH as f64 - LEFT - RIGHT;
const PLOT_HEIGHT: f64 = HEIGHT as f64 - TOP - BOTTOM;
/// At most this many week labels under the axis.
const MAX_LABELS: usize = 5;

/// Colour and dash of each series in turn: told apart without colour as well.
const STYLES: [(&str, &str); MAX_SERIES] = [
    ("#1f77b4", "none"),
    ("#d95f02", "6 3"),
    ("#1b9e77", "2 2"),
    ("#7570b3", "8 3 2 3"),
];

/// The weekly chart of `series` over the weeks from `first`'s to `last`'s, under
/// the caption `title`, with `y_label` (units included) on the count axis.
pub(crate) fn weekly_trend(
    title: &str,
    y_label: &str,
    first: NaiveDate,
    last: NaiveDate,
    series: &[Series],
) -> Markup {
    let (weeks, cut) = mondays(first, last);
    let (series, left_out) = series.split_at(series.len().min(MAX_SERIES));
    let values: Vec<Vec<u64>> = series.iter().map(|s| weekly(s, &weeks)).collect();
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    if weeks.is_empty() || max == 0 {
        return figure(title, None);
    }
    let axis = ticks(max);
    let top = axis.last().copied().unwrap_or(1);
    let content = html! {
        (y_axis(&axis, top, y_label))
        (x_axis(&weeks))
        @for (i, (s, counts)) in series.iter().zip(&values).enumerate() {
            (line(i, s, counts, &weeks, top))
        }
        (legend(series))
    };
    let mut desc = description(series, &values, &weeks, cut);
    for s in left_out {
        desc.push_str(&format!(
            " {} is not drawn: at most {MAX_SERIES} lines.",
            s.name
        ));
    }
    figure(title, Some(svg(WIDTH, HEIGHT, title, &desc, content)))
}

/// The Mondays of every week from `first`'s to `last`'s, the last [`MAX_WEEKS`] of
/// them, and whether earlier ones were cut.
fn mondays(first: NaiveDate, last: NaiveDate) -> (Vec<NaiveDate>, bool) {
    let (Some(start), Some(end)) = (monday_of(first), monday_of(last)) else {
        return (Vec::new(), false);
    };
    let count = usize::try_from((end - start).num_weeks()).unwrap_or(0);
    let skip = count.saturating_add(1).saturating_sub(MAX_WEEKS);
    let weeks = (0..)
        .map_while(|i: u64| start.checked_add_days(Days::new(i.saturating_mul(7))))
        .take_while(|d| *d <= end)
        .skip(skip)
        .collect();
    (weeks, skip > 0)
}

fn monday_of(date: NaiveDate) -> Option<NaiveDate> {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
}

/// The series' counts added up by week, zero for a week without any.
fn weekly(series: &Series, weeks: &[NaiveDate]) -> Vec<u64> {
    let mut out = vec![0u64; weeks.len()];
    for (date, count) in &series.counts {
        if let Some(monday) = monday_of(*date)
            && let Ok(i) = weeks.binary_search(&monday)
            && let Some(slot) = out.get_mut(i)
        {
            *slot = slot.saturating_add(*count);
        }
    }
    out
}

fn x_of(i: usize, weeks: usize) -> f64 {
    LEFT + (i as f64 + 0.5) * PLOT_WIDTH / weeks.max(1) as f64
}

fn y_of(value: u64, top: u64) -> f64 {
    TOP + PLOT_HEIGHT - scale(value, top, PLOT_HEIGHT)
}

fn y_axis(axis: &[u64], top: u64, y_label: &str) -> Markup {
    let middle = coord(-(TOP + PLOT_HEIGHT / 2.0));
    html! {
        text transform="rotate(-90)" x=(middle) y="12" text-anchor="middle" { (y_label) }
        @for tick in axis {
            @let y = coord(y_of(*tick, top));
            line x1=(coord(LEFT)) x2=(coord(LEFT + PLOT_WIDTH)) y1=(y) y2=(y)
                stroke="#dddddd" stroke-width="1" {}
            text x=(coord(LEFT - 4.0)) y=(y) dy="4" text-anchor="end" { (tick) }
        }
    }
}

/// Every week gets a tick, every k-th a date.
fn x_axis(weeks: &[NaiveDate]) -> Markup {
    let base = coord(TOP + PLOT_HEIGHT);
    html! {
        line x1=(coord(LEFT)) x2=(coord(LEFT + PLOT_WIDTH)) y1=(base) y2=(base)
            stroke="#333333" stroke-width="1" {}
        @for (i, label) in week_labels(weeks).into_iter().enumerate() {
            @let x = coord(x_of(i, weeks.len()));
            line x1=(x) x2=(x) y1=(base) y2=(coord(TOP + PLOT_HEIGHT + 4.0))
                stroke="#333333" stroke-width="1" {}
            @if let Some(label) = label {
                text x=(x) y=(coord(TOP + PLOT_HEIGHT + 16.0)) text-anchor="middle"
                    font-size="10" { (label) }
            }
        }
        text x=(coord(LEFT + PLOT_WIDTH / 2.0)) y=(HEIGHT - 6) text-anchor="middle" {
            "Week starting Monday (date)"
        }
    }
}

/// `5 Jan 2026`, `2 Feb`, ...: at most [`MAX_LABELS`] evenly spaced, the year on
/// the first and where it turns.
fn week_labels(weeks: &[NaiveDate]) -> Vec<Option<String>> {
    let every = weeks.len().div_ceil(MAX_LABELS).max(1);
    let mut last_year = None;
    weeks
        .iter()
        .enumerate()
        .map(|(i, monday)| {
            if i % every != 0 {
                return None;
            }
            let year = last_year.replace(monday.year());
            Some(if year == Some(monday.year()) {
                monday.format("%-d %b").to_string()
            } else {
                monday.format("%-d %b %Y").to_string()
            })
        })
        .collect()
}

fn line(i: usize, series: &Series, counts: &[u64], weeks: &[NaiveDate], top: u64) -> Markup {
    let (colour, dash) = style(i);
    let points: Vec<String> = counts
        .iter()
        .enumerate()
        .map(|(w, v)| format!("{},{}", coord(x_of(w, weeks.len())), coord(y_of(*v, top))))
        .collect();
    html! {
        g class="series" {
            polyline points=(points.join(" ")) fill="none" stroke=(colour)
                stroke-width="2" stroke-dasharray=(dash) {}
            @for (w, (monday, value)) in weeks.iter().zip(counts).enumerate() {
                circle cx=(coord(x_of(w, weeks.len()))) cy=(coord(y_of(*value, top))) r="2.5"
                    fill=(colour) data-count=(value) {
                    title { (series.name) ", week of " (monday.format("%Y-%m-%d")) ": " (value) }
                }
            }
        }
    }
}

fn style(i: usize) -> (&'static str, &'static str) {
    STYLES.get(i).copied().unwrap_or(("#333333", "none"))
}

/// Two series a row, above the plot.
fn legend(series: &[Series]) -> Markup {
    html! {
        @for (i, s) in series.iter().enumerate() {
            @let (colour, dash) = style(i);
            @let x = LEFT + (i % 2) as f64 * PLOT_WIDTH / 2.0;
            @let y = 14.0 + (i / 2) as f64 * 18.0;
            line x1=(coord(x)) x2=(coord(x + 24.0)) y1=(coord(y)) y2=(coord(y)) stroke=(colour)
                stroke-width="2" stroke-dasharray=(dash) {}
            text x=(coord(x + 30.0)) y=(coord(y + 4.0)) { (s.name) }
        }
    }
}

/// Totals per series and the busiest week, as a sentence for screen readers.
fn description(series: &[Series], values: &[Vec<u64>], weeks: &[NaiveDate], cut: bool) -> String {
    let mut out = format!(
        "{} from the week of {} to the week of {}.",
        count_of(weeks.len() as u64, "week", "weeks"),
        weeks.first().map(|d| d.to_string()).unwrap_or_default(),
        weeks.last().map(|d| d.to_string()).unwrap_or_default(),
    );
    if cut {
        out.push_str(&format!(" Only the last {MAX_WEEKS} weeks are shown."));
    }
    for (s, counts) in series.iter().zip(values) {
        let total = counts.iter().fold(0u64, |a, b| a.saturating_add(*b));
        let best = counts.iter().copied().max().unwrap_or(0);
        let when = weeks
            .iter()
            .zip(counts)
            .find(|(_, v)| **v == best)
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            " {}: {total} in all, at most {best} (week of {when}).",
            s.name
        ));
    }
    out
}

#[cfg(test)]
mod tests;
