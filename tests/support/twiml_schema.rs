//! A check of TwiML against Twilio's documented Voice verbs, applied to every
//! document the voice journeys receive: a small XML reader (elements, attributes in
//! double quotes, text, the five predefined entities: all that TwiML needs, and
//! anything else is refused), then, for each verb and noun handoff emits, the
//! attributes and children Twilio's reference pages list for it and the values
//! they take.
//!
//! From Twilio's TwiML Voice reference (`<Response>`, `<Say>`, `<Pause>`,
//! `<Hangup>`, `<Redirect>`, `<Dial>`, `<Number>`, `<Gather>`): `<Gather>` nests
//! only `<Say>`, `<Play>` and `<Pause>`; `<Dial>` nests nouns (`<Number>`, ...) or
//! a bare number; `<Number>` holds a number in E.164; a document run on the called
//! party's side (`<Number url>`, call screening) may not `<Dial>`.

/// An XML element: its name, attributes in order, children, and its text (the
/// character data directly inside it, entities decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Where a document runs: on the officer's call, or on a called person's leg
/// before they are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Caller,
    Screening,
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn fail(&self, what: &str) -> String {
        format!("{what} at byte {} of {}", self.at, self.text)
    }

    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.at += prefix.len();
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) {
        while self.rest().starts_with([' ', '\n', '\r', '\t']) {
            self.at += 1;
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':'))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(self.fail("expected a name"));
        }
        let name = self.rest()[..len].to_owned();
        self.at += len;
        Ok(name)
    }

    fn chars_until(&mut self, end: char) -> Result<String, String> {
        let len = self
            .rest()
            .find(end)
            .ok_or_else(|| self.fail("unterminated"))?;
        let raw = self.rest()[..len].to_owned();
        self.at += len;
        decode(&raw).ok_or_else(|| self.fail("a bad entity or a raw < or &"))
    }

    fn element(&mut self) -> Result<Element, String> {
        if !self.eat("<") {
            return Err(self.fail("expected <"));
        }
        let name = self.name()?;
        let mut attributes = Vec::new();
        loop {
            self.skip_space();
            if self.eat("/>") {
                return Ok(Element {
                    name,
                    attributes,
                    children: Vec::new(),
                    text: String::new(),
                });
            }
            if self.eat(">") {
                break;
            }
            let key = self.name()?;
            if !self.eat("=\"") {
                return Err(self.fail("expected =\""));
            }
            let value = self.chars_until('"')?;
            self.at += 1;
            if attributes.iter().any(|(k, _)| *k == key) {
                return Err(self.fail("a repeated attribute"));
            }
            attributes.push((key, value));
        }
        let mut children = Vec::new();
        let mut text = String::new();
        loop {
            if self.eat("</") {
                let closing = self.name()?;
                if closing != name || !self.eat(">") {
                    return Err(self.fail(&format!("</{name}> expected")));
                }
                return Ok(Element {
                    name,
                    attributes,
                    children,
                    text,
                });
            }
            if self.rest().starts_with('<') {
                children.push(self.element()?);
            } else {
                text.push_str(&self.chars_until('<')?);
            }
        }
    }
}

/// Character data with its entities decoded; `None` for a raw `<`, `&` not
/// starting an entity, or an unknown entity.
fn decode(raw: &str) -> Option<String> {
    if raw.contains('<') {
        return None;
    }
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';')?;
        out.push(match &rest[at + 1..at + end] {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => return None,
        });
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Parses a TwiML document (an optional XML declaration, then one element).
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader { text: xml, at: 0 };
    if reader.eat("<?xml") {
        let end = reader.rest().find("?>").ok_or("unterminated declaration")?;
        reader.at += end + 2;
    }
    reader.skip_space();
    let root = reader.element()?;
    reader.skip_space();
    if !reader.rest().is_empty() {
        return Err(reader.fail("content after the root element"));
    }
    Ok(root)
}

/// What Twilio's reference allows one element.
struct Rule {
    name: &'static str,
    attributes: &'static [&'static str],
    children: &'static [&'static str],
    /// Whether character data (other than whitespace) may appear directly in it.
    text: bool,
}

const VERBS: &[&str] = &[
    "Say", "Play", "Pause", "Dial", "Gather", "Hangup", "Redirect", "Reject", "Record", "Enqueue",
    "Leave", "Sms", "Connect", "Stream", "Refer", "Pay",
];

