//! Two `handoff serve` instances on one database, as a program running a spare
//! runs them: each with its own fake provider (so a test sees which instance sent
//! what) and its own mock clock, sharing a SQLite file or a PostgreSQL database.
//! Webhooks may reach either; whichever holds the sending lease sends.

use std::sync::Arc;
use std::time::Duration;

use tempfile::TempDir;
use tokio::sync::Barrier;

use crate::journey::MONDAY;
use crate::service::{PROGRAM_NUMBER, Service};

/// A SQLite file both instances open (in `dir`), or the PostgreSQL database given.
pub fn shared(database: Option<String>, dir: &TempDir) -> String {
    database.unwrap_or_else(|| format!("sqlite://{}/shared.db", dir.path().display()))
}

/// Every text both instances' providers accepted, as (to, body), sorted.
pub fn all_sent(a: &Service, b: &Service) -> Vec<(String, String)> {
    let mut sent: Vec<(String, String)> = a
        .sent()
        .into_iter()
        .chain(b.sent())
        .map(|m| (m.to, m.body))
        .collect();
    sent.sort();
    sent
}

/// Fails if any (to, body) appears twice.
pub fn assert_each_once(sent: &[(String, String)]) {
    let mut unique = sent.to_vec();
    unique.dedup();
    assert_eq!(unique.len(), sent.len(), "a text went out twice: {sent:#?}");
}

/// How long a burst of webhooks may take before the test fails: they are handled
/// in well under a second each; this only keeps a deadlock from hanging the run.
pub const BURST_LIMIT: Duration = Duration::from_secs(60);

/// One inbound text of a burst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Which instance it reaches: see [`Pair::either`].
    pub to: usize,
    pub from: String,
    pub body: String,
    /// The provider's `MessageSid`: fresh when `None`.
    pub sid: Option<String>,
}

impl Post {
    /// `from` texts `body` to instance `to` (even: the first, odd: the second).
    pub fn new(to: usize, from: &str, body: &str) -> Post {
        Post {
            to,
            from: from.to_owned(),
            body: body.to_owned(),
            sid: None,
        }
    }

    /// The same text with a given `MessageSid`.
    pub fn with_sid(self, sid: &str) -> Post {
        Post {
            sid: Some(sid.to_owned()),
            ..self
        }
    }
}

/// Two instances of `program` on one database, on Monday morning.
pub struct Pair {
    pub a: Service,
    pub b: Service,
    _dir: TempDir,
}

impl Pair {
    /// Starts both on `database`, or on a SQLite file they share; shared, so that
    /// a burst's tasks can post to either.
    pub async fn start(program: &str, database: Option<String>) -> Arc<Pair> {
        let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let url = shared(database, &dir);
        let a = Service::start_with(program, MONDAY, Some(url.clone())).await;
        let b = Service::start_with(program, MONDAY, Some(url)).await;
        Arc::new(Pair { a, b, _dir: dir })
    }

    /// The first instance for even `n`, the second for odd: to spread a burst.
    pub fn either(&self, n: usize) -> &Service {
        if n.is_multiple_of(2) {
            &self.a
        } else {
            &self.b
        }
    }

    /// `from` texts `body` to instance `to`, signed by that instance's provider,
    /// with a fresh `MessageSid`; nothing is delivered. Returns the HTTP answer.
    pub async fn post(to: &Service, from: &str, body: &str) -> (u16, String) {
        to.fake
            .post_inbound(&to.url("/sms/inbound"), from, PROGRAM_NUMBER, body)
            .await
    }

    /// Like [`Pair::post`] with the given `MessageSid`, as a provider's retry.
    pub async fn post_with_sid(to: &Service, sid: &str, from: &str, body: &str) -> (u16, String) {
        to.fake
            .post_inbound_with_sid(&to.url("/sms/inbound"), sid, from, PROGRAM_NUMBER, body)
            .await
    }

    /// Posts every one of `posts` at the same moment (each waits at a barrier until
    /// all are ready), and returns each with the HTTP status and body it got, in the
    /// order given. Nothing is delivered. Fails if the burst takes [`BURST_LIMIT`].
    pub async fn burst(self: &Arc<Self>, posts: &[Post]) -> Vec<(Post, u16, String)> {
        let start = Arc::new(Barrier::new(posts.len()));
        let mut tasks = tokio::task::JoinSet::new();
        for (n, post) in posts.iter().cloned().enumerate() {
            let (pair, start) = (Arc::clone(self), Arc::clone(&start));
            tasks.spawn(async move {
                let to = pair.either(post.to);
                start.wait().await;
                let (status, body) = match &post.sid {
                    Some(sid) => Pair::post_with_sid(to, sid, &post.from, &post.body).await,
                    None => Pair::post(to, &post.from, &post.body).await,
                };
                (n, post, status, body)
            });
        }
        let mut answers = tokio::time::timeout(BURST_LIMIT, tasks.join_all())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "a burst of {} webhooks took over {BURST_LIMIT:?}",
                    posts.len()
                )
            });
        answers.sort_by_key(|(n, ..)| *n);
        answers
            .into_iter()
            .map(|(_, post, status, body)| (post, status, body))
            .collect()
    }

    /// Both instances deliver what is queued (only the lease holder sends).
    pub async fn deliver(&self) {
        for svc in [&self.a, &self.b] {
            svc.running
                .deliver()
                .await
                .unwrap_or_else(|e| panic!("delivering: {e:#}"));
        }
    }

    /// Every text either provider accepted, as (to, body), sorted.
    pub fn sent(&self) -> Vec<(String, String)> {
        all_sent(&self.a, &self.b)
    }

    /// Every text either provider accepted for `phone`, sorted.
    pub fn texts_to(&self, phone: &str) -> Vec<String> {
        self.sent()
            .into_iter()
            .filter(|(to, _)| to == phone)
            .map(|(_, body)| body)
            .collect()
    }

    /// Stops both; every clone of the pair (a burst's tasks) must be gone.
    pub async fn stop(self: Arc<Self>) {
        let pair = Arc::into_inner(self)
            .unwrap_or_else(|| panic!("the pair is still shared when stopped"));
        pair.a.stop().await;
        pair.b.stop().await;
    }
}
