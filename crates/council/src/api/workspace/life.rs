//! The life of a direct payment: reviews done, the person's weekly contribution, and
//! ending it (the final surplus recorded for return, the account kept read-only, the
//! person's devices revoked and told why).

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::post;
use tally_api::{ContributionChange, EndDirectPayment, ErrorBody, NewReview};
use tally_ledger::date::long_date;
use tally_ledger::{Clawback, Money};

use crate::api::described::{Changing, Csrf, OnAccount, Reference};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::Changer;
use crate::storage::NewEntry;
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/accounts/{reference}/reviews", &[Method::POST], post(record_review))
        .add("/council/accounts/{reference}/contribution", &[Method::POST], post(set_contribution))
        .add("/council/accounts/{reference}/end", &[Method::POST], post(end_direct_payment))
}

/// Refuses a change to an account whose direct payment ended, saying when.
pub(super) async fn ensure_open(state: &AppState, row: &AccountRow) -> Result<(), ApiError> {
    let Some(ended) = state.storage.ended_of(row.account_id).await? else { return Ok(()) };
    let on = tally_ledger::date::parse_iso_date(&ended.ended_on).map_or(ended.ended_on, long_date);
    Err(ApiError::BadRequest(format!(
        "The direct payment of {} ended on {on}: the account is kept as it was and cannot be changed.",
        row.reference
    )))
}

/// The answer when a change found nothing to change: the direct payment ended meanwhile.
async fn ended_refusal(state: &AppState, row: &AccountRow) -> ApiError {
    match ensure_open(state, row).await {
        Err(refused) => refused,
        Ok(()) => ApiError::BadRequest(format!("Account {} changed meanwhile: look at it again.", row.reference)),
    }
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/reviews",
    tag = "workspace",
    summary = "Record a review of the direct payment done (the next is due a year later)",
    params(Csrf, Reference),
    request_body = NewReview,
    responses(
        (status = 201, description = "Recorded"),
        (status = 400, description = "field: message lines, or the direct payment ended", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn record_review(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    review: LaterJson<NewReview>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let review = review.read()?;
    let today = state.clock.today();
    let done_on = record_date(&review.done_on, "The date of the review", today).and_then(|d| {
        if d > today {
            Err("The review's date cannot be after today".to_owned())
        } else {
            Ok(d)
        }
    });
    let note = review.note.trim();
    let errors = problems([
        ("done_on", done_on.as_ref().err().cloned()),
        ("note", (note.chars().count() > 2000).then(|| "The note: at most 2,000 characters".to_owned())),
    ]);
    let Ok(done_on) = done_on else { return Err(ApiError::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let detail = format!("on {}", long_date(done_on));
    let event = staff_event(&staff.row, Some(row.account_id), "review recorded", &detail);
    let iso = tally_ledger::date::iso_date(done_on);
    if !state
        .storage
        .record_review(row.account_id, &iso, note, &staff.row.staff_id, &event, state.clock.now_ms())
        .await?
    {
        return Err(ended_refusal(&state, &row).await);
    }
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/contribution",
    tag = "workspace",
    summary = "Set the person's weekly contribution as assessed (0 for none); a shortfall is listed as an exception",
    params(Csrf, Reference),
    request_body = ContributionChange,
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "field: message lines, or the direct payment ended", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn set_contribution(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    change: LaterJson<ContributionChange>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let change = change.read()?;
    let policy = state.storage.policy_for(row.account_id).await?;
    let typed = change.weekly.trim().trim_start_matches('£').trim();
    let weekly = if typed.chars().all(|c| c == '0' || c == '.') && !typed.is_empty() {
        Ok(Money::ZERO)
    } else {
        Money::parse_amount(&change.weekly, policy.per_entry_maximum).map_err(|e| e.to_string())
    };
    let weekly = weekly.map_err(|e| ApiError::Invalid(vec![("weekly".to_owned(), e)]))?;
    let detail = format!("{weekly} a week");
    let event = staff_event(&staff.row, Some(row.account_id), "contribution set", &detail);
    let pence = weekly.pence().ok_or_else(|| anyhow::anyhow!("a parsed amount is whole pence"))?;
    if !state.storage.set_contribution(row.account_id, pence, &event, state.clock.now_ms()).await? {
        return Err(ended_refusal(&state, &row).await);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/end",
    tag = "workspace",
    summary = "End the direct payment: what is left is recorded as the final surplus to return, the person's devices are revoked and told why, and the account is kept read-only",
    params(Csrf, Reference),
    request_body = EndDirectPayment,
    responses(
        (status = 204, description = "Ended"),
        (status = 400, description = "field: message lines, or it ended already", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
async fn end_direct_payment(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    end: LaterJson<EndDirectPayment>,
) -> Result<StatusCode, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    ensure_open(&state, &row).await?;
    let end = end.read()?;
    let today = state.clock.today();
    let ended_on = record_date(&end.ended_on, "The last day of the direct payment", today).and_then(|d| {
        if d > today {
            Err("The last day cannot be after today".to_owned())
        } else {
            Ok(d)
        }
    });
    let reason = end.reason.trim();
    let errors = problems([
        ("ended_on", ended_on.as_ref().err().cloned()),
        (
            "reason",
            (reason.is_empty() || reason.chars().count() > 500)
                .then(|| "Say why it ends, in words the person will read (at most 500 characters)".to_owned()),
        ),
    ]);
    let (Ok(ended_on), true) = (ended_on, errors.is_empty()) else { return Err(ApiError::Invalid(errors)) };
    // Everything left in the account is the final surplus, recorded for return.
    let loaded = Loaded::read(&state, &row).await?;
    let surplus = tally_ledger::life::final_surplus(loaded.ledger.view().balance());
    let final_entry = if surplus.is_positive() {
        let entry = Entry {
            id: EntryId(Uuid::now_v7()),
            account: row.account_id,
            author: Author {
                name: format!("{} ({})", staff.row.display_name, row.council_name),
                device: None,
                device_seq: None,
            },
            recorded_at: state.clock.now(),
            body: EntryBody::Clawback(Clawback {
                date: ended_on,
                amount: surplus,
                reason: "Final surplus: the direct payment ended, and what was left is returned to the council"
                    .to_owned(),
            }),
        };
        entry
            .check()
            .and_then(|()| entry.check_dates(DateRange::for_records(today)))
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        Some(NewEntry::new(entry)?)
    } else {
        None
    };
    // The reason is kept with the account (and goes when it is anonymised), not in the
    // audit trail, which is never changed.
    let detail = format!("on {}; final surplus {surplus} to return", long_date(ended_on));
    let event = staff_event(&staff.row, Some(row.account_id), "direct payment ended", &detail);
    let iso = tally_ledger::date::iso_date(ended_on);
    let now = state.clock.now_ms();
    if !state.storage.end_direct_payment(row.account_id, &iso, reason, final_entry.as_ref(), &event, now).await? {
        return Err(ended_refusal(&state, &row).await);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(record_review, set_contribution, end_direct_payment))]
pub(crate) struct Doc;
