//! Random traffic for the property tests: texts in the SMS grammar's forms from
//! officers, staff and strangers, a provider's retries, the clock moving on (by
//! seconds to days, across daylight-saving changes) and passes of the timer loop.
//!
//! Senders and zones are drawn as indices, resolved against whichever roster the
//! traffic meets, so one sequence can run against any configuration. Every date of
//! birth and SSN a text carries is returned beside it, as it would read once folded
//! to ASCII, for the privacy check.

use chrono::{DateTime, Duration, Utc};
use proptest::option;
use proptest::prop_oneof;
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, Just, Strategy};

/// Who sends a text; indices wrap around the roster's lists.
#[derive(Debug, Clone)]
pub enum Sender {
    Officer(usize),
    Staff(usize),
    /// An officer's or staff member's Matrix ID (if they have one; else their phone).
    OfficerMatrix(usize),
    StaffMatrix(usize),
    /// A number nobody in the roster has.
    Stranger(usize),
}

/// Phones no generated roster uses.
pub const STRANGERS: [&str; 3] = ["+12025550301", "+12025550302", "+442079460958"];

/// A hand-off number: the one the text is about (see [`Step::Offered`]), one the
/// store has probably given out (1001 on), or one it never gives.
#[derive(Debug, Clone)]
pub enum IdPick {
    This,
    Real(u32),
    Fake(&'static str),
}

impl IdPick {
    fn text(&self, this: u32) -> String {
        match self {
            IdPick::This => this.to_string(),
            IdPick::Real(k) => (1001 + k).to_string(),
            IdPick::Fake(text) => (*text).to_owned(),
        }
    }
}

/// A date of birth in one of the ways people write one.
#[derive(Debug, Clone)]
pub struct Dob {
    pub label: &'static str,
    pub form: u8,
    pub day: u32,
    pub month: u32,
    pub year: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Full-width digits, as some phones send them.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0xFF10 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

impl Dob {
    /// The date as typed, and as it reads folded to ASCII.
    fn written(&self) -> (String, String) {
        let Dob {
            day: d,
            month: m,
            year: y,
            ..
        } = *self;
        let month = MONTHS[(m as usize + 11) % 12];
        let plain = match self.form {
            0 => format!("{m}/{d}/{y}"),
            1 => format!("{m:02}-{d:02}-{:02}", y % 100),
            2 => format!("{y}-{m:02}-{d:02}"),
            3 => format!("{m:02}{d:02}{y}"),
            4 => format!("{month} {d}, {y}"),
            5 => format!("{d}.{m}.{y}"),
            6 => format!("{d:02}{}{y}", month[..3].to_uppercase()),
            _ => {
                let folded = format!("{m}-{d}-{y}");
                let typed = format!("{m}\u{2013}{d}\u{2013}{}", full_width(&y.to_string()));
                return (typed, folded);
            }
        };
        (plain.clone(), plain)
    }
}

/// A Social Security number in one of the ways people write one.
#[derive(Debug, Clone)]
pub struct Ssn {
    pub label: &'static str,
    pub form: u8,
    pub area: u32,
    pub group: u32,
    pub serial: u32,
}

impl Ssn {
    fn written(&self) -> String {
        let Ssn {
            area: a,
            group: g,
            serial: s,
            ..
        } = *self;
        match self.form {
            0 => format!("{a}-{g:02}-{s:04}"),
            1 => format!("{a} {g:02} {s:04}"),
            _ => format!("{a}{g:02}{s:04}"),
        }
    }
}

/// Free text: a place, perhaps a zone, a date of birth and an SSN.
#[derive(Debug, Clone)]
pub struct Words {
    pub place: &'static str,
    pub zone: Option<(usize, bool)>,
    pub dob: Option<Dob>,
    pub ssn: Option<Ssn>,
}

/// A text's words, and the identifiers in it that must never be seen again.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub text: String,
    pub secrets: Vec<String>,
}

impl Words {
    fn write(&self, zones: &[String]) -> Written {
        let mut parts: Vec<String> = Vec::new();
        let mut secrets = Vec::new();
        if let (Some((pick, spoken)), false) = (self.zone, zones.is_empty()) {
            let zone = &zones[pick % zones.len()];
            parts.push(match zone.strip_prefix("zone-") {
                Some(n) if spoken => format!("Zone {n}"),
                _ => zone.clone(),
            });
        }
        if !self.place.is_empty() {
            parts.push(self.place.to_owned());
        }
        if let Some(dob) = &self.dob {
            let (typed, folded) = dob.written();
            parts.push(format!("{}{typed}", dob.label));
            secrets.push(folded);
        }
        if let Some(ssn) = &self.ssn {
            let typed = ssn.written();
            parts.push(format!("{}{typed}", ssn.label));
            secrets.push(typed);
        }
        Written {
            text: parts.join(", "),
            secrets,
        }
    }
}

/// What a text says, in the grammar's forms and around them.
#[derive(Debug, Clone)]
pub enum Body {
    Request {
        refer: bool,
        words: Words,
    },
    Accept {
        form: u8,
        id: IdPick,
    },
    Decline {
        form: u8,
        id: Option<IdPick>,
        reason: Option<Words>,
    },
    Eta {
        minutes: &'static str,
        id: Option<IdPick>,
    },
    Arrived(Option<IdPick>),
    Done(Option<IdPick>),
    Cancel {
        withdraw: bool,
        id: Option<IdPick>,
        reason: Option<Words>,
    },
    Relay {
        id: Option<IdPick>,
        words: Words,
    },
    /// Exactly these words: keywords, bare commands, blanks.
    Said(&'static str),
}

fn with_id(word: &str, id: &Option<IdPick>, this: u32) -> String {
    match id {
        Some(id) => format!("{word} {}", id.text(this)),
        None => word.to_owned(),
    }
}

fn reason_of(reason: &Option<Words>, zones: &[String]) -> Written {
    reason
        .as_ref()
        .map(|words| words.write(zones))
        .unwrap_or_default()
}

/// `head` and then the words, if any.
fn joined(head: String, words: Written) -> Written {
    let text = if words.text.is_empty() {
        head
    } else {
        format!("{head} {}", words.text)
    };
    Written {
        text,
        secrets: words.secrets,
    }
}

impl Body {
    /// The text as sent, with `zones` the zones a request may name and `this` the
    /// hand-off it is about.
    pub fn write(&self, zones: &[String], this: u32) -> Written {
        let plain = |text: String| Written {
            text,
            secrets: Vec::new(),
        };
        match self {
            Body::Request { refer, words } => {
                let keyword = if *refer { "REFER" } else { "LEAD" };
                joined(keyword.to_owned(), words.write(zones))
            }
            Body::Said(text) => plain((*text).to_owned()),
            Body::Accept { form, id } => plain(match form % 6 {
                0 => format!("Y{}", id.text(this)),
                1 => format!("y #{}", id.text(this)),
                2 => format!("ACCEPT {}", id.text(this)),
                3 => format!("take {}.", id.text(this)),
                4 => format!("YES {}", id.text(this)),
                _ => "Y".to_owned(),
            }),
            Body::Decline { form, id, reason } => {
                let word = ["N", "PASS", "decline", "NO"][usize::from(*form % 4)];
                let head = match (form % 4, id) {
                    (0, Some(id)) => format!("N{}", id.text(this)),
                    _ => with_id(word, id, this),
                };
                joined(head, reason_of(reason, zones))
            }
            Body::Eta { minutes, id } => plain(match id {
                Some(id) => format!("ETA {} {minutes}", id.text(this)),
                None => format!("eta {minutes}"),
            }),
            Body::Arrived(id) => plain(with_id("ARRIVED", id, this)),
            Body::Done(id) => plain(with_id("Done", id, this)),
            Body::Cancel {
                withdraw,
                id,
                reason,
            } => {
                let word = if *withdraw { "WITHDRAW" } else { "CANCEL" };
                joined(with_id(word, id, this), reason_of(reason, zones))
            }
            Body::Relay { id, words } => {
                let words = words.write(zones);
                match id {
                    Some(id) => joined(format!("#{}", id.text(this)), words),
                    None if words.text.is_empty() => plain("ok".to_owned()),
                    None => words,
                }
            }
        }
    }
}

/// One step of a sequence.
#[derive(Debug, Clone)]
pub enum Step {
    Text {
        from: Sender,
        body: Body,
    },
    /// The provider delivers again the text sent this many texts ago (wrapping).
    Retry(usize),
    /// The clock moves on this many seconds.
    Advance(i64),
    /// A pass of the timer loop.
    FireDue,
    /// Someone with an open offer or an accepted hand-off (the `n`-th of them,
    /// wrapping) says this about it; nothing if nobody has one.
    Offered(usize, Body),
    /// The officer of an open hand-off (the `n`-th, wrapping) says this about it.
    Requester(usize, Body),
}

fn id_pick() -> BoxedStrategy<IdPick> {
    prop_oneof![
        4 => Just(IdPick::This),
        2 => (0u32..6).prop_map(IdPick::Real),
        1 => select(vec!["9999", "1", "0", "999999999", "1000", "#1001"]).prop_map(IdPick::Fake),
    ]
    .boxed()
}

fn dob() -> BoxedStrategy<Dob> {
    (
        select(vec!["DOB ", "born ", "d.o.b. ", "", "date of birth "]),
        0u8..8,
        1u32..=28,
        1u32..=12,
        1940u32..=2008,
    )
        .prop_map(|(label, form, day, month, year)| Dob {
            label,
            form,
            day,
            month,
            year,
        })
        .boxed()
}

fn ssn() -> BoxedStrategy<Ssn> {
    (
        select(vec!["SSN ", "", "social ", "SSN#"]),
        0u8..3,
        100u32..900,
        1u32..100,
        1u32..10_000,
    )
        .prop_map(|(label, form, area, group, serial)| Ssn {
            label,
            form,
            area,
            group,
            serial,
        })
        .boxed()
}

fn words() -> BoxedStrategy<Words> {
    (
        select(vec![
            "5th & Main",
            "1400 Liberty Ave, retail theft",
            "the 7-11 on Pine St",
            "room 12, 3rd floor",
            "Caf\u{e9} \u{201c}Les Amis\u{201d} \u{2615}",
            "call me at (412) 555-0199",
            "",
        ]),
        option::of((0usize..6, proptest::bool::ANY)),
        option::weighted(0.3, dob()),
        option::weighted(0.2, ssn()),
    )
        .prop_map(|(place, zone, dob, ssn)| Words {
            place,
            zone,
            dob,
            ssn,
        })
        .boxed()
}

fn request() -> BoxedStrategy<Body> {
    (proptest::bool::weighted(0.25), words())
        .prop_map(|(refer, words)| Body::Request { refer, words })
        .boxed()
}

fn relay() -> BoxedStrategy<Body> {
    (option::of(id_pick()), words())
        .prop_map(|(id, words)| Body::Relay { id, words })
        .boxed()
}

fn cancel() -> BoxedStrategy<Body> {
    (
        proptest::bool::weighted(0.3),
        option::of(id_pick()),
        option::of(words()),
    )
        .prop_map(|(withdraw, id, reason)| Body::Cancel {
            withdraw,
            id,
            reason,
        })
        .boxed()
}

fn keyword() -> BoxedStrategy<Body> {
    select(vec![
        "STATUS", "WHO", "HELP", "info", "STOP", "START", "YES", "unstop", "QUIT",
    ])
    .prop_map(Body::Said)
    .boxed()
}

/// What officers mostly say: requests, and words about them.
fn officer_body() -> BoxedStrategy<Body> {
    prop_oneof![
        6 => request(),
        1 => select(vec!["LEAD", "REFER:", "lead -"]).prop_map(Body::Said),
        3 => relay(),
        2 => cancel(),
        1 => keyword(),
    ]
    .boxed()
}

/// What staff mostly say: answers to offers, and progress.
fn staff_body() -> BoxedStrategy<Body> {
    prop_oneof![
        6 => (0u8..6, id_pick()).prop_map(|(form, id)| Body::Accept { form, id }),
        2 => (0u8..4, option::of(id_pick()), option::of(words()))
            .prop_map(|(form, id, reason)| Body::Decline { form, id, reason }),
        3 => (
            select(vec!["0", "1", "15", "600", "601", "-5", "99999999999", "soon", "20 mins"]),
            option::of(id_pick()),
        )
            .prop_map(|(minutes, id)| Body::Eta { minutes, id }),
        2 => option::of(id_pick()).prop_map(Body::Arrived),
        2 => option::of(id_pick()).prop_map(Body::Done),
        1 => cancel(),
        2 => relay(),
        1 => keyword(),
    ]
    .boxed()
}

/// Anything, from anyone: a staff member's LEAD, an officer's Y, blanks.
fn any_body() -> BoxedStrategy<Body> {
    prop_oneof![
        officer_body(),
        staff_body(),
        select(vec!["", "   ", "\n", "!!!"]).prop_map(Body::Said),
    ]
    .boxed()
}

fn sender() -> BoxedStrategy<Sender> {
    prop_oneof![
        2 => (0usize..8).prop_map(Sender::Officer),
        2 => (0usize..8).prop_map(Sender::Staff),
        1 => (0usize..8).prop_map(Sender::OfficerMatrix),
        1 => (0usize..8).prop_map(Sender::StaffMatrix),
        1 => (0usize..STRANGERS.len()).prop_map(Sender::Stranger),
    ]
    .boxed()
}

fn advance() -> BoxedStrategy<i64> {
    prop_oneof![
        1 => Just(10i64),
        4 => 1i64..60,
        3 => 60i64..3_600,
        1 => 3_600i64..86_400,
        1 => 86_400i64..=259_200,
    ]
    .boxed()
}

/// One step: mostly texts, then the clock and the timer loop.
pub fn step() -> BoxedStrategy<Step> {
    prop_oneof![
        3 => ((0usize..8).prop_map(Sender::Officer), officer_body())
            .prop_map(|(from, body)| Step::Text { from, body }),
        2 => ((0usize..8).prop_map(Sender::Staff), staff_body())
            .prop_map(|(from, body)| Step::Text { from, body }),
        1 => (sender(), any_body()).prop_map(|(from, body)| Step::Text { from, body }),
        5 => (0usize..8, staff_body()).prop_map(|(n, body)| Step::Offered(n, body)),
        2 => (0usize..8, officer_body()).prop_map(|(n, body)| Step::Requester(n, body)),
        1 => (0usize..4).prop_map(Step::Retry),
        3 => advance().prop_map(Step::Advance),
        2 => Just(Step::FireDue),
    ]
    .boxed()
}

/// Instants by daylight-saving changes of the generated time zones (New York,
/// London and Sydney, spring and autumn), and a plain summer noon.
const ANCHORS: [&str; 7] = [
    "2026-03-08T07:00:00Z",
    "2026-11-01T06:00:00Z",
    "2026-03-29T01:00:00Z",
    "2026-10-25T01:00:00Z",
    "2026-04-04T16:00:00Z",
    "2026-10-03T16:00:00Z",
    "2026-06-15T12:00:00Z",
];

/// Where a sequence starts: up to two days before one of the anchors.
pub fn start() -> BoxedStrategy<DateTime<Utc>> {
    (select(ANCHORS.to_vec()), 0i64..(2 * 86_400))
        .prop_map(|(anchor, before)| {
            let anchor = DateTime::parse_from_rfc3339(anchor)
                .map(|t| t.to_utc())
                .unwrap_or_default();
            anchor - Duration::seconds(before)
        })
        .boxed()
}
