//! The wire format of the council API, version 1 (`/api/v1`).
//!
//! Only two parts of Tally know it: the council server, which answers it, and the wallet's
//! sync client, which calls it. Everything else works with ledger types.

use serde::{Deserialize, Serialize};
use tally_ledger::{AccountId, CouncilPolicy, Decision, DeviceId, Entry, EntryId, Money, ReceiptRef, SupportPlan};

/// The most entries one push may carry; a bigger batch is refused before it is read.
pub const MAX_PUSH_ENTRIES: usize = 500;

/// The largest request body the API reads, in bytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The most entries one pull returns; ask again from the returned cursor for more.
pub const MAX_PULL_ENTRIES: usize = 1000;

/// Every error the API returns has this shape, with a message a person can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `not_found`.
    pub code: String,
    /// A plain-English sentence (for a form, its problems one per line).
    pub message: String,
    /// For a form: each field's problem, so it can be shown beside the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// One field of a form and what is wrong with it, in plain English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// `GET /api/v1/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// `POST /api/v1/pairings`: trade a one-time pairing code for a device token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairRequest {
    pub code: String,
    /// How the device describes itself ("Phone", "Chromium on Linux"), for the council's
    /// list of devices.
    #[serde(default)]
    pub device_label: String,
    /// The pairings this device already holds (its id and token for each), so that when it
    /// is paired again with an account it held, the new pairing carries on from the old
    /// one: records made under the old pairing can still be sent. Pairings of other
    /// accounts, unknown ones and wrong tokens are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<HeldPairing>,
}

/// A pairing a device holds: proof that it is the device with that id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPairing {
    pub device_id: DeviceId,
    pub token: String,
}

/// The most held pairings a pairing request may name (a carer's phone holds a few).
pub const MAX_HELD_PAIRINGS: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairResponse {
    pub device_id: DeviceId,
    /// Sent as `Authorization: Bearer <token>`. Reads and writes this one account only.
    pub token: String,
    pub account: AccountProfile,
}

/// `GET /api/v1/accounts/{account_id}`: whose account it is, their support plan and their
/// council's policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountProfile {
    pub account_id: AccountId,
    /// The council's reference for the account ("DP-000001").
    pub reference: String,
    pub person_name: String,
    pub council_name: String,
    pub plan: SupportPlan,
    pub policy: CouncilPolicy,
}

/// `POST /api/v1/accounts/{account_id}/entries`. Entries are read one by one, so a malformed
/// entry is refused on its own and the rest of the batch is still stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PushRequest {
    pub entries: Vec<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per entry sent, in the same order.
    pub results: Vec<PushResult>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResult {
    /// The entry's id, when it could be read.
    pub entry_id: Option<String>,
    pub status: PushStatus,
    /// Why it was refused, in plain English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    /// Stored now.
    Stored,
    /// The same entry was stored before; nothing changed.
    AlreadyStored,
    /// Not stored; see the message. Sending it again will not help.
    Refused,
}

impl PushStatus {
    /// Whether the council holds the entry, so the device may drop it from its outbox.
    pub fn is_held_by_council(self) -> bool {
        matches!(self, PushStatus::Stored | PushStatus::AlreadyStored)
    }
}

/// `GET /api/v1/accounts/{account_id}/entries?after=<cursor>`.
///
/// Generic over the entry so a client can read each entry on its own (`serde_json::Value`)
/// and keep aside the kinds it does not know rather than fail the whole page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse<E = Entry> {
    pub entries: Vec<E>,
    /// Pass as `after` next time. Opaque to clients.
    pub cursor: i64,
    /// Whether more entries are waiting after this page.
    pub more: bool,
}

/// The largest receipt photo the council keeps, in bytes. The wallet makes photos about
/// 200 KB; this leaves room for a clear photo of a long invoice.
pub const MAX_RECEIPT_BYTES: usize = 1024 * 1024;

