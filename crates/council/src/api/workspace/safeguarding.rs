//! Safeguarding signals across the council's accounts, and officers' notes on them.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Json;
use tally_api::{ErrorBody, SafeguardingItem, SafeguardingList, SafeguardingNoteRequest};

use crate::api::described::{Changing, Csrf, Reference, SignedIn};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::{Changer, Staff};
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/council/safeguarding", &[Method::GET], get(safeguarding)).add(
        "/council/accounts/{reference}/safeguarding",
        &[Method::POST],
        post(safeguarding_note),
    )
}

#[utoipa::path(
    get,
    path = "/council/safeguarding",
    tag = "workspace",
    summary = "Safeguarding signals across the council's accounts, with the figures and officers' notes (never shown to the person)",
    responses(
        (status = 200, description = "The signals", body = SafeguardingList),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn safeguarding(State(state): State<AppState>, staff: Staff) -> Result<Json<SafeguardingList>, ApiError> {
    let council = &staff.row.council_id;
    summaries::bring_up_to_date(&state, council).await?;
    let mut items: Vec<SafeguardingItem> = Vec::new();
    for list in state.storage.signal_lists(council).await? {
        items.extend(serde_json::from_str::<Vec<SafeguardingItem>>(&list).map_err(anyhow::Error::from)?);
    }
    // Signals nobody has looked at first.
    items.sort_by_key(|item| !item.notes.is_empty());
    Ok(Json(SafeguardingList { items, unreadable: unreadable_accounts(&state, council).await? }))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/safeguarding",
    tag = "workspace",
    summary = "Record what was found about a signal: no_concern or raised",
    params(Csrf, Reference),
    request_body = SafeguardingNoteRequest,
    responses(
        (status = 201, description = "Recorded"),
        (status = 400, description = "No outcome chosen", body = ErrorBody),
        (status = 404, description = "No such account or signal", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
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
    let detail = format!("{}: {note}", outcome.label());
    let event = staff_event(&staff.row, Some(row.account_id), "safeguarding signal", &detail);
    state
        .storage
        .add_safeguarding_note(
            row.account_id,
            &request.key,
            outcome,
            note,
            &staff.row.staff_id,
            &event,
            state.clock.now_ms(),
        )
        .await?;
    Ok(StatusCode::CREATED)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(safeguarding, safeguarding_note))]
pub(crate) struct Doc;
