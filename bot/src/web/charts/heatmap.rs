//! When officers asked: the week as 7 rows (Mon..Sun) by 24 hour columns (00..23,
//! local time), each cell shaded by its requests.
//!
//! [`Layers::Split`] draws three small grids instead of one: answered, not answered
//! while the site was open, not answered while it was closed. Each has its own hue
//! and its own scale, so the hours officers asked and got nobody stand out however
//! few they are next to the answered ones; the legends say what each shade counts.
//!
//! Shades are five steps, not a gradient: a reader can match a cell to the legend by
//! eye, and the legend gives each step's exact range of counts.

use maud::{Markup, html};

use super::{count_of, figure, svg};
use crate::web::demand::week::{Counts, HourOfWeek, WeekGrid, day_name};

/// One grid or three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layers {
    /// One grid of all requests; each cell's title tells how they ended.
    Total,
    /// Answered, not answered while open, not answered while closed.
    Split,
}

/// Width and height of a cell's step, in SVG units.
const CELL: u32 = 16;
/// Room left of the grid for the axis title and day names.
const LEFT: u32 = 48;
const TOP: u32 = 6;
/// The grid starts below the panel's name.
const GRID_TOP: u32 = TOP + 16;
const GRID_WIDTH: u32 = 24 * CELL;
const GRID_HEIGHT: u32 = 7 * CELL;
const WIDTH: u32 = LEFT + GRID_WIDTH + 8;
const HEIGHT: u32 = GRID_TOP + GRID_HEIGHT + 74;
/// Horizontal room for one legend entry.
const LEGEND_STEP: u32 = 64;

