//! `GET /api/v1/health`: is the server up, and can it reach its database?

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tally_api::Health;

use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.storage.ping().await?;
    Ok(Json(Health { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }))
}
