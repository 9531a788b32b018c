//! The sandbox SMS provider: messages are recorded in the database instead of sent,
//! and a local page shows one phone per configured officer and staff member with its
//! conversation and a box to text as them. It lets anyone run handoff end to end
//! with no provider account: play the officer in one panel and the case manager in
//! another.
//!
//! The conversations live in the store (`sandbox_log`) beside the hand-offs they
//! belong to, so a restart shows what was said about the hand-offs still open; what a
//! person typed is stored redacted, what handoff sent as rendered, and retention
//! deletes both after the program's `message_retention`. Message ids are made from
//! the row numbers, which the database never gives twice: inbound ids are
//! remembered to ignore provider retries, so an id reused after a restart would make
//! a new text look like a retry and go unanswered.
//!
//! Posting a text as someone is refused unless it comes from the sandbox page itself
//! (see [`check_origin`]): a form on another site must not be able to text as an
//! officer through a visitor's browser.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use handoff_dispatcher::redact::redact;
use handoff_dispatcher::store::Outbox;
use handoff_dispatcher::store::{SandboxDirection, SandboxEntry};
use handoff_dispatcher::{Directory, PhoneNumber, StoreError};

use crate::sms::provider::Sent;

/// The most texts shown per phone, newest kept: the page stays quick to render and
/// to read however long a demonstration runs.
pub const MAX_SHOWN: i64 = 200;

/// The sandbox provider: a handle on the store's sandbox log.
#[derive(Debug, Clone)]
pub struct Sandbox {
    store: Outbox,
}

impl Sandbox {
    pub fn new(store: Outbox) -> Sandbox {
        Sandbox { store }
    }

    /// "Sends" a text: records it as rendered, and answers like a provider would.
    pub async fn deliver(
        &self,
        to: &PhoneNumber,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<Sent, StoreError> {
        let id = self
            .store
            .sandbox_record(to, SandboxDirection::Out, body, at)
            .await?;
        Ok(Sent {
            sid: format!("SB{id:032}"),
            status: "sent".to_owned(),
        })
    }

    /// Records a text typed on the page as `from`, redacted; returns its message id.
    pub async fn received(
        &self,
        from: &PhoneNumber,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = self
            .store
            .sandbox_record(from, SandboxDirection::In, &redact(body), at)
            .await?;
        Ok(format!("SBIN{id:030}"))
    }

    /// A token that changes whenever a text is recorded or retention deletes some:
    /// the page polls it to know when to refresh.
    pub async fn version(&self) -> Result<String, StoreError> {
        let version = self.store.sandbox_version().await?;
        Ok(format!("{}-{}", version.newest, version.count))
    }

    /// The last [`MAX_SHOWN`] texts of `phone`'s conversation, oldest first.
    pub async fn conversation(&self, phone: &PhoneNumber) -> Result<Vec<SandboxEntry>, StoreError> {
        self.store.sandbox_conversation(phone, MAX_SHOWN).await
    }

    /// The sandbox page: every configured phone with its conversation.
    pub async fn page(&self, directory: &Directory, program: &str) -> Result<String, StoreError> {
        let mut shown = Vec::new();
        for phone in phones(directory) {
            let conversation = self.conversation(&phone.number).await?;
            shown.push((phone, conversation));
        }
        // Times in the program's (first site's) zone: what the people on the page
        // live in.
        let zone = directory
            .sites
            .values()
            .next()
            .map_or(chrono_tz::UTC, |site| site.schedule.tz);
        Ok(render(&shown, zone, program))
    }
}

/// Why a post to `/sandbox/send` is refused as not coming from the sandbox page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossOrigin {
    #[error("the browser says the request came from another site (Sec-Fetch-Site: {0})")]
    FetchSite(String),
    #[error("the request came from {origin}, not from this server ({host})")]
    Origin { origin: String, host: String },
    #[error("the request names no host")]
    NoHost,
    #[error(
        "`{0}` is not a name of this server: open the sandbox at its loopback address, \
         an IP address, or its public URL"
    )]
    ForeignHost(String),
}

