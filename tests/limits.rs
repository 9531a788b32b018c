//! The server against clients that misbehave, on a real `handoff serve` (in
//! process, on loopback) with a three-second client timeout and a small sender
//! limit: a body over the limit is refused with 413 on every POST endpoint, by
//! its `Content-Length` or as it streams in; too many or too large header lines
//! get 431; a client that stalls its headers is disconnected and one that
//! trickles its body is answered 408, both after the client timeout, while other
//! requests are served meanwhile; one phone flooding the webhook is acknowledged
//! but not handled past its limit, told so once, and other senders are answered
//! promptly throughout; a flood of forged webhooks from one address is answered
//! 429 without refusing the provider's signed ones, from there or elsewhere; a
//! flood of every other endpoint leaves the webhook answered promptly; and
//! hostile forms get a 400 that says what is wrong.
//!
//! The only real waiting is for the three-second timeout, in a few tests that run
//! side by side; the flood limits run on the service's mock clock.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use handoff_bot::serve::{self, Options};
use handoff_bot::sms::signature;
use handoff_dispatcher::MockClock;
use handoff_tests::at;
use handoff_tests::fake_twilio::message_sid;
use handoff_tests::journey::{MONDAY, REQUEST, minutes};
use handoff_tests::service::{AUTH_TOKEN, CHEN, PROGRAM, PROGRAM_NUMBER, RIVERA, Service};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The journey program with a three-second client timeout and room for five texts
/// at once, then one a minute.
fn program() -> String {
    format!(
        "{PROGRAM}\n[server]\nclient_timeout = \"3s\"\nsender_burst = 5\nsender_per_minute = 1\n"
    )
}

async fn service() -> Service {
    Service::start_with(&program(), MONDAY, None).await
}

