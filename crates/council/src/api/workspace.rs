//! The council workspace's API, for council staff: `/api/v1/council/...`.
//!
//! Staff sign in (see [`crate::staff`]); every endpoint checks the session and the role,
//! and every change carries the CSRF token and is written to the audit trail. Staff see
//! only their own council's accounts. Figures come from the ledger, computed from the
//! account's records as the wallet computes them, so officer and person see the same
//! flags.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use futures_util::FutureExt;
use serde::Deserialize;
use tally_api::{
    AccountDetail, AccountSummary, AccountsList, AuditLine, ClawbackRequest, CouncilFigures, DecisionRequest,
    DeviceView, FlagView, MoneyInKind, MoneyInRequest, NewStaff, PairingCodeIssued, PlanVersionRequest, PolicyUpdate,
    ReviewQueue, RoleChange, SafeguardingItem, SafeguardingList, SafeguardingNoteRequest, SafeguardingNoteView,
    SignInRequest, SpendView, StaffList, StaffMember, StaffProfile, ThreadItem, ThreadKind, UnreadableAccount,
};
use tally_ledger::date::{add_days, iso_date, long_date, DateRange};
use tally_ledger::export::{self, AuditSheetFor};
use tally_ledger::{
    AccountId, Author, Clawback, Decision, Entry, EntryBody, EntryId, Ledger, Money, MoneyIn, QueryStatus,
    ReviewDecision, Rules, Severity, SupportPlan,
};
use time::Date;
use uuid::Uuid;

use super::Routes;
use crate::auth::secret_hash;
use crate::error::{ApiError, ApiJson, LaterJson};
use crate::staff::{self, Administrator, Changer, Staff};
use crate::storage::{AccountRow, AuditEvent, NewEntry, StaffRow, StatementRow};
use crate::AppState;

/// How many of the latest deliveries from devices the account page lists.
const SYNC_HISTORY_SHOWN: i64 = 20;

/// An account not heard from for this long is listed as an exception.
const NOT_SYNCED_DAYS: i64 = 14;

pub(super) fn routes() -> Routes {
    Routes::default()
        .add("/council/sign-in", &[Method::POST], post(sign_in))
        .add("/council/sign-out", &[Method::POST], post(sign_out))
        .add("/council/me", &[Method::GET], get(me))
        .add("/council/accounts", &[Method::GET, Method::POST], get(accounts).post(create_account))
        .add("/council/accounts/{reference}", &[Method::GET], get(account))
        .add("/council/accounts/{reference}/decisions", &[Method::POST], post(decide))
        .add("/council/accounts/{reference}/pairing-codes", &[Method::POST], post(pairing_code))
        .add("/council/devices/{device_id}/revoke", &[Method::POST], post(revoke_device))
        .add("/council/reviews", &[Method::GET], get(reviews))
        .add("/council/accounts/{reference}/money-in", &[Method::POST], post(money_in))
        .add("/council/accounts/{reference}/clawbacks", &[Method::POST], post(clawback))
        .add("/council/accounts/{reference}/payment-schedules", &[Method::POST], post(add_schedule))
        .add("/council/accounts/{reference}/payment-schedules/{schedule_id}/stop", &[Method::POST], post(stop_schedule))
        .add("/council/accounts/{reference}/audit-sheet.csv", &[Method::GET], get(audit_sheet))
        .add("/council/accounts/{reference}/audit-sheet", &[Method::GET], get(audit_sheet_page))
        .add("/council/transactions.csv", &[Method::GET], get(transactions))
        .add("/council/accounts/{reference}/receipts/{sha256}", &[Method::GET], get(receipt_photo))
        .add("/council/staff", &[Method::GET, Method::POST], get(list_staff).post(add_staff))
        .add("/council/staff/{staff_id}/role", &[Method::POST], post(change_role))
        .add("/council/staff/{staff_id}/remove", &[Method::POST], post(remove_staff))
        .add("/council/policy", &[Method::GET, Method::POST], get(get_policy).post(set_policy))
        .add("/council/accounts/{reference}/plan-versions", &[Method::POST], post(add_plan_version))
        .add("/council/figures", &[Method::GET], get(figures))
        .add("/council/figures.csv", &[Method::GET], get(figures_csv))
        .add("/council/safeguarding", &[Method::GET], get(safeguarding))
        .add("/council/accounts/{reference}/safeguarding", &[Method::POST], post(safeguarding_note))
}

