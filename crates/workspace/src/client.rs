//! The workspace's client for `/api/v1/council/...`: one typed function per endpoint, so a
//! page never writes an address or picks a method, and a change to an endpoint's types
//! shows at compile time in the pages that use it. The session is an HttpOnly cookie the
//! browser sends by itself (same origin); every change carries the CSRF token from sign-in
//! (`Workspace::csrf`).
//!
//! Reads return the answer's type; changes take the CSRF token first. Files (CSV exports,
//! receipt photos) are links: [`files`] makes their addresses.

use serde::de::DeserializeOwned;
use serde::Serialize;
use tally_api::{
    AccountDetail, AccountSummary, AccountsList, AuditSheetView, BulkDecided, BulkDecisionRequest,
    ChangePasswordRequest, ClawbackRequest, CouncilFigures, DecisionRequest, ErrorBody, LineMatchRequest, LinkDetails,
    LinkToken, MoneyInRequest, NewAccount, NewStaff, PairingCodeIssued, PasswordLink, PlanVersionRequest, PolicyUpdate,
    QueryDecisionRequest, QueryRequest, RecoveryCodes, ReviewQueue, RoleChange, SafeguardingList,
    SafeguardingNoteRequest, ScheduleRequest, ScheduleView, SetPasswordRequest, SignInRequest, SpendView, StaffList,
    StaffProfile, StatementFormatRequest, StatementFormats, StatementImport, StatementList, StatementView,
    TwoFactorConfirm, TwoFactorRuleChange, TwoFactorSetup,
};
use tally_ledger::{CouncilPolicy, DeviceId, SupportPlan};
pub use tally_web::Problem;

// ---- Session ----------------------------------------------------------------------------

/// Who is signed in (the session cookie), or `SignedOut`.
pub async fn me() -> Result<StaffProfile, Problem> {
    get("/me").await
}

pub async fn sign_in(request: &SignInRequest) -> Result<StaffProfile, Problem> {
    post("/sign-in", "", request).await
}

pub async fn sign_out(csrf: &str) -> Result<(), Problem> {
    post_empty("/sign-out", csrf).await
}

// ---- Accounts ---------------------------------------------------------------------------

/// Which accounts the accounts list shows, and which page: what its address holds
/// (`/council?search=&exception=&after=`), and the same query the API takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountsFilter {
    /// Words in the person's name or reference.
    pub search: String,
    /// An [`tally_api::ExceptionKind`] by name (`flags`), or empty for every account.
    pub exception: String,
    /// The `next` of the page before; none on the first page.
    pub after: String,
}

impl AccountsFilter {
    /// Read from an address's query (`get` gives a parameter's value).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> AccountsFilter {
        AccountsFilter {
            search: get("search").unwrap_or_default(),
            exception: get("exception").unwrap_or_default(),
            after: get("after").unwrap_or_default(),
        }
    }

    /// The query, without the page: `search=...&exception=...`.
    pub fn query(&self) -> String {
        query(&[("search", &self.search), ("exception", &self.exception), ("after", &self.after)])
    }

    /// The same filter on another page (`None`: the first).
    pub fn on_page(&self, after: Option<&str>) -> AccountsFilter {
        AccountsFilter { after: after.unwrap_or_default().to_owned(), ..self.clone() }
    }
}

/// The accounts, exceptions first, a page at a time.
pub async fn accounts(filter: &AccountsFilter) -> Result<AccountsList, Problem> {
    get(&format!("/accounts?{}", filter.query())).await
}

pub async fn account(reference: &str) -> Result<AccountDetail, Problem> {
    get(&format!("/accounts/{}", part(reference))).await
}

pub async fn open_account(csrf: &str, request: &NewAccount) -> Result<AccountSummary, Problem> {
    post("/accounts", csrf, request).await
}

