//! Staff passwords: one-time links to set one (a first administrator, someone given
//! access, a reset an administrator issued), and changing your own.
//!
//! Nobody chooses or knows another person's password: an administrator gives them a link,
//! which works once, for [`WELCOME_LINK_HOURS`] or [`RESET_LINK_HOURS`], and only the hash
//! of its secret is kept. Using a link or changing a password ends the person's other
//! sessions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use axum::Json;
use tally_api::{
    password_problem, ChangePasswordRequest, ErrorBody, LinkDetails, LinkToken, PasswordLink, SetPasswordRequest,
    MAX_PASSWORD_CHARS,
};

use crate::api::described::{Administering, Changing, Csrf};
use crate::api::Routes;
use crate::auth::{new_token, secret_hash};
use crate::error::{ApiError, ApiJson};
use crate::guard::ClientAddress;
use crate::staff::{Administrator, Staff};
use crate::storage::{AuditEvent, LinkPurpose, NewLink};
use crate::AppState;

use super::*;

/// How long a link for a first password works.
pub const WELCOME_LINK_HOURS: i64 = 72;
/// How long a reset link works.
pub const RESET_LINK_HOURS: i64 = 24;
/// Where a link opens in the workspace; its secret follows `#`.
pub const LINK_PATH: &str = "/council/set-password";

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/password-link/details", &[Method::POST], post(link_details))
        .add("/council/password-link", &[Method::POST], post(use_link))
        .add("/council/password", &[Method::POST], post(change_password))
        .add("/council/staff/{staff_id}/password-link", &[Method::POST], post(issue_link))
}

/// A new link's secret and what the database keeps of it.
pub struct FreshLink {
    pub token: String,
    pub token_hash: String,
    pub purpose: LinkPurpose,
    pub expires_at_ms: i64,
}

impl FreshLink {
    pub fn new(purpose: LinkPurpose, now_ms: i64) -> FreshLink {
        let hours = match purpose {
            LinkPurpose::Welcome => WELCOME_LINK_HOURS,
            LinkPurpose::Reset => RESET_LINK_HOURS,
        };
        let token = new_token();
        FreshLink { token_hash: secret_hash(&token), token, purpose, expires_at_ms: now_ms + hours * 3_600_000 }
    }

    pub fn stored(&self) -> NewLink<'_> {
        NewLink { token_hash: &self.token_hash, purpose: self.purpose, expires_at_ms: self.expires_at_ms }
    }

    /// The link's path and secret: `/council/set-password#…`.
    pub fn path(&self) -> String {
        format!("{LINK_PATH}#{}", self.token)
    }
}

/// The hash a link's secret is kept as, for a secret of the right shape (anything else
/// is no link, and is not looked up).
fn token_hash(token: &str) -> Option<String> {
    let token = token.trim();
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())).then(|| secret_hash(token))
}

fn no_link() -> ApiError {
    ApiError::NotFound(
        "This link does not work: it has been used, it has run out, or a newer one was sent. Ask an administrator for a new link.".to_owned(),
    )
}

#[utoipa::path(
    post,
    path = "/council/password-link/details",
    tag = "workspace",
    summary = "Whose a one-time password link is and what it is for, while it works",
    request_body = LinkToken,
    responses(
        (status = 200, description = "The link works", body = LinkDetails),
        (status = 404, description = "Used, run out or replaced", body = ErrorBody)
    ),
)]
async fn link_details(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LinkToken>,
) -> Result<Json<LinkDetails>, ApiError> {
    let hash = token_hash(&request.token).ok_or_else(no_link)?;
    let link = state.storage.staff_link(&hash, state.clock.now_ms()).await?.ok_or_else(no_link)?;
    Ok(Json(LinkDetails {
        name: link.staff.display_name,
        email: link.staff.email,
        council_name: link.council_name,
        purpose: link.purpose.as_str().to_owned(),
        expires_at_ms: link.expires_at_ms,
    }))
}

