//! Ranked values as horizontal bars, one a row, in the order given: "what to staff
//! next" lists blocks of hours by the requests they would have covered. Each row's
//! label sits above its bar, so long labels fit a phone's width.

use maud::{Markup, html};

use super::axis::{scale, ticks};
use super::{coord, figure, svg};

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bar {
    /// What the row is: `Sat 07:00-08:00, Downtown`.
    pub label: String,
    pub value: u64,
    /// Said after the value, e.g. `2 staff-hours a week`; may be empty.
    pub note: String,
}

/// The most rows one chart draws; the description says when more were given.
pub(crate) const MAX_BARS: usize = 30;

// A narrow drawing, so its text stays legible when a phone scales it down.
const WIDTH: u32 = 400;
const LEFT: f64 = 4.0;
/// Room right of the longest bar for its value.
const RIGHT: f64 = 48.0;
const PLOT_WIDTH: f64 = WIDTH as f64 - LEFT - RIGHT;
/// A row's height: label and bar, and a line more when some row has a note.
const ROW: u32 = 36;
const ROW_WITH_NOTE: u32 = 50;
const TOP: u32 = 8;
const BOTTOM: u32 = 44;

/// The bar chart of `bars` under the caption `title`; `value_label` names the
/// values with their unit (`Requests covered (count)`) on the axis.
pub(crate) fn bar_list(title: &str, value_label: &str, bars: &[Bar]) -> Markup {
    let shown = &bars[..bars.len().min(MAX_BARS)];
    let max = shown.iter().map(|b| b.value).max().unwrap_or(0);
    if max == 0 {
        return figure(title, None);
    }
    let axis = ticks(max);
    let top = axis.last().copied().unwrap_or(1);
    let rows = u32::try_from(shown.len()).unwrap_or(0);
    let row_height = if shown.iter().any(|b| !b.note.is_empty()) {
        ROW_WITH_NOTE
    } else {
        ROW
    };
    let height = TOP + rows * row_height + BOTTOM;
    let content = html! {
        @for (i, bar) in shown.iter().enumerate() {
            (row(f64::from(TOP) + i as f64 * f64::from(row_height), bar, top, value_label))
        }
        (x_axis(&axis, top, TOP + rows * row_height, value_label))
    };
    let mut desc = format!("{} ranked by {}.", shown.len(), value_label.to_lowercase());
    if bars.len() > shown.len() {
        desc.push_str(&format!(
            " The first {MAX_BARS} of {} are shown.",
            bars.len()
        ));
    }
    figure(title, Some(svg(WIDTH, height, title, &desc, content)))
}

/// The label, the bar with its value after it, and the note under it, from `y` down.
fn row(y: f64, bar: &Bar, top: u64, value_label: &str) -> Markup {
    let length = scale(bar.value, top, PLOT_WIDTH);
    html! {
        g class="bar" {
            text x=(coord(LEFT)) y=(coord(y + 12.0)) { (bar.label) }
            rect x=(coord(LEFT)) y=(coord(y + 16.0)) width=(coord(length)) height="14"
                fill="#2171b5" data-count=(bar.value) {
                title {
                    (bar.label) ": " (value_label) " " (bar.value)
                    @if !bar.note.is_empty() { ", " (bar.note) }
                }
            }
            text x=(coord(LEFT + length + 4.0)) y=(coord(y + 27.0)) { (bar.value) }
            @if !bar.note.is_empty() {
                text x=(coord(LEFT)) y=(coord(y + 44.0)) font-size="11" fill="#555555" {
                    (bar.note)
                }
            }
        }
    }
}

fn x_axis(axis: &[u64], top: u64, base: u32, value_label: &str) -> Markup {
    let base_y = f64::from(base) + 4.0;
    html! {
        line x1=(coord(LEFT)) x2=(coord(LEFT + PLOT_WIDTH)) y1=(coord(base_y)) y2=(coord(base_y))
            stroke="#333333" stroke-width="1" {}
        @for tick in axis {
            @let x = coord(LEFT + scale(*tick, top, PLOT_WIDTH));
            line x1=(x) x2=(x) y1=(coord(base_y)) y2=(coord(base_y + 4.0))
                stroke="#333333" stroke-width="1" {}
            text x=(x) y=(coord(base_y + 16.0)) text-anchor="middle" font-size="10" { (tick) }
        }
        text x=(coord(LEFT + PLOT_WIDTH / 2.0)) y=(coord(base_y + 34.0)) text-anchor="middle" {
            (value_label)
        }
    }
}

#[cfg(test)]
mod tests;
