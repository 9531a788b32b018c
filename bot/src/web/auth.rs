//! Who may log in: password checks against the configured argon2 hashes, and the
//! limit on failed attempts, per user name and per address, so that guessing a
//! password takes years rather than minutes.
//!
//! The limit is kept in this process's memory: each instance sharing a database
//! counts on its own, so a guesser spread over `n` instances gets `n` times the
//! attempts, which still leaves a 12-character password out of reach.

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

use argon2::{Argon2, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use handoff_config::{Dashboard, DashboardRole, UserName};

/// How far back failed attempts count.
pub(crate) const WINDOW: Duration = Duration::minutes(15);
/// Failed attempts a user name may take in [`WINDOW`] before it is refused.
pub(crate) const PER_USER: usize = 5;
/// Failed attempts an address may make in [`WINDOW`], over all names: an office
/// behind one address has several people, each mistyping now and then.
pub(crate) const PER_ADDRESS: usize = 20;
/// Keys remembered at most, so a flood of made-up names cannot fill memory; the
/// stalest are forgotten first.
const MAX_KEYS: usize = 10_000;
/// The longest password looked at: longer is refused before hashing, so a huge
/// form cannot keep the server busy.
pub(crate) const MAX_PASSWORD: usize = 1024;

/// Checked when the name is unknown, so that an unknown name takes as long to
/// refuse as a wrong password and does not reveal which names exist.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lkZWNveWRlY295$2Z3dxjFp9YzMgbW3+b7kEW2dMVsByjyyz7MW9z6fVUM";

/// Whether `password` is `user`'s, by the configuration's hash; the role if so.
/// Runs the (deliberately slow) hash off the async threads.
pub(crate) async fn check(
    dashboard: &Dashboard,
    user: &UserName,
    password: &str,
) -> Option<DashboardRole> {
    if password.is_empty() || password.len() > MAX_PASSWORD {
        return None;
    }
    let known = dashboard.user(user);
    let hash = known.map_or(DECOY_HASH.to_owned(), |u| {
        u.password_hash.as_str().to_owned()
    });
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false);
    known.filter(|_| matches).map(|u| u.role)
}

/// Prints a new hash of `password` for the configuration.
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::PasswordHasher;
    if password.is_empty() {
        return Err("the password is empty".to_owned());
    }
    if password.len() > MAX_PASSWORD {
        return Err(format!("the password is longer than {MAX_PASSWORD} bytes"));
    }
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| format!("hashing failed: {error}"))
}

/// What a login attempt may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allowed {
    Yes,
    /// Too many failures: try again after this long.
    NotFor(Duration),
}

/// Failed attempts per user name and per address, within [`WINDOW`].
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    by_user: BTreeMap<String, VecDeque<DateTime<Utc>>>,
    by_address: BTreeMap<IpAddr, VecDeque<DateTime<Utc>>>,
}

impl Limiter {
    /// Whether `user` may try from `address` at `now`.
    pub(crate) fn allowed(&mut self, user: &str, address: IpAddr, now: DateTime<Utc>) -> Allowed {
        let user_wait = wait(self.by_user.get_mut(user), PER_USER, now);
        let address_wait = wait(self.by_address.get_mut(&address), PER_ADDRESS, now);
        match user_wait.max(address_wait) {
            Some(wait) => Allowed::NotFor(wait),
            None => Allowed::Yes,
        }
    }

    /// Counts a failed attempt.
    pub(crate) fn failed(&mut self, user: &str, address: IpAddr, now: DateTime<Utc>) {
        remember(&mut self.by_user, user.to_owned(), now);
        remember(&mut self.by_address, address, now);
    }

    /// A good password clears its name's failures (not the address's: one person
    /// logging in does not vouch for the others guessing from there).
    pub(crate) fn succeeded(&mut self, user: &str) {
        self.by_user.remove(user);
    }
}

