//! API clients for the council's finance systems (administrators make and revoke them).
//! A client calls the API with HTTP Basic authentication (`client_id:secret`); what it may
//! do is its scopes (see [`crate::staff::scope_needed`]), and every call is audited.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Json;
use tally_api::{ApiClientList, ApiClientSecret, ApiClientView, ErrorBody, NewApiClient};
use uuid::Uuid;

use crate::api::described::{Administering, Csrf};
use crate::api::Routes;
use crate::error::{ApiError, LaterJson};
use crate::staff::Administrator;
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/api-clients", &[Method::GET, Method::POST], get(list_clients).post(create_client))
        .add("/council/api-clients/{client_id}/revoke", &[Method::POST], post(revoke_client))
}

#[utoipa::path(
    get,
    path = "/council/api-clients",
    tag = "workspace",
    summary = "The council's API clients, newest first, revoked ones too (administrators)",
    responses(
        (status = 200, description = "The clients (never their secrets)", body = ApiClientList),
        Administering
    ),
    security(("staff" = [])),
)]
async fn list_clients(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
) -> Result<Json<ApiClientList>, ApiError> {
    let clients = state.storage.api_clients_of(&staff.row.council_id).await?;
    Ok(Json(ApiClientList {
        clients: clients
            .into_iter()
            .map(|c| ApiClientView {
                client_id: c.client_id,
                name: c.name,
                scopes: c.scopes,
                created_by: c.created_by,
                created_at_ms: c.created_at_ms,
                last_used_at_ms: c.last_used_ms,
                revoked_at_ms: c.revoked_at_ms,
            })
            .collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/council/api-clients",
    tag = "workspace",
    summary = "Make an API client for a finance system; answers its secret, shown this once (administrators)",
    params(Csrf),
    request_body = NewApiClient,
    responses(
        (status = 201, description = "Made: the client id and secret", body = ApiClientSecret),
        (status = 400, description = "field: message lines", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn create_client(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    new: LaterJson<NewApiClient>,
) -> Result<(StatusCode, Json<ApiClientSecret>), ApiError> {
    let new = new.read()?;
    let name = new.name.trim();
    let mut scopes = new.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let errors = problems([
        (
            "name",
            (name.is_empty() || name.chars().count() > 100)
                .then(|| "Enter what the client is, like \"Payments interface\" (at most 100 characters)".to_owned()),
        ),
        ("scopes", scopes.is_empty().then(|| "Choose at least one thing the client may do".to_owned())),
    ]);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let client_id = format!("tc_{}", Uuid::now_v7().simple());
    let secret = crate::auth::new_token();
    let now = state.clock.now_ms();
    let listed: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let detail = format!("{name} ({client_id}), scopes {}", listed.join(", "));
    let event = staff_event(&staff.row, None, "API client made", &detail);
    let row = crate::storage::NewApiClientRow {
        client_id: &client_id,
        staff_id: &Uuid::now_v7().to_string(),
        council_id: &staff.row.council_id,
        name,
        secret_hash: &crate::auth::secret_hash(&secret),
        scopes: &scopes,
        created_by: &staff.row.staff_id,
    };
    state.storage.create_api_client(&row, &event, now).await?;
    Ok((StatusCode::CREATED, Json(ApiClientSecret { client_id, secret, name: name.to_owned(), scopes })))
}

#[utoipa::path(
    post,
    path = "/council/api-clients/{client_id}/revoke",
    tag = "workspace",
    summary = "Revoke an API client: its secret stops working at once (administrators)",
    params(Csrf, ("client_id" = String, Path, description = "The client's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such client with access", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn revoke_client(
    State(state): State<AppState>,
    Administrator(staff): Administrator,
    Path(client_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let event = staff_event(&staff.row, None, "API client revoked", &client_id);
    match state.storage.revoke_api_client(&staff.row.council_id, &client_id, &event, state.clock.now_ms()).await? {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ApiError::NotFound("There is no API client with that id that still has access.".to_owned())),
    }
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_clients, create_client, revoke_client))]
pub(crate) struct Doc;
