//! The versioned JSON API under `/api/v1`.
//!
//! # Layout
//! - [`device`]: what the wallets call, with a device token: pairing, the account's
//!   profile, pushing and pulling records, receipt photos.
//! - [`workspace`]: what council staff call from the workspace, with a session: one module
//!   per area (accounts, reviews, money, statements, ...), the same names as the wire types
//!   in `tally_api` and the workspace's pages.
//! - [`health`]: the health check and the API's description.
//!
//! Every route is added to one list ([`routes`]) that the router is built from.

pub(crate) mod device;
mod health;
mod workspace;

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::Method;
use axum::routing::MethodRouter;
use axum::Router;
use tally_ledger::AccountId;

use crate::auth::Device;
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    all().router.fallback(not_found).layer(DefaultBodyLimit::max(tally_api::MAX_BODY_BYTES))
}

/// Every route the API serves, as (method, path under `/api/v1`): the same list the router
/// is built from, so the tests that go through every route (the authorisation matrix, the
/// OpenAPI check) cannot miss a new one.
pub fn routes() -> Vec<(Method, &'static str)> {
    all().list
}

fn all() -> Routes {
    Routes::default().merge(health::routes()).merge(device::routes()).merge(workspace::routes())
}

/// Routes with the list of what they serve. A route is added with the methods it answers;
/// the tests check every other method is "not allowed" there, so the list is whole.
#[derive(Default)]
pub(crate) struct Routes {
    router: Router<AppState>,
    list: Vec<(Method, &'static str)>,
}

impl Routes {
    pub(crate) fn add(mut self, path: &'static str, methods: &[Method], service: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(path, service);
        self.list.extend(methods.iter().map(|m| (m.clone(), path)));
        self
    }

    pub(crate) fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("There is nothing at this address in the council API.".to_owned())
}

/// The paired device making a request, and the account in the address, which it may use:
/// unknown accounts are 404, other people's accounts 403, a missing or revoked token 401.
/// Checked from the headers and the address alone, before any body is read.
pub(crate) struct DeviceAccount {
    pub device: crate::storage::DeviceRow,
    pub account_id: AccountId,
}

impl FromRequestParts<AppState> for DeviceAccount {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Device(device) = Device::from_request_parts(parts, state).await?;
        let unknown = || ApiError::NotFound("There is no account with that id.".to_owned());
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| unknown())?;
        let account_id = params.get("account_id").and_then(|a| a.parse().ok()).map(AccountId).ok_or_else(unknown)?;
        if device.account_id == account_id {
            return Ok(DeviceAccount { device, account_id });
        }
        match state.storage.account(account_id).await? {
            None => Err(unknown()),
            Some(_) => Err(ApiError::Forbidden("This device is not allowed to use that account.".to_owned())),
        }
    }
}
