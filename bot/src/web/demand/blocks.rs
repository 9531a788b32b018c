//! Blocks of the week a project manager types in to ask "what if we staffed this?":
//! `sat 08:00-12:00`, `mon-fri 06:00-08:00`, `fri 22:00-02:00` (past midnight, into
//! Saturday), several separated by `;` or new lines. The days are read by the
//! schedules crate's own weekday parser and the times by its clock-time parser, so a
//! block is written exactly as operating hours are in the site configuration.
//!
//! Blocks are whole hours because demand is counted per hour of the week; a time
//! off the hour is refused with a message saying so rather than silently rounded.

use chrono::Weekday;
use handoff_schedules::ClockTime;
use handoff_schedules::Weekdays;
use handoff_schedules::local::BadClockTime;
use handoff_schedules::recurrence::BadWeekdays;

use super::week::{HourOfWeek, WeekHours, day_name};

/// The longest text accepted, in characters: a page's form field, not a file.
const MAX_INPUT_CHARS: usize = 1_000;
/// The most blocks accepted in one go.
const MAX_BLOCKS: usize = 20;
/// How much of a faulty entry an error message quotes back, in characters.
const QUOTE_CHARS: usize = 40;

/// Where a typed block came from, which decides how it is labelled and listed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Origin {
    /// Next to the site's current hours, found by looking at them.
    Adjacent,
    /// Typed in by the person asking.
    Typed,
}

/// A set of hours of the week with the words that name it: `Sat 07:00-08:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub label: String,
    pub hours: WeekHours,
    pub origin: Origin,
}

/// Why one typed entry is not a block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BlockError {
    #[error("type at least one block, e.g. `sat 08:00-12:00` or `mon-fri 06:00-08:00`")]
    Empty,
    #[error("that is more than {MAX_INPUT_CHARS} characters: type fewer blocks")]
    TooLong,
    #[error("at most {MAX_BLOCKS} blocks at a time")]
    TooMany,
    #[error("`{0}`: name the days first, e.g. `sat 08:00-12:00`")]
    MissingDays(String),
    #[error("`{0}`: expected a time range after the days, e.g. `08:00-12:00`")]
    MissingTimes(String),
    #[error("{0}")]
    BadDays(BadWeekdays),
    #[error("{0}")]
    BadTime(BadClockTime),
    #[error("`{0}` is not on the hour: blocks are whole hours, e.g. `08:00`")]
    NotOnTheHour(ClockTime),
    #[error("`{0}`: a block cannot start at 24:00; start at 00:00 of the next day")]
    StartsAtEndOfDay(String),
    #[error("`{0}` starts and ends at the same time: for a whole day write `00:00-24:00`")]
    NoLength(String),
}

/// The blocks typed in `text`, each labelled in a normal form (`Mon-Fri 06:00-08:00`).
/// Errors say which entry is wrong and how to write it; no input panics.
pub(crate) fn parse_blocks(text: &str) -> Result<Vec<Block>, BlockError> {
    if text.chars().count() > MAX_INPUT_CHARS {
        return Err(BlockError::TooLong);
    }
    let entries: Vec<&str> = text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    if entries.is_empty() {
        return Err(BlockError::Empty);
    }
    if entries.len() > MAX_BLOCKS {
        return Err(BlockError::TooMany);
    }
    entries.into_iter().map(parse_block).collect()
}

/// One entry: days, then a time range. The days hold no digits, so the range starts
/// at the first digit; spaces around the dash are allowed (`sat 8:00 - 12:00`).
fn parse_block(entry: &str) -> Result<Block, BlockError> {
    let split = entry.find(|c: char| c.is_ascii_digit());
    let (days_text, times_text) = match split {
        Some(i) => (entry.get(..i).unwrap_or(""), entry.get(i..).unwrap_or("")),
        None => return Err(BlockError::MissingTimes(quote(entry))),
    };
    let days_text = days_text.trim();
    if days_text.is_empty() {
        return Err(BlockError::MissingDays(quote(entry)));
    }
    let days: Weekdays = days_text.parse().map_err(BlockError::BadDays)?;
    let compact: String = times_text.chars().filter(|c| !c.is_whitespace()).collect();
    let (start, end) = compact
        .split_once('-')
        .ok_or_else(|| BlockError::MissingTimes(quote(entry)))?;
    let start = on_the_hour(start)?;
    let end = on_the_hour(end)?;
    if start == 24 {
        return Err(BlockError::StartsAtEndOfDay(quote(entry)));
    }
    if start == end {
        return Err(BlockError::NoLength(quote(entry)));
    }
    let length = if end > start {
        end - start
    } else {
        end + 24 - start
    };
    let hours = block_hours(days, start, length);
    Ok(Block {
        label: format!(
            "{} {start:02}:00-{:02}:00",
            days_label(days),
            if end == 0 { 24 } else { end }
        ),
        hours,
        origin: Origin::Typed,
    })
}

/// The hour of a clock time that must fall on the hour: `08:00` is 8, `24:00` is 24.
fn on_the_hour(text: &str) -> Result<u8, BlockError> {
    let time: ClockTime = text.parse().map_err(BlockError::BadTime)?;
    let minutes = time.minutes_since_midnight();
    if !minutes.is_multiple_of(60) {
        return Err(BlockError::NotOnTheHour(time));
    }
    u8::try_from(minutes / 60).map_err(|_| BlockError::NotOnTheHour(time))
}

/// `length` hours from `start` on each of `days`, running past midnight into the
/// next day (and from Sunday into Monday).
fn block_hours(days: Weekdays, start: u8, length: u8) -> WeekHours {
    let mut hours = WeekHours::default();
    for day in week_days().filter(|d| days.contains(*d)) {
        if let Some(first) = HourOfWeek::at(day, start) {
            for step in 0..length {
                hours.insert(first.plus(u32::from(step)));
            }
        }
    }
    hours
}