/// A receipt photo of one of the council's accounts, for the officer reviewing it.
async fn receipt_photo(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let sha256 = super::receipts::checked_name(&sha256)?;
    let missing = || {
        ApiError::NotFound(
            "The council does not have this receipt photo yet: the phone that took it has not sent it.".to_owned(),
        )
    };
    let (content_type, bytes) = state.storage.receipt(row.account_id, &sha256).await?.ok_or_else(missing)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

async fn list_staff(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
) -> Result<Json<StaffList>, ApiError> {
    let members = state.storage.staff_of_council(&staff.row.council_id).await?;
    Ok(Json(StaffList {
        staff: members
            .into_iter()
            .map(|m| StaffMember { staff_id: m.staff_id, name: m.display_name, email: m.email, role: m.role })
            .collect(),
    }))
}

async fn add_staff(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    new: LaterJson<NewStaff>,
) -> Result<StatusCode, ApiError> {
    let new = new.read()?;
    let name = new.name.trim();
    let email = new.email.trim().to_lowercase();
    let role = new.role;
    let mut errors = problems([
        ("name", name.is_empty().then(|| "Enter their name".to_owned())),
        (
            "email",
            (!email.contains('@') || email.contains(' ') || email.len() < 3)
                .then(|| "Enter their work email address, like name@council.gov.uk".to_owned()),
        ),
        ("role", role.is_none().then(|| "Choose a role".to_owned())),
        (
            "password",
            (new.password.chars().count() < 12).then(|| "Give a first password of at least 12 characters".to_owned()),
        ),
    ]);
    if errors.is_empty() && state.storage.staff_email_taken(&email).await? {
        errors.push(("email".to_owned(), "Someone already has access with that email address".to_owned()));
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let password = new.password.clone();
    let hash =
        tokio::task::spawn_blocking(move || staff::hash_password(&password)).await.map_err(anyhow::Error::from)??;
    state
        .storage
        .create_staff(
            &Uuid::now_v7().to_string(),
            &staff.row.council_id,
            &email,
            name,
            role,
            &hash,
            state.clock.now_ms(),
        )
        .await?;
    audit(&state, &staff.row, None, "staff added", &format!("{name} <{email}> as {}", role.label())).await?;
    Ok(StatusCode::CREATED)
}

async fn change_role(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    Path(staff_id): Path<String>,
    change: LaterJson<RoleChange>,
) -> Result<StatusCode, ApiError> {
    let change = change.read()?;
    if staff_id == staff.row.staff_id {
        return Err(ApiError::BadRequest("You cannot change your own role: ask another administrator.".to_owned()));
    }
    let role = change.role.ok_or_else(|| ApiError::BadRequest("Choose a role".to_owned()))?;
    if !state.storage.set_staff_role(&staff.row.council_id, &staff_id, role).await? {
        return Err(ApiError::NotFound("There is no member of staff with that id.".to_owned()));
    }
    audit(&state, &staff.row, None, "staff role changed", &format!("{staff_id} is now {}", role.label())).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_staff(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    Path(staff_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if staff_id == staff.row.staff_id {
        return Err(ApiError::BadRequest("You cannot remove your own access: ask another administrator.".to_owned()));
    }
    if !state.storage.disable_staff(&staff.row.council_id, &staff_id, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("There is no member of staff with that id.".to_owned()));
    }
    audit(&state, &staff.row, None, "staff access removed", &staff_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_policy(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<tally_ledger::CouncilPolicy>, ApiError> {
    Ok(Json(state.storage.council_policy(&staff.row.council_id).await?))
}

async fn set_policy(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    update: LaterJson<PolicyUpdate>,
) -> Result<Json<tally_ledger::CouncilPolicy>, ApiError> {
    let update = update.read()?;
    let mut policy = state.storage.council_policy(&staff.row.council_id).await?;
    let weeks = |text: &str, most: u32, what: &str| {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= most)
            .ok_or_else(|| format!("Enter {what} as a whole number of weeks from 0 to {most}"))
    };
    let hard_maximum = Money::from_pence(tally_ledger::money::HARD_MAXIMUM_PENCE);
    let contingency = weeks(&update.contingency_weeks, 52, "the contingency");
    let respite = weeks(&update.respite_cap_weeks, 52, "the respite limit");
    let receipt = Money::parse_amount(&update.receipt_threshold, hard_maximum).map_err(|e| e.to_string());
    let maximum = Money::parse_amount(&update.per_entry_maximum, hard_maximum).map_err(|e| e.to_string());
    let reason = update.banned_reason.trim().to_owned();
    let reason_error = (!update.banned_categories.is_empty() && reason.is_empty())
        .then(|| "Say why these kinds of spending are not allowed (people will see it)".to_owned());
    let errors = problems([
        ("contingency", contingency.as_ref().err().cloned()),
        ("receipt", receipt.as_ref().err().cloned()),
        ("maximum", maximum.as_ref().err().cloned()),
        ("respite", respite.as_ref().err().cloned()),
        ("reason", reason_error),
    ]);
    let (Ok(contingency), Ok(receipt), Ok(maximum), Ok(respite), true) =
        (contingency, receipt, maximum, respite, errors.is_empty())
    else {
        return Err(ApiError::Invalid(errors));
    };
    policy.contingency_weeks = contingency;
    policy.receipt_threshold = receipt;
    policy.per_entry_maximum = maximum;
    policy.cash_allowed = update.cash_allowed;
    policy.respite_cap_weeks = respite;
    policy.banned_categories = update
        .banned_categories
        .iter()
        .map(|category| tally_ledger::BannedCategory { category: *category, reason: reason.clone() })
        .collect();
    state.storage.set_council_policy(&staff.row.council_id, &policy).await?;
    let detail = format!(
        "contingency {contingency} weeks, receipts from {receipt}, at most {maximum} an entry, cash {}, respite {respite} weeks, {} banned categories",
        if update.cash_allowed { "allowed" } else { "not allowed" },
        policy.banned_categories.len()
    );
    audit(&state, &staff.row, None, "policy changed", &detail).await?;
    Ok(Json(policy))
}

async fn add_plan_version(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<PlanVersionRequest>,
) -> Result<(StatusCode, Json<SupportPlan>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let plan = state.storage.support_plan(row.account_id).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let effective_from = plan_date(&request.effective_from, "The date the new plan starts", state.clock.today())
        .map_err(|e| errors.push(("effective_from".into(), e)))
        .ok();
    if request.lines.is_empty() {
        errors.push(("lines".into(), "A plan needs at least one line".into()));
    }
    let lines = plan_lines(&request.lines, &plan, effective_from.unwrap_or(Date::MIN), &mut errors);
    let Some(effective_from) = effective_from.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let current = plan.current();
    let version = current.map_or(1, |v| v.version + 1);
    let outcomes = current.map(|v| v.outcomes.clone()).unwrap_or_default();
    let mut versions = plan.versions.clone();
    versions.push(tally_ledger::PlanVersion { version, effective_from, outcomes, lines });
    let updated = SupportPlan::new(versions, plan.ends_on);
    state.storage.set_support_plan(row.account_id, &updated, state.clock.now_ms()).await?;
    let detail = format!("version {version} from {}", long_date(effective_from));
    audit(&state, &staff.row, Some(row.account_id), "support plan changed", &detail).await?;
    Ok((StatusCode::CREATED, Json(updated)))
}

/// Plan lines as typed, checked (problems go to `errors`, by field). A line that keeps an
/// earlier line's id keeps its start, approved payees, receipt threshold and outcomes, so
/// spending logged on it stays on it; a new one gets an id from its name.
fn plan_lines(
    typed: &[tally_api::PlanLineRequest],
    plan: &SupportPlan,
    start: Date,
    errors: &mut Vec<(String, String)>,
) -> Vec<tally_ledger::PlanLine> {
    let mut lines = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (n, line) in typed.iter().enumerate() {
        let name = line.name.trim();
        if name.is_empty() {
            errors.push((format!("line-{n}-name"), format!("Give line {} a name", n + 1)));
            continue;
        }
        let budget = match Money::parse_amount(&line.budget, Money::from_pence(tally_ledger::money::HARD_MAXIMUM_PENCE))
        {
            Ok(budget) => budget,
            Err(e) => {
                errors.push((format!("line-{n}-budget"), format!("{name}: {e}")));
                continue;
            }
        };
        let id = if line.id.trim().is_empty() { slug(name, &used) } else { line.id.trim().to_owned() };
        used.push(id.clone());
        let earlier = plan.versions.iter().flat_map(|v| v.lines.iter()).find(|l| l.id.0 == id);
        let mut new = tally_ledger::PlanLine::new(&id, name, line.category, budget, line.period, start);
        if let Some(earlier) = earlier {
            new.start = earlier.start;
            new.approved_payees = earlier.approved_payees.clone();
            new.receipt_threshold = earlier.receipt_threshold;
            new.outcomes = earlier.outcomes.clone();
        }
        lines.push(new);
    }
    lines
}

async fn create_account(
    State(state): State<AppState>,
    Changer(staff): Changer,
    new: LaterJson<tally_api::NewAccount>,
) -> Result<(StatusCode, Json<AccountSummary>), ApiError> {
    let new = new.read()?;
    let reference = new.reference.trim().to_uppercase();
    let name = new.person_name.trim();
    let mut errors: Vec<(String, String)> = Vec::new();
    if name.is_empty() {
        errors.push(("person_name".into(), "Enter the person's name".into()));
    }
    if reference.is_empty()
        || reference.len() > 40
        || !reference.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
    {
        errors.push(("reference".into(), "Enter the council's reference for the account, like DP-000123".into()));
    } else if state.storage.account_by_reference(&reference).await?.is_some() {
        errors.push(("reference".into(), format!("There is already an account with reference {reference}")));
    }
    let starts = plan_date(&new.plan_starts, "The date the plan starts", state.clock.today())
        .map_err(|e| errors.push(("plan_starts".into(), e)))
        .ok();
    let ends = match new.plan_ends.trim() {
        "" => None,
        text => plan_date(text, "The review date", state.clock.today())
            .map_err(|e| errors.push(("plan_ends".into(), e)))
            .ok(),
    };
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            errors.push(("plan_ends".into(), "The review date must be after the plan starts".into()));
        }
    }
    if new.lines.is_empty() {
        errors.push(("lines".into(), "A plan needs at least one line".into()));
    }
    let lines = plan_lines(&new.lines, &SupportPlan::default(), starts.unwrap_or(Date::MIN), &mut errors);
    let Some(starts) = starts.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let outcomes: Vec<tally_ledger::Outcome> = new
        .outcomes
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .enumerate()
        .map(|(n, text)| tally_ledger::Outcome {
            id: tally_ledger::OutcomeId(format!("outcome-{}", n + 1)),
            text: text.to_owned(),
        })
        .collect();
    let plan =
        SupportPlan::new(vec![tally_ledger::PlanVersion { version: 1, effective_from: starts, outcomes, lines }], ends);
    let council_name = state.storage.council_name(&staff.row.council_id).await?.unwrap_or_default();
    let row = AccountRow {
        account_id: AccountId(Uuid::now_v7()),
        reference: reference.clone(),
        person_name: name.to_owned(),
        council_name,
    };
    state.storage.create_account(&row, &staff.row.council_id, &plan, state.clock.now_ms()).await?;
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "account opened",
        &format!("{name} ({reference}), plan from {}", long_date(starts)),
    )
    .await?;
    let loaded = Loaded::read(&state, &row).await?;
    Ok((StatusCode::CREATED, Json(loaded.summary(&state).await?)))
}

/// An id for a new plan line from its name: "Garden help" → "garden-help" (made unique).
fn slug(name: &str, used: &[String]) -> String {
    let base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let base = if base.is_empty() { "line".to_owned() } else { base };
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

async fn figures(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Result<Json<CouncilFigures>, ApiError> {
    let (from, to) = period.dates_or_year(state.clock.today())?;
    Ok(Json(council_figures(&state, &staff, from, to).await?))
}

async fn figures_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let (from, to) = period.dates_or_year(state.clock.today())?;
    let f = council_figures(&state, &staff, from, to).await?;
    let money = |m: Money| m.to_plain_string();
    let optional = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let rows: Vec<[String; 2]> = vec![
        ["Period".into(), format!("{} to {}", iso_date(from), iso_date(to))],
        ["People on direct payments".into(), f.people.to_string()],
        ["Paid in by the council".into(), money(f.paid_in)],
        ["Contributions paid in".into(), money(f.contributions)],
        ["Spent".into(), money(f.spent)],
        ["Spent within the support plan".into(), money(f.spent_within_plan)],
        [
            "Share of spending within the plan (%)".into(),
            f.within_plan_percent.map(|p| p.to_string()).unwrap_or_default(),
        ],
        ["Flags raised".into(), f.flags_raised.to_string()],
        ["Reviews closed".into(), f.reviews_closed.to_string()],
        ["Days to close a review (median)".into(), optional(f.review_days_median)],
        ["Days to close a review (longest)".into(), optional(f.review_days_longest)],
        ["Surplus held at the end".into(), money(f.surplus_held)],
        ["Surplus recovered".into(), money(f.recovered)],
    ];
    let mut csv = String::from("\u{feff}");
    for row in rows {
        csv.push_str(&export::to_csv_record(&row));
    }
    csv.push_str("\r\n");
    csv.push_str(&export::to_csv_record(&["Month".into(), "Paid in".into(), "Spent".into()]));
    for (month, paid_in, spent) in &f.months {
        csv.push_str(&export::to_csv_record(&[iso_date(*month)[..7].to_owned(), money(*paid_in), money(*spent)]));
    }
    Ok(csv_download(&format!("council-figures-{}-to-{}.csv", iso_date(from), iso_date(to)), csv))
}

/// One account's share of the council's figures for a period.
#[derive(Default)]
struct AccountFigures {
    paid_in: Money,
    contributions: Money,
    spent: Money,
    spent_within_plan: Money,
    flags_raised: usize,
    review_days: Vec<i64>,
    surplus_held: Money,
    recovered: Money,
    /// First day of the month: (paid in, spent).
    months: std::collections::BTreeMap<Date, (Money, Money)>,
}

fn add(total: &mut Money, amount: Money) {
    *total = total.checked_add(amount).unwrap_or(*total);
}

impl AccountFigures {
    fn of(loaded: &Loaded, from: Date, to: Date) -> AccountFigures {
        let mut f = AccountFigures::default();
        let view = loaded.ledger.view();
        let review = Rules { plan: &loaded.plan, policy: &loaded.policy, today: to }.review_view(&view);
        let histories = loaded.ledger.histories();
        for active in view.active.iter().filter(|a| a.date >= from && a.date <= to) {
            match active.body {
                EntryBody::PaymentIn(m) => add(&mut f.paid_in, m.amount),
                EntryBody::Contribution(m) => add(&mut f.contributions, m.amount),
                EntryBody::Clawback(c) => add(&mut f.recovered, c.amount),
                EntryBody::Spend(s) => {
                    add(&mut f.spent, s.amount);
                    let flags = review.spends.get(&active.id());
                    let not_allowed_flag =
                        flags.is_some_and(|flags| flags.iter().any(|flag| flag.severity() == Severity::NotAllowed));
                    let decided_not_allowed =
                        histories.get(&active.id()).and_then(|h| h.decision()) == Some(Decision::NotAllowed);
                    if !not_allowed_flag && !decided_not_allowed {
                        add(&mut f.spent_within_plan, s.amount);
                    }
                    if flags.is_some() {
                        f.flags_raised += 1;
                    }
                }
                _ => {}
            }
            let slot =
                f.months.entry(tally_ledger::date::month_start(active.date)).or_insert((Money::ZERO, Money::ZERO));
            if matches!(active.body, EntryBody::PaymentIn(_) | EntryBody::Contribution(_)) {
                add(&mut slot.0, active.amount);
            } else if matches!(active.body, EntryBody::Spend(_)) {
                add(&mut slot.1, -active.amount);
            }
        }
        // Reviews of spending closed in the period, and how long each took from the spend
        // being logged (decisions on statement questions are not reviews of spending).
        for history in histories.values().filter(|h| matches!(h.original.body, EntryBody::Spend(_))) {
            let Some(decision) = history
                .thread
                .iter()
                .find(|e| matches!(&e.body, EntryBody::ReviewDecision(d) if d.decision.is_final()))
            else {
                continue;
            };
            let decided = decision.recorded_at.date();
            if decided >= from && decided <= to {
                f.review_days.push((decision.recorded_at - history.original.recorded_at).whole_days().max(0));
            }
        }
        f.surplus_held = view.surplus(&loaded.plan, &loaded.policy, to).surplus;
        f
    }
}

async fn council_figures(state: &AppState, staff: &Staff, from: Date, to: Date) -> Result<CouncilFigures, ApiError> {
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) =
        for_each_account(state, rows, &policy, |loaded| async move { Ok(AccountFigures::of(&loaded, from, to)) })
            .await?;
    let mut f = CouncilFigures {
        from,
        to,
        people: parts.len() + unreadable.len(),
        paid_in: Money::ZERO,
        contributions: Money::ZERO,
        spent: Money::ZERO,
        spent_within_plan: Money::ZERO,
        within_plan_percent: None,
        flags_raised: 0,
        reviews_closed: 0,
        review_days_median: None,
        review_days_longest: None,
        surplus_held: Money::ZERO,
        recovered: Money::ZERO,
        months: Vec::new(),
        unreadable,
    };
    let mut review_days: Vec<i64> = Vec::new();
    let mut months: std::collections::BTreeMap<Date, (Money, Money)> = std::collections::BTreeMap::new();
    for part in parts {
        add(&mut f.paid_in, part.paid_in);
        add(&mut f.contributions, part.contributions);
        add(&mut f.spent, part.spent);
        add(&mut f.spent_within_plan, part.spent_within_plan);
        add(&mut f.surplus_held, part.surplus_held);
        add(&mut f.recovered, part.recovered);
        f.flags_raised += part.flags_raised;
        review_days.extend(part.review_days);
        for (month, (paid, spent)) in part.months {
            let slot = months.entry(month).or_insert((Money::ZERO, Money::ZERO));
            add(&mut slot.0, paid);
            add(&mut slot.1, spent);
        }
    }
    f.reviews_closed = review_days.len();
    f.within_plan_percent = f.spent.pence().filter(|p| *p > 0).map(|spent| {
        let within = f.spent_within_plan.pence().unwrap_or(0);
        u32::try_from(within * 100 / spent).unwrap_or(0)
    });
    review_days.sort_unstable();
    f.review_days_median = review_days.get(review_days.len() / 2).copied();
    f.review_days_longest = review_days.last().copied();
    f.months = months.into_iter().map(|(month, (paid, spent))| (month, paid, spent)).collect();
    Ok(f)
}

async fn safeguarding(State(state): State<AppState>, staff: Staff) -> Result<Json<SafeguardingList>, ApiError> {
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) = for_each_account(&state, rows, &policy, |loaded| {
        let state = state.clone();
        async move {
            let signals = loaded.rules().signals(&loaded.ledger);
            if signals.is_empty() {
                return Ok(Vec::new());
            }
            let notes = state.storage.safeguarding_notes(loaded.row.account_id).await?;
            Ok(signals
                .into_iter()
                .map(|signal| {
                    let key = signal.key();
                    SafeguardingItem {
                        reference: loaded.row.reference.clone(),
                        person_name: loaded.row.person_name.clone(),
                        title: signal.title(),
                        figures: signal.describe(),
                        notes: notes
                            .iter()
                            .filter(|n| n.key == key)
                            .map(|n| SafeguardingNoteView {
                                outcome: n.outcome,
                                note: n.note.clone(),
                                who: n.who.clone(),
                                at_ms: n.at_ms,
                            })
                            .collect(),
                        key,
                    }
                })
                .collect::<Vec<_>>())
        }
    })
    .await?;
    let mut items: Vec<SafeguardingItem> = parts.into_iter().flatten().collect();
    // Signals nobody has looked at first.
    items.sort_by_key(|item| !item.notes.is_empty());
    Ok(Json(SafeguardingList { items, unreadable }))
}

async fn safeguarding_note(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<SafeguardingNoteRequest>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let Some(outcome) = request.outcome else {
        return Err(ApiError::BadRequest(
            "Choose \"looked at, no concern\" or \"raised with the safeguarding team\".".to_owned(),
        ));
    };
    let loaded = Loaded::read(&state, &row).await?;
    if !loaded.rules().signals(&loaded.ledger).iter().any(|s| s.key() == request.key) {
        return Err(ApiError::NotFound("That signal is not showing for this account any more.".to_owned()));
    }
    let note = request.note.trim();
    state
        .storage
        .add_safeguarding_note(row.account_id, &request.key, outcome, note, &staff.row.staff_id, state.clock.now_ms())
        .await?;
    audit(&state, &staff.row, Some(row.account_id), "safeguarding signal", &format!("{}: {note}", outcome.label()))
        .await?;
    Ok(StatusCode::CREATED)
}

// --- signing in ---------------------------------------------------------------------------

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let email = request.email.trim().to_lowercase();
    if email.is_empty() || request.password.is_empty() {
        return Err(ApiError::BadRequest("Enter your email address and your password.".to_owned()));
    }
    let now = state.clock.now_ms();
    let failed = state.storage.failed_sign_ins_since(&email, now - staff::LOCKOUT_MINUTES * 60_000).await?;
    if failed >= staff::MAX_FAILED_SIGN_INS {
        return Err(ApiError::TooManyRequests(format!(
            "Too many wrong passwords for this email address. Wait {} minutes and try again, or ask an administrator to reset your password.",
            staff::LOCKOUT_MINUTES
        )));
    }
    let found = state.storage.staff_by_email(&email).await?;
    let password = request.password;
    let stored = found.as_ref().map(|s| s.password_hash.clone());
    let matched = tokio::task::spawn_blocking(move || staff::password_matches(&password, stored.as_deref()))
        .await
        .map_err(anyhow::Error::from)?;
    state.storage.record_sign_in_attempt(&email, matched, now).await?;
    let Some(row) = found.filter(|_| matched) else {
        return Err(ApiError::Unauthorized(
            "That email address and password do not match. Check them and try again.".to_owned(),
        ));
    };
    let (token, csrf) = staff::new_session_tokens();
    let expires = now + staff::SESSION_HOURS * 3_600_000;
    state.storage.create_staff_session(&secret_hash(&token), &row.staff_id, &csrf, now, expires).await?;
    audit(&state, &row, None, "signed in", "").await?;
    let secure = headers.get("x-forwarded-proto").is_some_and(|v| v == "https");
    let profile = profile(&state, &row, csrf).await?;
    Ok(([(header::SET_COOKIE, staff::session_set_cookie(&token, secure))], Json(profile)).into_response())
}

