//! The council's accounts: the list with what needs a look, one account in full, opening
//! an account, pairing codes, revoking a device, and receipt photos.

use axum::extract::{Path, Query, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use tally_api::{AccountDetail, AccountSummary, AccountsList, AuditLine, DeviceView, ErrorBody, PairingCodeIssued};
use tally_ledger::date::long_date;
use tally_ledger::{AccountId, Money, SupportPlan};
use time::Date;
use uuid::Uuid;

use crate::api::described::{Changing, Csrf, OnAccount, Reference, SignedIn};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::{Changer, Staff};
use crate::storage::{AccountRow, SummaryFilter};
use crate::AppState;

use super::money::schedule_views;
use super::plans::plan_lines;
use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/accounts", &[Method::GET, Method::POST], get(accounts).post(create_account))
        .add("/council/accounts/{reference}", &[Method::GET], get(account))
        .add("/council/accounts/{reference}/pairing-codes", &[Method::POST], post(pairing_code))
        .add("/council/devices/{device_id}/revoke", &[Method::POST], post(revoke_device))
        .add("/council/accounts/{reference}/receipts/{sha256}", &[Method::GET], get(receipt_photo))
}

/// How many of the latest deliveries from devices the account page lists.
const SYNC_HISTORY_SHOWN: i64 = 20;

