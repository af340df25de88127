//! `GET /api/v1/health`: is the server up, and can it reach its database? And
//! `GET /api/v1/openapi.json`: the API's description (`crates/council/openapi.json`, kept
//! true by the tests: every route in it answers, and every route is in it).

use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use axum::Json;
use tally_api::Health;

use super::Routes;
use crate::error::ApiError;
use crate::AppState;

pub(super) fn routes() -> Routes {
    Routes::default().add("/health", &[Method::GET], get(health)).add("/openapi.json", &[Method::GET], get(openapi))
}

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.storage.ping().await?;
    Ok(Json(Health { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }))
}