const RULES: &[Rule] = &[
    Rule {
        name: "Response",
        attributes: &[],
        children: VERBS,
        text: false,
    },
    Rule {
        name: "Say",
        attributes: &["voice", "language", "loop"],
        children: &[],
        text: true,
    },
    Rule {
        name: "Pause",
        attributes: &["length"],
        children: &[],
        text: false,
    },
    Rule {
        name: "Hangup",
        attributes: &[],
        children: &[],
        text: false,
    },
    Rule {
        name: "Redirect",
        attributes: &["method"],
        children: &[],
        text: true,
    },
    Rule {
        name: "Dial",
        attributes: &[
            "action",
            "answerOnBridge",
            "callerId",
            "callReason",
            "events",
            "hangupOnStar",
            "method",
            "record",
            "recordingStatusCallback",
            "recordingStatusCallbackMethod",
            "recordingStatusCallbackEvent",
            "recordingTrack",
            "referUrl",
            "referMethod",
            "ringTone",
            "timeLimit",
            "timeout",
            "trim",
            "sequential",
        ],
        children: &[
            "Number",
            "Client",
            "Conference",
            "Queue",
            "Sip",
            "Application",
        ],
        text: true,
    },
    Rule {
        name: "Number",
        attributes: &[
            "sendDigits",
            "url",
            "method",
            "byoc",
            "statusCallbackEvent",
            "statusCallback",
            "statusCallbackMethod",
            "machineDetection",
            "machineDetectionTimeout",
            "machineDetectionSpeechThreshold",
            "machineDetectionSpeechEndThreshold",
            "machineDetectionSilenceTimeout",
            "amdStatusCallback",
            "amdStatusCallbackMethod",
        ],
        children: &[],
        text: true,
    },
    Rule {
        name: "Gather",
        attributes: &[
            "action",
            "actionOnEmptyResult",
            "enhanced",
            "finishOnKey",
            "hints",
            "input",
            "language",
            "method",
            "numDigits",
            "partialResultCallback",
            "partialResultCallbackMethod",
            "profanityFilter",
            "speechModel",
            "speechTimeout",
            "timeout",
        ],
        children: &["Say", "Play", "Pause"],
        text: false,
    },
];

fn positive_integer(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) && value != "0"
}

fn e164(value: &str) -> bool {
    value.len() >= 8
        && value.len() <= 16
        && value.starts_with('+')
        && value[1..].bytes().all(|b| b.is_ascii_digit())
}

fn absolute_url(value: &str) -> bool {
    value.starts_with("http://") || value.starts_with("https://")
}

/// Checks the values of the attributes whose allowed values the reference lists.
fn check_value(element: &str, key: &str, value: &str) -> Result<(), String> {
    let ok = match key {
        "method" => matches!(value, "GET" | "POST"),
        "timeout" | "numDigits" | "length" | "timeLimit" => positive_integer(value),
        "callerId" => e164(value),
        "url" | "action" => absolute_url(value),
        "answerOnBridge" | "hangupOnStar" | "actionOnEmptyResult" => {
            matches!(value, "true" | "false")
        }
        "input" => matches!(value, "dtmf" | "speech" | "dtmf speech" | "speech dtmf"),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "<{element} {key}=\"{value}\"> is not a value Twilio allows"
        ))
    }
}

fn check(element: &Element, side: Side) -> Result<(), String> {
    let rule = RULES
        .iter()
        .find(|r| r.name == element.name)
        .ok_or_else(|| format!("<{}> is not a verb or noun this schema knows", element.name))?;
    for (key, value) in &element.attributes {
        if !rule.attributes.contains(&key.as_str()) {
            return Err(format!("<{}> has no attribute {key}", element.name));
        }
        check_value(&element.name, key, value)?;
    }
    if !rule.text && !element.text.trim().is_empty() {
        return Err(format!("<{}> holds no text", element.name));
    }
    if element.name == "Number" && !e164(element.text.trim()) {
        return Err(format!("<Number> holds `{}`, not E.164", element.text));
    }
    if element.name == "Dial" && side == Side::Screening {
        return Err("a screening document may not <Dial>".to_owned());
    }
    if element.name == "Dial" && element.children.is_empty() && element.text.trim().is_empty() {
        return Err("<Dial> dials nothing".to_owned());
    }
    for child in &element.children {
        if !rule.children.contains(&child.name.as_str()) {
            return Err(format!("<{}> may not hold <{}>", element.name, child.name));
        }
        check(child, side)?;
    }
    Ok(())
}

/// Parses `xml` and checks it against the schema; the document, or what is wrong.
pub fn validate(xml: &str, side: Side) -> Result<Element, String> {
    let root = parse(xml)?;
    if root.name != "Response" {
        return Err(format!("the root is <{}>, not <Response>", root.name));
    }
    check(&root, side)?;
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::{Side, parse, validate};

    #[test]
    fn documents_twilio_would_refuse_are_refused() {
        let ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>a &amp; b</Say><Hangup/></Response>";
        assert_eq!(
            validate(ok, Side::Caller).unwrap().children[0].text,
            "a & b"
        );
        for bad in [
            "<Response><Say>a & b</Say></Response>",
            "<Response><Hangup></Response>",
            "<Response><Gather><Dial>+14125550111</Dial></Gather></Response>",
            "<Response><Dial timeout=\"0\"><Number>+14125550111</Number></Dial></Response>",
            "<Response><Dial><Number>412-555-0111</Number></Dial></Response>",
            "<Response><Say colour=\"red\">hi</Say></Response>",
            "<Response><Dial action=\"/relative\"><Number>+14125550111</Number></Dial></Response>",
            "<Say>hi</Say>",
        ] {
            assert!(validate(bad, Side::Caller).is_err(), "{bad}");
        }
        let dial = "<Response><Dial><Number>+14125550111</Number></Dial></Response>";
        assert!(validate(dial, Side::Caller).is_ok());
        assert!(validate(dial, Side::Screening).is_err());
        assert!(parse("<a x=\"1\" x=\"2\"/>").is_err());
    }
}