/// The most receipt names one `receipts/missing` question may carry.
pub const MAX_RECEIPT_QUERY: usize = 500;

/// The kinds of file the council keeps as receipt photos, by their `Content-Type`.
pub const RECEIPT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// `POST /api/v1/accounts/{account_id}/receipts/missing`: which of these photos (named by
/// the SHA-256 of their bytes, 64 lower-case hex digits) the council does not hold yet.
/// A device sends only those, so each photo crosses the network once, and an upload cut
/// off half way resumes with the photos still missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptsQuery {
    pub receipts: Vec<ReceiptRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptsMissing {
    /// The ones asked about that the council does not hold, in the order asked.
    pub missing: Vec<ReceiptRef>,
}

/// `PUT /api/v1/accounts/{account_id}/receipts/{sha256}` with the photo's bytes as the
/// body and its `Content-Type`. The council checks the bytes hash to the name, the size
/// and the type. Sending a photo it holds already changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptStored {
    pub receipt: ReceiptRef,
    pub status: PushStatus,
    pub size_bytes: u64,
}

// --- The council workspace (`/api/v1/council/...`), for council staff ----------------------
//
// Staff sign in with a password; the answer sets an HttpOnly session cookie and gives the
// CSRF token, which every change must carry in the `X-CSRF-Token` header.

/// `POST /api/v1/council/sign-in`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/council/sign-in` and `GET /api/v1/council/me`: who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffProfile {
    pub name: String,
    pub email: String,
    /// `finance_officer`, `auditor` or `administrator`.
    pub role: String,
    /// The role in words ("read-only auditor").
    pub role_label: String,
    pub council_name: String,
    /// Send as `X-CSRF-Token` with every change.
    pub csrf_token: String,
}

/// One account in the workspace's list, with what needs a look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct AccountsList {
    pub accounts: Vec<AccountSummary>,
    /// Accounts whose records could not be read: listed, never silently left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
}

/// An account a council-wide page could not read, and why. The page shows every other
/// account; the problem is logged for whoever runs the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadableAccount {
    pub reference: String,
    pub person_name: String,
    /// A plain-English reason ("could not be read: ...").
    pub reason: String,
}

/// A flag on a spend, as the workspace shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    pub title: String,
    /// `explain` or `not_allowed`.
    pub severity: String,
    pub reason: String,
}

/// A spend as the council reviews it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendView {
    pub reference: String,
    pub person_name: String,
    pub entry_id: EntryId,
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
pub struct ThreadItem {
    pub author: String,
    /// `explanation` or `decision`.
    pub kind: String,
    pub decision: Option<Decision>,
    pub text: String,
}

/// `GET /api/v1/council/reviews`: flagged spending with no final decision, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    pub items: Vec<SpendView>,
    /// The person's answers to statement questions, waiting for an officer to read them,
    /// oldest first.
    #[serde(default)]
    pub answers: Vec<QueryAnswer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
}

/// A statement question the person has answered, for the review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryAnswer {
    pub reference: String,
    pub person_name: String,
    pub statement_id: String,
    pub line_no: i64,
    pub date: time::Date,
    /// Signed, as on the statement.
    pub amount: Money,
    pub description: String,
    /// The person's latest words, or the spending they logged in answer.
    pub answer: String,
}

/// `POST /api/v1/council/accounts/{reference}/decisions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRequest {
    pub about: EntryId,
    pub decision: Decision,
    #[serde(default)]
    pub note: String,
}

/// `GET /api/v1/council/accounts/{reference}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct SyncEvent {
    pub at_ms: i64,
    pub device_label: String,
    pub records: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct AuditLine {
    pub at_ms: i64,
    pub who: String,
    pub action: String,
    pub detail: String,
}

/// `POST /api/v1/council/accounts/{reference}/pairing-codes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingCodeIssued {
    pub code: String,
    pub valid_days: i64,
}