/// The signed form of an inbound text, as the provider posts it.
fn inbound(from: &str, body: &str) -> Vec<(String, String)> {
    let sid = message_sid();
    [
        ("MessageSid", sid.as_str()),
        ("SmsSid", sid.as_str()),
        ("From", from),
        ("To", PROGRAM_NUMBER),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// An HTTP client whose connections come from `address` (any of 127.0.0.0/8
/// reaches a loopback listener).
fn client_from(address: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// Posts `params` to `url` with `signature` (none: no header) from `client`.
async fn post(
    client: &reqwest::Client,
    url: &str,
    params: &[(String, String)],
    signature: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut request = client.post(url).form(params);
    if let Some(signature) = signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("posting to {url}: {e}"));
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.unwrap_or_default();
    (status, retry_after, body)
}

/// Posts a text from `from`, signed by the provider, from `client`.
async fn text(svc: &Service, client: &reqwest::Client, from: &str, body: &str) -> (u16, String) {
    let url = svc.url("/sms/inbound");
    let params = inbound(from, body);
    let signed = signature::sign(AUTH_TOKEN, &url, &params);
    let (status, _, body) = post(client, &url, &params, Some(&signed)).await;
    (status, body)
}

/// Writes `head` (a request line and headers, without the blank line that ends
/// them) and then `body`, and reads the answer until the server closes or
/// `patience` passes. Returns the answer and how long it took.
async fn raw(addr: SocketAddr, head: &str, body: &[u8], patience: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("connecting: {e}"));
    let mut request = format!("{head}\r\n\r\n").into_bytes();
    request.extend_from_slice(body);
    // The server may answer and close before it has read everything: a failed
    // write is part of the answer, not a test failure.
    let _ = stream.write_all(&request).await;
    let answer = read_answer(&mut stream, patience).await;
    (answer, started.elapsed())
}

/// Reads until the server closes the connection, `patience` passes, or a whole
/// answer (its headers and `Content-Length` bytes of body) has come.
async fn read_answer(stream: &mut TcpStream, patience: Duration) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(patience, async {
        let mut buffer = [0u8; 4096];
        while !complete(&answer) {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// Whether `answer` holds a whole HTTP answer.
fn complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    length.is_some_and(|length| body.len() >= length)
}

fn status_of(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
}

/// Well inside the client timeout: a request served while others stall did not
/// wait for them.
const PROMPTLY: Duration = Duration::from_secs(2);

const OVER_WEBHOOK_LIMIT: usize = 64 * 1024 + 1;
const OVER_API_LIMIT: usize = 16 * 1024 + 1;

/// Starts the journey program with the SMS sandbox (whose page takes texts).
async fn sandbox() -> (serve::Running, tempfile::TempDir) {
    let text = format!("{}\n[transports.sms]\nprovider = \"sandbox\"\n", program());
    let config = handoff_config::load_str(Path::new("sandbox.toml"), &text, &|_| None)
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::TempDir::new().unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        listen: Some(([127, 0, 0, 1], 0).into()),
        database: Some(format!("sqlite://{}/handoff.db", dir.path().display())),
        public_url: None,
    };
    let clock = Arc::new(MockClock::new(at("2026-11-23T15:00:00Z")));
    let running = serve::start(&config, options, clock, false)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    (running, dir)
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_on_every_post_endpoint() {
    let svc = service().await;
    let (sandboxed, _dir) = sandbox().await;
    let patience = Duration::from_secs(5);
    let posts = [
        (svc.running.addr, "/sms/inbound", OVER_WEBHOOK_LIMIT),
        (svc.running.addr, "/sms/status", OVER_WEBHOOK_LIMIT),
        (svc.running.addr, "/login", OVER_WEBHOOK_LIMIT),
        (svc.running.addr, "/logout", OVER_WEBHOOK_LIMIT),
        (svc.running.addr, "/api/v1/handoffs", OVER_API_LIMIT),
        (
            svc.running.addr,
            "/api/v1/handoffs/1001/cancel",
            OVER_API_LIMIT,
        ),
        (sandboxed.addr, "/sandbox/send", OVER_WEBHOOK_LIMIT),
    ];
    for (addr, path, size) in posts {
        // Declared: refused before a byte of the body is sent.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {size}"
        );
        let (answer, _) = raw(addr, &head, b"", patience).await;
        assert_eq!(status_of(&answer), 413, "{path}, declared: {answer}");
        if path.starts_with("/api/") {
            assert!(answer.contains("\"body_too_large\""), "{path}: {answer}");
        }
        // Streamed in chunks with no length: refused as it is read, where the
        // endpoint reads a body at all before deciding.
        let chunked = format!("{:x}\r\n{}\r\n0\r\n\r\n", size, "a".repeat(size));
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked"
        );
        let (answer, _) = raw(addr, &head, chunked.as_bytes(), patience).await;
        if ["/sms/inbound", "/sms/status", "/login", "/sandbox/send"].contains(&path) {
            assert_eq!(status_of(&answer), 413, "{path}, chunked: {answer}");
        } else {
            assert!(status_of(&answer) < 500, "{path}, chunked: {answer}");
        }
    }
    // The service is none the worse.
    let (status, _) = text(&svc, &reqwest::Client::new(), RIVERA, REQUEST).await;
    assert_eq!(status, 200);
    sandboxed.shutdown().await;
    svc.stop().await;
}

#[tokio::test]
async fn too_many_or_too_long_header_lines_are_refused_with_431() {
    let svc = service().await;
    let addr = svc.running.addr;
    let patience = Duration::from_secs(5);
    let many: String = (0..100).map(|n| format!("\r\nX-Filler-{n}: {n}")).collect();
    let (answer, _) = raw(
        addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: {addr}{many}"),
        b"",
        patience,
    )
    .await;
    assert_eq!(status_of(&answer), 431, "{answer}");
    let long = "c".repeat(40 * 1024);
    let (answer, _) = raw(
        addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nCookie: {long}"),
        b"",
        patience,
    )
    .await;
    assert_eq!(status_of(&answer), 431, "{answer}");
    let path = "/x".repeat(20 * 1024);
    let (answer, _) = raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}"),
        b"",
        patience,
    )
    .await;
    assert!([414, 431].contains(&status_of(&answer)), "{answer}");
    // Sixty header lines of 400 bytes each are still a request.
    let fine: String = (0..60)
        .map(|n| format!("\r\nX-Filler-{n}: {}", "f".repeat(400)))
        .collect();
    let (answer, _) = raw(
        addr,
        &format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close{fine}"),
        b"",
        patience,
    )
    .await;
    assert_eq!(status_of(&answer), 200, "{answer}");
    svc.stop().await;
}

#[tokio::test]
async fn a_client_that_stalls_its_headers_is_disconnected_and_others_are_served_meanwhile() {
    let svc = service().await;
    let addr = svc.running.addr;
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..8 {
        let mut stream = TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = stream
            .write_all(b"POST /sms/inbound HTTP/1.1\r\nHost: x\r\nContent-Le")
            .await;
        stalled.push(stream);
    }
    // An idle connection, opened and never used, is closed as well.
    stalled.push(
        TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    );

    let asked = Instant::now();
    let (status, _) = text(&svc, &reqwest::Client::new(), CHEN, REQUEST).await;
    assert_eq!(status, 200);
    assert!(asked.elapsed() < PROMPTLY, "took {:?}", asked.elapsed());

    for stream in &mut stalled {
        let answer = read_answer(stream, Duration::from_secs(10)).await;
        assert!(!answer.contains(" 200 "), "{answer}");
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(2900) && waited < Duration::from_secs(8),
        "disconnected after {waited:?}"
    );
    svc.stop().await;
}

