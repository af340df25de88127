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
    /// How many accounts the filter finds, on every page.
    #[serde(default)]
    pub total: u64,
    /// Pass as `after` for the next page; none on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// What needs a look on an account, for filtering the accounts list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    Flags,
    SurplusAboveContingency,
    PlanEndingSoon,
    NoRecentSpending,
    OpenQueries,
    Answers,
    Statements,
    LateRecords,
    Quiet,
    NoDevice,
    ReviewDue,
    ContributionNotPaid,
    Ended,
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 13] = [
        ExceptionKind::Flags,
        ExceptionKind::ReviewDue,
        ExceptionKind::ContributionNotPaid,
        ExceptionKind::Answers,
        ExceptionKind::OpenQueries,
        ExceptionKind::Statements,
        ExceptionKind::LateRecords,
        ExceptionKind::SurplusAboveContingency,
        ExceptionKind::PlanEndingSoon,
        ExceptionKind::NoRecentSpending,
        ExceptionKind::Quiet,
        ExceptionKind::NoDevice,
        ExceptionKind::Ended,
    ];

    /// The name in JSON and in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::Flags => "flags",
            ExceptionKind::SurplusAboveContingency => "surplus_above_contingency",
            ExceptionKind::PlanEndingSoon => "plan_ending_soon",
            ExceptionKind::NoRecentSpending => "no_recent_spending",
            ExceptionKind::OpenQueries => "open_queries",
            ExceptionKind::Answers => "answers",
            ExceptionKind::Statements => "statements",
            ExceptionKind::LateRecords => "late_records",
            ExceptionKind::Quiet => "quiet",
            ExceptionKind::NoDevice => "no_device",
            ExceptionKind::ReviewDue => "review_due",
            ExceptionKind::ContributionNotPaid => "contribution_not_paid",
            ExceptionKind::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Option<ExceptionKind> {
        ExceptionKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// What the filter is called.
    pub fn label(self) -> &'static str {
        match self {
            ExceptionKind::Flags => "Flagged spending to review",
            ExceptionKind::SurplusAboveContingency => "Surplus above the contingency",
            ExceptionKind::PlanEndingSoon => "Plan ending soon",
            ExceptionKind::NoRecentSpending => "No recent spending",
            ExceptionKind::OpenQueries => "Statement questions waiting for the person",
            ExceptionKind::Answers => "Answers to statement questions to read",
            ExceptionKind::Statements => "Statements not reconciled",
            ExceptionKind::LateRecords => "Records that arrived after a period closed",
            ExceptionKind::Quiet => "Nothing received for over 14 days",
            ExceptionKind::NoDevice => "No device has sent anything",
            ExceptionKind::ReviewDue => "Review due",
            ExceptionKind::ContributionNotPaid => "Contribution not paid",
            ExceptionKind::Ended => "Direct payment ended",
        }
    }
}

/// The most a page of a council-wide list holds.
pub const MAX_PAGE: usize = 200;
/// A page's size when none is asked for.
pub const DEFAULT_PAGE: usize = 50;

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
    /// Reviews, the contribution and the end.
    #[serde(default)]
    pub life: LifeView,
}

/// The life of the direct payment, as the council keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LifeView {
    /// When the next review is due (none before the plan starts, or once ended).
    #[serde(default, with = "tally_ledger::date::iso::option")]
    pub next_review: Option<time::Date>,
    /// Reviews done, newest first.
    pub reviews: Vec<ReviewDone>,
    /// The person's weekly contribution, as assessed (zero when none).
    pub weekly_contribution: Money,
    pub ended: Option<EndedView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewDone {
    #[serde(with = "tally_ledger::date::iso")]
    pub done_on: time::Date,
    pub note: String,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndedView {
    #[serde(with = "tally_ledger::date::iso")]
    pub ended_on: time::Date,
    pub reason: String,
}

/// `POST /api/v1/council/accounts/{reference}/reviews`: a review done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReview {
    /// "2026-12-06".
    pub done_on: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/council/accounts/{reference}/contribution`: the weekly contribution assessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContributionChange {
    /// As typed: "12.50", "£0".
    pub weekly: String,
}

/// `POST /api/v1/council/accounts/{reference}/end`: the direct payment ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndDirectPayment {
    /// The last day of the direct payment, "2026-12-06" (today or earlier).
    pub ended_on: String,
    /// Why, in words the person will read on their phone.
    pub reason: String,
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
