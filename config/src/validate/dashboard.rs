//! `[dashboard]`: its users (unique names, a known role, a usable argon2 hash) and
//! its arrival target.

use std::collections::HashSet;

use toml::Spanned;

use super::DEFAULT_ARRIVAL_TARGET;
use super::ranges::{ARRIVAL_TARGET, DASHBOARD_USERS, duration_within};
use super::values::required;
use crate::dashboard::{Dashboard, DashboardRole, DashboardUser, PasswordHash, UserName};
use crate::error::Problems;
use crate::raw::{RawDashboard, RawDashboardUser};

pub(super) fn dashboard(p: &mut Problems, raw: Option<&Spanned<RawDashboard>>) -> Dashboard {
    let Some(raw) = raw else {
        return Dashboard {
            users: Vec::new(),
            arrival_target: DEFAULT_ARRIVAL_TARGET,
        };
    };
    let section = raw.get_ref();
    let arrival_target = section
        .arrival_target
        .as_ref()
        .and_then(|t| duration_within(p, t, "dashboard.arrival_target", &ARRIVAL_TARGET))
        .unwrap_or(DEFAULT_ARRIVAL_TARGET);
    if section.users.len() > DASHBOARD_USERS {
        p.push(
            raw.span(),
            "dashboard.users",
            format!("at most {DASHBOARD_USERS} users"),
        );
    }
    let mut seen = HashSet::new();
    let users = section
        .users
        .iter()
        .enumerate()
        .filter_map(|(i, user)| self::user(p, user, &format!("dashboard.users[{i}]"), &mut seen))
        .collect();
    Dashboard {
        users,
        arrival_target,
    }
}

fn user(
    p: &mut Problems,
    raw: &Spanned<RawDashboardUser>,
    key: &str,
    seen: &mut HashSet<UserName>,
) -> Option<DashboardUser> {
    let user = raw.get_ref();
    let name = required(p, &user.name, raw.span(), &format!("{key}.name")).and_then(|t| {
        let name = UserName::parse(t.get_ref());
        match &name {
            None => p.push(
                t.span(),
                format!("{key}.name"),
                format!(
                    "`{}` is not a user name: 1 to {} lowercase letters, digits, `.`, `-` or `_`",
                    t.get_ref(),
                    UserName::MAX_LEN
                ),
            ),
            Some(name) if !seen.insert(name.clone()) => p.push(
                t.span(),
                format!("{key}.name"),
                format!("duplicate user `{name}`: an earlier entry already uses it"),
            ),
            Some(_) => {}
        }
        name
    });
    let role = required(p, &user.role, raw.span(), &format!("{key}.role")).and_then(|t| {
        let role = DashboardRole::parse(t.get_ref());
        if role.is_none() {
            p.push(
                t.span(),
                format!("{key}.role"),
                format!(
                    "`{}` is not a dashboard role: viewer, manager or admin",
                    t.get_ref()
                ),
            );
        }
        role
    });
    let password_hash = required(
        p,
        &user.password_hash,
        raw.span(),
        &format!("{key}.password_hash"),
    )
    .and_then(|t| match PasswordHash::parse(t.get_ref()) {
        Ok(hash) => Some(hash),
        Err(message) => {
            p.push(t.span(), format!("{key}.password_hash"), message);
            None
        }
    });
    Some(DashboardUser {
        name: name?,
        role: role?,
        password_hash: password_hash?,
    })
}
