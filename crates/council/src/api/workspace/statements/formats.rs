//! Statement formats: the column mappings of providers' CSV files, built in and saved.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tally_api::{ErrorBody, StatementFormats};

use super::super::audit;
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
    state
        .storage
        .save_statement_format(
            &staff.row.council_id,
            name,
            &serde_json::to_string(&mapping).map_err(anyhow::Error::from)?,
        )
        .await?;
    audit(&state, &staff.row, None, "statement format saved", name).await?;
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
