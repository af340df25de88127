//! The versioned JSON API under `/api/v1`. One module per resource, each with its own
//! `router()`.

mod accounts;
mod entries;
mod health;
mod pairings;
mod receipts;
mod statements;
mod workspace;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tally_ledger::AccountId;

use crate::auth::Device;
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(pairings::router())
        .merge(accounts::router())
        .merge(entries::router())
        .merge(receipts::router())
        .merge(workspace::router())
        .merge(statements::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(tally_api::MAX_BODY_BYTES))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("There is nothing at this address in the council API.".to_owned())
}

/// Reads the account in a path and checks the device may use it: unknown accounts are
/// 404, other people's accounts 403.
async fn authorised_account(state: &AppState, device: &Device, account: &str) -> Result<AccountId, ApiError> {
    let unknown = || ApiError::NotFound("There is no account with that id.".to_owned());
    let account_id = account.parse().map(AccountId).map_err(|_| unknown())?;
    if device.0.account_id == account_id {
        return Ok(account_id);
    }
    match state.storage.account(account_id).await? {
        None => Err(unknown()),
        Some(_) => Err(ApiError::Forbidden("This device is not allowed to use that account.".to_owned())),
    }
}
