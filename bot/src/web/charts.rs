//! Charts for the dashboard as inline SVG, rendered with maud: no script, no
//! external font or file, so a page works on any phone and prints as it shows.
//!
//! Every chart is a `<figure>` with its title as a visible caption, and an `<svg>`
//! that scales to the width of the screen (a `viewBox`, `width="100%"`), names
//! itself to screen readers (`role="img"`, `aria-label`, `<title>`, `<desc>` with
//! the figures a sighted reader takes from the shapes), labels both axes with their
//! units, and gives each cell, point or bar its exact count in a `<title>` (a
//! tooltip, and what a screen reader reads). A chart with nothing to show says "No
//! requests in this range." instead of drawing empty axes.
//!
//! Output is a pure function of the input: coordinates are whole numbers or printed
//! to one decimal, and nothing is iterated in hash order, so pages can be compared
//! with snapshots. All text goes through maud, which escapes it.

pub(crate) mod axis;
pub(crate) mod bars;
pub(crate) mod heatmap;
pub(crate) mod trend;

use maud::{Markup, html};

/// What a chart with no data says in its place.
pub(crate) const NO_REQUESTS: &str = "No requests in this range.";

/// The font every chart uses: the reader's own sans-serif, nothing to download.
const FONT: &str = "system-ui, sans-serif";

/// A chart in its figure: the caption, then the drawing or, without data, the
/// sentence that says so.
fn figure(title: &str, drawing: Option<Markup>) -> Markup {
    html! {
        figure class="chart" {
            figcaption { (title) }
            @match drawing {
                Some(drawing) => (drawing),
                None => p class="chart-empty" { (NO_REQUESTS) },
            }
        }
    }
}

/// An `<svg>` of `width` × `height` units that scales to the page's width.
fn svg(width: u32, height: u32, label: &str, desc: &str, content: Markup) -> Markup {
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}"))
            width="100%" role="img" aria-label=(label) font-family=(FONT) font-size="12" {
            title { (label) }
            desc { (desc) }
            (content)
        }
    }
}

/// A coordinate as printed: one decimal, always, so output is stable.
fn coord(value: f64) -> String {
    format!("{value:.1}")
}

/// `1 request`, `3 requests`.
fn count_of(count: u64, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_without_data_says_so_in_its_figure() {
        let html = figure("Requests by hour", None).into_string();
        assert_eq!(
            html,
            "<figure class=\"chart\"><figcaption>Requests by hour</figcaption>\
             <p class=\"chart-empty\">No requests in this range.</p></figure>"
        );
    }

    #[test]
    fn an_svg_scales_to_the_page_and_names_itself() {
        let html = svg(100, 50, "A <b> chart", "Two & three", html! {}).into_string();
        assert!(html.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\" width=\"100%\" role=\"img\" aria-label=\"A &lt;b&gt; chart\""));
        assert!(html.contains("<title>A &lt;b&gt; chart</title><desc>Two &amp; three</desc>"));
    }

    #[test]
    fn counts_read_in_the_singular_only_for_one() {
        assert_eq!(count_of(0, "request", "requests"), "0 requests");
        assert_eq!(count_of(1, "request", "requests"), "1 request");
        assert_eq!(count_of(12, "request", "requests"), "12 requests");
        assert_eq!(coord(2.0 / 3.0), "0.7");
    }
}