async fn sign_out(State(state): State<AppState>, staff: Staff, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = staff::session_cookie(&headers) {
        state.storage.delete_staff_session(&secret_hash(&token)).await?;
    }
    audit(&state, &staff.row, None, "signed out", "").await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, staff::session_clear_cookie())]).into_response())
}

async fn me(State(state): State<AppState>, staff: Staff) -> Result<Json<StaffProfile>, ApiError> {
    Ok(Json(profile(&state, &staff.row, staff.csrf_token.clone()).await?))
}

async fn profile(state: &AppState, row: &StaffRow, csrf_token: String) -> Result<StaffProfile, ApiError> {
    let role = row.role;
    let council_name = state.storage.council_name(&row.council_id).await?.unwrap_or_default();
    Ok(StaffProfile {
        name: row.display_name.clone(),
        email: row.email.clone(),
        role,
        role_label: role.label().to_owned(),
        council_name,
        csrf_token,
    })
}

// --- reading ------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Search {
    search: Option<String>,
}

async fn accounts(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<Search>,
) -> Result<Json<AccountsList>, ApiError> {
    let words = search.search.unwrap_or_default().trim().to_lowercase();
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows: Vec<AccountRow> = state
        .storage
        .accounts_of_council(&staff.row.council_id)
        .await?
        .into_iter()
        .filter(|row| {
            words.is_empty()
                || row.person_name.to_lowercase().contains(&words)
                || row.reference.to_lowercase().contains(&words)
        })
        .collect();
    let (mut list, unreadable) = for_each_account(&state, rows, &policy, |loaded| {
        let state = state.clone();
        async move { loaded.summary(&state).await }
    })
    .await?;
    // Exceptions first (most first), then by reference.
    list.sort_by(|a, b| b.exceptions.len().cmp(&a.exceptions.len()).then_with(|| a.reference.cmp(&b.reference)));
    Ok(Json(AccountsList { accounts: list, unreadable }))
}