#[tokio::test]
async fn a_client_that_trickles_its_body_is_answered_408_and_others_are_served_meanwhile() {
    let svc = service().await;
    let addr = svc.running.addr;
    let trickle = |path: &'static str| async move {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        );
        let _ = stream.write_all(head.as_bytes()).await;
        let (mut reader, mut writer) = stream.into_split();
        let writing = tokio::spawn(async move {
            // A byte each tenth of a second: every chunk in time, the whole far
            // too slow.
            for _ in 0..100 {
                if writer.write_all(b"a").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let mut answer = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut answer)).await;
        writing.abort();
        (
            String::from_utf8_lossy(&answer).into_owned(),
            started.elapsed(),
        )
    };
    let webhook = tokio::spawn(trickle("/sms/inbound"));
    let api = tokio::spawn(trickle("/api/v1/handoffs"));

    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    let (status, _) = text(&svc, &reqwest::Client::new(), CHEN, REQUEST).await;
    assert_eq!(status, 200);
    assert!(asked.elapsed() < PROMPTLY, "took {:?}", asked.elapsed());

    for (what, answer) in [("webhook", webhook.await), ("api", api.await)] {
        let (answer, took) = answer.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status_of(&answer), 408, "{what}: {answer}");
        assert!(
            answer.to_lowercase().contains("connection: close"),
            "{what}: {answer}"
        );
        assert!(
            took >= Duration::from_millis(2900) && took < Duration::from_secs(8),
            "{what} answered after {took:?}"
        );
        if what == "api" {
            assert!(answer.contains("\"request_timeout\""), "{answer}");
        }
    }
    svc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_phone_flooding_the_webhook_is_limited_and_told_once_while_others_are_answered() {
    let svc = service().await;
    let client = reqwest::Client::new();
    // Twenty texts at once from one phone, and meanwhile a request from another.
    let flood: Vec<_> = (0..20)
        .map(|n| {
            let client = client.clone();
            let url = svc.url("/sms/inbound");
            let params = inbound(RIVERA, &format!("are you there {n}"));
            tokio::spawn(async move {
                let signed = signature::sign(AUTH_TOKEN, &url, &params);
                post(&client, &url, &params, Some(&signed)).await
            })
        })
        .collect();
    let asked = Instant::now();
    let (status, _) = text(&svc, &client, CHEN, REQUEST).await;
    let took = asked.elapsed();
    assert_eq!(status, 200);
    assert!(took < PROMPTLY, "another sender waited {took:?}");

    let mut answers = Vec::new();
    for post in flood {
        answers.push(post.await.unwrap_or_else(|e| panic!("{e}")));
    }
    // Every one acknowledged, so the provider neither retries nor falls back.
    assert!(
        answers.iter().all(|(status, _, _)| *status == 200),
        "{answers:?}"
    );
    let told: Vec<&String> = answers
        .iter()
        .map(|(_, _, body)| body)
        .filter(|body| body.contains("<Message>"))
        .collect();
    assert_eq!(told.len(), 1, "{answers:?}");
    assert!(told[0].contains("Too many texts from this phone at once: this one was not read. Wait 1 min, then send it again."));
    svc.settle().await;
    // Five handled (each answered by a reply), fifteen not.
    let replies = svc.texts_to(RIVERA).len();
    assert_eq!(replies, 5, "{:?}", svc.texts_to(RIVERA));
    assert!(svc.last_text_to(CHEN).starts_with("Got it: hand-off 1001"));
    let metrics = reqwest::get(svc.url("/metrics"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let metrics = metrics.text().await.unwrap_or_default();
    assert!(
        metrics
            .contains("handoff_webhook_requests_total{endpoint=\"inbound\",result=\"limited\"} 15"),
        "{metrics}"
    );

    // Still over the limit: a text is not handled, nor told again...
    let (status, body) = text(&svc, &client, RIVERA, "STATUS").await;
    assert_eq!((status, body.contains("<Message>")), (200, false), "{body}");
    // ...but opting out always is, so the bot agrees with the carrier.
    let (status, _) = text(&svc, &client, RIVERA, "STOP").await;
    assert_eq!(status, 200);
    svc.settle().await;
    assert_eq!(svc.texts_to(RIVERA).len(), 6);
    assert!(svc.last_text_to(RIVERA).starts_with("You are unsubscribed"));
    let (status, _) = text(&svc, &client, RIVERA, "START").await;
    assert_eq!(status, 200);

    // A minute on, the phone is heard again.
    svc.advance(minutes(1)).await;
    text(&svc, &client, RIVERA, "STATUS").await;
    svc.settle().await;
    assert_eq!(svc.texts_to(RIVERA).len(), 8, "{:?}", svc.texts_to(RIVERA));
    svc.stop().await;
}

#[tokio::test]
async fn forged_webhooks_flooding_from_one_address_get_429_but_signed_ones_are_always_taken() {
    let svc = service().await;
    let url = svc.url("/sms/inbound");
    let forger = client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    let provider = client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)));

    let mut statuses = Vec::new();
    for n in 0..30 {
        let params = inbound(RIVERA, &format!("LEAD forged {n}"));
        let (status, retry_after, _) =
            post(&forger, &url, &params, Some("bm90IGEgc2lnbmF0dXJl")).await;
        if status == 429 {
            let seconds: u64 = retry_after.and_then(|v| v.parse().ok()).unwrap_or(0);
            assert!((1..=60).contains(&seconds), "Retry-After {seconds}");
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..20], [403; 20]);
    assert_eq!(&statuses[20..], [429; 10]);
    // Unsigned, and malformed, from there: refused the same way.
    let (status, _, _) = post(&forger, &url, &inbound(RIVERA, "LEAD x"), None).await;
    assert_eq!(status, 429);

    // The provider's signed texts are taken from another address, and from the
    // forger's too (behind a proxy, every request has the proxy's address).
    let (status, _) = text(&svc, &provider, RIVERA, REQUEST).await;
    assert_eq!(status, 200);
    let (status, _) = text(&svc, &forger, CHEN, "LEAD Penn Ave & 9th").await;
    assert_eq!(status, 200);
    // Another address is still answered 403 for a forgery, not 429.
    let (status, _, _) = post(
        &provider,
        &url,
        &inbound(RIVERA, "x"),
        Some("bm90IGEgc2lnbmF0dXJl"),
    )
    .await;
    assert_eq!(status, 403);
    svc.settle().await;
    assert_eq!(svc.open_handoffs().await.len(), 2);
    svc.stop().await;
}

