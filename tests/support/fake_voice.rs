//! A fake Twilio Voice provider, for the voice journeys: it plays the phone
//! network's side of an officer's call to the program's number. It posts Twilio's
//! Voice webhook (signed with `X-Twilio-Signature` as Twilio signs it), reads the
//! TwiML answered, checks every document against Twilio's documented verbs
//! (`twiml_schema`), and follows it: what `<Say>` says is heard, `<Hangup>` ends
//! the call, and a `<Dial>` leg waits for the test to say how the called phone
//! answers ([`Pickup`]). An answered leg runs its `<Number url>` screening on the
//! called person's side (`<Gather>`: a scripted key, or none for voicemail); then
//! the `<Dial>` action is posted with `DialCallStatus` and the call goes on.
//!
//! Time passes on the service's mock clock, never in real sleeps: a leg nobody
//! answers takes its `timeout`, an answered one a few seconds to pick up.
//!
//! ```ignore
//! let voice = FakeVoice::new(&svc);
//! let mut call = voice.call(RIVERA).await;       // rings the first leg
//! voice.pick_up(&mut call, Pickup::NoAnswer).await;  // ... the second
//! voice.pick_up(&mut call, Pickup::Press('1')).await;
//! assert_eq!(call.connected.as_deref(), Some(LEE));
//! ```

use chrono::Duration;
use handoff_bot::sms::signature;
use handoff_dispatcher::MockClock;
use reqwest::header;

use crate::service::{ACCOUNT_SID, AUTH_TOKEN, PROGRAM_NUMBER, Service};
use crate::twiml_schema::{Element, Side, validate};

/// How a called phone answers a leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pickup {
    NoAnswer,
    Busy,
    /// Voicemail answers: it listens and presses nothing.
    Voicemail,
    /// The person answers and presses this key.
    Press(char),
    /// The officer hangs up while it rings.
    CallerHangsUp,
}

/// A leg as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegSeen {
    /// The number dialed.
    pub number: String,
    /// The caller ID the called phone showed.
    pub caller_id: String,
    pub timeout_seconds: i64,
    /// What the called person heard.
    pub heard: Vec<String>,
    /// The `DialCallStatus` reported.
    pub status: String,
}

/// A leg ringing, waiting for [`FakeVoice::pick_up`].
#[derive(Debug, Clone)]
struct Dialing {
    action: String,
    number: String,
    caller_id: String,
    timeout_seconds: i64,
    screen: Option<String>,
}

/// One officer's call.
#[derive(Debug)]
pub struct Call {
    pub sid: String,
    pub from: String,
    /// What the officer heard, in order.
    pub heard: Vec<String>,
    pub legs: Vec<LegSeen>,
    /// The number the officer was connected to, if any.
    pub connected: Option<String>,
    /// The call is over (hung up by TwiML, or nothing left to do).
    pub ended: bool,
    /// Every document the call received, for assertions on what it held.
    pub documents: Vec<String>,
    dialing: Option<Dialing>,
}

impl Call {
    /// The number ringing now, if a leg waits for an answer.
    pub fn ringing(&self) -> Option<&str> {
        self.dialing.as_ref().map(|d| d.number.as_str())
    }
}

pub struct FakeVoice {
    base: String,
    clock: MockClock,
    http: reqwest::Client,
    counter: std::sync::atomic::AtomicU32,
}

impl FakeVoice {
    /// A provider calling `service`'s voice webhooks, moving its clock.
    pub fn new(service: &Service) -> FakeVoice {
        FakeVoice {
            base: service.running.public_url.clone(),
            clock: service.clock.clone(),
            http: reqwest::Client::new(),
            counter: std::sync::atomic::AtomicU32::new(1),
        }
    }

    fn sid(&self, prefix: &str) -> String {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{prefix}{n:032x}")
    }

    /// Posts `params` to `url`, signed; the HTTP status and body.
    pub async fn post(&self, url: &str, params: &[(&str, &str)]) -> (u16, String) {
        self.post_owned(url, &owned(params)).await
    }

    async fn post_owned(&self, url: &str, params: &[(String, String)]) -> (u16, String) {
        let signature = signature::sign(AUTH_TOKEN, url, params);
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .finish();
        let response = self
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("X-Twilio-Signature", signature)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("no answer from {url}: {e}"));
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Posts to `url` and returns its TwiML, checked against the schema; the
    /// document is kept in `call`.
    async fn twiml(
        &self,
        url: &str,
        params: &[(String, String)],
        side: Side,
        call: &mut Call,
    ) -> Element {
        let (status, body) = self.post_owned(url, params).await;
        assert_eq!(status, 200, "{url} answered {status}: {body}");
        let document = validate(&body, side)
            .unwrap_or_else(|e| panic!("invalid TwiML from {url}: {e}\n{body}"));
        call.documents.push(body);
        document
    }

    /// The parameters Twilio posts about the officer's call.
    fn call_params(call: &Call, status: &str) -> Vec<(String, String)> {
        owned(&[
            ("AccountSid", ACCOUNT_SID),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", call.sid.as_str()),
            ("CallStatus", status),
            ("Called", PROGRAM_NUMBER),
            ("Caller", call.from.as_str()),
            ("Direction", "inbound"),
            ("From", call.from.as_str()),
            ("To", PROGRAM_NUMBER),
        ])
    }

    /// `from` calls the program's number; the call runs until a leg rings or it
    /// ends.
    pub async fn call(&self, from: &str) -> Call {
        let sid = self.sid("CA");
        self.call_with_sid(from, &sid).await
    }

