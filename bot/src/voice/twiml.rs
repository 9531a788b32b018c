//! The TwiML a call is answered with: the few verbs handoff uses, as types, written
//! out with every text and attribute XML-escaped (`sms::webhook::xml_escape`, the
//! same escaping the SMS replies use).
//!
//! A personal phone number appears in one place only, inside `<Number>`, which
//! Twilio dials and never reads to anyone; caller ID is always the program's number.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::sms::webhook::xml_escape;

/// One verb of a TwiML `<Response>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verb {
    Say(String),
    Hangup,
    /// Rings one number; when the leg ends, Twilio posts `action` with
    /// `DialCallStatus` and continues with the TwiML it answers.
    Dial(Dial),
    /// Waits for one key; a key posts `action` with `Digits`. Without one, the
    /// verbs after it run.
    Gather {
        action: String,
        timeout_seconds: u64,
        prompt: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dial {
    pub action: String,
    /// What the called person's phone shows: the program's number.
    pub caller_id: String,
    pub timeout_seconds: u64,
    /// The person's number, E.164.
    pub number: String,
    /// The TwiML the called person hears when they answer, before they are
    /// connected (Twilio's call screening): the offer, and "press 1".
    pub screen: String,
}

/// The XML document of these verbs.
pub(crate) fn document(verbs: &[Verb]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    for verb in verbs {
        match verb {
            Verb::Say(text) => {
                xml.push_str("<Say>");
                xml.push_str(&xml_escape(text));
                xml.push_str("</Say>");
            }
            Verb::Hangup => xml.push_str("<Hangup/>"),
            Verb::Dial(dial) => {
                xml.push_str(&format!(
                    "<Dial action=\"{}\" method=\"POST\" timeout=\"{}\" callerId=\"{}\"><Number url=\"{}\" method=\"POST\">{}</Number></Dial>",
                    xml_escape(&dial.action),
                    dial.timeout_seconds,
                    xml_escape(&dial.caller_id),
                    xml_escape(&dial.screen),
                    xml_escape(&dial.number),
                ));
            }
            Verb::Gather {
                action,
                timeout_seconds,
                prompt,
            } => {
                xml.push_str(&format!(
                    "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"{timeout_seconds}\" action=\"{}\" method=\"POST\"><Say>{}</Say></Gather>",
                    xml_escape(action),
                    xml_escape(prompt),
                ));
            }
        }
    }
    xml.push_str("</Response>");
    xml
}

/// The HTTP answer carrying these verbs.
pub(crate) fn respond(verbs: &[Verb]) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        document(verbs),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::{Dial, Verb, document};

    #[test]
    fn words_urls_and_numbers_are_escaped_wherever_they_appear() {
        let xml = document(&[
            Verb::Say("5th & Main <north> \"x\"".to_owned()),
            Verb::Dial(Dial {
                action: "https://h.example/voice/leg?handoff=1&leg=0".to_owned(),
                caller_id: "+14125550100".to_owned(),
                timeout_seconds: 20,
                number: "+14125550111".to_owned(),
                screen: "https://h.example/voice/screen?handoff=1&leg=0".to_owned(),
            }),
            Verb::Hangup,
        ]);
        assert!(xml.contains("<Say>5th &amp; Main &lt;north&gt; &quot;x&quot;</Say>"));
        assert!(xml.contains("action=\"https://h.example/voice/leg?handoff=1&amp;leg=0\""));
        assert!(xml.contains("<Number url=\"https://h.example/voice/screen?handoff=1&amp;leg=0\" method=\"POST\">+14125550111</Number>"));
        assert!(xml.ends_with("<Hangup/></Response>"));
    }
}