#[utoipa::path(
    post,
    path = "/council/password-link",
    tag = "workspace",
    summary = "Choose a password with a one-time link; ends the person's sessions",
    request_body = SetPasswordRequest,
    responses(
        (status = 204, description = "The password is set: sign in with it"),
        (status = 400, description = "password: what is wrong with it", body = ErrorBody),
        (status = 404, description = "Used, run out or replaced", body = ErrorBody),
        (status = 429, description = "Too many password checks at once", body = ErrorBody)
    ),
)]
async fn use_link(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<SetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now_ms();
    let hash = token_hash(&request.token).ok_or_else(no_link)?;
    let link = state.storage.staff_link(&hash, now).await?.ok_or_else(no_link)?;
    if let Some(problem) = password_problem(&request.password, &link.staff.email) {
        return Err(ApiError::Invalid(vec![("password".to_owned(), problem)]));
    }
    let password_hash = hash_in_turn(&state, request.password).await?;
    let address = address.to_string();
    let action = match link.purpose {
        LinkPurpose::Welcome => "password set with a welcome link",
        LinkPurpose::Reset => "password reset with a link",
    };
    let event = AuditEvent { address: Some(&address), ..staff_event(&link.staff, None, action, "") };
    if !state.storage.use_staff_link(&hash, &link.staff.staff_id, &password_hash, &event, now).await? {
        return Err(no_link());
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/council/password",
    tag = "workspace",
    summary = "Change your own password (the current one is needed); your other sessions end",
    params(Csrf),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "current_password or new_password: what is wrong", body = ErrorBody),
        (status = 429, description = "Too many password checks at once", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn change_password(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let mut errors = problems([
        ("current_password", request.current_password.is_empty().then(|| "Enter your current password".to_owned())),
        ("new_password", password_problem(&request.new_password, &staff.row.email)),
    ]);
    if errors.is_empty() && request.new_password == request.current_password {
        errors.push(("new_password".to_owned(), "Choose a new password, not the one you have now".to_owned()));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let current = request.current_password.chars().take(MAX_PASSWORD_CHARS + 1).collect::<String>();
    if !password_matches_in_turn(&state, current, Some(staff.row.password_hash.clone())).await? {
        return Err(ApiError::Invalid(vec![(
            "current_password".to_owned(),
            "That is not your current password".to_owned(),
        )]));
    }
    let password_hash = hash_in_turn(&state, request.new_password).await?;
    let session =
        crate::staff::session_cookie(&headers, state.config.https()).map(|t| secret_hash(&t)).unwrap_or_default();
    let address = address.to_string();
    let event = AuditEvent { address: Some(&address), ..staff_event(&staff.row, None, "password changed", "") };
    state.storage.change_password(&staff.row.staff_id, &password_hash, &session, &event, state.clock.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/council/staff/{staff_id}/password-link",
    tag = "workspace",
    summary = "A one-time link for a member of staff to set a new password, or, for someone whose access was removed, to have it again (administrators)",
    params(Csrf, ("staff_id" = String, Path, description = "The member of staff's id")),
    responses(
        (status = 201, description = "The link, shown once", body = PasswordLink),
        (status = 404, description = "No such member of staff", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn issue_link(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    Path(staff_id): Path<String>,
) -> Result<(StatusCode, Json<PasswordLink>), ApiError> {
    let council = &admin.row.council_id;
    let not_found = || ApiError::NotFound("There is no member of staff with that id.".to_owned());
    let (member, removed) = state.storage.staff_member(council, &staff_id).await?.ok_or_else(not_found)?;
    // Someone with access gets a reset; someone whose access was removed, a welcome back.
    let purpose = if removed { LinkPurpose::Welcome } else { LinkPurpose::Reset };
    let now = state.clock.now_ms();
    let link = FreshLink::new(purpose, now);
    let (action, detail) = match purpose {
        LinkPurpose::Reset => ("password reset link issued", format!("for {} <{}>", member.display_name, member.email)),
        LinkPurpose::Welcome => (
            "staff access given again",
            format!(
                "{} <{}> as {}, with a link to set a password",
                member.display_name,
                member.email,
                member.role.label()
            ),
        ),
    };
    let event = staff_event(&admin.row, None, action, &detail);
    if !state.storage.issue_staff_link(council, &staff_id, &link.stored(), &event, now).await? {
        return Err(not_found());
    }
    Ok((
        StatusCode::CREATED,
        Json(PasswordLink {
            name: member.display_name,
            email: member.email,
            path: link.path(),
            expires_at_ms: link.expires_at_ms,
        }),
    ))
}

/// Argon2 work (checking or hashing a password), in turn with the other password checks:
/// at most a few at once (429 beyond), off the async threads.
async fn argon2_in_turn<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let permit = state.guard.password_check()?;
    let done = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(anyhow::Error::from)?;
    Ok(done)
}

/// Whether `password` matches the stored hash. With no stored hash a dummy is checked, so
/// the answer takes as long either way.
pub(super) async fn password_matches_in_turn(
    state: &AppState,
    password: String,
    stored: Option<String>,
) -> Result<bool, ApiError> {
    argon2_in_turn(state, move || crate::staff::password_matches(&password, stored.as_deref())).await
}

/// A new password's hash.
async fn hash_in_turn(state: &AppState, password: String) -> Result<String, ApiError> {
    Ok(argon2_in_turn(state, move || crate::staff::hash_password(&password)).await??)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(link_details, use_link, change_password, issue_link))]
pub(crate) struct Doc;
