//! `POST /api/v1/pairings`: a person types the one-time code their council gave them, and
//! the device gets a token for that one account.

use axum::extract::State;
use axum::http::Method;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Json;
use tally_api::{ErrorBody, PairRequest, PairResponse};
use tally_ledger::DeviceId;

use crate::api::Routes;
use crate::auth::{new_token, normalise_code, secret_hash};
use crate::error::{ApiError, ApiJson};
use crate::guard::{wait_words, ClientAddress, PairingRefused};
use crate::storage::AuditEvent;
use crate::AppState;

/// The longest device description kept.
const MAX_LABEL_CHARS: usize = 100;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/pairings", &[Method::POST], post(pair))
}

#[utoipa::path(
    post,
    path = "/pairings",
    tag = "sync",
    summary = "Trade a one-time pairing code for a device token",
    request_body = PairRequest,
    responses(
        (status = 201, description = "Paired", body = PairResponse),
        (status = 400, description = "Malformed", body = ErrorBody),
        (status = 404, description = "Unknown, used or expired code", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address, or at this server; try again after Retry-After seconds", body = ErrorBody)
    ),
)]
async fn pair(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<PairRequest>,
) -> Result<(StatusCode, Json<PairResponse>), ApiError> {
    let address_text = address.to_string();
    match state.guard.pairing(address) {
        Ok(()) => {}
        Err(PairingRefused::Address { wait, first_in_burst }) => {
            if first_in_burst {
                // One line a burst: enough to see someone is guessing, not a line a guess.
                let detail = format!("pairing codes tried too often from {address_text}");
                let event = AuditEvent {
                    address: Some(&address_text),
                    ..AuditEvent::server("pairing attempts refused", &detail)
                };
                state.storage.audit(&event, state.clock.now_ms()).await?;
                tracing::warn!(%address, "pairing attempts refused");
            }
            return Err(ApiError::SlowDown {
                message: format!(
                    "Too many pairing codes were tried from this connection. Wait {} and try again.",
                    wait_words(wait)
                ),
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        Err(PairingRefused::Overall { wait }) => {
            return Err(ApiError::SlowDown {
                message: "The council's server is taking too many pairing attempts at the moment. Wait a minute and try again.".to_owned(),
                retry_after_secs: wait.as_secs().max(1),
            });
        }
    }
    let code = normalise_code(&request.code);
    if code.is_empty() {
        return Err(ApiError::BadRequest("Enter the pairing code your council gave you.".to_owned()));
    }
    let label: String = match request.device_label.trim() {
        "" => "Unnamed device".to_owned(),
        label => label.chars().take(MAX_LABEL_CHARS).collect(),
    };
    if request.held.len() > tally_api::MAX_HELD_PAIRINGS {
        return Err(ApiError::BadRequest(format!(
            "Name at most {} pairings this device holds.",
            tally_api::MAX_HELD_PAIRINGS
        )));
    }
    let held: Vec<(DeviceId, String)> = request.held.iter().map(|h| (h.device_id, secret_hash(&h.token))).collect();
    let device_id = DeviceId(uuid::Uuid::now_v7());
    let token = new_token();
    let account_id = state
        .storage
        .redeem_pairing_code(
            &state.storage.code_hash(&code),
            device_id,
            &secret_hash(&token),
            &label,
            &held,
            &address_text,
            state.clock.now_ms(),
        )
        .await?
        .ok_or_else(|| {
            ApiError::BadRequest(
                "That pairing code is not right, or it has already been used, replaced by a newer one or run out. \
                 Check the code, or ask your council for a new one."
                    .to_owned(),
            )
        })?;
    let account = super::profile::profile(&state, account_id).await?;
    tracing::info!(%device_id, %account_id, label, "device paired");

    Ok((StatusCode::CREATED, Json(PairResponse { device_id, token, account })))
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(pair))]
pub(crate) struct Doc;
