//! The sandbox SMS provider: messages are kept in memory instead of sent, and a local
//! page shows one phone per configured officer and staff member with its
//! conversation and a box to text as them. It lets anyone run handoff end to end
//! with no provider account: play the officer in one panel and the case manager in
//! another.
//!
//! The log is in memory and bounded: it is a demonstration, not a record (the event
//! log is the record), and message bodies should not outlive their use.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use handoff_dispatcher::{Directory, PhoneNumber};

use crate::sms::provider::Sent;

/// The most entries kept; older ones are dropped first.
pub const MAX_ENTRIES: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Texted by the person to handoff.
    In,
    /// Texted by handoff to the person.
    Out,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub phone: PhoneNumber,
    pub direction: Direction,
    pub body: String,
}

#[derive(Debug, Default)]
pub struct Sandbox {
    log: Mutex<VecDeque<Entry>>,
    /// Bumped on every entry; the page polls it to know when to refresh.
    version: AtomicU64,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox::default()
    }

    fn push(&self, entry: Entry) -> u64 {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log.len() >= MAX_ENTRIES {
            log.pop_front();
        }
        log.push_back(entry);
        self.version.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// "Sends" a text: keeps it, and answers like a provider would.
    pub fn deliver(&self, to: &PhoneNumber, body: &str, at: DateTime<Utc>) -> Sent {
        let n = self.push(Entry {
            at,
            phone: to.clone(),
            direction: Direction::Out,
            body: body.to_owned(),
        });
        Sent {
            sid: format!("SB{n:032}"),
            status: "sent".to_owned(),
        }
    }

    /// Keeps a text typed on the page as `from`; returns an id for it.
    pub fn received(&self, from: &PhoneNumber, body: &str, at: DateTime<Utc>) -> String {
        let n = self.push(Entry {
            at,
            phone: from.clone(),
            direction: Direction::In,
            body: body.to_owned(),
        });
        format!("SBIN{n:030}")
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    /// The conversation of one phone, oldest first.
    pub fn conversation(&self, phone: &PhoneNumber) -> Vec<Entry> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter().filter(|e| &e.phone == phone).cloned().collect()
    }

    /// Everything texted to handoff's contacts, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter().cloned().collect()
    }
}

/// One phone on the page.
struct Phone {
    anchor: String,
    name: String,
    what: String,
    number: PhoneNumber,
}

