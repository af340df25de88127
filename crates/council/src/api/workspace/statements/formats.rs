//! Statement formats: the column mappings of providers' CSV files, built in and saved.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tally_api::{ErrorBody, FormatProposal, FormatProposalRequest, ProposedLine, StatementFormats};

use super::super::staff_event;
use crate::api::described::{Changing, Csrf, SignedIn};
use crate::error::{ApiError, LaterJson};
use crate::staff::{Changer, Staff};
use crate::statements::{self, Mapping};
use crate::AppState;

#[utoipa::path(
    get,
    path = "/council/statement-formats",
    tag = "workspace",
    summary = "The statement formats: built-in and saved per provider",
    responses(
        (status = 200, description = "Names", body = StatementFormats),
        SignedIn
    ),
    security(("staff" = [])),
)]
pub(super) async fn formats(State(state): State<AppState>, staff: Staff) -> Result<Json<StatementFormats>, ApiError> {
    let mut names = vec![statements::BANK.to_owned(), statements::CARD_FEED.to_owned()];
    names.extend(state.storage.statement_formats(&staff.row.council_id).await?.into_iter().map(|f| f.name));
    Ok(Json(StatementFormats { names }))
}

/// Saves (or replaces) the column mapping of a provider's statements, checked first: every
/// column it reads must be one of the file's columns.
#[utoipa::path(
    post,
    path = "/council/statement-formats",
    tag = "workspace",
    summary = "Save a provider's column mapping (checked: every column it reads must be one of the file's)",
    params(Csrf),
    request_body = tally_api::StatementFormatRequest,
    responses(
        (status = 201, description = "Saved"),
        (status = 400, description = "A mapping that cannot be used, and why", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
pub(super) async fn save_format(
    State(state): State<AppState>,
    Changer(staff): Changer,
    request: LaterJson<tally_api::StatementFormatRequest>,
) -> Result<StatusCode, ApiError> {
    let request = request.read()?;
    let name = request.name.trim();
    if name.is_empty() {
        return Err(ApiError::BadRequest("Give the format a name, for example the bank's name.".to_owned()));
    }
    if statements::built_in(name).is_some() {
        return Err(ApiError::BadRequest("That is the name of a built-in format. Choose another name.".to_owned()));
    }
    let mapping: Mapping = serde_json::from_value(request.mapping)
        .map_err(|e| ApiError::BadRequest(format!("The format could not be read: {e}")))?;
    let problems = mapping.problems();
    if !problems.is_empty() {
        return Err(ApiError::BadRequest(problems.join("\n")));
    }
    let event = staff_event(&staff.row, None, "statement format saved", name);
    state
        .storage
        .save_statement_format(
            &staff.row.council_id,
            name,
            &serde_json::to_string(&mapping).map_err(anyhow::Error::from)?,
            &event,
            state.clock.now_ms(),
        )
        .await?;
    Ok(StatusCode::CREATED)
}

pub(super) async fn mapping(state: &AppState, staff: &Staff, name: &str) -> Result<Mapping, ApiError> {
    if let Some(mapping) = statements::built_in(name) {
        return Ok(mapping);
    }
    let saved = state.storage.statement_formats(&staff.row.council_id).await?;
    let format = saved.into_iter().find(|f| f.name == name).ok_or_else(|| {
        ApiError::BadRequest(format!("There is no statement format called \"{name}\". Choose one from the list."))
    })?;
    Ok(serde_json::from_str(&format.mapping).map_err(anyhow::Error::from)?)
}

/// Proposes the column mapping of a file from a provider Tally has no format for, and
/// shows its first lines as they read with it. Nothing is kept.
#[utoipa::path(
    post,
    path = "/council/statement-formats/proposal",
    tag = "workspace",
    summary = "Propose a column mapping from a provider's file (its header and first lines), with those lines as they read; nothing is kept",
    params(Csrf),
    request_body = FormatProposalRequest,
    responses(
        (status = 200, description = "The proposal, and the first lines as they read with it", body = FormatProposal),
        (status = 400, description = "No header, dates or amounts Tally can recognise", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
pub(super) async fn propose_format(
    Changer(_staff): Changer,
    request: LaterJson<FormatProposalRequest>,
) -> Result<Json<FormatProposal>, ApiError> {
    let request = request.read()?;
    let mapping = statements::propose(&request.csv).map_err(ApiError::BadRequest)?;
    let (lines, reversals, left_out, problems) = match statements::parse(&request.csv, &mapping) {
        Ok(parsed) => (
            parsed
                .lines
                .iter()
                .take(10)
                .map(|(n, line)| ProposedLine {
                    line_no: *n as i64,
                    date: line.date,
                    amount: line.amount,
                    description: line.description.clone(),
                    reference: line.reference.clone(),
                })
                .collect(),
            parsed.reversals.len(),
            parsed.around,
            Vec::new(),
        ),
        Err(problems) => (Vec::new(), 0, 0, problems.iter().map(ToString::to_string).collect()),
    };
    Ok(Json(FormatProposal {
        mapping: serde_json::to_value(&mapping).map_err(anyhow::Error::from)?,
        lines,
        reversals,
        left_out,
        problems,
    }))
}