/// `POST /api/v1/council/accounts/{reference}/money-in`: a payment from the council or
/// the person's assessed contribution, paid into the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyInRequest {
    /// `payment_in` or `contribution`.
    pub kind: String,
    /// "2026-11-22".
    pub date: String,
    /// As typed: "1,480.00", "£52".
    pub amount: String,
    #[serde(default)]
    pub reference: String,
}

/// `POST /api/v1/council/accounts/{reference}/clawbacks`: surplus the council takes back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClawbackRequest {
    pub date: String,
    pub amount: String,
    pub reason: String,
}

/// `GET /api/v1/council/safeguarding`: the ledger's safeguarding signals across the
/// council's accounts, with the figures behind each and what officers recorded. Never
/// shown to the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafeguardingList {
    pub items: Vec<SafeguardingItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafeguardingItem {
    pub reference: String,
    pub person_name: String,
    /// Stable: notes are kept under it.
    pub key: String,
    pub title: String,
    /// The figures, in words.
    pub figures: String,
    /// Newest first.
    pub notes: Vec<SafeguardingNoteView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafeguardingNoteView {
    /// `no_concern` or `raised`.
    pub outcome: String,
    pub note: String,
    pub who: String,
    pub at_ms: i64,
}

/// `POST /api/v1/council/accounts/{reference}/safeguarding`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafeguardingNoteRequest {
    pub key: String,
    /// `no_concern` or `raised`.
    pub outcome: String,
    #[serde(default)]
    pub note: String,
}

/// `GET /api/v1/council/statement-formats`: the formats statements can be imported in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementFormats {
    pub names: Vec<String>,
}

/// `POST /api/v1/council/accounts/{reference}/statements`: a CSV file's text and its format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementImport {
    pub format: String,
    pub csv: String,
}

/// An imported statement with its lines, what each is matched with, the logged entries
/// of the period nothing matched, and the reconciliation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementView {
    pub statement_id: String,
    pub format: String,
    pub first_date: time::Date,
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
pub struct LateRecord {
    pub entry_id: EntryId,
    pub received_ms: i64,
    /// "Spending of £12.50 to Tesco on 3 November 2026, logged by Alex Morgan".
    pub description: String,
    /// Whether an officer has marked it as seen.
    pub seen: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLineView {
    pub line_no: i64,
    pub date: time::Date,
    /// Signed: negative is money out.
    pub amount: Money,
    pub description: String,
    pub reference: String,
    pub entry: Option<EntryBrief>,
    /// `certain`, `proposed`, `confirmed` or `none`.
    pub state: String,
    pub confidence: i64,
    /// The question sent to the person about this line, when it matched no record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<LineQuery>,
}

/// A statement query as the workspace shows it with its line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineQuery {
    pub entry_id: EntryId,
    /// `open` (waiting for the person), `answered` (waiting for an officer) or `closed`.
    pub status: String,
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

/// `GET /api/v1/council/accounts/{reference}/audit-sheet?from=&to=`: the audit sheet of
/// one account and period, for the printable page (the same sheet as the CSV).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSheetView {
    pub person_name: String,
    pub reference: String,
    pub from: time::Date,
    pub to: time::Date,
    /// `(name, value)`: money as "£1,234.50".
    pub header: Vec<(String, String)>,
    pub columns: Vec<String>,
    /// Each line's cells, in the order of `columns`; amounts as plain digits ("12.50").
    pub lines: Vec<Vec<String>>,
}

/// `POST /api/v1/council/accounts/{reference}/statements/{statement_id}/queries`: ask the
/// person about statement lines that match no record (the ones named, or every such line
/// not asked about yet when none are named).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct QueryDecisionRequest {
    pub decision: Decision,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryBrief {
    pub entry_id: EntryId,
    pub date: time::Date,
    /// Signed like statement lines.
    pub amount: Money,
    pub who: String,
}

/// Opening + in − out = closing, from the logged records over the statement's dates,
/// against the statement's own closing balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct LineMatchRequest {
    pub entry_id: Option<EntryId>,
}

