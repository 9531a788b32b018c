//! Identifiers and roles: who is on duty ([`PersonId`]) as what ([`Role`]), where
//! ([`SiteId`], [`ZoneId`]). They are parsed once, where they enter, so the rest of the
//! code never handles a raw string that might be misspelt or empty.

use std::fmt;
use std::str::FromStr;

/// Why a text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an identifier may not be empty")]
    Empty,
    #[error("an identifier has at most 64 characters")]
    TooLong,
    #[error(
        "`{0}` is not a valid identifier: use lowercase letters, digits, `-` and `_`, starting with a letter or digit"
    )]
    BadCharacters(String),
}

fn check_id(text: &str) -> Result<(), IdError> {
    if text.is_empty() {
        return Err(IdError::Empty);
    }
    if text.len() > 64 {
        return Err(IdError::TooLong);
    }
    let mut chars = text.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(IdError::BadCharacters(text.to_owned()))
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(into = "String", try_from = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(text: String) -> Result<Self, IdError> {
                check_id(&text)?;
                Ok(Self(text))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl $name {
            /// Parses an identifier: lowercase letters, digits, `-` and `_`, 1 to 64 characters.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                check_id(text)?;
                Ok(Self(text.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A person of the program's staff (case manager, coordinator, supervisor, project manager).
    PersonId
);
string_id!(
    /// A site: one county or city of the program, with its own hours and time zone.
    SiteId
);
string_id!(
    /// A zone or precinct within a site, used to prefer nearby case managers.
    ZoneId
);

/// What a person is on duty as. The order is the order of escalation, and of listings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Meets the person at the scene or station and invites them to opt in.
    CaseManager,
    /// Outreach and intake coordinator, typically on call after hours.
    Coordinator,
    Supervisor,
    ProjectManager,
    /// Staff of a diversion center: told of drop-offs there, and checks people in.
    /// Never on a schedule: a center's own hours say when it takes people.
    Center,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::CaseManager,
        Role::Coordinator,
        Role::Supervisor,
        Role::ProjectManager,
        Role::Center,
    ];

    /// Whether someone may be on duty in this role: any but `center`, whose staff
    /// are never on a schedule (a center's own hours say when it takes people).
    pub fn is_duty(self) -> bool {
        self != Role::Center
    }

    /// The configuration spelling: `case_manager`, `coordinator`, `supervisor`,
    /// `project_manager`, `center`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CaseManager => "case_manager",
            Role::Coordinator => "coordinator",
            Role::Supervisor => "supervisor",
            Role::ProjectManager => "project_manager",
            Role::Center => "center",
        }
    }

    /// How a person reads it: "case manager", "on-call coordinator", ...
    pub fn label(self) -> &'static str {
        match self {
            Role::CaseManager => "case manager",
            Role::Coordinator => "outreach and intake coordinator",
            Role::Supervisor => "supervisor",
            Role::ProjectManager => "project manager",
            Role::Center => "diversion center staff",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The text is not one of the roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role `{0}`: expected case_manager, coordinator, supervisor, project_manager or center"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(text: &str) -> Result<Self, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| UnknownRole(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_accept_lowercase_digits_dash_and_underscore() {
        assert!(PersonId::parse("dana-w_2").is_ok());
        assert_eq!(PersonId::parse(""), Err(IdError::Empty));
        assert!(PersonId::parse("Dana").is_err());
        assert!(PersonId::parse("-dana").is_err());
        assert!(SiteId::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn roles_round_trip_through_their_config_spelling() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("manager".parse::<Role>().is_err());
    }
}