fn week_days() -> impl Iterator<Item = Weekday> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
}

/// `Mon-Fri`, `Sat-Sun`, `Mon,Wed,Fri`, `Daily`: runs of three or more days as a range.
fn days_label(days: Weekdays) -> String {
    let on: Vec<bool> = week_days().map(|d| days.contains(d)).collect();
    if on.iter().all(|d| *d) {
        return "Daily".to_owned();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < on.len() {
        if !on[i] {
            i += 1;
            continue;
        }
        let run_start = i;
        while i + 1 < on.len() && on[i + 1] {
            i += 1;
        }
        match i - run_start {
            0 => parts.push(day_name(run_start).to_owned()),
            1 => parts.extend([day_name(run_start).to_owned(), day_name(i).to_owned()]),
            _ => parts.push(format!("{}-{}", day_name(run_start), day_name(i))),
        }
        i += 1;
    }
    parts.join(",")
}

/// The start of a faulty entry, to quote back in an error.
fn quote(entry: &str) -> String {
    let mut quoted: String = entry.chars().take(QUOTE_CHARS).collect();
    if entry.chars().count() > QUOTE_CHARS {
        quoted.push_str("...");
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{any, proptest};

    fn hours_of(text: &str) -> Vec<usize> {
        let blocks = parse_blocks(text).unwrap();
        assert_eq!(blocks.len(), 1, "{text}");
        blocks[0].hours.iter().map(HourOfWeek::index).collect()
    }

    #[test]
    fn a_typed_block_names_days_and_whole_hours() {
        assert_eq!(hours_of("sat 08:00-12:00"), vec![128, 129, 130, 131]);
        let weekday_mornings = hours_of("mon-fri 06:00-08:00");
        assert_eq!(
            weekday_mornings,
            vec![6, 7, 30, 31, 54, 55, 78, 79, 102, 103]
        );
        assert_eq!(hours_of("Saturday 8:00 - 9:00"), vec![128]);
        assert_eq!(hours_of("sat, sun 23:00-24:00"), vec![143, 167]);
        assert_eq!(hours_of("daily 00:00-24:00").len(), 168);
    }

    #[test]
    fn a_block_ending_before_it_starts_runs_past_midnight_and_past_sunday() {
        assert_eq!(hours_of("fri 22:00-02:00"), vec![118, 119, 120, 121]);
        assert_eq!(hours_of("sun 23:00-01:00"), vec![0, 167]);
    }

    #[test]
    fn typed_blocks_are_labelled_in_one_normal_form() {
        let labels: Vec<String> = parse_blocks(
            "mon-fri 06:00-08:00; sat,sun 8:00-9:00\nmon,wed,fri 22:00-00:00;daily 00:00-24:00",
        )
        .unwrap()
        .into_iter()
        .map(|b| b.label)
        .collect();
        assert_eq!(
            labels,
            [
                "Mon-Fri 06:00-08:00",
                "Sat,Sun 08:00-09:00",
                "Mon,Wed,Fri 22:00-24:00",
                "Daily 00:00-24:00",
            ]
        );
    }

    #[test]
    fn bad_blocks_are_refused_with_a_message_that_says_what_to_write() {
        for (text, expected) in [
            ("", "type at least one block"),
            ("  ; \n ", "type at least one block"),
            ("08:00-12:00", "name the days first"),
            ("saturday", "expected a time range"),
            ("sat 08:00", "expected a time range"),
            ("funday 08:00-12:00", "is not a list of weekdays"),
            ("sat 8-12", "is not a time of day"),
            ("sat 08:00-25:00", "is not a time of day"),
            ("sat 08:30-12:00", "`08:30` is not on the hour"),
            ("sat 24:00-02:00", "cannot start at 24:00"),
            ("sat 08:00-08:00", "starts and ends at the same time"),
        ] {
            let error = parse_blocks(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?} gave {error:?}");
        }
    }

    #[test]
    fn too_much_input_is_refused_before_it_is_read() {
        let many = vec!["sat 08:00-09:00"; MAX_BLOCKS + 1].join(";");
        assert_eq!(parse_blocks(&many), Err(BlockError::TooMany));
        let long = "a".repeat(MAX_INPUT_CHARS + 1);
        assert_eq!(parse_blocks(&long), Err(BlockError::TooLong));
    }

    #[test]
    fn an_error_quotes_only_the_start_of_a_long_entry() {
        let entry = "é".repeat(60);
        let error = parse_blocks(&entry).unwrap_err().to_string();
        assert!(error.contains(&format!("{}...", "é".repeat(QUOTE_CHARS))));
    }

    proptest! {
        #[test]
        fn no_typed_text_makes_the_parser_panic(text in any::<String>()) {
            let _ = parse_blocks(&text);
        }

        #[test]
        fn a_label_reads_back_as_the_same_hours(days in 1u8..128, start in 0u8..24, length in 1u8..24) {
            let mut set = Weekdays::default();
            for (i, day) in week_days().enumerate() {
                if days & (1 << i) != 0 {
                    set = set.with(day);
                }
            }
            let end = (start + length) % 24;
            let text = format!("{set} {start:02}:00-{end:02}:00");
            let typed = parse_blocks(&text).unwrap();
            let again = parse_blocks(&typed[0].label).unwrap();
            proptest::prop_assert_eq!(typed[0].hours, again[0].hours);
            proptest::prop_assert_eq!(typed[0].hours, block_hours(set, start, length));
        }
    }
}