    /// [`FakeVoice::call`] with a given `CallSid`, as a retried webhook has.
    pub async fn call_with_sid(&self, from: &str, sid: &str) -> Call {
        let mut call = Call {
            sid: sid.to_owned(),
            from: from.to_owned(),
            heard: Vec::new(),
            legs: Vec::new(),
            connected: None,
            ended: false,
            documents: Vec::new(),
            dialing: None,
        };
        let url = format!("{}/voice/inbound", self.base);
        let params = Self::call_params(&call, "ringing");
        let document = self.twiml(&url, &params, Side::Caller, &mut call).await;
        self.run(&mut call, &document);
        call
    }

    /// Follows the officer's side of a document: says, hangs up, or starts a leg.
    fn run(&self, call: &mut Call, document: &Element) {
        for verb in &document.children {
            match verb.name.as_str() {
                "Say" => call.heard.push(verb.text.clone()),
                "Hangup" => {
                    call.ended = true;
                    return;
                }
                "Dial" => {
                    let number = verb
                        .children
                        .iter()
                        .find(|n| n.name == "Number")
                        .unwrap_or_else(|| panic!("a <Dial> without <Number>: {verb:?}"));
                    call.dialing = Some(Dialing {
                        action: verb.attribute("action").unwrap_or_default().to_owned(),
                        number: number.text.trim().to_owned(),
                        caller_id: verb.attribute("callerId").unwrap_or_default().to_owned(),
                        timeout_seconds: verb
                            .attribute("timeout")
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(30),
                        screen: number.attribute("url").map(str::to_owned),
                    });
                    return;
                }
                other => panic!("the fake does not follow <{other}> on the caller's side"),
            }
        }
        // Out of verbs: Twilio hangs up.
        call.ended = true;
    }

    /// The ringing leg is answered as `pickup` says; then the `<Dial>` action is
    /// posted and the officer's call goes on.
    pub async fn pick_up(&self, call: &mut Call, pickup: Pickup) {
        let dialing = call
            .dialing
            .take()
            .unwrap_or_else(|| panic!("no leg is ringing; the officer heard {:?}", call.heard));
        let mut leg = LegSeen {
            number: dialing.number.clone(),
            caller_id: dialing.caller_id.clone(),
            timeout_seconds: dialing.timeout_seconds,
            heard: Vec::new(),
            status: String::new(),
        };
        let child = self.sid("CA");
        match pickup {
            Pickup::NoAnswer => {
                self.clock
                    .advance(Duration::seconds(dialing.timeout_seconds));
                leg.status = "no-answer".to_owned();
            }
            Pickup::Busy => {
                self.clock.advance(Duration::seconds(2));
                leg.status = "busy".to_owned();
            }
            Pickup::CallerHangsUp => {
                self.clock.advance(Duration::seconds(5));
                leg.status = "canceled".to_owned();
            }
            Pickup::Voicemail | Pickup::Press(_) => {
                self.clock.advance(Duration::seconds(6));
                let key = match pickup {
                    Pickup::Press(key) => Some(key),
                    _ => None,
                };
                let bridged = match &dialing.screen {
                    Some(url) => {
                        self.screen(call, url, &child, &dialing, key, &mut leg)
                            .await
                    }
                    None => true,
                };
                if bridged {
                    call.connected = Some(dialing.number.clone());
                    // They talk for a while.
                    self.clock.advance(Duration::minutes(2));
                }
                leg.status = "completed".to_owned();
            }
        }
        let status = leg.status.clone();
        call.legs.push(leg);
        let call_status = if pickup == Pickup::CallerHangsUp {
            "completed"
        } else {
            "in-progress"
        };
        let mut params = Self::call_params(call, call_status);
        params.extend(owned(&[
            ("DialCallSid", child.as_str()),
            ("DialCallStatus", status.as_str()),
        ]));
        let document = self
            .twiml(&dialing.action, &params, Side::Caller, call)
            .await;
        self.run(call, &document);
    }

    /// Runs the screening on the called person's side; whether they end up
    /// connected (the document ran out without hanging up).
    async fn screen(
        &self,
        call: &mut Call,
        url: &str,
        child: &str,
        dialing: &Dialing,
        key: Option<char>,
        leg: &mut LegSeen,
    ) -> bool {
        let params = owned(&[
            ("AccountSid", ACCOUNT_SID),
            ("CallSid", child),
            ("CallStatus", "in-progress"),
            ("Direction", "outbound-dial"),
            ("From", dialing.caller_id.as_str()),
            ("ParentCallSid", call.sid.as_str()),
            ("To", dialing.number.as_str()),
        ]);
        let mut document = self.twiml(url, &params, Side::Screening, call).await;
        loop {
            let mut next = None;
            for verb in &document.children {
                match verb.name.as_str() {
                    "Say" => leg.heard.push(verb.text.clone()),
                    "Hangup" => return false,
                    "Gather" => {
                        for say in verb.children.iter().filter(|c| c.name == "Say") {
                            leg.heard.push(say.text.clone());
                        }
                        if let Some(key) = key {
                            let action = verb
                                .attribute("action")
                                .unwrap_or_else(|| panic!("a <Gather> without action"))
                                .to_owned();
                            next = Some((action, key.to_string()));
                            break;
                        }
                        // Nothing pressed: the verbs after it run once it times out.
                        let wait = verb
                            .attribute("timeout")
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(5);
                        self.clock.advance(Duration::seconds(wait));
                    }
                    other => panic!("the fake does not follow <{other}> in a screening"),
                }
            }
            let Some((action, digits)) = next else {
                // The document ran out without hanging up: connected.
                return true;
            };
            let mut with = params.clone();
            with.push(("Digits".to_owned(), digits));
            document = self.twiml(&action, &with, Side::Screening, call).await;
        }
    }
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