pub async fn issue_pairing_code(csrf: &str, reference: &str) -> Result<PairingCodeIssued, Problem> {
    post(&format!("/accounts/{}/pairing-codes", part(reference)), csrf, &()).await
}

pub async fn revoke_device(csrf: &str, device: DeviceId) -> Result<(), Problem> {
    post_empty(&format!("/devices/{}/revoke", device.0), csrf).await
}

// ---- Reviews ----------------------------------------------------------------------------

/// Which flagged spending the review queue shows, and which page: what its address holds
/// (`/council/reviews?search=&rule=&from=&to=&min=&max=&after=`), and the same query the
/// API takes. Kept as typed, so a filter the server refuses is named by it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// Words in the person's name, reference or the payee.
    pub search: String,
    /// A [`tally_ledger::Rule`] by name (`receipt_missing`), or empty for every rule.
    pub rule: String,
    /// Spent on or after (`YYYY-MM-DD`).
    pub from: String,
    /// Spent on or before (`YYYY-MM-DD`).
    pub to: String,
    /// At least this many pounds.
    pub min: String,
    /// At most this many pounds.
    pub max: String,
    /// The `next` of the page before; none on the first page.
    pub after: String,
}

impl ReviewFilter {
    /// Read from an address's query (`get` gives a parameter's value).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> ReviewFilter {
        let get = |name: &str| get(name).unwrap_or_default();
        ReviewFilter {
            search: get("search"),
            rule: get("rule"),
            from: get("from"),
            to: get("to"),
            min: get("min"),
            max: get("max"),
            after: get("after"),
        }
    }

    pub fn query(&self) -> String {
        query(&[
            ("search", &self.search),
            ("rule", &self.rule),
            ("from", &self.from),
            ("to", &self.to),
            ("min", &self.min),
            ("max", &self.max),
            ("after", &self.after),
        ])
    }

    /// The same filter on another page (`None`: the first).
    pub fn on_page(&self, after: Option<&str>) -> ReviewFilter {
        ReviewFilter { after: after.unwrap_or_default().to_owned(), ..self.clone() }
    }

    /// Whether anything narrows the queue.
    pub fn narrows(&self) -> bool {
        self.on_page(None) != ReviewFilter::default()
    }
}

/// Flagged spending with no final decision, oldest first, a page at a time.
pub async fn reviews(filter: &ReviewFilter) -> Result<ReviewQueue, Problem> {
    get(&format!("/reviews?{}", filter.query())).await
}

/// One decision, with one note, on several flagged spends: all recorded or none.
pub async fn decide_many(csrf: &str, request: &BulkDecisionRequest) -> Result<BulkDecided, Problem> {
    post("/reviews/decisions", csrf, request).await
}

pub async fn decide(csrf: &str, reference: &str, request: &DecisionRequest) -> Result<SpendView, Problem> {
    post(&format!("/accounts/{}/decisions", part(reference)), csrf, request).await
}

// ---- Money in, recovery and schedules ---------------------------------------------------

pub async fn record_money_in(csrf: &str, reference: &str, request: &MoneyInRequest) -> Result<(), Problem> {
    post_no_answer(&format!("/accounts/{}/money-in", part(reference)), csrf, request).await
}

/// Records a review of the direct payment done.
pub async fn record_review(csrf: &str, reference: &str, request: &tally_api::NewReview) -> Result<(), Problem> {
    post_no_answer(&format!("/accounts/{}/reviews", part(reference)), csrf, request).await
}

/// Sets the person's weekly contribution as assessed.
pub async fn set_contribution(
    csrf: &str,
    reference: &str,
    request: &tally_api::ContributionChange,
) -> Result<(), Problem> {
    post_no_answer(&format!("/accounts/{}/contribution", part(reference)), csrf, request).await
}

/// Ends the direct payment.
pub async fn end_direct_payment(
    csrf: &str,
    reference: &str,
    request: &tally_api::EndDirectPayment,
) -> Result<(), Problem> {
    post_no_answer(&format!("/accounts/{}/end", part(reference)), csrf, request).await
}

