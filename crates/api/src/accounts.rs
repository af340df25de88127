//! The council's accounts: the list with what needs a look, one account in full, and
//! opening a new one.

use serde::{Deserialize, Serialize};
use tally_ledger::{AccountId, DeviceId, Money, SupportPlan};

use crate::money::ScheduleView;
use crate::plans::PlanLineRequest;
use crate::reviews::SpendView;

/// One account in the workspace's list, with what needs a look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    pub account_id: AccountId,
    pub reference: String,
    pub person_name: String,
    pub balance: Money,
    /// Flagged spending with no final decision yet.
    pub open_flags: usize,
    pub surplus: Money,
    /// When a record last arrived from one of the person's devices (Unix ms).
    pub last_synced_ms: Option<i64>,
    /// What needs a look, in plain words, most pressing first. Empty when nothing does.
    pub exceptions: Vec<String>,
}

/// `GET /api/v1/council/accounts?search=`: exceptions first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountsList {
    pub accounts: Vec<AccountSummary>,
    /// Accounts whose records could not be read: listed, never silently left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
}

/// An account a council-wide page could not read, and why. The page shows every other
/// account; the problem is logged for whoever runs the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadableAccount {
    pub reference: String,
    pub person_name: String,
    /// A plain-English reason ("could not be read: ...").
    pub reason: String,
}

/// `GET /api/v1/council/accounts/{reference}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDetail {
    pub summary: AccountSummary,
    pub plan: SupportPlan,
    /// Regular payments in that are running.
    #[serde(default)]
    pub schedules: Vec<ScheduleView>,
    pub spends: Vec<SpendView>,
    pub devices: Vec<DeviceView>,
    /// The latest times the person's devices sent records, newest first.
    #[serde(default)]
    pub sync_history: Vec<SyncEvent>,
    /// Newest first.
    pub audit: Vec<AuditLine>,
}

/// One delivery of records from a device: when the council received them and how many
/// were new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncEvent {
    pub at_ms: i64,
    pub device_label: String,
    pub records: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceView {
    pub device_id: DeviceId,
    pub label: String,
    pub paired_ms: i64,
    pub revoked_ms: Option<i64>,
    pub records: i64,
    pub missing: i64,
    pub last_received_ms: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLine {
    pub at_ms: i64,
    pub who: String,
    pub action: String,
    pub detail: String,
}

/// `POST /api/v1/council/accounts/{reference}/pairing-codes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingCodeIssued {
    pub code: String,
    pub valid_days: i64,
}

/// `POST /api/v1/council/accounts`: a new direct payment account with its first support
/// plan. More lines and versions are added with `plan-versions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAccount {
    pub reference: String,
    pub person_name: String,
    /// "2026-12-01".
    pub plan_starts: String,
    /// The review date, when known.
    #[serde(default)]
    pub plan_ends: String,
    /// The person's outcomes in their own words, one per item.
    #[serde(default)]
    pub outcomes: Vec<String>,
    pub lines: Vec<PlanLineRequest>,
}
