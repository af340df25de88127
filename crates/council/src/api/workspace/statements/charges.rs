//! The provider's charges on a statement (card fees, bank charges), recorded on the
//! account by an officer, in bulk or line by line.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::Json;
use tally_api::{ChargesRequest, EntryBrief, ErrorBody, MatchState, StatementLineView, StatementView};
use tally_ledger::{Charge, EntryBody, EntryId, Money};

use super::super::{store_council_entries_charging, Audit};
use super::{charge_ids, open_statement, statement_view};
use crate::api::described::{Changing, Csrf, Reference, Statement};
use crate::error::{ApiError, LaterJson};
use crate::staff::Changer;
use crate::storage::ChargedLine;
use crate::AppState;

/// The longest a charge's description is (the ledger's limit for a short text).
const LONGEST_DESCRIPTION: usize = 200;

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
    summary = "Record the provider's charges on the account: every fee on the statement with no charge yet, or the lines (and fee columns) named",
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
    let uncharged_fee = |line: &StatementLineView| line.fee.as_ref().filter(|f| f.charge.is_none()).map(|f| f.amount);
    if request.lines.len() + request.fees.len() > 2 * view.lines.len() {
        return Err(ApiError::BadRequest("More lines are named than the statement has.".to_owned()));
    }
    let by_number: HashMap<i64, &StatementLineView> = view.lines.iter().map(|l| (l.line_no, l)).collect();
    let find = |line_no: i64| {
        by_number
            .get(&line_no)
            .copied()
            .ok_or_else(|| ApiError::NotFound(format!("There is no line {line_no} on this statement.")))
    };
    let mut wanted: Vec<ToCharge<'_>> = Vec::new();
    if request.lines.is_empty() && request.fees.is_empty() {
        for line in &view.lines {
            if line.fee_line && !line.has_match() && line.amount.is_negative() {
                wanted.push(ToCharge { line, amount: -line.amount, fee_column: false });
            }
            if let Some(amount) = uncharged_fee(line) {
                wanted.push(ToCharge { line, amount, fee_column: true });
            }
        }
        if wanted.is_empty() {
            return Err(ApiError::BadRequest(
                "Every fee on this statement is recorded already: there is nothing to accept.".to_owned(),
            ));
        }
    } else {
        let named = |numbers: &[i64]| numbers.iter().copied().collect::<std::collections::BTreeSet<i64>>();
        for line_no in named(&request.lines) {
            let line = find(line_no)?;
            if line.has_match() || line.state == MatchState::Reversed {
                return Err(ApiError::BadRequest(format!(
                    "Line {line_no} is accounted for already: there is no charge to record."
                )));
            }
            if !line.amount.is_negative() {
                return Err(ApiError::BadRequest(format!(
                    "Line {line_no} is money into the account ({}): a charge is money out.",
                    line.amount
                )));
            }
            wanted.push(ToCharge { line, amount: -line.amount, fee_column: false });
        }
        for line_no in named(&request.fees) {
            let line = find(line_no)?;
            let Some(amount) = uncharged_fee(line) else {
                return Err(ApiError::BadRequest(format!("Line {line_no} has no fee without a charge.")));
            };
            wanted.push(ToCharge { line, amount, fee_column: true });
        }
    }
    // A charge already on the account for the same amount and day that no line holds (a fee
    // line unmatched, the statement imported again) explains the fee: no second charge.
    let charges = charge_ids(&loaded);
    let mut free: HashMap<(time::Date, Money), Vec<EntryId>> = HashMap::new();
    let held: HashSet<EntryId> = view
        .lines
        .iter()
        .flat_map(|l| {
            l.entry
                .iter()
                .chain(&l.parts)
                .chain(l.fee.iter().flat_map(|f| f.charge.iter()))
                .map(|e: &EntryBrief| e.entry_id)
        })
        .collect();
    for e in view.unmatched_entries.iter().filter(|e| charges.contains(&e.entry_id) && !held.contains(&e.entry_id)) {
        free.entry((e.date, -e.amount)).or_default().push(e.entry_id);
    }
    let (mut existing, mut new): (Vec<(&ToCharge<'_>, EntryId)>, Vec<&ToCharge<'_>>) = (Vec::new(), Vec::new());
    for c in &wanted {
        match free.get_mut(&(c.line.date, c.amount)).and_then(Vec::pop) {
            Some(id) => existing.push((c, id)),
            None => new.push(c),
        }
    }
    let bodies: Vec<EntryBody> = new
        .iter()
        .map(|c| {
            let description =
                if c.fee_column { format!("Fee with {}", c.line.description) } else { c.line.description.clone() };
            EntryBody::Charge(Charge {
                date: c.line.date,
                amount: c.amount,
                description: description.trim().chars().take(LONGEST_DESCRIPTION).collect(),
            })
        })
        .collect();
    // What each line was stored as, so a line changed meanwhile is not charged twice.
    let stored_entry: HashMap<i64, (String, String)> = state
        .storage
        .statement_lines(&statement_id)
        .await?
        .into_iter()
        .map(|l| (l.line_no, (l.entry_id.unwrap_or_default(), l.fee_entry_id.unwrap_or_default())))
        .collect();
    let charged_line = |c: &ToCharge<'_>, entry_id: String| ChargedLine {
        statement_id: statement_id.clone(),
        line_no: c.line.line_no,
        entry_id,
        fee_column: c.fee_column,
        seen: stored_entry
            .get(&c.line.line_no)
            .map(|(entry, fee)| if c.fee_column { fee.clone() } else { entry.clone() })
            .unwrap_or_default(),
    };
    let total = wanted.iter().fold(Money::ZERO, |t, c| t.saturating_add(c.amount));
    let lines: Vec<String> = wanted.iter().map(|c| c.line.line_no.to_string()).collect();
    let what = format!(
        "{} charges of {total} in all from lines {} ({} recorded, {} already on the account)",
        wanted.len(),
        lines.join(", "),
        new.len(),
        existing.len()
    );
    let audits = vec![Audit::on(row.account_id, "charges recorded", what)];
    let stored =
        store_council_entries_charging(&state, &staff, std::slice::from_ref(&row), vec![bodies], audits, |stored| {
            new.iter()
                .zip(stored.first().into_iter().flatten())
                .map(|(c, entry)| charged_line(c, entry.id.to_string()))
                .chain(existing.iter().map(|(c, id)| charged_line(c, id.to_string())))
                .collect()
        })
        .await?;
    for entry in stored.into_iter().flatten() {
        loaded.ledger.insert(entry).map_err(anyhow::Error::from)?;
    }
    Ok(Json(statement_view(&state, &loaded, &statement_id).await?))
}