/// Whether a post comes from the sandbox page of this server, from its request's
/// `Origin`, `Sec-Fetch-Site` and `Host` headers and the server's public URL.
///
/// - `Sec-Fetch-Site`, when present, must be `same-origin`: `same-site` is refused
///   too, since another port of the same machine is the same site.
/// - `Origin`, when present, must be `http://` or `https://` (a TLS proxy may stand
///   in front) followed by exactly the request's `Host`; `null` is refused. And that
///   host must be one of the server's own names: an IP address, `localhost`, or the
///   host of `public_url`. Without this a page of another site could re-point its
///   own name at 127.0.0.1 (DNS rebinding) and post as its own origin.
/// - A request without `Origin` is accepted: every current browser sends `Origin`
///   on a POST, so it comes from a program such as curl, which could send any
///   header it liked and is not what this check guards against.
pub fn check_origin(
    origin: Option<&str>,
    fetch_site: Option<&str>,
    host: Option<&str>,
    public_url: &str,
) -> Result<(), CrossOrigin> {
    if let Some(site) = fetch_site
        && !site.trim().eq_ignore_ascii_case("same-origin")
    {
        return Err(CrossOrigin::FetchSite(site.to_owned()));
    }
    let Some(origin) = origin else {
        return Ok(());
    };
    let origin = origin.trim();
    let host = host.map(str::trim).filter(|h| !h.is_empty());
    let Some(host) = host else {
        return Err(CrossOrigin::NoHost);
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    if !authority.is_some_and(|a| a.eq_ignore_ascii_case(host)) {
        return Err(CrossOrigin::Origin {
            origin: origin.to_owned(),
            host: host.to_owned(),
        });
    }
    if !is_own_host(host, public_url) {
        return Err(CrossOrigin::ForeignHost(host.to_owned()));
    }
    Ok(())
}

/// Whether `host` (a `Host` header: name or address, maybe a port) names this
/// server: an IP address or `localhost` (no DNS name to re-point), or the host of
/// the public URL.
fn is_own_host(host: &str, public_url: &str) -> bool {
    let public = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest);
    let public = public.split('/').next().unwrap_or_default();
    if !public.is_empty() && host.eq_ignore_ascii_case(public) {
        return true;
    }
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        match rest.split_once(']') {
            Some((address, _)) => return address.parse::<Ipv6Addr>().is_ok(),
            None => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<Ipv4Addr>().is_ok()
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

/// The page's HTML: every phone with its conversation, times shown in `zone`.
fn render(shown: &[(Phone, Vec<SandboxEntry>)], zone: chrono_tz::Tz, program: &str) -> String {
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
    for (phone, conversation) in shown {
        let _ = write!(
            html,
            "<section id=\"{anchor}\"><h2>{name}</h2><div class=\"what\">{what} &middot; {number}</div><div class=\"log\">",
            anchor = escape(&phone.anchor),
            name = escape(&phone.name),
            what = escape(&phone.what),
            number = escape(phone.number.as_str()),
        );
        if conversation.is_empty() {
            html.push_str("<p class=\"empty\">No texts yet.</p>");
        }
        for entry in conversation {
            let class = match entry.direction {
                SandboxDirection::In => "in",
                SandboxDirection::Out => "out",
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

    const PUBLIC: &str = "http://127.0.0.1:8080";

    #[test]
    fn html_is_escaped_in_content_and_attributes() {
        assert_eq!(
            escape("<b>\"5th & Main\"</b>"),
            "&lt;b&gt;&quot;5th &amp; Main&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn a_post_from_the_page_itself_is_accepted() {
        let host = Some("127.0.0.1:8080");
        let same = Some("same-origin");
        assert_eq!(
            check_origin(Some("http://127.0.0.1:8080"), same, host, PUBLIC),
            Ok(())
        );
        assert_eq!(
            check_origin(
                Some("http://localhost:9000"),
                same,
                Some("localhost:9000"),
                PUBLIC
            ),
            Ok(())
        );
        assert_eq!(
            check_origin(Some("http://[::1]:8080"), None, Some("[::1]:8080"), PUBLIC),
            Ok(())
        );
        // Behind a TLS proxy, at the public URL's name.
        assert_eq!(
            check_origin(
                Some("https://demo.example.org"),
                same,
                Some("demo.example.org"),
                "https://demo.example.org/"
            ),
            Ok(())
        );
    }

    #[test]
    fn a_post_without_origin_from_a_program_is_accepted() {
        assert_eq!(
            check_origin(None, None, Some("127.0.0.1:8080"), PUBLIC),
            Ok(())
        );
        assert_eq!(check_origin(None, None, None, PUBLIC), Ok(()));
    }

    #[test]
    fn a_post_from_another_site_or_port_is_refused() {
        let host = Some("127.0.0.1:8080");
        assert!(matches!(
            check_origin(Some("https://evil.example"), None, host, PUBLIC),
            Err(CrossOrigin::Origin { .. })
        ));
        assert!(matches!(
            check_origin(Some("http://127.0.0.1:3000"), None, host, PUBLIC),
            Err(CrossOrigin::Origin { .. })
        ));
        assert!(matches!(
            check_origin(Some("null"), None, host, PUBLIC),
            Err(CrossOrigin::Origin { .. })
        ));
        assert_eq!(
            check_origin(None, Some("cross-site"), host, PUBLIC),
            Err(CrossOrigin::FetchSite("cross-site".to_owned()))
        );
        assert_eq!(
            check_origin(
                Some("http://127.0.0.1:8080"),
                Some("same-site"),
                host,
                PUBLIC
            ),
            Err(CrossOrigin::FetchSite("same-site".to_owned()))
        );
        assert_eq!(
            check_origin(Some("http://127.0.0.1:8080"), None, None, PUBLIC),
            Err(CrossOrigin::NoHost)
        );
    }

    #[test]
    fn a_site_that_points_its_own_name_at_this_server_is_refused() {
        assert_eq!(
            check_origin(
                Some("http://rebind.example:8080"),
                Some("same-origin"),
                Some("rebind.example:8080"),
                PUBLIC
            ),
            Err(CrossOrigin::ForeignHost("rebind.example:8080".to_owned()))
        );
    }

    #[test]
    fn conversations_render_in_order_with_their_direction() {
        let number = PhoneNumber::parse("+14125550101").unwrap();
        let at = DateTime::from_timestamp(0, 0).unwrap();
        let entry = |id, direction, body: &str| SandboxEntry {
            id,
            at,
            phone: number.clone(),
            direction,
            body: body.to_owned(),
        };
        let phone = Phone {
            anchor: "officer-rivera".to_owned(),
            name: "Ofc. Ana Rivera".to_owned(),
            what: "officer, Metro PD".to_owned(),
            number: number.clone(),
        };
        let html = render(
            &[(
                phone,
                vec![
                    entry(1, SandboxDirection::In, "LEAD <5th & Main>"),
                    entry(2, SandboxDirection::Out, "Got it: #1001"),
                ],
            )],
            chrono_tz::UTC,
            "Demo",
        );
        let asked = html.find("msg in\">LEAD &lt;5th &amp; Main&gt;").unwrap();
        let answered = html.find("msg out\">Got it: #1001").unwrap();
        assert!(asked < answered);
        assert!(!html.contains("No texts yet."));
    }
}