pub async fn recover(csrf: &str, reference: &str, request: &ClawbackRequest) -> Result<(), Problem> {
    post_no_answer(&format!("/accounts/{}/clawbacks", part(reference)), csrf, request).await
}

/// Starts a payment schedule; the account's running schedules.
pub async fn start_schedule(
    csrf: &str,
    reference: &str,
    request: &ScheduleRequest,
) -> Result<Vec<ScheduleView>, Problem> {
    post(&format!("/accounts/{}/payment-schedules", part(reference)), csrf, request).await
}

pub async fn stop_schedule(csrf: &str, reference: &str, schedule_id: &str) -> Result<(), Problem> {
    post_empty(&format!("/accounts/{}/payment-schedules/{}/stop", part(reference), part(schedule_id)), csrf).await
}

// ---- Plans and policy -------------------------------------------------------------------

/// Adds a plan version; the plan with all its versions.
pub async fn add_plan_version(
    csrf: &str,
    reference: &str,
    request: &PlanVersionRequest,
) -> Result<SupportPlan, Problem> {
    post(&format!("/accounts/{}/plan-versions", part(reference)), csrf, request).await
}

pub async fn policy() -> Result<CouncilPolicy, Problem> {
    get("/policy").await
}

pub async fn set_policy(csrf: &str, update: &PolicyUpdate) -> Result<CouncilPolicy, Problem> {
    post("/policy", csrf, update).await
}

// ---- Safeguarding and figures -----------------------------------------------------------

pub async fn safeguarding() -> Result<SafeguardingList, Problem> {
    get("/safeguarding").await
}

pub async fn note_safeguarding(csrf: &str, reference: &str, request: &SafeguardingNoteRequest) -> Result<(), Problem> {
    post_no_answer(&format!("/accounts/{}/safeguarding", part(reference)), csrf, request).await
}

/// The council's figures for the period `from`..=`to` (`YYYY-MM-DD`).
pub async fn figures(from: &str, to: &str) -> Result<CouncilFigures, Problem> {
    get(&format!("/figures?from={}&to={}", part(from), part(to))).await
}

// ---- Staff ------------------------------------------------------------------------------

/// The council's API clients (administrators).
pub async fn api_clients() -> Result<tally_api::ApiClientList, Problem> {
    get("/api-clients").await
}

/// Makes an API client: the answer holds its secret, shown once.
pub async fn make_api_client(
    csrf: &str,
    request: &tally_api::NewApiClient,
) -> Result<tally_api::ApiClientSecret, Problem> {
    post("/api-clients", csrf, request).await
}

/// Revokes an API client.
pub async fn revoke_api_client(csrf: &str, client_id: &str) -> Result<(), Problem> {
    post_empty(&format!("/api-clients/{}/revoke", part(client_id)), csrf).await
}

pub async fn staff() -> Result<StaffList, Problem> {
    get("/staff").await
}

/// Gives someone access: the answer is the one-time link for them to choose a password.
pub async fn add_staff(csrf: &str, request: &NewStaff) -> Result<PasswordLink, Problem> {
    post("/staff", csrf, request).await
}

/// A one-time link for a member of staff to choose a new password (or, for someone whose
/// access was removed, to have it again).
pub async fn password_link(csrf: &str, staff_id: &str) -> Result<PasswordLink, Problem> {
    post(&format!("/staff/{}/password-link", part(staff_id)), csrf, &()).await
}

/// Whose a one-time link is, while it works (no one is signed in).
pub async fn link_details(token: &str) -> Result<LinkDetails, Problem> {
    post("/password-link/details", "", &LinkToken { token: token.to_owned() }).await
}

/// Chooses a password with a one-time link.
pub async fn use_password_link(request: &SetPasswordRequest) -> Result<(), Problem> {
    post_no_answer("/password-link", "", request).await
}