fn phones(directory: &Directory) -> Vec<Phone> {
    let mut out = Vec::new();
    for officer in directory.roster.officers.values() {
        let agency = directory
            .roster
            .agencies
            .get(&officer.agency)
            .map_or_else(|| officer.agency.to_string(), |a| a.name.clone());
        out.push(Phone {
            anchor: format!("officer-{}", officer.id),
            name: officer.display_name(),
            what: format!("officer, {agency}"),
            number: officer.phone.clone(),
        });
    }
    for person in directory.roster.people.values() {
        if let Some(number) = &person.phone {
            let roles: Vec<&str> = person.roles.iter().map(|r| r.label()).collect();
            out.push(Phone {
                anchor: format!("staff-{}", person.id),
                name: person.name.clone(),
                what: roles.join(", "),
                number: number.clone(),
            });
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:0;background:#f3f4f6;color:#111}
header{background:#1f2937;color:#fff;padding:12px 20px}
header h1{font-size:18px;margin:0}
header p{margin:4px 0 0;font-size:13px;color:#d1d5db}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px;padding:14px}
section{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.15);display:flex;flex-direction:column;height:440px}
section h2{font-size:15px;margin:0;padding:10px 12px 0}
section .what{font-size:12px;color:#6b7280;padding:0 12px 8px;border-bottom:1px solid #e5e7eb}
.log{flex:1;overflow-y:auto;padding:8px 12px}
.msg{max-width:85%;margin:6px 0;padding:7px 10px;border-radius:12px;font-size:14px;white-space:pre-wrap;word-wrap:break-word}
.in{background:#2563eb;color:#fff;margin-left:auto;border-bottom-right-radius:3px}
.out{background:#e5e7eb;border-bottom-left-radius:3px}
.at{font-size:10px;opacity:.7;display:block;margin-top:2px}
form{display:flex;gap:6px;padding:8px;border-top:1px solid #e5e7eb}
form input[type=text]{flex:1;padding:7px;border:1px solid #d1d5db;border-radius:6px;font-size:14px}
form button{padding:7px 12px;border:0;border-radius:6px;background:#2563eb;color:#fff;font-size:14px}
.empty{color:#9ca3af;font-size:13px}
";

/// Keeps the page current: reloads when the log changes, unless someone is typing.
const SCRIPT: &str = "
let seen = null;
async function poll(){
  try{
    const r = await fetch('/sandbox/version'); const v = await r.text();
    const typing = [...document.querySelectorAll('input[name=body]')].some(i => i.value.length > 0);
    if(seen !== null && v !== seen && !typing){ location.reload(); return; }
    if(seen === null || !typing) seen = v;
  }catch(e){}
  setTimeout(poll, 1500);
}
for(const log of document.querySelectorAll('.log')) log.scrollTop = log.scrollHeight;
poll();
";

/// The sandbox page: every configured phone with its conversation.
pub fn page(sandbox: &Sandbox, directory: &Directory, program: &str) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>handoff sandbox: {program}</title><style>{STYLE}</style></head><body>\
         <header><h1>handoff sandbox: {program}</h1>\
         <p>Texts are kept here instead of sent. Text as an officer (e.g. <b>LEAD 5th &amp; Main, retail theft</b>), \
         then answer as a case manager (e.g. <b>Y1001</b>, <b>ETA 15</b>, <b>DONE</b>). HELP lists the commands.</p></header><main>",
        program = escape(program)
    );
    // Times in the program's (first site's) zone: what the people on the page live in.
    let zone = directory
        .sites
        .values()
        .next()
        .map_or(chrono_tz::UTC, |site| site.schedule.tz);
    for phone in phones(directory) {
        let _ = write!(
            html,
            "<section id=\"{anchor}\"><h2>{name}</h2><div class=\"what\">{what} &middot; {number}</div><div class=\"log\">",
            anchor = escape(&phone.anchor),
            name = escape(&phone.name),
            what = escape(&phone.what),
            number = escape(phone.number.as_str()),
        );
        let conversation = sandbox.conversation(&phone.number);
        if conversation.is_empty() {
            html.push_str("<p class=\"empty\">No texts yet.</p>");
        }
        for entry in conversation {
            let class = match entry.direction {
                Direction::In => "in",
                Direction::Out => "out",
            };
            let _ = write!(
                html,
                "<div class=\"msg {class}\">{body}<span class=\"at\">{at}</span></div>",
                body = escape(&entry.body),
                at = entry.at.with_timezone(&zone).format("%a %H:%M:%S %Z"),
            );
        }
        let _ = write!(
            html,
            "</div><form method=\"post\" action=\"/sandbox/send\">\
             <input type=\"hidden\" name=\"from\" value=\"{number}\">\
             <input type=\"hidden\" name=\"anchor\" value=\"{anchor}\">\
             <input type=\"text\" name=\"body\" placeholder=\"Text as {name}\" autocomplete=\"off\" aria-label=\"Text as {name}\">\
             <button type=\"submit\">Send</button></form></section>",
            number = escape(phone.number.as_str()),
            anchor = escape(&phone.anchor),
            name = escape(&phone.name),
        );
    }
    let _ = write!(html, "</main><script>{SCRIPT}</script></body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_in_content_and_attributes() {
        assert_eq!(
            escape("<b>\"5th & Main\"</b>"),
            "&lt;b&gt;&quot;5th &amp; Main&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn the_log_keeps_order_and_drops_the_oldest_beyond_its_bound() {
        let sandbox = Sandbox::new();
        let phone = PhoneNumber::parse("+14125550101").unwrap();
        let at = DateTime::from_timestamp(0, 0).unwrap();
        for n in 0..(MAX_ENTRIES + 3) {
            sandbox.deliver(&phone, &n.to_string(), at);
        }
        let conversation = sandbox.conversation(&phone);
        assert_eq!(conversation.len(), MAX_ENTRIES);
        assert_eq!(conversation[0].body, "3");
        assert_eq!(sandbox.version(), (MAX_ENTRIES + 3) as u64);
    }
}
