//! Staff sign-in and the council's staff: who is signed in, with which role, and managing
//! access (administrators).

use serde::{Deserialize, Serialize};

/// A member of staff's role. What each may do is decided here, once: the server's role
/// checks and the workspace's screens both ask these methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    FinanceOfficer,
    Auditor,
    Administrator,
}

impl Role {
    /// Every role, in the order the workspace offers them.
    pub const ALL: [Role; 3] = [Role::FinanceOfficer, Role::Auditor, Role::Administrator];

    /// As stored and sent (`finance_officer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::FinanceOfficer => "finance_officer",
            Role::Auditor => "auditor",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The role in words ("read-only auditor").
    pub fn label(self) -> &'static str {
        match self {
            Role::FinanceOfficer => "finance officer",
            Role::Auditor => "read-only auditor",
            Role::Administrator => "administrator",
        }
    }

    /// Whether the role may change the council's records (money, decisions, statements,
    /// plans, accounts). A read-only role may not.
    pub fn may_change(self) -> bool {
        match self {
            Role::FinanceOfficer | Role::Administrator => true,
            Role::Auditor => false,
        }
    }

    /// Whether the role may manage staff access and the council's policy.
    pub fn may_administer(self) -> bool {
        match self {
            Role::Administrator => true,
            Role::FinanceOfficer | Role::Auditor => false,
        }
    }
}

/// `POST /api/v1/council/sign-in`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/council/sign-in` and `GET /api/v1/council/me`: who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffProfile {
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The role in words ("read-only auditor").
    pub role_label: String,
    pub council_name: String,
    /// Send as `X-CSRF-Token` with every change.
    pub csrf_token: String,
}

/// `GET /api/v1/council/staff` (administrators): the council's staff with access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffList {
    pub staff: Vec<StaffMember>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub staff_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// `POST /api/v1/council/staff` (administrators): give someone access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaff {
    pub name: String,
    pub email: String,
    /// `None` until one is chosen (or when what was sent is not a role).
    #[serde(default, deserialize_with = "crate::chosen")]
    pub role: Option<Role>,
    /// Their first password (at least 12 characters), given to them in person.
    pub password: String,
}

/// `POST /api/v1/council/staff/{staff_id}/role` (administrators).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleChange {
    #[serde(default, deserialize_with = "crate::chosen")]
    pub role: Option<Role>,
}