async fn account(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Json<AccountDetail>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let loaded = Loaded::read(&state, &row).await?;
    let devices = state
        .storage
        .devices(row.account_id)
        .await?
        .into_iter()
        .map(|d| DeviceView {
            device_id: d.device_id,
            label: d.label,
            paired_ms: d.paired_at_ms,
            revoked_ms: d.revoked_at_ms,
            records: d.records,
            missing: d.missing,
            last_received_ms: d.last_received_at_ms,
        })
        .collect();
    let audit = state
        .storage
        .audit_of_account(row.account_id)
        .await?
        .into_iter()
        .map(|(at_ms, who, action, detail)| AuditLine { at_ms, who, action, detail })
        .collect();
    let schedules = schedule_views(&state, row.account_id).await?;
    let sync_history = state
        .storage
        .sync_history(row.account_id, SYNC_HISTORY_SHOWN)
        .await?
        .into_iter()
        .map(|(at_ms, device_label, records)| tally_api::SyncEvent { at_ms, device_label, records })
        .collect();
    Ok(Json(AccountDetail {
        summary: loaded.summary(&state).await?,
        plan: loaded.plan.clone(),
        schedules,
        spends: loaded.spends(false),
        devices,
        sync_history,
        audit,
    }))
}

async fn reviews(State(state): State<AppState>, staff: Staff) -> Result<Json<ReviewQueue>, ApiError> {
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) = for_each_account(&state, rows, &policy, |loaded| {
        let state = state.clone();
        async move {
            let answers = loaded.answered_queries(&state).await?;
            Ok((loaded.spends(true), answers))
        }
    })
    .await?;
    let (mut items, mut answers): (Vec<SpendView>, Vec<tally_api::QueryAnswer>) = (Vec::new(), Vec::new());
    for (spends, answered) in parts {
        items.extend(spends);
        answers.extend(answered);
    }
    items.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)));
    answers.sort_by(|a, b| {
        a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)).then_with(|| a.line_no.cmp(&b.line_no))
    });
    Ok(Json(ReviewQueue { items, answers, unreadable }))
}

