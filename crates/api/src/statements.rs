//! Bank and card statements: formats, importing, matching lines to records, questions to
//! the person, and reconciling and closing a period.

use serde::{Deserialize, Serialize};

/// How a statement line stands against the logged records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchState {
    /// Matched by the matcher with no doubt.
    Certain,
    /// A likely match an officer should confirm.
    Proposed,
    /// Matched by an officer.
    Confirmed,
    /// No logged record.
    None,
    /// A payment and the reversal (or chargeback) that cancels it, on the same statement:
    /// they need no record.
    Reversed,
}

/// Where a question to the person about a statement line stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueryState {
    /// Waiting for the person.
    Open,
    /// The person answered; waiting for an officer.
    Answered,
    /// An officer decided.
    Closed,
}
use tally_ledger::{Decision, EntryId, Money};

use crate::reviews::ThreadItem;

/// `GET /api/v1/council/statement-formats`: the formats statements can be imported in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementFormats {
    pub names: Vec<String>,
}

/// `POST /api/v1/council/accounts/{reference}/statements`: a CSV file's text and its format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementImport {
    pub format: String,
    pub csv: String,
}

/// An imported statement with its lines, what each is matched with, the logged entries
/// of the period nothing matched, and the reconciliation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementView {
    pub statement_id: String,
    pub format: String,
    #[serde(with = "tally_ledger::date::iso")]
    pub first_date: time::Date,
    #[serde(with = "tally_ledger::date::iso")]
    pub last_date: time::Date,
    pub imported_by: String,
    pub imported_ms: i64,
    /// Who closed (reconciled and locked) it, and when.
    pub closed_by: Option<String>,
    pub closed_ms: Option<i64>,
    pub lines: Vec<StatementLineView>,
    pub unmatched_entries: Vec<EntryBrief>,
    /// For a closed statement, the figures and lines as they were when it was closed:
    /// records that arrive later never change them, and are listed in `late_records`.
    pub reconciliation: Reconciliation,
    /// Records that arrived after the period was closed and are dated inside it (or
    /// change a record dated inside it), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late_records: Vec<LateRecord>,
}

/// A record that arrived after its period was closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LateRecord {
    pub entry_id: EntryId,
    pub received_ms: i64,
    /// "Spending of £12.50 to Tesco on 3 November 2026, logged by Alex Morgan".
    pub description: String,
    /// Whether an officer has marked it as seen.
    pub seen: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementLineView {
    pub line_no: i64,
    #[serde(with = "tally_ledger::date::iso")]
    pub date: time::Date,
    /// Signed: negative is money out.
    pub amount: Money,
    pub description: String,
    pub reference: String,
    pub entry: Option<EntryBrief>,
    pub state: MatchState,
    pub confidence: i64,
    /// The question sent to the person about this line, when it matched no record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<LineQuery>,
    /// For a reversed line: the line that cancels it, or that it cancels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired_with: Option<i64>,
    /// The line is the provider's own charge (a card fee): it is explained by a charge
    /// recorded on the account, never asked about.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fee_line: bool,
    /// A fee charged with the line besides its amount (a fee column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<LineFee>,
    /// Records that together make up the line (cash withdrawn and spent in several logged
    /// payments, one payment for several invoices): confirmed, or proposed (`state`).
    /// `entry` is then empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<EntryBrief>,
}

impl StatementLineView {
    /// Whether a record (or several, or a reversal) accounts for the line, confirmed or not.
    pub fn has_match(&self) -> bool {
        self.entry.is_some() || !self.parts.is_empty() || self.state == MatchState::Reversed
    }
}

/// A fee charged with a statement line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineFee {
    /// Positive: the money out besides the line's amount.
    pub amount: Money,
    /// The charge recorded for it, once an officer accepted it.
    pub charge: Option<EntryBrief>,
}

/// `POST .../statements/{statement_id}/charges`: record the provider's charges on the
/// account. With nothing named, every fee the statement shows that has no charge yet;
/// `lines` names lines that are themselves charges (any money-out line with no record: a
/// bank's charge in a file with no entry types), `fees` lines whose fee column is to be
/// charged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargesRequest {
    #[serde(default)]
    pub lines: Vec<i64>,
    #[serde(default)]
    pub fees: Vec<i64>,
}

