//! `GET /api/v1/health`: is the server up, and can it reach its database? And
//! `GET /api/v1/openapi.json`: the API's description, generated from the handlers'
//! annotations and the wire types (the tests check every route is in it and that real
//! answers match its schemas).

use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use axum::Json;
use std::sync::OnceLock;

use tally_api::Health;

use super::Routes;
use crate::error::ApiError;
use crate::AppState;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/health", &[Method::GET], get(health)).add(
        "/openapi.json",
        &[Method::GET],
        get(openapi),
    )
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "service",
    summary = "This description",
    responses(
        (status = 200, description = "The OpenAPI document", content_type = "application/json")
    ),
)]
async fn openapi() -> Json<&'static serde_json::Value> {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    Json(DOC.get_or_init(|| serde_json::to_value(super::openapi()).unwrap_or_default()))
}

#[utoipa::path(
    get,
    path = "/health",
    tag = "service",
    summary = "Whether the server and its database answer",
    responses(
        (status = 200, description = "Up", body = Health)
    ),
)]
async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.storage.ping().await?;
    Ok(Json(Health { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }))
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(openapi, health))]
pub(crate) struct Doc;