// --- changing -----------------------------------------------------------------------------

async fn decide(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<DecisionRequest>,
) -> Result<(StatusCode, Json<SpendView>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let mut loaded = Loaded::read(&state, &row).await?;
    // The values the officer decided on: a final decision keeps them in force.
    let version =
        loaded.ledger.view().spending().find(|active| active.id() == request.about).map(|active| active.version);
    let Some(version) = version else {
        return Err(ApiError::NotFound("There is no spending with that id on this account.".to_owned()));
    };
    let note = request.note.trim().to_owned();
    let body = EntryBody::ReviewDecision(ReviewDecision {
        about: request.about,
        decision: request.decision,
        note: note.clone(),
        version: Some(version),
    });
    let decision = store_council_entry(&state, &staff, &row, body).await?;
    let words = match request.decision {
        Decision::Approved => "approved",
        Decision::Question => "asked a question about",
        Decision::NotAllowed => "marked not allowed",
    };
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "review decision",
        &format!("{words} spending {}: {note}", request.about),
    )
    .await?;
    loaded.ledger.insert(decision).map_err(anyhow::Error::from)?;
    let view = loaded
        .spends(false)
        .into_iter()
        .find(|s| s.entry_id == request.about)
        .ok_or_else(|| anyhow::anyhow!("decided spend vanished"))?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn pairing_code(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
) -> Result<(StatusCode, Json<PairingCodeIssued>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let code = crate::issue_pairing_code(&state.storage, row.account_id).await?;
    audit(&state, &staff.row, Some(row.account_id), "pairing code issued", "").await?;
    Ok((StatusCode::CREATED, Json(PairingCodeIssued { code, valid_days: crate::seed::PAIRING_CODE_DAYS })))
}

async fn revoke_device(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(device_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let unknown = || ApiError::NotFound("There is no device with that id.".to_owned());
    let device = tally_ledger::DeviceId(device_id.parse::<Uuid>().map_err(|_| unknown())?);
    let account = state.storage.account_of_device(device).await?.ok_or_else(unknown)?;
    if state.storage.council_of_account(account).await?.as_deref() != Some(staff.row.council_id.as_str()) {
        return Err(unknown());
    }
    if state.storage.revoke_device(device, state.clock.now_ms()).await?.is_none() {
        return Err(ApiError::BadRequest("That device was revoked already.".to_owned()));
    }
    audit(&state, &staff.row, Some(account), "device revoked", &device.to_string()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn money_in(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<MoneyInRequest>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let policy = state.storage.policy_for(row.account_id).await?;
    let date = record_date(&request.date, "The date the money was paid in", state.clock.today());
    let amount = Money::parse_amount(&request.amount, policy.per_entry_maximum);
    let kind = request.kind.ok_or_else(|| "Choose a payment from the council or the person's contribution".to_owned());
    let errors = problems([
        ("kind", kind.as_ref().err().cloned()),
        ("date", date.as_ref().err().cloned()),
        ("amount", amount.as_ref().err().map(|e| e.to_string())),
    ]);
    let (Ok(kind), Ok(date), Ok(amount)) = (kind, date, amount) else {
        return Err(ApiError::Invalid(errors));
    };
    let from_council = kind == MoneyInKind::PaymentIn;
    let money = MoneyIn { date, amount, reference: request.reference.trim().to_owned() };
    let body = if from_council { EntryBody::PaymentIn(money) } else { EntryBody::Contribution(money) };
    let what = if from_council { "payment in" } else { "contribution" };
    store_council_entry(&state, &staff, &row, body).await?;
    audit(&state, &staff.row, Some(row.account_id), "money in", &format!("{what} of {amount} on {}", long_date(date)))
        .await?;
    Ok(StatusCode::CREATED)
}

async fn schedule_views(state: &AppState, account: AccountId) -> Result<Vec<tally_api::ScheduleView>, ApiError> {
    state
        .storage
        .schedules_of_account(account)
        .await?
        .into_iter()
        .map(|s| {
            Ok(tally_api::ScheduleView {
                next_date: tally_ledger::date::parse_iso_date(&s.next_date)
                    .ok_or_else(|| anyhow::anyhow!("bad schedule date {:?}", s.next_date))?,
                schedule_id: s.schedule_id,
                amount: Money::from_pence(s.amount),
                every_weeks: s.every_weeks,
                reference: s.reference,
            })
        })
        .collect()
}

async fn add_schedule(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<tally_api::ScheduleRequest>,
) -> Result<(StatusCode, Json<Vec<tally_api::ScheduleView>>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let policy = state.storage.policy_for(row.account_id).await?;
    let amount = Money::parse_amount(&request.amount, policy.per_entry_maximum).map_err(|e| e.to_string());
    let every = request
        .every_weeks
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=52).contains(n))
        .ok_or_else(|| "Choose how often: every 1 to 52 weeks".to_owned());
    let first = record_date(&request.first_date, "The date of the first payment", state.clock.today());
    let errors = problems([
        ("amount", amount.as_ref().err().cloned()),
        ("every_weeks", every.as_ref().err().cloned()),
        ("first_date", first.as_ref().err().cloned()),
    ]);
    let (Ok(amount), Ok(every), Ok(first)) = (amount, every, first) else {
        return Err(ApiError::Invalid(errors));
    };
    let schedule = crate::storage::ScheduleRow {
        schedule_id: Uuid::now_v7().to_string(),
        account_id: row.account_id,
        amount: amount.pence().unwrap_or_default(),
        every_weeks: every,
        next_date: iso_date(first),
        reference: request.reference.trim().to_owned(),
    };
    state.storage.create_schedule(&schedule, &staff.row.staff_id, state.clock.now_ms()).await?;
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "payments scheduled",
        &format!("{amount} every {every} weeks from {}", long_date(first)),
    )
    .await?;
    // Anything already due is paid in now.
    crate::record_due_payments(&state.storage, state.clock.today(), state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(schedule_views(&state, row.account_id).await?)))
}

