//! The review of flagged spending: each spend with its flags and thread, the queue, and
//! an officer's decision.

use serde::{Deserialize, Serialize};
use tally_ledger::{Decision, EntryId, Money, ReceiptRef, Severity};

use crate::accounts::UnreadableAccount;

/// A flag on a spend, as the workspace shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagView {
    /// The rule, for filtering (`receipt_missing`).
    pub rule: tally_ledger::Rule,
    pub title: String,
    pub severity: Severity,
    pub reason: String,
}

/// A spend as the council reviews it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendView {
    pub reference: String,
    pub person_name: String,
    pub entry_id: EntryId,
    #[serde(with = "tally_ledger::date::iso")]
    pub date: time::Date,
    pub amount: Money,
    pub payee: String,
    pub plan_line: String,
    pub logged_by: String,
    pub flags: Vec<FlagView>,
    /// The person's explanations and the council's decisions, in order: ("Alex Morgan",
    /// "explained", "It was for...").
    pub thread: Vec<ThreadItem>,
    pub receipts: Vec<ReceiptRef>,
    /// The latest decision: `approved`, `question`, `not_allowed`, or none.
    pub decision: Option<Decision>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadItem {
    pub author: String,
    pub kind: ThreadKind,
    pub decision: Option<Decision>,
    pub text: String,
}

/// What a line of a spend's thread is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ThreadKind {
    /// The person's words.
    Explanation,
    /// An officer's decision.
    Decision,
}

/// `GET /api/v1/council/reviews`: flagged spending with no final decision, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewQueue {
    pub items: Vec<SpendView>,
    /// The person's answers to statement questions, waiting for an officer to read them,
    /// oldest first.
    #[serde(default)]
    pub answers: Vec<QueryAnswer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
    /// How many flagged spends the filter finds, on every page; counted up to 1,000.
    #[serde(default)]
    pub total: u64,
    /// There are more than `total` (1,000): counting stopped there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more_than_total: bool,
    /// Pass as `after` for the next page; none on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A statement question the person has answered, for the review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryAnswer {
    pub reference: String,
    pub person_name: String,
    pub statement_id: String,
    pub line_no: i64,
    #[serde(with = "tally_ledger::date::iso")]
    pub date: time::Date,
    /// Signed, as on the statement.
    pub amount: Money,
    pub description: String,
    /// The person's latest words, or the spending they logged in answer.
    pub answer: String,
}

/// `POST /api/v1/council/accounts/{reference}/decisions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRequest {
    pub about: EntryId,
    pub decision: Decision,
    #[serde(default)]
    pub note: String,
}

/// One flagged spend, named across the council's accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendRef {
    pub reference: String,
    pub entry_id: EntryId,
}

/// The most spends one bulk decision may cover (a page of the queue at its largest).
pub const MAX_BULK: usize = crate::accounts::MAX_PAGE;

/// `POST /api/v1/council/reviews/decisions`: one decision, with one note, on several flagged
/// spends (for example approving a page of small "no receipt" flags). All are recorded or
/// none: a spend that is not waiting for a decision is named and nothing is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkDecisionRequest {
    /// 1 to 200 spends, each waiting for a decision.
    pub spends: Vec<SpendRef>,
    pub decision: Decision,
    #[serde(default)]
    pub note: String,
}

/// What a bulk decision recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkDecided {
    /// How many spends were decided.
    pub decided: usize,
}
