//! Signing in and out, and who is signed in.

use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use tally_api::{ErrorBody, SignInRequest, StaffProfile};

use crate::api::described::{Changing, Csrf, SignedIn};
use crate::api::Routes;
use crate::auth::secret_hash;
use crate::error::{ApiError, ApiJson};
use crate::staff::Staff;
use crate::storage::StaffRow;
use crate::AppState;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/sign-in", &[Method::POST], post(sign_in))
        .add("/council/sign-out", &[Method::POST], post(sign_out))
        .add("/council/me", &[Method::GET], get(me))
}

#[utoipa::path(
    post,
    path = "/council/sign-in",
    tag = "workspace",
    summary = "Sign in; sets the HttpOnly session cookie and returns the CSRF token",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in", body = StaffProfile),
        (status = 400, description = "Email or password missing", body = ErrorBody),
        (status = 401, description = "Email and password do not match", body = ErrorBody),
        (status = 429, description = "Too many failed attempts for this email; wait 15 minutes", body = ErrorBody)
    ),
)]
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let email = request.email.trim().to_lowercase();
    if email.is_empty() || request.password.is_empty() {
        return Err(ApiError::BadRequest("Enter your email address and your password.".to_owned()));
    }
    let now = state.clock.now_ms();
    let failed = state.storage.failed_sign_ins_since(&email, now - crate::staff::LOCKOUT_MINUTES * 60_000).await?;
    if failed >= crate::staff::MAX_FAILED_SIGN_INS {
        return Err(ApiError::TooManyRequests(format!(
            "Too many wrong passwords for this email address. Wait {} minutes and try again, or ask an administrator to reset your password.",
            crate::staff::LOCKOUT_MINUTES
        )));
    }
    let found = state.storage.staff_by_email(&email).await?;
    let password = request.password;
    let stored = found.as_ref().map(|s| s.password_hash.clone());
    let matched = tokio::task::spawn_blocking(move || crate::staff::password_matches(&password, stored.as_deref()))
        .await
        .map_err(anyhow::Error::from)?;
    state.storage.record_sign_in_attempt(&email, matched, now).await?;
    let Some(row) = found.filter(|_| matched) else {
        return Err(ApiError::Unauthorized(
            "That email address and password do not match. Check them and try again.".to_owned(),
        ));
    };
    let (token, csrf) = crate::staff::new_session_tokens();
    let expires = now + crate::staff::SESSION_HOURS * 3_600_000;
    state.storage.create_staff_session(&secret_hash(&token), &row.staff_id, &csrf, now, expires).await?;
    audit(&state, &row, None, "signed in", "").await?;
    let secure = headers.get("x-forwarded-proto").is_some_and(|v| v == "https");
    let profile = profile(&state, &row, csrf).await?;
    Ok(([(header::SET_COOKIE, crate::staff::session_set_cookie(&token, secure))], Json(profile)).into_response())
}

#[utoipa::path(
    post,
    path = "/council/sign-out",
    tag = "workspace",
    summary = "Sign out",
    params(Csrf),
    responses(
        (status = 204, description = "Signed out"),
        Changing
    ),
    security(("staff" = [])),
)]
async fn sign_out(State(state): State<AppState>, staff: Staff, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = crate::staff::session_cookie(&headers) {
        state.storage.delete_staff_session(&secret_hash(&token)).await?;
    }
    audit(&state, &staff.row, None, "signed out", "").await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, crate::staff::session_clear_cookie())]).into_response())
}

#[utoipa::path(
    get,
    path = "/council/me",
    tag = "workspace",
    summary = "Who is signed in, and the CSRF token",
    responses(
        (status = 200, description = "The member of staff", body = StaffProfile),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn me(State(state): State<AppState>, staff: Staff) -> Result<Json<StaffProfile>, ApiError> {
    Ok(Json(profile(&state, &staff.row, staff.csrf_token.clone()).await?))
}

async fn profile(state: &AppState, row: &StaffRow, csrf_token: String) -> Result<StaffProfile, ApiError> {
    let role = row.role;
    let council_name = state.storage.council_name(&row.council_id).await?.unwrap_or_default();
    Ok(StaffProfile {
        name: row.display_name.clone(),
        email: row.email.clone(),
        role,
        role_label: role.label().to_owned(),
        council_name,
        csrf_token,
    })
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(sign_in, sign_out, me))]
pub(crate) struct Doc;