/// A new authenticator secret for your app (two-factor sign-in is on once confirmed).
pub async fn two_factor_setup(csrf: &str) -> Result<TwoFactorSetup, Problem> {
    post("/two-factor/setup", csrf, &()).await
}

/// Turns two-factor sign-in on with a code from the app: the recovery codes.
pub async fn two_factor_confirm(csrf: &str, code: &str) -> Result<RecoveryCodes, Problem> {
    post("/two-factor/confirm", csrf, &TwoFactorConfirm { code: code.to_owned() }).await
}

/// Turns a member of staff's two-factor sign-in off (a lost phone).
pub async fn reset_two_factor(csrf: &str, staff_id: &str) -> Result<(), Problem> {
    post_empty(&format!("/staff/{}/two-factor/reset", part(staff_id)), csrf).await
}

/// Whether everyone at the council must use two-factor sign-in.
pub async fn set_two_factor_rule(csrf: &str, everyone: bool) -> Result<(), Problem> {
    post_no_answer("/two-factor/rule", csrf, &TwoFactorRuleChange { everyone }).await
}

/// Where you are signed in.
pub async fn sessions() -> Result<tally_api::SessionList, Problem> {
    get("/sessions").await
}

/// Ends one of your own sessions.
pub async fn end_session(csrf: &str, id: &str) -> Result<(), Problem> {
    post_empty(&format!("/sessions/{}/end", part(id)), csrf).await
}

/// Changes your own password.
pub async fn change_password(csrf: &str, request: &ChangePasswordRequest) -> Result<(), Problem> {
    post_no_answer("/password", csrf, request).await
}

pub async fn change_role(csrf: &str, staff_id: &str, request: &RoleChange) -> Result<(), Problem> {
    post_no_answer(&format!("/staff/{}/role", part(staff_id)), csrf, request).await
}

pub async fn remove_staff(csrf: &str, staff_id: &str) -> Result<(), Problem> {
    post_empty(&format!("/staff/{}/remove", part(staff_id)), csrf).await
}

/// Lets a member of staff try their password again now (clears the waits).
pub async fn clear_sign_in_failures(csrf: &str, staff_id: &str) -> Result<(), Problem> {
    post_empty(&format!("/staff/{}/sign-in-failures/clear", part(staff_id)), csrf).await
}

/// Which lines of the audit log to show, as its address holds them
/// (`/council/audit-log?words=&action=&from=&to=&before=`), and the same query the API takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub words: String,
    pub action: String,
    pub from: String,
    pub to: String,
    /// The `next_before` of the page before; empty on the first page.
    pub before: String,
}

impl AuditFilter {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> AuditFilter {
        AuditFilter {
            words: get("words").unwrap_or_default(),
            action: get("action").unwrap_or_default(),
            from: get("from").unwrap_or_default(),
            to: get("to").unwrap_or_default(),
            before: get("before").unwrap_or_default(),
        }
    }

    pub fn query(&self) -> String {
        query(&[
            ("words", &self.words),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
            ("before", &self.before),
        ])
    }

    /// Whether anything narrows the log.
    pub fn narrows(&self) -> bool {
        !(self.words.is_empty() && self.action.is_empty() && self.from.is_empty() && self.to.is_empty())
    }
}

/// A page of the council's audit log, newest first (administrators).
pub async fn audit_log(filter: &AuditFilter) -> Result<tally_api::AuditLogPage, Problem> {
    get(&format!("/audit-log?{}", filter.query())).await
}

// ---- Exports ----------------------------------------------------------------------------

/// An account's audit sheet for a period, to read on screen and print.
pub async fn audit_sheet(reference: &str, from: &str, to: &str) -> Result<AuditSheetView, Problem> {
    get(&format!("/accounts/{}/audit-sheet?from={}&to={}", part(reference), part(from), part(to))).await
}

// ---- Statements -------------------------------------------------------------------------

