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

pub use workspace::{passwords, summaries};

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
    all()
        .router
        .fallback(not_found)
        .method_not_allowed_fallback(not_allowed)
        .layer(DefaultBodyLimit::max(tally_api::MAX_BODY_BYTES))
}

/// The API's OpenAPI 3.1 description, generated from the handlers' annotations and the
/// wire types (`tally_api`, and the ledger's records): served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = ApiDoc::openapi();
    doc.merge(all().doc);
    doc
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Tally council API",
        version = "1",
        description = "The API the Tally wallets sync with (device tokens) and the council workspace uses (staff sessions). Every error has the shape {error: {code, message, fields}} with a plain-English message. Money is a string with two decimals (\"12.50\"); dates are YYYY-MM-DD; times are Unix milliseconds."
    ),
    servers((url = "/api/v1")),
    modifiers(&Security),
    tags(
        (name = "health", description = "Is the server up"),
        (name = "pairing", description = "A device trades a one-time code for a token"),
        (name = "sync", description = "Devices push and pull records, and fetch the account's profile"),
        (name = "receipts", description = "Receipt photos, named by their SHA-256"),
        (name = "workspace", description = "The council workspace, for council staff")
    )
)]
struct ApiDoc;

/// The two ways in: a device token, and a staff session cookie.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A device token from /pairings"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_client",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "An API client's id and secret (an administrator makes one under API clients). \
                         A client may call the workspace routes its scopes allow: read (GET, JSON), exports \
                         (the .csv downloads) and money_in (POST /council/accounts/{reference}/money-in). \
                         Every call is audited.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "staff",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "tally_staff",
                "The session cookie from /council/sign-in",
            ))),
        );
    }
}

/// What the API's description says the same way for many routes: the refusals every route
/// of a kind can answer, and the parameters many take.
#[allow(dead_code)] // Types for the description only; never built.
pub(crate) mod described {
    use tally_api::ErrorBody;

    /// A workspace read: the session is checked.
    #[derive(utoipa::IntoResponses)]
    pub(crate) enum SignedIn {
        #[response(status = 401, description = "Not signed in, or the session ended")]
        SignedOut(ErrorBody),
    }

    /// A workspace change: the session, the role and the CSRF token are checked.
    #[derive(utoipa::IntoResponses)]
    pub(crate) enum Changing {
        #[response(status = 401, description = "Not signed in, or the session ended")]
        SignedOut(ErrorBody),
        #[response(status = 403, description = "A role that may not change anything, or no CSRF token")]
        NotAllowed(ErrorBody),
    }

    /// An administrator's change.
    #[derive(utoipa::IntoResponses)]
    pub(crate) enum Administering {
        #[response(status = 401, description = "Not signed in, or the session ended")]
        SignedOut(ErrorBody),
        #[response(status = 403, description = "Not an administrator, or no CSRF token")]
        NotAllowed(ErrorBody),
    }

    /// A workspace route about one account of the member's council.
    #[derive(utoipa::IntoResponses)]
    pub(crate) enum OnAccount {
        #[response(status = 404, description = "Not an account of this council")]
        NotFound(ErrorBody),
    }

    /// A device route: the token, and its right to the account in the address.
    #[derive(utoipa::IntoResponses)]
    pub(crate) enum DeviceRefusals {
        #[response(status = 401, description = "Not paired, or the device was revoked")]
        Unpaired(ErrorBody),
        #[response(status = 403, description = "Another person's account")]
        OtherAccount(ErrorBody),
        #[response(status = 404, description = "No such account")]
        NoAccount(ErrorBody),
        #[response(
            status = 429,
            description = "This device's requests, or the account's records or photos for the day, are at their most; try again after Retry-After seconds"
        )]
        TooMany(ErrorBody),
    }

    /// The header every workspace change carries.
    #[derive(utoipa::IntoParams)]
    #[into_params(parameter_in = Header)]
    pub(crate) struct Csrf {
        /// The csrf_token from signing in: every change must carry it
        #[param(rename = "X-CSRF-Token")]
        csrf: String,
    }

    /// An account, as the workspace names it.
    #[derive(utoipa::IntoParams)]
    #[into_params(parameter_in = Path)]
    pub(crate) struct Reference {
        /// The council's reference for the account (DP-000001)
        reference: String,
    }

    /// A statement of an account.
    #[derive(utoipa::IntoParams)]
    #[into_params(parameter_in = Path)]
    pub(crate) struct Statement {
        /// The statement's id
        statement_id: String,
    }

    /// A line of a statement.
    #[derive(utoipa::IntoParams)]
    #[into_params(parameter_in = Path)]
    pub(crate) struct Line {
        /// The statement's id
        statement_id: String,
        /// The line's number in the file (the header is line 1)
        line_no: i64,
    }

    /// An account, as a device names it.
    #[derive(utoipa::IntoParams)]
    #[into_params(parameter_in = Path)]
    pub(crate) struct AccountIdParam {
        /// The account's id (a UUID)
        account_id: String,
    }
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

/// Routes with the list of what they serve and their description. A route is added with
/// the methods it answers; the tests check every other method is "not allowed" there, so
/// the list is whole, and that every route is described.
#[derive(Default)]
pub(crate) struct Routes {
    router: Router<AppState>,
    list: Vec<(Method, &'static str)>,
    doc: utoipa::openapi::OpenApi,
}

impl Routes {
    /// Routes described by `D` (a module's `#[derive(utoipa::OpenApi)]` listing its handlers).
    pub(crate) fn described_by<D: utoipa::OpenApi>() -> Routes {
        Routes { doc: D::openapi(), ..Routes::default() }
    }

    pub(crate) fn add(mut self, path: &'static str, methods: &[Method], service: MethodRouter<AppState>) -> Routes {
        self.router = self.router.route(path, service);
        self.list.extend(methods.iter().map(|m| (m.clone(), path)));
        self
    }

    pub(crate) fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self.doc.merge(other.doc);
        self
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("There is nothing at this address in the council API.".to_owned())
}

async fn not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(format!("This address in the council API does not answer {method}."))
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