async fn stop_schedule(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, schedule_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    if !state.storage.stop_schedule(row.account_id, &schedule_id, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("There is no running schedule with that id on this account.".to_owned()));
    }
    audit(&state, &staff.row, Some(row.account_id), "scheduled payments stopped", &schedule_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn clawback(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<ClawbackRequest>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let loaded = Loaded::read(&state, &row).await?;
    let date = record_date(&request.date, "The date the money is recovered", state.clock.today());
    let balance = loaded.ledger.balance();
    let amount = Money::parse_amount(&request.amount, loaded.policy.per_entry_maximum)
        .map_err(|e| e.to_string())
        .and_then(|amount| {
            if amount > balance {
                Err(format!("That is more than the account holds ({balance}). Recover at most the balance."))
            } else {
                Ok(amount)
            }
        });
    let reason = Some(request.reason.trim().to_owned())
        .filter(|r| !r.is_empty())
        .ok_or_else(|| "Say why the money is recovered (the person will see it)".to_owned());
    let errors = problems([
        ("date", date.as_ref().err().cloned()),
        ("amount", amount.as_ref().err().cloned()),
        ("reason", reason.as_ref().err().cloned()),
    ]);
    let (Ok(date), Ok(amount), Ok(reason)) = (date, amount, reason) else {
        return Err(ApiError::Invalid(errors));
    };
    store_council_entry(&state, &staff, &row, EntryBody::Clawback(Clawback { date, amount, reason: reason.clone() }))
        .await?;
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "surplus recovered",
        &format!("{amount} on {}: {reason}", long_date(date)),
    )
    .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize)]
struct Period {
    from: Option<String>,
    to: Option<String>,
}

impl Period {
    /// The dates asked for; by default the last twelve months to today.
    fn dates_or_year(&self, today: Date) -> Result<(Date, Date), ApiError> {
        if self.from.as_deref().unwrap_or_default().is_empty() && self.to.as_deref().unwrap_or_default().is_empty() {
            return Ok((add_days(today, -364), today));
        }
        self.dates(today)
    }

    /// The dates asked for; by default the last 4 weeks to today. Both in the range a
    /// record's dates may be (from 2000 to a year ahead).
    fn dates(&self, today: Date) -> Result<(Date, Date), ApiError> {
        let read = |text: &Option<String>, default: Date, what: &str| match text.as_deref() {
            None | Some("") => Ok(default),
            Some(text) => record_date(text, what, today).map_err(ApiError::BadRequest),
        };
        let (from, to) = (
            read(&self.from, add_days(today, -27), "The start of the period")?,
            read(&self.to, today, "The end of the period")?,
        );
        if from > to {
            return Err(ApiError::BadRequest("The period must start on or before the day it ends.".to_owned()));
        }
        Ok((from, to))
    }
}

async fn audit_sheet(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let (from, to) = period.dates(state.clock.today())?;
    let loaded = Loaded::read(&state, &row).await?;
    let sheet = AuditSheetFor { person: &row.person_name, reference: &row.reference, from, to };
    let csv = export::audit_sheet_csv(&loaded.ledger, &loaded.plan, &loaded.policy, sheet);
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "audit sheet exported",
        &format!("{} to {}", iso_date(from), iso_date(to)),
    )
    .await?;
    Ok(csv_download(&format!("audit-sheet-{}-{}-to-{}.csv", row.reference, iso_date(from), iso_date(to)), csv))
}

/// The audit sheet for the printable page: the same sheet as the CSV, as figures.
async fn audit_sheet_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Query(period): Query<Period>,
) -> Result<Json<tally_api::AuditSheetView>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let (from, to) = period.dates(state.clock.today())?;
    let loaded = Loaded::read(&state, &row).await?;
    let sheet = export::audit_sheet(
        &loaded.ledger,
        &loaded.plan,
        &loaded.policy,
        AuditSheetFor { person: &row.person_name, reference: &row.reference, from, to },
    );
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "audit sheet viewed",
        &format!("{} to {}", iso_date(from), iso_date(to)),
    )
    .await?;
    Ok(Json(tally_api::AuditSheetView {
        person_name: row.person_name.clone(),
        reference: row.reference.clone(),
        from,
        to,
        header: sheet.header.into_iter().map(|(name, _, shown)| (name.to_owned(), shown)).collect(),
        columns: export::AUDIT_LINE_HEADER.iter().map(|c| (*c).to_owned()).collect(),
        lines: sheet.lines.into_iter().map(Vec::from).collect(),
    }))
}

async fn transactions(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let (from, to) = period.dates(state.clock.today())?;
    let mut out = String::from("\u{feff}Council reference,Person,");
    out.push_str(&export::CSV_HEADER.join(","));
    out.push_str("\r\n");
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) = for_each_account(&state, rows, &policy, |loaded| async move {
        // Each row of the account's statement, with the account in front.
        let mut out = String::new();
        for statement_row in export::statement_rows(&loaded.ledger, &loaded.plan, from, to) {
            let mut cells = vec![loaded.row.reference.clone(), loaded.row.person_name.clone()];
            cells.extend(export::row_cells(&statement_row));
            out.push_str(&export::to_csv_record(&cells));
        }
        Ok(out)
    })
    .await?;
    for part in parts {
        out.push_str(&part);
    }
    // An account that could not be read is a line saying so, never silently missing.
    for account in unreadable {
        let mut cells =
            vec![account.reference, account.person_name, String::new(), String::new(), String::new(), account.reason];
        cells.resize(2 + export::CSV_HEADER.len(), String::new());
        out.push_str(&export::to_csv_record(&cells));
    }
    Ok(csv_download(&format!("transactions-{}-to-{}.csv", iso_date(from), iso_date(to)), out))
}

fn csv_download(name: &str, csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response()
}

fn parse_date(text: &str) -> Result<Date, String> {
    tally_ledger::date::parse_iso_date(text.trim())
        .ok_or_else(|| "Enter a real date, for example 2026-11-22".to_owned())
}

/// A date for a record or a period, from 2000 to a year after today: `what` names it in
/// the message ("The date of the payment").
fn record_date(text: &str, what: &str, today: Date) -> Result<Date, String> {
    let date = parse_date(text)?;
    DateRange::for_records(today).check(date, what)?;
    Ok(date)
}

/// A date in a support plan (a start, a new version, a review date), from 2000 to ten
/// years after today.
fn plan_date(text: &str, what: &str, today: Date) -> Result<Date, String> {
    let date = parse_date(text)?;
    DateRange::for_plans(today).check(date, what)?;
    Ok(date)
}

