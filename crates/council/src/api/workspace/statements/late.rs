//! Records that arrived after a statement's period was closed, dated inside it.

use axum::extract::{Path, State};
use axum::Json;
use tally_api::{ErrorBody, LateRecord, StatementView};
use tally_ledger::date::{iso_date, long_date};
use tally_ledger::{EntryBody, EntryId, Ledger};

use super::super::{council_account, staff_event, Loaded};
use super::statement_view;
use crate::api::described::{Changing, Csrf, Reference, Statement};
use crate::error::ApiError;
use crate::staff::Changer;
use crate::AppState;

/// An officer has looked at the records that arrived after the period was closed: they
/// stay listed on the statement, and no longer count as an exception on the account.
#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/statements/{statement_id}/late-records-seen",
    tag = "workspace",
    summary = "Mark the records that arrived after the period was closed as seen (they stay listed on the statement; the account no longer shows them as an exception)",
    params(Csrf, Reference, Statement),
    responses(
        (status = 200, description = "Closed", body = StatementView),
        (status = 400, description = "What is still open", body = ErrorBody),
        (status = 404, description = "No such statement", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
pub(super) async fn late_records_seen(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, statement_id)): Path<(String, String)>,
) -> Result<Json<StatementView>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let loaded = Loaded::read(&state, &row).await?;
    let view = statement_view(&state, &loaded, &statement_id).await?;
    if view.closed_by.is_none() {
        return Err(ApiError::BadRequest(
            "This statement is not closed: records dated in its period are part of it.".to_owned(),
        ));
    }
    let detail = format!(
        "{} records that arrived after {} to {} was closed marked as seen",
        view.late_records.len(),
        iso_date(view.first_date),
        iso_date(view.last_date)
    );
    let event = staff_event(&staff.row, Some(row.account_id), "late records seen", &detail);
    state.storage.mark_late_records_seen(&statement_id, &event, state.clock.now_ms()).await?;
    Ok(Json(statement_view(&state, &loaded, &statement_id).await?))
}

/// Records of an account that arrived after a closed period's close and are dated inside
/// it, or change a record dated inside it (`received`: what arrived, and when).
pub(crate) fn late_records(
    ledger: &Ledger,
    first: time::Date,
    last: time::Date,
    received: &[crate::storage::Arrival],
    seen_ms: Option<i64>,
) -> Vec<LateRecord> {
    let in_period = |date: time::Date| date >= first && date <= last;
    received
        .iter()
        .filter_map(|arrival| {
            let (id, at) = (&arrival.entry_id, &arrival.received_at_ms);
            let entry = ledger.get(*id)?;
            let target = |target: EntryId| ledger.get(target).and_then(|t| describe_money(&t.body));
            let (what, inside) = match &entry.body {
                EntryBody::Correction(c) => {
                    let (was, was_date) = target(c.corrects)?;
                    let (now, now_date) = describe_money(&c.replacement)?;
                    (format!("A correction of {was}: now {now}"), in_period(was_date) || in_period(now_date))
                }
                EntryBody::Void(v) => {
                    let (was, was_date) = target(v.voids)?;
                    (format!("A cancellation of {was}"), in_period(was_date))
                }
                body => {
                    let (what, date) = describe_money(body)?;
                    (what, in_period(date))
                }
            };
            inside.then(|| LateRecord {
                entry_id: *id,
                received_ms: *at,
                description: format!("{what}, recorded by {}", entry.author.name),
                seen: seen_ms.is_some_and(|seen| *at <= seen),
            })
        })
        .collect()
}

/// A money record in words, with its date.
fn describe_money(body: &EntryBody) -> Option<(String, time::Date)> {
    let (date, _) = body.money_movement()?;
    let on = long_date(date);
    Some((
        match body {
            EntryBody::Spend(s) => format!("spending of {} to {} on {on}", s.amount, s.payee),
            EntryBody::Refund(r) => format!("a refund of {} from {} on {on}", r.amount, r.payee),
            EntryBody::Contribution(m) => format!("{} paid in by the person on {on}", m.amount),
            EntryBody::PaymentIn(m) => format!("a payment in of {} on {on}", m.amount),
            EntryBody::Clawback(c) => format!("{} recovered on {on}", c.amount),
            EntryBody::Charge(c) => format!("a charge of {} ({}) on {on}", c.amount, c.description),
            _ => return None,
        },
        date,
    ))
}
