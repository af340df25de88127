//! The review queue of flagged spending, and an officer's decision on a spend.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Json;
use tally_api::{DecisionRequest, ErrorBody, ReviewQueue, SpendView};
use tally_ledger::{Decision, EntryBody, ReviewDecision};

use crate::api::described::{Changing, Csrf, Reference, SignedIn};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::{Changer, Staff};
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/council/accounts/{reference}/decisions", &[Method::POST], post(decide)).add(
        "/council/reviews",
        &[Method::GET],
        get(reviews),
    )
}

#[utoipa::path(
    get,
    path = "/council/reviews",
    tag = "workspace",
    summary = "Flagged spending with no final decision, across the council's accounts",
    responses(
        (status = 200, description = "The queue", body = ReviewQueue),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn reviews(State(state): State<AppState>, staff: Staff) -> Result<Json<ReviewQueue>, ApiError> {
    let policy = state.storage.council_policy(&staff.row.council_id).await?;
    let rows = state.storage.accounts_of_council(&staff.row.council_id).await?;
    let (parts, unreadable) = for_each_account(&state, rows, &policy, |loaded| {
        let state = state.clone();
        async move {
            let answers = loaded.answered_queries(&state).await?;
            Ok((loaded.spends(true), answers))
        }
    })
    .await?;
    let (mut items, mut answers): (Vec<SpendView>, Vec<tally_api::QueryAnswer>) = (Vec::new(), Vec::new());
    for (spends, answered) in parts {
        items.extend(spends);
        answers.extend(answered);
    }
    items.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)));
    answers.sort_by(|a, b| {
        a.date.cmp(&b.date).then_with(|| a.reference.cmp(&b.reference)).then_with(|| a.line_no.cmp(&b.line_no))
    });
    Ok(Json(ReviewQueue { items, answers, unreadable }))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/decisions",
    tag = "workspace",
    summary = "Record a review decision on a spend (approved, question, not_allowed); syncs to the wallet",
    params(Csrf, Reference),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "Recorded", body = SpendView),
        (status = 400, description = "A question without words", body = ErrorBody),
        (status = 404, description = "No such spend or account", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn decide(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<DecisionRequest>,
) -> Result<(StatusCode, Json<SpendView>), ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let mut loaded = Loaded::read(&state, &row).await?;
    // The values the officer decided on: a final decision keeps them in force.
    let version =
        loaded.ledger.view().spending().find(|active| active.id() == request.about).map(|active| active.version);
    let Some(version) = version else {
        return Err(ApiError::NotFound("There is no spending with that id on this account.".to_owned()));
    };
    let note = request.note.trim().to_owned();
    let body = EntryBody::ReviewDecision(ReviewDecision {
        about: request.about,
        decision: request.decision,
        note: note.clone(),
        version: Some(version),
    });
    let decision = store_council_entry(&state, &staff, &row, body).await?;
    let words = match request.decision {
        Decision::Approved => "approved",
        Decision::Question => "asked a question about",
        Decision::NotAllowed => "marked not allowed",
    };
    audit(
        &state,
        &staff.row,
        Some(row.account_id),
        "review decision",
        &format!("{words} spending {}: {note}", request.about),
    )
    .await?;
    loaded.ledger.insert(decision).map_err(anyhow::Error::from)?;
    let view = loaded
        .spends(false)
        .into_iter()
        .find(|s| s.entry_id == request.about)
        .ok_or_else(|| anyhow::anyhow!("decided spend vanished"))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(reviews, decide))]
pub(crate) struct Doc;