/// What one grid counts, in which colours.
struct Panel {
    name: &'static str,
    /// How a count of it reads: `3 requests not answered while open`.
    singular: &'static str,
    plural: &'static str,
    value: fn(&Counts) -> u64,
    /// The shade of 0, then four steps up to the largest count.
    palette: [&'static str; 5],
}

const TOTAL: Panel = Panel {
    name: "All requests",
    singular: "request",
    plural: "requests",
    value: Counts::total,
    palette: ["#f2f4f7", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
};
const ANSWERED: Panel = Panel {
    name: "Answered",
    singular: "request answered",
    plural: "requests answered",
    value: |c| c.covered,
    palette: ["#f2f4f7", "#c7e9c0", "#74c476", "#238b45", "#00441b"],
};
const UNANSWERED: Panel = Panel {
    name: "Not answered, site open",
    singular: "request not answered while open",
    plural: "requests not answered while open",
    value: |c| c.unanswered,
    palette: ["#f2f4f7", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"],
};
const OUT_OF_HOURS: Panel = Panel {
    name: "Not answered, site closed",
    singular: "request not answered while closed",
    plural: "requests not answered while closed",
    value: |c| c.out_of_hours,
    palette: ["#f2f4f7", "#dadaeb", "#9e9ac8", "#6a51a3", "#3f007d"],
};

/// The hour-of-week heatmap of `grid` under the caption `title`.
pub(crate) fn heatmap(title: &str, grid: &WeekGrid, layers: Layers) -> Markup {
    if grid.is_empty() {
        return figure(title, None);
    }
    let drawing = match layers {
        Layers::Total => panel(title, grid, &TOTAL),
        Layers::Split => html! {
            @for p in [&ANSWERED, &UNANSWERED, &OUT_OF_HOURS] {
                (panel(&format!("{title}: {}", p.name), grid, p))
            }
        },
    };
    figure(title, Some(drawing))
}

fn panel(label: &str, grid: &WeekGrid, p: &Panel) -> Markup {
    let max = grid.iter().map(|(_, c)| (p.value)(&c)).max().unwrap_or(0);
    let content = html! {
        text x=(LEFT) y=(TOP + 11) font-weight="bold" { (p.name) }
        (axes())
        @for (hour, counts) in grid.iter() {
            @let value = (p.value)(&counts);
            rect class="cell" x=(LEFT + u32::from(hour.hour()) * CELL + 1)
                y=(GRID_TOP + day_row(hour) * CELL + 1)
                width=(CELL - 2) height=(CELL - 2)
                fill=(p.palette.get(level(value, max)).copied().unwrap_or("#000000"))
                data-hour=(hour.index()) data-count=(value) {
                title { (cell_title(hour, &counts, p)) }
            }
        }
        (legend(p, max))
    };
    svg(WIDTH, HEIGHT, label, &description(grid, p, max), content)
}

fn day_row(hour: HourOfWeek) -> u32 {
    u32::try_from(hour.day_index()).unwrap_or(0)
}

/// Day names down the left, hours 00..23 along the bottom, and both axis titles.
fn axes() -> Markup {
    let hours_y = GRID_TOP + GRID_HEIGHT + 12;
    html! {
        text transform="rotate(-90)" x=(-(i64::from(GRID_TOP + GRID_HEIGHT / 2)))
            y="12" text-anchor="middle" { "Day of week (Mon-Sun)" }
        @for day in 0..7u32 {
            text x=(LEFT - 4) y=(GRID_TOP + day * CELL + 12) text-anchor="end" {
                (day_name(day as usize))
            }
        }
        @for hour in 0..24u32 {
            text x=(LEFT + hour * CELL + CELL / 2) y=(hours_y) text-anchor="middle"
                font-size="10" { (format!("{hour:02}")) }
        }
        text x=(LEFT + GRID_WIDTH / 2) y=(hours_y + 16) text-anchor="middle" {
            "Hour of day (local time, 00-23)"
        }
    }
}

/// The shade step of `value` when `max` is the largest: 0 only for 0, then the
/// quarter of `(0, max]` it falls in, 1 to 4.
fn level(value: u64, max: u64) -> usize {
    if value == 0 || max == 0 {
        return 0;
    }
    let quarters = (u128::from(value.min(max)) * 4).div_ceil(u128::from(max));
    usize::try_from(quarters).unwrap_or(4).clamp(1, 4)
}

/// The counts each shade stands for, `(level, low, high)`, skipping steps no whole
/// count falls in (with a largest count under 4).
fn legend_steps(max: u64) -> Vec<(usize, u64, u64)> {
    let mut steps = vec![(0, 0, 0)];
    for level in 1..=4u128 {
        let low = u128::from(max) * (level - 1) / 4 + 1;
        let high = u128::from(max) * level / 4;
        if max > 0 && low <= high {
            let (Ok(low), Ok(high)) = (u64::try_from(low), u64::try_from(high)) else {
                continue;
            };
            steps.push((level as usize, low, high));
        }
    }
    steps
}

fn legend(p: &Panel, max: u64) -> Markup {
    let title_y = GRID_TOP + GRID_HEIGHT + 50;
    let swatch_y = title_y + 8;
    // The panel's name above the grid says which requests; the legend says how
    // many, short enough for a phone's width.
    let heading = if max == 0 {
        "Shade: requests per hour (count), none in this range"
    } else {
        "Shade: requests per hour (count)"
    };
    html! {
        text x=(LEFT) y=(title_y) { (heading) }
        @for (i, (step, low, high)) in legend_steps(max).into_iter().enumerate() {
            @let x = LEFT + u32::try_from(i).unwrap_or(0) * LEGEND_STEP;
            rect x=(x) y=(swatch_y) width="12" height="12"
                fill=(p.palette.get(step).copied().unwrap_or("#000000")) stroke="#999999"
                stroke-width="0.5" {}
            text x=(x + 16) y=(swatch_y + 10) {
                @if low == high { (low) } @else { (low) "-" (high) }
            }
        }
    }
}

/// `Fri 22:00-23:00: 5 requests (3 answered, 1 not answered while open, 1 not
/// answered while closed)`, or for a split panel only its own count.
fn cell_title(hour: HourOfWeek, counts: &Counts, p: &Panel) -> String {
    let value = (p.value)(counts);
    let own = count_of(value, p.singular, p.plural);
    if p.name != TOTAL.name || value == 0 {
        return format!("{}: {own}", hour.label());
    }
    format!(
        "{}: {own} ({} answered, {} not answered while open, {} not answered while closed)",
        hour.label(),
        counts.covered,
        counts.unanswered,
        counts.out_of_hours
    )
}

/// What a sighted reader takes from the grid: how many, and the busiest hour.
fn description(grid: &WeekGrid, p: &Panel, max: u64) -> String {
    let sum = (p.value)(&grid.totals());
    let busiest = grid
        .iter()
        .find(|(_, c)| max > 0 && (p.value)(c) == max)
        .map(|(hour, _)| format!(" The most in one hour: {} in {}.", max, hour.label()))
        .unwrap_or_default();
    let not_answered = if p.name == TOTAL.name {
        format!(" {} of them not answered.", grid.totals().not_answered())
    } else {
        String::new()
    };
    format!(
        "Hours of the week, Monday to Sunday, local time: {} in all.{not_answered}{busiest}",
        count_of(sum, p.singular, p.plural)
    )
}

#[cfg(test)]
mod tests;
