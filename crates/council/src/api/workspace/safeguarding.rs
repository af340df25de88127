//! Safeguarding signals across the council's accounts, and officers' notes on them.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Json;
use tally_api::{ErrorBody, SafeguardingItem, SafeguardingList, SafeguardingNoteRequest, SafeguardingNoteView};

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
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) = for_each_account(&state, rows, &policy, |loaded| {
        let state = state.clone();
        async move {
            let signals = loaded.rules().signals(&loaded.ledger);
            if signals.is_empty() {
                return Ok(Vec::new());
            }
            let notes = state.storage.safeguarding_notes(loaded.row.account_id).await?;
            Ok(signals
                .into_iter()
                .map(|signal| {
                    let key = signal.key();
                    SafeguardingItem {
                        reference: loaded.row.reference.clone(),
                        person_name: loaded.row.person_name.clone(),
                        title: signal.title(),
                        figures: signal.describe(),
                        notes: notes
                            .iter()
                            .filter(|n| n.key == key)
                            .map(|n| SafeguardingNoteView {
                                outcome: n.outcome,
                                note: n.note.clone(),
                                who: n.who.clone(),
                                at_ms: n.at_ms,
                            })
                            .collect(),
                        key,
                    }
                })
                .collect::<Vec<_>>())
        }
    })
    .await?;
    let mut items: Vec<SafeguardingItem> = parts.into_iter().flatten().collect();
    // Signals nobody has looked at first.
    items.sort_by_key(|item| !item.notes.is_empty());
    Ok(Json(SafeguardingList { items, unreadable }))
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
    state
        .storage
        .add_safeguarding_note(row.account_id, &request.key, outcome, note, &staff.row.staff_id, state.clock.now_ms())
        .await?;
    audit(&state, &staff.row, Some(row.account_id), "safeguarding signal", &format!("{}: {note}", outcome.label()))
        .await?;
    Ok(StatusCode::CREATED)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(safeguarding, safeguarding_note))]
pub(crate) struct Doc;
