//! Who takes part: the program's staff (with roles, contacts, caseload caps and the
//! zones they serve) and the agencies whose registered officers may ask for a
//! hand-off. Built from configuration; looked up by phone or Matrix ID at the edges.

use std::collections::{BTreeMap, BTreeSet};

use handoff_schedules::{PersonId, Role, SiteId, ZoneId};

use crate::contact::{Channel, MatrixUserId, PhoneNumber};

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(into = "String", try_from = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = handoff_schedules::IdError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl $name {
            /// Same rules as every other identifier: lowercase letters, digits, `-`, `_`.
            pub fn parse(text: &str) -> Result<Self, handoff_schedules::IdError> {
                handoff_schedules::PersonId::parse(text).map(|_| Self(text.to_owned()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_newtype!(
    /// A participating law-enforcement agency.
    AgencyId
);
id_newtype!(
    /// A registered officer (unique across agencies).
    OfficerId
);
id_newtype!(
    /// An escalation policy.
    PolicyId
);
id_newtype!(
    /// A diversion center of a site.
    CenterId
);

/// A member of the program's staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    /// Full name, for the dashboard; only the first name is ever sent to officers.
    pub name: String,
    pub roles: BTreeSet<Role>,
    pub phone: Option<PhoneNumber>,
    pub matrix: Option<MatrixUserId>,
    /// How they prefer to be reached when both ways are configured (Matrix by
    /// default when they have a Matrix ID). A message still goes by SMS when
    /// Matrix is off or cannot deliver it.
    pub channel: Channel,
    /// Open cases beyond which the person is not offered new hand-offs.
    pub caseload_cap: Option<u32>,
    /// Zones or precincts the person prefers to serve; empty means all.
    pub zones: BTreeSet<ZoneId>,
}

impl Person {
    /// The first word of the name: what an officer is told ("Dana is coming").
    pub fn first_name(&self) -> &str {
        self.name
            .split_whitespace()
            .next()
            .unwrap_or(self.id.as_str())
    }
}

/// A police officer registered to request hand-offs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub id: OfficerId,
    /// The agency a request goes out for unless it names another of theirs.
    pub agency: AgencyId,
    /// Further agencies the officer works for (part-time officers often serve
    /// several): a request naming one of them goes out for it.
    pub other_agencies: Vec<AgencyId>,
    pub name: String,
    /// Rank as written in offers ("Ofc.", "Sgt."), may be empty.
    pub rank: String,
    pub phone: PhoneNumber,
    pub matrix: Option<MatrixUserId>,
    /// How they prefer to be reached (as for [`Person::channel`]).
    pub channel: Channel,
    /// The zone or precinct the officer usually works, for requests that name none.
    pub zone: Option<ZoneId>,
}

impl Officer {
    /// "Ofc. Rivera": how case managers see the requester.
    pub fn display_name(&self) -> String {
        let surname = self.name.split_whitespace().last().unwrap_or(&self.name);
        if self.rank.is_empty() {
            surname.to_owned()
        } else {
            format!("{} {}", self.rank, surname)
        }
    }

    /// Whether requests may go out for `agency` in this officer's name: the one
    /// they are listed under or one of their `other_agencies`.
    pub fn works_for(&self, agency: &AgencyId) -> bool {
        &self.agency == agency || self.other_agencies.contains(agency)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: AgencyId,
    pub name: String,
    /// The sites whose case managers this agency's requests go to; the first is the
    /// default when a request does not name one.
    pub sites: Vec<SiteId>,
}

/// Everyone, indexed for the look-ups the edges make.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub people: BTreeMap<PersonId, Person>,
    pub agencies: BTreeMap<AgencyId, Agency>,
    pub officers: BTreeMap<OfficerId, Officer>,
}

/// Who a phone number or Matrix ID belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Participant<'a> {
    Staff(&'a Person),
    Officer(&'a Officer),
}

impl Roster {
    pub fn by_phone(&self, phone: &PhoneNumber) -> Option<Participant<'_>> {
        if let Some(officer) = self.officers.values().find(|o| &o.phone == phone) {
            return Some(Participant::Officer(officer));
        }
        self.people
            .values()
            .find(|p| p.phone.as_ref() == Some(phone))
            .map(Participant::Staff)
    }

    /// Officer `id`, if they work for `agency`: who an agency's own system may act
    /// for.
    pub fn officer_of(&self, agency: &AgencyId, id: &OfficerId) -> Option<&Officer> {
        self.officers.get(id).filter(|o| o.works_for(agency))
    }

    pub fn by_matrix(&self, user: &MatrixUserId) -> Option<Participant<'_>> {
        if let Some(officer) = self
            .officers
            .values()
            .find(|o| o.matrix.as_ref() == Some(user))
        {
            return Some(Participant::Officer(officer));
        }
        self.people
            .values()
            .find(|p| p.matrix.as_ref() == Some(user))
            .map(Participant::Staff)
    }
}
