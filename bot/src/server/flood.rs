//! Flood limits: how many requests one key (a sender's phone, a client's address)
//! may make, so that one of them cannot starve the others. Pure: every decision
//! takes `now`, and the server passes the engine's clock, so tests step time.
//!
//! Each key has a token bucket of `burst` requests that refills at `per_minute`,
//! kept as the generic cell rate algorithm's one instant per key (the "theoretical
//! arrival time": when the bucket would be full again), which needs no timer and
//! no arithmetic that can overflow on the ranges the configuration allows.
//!
//! The limits live in this process's memory: each instance sharing a database
//! counts on its own, as the dashboard's login limits do.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, Duration, Utc};

/// Keys remembered at most: a flood from ever-new addresses cannot fill memory.
/// Full buckets are forgotten first (they are as good as new), then the fullest.
const MAX_KEYS: usize = 10_000;

/// The most either number of a [`Rate`] may be: the configuration's range.
pub const MOST: u32 = 100_000;

/// How many requests a key may make at once, and how fast the allowance returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests in a burst: the size of the bucket, at least 1.
    pub burst: u32,
    /// Requests a minute once the burst is spent, at least 1.
    pub per_minute: u32,
}

impl Rate {
    /// The time one request's allowance takes to come back. Values outside
    /// `1..=MOST` are clamped, so no rate can divide by zero.
    fn interval(self) -> Duration {
        let per_minute = i64::from(self.per_minute.clamp(1, MOST));
        Duration::microseconds(60_000_000 / per_minute)
    }

    /// How far ahead of `now` a key's full-again instant may be while it is still
    /// allowed a request: the burst less the one being made.
    fn tolerance(self) -> Duration {
        self.interval() * (self.burst.clamp(1, MOST) - 1).cast_signed()
    }
}

/// What a key may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Allowed,
    /// Over the limit until `retry_after` from now. `tell` is true at most once
    /// per the limiter's `tell_every` for a key, so that whoever is to hear of it
    /// (the sender by a text, the operator by a log line) hears once, not once a
    /// request.
    Limited {
        retry_after: Duration,
        tell: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// When the bucket is full again; at or before now means full.
    full_at: DateTime<Utc>,
    /// When the key was last told it is limited.
    told: Option<DateTime<Utc>>,
}

/// Token buckets by key.
#[derive(Debug)]
pub(crate) struct Limiter<K> {
    rate: Rate,
    tell_every: Duration,
    buckets: HashMap<K, Bucket>,
    max_keys: usize,
}

impl<K: Eq + Hash + Clone> Limiter<K> {
    pub(crate) fn new(rate: Rate, tell_every: Duration) -> Limiter<K> {
        Limiter {
            rate,
            tell_every,
            buckets: HashMap::new(),
            max_keys: MAX_KEYS,
        }
    }

    /// Counts one request of `key` at `now`, if it is allowed.
    pub(crate) fn take(&mut self, key: &K, now: DateTime<Utc>) -> Verdict {
        let interval = self.rate.interval();
        let tolerance = self.rate.tolerance();
        if !self.buckets.contains_key(key) {
            self.make_room(now);
        }
        let bucket = self.buckets.entry(key.clone()).or_insert(Bucket {
            full_at: now,
            told: None,
        });
        // A full-again instant further ahead than any request could have put it
        // means the clock went back: start the key afresh rather than lock it out
        // for as long as the clock jumped.
        if bucket.full_at - now > tolerance + interval {
            bucket.full_at = now;
        }
        let from = bucket.full_at.max(now);
        let ahead = from - now;
        if ahead > tolerance {
            let tell = bucket
                .told
                .is_none_or(|told| now - told >= self.tell_every || told > now);
            if tell {
                bucket.told = Some(now);
            }
            return Verdict::Limited {
                retry_after: ahead - tolerance,
                tell,
            };
        }
        bucket.full_at = from
            .checked_add_signed(interval)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        Verdict::Allowed
    }

    /// How long until `key` may make a request, when it may not now; counts
    /// nothing.
    pub(crate) fn limited_for(&self, key: &K, now: DateTime<Utc>) -> Option<Duration> {
        let bucket = self.buckets.get(key)?;
        let ahead = bucket.full_at - now;
        let over = ahead - self.rate.tolerance();
        (over > Duration::zero() && ahead <= self.rate.tolerance() + self.rate.interval())
            .then_some(over)
    }

    /// Below [`MAX_KEYS`] again: forgets the full buckets, and if that is not
    /// enough the fullest of the rest.
    fn make_room(&mut self, now: DateTime<Utc>) {
        if self.buckets.len() < self.max_keys {
            return;
        }
        self.buckets.retain(|_, bucket| bucket.full_at > now);
        while self.buckets.len() >= self.max_keys {
            let fullest = self
                .buckets
                .iter()
                .min_by_key(|(_, bucket)| bucket.full_at)
                .map(|(key, _)| key.clone());
            match fullest {
                Some(key) => self.buckets.remove(&key),
                None => break,
            };
        }
    }
}

#[cfg(test)]
#[path = "flood_tests.rs"]
mod tests;