/// The fields that have a problem, with it.
fn problems<const N: usize>(fields: [(&str, Option<String>); N]) -> Vec<(String, String)> {
    fields.into_iter().filter_map(|(field, error)| error.map(|e| (field.to_owned(), e))).collect()
}

/// Stores an entry written by the council (no device), as the signed-in member of staff,
/// and gives it back.
pub(super) async fn store_council_entry(
    state: &AppState,
    staff: &Staff,
    row: &AccountRow,
    body: EntryBody,
) -> Result<Entry, ApiError> {
    let mut stored = store_council_entries(state, staff, row, vec![body]).await?;
    Ok(stored.pop().expect("one entry was stored"))
}

/// Stores entries written by the council, all or none, and gives them back.
pub(super) async fn store_council_entries(
    state: &AppState,
    staff: &Staff,
    row: &AccountRow,
    bodies: Vec<EntryBody>,
) -> Result<Vec<Entry>, ApiError> {
    let author =
        Author { name: format!("{} ({})", staff.row.display_name, row.council_name), device: None, device_seq: None };
    let entries: Vec<Entry> = bodies
        .into_iter()
        .map(|body| Entry {
            id: EntryId(Uuid::now_v7()),
            account: row.account_id,
            author: author.clone(),
            recorded_at: state.clock.now(),
            body,
        })
        .collect();
    let dates = DateRange::for_records(state.clock.today());
    for entry in &entries {
        entry.check().and_then(|()| entry.check_dates(dates)).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    }
    let new = entries.iter().cloned().map(NewEntry::new).collect::<anyhow::Result<Vec<_>>>()?;
    state
        .storage
        .store_entries(row.account_id, &new, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no account with that reference.".to_owned()))?;
    Ok(entries)
}

// --- shared -------------------------------------------------------------------------------

/// An account of the signed-in member's council, by reference; other councils' accounts
/// are "not found", as if they did not exist.
pub(super) async fn council_account(state: &AppState, staff: &Staff, reference: &str) -> Result<AccountRow, ApiError> {
    state
        .storage
        .council_account_by_reference(&staff.row.council_id, reference)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("There is no account with reference {reference}.")))
}

/// One account of a page that goes through every account of the council: read and folded
/// on its own, so an account that cannot be read is listed with the reason (and logged)
/// while every other account is shown. `part` computes the account's share of the page;
/// if it panics (a bug, or records no check foresaw) that too is the account's problem,
/// not the page's.
async fn for_each_account<T, Fut>(
    state: &AppState,
    rows: Vec<AccountRow>,
    policy: &tally_ledger::CouncilPolicy,
    mut part: impl FnMut(Loaded) -> Fut,
) -> Result<(Vec<T>, Vec<UnreadableAccount>), ApiError>
where
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let mut done = Vec::with_capacity(rows.len());
    let mut unreadable = Vec::new();
    for row in rows {
        let problem = match Loaded::try_read(state, &row, policy.clone()).await? {
            Err(reason) => reason,
            Ok(loaded) => match std::panic::AssertUnwindSafe(part(loaded)).catch_unwind().await {
                Ok(result) => {
                    done.push(result?);
                    continue;
                }
                Err(panic) => {
                    format!("its figures could not be worked out ({})", crate::error::panic_message(panic.as_ref()))
                }
            },
        };
        tracing::error!(reference = %row.reference, reason = %problem, "an account could not be read");
        unreadable.push(UnreadableAccount {
            reference: row.reference,
            person_name: row.person_name,
            reason: format!("Could not be read: {problem}."),
        });
    }
    Ok((done, unreadable))
}

pub(super) async fn audit(
    state: &AppState,
    staff: &StaffRow,
    account: Option<AccountId>,
    action: &str,
    detail: &str,
) -> Result<(), ApiError> {
    let event = AuditEvent {
        council_id: &staff.council_id,
        staff_id: Some(&staff.staff_id),
        account_id: account,
        action,
        detail,
    };
    Ok(state.storage.audit(&event, state.clock.now_ms()).await?)
}

/// One account's records, plan and policy, folded.
pub(super) struct Loaded {
    pub(super) row: AccountRow,
    plan: SupportPlan,
    policy: tally_ledger::CouncilPolicy,
    pub(super) ledger: Ledger,
    today: Date,
}

impl Loaded {
    pub(super) async fn read(state: &AppState, row: &AccountRow) -> Result<Loaded, ApiError> {
        Loaded::read_with(state, row, state.storage.policy_for(row.account_id).await?).await
    }

    /// [`Loaded::read`] with the council's policy already read (every account of a council
    /// has the same): for the pages that go through all of a council's accounts.
    async fn read_with(
        state: &AppState,
        row: &AccountRow,
        policy: tally_ledger::CouncilPolicy,
    ) -> Result<Loaded, ApiError> {
        Loaded::try_read(state, row, policy).await?.map_err(|reason| {
            ApiError::Unreadable(format!("The records of account {} could not be read: {reason}. This has been logged for whoever runs the council's server.", row.reference))
        })
    }

    /// Reads and folds one account. `Ok(Err(reason))` when its records cannot be read (a
    /// damaged row, or a record no check foresaw); a failing database is the error.
    async fn try_read(
        state: &AppState,
        row: &AccountRow,
        policy: tally_ledger::CouncilPolicy,
    ) -> Result<Result<Loaded, String>, ApiError> {
        let rows = state.storage.entries_after(row.account_id, 0, i64::MAX).await?;
        let plan = state.storage.support_plan(row.account_id).await?;
        let mut entries = Vec::with_capacity(rows.len());
        for (seq, body) in rows {
            match serde_json::from_str::<Entry>(&body) {
                Ok(entry) => entries.push(entry),
                Err(e) => return Ok(Err(format!("record number {seq} is damaged ({e})"))),
            }
        }
        let ledger = match Ledger::from_entries(entries) {
            Ok(ledger) => ledger,
            Err(e) => return Ok(Err(format!("a stored record does not pass its checks ({e})"))),
        };
        Ok(Ok(Loaded { row: row.clone(), plan, policy, ledger, today: state.clock.today() }))
    }