/// A receipt photo of one of the council's accounts, for the officer reviewing it.
#[utoipa::path(
    get,
    path = "/council/accounts/{reference}/receipts/{sha256}",
    tag = "workspace",
    summary = "A receipt photo of one of the council's accounts",
    params(Reference, ("sha256" = String, Path, description = "The photo's name: the SHA-256 of its bytes, 64 lower-case hex digits")),
    responses(
        (status = 200, description = "The photo", content_type = "image/jpeg"),
        (status = 404, description = "No such account or photo", body = ErrorBody),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn receipt_photo(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let sha256 = crate::api::device::checked_receipt_name(&sha256)?;
    let missing = || {
        ApiError::NotFound(
            "The council does not have this receipt photo yet: the phone that took it has not sent it.".to_owned(),
        )
    };
    let crate::storage::ReceiptRow { content_type, bytes } =
        state.storage.receipt(row.account_id, &sha256).await?.ok_or_else(missing)?;
    audit(&state, &staff.row, Some(row.account_id), "receipt photo viewed", &sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // A photo of a person's receipt, looked at on a council PC others may use: never
            // kept by the browser.
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// The audit line of a look at an account's page (in the council's audit log; the
/// account's own page leaves them out).
pub(crate) const ACCOUNT_VIEWED: &str = "account viewed";

/// The latest lines of an account's audit trail its page shows (the council's audit log
/// has them all).
const AUDIT_LINES_SHOWN: usize = 100;

#[utoipa::path(
    post,
    path = "/council/accounts",
    tag = "workspace",
    summary = "Open a direct payment account with its first support plan",
    params(Csrf),
    request_body = tally_api::NewAccount,
    responses(
        (status = 201, description = "The account", body = AccountSummary),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
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
    } else if state.storage.council_account_by_reference(&staff.row.council_id, &reference).await?.is_some() {
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
        // Not the person's name: the trail is never changed, and outlives the name when
        // the account is anonymised. The line names the account, whose reference is shown.
        &format!("plan from {}", long_date(starts)),
    )
    .await?;
    let loaded = Loaded::read(&state, &row).await?;
    Ok((StatusCode::CREATED, Json(loaded.summary(&state).await?)))
}

/// An id for a new plan line from its name: "Garden help" → "garden-help" (made unique).
pub(super) fn slug(name: &str, used: &[String]) -> String {
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

/// `?search=&exception=&after=&limit=`: which accounts, and which page.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Words, each the start of a word in the person's name or reference (in any case)
    search: Option<String>,
    /// Only accounts with this kind of exception (`flags`, `statements`, ...)
    exception: Option<String>,
    /// The `next` of the page before
    after: Option<String>,
    /// How many accounts a page holds (1 to 200; 50 when not given)
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/council/accounts",
    tag = "workspace",
    summary = "The council's accounts, exceptions first, a page at a time",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of accounts, with how many the filter finds", body = AccountsList),
        (status = 400, description = "An unknown kind of exception, or a page this list did not give", body = ErrorBody),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn accounts(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Json<AccountsList>, ApiError> {
    let council = &staff.row.council_id;
    let filter = SummaryFilter {
        search: query.search.unwrap_or_default().trim().to_lowercase(),
        kind: summaries::exception_kind(query.exception.as_deref())?.map(|k| k.as_str().to_owned()),
    };
    let limit = page_size(query.limit);
    let after = match query.after.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(after) => Some(
            after
                .split_once(':')
                .and_then(|(count, reference)| Some((count.parse::<i64>().ok()?, reference.to_owned())))
                .ok_or_else(not_a_page)?,
        ),
    };
    summaries::bring_up_to_date(&state, council).await?;
    let mut page = state
        .storage
        .summary_page(council, &filter, after.as_ref().map(|(n, r)| (*n, r.as_str())), limit as i64 + 1)
        .await?;
    let next = (page.len() > limit).then(|| {
        page.truncate(limit);
        page.last().map(|last| format!("{}:{}", last.summary.exception_count, last.reference))
    });
    let accounts = page
        .into_iter()
        .map(|listed| {
            Ok(AccountSummary {
                account_id: listed.summary.account_id,
                reference: listed.reference,
                person_name: listed.person_name,
                balance: Money::from_pence(listed.summary.balance_pence),
                open_flags: usize::try_from(listed.summary.open_flags).unwrap_or(0),
                surplus: Money::from_pence(listed.summary.surplus_pence),
                last_synced_ms: listed.summary.last_synced_ms,
                exceptions: serde_json::from_str(&listed.summary.exceptions).map_err(anyhow::Error::from)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let total = state.storage.summary_count(council, &filter).await?;
    Ok(Json(AccountsList {
        accounts,
        unreadable: unreadable_accounts(&state, council).await?,
        total: u64::try_from(total).unwrap_or(0),
        next: next.flatten(),
    }))
}

#[utoipa::path(
    get,
    path = "/council/accounts/{reference}",
    tag = "workspace",
    summary = "One account: figures, spending with flags and decisions, devices, audit trail",
    params(Reference),
    responses(
        (status = 200, description = "The account", body = AccountDetail),
        SignedIn,
        OnAccount
    ),
    security(("staff" = [])),
)]
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
    let trail = state
        .storage
        .audit_of_account(row.account_id, ACCOUNT_VIEWED, AUDIT_LINES_SHOWN)
        .await?
        .into_iter()
        .map(|l| AuditLine { at_ms: l.at_ms, who: l.who, action: l.action, detail: l.detail })
        .collect();
    let schedules = schedule_views(&state, row.account_id).await?;
    // Recorded after the trail is read: the page shows what was done, not each look at it.
    audit(&state, &staff.row, Some(row.account_id), ACCOUNT_VIEWED, "").await?;
    let sync_history = state
        .storage
        .sync_history(row.account_id, SYNC_HISTORY_SHOWN)
        .await?
        .into_iter()
        .map(|d| tally_api::SyncEvent { at_ms: d.at_ms, device_label: d.device_label, records: d.records })
        .collect();
    Ok(Json(AccountDetail {
        summary: loaded.summary(&state).await?,
        plan: loaded.plan.clone(),
        schedules,
        spends: loaded.spends(false),
        devices,
        sync_history,
        audit: trail,
        life: tally_api::LifeView {
            next_review: loaded.next_review(),
            reviews: loaded
                .life
                .reviews
                .iter()
                .filter_map(|r| {
                    Some(tally_api::ReviewDone {
                        done_on: tally_ledger::date::parse_iso_date(&r.done_on)?,
                        note: r.note.clone(),
                        by: r.by.clone(),
                    })
                })
                .collect(),
            weekly_contribution: Money::from_pence(loaded.life.contribution_pence),
            ended: loaded.life.ended.as_ref().and_then(|e| {
                Some(tally_api::EndedView {
                    ended_on: tally_ledger::date::parse_iso_date(&e.ended_on)?,
                    reason: e.reason.clone(),
                })
            }),
        },
    }))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/pairing-codes",
    tag = "workspace",
    summary = "Issue a one-time pairing code for the account",
    params(Csrf, Reference),
    responses(
        (status = 201, description = "The code", body = PairingCodeIssued),
        (status = 400, description = "The direct payment ended", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn pairing_code(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
) -> Result<(StatusCode, Json<PairingCodeIssued>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    life::ensure_open(&state, &row).await?;
    let event = staff_event(&staff.row, Some(row.account_id), "pairing code issued", "");
    let code = crate::issue_pairing_code(&state.storage, row.account_id, Some(&event)).await?;
    Ok((StatusCode::CREATED, Json(PairingCodeIssued { code, valid_days: crate::seed::PAIRING_CODE_DAYS })))
}

#[utoipa::path(
    post,
    path = "/council/devices/{device_id}/revoke",
    tag = "workspace",
    summary = "Revoke a device: its token stops working; what it sent is kept",
    params(Csrf, ("device_id" = String, Path, description = "The device's id (a UUID)")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "Revoked already", body = ErrorBody),
        (status = 404, description = "Not a device of this council", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
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
    let detail = device.to_string();
    let event = staff_event(&staff.row, Some(account), "device revoked", &detail);
    if state.storage.revoke_device(device, &event, state.clock.now_ms()).await?.is_none() {
        return Err(ApiError::BadRequest("That device was revoked already.".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(receipt_photo, create_account, accounts, account, pairing_code, revoke_device))]
pub(crate) struct Doc;