pub async fn statement_formats() -> Result<StatementFormats, Problem> {
    get("/statement-formats").await
}

pub async fn save_statement_format(csrf: &str, request: &StatementFormatRequest) -> Result<(), Problem> {
    post_no_answer("/statement-formats", csrf, request).await
}

/// A mapping proposed from a provider's file, with its first lines as they read.
pub async fn propose_statement_format(
    csrf: &str,
    request: &tally_api::FormatProposalRequest,
) -> Result<tally_api::FormatProposal, Problem> {
    post("/statement-formats/proposal", csrf, request).await
}

pub async fn statements(reference: &str) -> Result<StatementList, Problem> {
    get(&format!("/accounts/{}/statements", part(reference))).await
}

/// Imports a card programme's feed for many cardholders: a statement on each account.
pub async fn import_feed(csrf: &str, request: &StatementImport) -> Result<tally_api::FeedImported, Problem> {
    post("/statement-feeds", csrf, request).await
}

/// The cards a feed names an account by.
pub async fn account_cards(reference: &str) -> Result<tally_api::AccountCards, Problem> {
    get(&format!("/accounts/{}/cards", part(reference))).await
}

/// Adds a card to an account, or (`remove`) takes it off.
pub async fn change_card(
    csrf: &str,
    reference: &str,
    card: &str,
    remove: bool,
) -> Result<tally_api::AccountCards, Problem> {
    let path = format!("/accounts/{}/cards{}", part(reference), if remove { "/removal" } else { "" });
    post(&path, csrf, &tally_api::CardRequest { card: card.to_owned() }).await
}

/// Imports a statement; it comes back matched.
pub async fn import_statement(
    csrf: &str,
    reference: &str,
    request: &StatementImport,
) -> Result<StatementView, Problem> {
    post(&format!("/accounts/{}/statements", part(reference)), csrf, request).await
}

pub async fn statement(reference: &str, statement_id: &str) -> Result<StatementView, Problem> {
    get(&format!("/accounts/{}/statements/{}", part(reference), part(statement_id))).await
}

/// A change to a statement. Each answers with the statement as it now is.
#[derive(Clone, Debug)]
pub enum StatementChange {
    /// Confirm a line's match to a record, match it to another, or (`None`) unmatch it.
    Match { line_no: i64, request: LineMatchRequest },
    /// Ask the person about lines that match no record (all such lines when empty).
    Ask(QueryRequest),
    /// Decide on the person's answer about a line.
    DecideQuery { line_no: i64, request: QueryDecisionRequest },
    /// Record the provider's charges (every fee with none yet, or the lines named).
    Charges(tally_api::ChargesRequest),
    /// Reconcile and close the period.
    Close,
    /// The records that arrived after the period was closed have been looked at.
    LateRecordsSeen,
}

pub async fn change_statement(
    csrf: &str,
    reference: &str,
    statement_id: &str,
    change: &StatementChange,
) -> Result<StatementView, Problem> {
    let base = format!("/accounts/{}/statements/{}", part(reference), part(statement_id));
    match change {
        StatementChange::Match { line_no, request } => post(&format!("{base}/lines/{line_no}"), csrf, request).await,
        StatementChange::Ask(request) => post(&format!("{base}/queries"), csrf, request).await,
        StatementChange::DecideQuery { line_no, request } => {
            post(&format!("{base}/lines/{line_no}/query-decision"), csrf, request).await
        }
        StatementChange::Charges(request) => post(&format!("{base}/charges"), csrf, request).await,
        StatementChange::Close => post(&format!("{base}/close"), csrf, &()).await,
        StatementChange::LateRecordsSeen => post(&format!("{base}/late-records-seen"), csrf, &()).await,
    }
}

// ---- Files ------------------------------------------------------------------------------

/// Addresses of what the council sends as files, for links and [`get_file`].
pub mod files {
    use super::part;