    fn rules(&self) -> Rules<'_> {
        Rules { plan: &self.plan, policy: &self.policy, today: self.today }
    }

    /// The account as the accounts list shows it. Reads when the person's devices were last
    /// heard from and the open statements: only the list and the account page need them.
    async fn summary(&self, state: &AppState) -> Result<AccountSummary, ApiError> {
        let last_synced_ms = state.storage.last_received_from_devices(self.row.account_id).await?;
        let (open_statements, closed) = self.statements(state).await?;
        let view = self.ledger.view();
        let review = self.rules().review_view(&view);
        let histories = self.ledger.histories();
        let open_flags = review
            .spends
            .keys()
            .filter(|id| !histories.get(id).and_then(|h| h.decision()).is_some_and(Decision::is_final))
            .count();
        let surplus = view.surplus(&self.plan, &self.policy, self.today).surplus;
        let mut exceptions = Vec::new();
        match open_flags {
            0 => {}
            1 => exceptions.push("1 flagged spend to review".to_owned()),
            n => exceptions.push(format!("{n} flagged spends to review")),
        }
        exceptions.extend(review.account.iter().map(|flag| flag.reason.clone()));
        // Questions about a statement that is closed (an answer that came late) wait for
        // nobody: the period is settled.
        let queries: Vec<_> =
            self.ledger.queries().into_iter().filter(|q| !closed.contains(&q.query.statement)).collect();
        let count = |status: QueryStatus| queries.iter().filter(|q| q.status == status).count();
        match count(QueryStatus::Open) {
            0 => {}
            1 => exceptions.push("1 statement query waiting for the person's answer".to_owned()),
            n => exceptions.push(format!("{n} statement queries waiting for the person's answer")),
        }
        match count(QueryStatus::Answered) {
            0 => {}
            1 => exceptions.push("1 answer to a statement query to read".to_owned()),
            n => exceptions.push(format!("{n} answers to statement queries to read")),
        }
        match open_statements {
            0 => {}
            1 => exceptions.push("1 statement not reconciled yet".to_owned()),
            n => exceptions.push(format!("{n} statements not reconciled yet")),
        }
        match self.late_records_unseen(state).await? {
            0 => {}
            1 => exceptions.push("1 record arrived after the period was closed".to_owned()),
            n => exceptions.push(format!("{n} records arrived after the period was closed")),
        }
        let quiet_since = state.clock.now_ms() - NOT_SYNCED_DAYS * 86_400_000;
        match last_synced_ms {
            Some(at) if at < quiet_since => {
                exceptions.push(format!("Nothing received from the person's devices for over {NOT_SYNCED_DAYS} days"))
            }
            None => exceptions.push("No device has sent anything yet".to_owned()),
            _ => {}
        }
        Ok(AccountSummary {
            account_id: self.row.account_id,
            reference: self.row.reference.clone(),
            person_name: self.row.person_name.clone(),
            balance: view.balance(),
            open_flags,
            surplus,
            last_synced_ms,
            exceptions,
        })
    }

    /// How many of the account's statements are open, and the ids of the closed ones.
    async fn statements(&self, state: &AppState) -> Result<(usize, Vec<String>), ApiError> {
        let all = state.storage.statements(self.row.account_id).await?;
        let open = all.iter().filter(|s| s.closed.is_none()).count();
        Ok((open, all.into_iter().filter(|s| s.closed.is_some()).map(|s| s.statement_id).collect()))
    }

    /// Records that arrived after one of the account's periods was closed, dated inside
    /// it, that no officer has marked as seen.
    async fn late_records_unseen(&self, state: &AppState) -> Result<usize, ApiError> {
        let closed: Vec<StatementRow> =
            state.storage.statements(self.row.account_id).await?.into_iter().filter(|s| s.closed.is_some()).collect();
        let since = |s: &StatementRow| s.closed.as_ref().map_or(0, |(_, at)| *at).max(s.late_seen_at_ms.unwrap_or(0));
        let Some(earliest) = closed.iter().map(since).min() else { return Ok(0) };
        let received = state.storage.entries_received_after(self.row.account_id, earliest).await?;
        let mut late: std::collections::BTreeSet<EntryId> = std::collections::BTreeSet::new();
        for statement in &closed {
            let dates = tally_ledger::date::parse_iso_date(&statement.first_date)
                .zip(tally_ledger::date::parse_iso_date(&statement.last_date));
            let Some((first, last)) = dates else { continue };
            let after: Vec<(EntryId, i64)> =
                received.iter().copied().filter(|(_, at)| *at > since(statement)).collect();
            late.extend(
                super::statements::late_records(&self.ledger, first, last, &after, None)
                    .into_iter()
                    .map(|r| r.entry_id),
            );
        }
        Ok(late.len())
    }

    /// Statement questions the person has answered, waiting for an officer (not those on a
    /// statement closed since).
    async fn answered_queries(&self, state: &AppState) -> Result<Vec<tally_api::QueryAnswer>, ApiError> {
        let (_, closed) = self.statements(state).await?;
        Ok(self
            .ledger
            .queries()
            .iter()
            .filter(|q| q.status == QueryStatus::Answered && !closed.contains(&q.query.statement))
            .map(|q| {
                let said = q.thread.iter().rev().find_map(|e| match &e.body {
                    EntryBody::Explanation(x) => Some((e.recorded_at, x.text.clone())),
                    _ => None,
                });
                let logged = q.logged.last().and_then(|a| {
                    let spend = a.spend()?;
                    Some((
                        a.original.recorded_at,
                        format!(
                            "Logged the spending: {} to {} on {}",
                            spend.amount,
                            spend.payee,
                            long_date(spend.date)
                        ),
                    ))
                });
                let answer = match (said, logged) {
                    (Some(s), Some(l)) => {
                        if l.0 > s.0 {
                            l.1
                        } else {
                            s.1
                        }
                    }
                    (Some(s), None) => s.1,
                    (None, Some(l)) => l.1,
                    (None, None) => String::new(),
                };
                tally_api::QueryAnswer {
                    reference: self.row.reference.clone(),
                    person_name: self.row.person_name.clone(),
                    statement_id: q.query.statement.clone(),
                    line_no: i64::from(q.query.line_no),
                    date: q.query.date,
                    amount: q.query.amount,
                    description: q.query.description.clone(),
                    answer,
                }
            })
            .collect())
    }

    /// Spending as the council sees it: every spend, or (`open_only`) flagged ones with no
    /// final decision.
    fn spends(&self, open_only: bool) -> Vec<SpendView> {
        let view = self.ledger.view();
        let review = self.rules().review_view(&view);
        let histories = self.ledger.histories();
        let lines: Vec<(String, String)> =
            self.plan.versions.iter().flat_map(|v| v.lines.iter().map(|l| (l.id.0.clone(), l.name.clone()))).collect();
        view.spending()
            .filter_map(|active| {
                let spend = active.spend()?;
                let history = histories.get(&active.id())?;
                let flags = review.spends.get(&active.id());
                let decision = history.decision();
                if open_only && (flags.is_none() || decision.is_some_and(Decision::is_final)) {
                    return None;
                }
                let plan_line = match &spend.plan_line {
                    Some(id) => lines
                        .iter()
                        .find(|(l, _)| *l == id.0)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_else(|| id.0.clone()),
                    None => "Not in the plan".to_owned(),
                };
                let thread = thread_items(&history.thread);
                Some(SpendView {
                    reference: self.row.reference.clone(),
                    person_name: self.row.person_name.clone(),
                    entry_id: active.id(),
                    date: active.date,
                    amount: spend.amount,
                    payee: spend.payee.clone(),
                    plan_line,
                    logged_by: active.original.author.name.clone(),
                    flags: flags
                        .map(|flags| {
                            flags
                                .iter()
                                .map(|f| FlagView {
                                    title: f.rule().title().to_owned(),
                                    severity: f.severity(),
                                    reason: f.reason(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    thread,
                    receipts: spend.receipts.clone(),
                    decision,
                })
            })
            .collect()
    }
}

/// Explanations and decisions, as the workspace shows them.
pub(super) fn thread_items(thread: &[&Entry]) -> Vec<ThreadItem> {
    thread
        .iter()
        .filter_map(|e| match &e.body {
            EntryBody::Explanation(x) => Some(ThreadItem {
                author: e.author.name.clone(),
                kind: ThreadKind::Explanation,
                decision: None,
                text: x.text.clone(),
            }),
            EntryBody::ReviewDecision(d) => Some(ThreadItem {
                author: e.author.name.clone(),
                kind: ThreadKind::Decision,
                decision: Some(d.decision),
                text: d.note.clone(),
            }),
            _ => None,
        })
        .collect()
}
