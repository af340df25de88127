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

/// `GET /api/v1/council/audit-log` (administrators): a page of the council's audit trail,
/// newest first. Filters: `words` (in the action, detail, who, reference or address),
/// `action`, `from` and `to` (dates, YYYY-MM-DD, inclusive), `before` (the `next_before` of
/// the page before, for the next page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLogPage {
    pub lines: Vec<AuditLogLine>,
    /// Where the next page starts, when there is one.
    pub next_before: Option<i64>,
    /// Every kind of line the council's trail holds, for the filter.
    pub actions: Vec<String>,
}

/// One line of the council's audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLogLine {
    /// Its number in the chain.
    pub seq: i64,
    pub at_ms: i64,
    /// Who: a member of staff's name, or "The person's device", "The server", "Command line".
    pub who: String,
    /// staff, device, server or command line.
    pub actor: String,
    /// The client's address, when a request did it.
    pub address: Option<String>,
    /// The account's reference, when the line is about one.
    pub reference: Option<String>,
    pub action: String,
    pub detail: String,
}

/// Lines in a page of the audit log.
pub const AUDIT_LOG_PAGE: usize = 100;