/// Drops failures older than the window; if `limit` remain, how long until the
/// oldest leaves it.
fn wait(
    failures: Option<&mut VecDeque<DateTime<Utc>>>,
    limit: usize,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let failures = failures?;
    while failures.front().is_some_and(|at| now - *at >= WINDOW) {
        failures.pop_front();
    }
    if failures.len() < limit {
        return None;
    }
    let oldest = *failures.front()?;
    Some((oldest + WINDOW - now).max(Duration::seconds(1)))
}

fn remember<K: Ord + Clone>(
    map: &mut BTreeMap<K, VecDeque<DateTime<Utc>>>,
    key: K,
    now: DateTime<Utc>,
) {
    if map.len() >= MAX_KEYS && !map.contains_key(&key) {
        let stalest = map
            .iter()
            .min_by_key(|(_, failures)| failures.back().copied())
            .map(|(key, _)| key.clone());
        if let Some(stalest) = stalest {
            map.remove(&stalest);
        }
    }
    let failures = map.entry(key).or_default();
    failures.push_back(now);
    // Only the last `PER_ADDRESS` matter for either limit.
    while failures.len() > PER_ADDRESS {
        failures.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff_config::{DashboardUser, PasswordHash};

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).unwrap()
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const AWAY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn five_failures_lock_a_name_for_the_rest_of_the_window() {
        let mut limiter = Limiter::default();
        for minute in 0..5 {
            assert_eq!(limiter.allowed("pat", HOME, at(minute)), Allowed::Yes);
            limiter.failed("pat", HOME, at(minute));
        }
        assert_eq!(
            limiter.allowed("pat", AWAY, at(5)),
            Allowed::NotFor(Duration::minutes(10))
        );
        assert_eq!(limiter.allowed("lee", AWAY, at(5)), Allowed::Yes);
        assert_eq!(limiter.allowed("pat", HOME, at(15)), Allowed::Yes);
    }

    #[test]
    fn twenty_failures_from_one_address_lock_it_for_every_name() {
        let mut limiter = Limiter::default();
        for n in 0..20 {
            limiter.failed(&format!("user{n}"), HOME, at(0));
        }
        assert!(matches!(
            limiter.allowed("someone", HOME, at(1)),
            Allowed::NotFor(_)
        ));
        assert_eq!(limiter.allowed("someone", AWAY, at(1)), Allowed::Yes);
    }

    #[test]
    fn a_good_password_clears_the_names_failures() {
        let mut limiter = Limiter::default();
        for _ in 0..4 {
            limiter.failed("pat", HOME, at(0));
        }
        limiter.succeeded("pat");
        limiter.failed("pat", HOME, at(1));
        assert_eq!(limiter.allowed("pat", HOME, at(1)), Allowed::Yes);
    }

    #[test]
    fn a_flood_of_names_is_forgotten_stalest_first() {
        let mut limiter = Limiter::default();
        for n in 0..(MAX_KEYS + 50) {
            limiter.failed(&format!("n{n}"), HOME, at(0));
        }
        assert!(limiter.by_user.len() <= MAX_KEYS);
    }

    #[tokio::test]
    async fn a_password_checks_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        let dashboard = Dashboard {
            users: vec![DashboardUser {
                name: UserName::parse("pat").unwrap(),
                role: DashboardRole::Manager,
                password_hash: PasswordHash::parse(&hash).unwrap(),
            }],
            arrival_target: std::time::Duration::from_secs(3600),
        };
        let pat = UserName::parse("pat").unwrap();
        assert_eq!(
            check(&dashboard, &pat, "correct horse").await,
            Some(DashboardRole::Manager)
        );
        assert_eq!(check(&dashboard, &pat, "correct horse ").await, None);
        assert_eq!(check(&dashboard, &pat, "").await, None);
        let nobody = UserName::parse("nobody").unwrap();
        assert_eq!(check(&dashboard, &nobody, "correct horse").await, None);
        assert!(PasswordHash::parse(DECOY_HASH).is_ok());
    }
}