/// `GET /api/v1/council/accounts/{reference}/statements`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementList {
    pub statements: Vec<StatementSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementSummary {
    pub statement_id: String,
    pub format: String,
    pub first_date: time::Date,
    pub last_date: time::Date,
    pub closed: bool,
}

/// `GET /api/v1/council/figures?from=&to=`: the numbers councils are judged on, for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilFigures {
    pub from: time::Date,
    pub to: time::Date,
    /// Accounts with a direct payment.
    pub people: usize,
    pub paid_in: Money,
    pub contributions: Money,
    pub spent: Money,
    /// Spending with no "not allowed" flag and not decided "not allowed".
    pub spent_within_plan: Money,
    /// Whole percent of spending that was within the plan (none when nothing was spent).
    pub within_plan_percent: Option<u32>,
    /// Spends dated in the period that raised a flag.
    pub flags_raised: usize,
    /// Final decisions (approved, not allowed) recorded in the period.
    pub reviews_closed: usize,
    /// Days from the spend being logged to its final decision: the median and the slowest.
    pub review_days_median: Option<i64>,
    pub review_days_longest: Option<i64>,
    /// Surplus above contingency held across accounts at the end of the period.
    pub surplus_held: Money,
    /// Clawbacks dated in the period.
    pub recovered: Money,
    /// Month by month: (first day, paid in incl. contributions, spent).
    pub months: Vec<(time::Date, Money, Money)>,
    /// Accounts left out of the figures because their records could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
}

/// `POST /api/v1/council/policy` (administrators): the council's local rules, as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyUpdate {
    pub contingency_weeks: String,
    pub receipt_threshold: String,
    pub per_entry_maximum: String,
    pub cash_allowed: bool,
    pub respite_cap_weeks: String,
    /// Category names (snake_case) the council does not allow, and the reason given.
    pub banned_categories: Vec<tally_ledger::Category>,
    #[serde(default)]
    pub banned_reason: String,
}

/// `POST /api/v1/council/accounts/{reference}/plan-versions`: a new version of the support
/// plan from a date. The person's outcomes carry over; the lines are as given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersionRequest {
    /// "2026-12-01".
    pub effective_from: String,
    pub lines: Vec<PlanLineRequest>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLineRequest {
    /// Kept for an existing line (spending stays on it); empty for a new line.
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub category: tally_ledger::Category,
    /// As typed: "280.00".
    pub budget: String,
    pub period: tally_ledger::Period,
}

/// `POST /api/v1/council/statement-formats`: save a provider's column mapping (see
/// `tally_council::statements::Mapping` for its shape).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementFormatRequest {
    pub name: String,
    pub mapping: serde_json::Value,
}

/// `GET /api/v1/council/staff` (administrators): the council's staff with access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffList {
    pub staff: Vec<StaffMember>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub staff_id: String,
    pub name: String,
    pub email: String,
    /// `finance_officer`, `auditor` or `administrator`.
    pub role: String,
}

/// `POST /api/v1/council/staff` (administrators): give someone access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaff {
    pub name: String,
    pub email: String,
    pub role: String,
    /// Their first password (at least 12 characters), given to them in person.
    pub password: String,
}

/// `POST /api/v1/council/staff/{staff_id}/role` (administrators).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    pub role: String,
}

/// `POST /api/v1/council/accounts`: a new direct payment account with its first support
/// plan. More lines and versions are added with `plan-versions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// A regular payment in, recorded by the council's server when due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub schedule_id: String,
    pub amount: Money,
    pub every_weeks: i64,
    pub next_date: time::Date,
    pub reference: String,
}

/// `POST /api/v1/council/accounts/{reference}/payment-schedules`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRequest {
    pub amount: String,
    /// 1, 2 or 4 (four-weekly is the usual).
    pub every_weeks: String,
    pub first_date: String,
    #[serde(default)]
    pub reference: String,
}
