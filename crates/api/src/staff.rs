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
    /// The 6-digit code from the authenticator app, or a recovery code, for someone with
    /// two-factor sign-in. Without it their sign-in answers 400 with the field `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The council's name, for someone whose email and password open more than one
    /// council's workspace on this server. Without it their sign-in answers 400 with the
    /// field `council`, naming the councils.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council: Option<String>,
}

/// `POST /api/v1/council/two-factor/setup`: a new authenticator secret to add to an app.
/// Two-factor sign-in is on only once a code from the app is confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorSetup {
    /// The secret as letters, in groups of four, to type into the app.
    pub secret: String,
    /// The `otpauth://` address a QR code carries.
    pub otpauth_url: String,
    /// The QR code as an SVG image.
    pub qr_svg: String,
}

/// `POST /api/v1/council/two-factor/confirm`: a code from the app, proving it has the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorConfirm {
    pub code: String,
}

/// Recovery codes, each good for one sign-in without the app: shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// `POST /api/v1/council/two-factor/rule` (administrators): whether everyone at the
/// council must use two-factor sign-in (administrators always must).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorRuleChange {
    pub everyone: bool,
}

/// `GET /api/v1/council/sessions`: where you are signed in, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    pub sessions: Vec<SessionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    /// For `POST /api/v1/council/sessions/{id}/end`.
    pub id: String,
    pub started_at_ms: i64,
    pub expires_at_ms: i64,
    /// The address it was started from.
    pub address: Option<String>,
    /// The browser, as it describes itself.
    pub browser: Option<String>,
    /// The session this request came with.
    pub this_one: bool,
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
    /// Two-factor sign-in is on for them.
    #[serde(default)]
    pub two_factor_on: bool,
    /// Their council requires two-factor sign-in and it is not set up: nothing else works
    /// until it is.
    #[serde(default)]
    pub two_factor_needed: bool,
}

/// `GET /api/v1/council/staff` (administrators): the council's staff with access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffList {
    pub staff: Vec<StaffMember>,
    /// Those whose access was removed (an administrator can give it again).
    #[serde(default)]
    pub removed: Vec<StaffMember>,
    /// Everyone must use two-factor sign-in, not only administrators.
    #[serde(default)]
    pub two_factor_for_everyone: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub staff_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Two-factor sign-in is on for them.
    #[serde(default)]
    pub two_factor_on: bool,
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
}

/// `POST /api/v1/council/staff` and `POST /api/v1/council/staff/{staff_id}/password-link`
/// (administrators): a one-time link for the member of staff to set their own password.
/// Give it to them only (it is shown once); it works once, until `expires_at_ms`, and a
/// new link for the same person cancels it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordLink {
    /// Who it is for.
    pub name: String,
    pub email: String,
    /// The link's path on this server, with its secret after `#` (so it never reaches a
    /// server's logs): `/council/set-password#…`.
    pub path: String,
    pub expires_at_ms: i64,
}

/// `POST /api/v1/council/password-link/details`: whose a link is, before they choose a
/// password with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkToken {
    /// The secret after `#` in the link.
    pub token: String,
}

/// What a link is for, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkDetails {
    pub name: String,
    pub email: String,
    pub council_name: String,
    /// `welcome` (a first password) or `reset` (a new one).
    pub purpose: String,
    pub expires_at_ms: i64,
}

/// `POST /api/v1/council/password-link`: choose a password with a one-time link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPasswordRequest {
    pub token: String,
    pub password: String,
}

/// `POST /api/v1/council/password`: change your own password. Your other sessions end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// The fewest characters a staff password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most (longer ones are not hashed).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// What is wrong with a new staff password, in words, if anything.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some(format!("Choose a password of at least {MIN_PASSWORD_CHARS} characters"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(format!("Choose a password of at most {MAX_PASSWORD_CHARS} characters"));
    }
    if password.trim().to_lowercase() == email.trim().to_lowercase() {
        return Some("Choose a password that is not your email address".to_owned());
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first) {
        return Some("Choose a password that is not one character repeated".to_owned());
    }
    None
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

/// What an API client may do. A client never administers, and never reads a person's
/// whole file (the subject access export is an officer's act).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    /// Read accounts, reviews and figures (the workspace's `GET` answers in JSON).
    Read,
    /// Download the CSV exports: transactions, figures and audit sheets.
    Exports,
    /// Record money in: payments, contributions and refunds (`POST …/money-in`).
    MoneyIn,
}

impl ApiScope {
    pub const ALL: [ApiScope; 3] = [ApiScope::Read, ApiScope::Exports, ApiScope::MoneyIn];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::Read => "read",
            ApiScope::Exports => "exports",
            ApiScope::MoneyIn => "money_in",
        }
    }

    pub fn parse(text: &str) -> Option<ApiScope> {
        ApiScope::ALL.into_iter().find(|scope| scope.as_str() == text)
    }

    /// In plain words, for the workspace.
    pub fn label(self) -> &'static str {
        match self {
            ApiScope::Read => "Read accounts and figures",
            ApiScope::Exports => "Download exports",
            ApiScope::MoneyIn => "Record money in",
        }
    }
}

/// `POST /api/v1/council/api-clients` (administrators): a finance system's access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewApiClient {
    /// What the client is, e.g. "Oracle Fusion payments interface".
    pub name: String,
    pub scopes: Vec<ApiScope>,
}

/// The answer to making an API client: its secret is shown this once, never again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientSecret {
    pub client_id: String,
    /// Sent with the client id as HTTP Basic authentication (`client_id:secret`).
    pub secret: String,
    pub name: String,
    pub scopes: Vec<ApiScope>,
}

/// One API client, as administrators see it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientView {
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub created_by: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// `GET /api/v1/council/api-clients` (administrators): newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientList {
    pub clients: Vec<ApiClientView>,
}
