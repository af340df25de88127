//! Statement queries: asking the person about lines that match no record, and deciding
//! on their answers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use tally_api::{
    ErrorBody, MatchState, QueryDecisionRequest, QueryRequest, QueryState, StatementLineView, StatementView,
};
use tally_ledger::{Decision, EntryBody, ReviewDecision, StatementQuery};

use super::super::{staff_event, store_council_entries, store_council_entry, Audit};
use super::{open_statement, statement_view};
use crate::api::described::{Changing, Csrf, Line, Reference, Statement};
use crate::error::{ApiError, LaterJson};
use crate::staff::Changer;
use crate::AppState;

/// Asks the person about statement lines that match no record: each becomes a statement
/// query on their account, which their wallet shows until they answer it.
#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/statements/{statement_id}/queries",
    tag = "workspace",
    summary = "Ask the person about statement lines that match no record (the lines named, or every one not asked about yet); each becomes a statement query on their account, shown in their wallet",
    params(Csrf, Reference, Statement),
    request_body = QueryRequest,
    responses(
        (status = 201, description = "The statement, each line with its query", body = StatementView),
        (status = 400, description = "Line matched already, asked already, nothing left to ask, or statement closed", body = ErrorBody),
        (status = 404, description = "No such statement or line", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
pub(super) async fn ask(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, statement_id)): Path<(String, String)>,
    request: LaterJson<QueryRequest>,
) -> Result<(StatusCode, Json<StatementView>), ApiError> {
    let (row, mut loaded, view) = open_statement(&state, &staff, &reference, &statement_id).await?;
    let request = request.read()?;
    let askable = |line: &StatementLineView| !line.has_match() && line.query.is_none() && !line.fee_line;
    let lines: Vec<&StatementLineView> = if request.lines.is_empty() {
        view.lines.iter().filter(|l| askable(l)).collect()
    } else {
        let mut chosen = Vec::new();
        for line_no in &request.lines {
            let line = view
                .lines
                .iter()
                .find(|l| l.line_no == *line_no)
                .ok_or_else(|| ApiError::NotFound(format!("There is no line {line_no} on this statement.")))?;
            if line.entry.is_some() || !line.parts.is_empty() {
                return Err(ApiError::BadRequest(format!(
                    "Line {line_no} matches a record already: there is nothing to ask."
                )));
            }
            if line.fee_line {
                return Err(ApiError::BadRequest(format!(
                    "Line {line_no} is the provider's own charge: record it as a charge rather than ask the person."
                )));
            }
            if let Some(other) = line.paired_with {
                return Err(ApiError::BadRequest(format!(
                    "Line {line_no} and line {other} cancel each other (a payment and its reversal): there is nothing to ask."
                )));
            }
            if line.query.is_some() {
                return Err(ApiError::BadRequest(format!("The person has been asked about line {line_no} already.")));
            }
            chosen.push(line);
        }
        chosen
    };
    if lines.is_empty() {
        return Err(ApiError::BadRequest("Every line that matches no record has been asked about already.".to_owned()));
    }
    let note = request.note.trim().to_owned();
    let bodies = lines
        .iter()
        .map(|line| {
            EntryBody::StatementQuery(StatementQuery {
                date: line.date,
                amount: line.amount,
                description: line.description.clone(),
                statement: statement_id.clone(),
                line_no: u32::try_from(line.line_no).unwrap_or(u32::MAX),
                note: note.clone(),
            })
        })
        .collect();
    let numbers: Vec<String> = lines.iter().map(|l| l.line_no.to_string()).collect();
    let detail =
        format!("asked the person about line{} {}", if numbers.len() == 1 { "" } else { "s" }, numbers.join(", "));
    let audit = Audit::on(row.account_id, "statement query", detail);
    for stored in store_council_entries(&state, &staff, &row, bodies, audit).await? {
        loaded.ledger.insert(stored).map_err(anyhow::Error::from)?;
    }
    Ok((StatusCode::CREATED, Json(statement_view(&state, &loaded, &statement_id).await?)))
}

/// An officer's decision on the person's answer to a statement query: accepted (approved),
/// not allowed, or a further question (which opens it again on the wallet).
#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/statements/{statement_id}/lines/{line_no}/query-decision",
    tag = "workspace",
    summary = "Accept the person's answer to a statement query (approved), mark it not allowed, or ask again (question, with the question in the note)",
    params(Csrf, Reference, Line),
    request_body = QueryDecisionRequest,
    responses(
        (status = 201, description = "The statement", body = StatementView),
        (status = 400, description = "A question with no note, or statement closed", body = ErrorBody),
        (status = 404, description = "No such line, or the person was not asked about it", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
pub(super) async fn decide_query(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path((reference, statement_id, line_no)): Path<(String, String, i64)>,
    request: LaterJson<QueryDecisionRequest>,
) -> Result<(StatusCode, Json<StatementView>), ApiError> {
    let (row, mut loaded, view) = open_statement(&state, &staff, &reference, &statement_id).await?;
    let request = request.read()?;
    let line = view
        .lines
        .iter()
        .find(|l| l.line_no == line_no)
        .ok_or_else(|| ApiError::NotFound("There is no such line on this statement.".to_owned()))?;
    let query = line
        .query
        .as_ref()
        .ok_or_else(|| ApiError::NotFound(format!("The person has not been asked about line {line_no}.")))?;
    match (query.status, request.decision) {
        (QueryState::Closed, _) => return Err(ApiError::BadRequest(format!("The question about line {line_no} is closed already."))),
        (QueryState::Open, Decision::Approved) => {
            return Err(ApiError::BadRequest(format!(
                "The person has not answered the question about line {line_no} yet: wait for their answer, or mark it not allowed."
            )))
        }
        _ => {}
    }
    let note = request.note.trim().to_owned();
    let body = EntryBody::ReviewDecision(ReviewDecision {
        about: query.entry_id,
        decision: request.decision,
        note: note.clone(),
        version: None,
    });
    let words = match request.decision {
        Decision::Approved => "accepted the answer about",
        Decision::Question => "asked again about",
        Decision::NotAllowed => "marked not allowed",
    };
    let audit = Audit::on(row.account_id, "statement query", format!("{words} line {line_no}: {note}"));
    let stored = store_council_entry(&state, &staff, &row, body, audit).await?;
    loaded.ledger.insert(stored).map_err(anyhow::Error::from)?;
    // Accepting an answer that logged the spending accepts it as the line's match too.
    if let (Decision::Approved, Some(answer)) =
        (request.decision, line.entry.as_ref().filter(|_| line.state == MatchState::Proposed))
    {
        let what = format!("line {line_no} matched with the record the answer logged");
        let event = staff_event(&staff.row, Some(row.account_id), "statement line", &what);
        let entry = answer.entry_id.to_string();
        state
            .storage
            .set_line_match(&statement_id, line_no, Some(&entry), "confirmed", &event, state.clock.now_ms())
            .await?;
    }
    Ok((StatusCode::CREATED, Json(statement_view(&state, &loaded, &statement_id).await?)))
}
