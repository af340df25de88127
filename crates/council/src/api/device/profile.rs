//! `GET /api/v1/accounts/{account_id}`: whose account this is, and their support plan.

use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use axum::Json;
use tally_api::AccountProfile;
use tally_ledger::AccountId;

use crate::api::described::{AccountIdParam, DeviceRefusals};
use crate::api::DeviceAccount;
use crate::api::Routes;
use crate::error::ApiError;
use crate::AppState;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/accounts/{account_id}", &[Method::GET], get(get_profile))
}

#[utoipa::path(
    get,
    path = "/accounts/{account_id}",
    tag = "sync",
    summary = "The account's profile: person, support plan, council policy",
    params(AccountIdParam),
    responses(
        (status = 200, description = "The profile", body = AccountProfile),
        DeviceRefusals
    ),
    security(("device" = [])),
)]
async fn get_profile(
    State(state): State<AppState>,
    DeviceAccount { account_id, .. }: DeviceAccount,
) -> Result<Json<AccountProfile>, ApiError> {
    Ok(Json(profile(&state, account_id).await?))
}

pub(crate) async fn profile(state: &AppState, account_id: AccountId) -> Result<AccountProfile, ApiError> {
    let account = state
        .storage
        .account(account_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no account with that id.".to_owned()))?;
    Ok(AccountProfile {
        account_id,
        reference: account.reference,
        person_name: account.person_name,
        council_name: account.council_name,
        plan: state.storage.support_plan(account_id).await?,
        policy: state.storage.policy_for(account_id).await?,
    })
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_profile))]
pub(crate) struct Doc;
