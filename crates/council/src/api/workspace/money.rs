//! Money in, surplus recovered, and regular payments in.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::post;
use axum::Json;
use tally_api::{ClawbackRequest, ErrorBody, MoneyInKind, MoneyInRequest};
use tally_ledger::date::{iso_date, long_date};
use tally_ledger::{AccountId, Clawback, EntryBody, Money, MoneyIn};
use uuid::Uuid;

use crate::api::described::{Changing, Csrf, OnAccount, Reference};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::Changer;
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/accounts/{reference}/money-in", &[Method::POST], post(money_in))
        .add("/council/accounts/{reference}/clawbacks", &[Method::POST], post(clawback))
        .add("/council/accounts/{reference}/payment-schedules", &[Method::POST], post(add_schedule))
        .add("/council/accounts/{reference}/payment-schedules/{schedule_id}/stop", &[Method::POST], post(stop_schedule))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/money-in",
    tag = "workspace",
    summary = "Record a payment in, the person's contribution, or a refund from a payee; syncs to the wallet",
    params(Csrf, Reference),
    request_body = MoneyInRequest,
    responses(
        (status = 201, description = "Recorded"),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
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
    let kind = request
        .kind
        .ok_or_else(|| "Choose a payment from the council, the person's contribution or a refund".to_owned());
    let who = request.reference.trim().to_owned();
    let refund_from = match kind {
        Ok(MoneyInKind::Refund) if who.is_empty() => Err("Enter who gave the money back".to_owned()),
        Ok(MoneyInKind::Refund) if who.chars().count() > 200 => {
            Err("Who gave it back: at most 200 characters".to_owned())
        }
        _ => Ok(()),
    };
    let errors = problems([
        ("kind", kind.as_ref().err().cloned()),
        ("reference", refund_from.as_ref().err().cloned()),
        ("date", date.as_ref().err().cloned()),
        ("amount", amount.as_ref().err().map(|e| e.to_string())),
    ]);
    let (Ok(kind), Ok(date), Ok(amount), Ok(())) = (kind, date, amount, refund_from) else {
        return Err(ApiError::Invalid(errors));
    };
    let money = MoneyIn { date, amount, reference: who.clone() };
    let (body, what) = match kind {
        MoneyInKind::PaymentIn => (EntryBody::PaymentIn(money), "payment in".to_owned()),
        MoneyInKind::Contribution => (EntryBody::Contribution(money), "contribution".to_owned()),
        MoneyInKind::Refund => (
            EntryBody::Refund(tally_ledger::Refund {
                date,
                amount,
                payee: who.clone(),
                plan_line: None,
                refund_of: None,
                note: "Recorded by the council".to_owned(),
            }),
            format!("refund from {who}"),
        ),
    };
    let detail = format!("{what} of {amount} on {}", long_date(date));
    store_council_entry(&state, &staff, &row, body, Audit::on(row.account_id, "money in", detail)).await?;
    Ok(StatusCode::CREATED)
}

pub(super) async fn schedule_views(
    state: &AppState,
    account: AccountId,
) -> Result<Vec<tally_api::ScheduleView>, ApiError> {
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

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/payment-schedules",
    tag = "workspace",
    summary = "Schedule regular payments in (recorded by the server when due; anything already due is paid in at once)",
    params(Csrf, Reference),
    request_body = tally_api::ScheduleRequest,
    responses(
        (status = 201, description = "The running schedules", body = Vec<tally_api::ScheduleView>),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn add_schedule(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<tally_api::ScheduleRequest>,
) -> Result<(StatusCode, Json<Vec<tally_api::ScheduleView>>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    life::ensure_open(&state, &row).await?;
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
    let detail = format!("{amount} every {every} weeks from {}", long_date(first));
    let event = staff_event(&staff.row, Some(row.account_id), "payments scheduled", &detail);
    state.storage.create_schedule(&schedule, &staff.row.staff_id, &event, state.clock.now_ms()).await?;
    // Anything already due is paid in now.
    crate::record_due_payments(&state.storage, state.clock.today(), state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(schedule_views(&state, row.account_id).await?)))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/payment-schedules/{schedule_id}/stop",
    tag = "workspace",
    summary = "Stop a schedule (payments already made stay)",
    params(Csrf, Reference, ("schedule_id" = String, Path, description = "The schedule's id")),
    responses(
        (status = 204, description = "Stopped"),
        (status = 404, description = "No such running schedule", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn stop_schedule(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, schedule_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let event = staff_event(&staff.row, Some(row.account_id), "scheduled payments stopped", &schedule_id);
    if !state.storage.stop_schedule(row.account_id, &schedule_id, &event, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("There is no running schedule with that id on this account.".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/clawbacks",
    tag = "workspace",
    summary = "Recover surplus (a clawback); syncs to the wallet",
    params(Csrf, Reference),
    request_body = ClawbackRequest,
    responses(
        (status = 201, description = "Recorded"),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
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
    let detail = format!("{amount} on {}: {reason}", long_date(date));
    let body = EntryBody::Clawback(Clawback { date, amount, reason: reason.clone() });
    store_council_entry(&state, &staff, &row, body, Audit::on(row.account_id, "surplus recovered", detail)).await?;
    Ok(StatusCode::CREATED)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(money_in, add_schedule, stop_schedule, clawback))]
pub(crate) struct Doc;