/// `POST /api/v1/council/statement-feeds`: a card programme's feed for many cardholders,
/// imported as one statement on each cardholder's account, all or nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedImported {
    pub statements: Vec<FeedStatement>,
}

/// One cardholder's part of an imported feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedStatement {
    pub reference: String,
    pub person_name: String,
    pub statement_id: String,
    /// The card or account as the feed writes it.
    pub card: String,
    pub lines: i64,
    pub matched: i64,
}

/// `GET /api/v1/council/accounts/{reference}/cards`: the cards (or bank accounts) a feed
/// for many cardholders names this account by, besides its reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountCards {
    pub cards: Vec<String>,
}

/// `POST .../cards` (add) and `POST .../cards/removal` (take off).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardRequest {
    /// As the feed writes it: "****1234", "5355 **** **** 1234", "C-100042".
    pub card: String,
}

/// A statement query as the workspace shows it with its line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineQuery {
    pub entry_id: EntryId,
    pub status: QueryState,
    /// The officer's decision that closed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    pub asked_by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The person's explanations and officers' decisions, oldest first.
    pub thread: Vec<ThreadItem>,
    /// Spends the person logged in answer.
    pub logged: Vec<EntryBrief>,
}

/// `POST /api/v1/council/accounts/{reference}/statements/{statement_id}/queries`: ask the
/// person about statement lines that match no record (the ones named, or every such line
/// not asked about yet when none are named).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryRequest {
    #[serde(default)]
    pub lines: Vec<i64>,
    /// Words to the person, if any.
    #[serde(default)]
    pub note: String,
}

/// `POST .../statements/{statement_id}/lines/{line_no}/query-decision`: accept the
/// person's answer, find it not allowed, or ask again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryDecisionRequest {
    pub decision: Decision,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryBrief {
    pub entry_id: EntryId,
    #[serde(with = "tally_ledger::date::iso")]
    pub date: time::Date,
    /// Signed like statement lines.
    pub amount: Money,
    pub who: String,
}

/// Opening + in − out = closing, from the logged records over the statement's dates,
/// against the statement's own closing balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reconciliation {
    pub opening: Money,
    pub money_in: Money,
    pub money_out: Money,
    pub closing: Money,
    pub statement_closing: Option<Money>,
    /// Statement closing minus logged closing.
    pub difference: Option<Money>,
    /// What stands in the way of closing, in words. Empty when it can be closed.
    pub open_points: Vec<String>,
}

/// `POST .../statements/{id}/lines/{line_no}`: match a line with an entry, or unmatch it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineMatchRequest {
    pub entry_id: Option<EntryId>,
    /// Several records that together make up the line (instead of `entry_id`): their
    /// amounts add up to the line's.
    #[serde(default)]
    pub entry_ids: Vec<EntryId>,
}

/// `GET /api/v1/council/accounts/{reference}/statements`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementList {
    pub statements: Vec<StatementSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementSummary {
    pub statement_id: String,
    pub format: String,
    #[serde(with = "tally_ledger::date::iso")]
    pub first_date: time::Date,
    #[serde(with = "tally_ledger::date::iso")]
    pub last_date: time::Date,
    pub closed: bool,
}

/// `POST /api/v1/council/statement-formats/proposal`: a file from a provider Tally has
/// no format for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormatProposalRequest {
    pub csv: String,
}

/// A mapping proposed from a file's header and first lines, and those lines as they read
/// with it, for the officer to check and correct before saving it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormatProposal {
    /// In the shape `StatementFormatRequest.mapping` takes.
    pub mapping: serde_json::Value,
    /// The first lines (up to ten), as they read with the mapping.
    pub lines: Vec<ProposedLine>,
    /// Lines cancelled by a reversal, and lines left out (above the header, totals below).
    pub reversals: usize,
    pub left_out: usize,
    /// Why the file does not read with the mapping, by line and column.
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedLine {
    pub line_no: i64,
    #[serde(with = "tally_ledger::date::iso")]
    pub date: time::Date,
    pub amount: Money,
    pub description: String,
    pub reference: String,
}

/// `POST /api/v1/council/statement-formats`: save a provider's column mapping (see
/// `tally_council::statements::Mapping` for its shape).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementFormatRequest {
    pub name: String,
    pub mapping: serde_json::Value,
}