#[tokio::test]
async fn hostile_forms_get_a_400_that_says_what_is_wrong() {
    let svc = service().await;
    let url = svc.url("/sms/inbound");
    let client = reqwest::Client::new();
    for (body, says) in [
        (
            "From=%2B14125550101&Body=%FF&MessageSid=SM1",
            "the form is not UTF-8",
        ),
        (
            "From=%2B14125550101&Body=50%&MessageSid=SM1",
            "malformed %-escape",
        ),
    ] {
        let response = client
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status().as_u16(), 400, "{body}");
        assert!(
            response.text().await.unwrap_or_default().contains(says),
            "{body}"
        );
    }
    // Signed, but with two senders, or a text longer than any phone sends.
    let mut twice = inbound(RIVERA, "LEAD x");
    twice.push(("From".to_owned(), CHEN.to_owned()));
    let long = inbound(RIVERA, &"a".repeat(1601));
    for (params, says) in [
        (twice, "From is given more than once"),
        (long, "Body is longer than 1600 characters"),
    ] {
        let signed = signature::sign(AUTH_TOKEN, &url, &params);
        let (status, _, body) = post(&client, &url, &params, Some(&signed)).await;
        assert_eq!((status, body.trim()), (400, says));
    }
    svc.settle().await;
    assert!(svc.open_handoffs().await.is_empty());
    assert!(svc.sent().is_empty());
    svc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_every_other_endpoint_leaves_the_webhook_answered_promptly() {
    let svc = service().await;
    let paths = [
        "/",
        "/healthz",
        "/metrics",
        "/login",
        "/dashboard",
        "/dashboard/export/handoffs.csv",
        "/api/v1/handoffs/1001",
        "/sandbox",
        "/no/such/page",
    ];
    let stop = Instant::now() + Duration::from_millis(1500);
    let flood: Vec<_> = (0..8)
        .map(|worker| {
            let client = reqwest::Client::new();
            let urls: Vec<String> = paths.iter().map(|p| svc.url(p)).collect();
            tokio::spawn(async move {
                let mut sent = 0usize;
                while Instant::now() < stop {
                    let url = &urls[(worker + sent) % urls.len()];
                    let answer = client
                        .get(url)
                        .header("Authorization", "Bearer not-a-token")
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("{url}: {e}"));
                    assert!(
                        answer.status().as_u16() < 500 || url.ends_with("/healthz"),
                        "{url}: {}",
                        answer.status()
                    );
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = reqwest::Client::new();
    for (from, body) in [(CHEN, REQUEST), (RIVERA, "LEAD Penn Ave & 9th")] {
        let asked = Instant::now();
        let (status, _) = text(&svc, &client, from, body).await;
        assert_eq!(status, 200);
        assert!(
            asked.elapsed() < PROMPTLY,
            "{from} waited {:?}",
            asked.elapsed()
        );
    }
    let mut total = 0;
    for worker in flood {
        total += worker.await.unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(total > 50, "only {total} requests in the flood");
    svc.settle().await;
    assert_eq!(svc.open_handoffs().await.len(), 2);
    svc.stop().await;
}
