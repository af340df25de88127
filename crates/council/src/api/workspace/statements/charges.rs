//! The provider's charges on a statement (card fees, bank charges), recorded on the
//! account by an officer, in bulk or line by line.

use axum::extract::{Path, State};
use axum::Json;
use tally_api::{ChargesRequest, ErrorBody, MatchState, StatementLineView, StatementView};
use tally_ledger::{Charge, EntryBody, Money};

use super::super::{audit, store_council_entries_charging};
use super::{open_statement, statement_view};
use crate::api::described::{Changing, Csrf, Reference, Statement};
use crate::error::{ApiError, LaterJson};
use crate::staff::Changer;
use crate::storage::ChargedLine;
use crate::AppState;

/// A charge to record: the line, how much, and whether it is the fee beside the line's
/// amount (a fee column) rather than the line itself.
struct ToCharge<'a> {
    line: &'a StatementLineView,
    amount: Money,
    fee_column: bool,
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/statements/{statement_id}/charges",
    tag = "workspace",
    summary = "Record the provider's charges on the account: every fee on the statement with no charge yet, or the lines named (any money-out line with no record)",
    params(Csrf, Reference, Statement),
    request_body = ChargesRequest,
    responses(
        (status = 200, description = "Recorded; the statement", body = StatementView),
        (status = 400, description = "Nothing to charge, a line that is not a charge, or statement closed", body = ErrorBody),
        (status = 404, description = "No such statement or line", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
pub(super) async fn record_charges(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, statement_id)): Path<(String, String)>,
    request: LaterJson<ChargesRequest>,
) -> Result<Json<StatementView>, ApiError> {
    let (row, mut loaded, view) = open_statement(&state, &staff, &reference, &statement_id).await?;
    let request = request.read()?;
    let fee_of = |line: &'_ StatementLineView| line.fee.as_ref().filter(|f| f.charge.is_none()).map(|f| f.amount);
    let mut wanted: Vec<ToCharge<'_>> = Vec::new();
    if request.lines.is_empty() {
        for line in &view.lines {
            if line.fee_line && !line.has_match() {
                wanted.push(ToCharge { line, amount: -line.amount, fee_column: false });
            }
            if let Some(amount) = fee_of(line) {
                wanted.push(ToCharge { line, amount, fee_column: true });
            }
        }
        if wanted.is_empty() {
            return Err(ApiError::BadRequest(
                "Every fee on this statement is recorded already: there is nothing to accept.".to_owned(),
            ));
        }
    } else {
        let mut named = request.lines.clone();
        named.sort_unstable();
        named.dedup();
        for line_no in named {
            let line = view
                .lines
                .iter()
                .find(|l| l.line_no == line_no)
                .ok_or_else(|| ApiError::NotFound(format!("There is no line {line_no} on this statement.")))?;
            if let Some(amount) = fee_of(line) {
                wanted.push(ToCharge { line, amount, fee_column: true });
            } else if line.has_match() || line.state == MatchState::Reversed {
                return Err(ApiError::BadRequest(format!(
                    "Line {line_no} is accounted for already: there is no charge to record."
                )));
            } else if !line.amount.is_negative() {
                return Err(ApiError::BadRequest(format!(
                    "Line {line_no} is money into the account ({}): a charge is money out.",
                    line.amount
                )));
            } else {
                wanted.push(ToCharge { line, amount: -line.amount, fee_column: false });
            }
        }
    }
    let bodies: Vec<EntryBody> = wanted
        .iter()
        .map(|c| {
            EntryBody::Charge(Charge {
                date: c.line.date,
                amount: c.amount,
                description: if c.fee_column {
                    format!("Fee with {}", c.line.description).trim().to_owned()
                } else {
                    c.line.description.clone()
                },
            })
        })
        .collect();
    let stored = store_council_entries_charging(&state, &staff, std::slice::from_ref(&row), vec![bodies], |stored| {
        wanted
            .iter()
            .zip(stored.first().into_iter().flatten())
            .map(|(c, entry)| ChargedLine {
                statement_id: statement_id.clone(),
                line_no: c.line.line_no,
                entry_id: entry.id.to_string(),
                fee_column: c.fee_column,
            })
            .collect()
    })
    .await?;
    let total = wanted.iter().fold(Money::ZERO, |t, c| t.saturating_add(c.amount));
    let lines: Vec<String> = wanted.iter().map(|c| c.line.line_no.to_string()).collect();
    let what = format!("{} charges of {total} in all recorded from lines {}", wanted.len(), lines.join(", "));
    audit(&state, &staff.row, Some(row.account_id), "charges recorded", &what).await?;
    for entry in stored.into_iter().flatten() {
        loaded.ledger.insert(entry).map_err(anyhow::Error::from)?;
    }
    Ok(Json(statement_view(&state, &loaded, &statement_id).await?))
}