    /// An account's audit sheet for a period, as CSV.
    pub fn audit_sheet_csv(reference: &str, from: &str, to: &str) -> String {
        format!("/accounts/{}/audit-sheet.csv?from={}&to={}", part(reference), part(from), part(to))
    }

    /// Every account's transactions in a period, as CSV.
    pub fn transactions_csv(from: &str, to: &str) -> String {
        format!("/transactions.csv?from={}&to={}", part(from), part(to))
    }

    /// Everything held about an account's person, for a subject access request, as a zip.
    pub fn subject_access_zip(reference: &str) -> String {
        format!("/accounts/{}/subject-access.zip", part(reference))
    }

    /// The council's figures for a period, as CSV.
    pub fn figures_csv(from: &str, to: &str) -> String {
        format!("/figures.csv?from={}&to={}", part(from), part(to))
    }

    /// A receipt photo of an account, for an `<img>` or a link (the full address).
    pub fn receipt(reference: &str, sha256: &str) -> String {
        super::address(&format!("/accounts/{}/receipts/{}", part(reference), part(sha256)))
    }
}

/// A file the council makes (`path` from [`files`]): its name, from the answer's
/// `Content-Disposition`, and its bytes exactly as sent (a text decoder would drop the
/// byte-order mark spreadsheets need to read "£").
pub async fn get_file(path: &str) -> Result<(String, Vec<u8>), Problem> {
    let response = reqwest::Client::new().get(url(path)).send().await.map_err(|_| Problem::Offline)?;
    if !response.status().is_success() {
        return Err(refusal(response).await);
    }
    let name = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("filename=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap_or("export.csv")
        .to_owned();
    let bytes = response.bytes().await.map_err(|_| Problem::Offline)?;
    Ok((name, bytes.to_vec()))
}

/// The same-origin address of a `path` (from [`files`]) for a link.
pub fn address(path: &str) -> String {
    format!("/api/v1/council{path}")
}

// ---- Plumbing ---------------------------------------------------------------------------

/// A query string of the pairs whose values are not empty, each value encoded.
fn query(pairs: &[(&str, &String)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", part(value.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// One part of an address, encoded (a reference or a search typed by an officer).
fn part(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

fn url(path: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}{}", address(path))
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Problem> {
    read(reqwest::Client::new().get(url(path)).send().await).await
}

/// A change: sent with the CSRF token.
async fn post<T: DeserializeOwned, B: Serialize>(path: &str, csrf: &str, body: &B) -> Result<T, Problem> {
    let response = reqwest::Client::new().post(url(path)).header("X-CSRF-Token", csrf).json(body).send().await;
    read(response).await
}

/// A change with a body whose answer's body is not needed (201).
async fn post_no_answer<B: Serialize>(path: &str, csrf: &str, body: &B) -> Result<(), Problem> {
    let response = reqwest::Client::new().post(url(path)).header("X-CSRF-Token", csrf).json(body).send().await;
    done(response).await
}

/// A change with no body, whose answer has none (204).
async fn post_empty(path: &str, csrf: &str) -> Result<(), Problem> {
    done(reqwest::Client::new().post(url(path)).header("X-CSRF-Token", csrf).send().await).await
}

async fn done(response: reqwest::Result<reqwest::Response>) -> Result<(), Problem> {
    let response = response.map_err(|_| Problem::Offline)?;
    if response.status().is_success() {
        return Ok(());
    }
    Err(refusal(response).await)
}

async fn read<T: DeserializeOwned>(response: reqwest::Result<reqwest::Response>) -> Result<T, Problem> {
    let response = response.map_err(|_| Problem::Offline)?;
    if response.status().is_success() {
        return response.json::<T>().await.map_err(|_| Problem::Offline);
    }
    Err(refusal(response).await)
}

async fn refusal(response: reqwest::Response) -> Problem {
    let status = response.status().as_u16();
    Problem::from_answer(status, response.json::<ErrorBody>().await.ok())
}
