//! The web dashboard's part of the configuration: who may log in, with which role,
//! and the arrival target its "is it working" page measures against. Passwords are
//! stored only as argon2 hashes (`handoff hash-password` prints one).

use std::fmt;
use std::time::Duration;

/// What a dashboard user may see and do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DashboardRole {
    /// Aggregates only: counts, rates, percentiles, charts, coverage.
    Viewer,
    /// Also single hand-offs (timelines, the workgroup review) and exports.
    Manager,
    /// Also the schedule overrides: adds and removes them on the dashboard.
    Admin,
}

impl DashboardRole {
    pub const ALL: [DashboardRole; 3] = [
        DashboardRole::Viewer,
        DashboardRole::Manager,
        DashboardRole::Admin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DashboardRole::Viewer => "viewer",
            DashboardRole::Manager => "manager",
            DashboardRole::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<DashboardRole> {
        DashboardRole::ALL
            .into_iter()
            .find(|role| role.name() == text.trim())
    }
}

impl fmt::Display for DashboardRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A dashboard login name: 1 to 64 of lowercase ASCII letters, digits, `.`, `-`
/// and `_`, so it is the same however a browser or a shell spells it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserName(String);

impl UserName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Option<UserName> {
        let text = text.trim();
        let valid = (1..=UserName::MAX_LEN).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
        valid.then(|| UserName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An argon2 hash in the PHC string format (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`),
/// checked when the file is read: its parameters are within what a login may cost.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

/// The most memory one password check may take, in KiB (64 MiB): a hash asking
/// for more would let each login attempt take the server's memory.
pub const MAX_HASH_MEMORY_KIB: u32 = 64 * 1024;
/// The most passes one password check may make.
pub const MAX_HASH_PASSES: u32 = 10;
/// The most lanes one password check may use.
pub const MAX_HASH_LANES: u32 = 4;

impl PasswordHash {
    /// Checks the string's shape and that its costs are bounded.
    pub fn parse(text: &str) -> Result<PasswordHash, String> {
        let text = text.trim();
        let hash = argon2::PasswordHash::new(text).map_err(|error| {
            format!(
                "not an argon2 password hash ({error}): run `handoff hash-password` and paste what it prints"
            )
        })?;
        let algorithm = hash.algorithm.as_str();
        if algorithm != "argon2id" && algorithm != "argon2i" {
            return Err(format!(
                "`{algorithm}` hashes are not accepted: use argon2id (`handoff hash-password` prints one)"
            ));
        }
        let params = argon2::Params::try_from(&hash)
            .map_err(|error| format!("the hash's parameters are unusable: {error}"))?;
        if params.m_cost() > MAX_HASH_MEMORY_KIB
            || params.t_cost() > MAX_HASH_PASSES
            || params.p_cost() > MAX_HASH_LANES
        {
            return Err(format!(
                "the hash costs too much to check (at most m={MAX_HASH_MEMORY_KIB}, t={MAX_HASH_PASSES}, p={MAX_HASH_LANES}): \
                 run `handoff hash-password` for one with the usual costs"
            ));
        }
        if hash.hash.is_none() || hash.salt.is_none() {
            return Err("the hash has no salt or no output".to_owned());
        }
        Ok(PasswordHash(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardUser {
    pub name: UserName,
    pub role: DashboardRole,
    pub password_hash: PasswordHash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub users: Vec<DashboardUser>,
    /// An arrival this soon after the request counts as "within target".
    pub arrival_target: Duration,
}

impl Dashboard {
    pub fn user(&self, name: &UserName) -> Option<&DashboardUser> {
        self.users.iter().find(|user| &user.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_lowercase_words() {
        for good in ["pat", "j.doe", "pm-1", "a_b", &"a".repeat(64)] {
            assert!(UserName::parse(good).is_some(), "{good}");
        }
        for bad in [
            "",
            " ",
            "Pat",
            "pat doe",
            "pät",
            "a/b",
            &"a".repeat(65),
            "\u{200b}",
        ] {
            assert!(UserName::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn roles_read_by_name_and_rank_in_order() {
        assert_eq!(
            DashboardRole::parse("manager"),
            Some(DashboardRole::Manager)
        );
        assert_eq!(DashboardRole::parse("root"), None);
        assert!(DashboardRole::Viewer < DashboardRole::Manager);
        assert!(DashboardRole::Manager < DashboardRole::Admin);
    }

    const GOOD: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YlQ9A3kCCR1iKQ/ZCw8dLhCrxYFdmD5H0Ga5DIzDYcM";

    #[test]
    fn an_argon2id_hash_with_usual_costs_is_accepted() {
        assert_eq!(
            PasswordHash::parse(GOOD).map(|h| h.as_str().to_owned()),
            Ok(GOOD.to_owned())
        );
    }

    #[test]
    fn hashes_that_are_not_argon2_or_cost_too_much_are_refused() {
        for bad in [
            "",
            "hunter2",
            "$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
            "$argon2d$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YlQ9A3kCCR1iKQ/ZCw8dLhCrxYFdmD5H0Ga5DIzDYcM",
            "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YlQ9A3kCCR1iKQ/ZCw8dLhCrxYFdmD5H0Ga5DIzDYcM",
            "$argon2id$v=19$m=19456,t=4000000000,p=1$c29tZXNhbHRzb21lc2FsdA$YlQ9A3kCCR1iKQ/ZCw8dLhCrxYFdmD5H0Ga5DIzDYcM",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA",
        ] {
            assert!(PasswordHash::parse(bad).is_err(), "{bad:?}");
        }
    }
}
