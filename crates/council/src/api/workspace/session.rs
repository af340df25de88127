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
use crate::guard::{ClientAddress, ACCOUNT_BACKOFF, ADDRESS_BACKOFF};
use crate::staff::Staff;
use crate::storage::{Actor, AuditEvent, NewSession, StaffRow};
use crate::AppState;

use super::*;

/// The longest email address (RFC 5321) and password a sign-in is checked with.
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PASSWORD_CHARS: usize = 1024;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/sign-in", &[Method::POST], post(sign_in))
        .add("/council/sign-out", &[Method::POST], post(sign_out))
        .add("/council/me", &[Method::GET], get(me))
        .add("/council/sessions", &[Method::GET], get(sessions))
        .add("/council/sessions/{id}/end", &[Method::POST], post(end_session))
}

#[utoipa::path(
    post,
    path = "/council/sign-in",
    tag = "workspace",
    summary = "Sign in; sets the HttpOnly session cookie and returns the CSRF token",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in", body = StaffProfile),
        (status = 400, description = "Email or password missing; or `code`: a two-factor code is needed, or was wrong", body = ErrorBody),
        (status = 401, description = "Email and password do not match", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords for this email or from this address, or too many sign-ins at once; try again after Retry-After seconds", body = ErrorBody)
    ),
)]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let email = request.email.trim().to_lowercase();
    if email.is_empty() || request.password.is_empty() {
        return Err(ApiError::BadRequest("Enter your email address and your password.".to_owned()));
    }
    // Bounded before anything is stored or hashed: an email is at most 254 characters.
    if email.chars().count() > MAX_EMAIL_CHARS || request.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(ApiError::Unauthorized(
            "That email address and password do not match. Check them and try again.".to_owned(),
        ));
    }
    let now = state.clock.now_ms();
    let address = address.to_string();
    // Slowed down, not locked: each wrong password makes the next try wait longer, from
    // this address and on this account (unless its owner signed in from here lately).
    let failures = state.storage.sign_in_failures(&email, &address, now).await?;
    let by_address = ADDRESS_BACKOFF.remaining_secs(failures.from_address, failures.latest_from_address, now);
    let by_account = match failures.known_address {
        true => 0,
        false => ACCOUNT_BACKOFF.remaining_secs(failures.on_account, failures.latest_on_account, now),
    };
    let wait = by_address.max(by_account);
    if wait > 0 {
        let whose = if by_account >= by_address { "for this email address" } else { "from this connection" };
        return Err(ApiError::SlowDown {
            message: format!(
                "Too many wrong passwords have been tried {whose}. Wait {} and try again, or ask an administrator to let you try again now.",
                crate::guard::wait_words(std::time::Duration::from_secs(wait as u64))
            ),
            retry_after_secs: wait as u64,
        });
    }
    // One person may work for several councils on this server, with the same email: the
    // password is checked against each of their places, and picks out the ones it opens.
    let places = state.storage.staff_with_email(&email).await?;
    let mut opened = Vec::new();
    if places.is_empty() {
        passwords::password_matches_in_turn(&state, request.password.clone(), None).await?;
    }
    for place in &places {
        if passwords::password_matches_in_turn(&state, request.password.clone(), Some(place.password_hash.clone()))
            .await?
        {
            opened.push(place);
        }
    }
    let failed = |council_id: Option<&str>, why: &str| SignInFailure {
        email: &email,
        address: &address,
        council_id: council_id.map(str::to_owned),
        why: why.to_owned(),
        now,
    };
    if opened.is_empty() {
        let council = places.first().map(|s| s.council_id.as_str());
        failed(council, if places.is_empty() { "no one has this email" } else { "wrong password" })
            .record(&state)
            .await?;
        return Err(ApiError::Unauthorized(
            "That email address and password do not match. Check them and try again.".to_owned(),
        ));
    }
    let row = if opened.len() == 1 {
        opened[0]
    } else {
        let mut names = Vec::new();
        for place in &opened {
            names.push((state.storage.council_name(&place.council_id).await?.unwrap_or_default(), *place));
        }
        let chosen = request.council.as_deref().map(str::trim).unwrap_or_default();
        match names.iter().find(|(name, _)| !chosen.is_empty() && name.eq_ignore_ascii_case(chosen)) {
            Some(&(_, place)) => place,
            None => {
                let list = names.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ");
                return Err(ApiError::Invalid(vec![(
                    "council".to_owned(),
                    format!("You work for more than one council here ({list}). Type the name of the one to sign in to"),
                )]));
            }
        }
    };
    // The second factor, for someone who has it: without a code the answer asks for one
    // (the password was right); a wrong code counts as a wrong password.
    if state.storage.two_factor_of(&row.staff_id).await?.secret.is_some() {
        let code = request.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let Some(code) = code else {
            return Err(ApiError::Invalid(vec![(
                "code".to_owned(),
                "Enter the 6-digit code your authenticator app shows for Tally, or one of your recovery codes"
                    .to_owned(),
            )]));
        };
        let right = code.chars().count() <= 32
            && two_factor::code_is_right(&state.storage, row, code, now).await? == Some(true);
        if !right {
            failed(Some(&row.council_id), "wrong or used two-factor code").record(&state).await?;
            return Err(ApiError::Invalid(vec![(
                "code".to_owned(),
                "That code is not right, or was used already. Type the code your app shows now, or a recovery code"
                    .to_owned(),
            )]));
        }
    }
    state.storage.record_sign_in_attempt(&email, &address, true, None, now).await?;
    let (token, csrf) = crate::staff::new_session_tokens();
    let expires = now + crate::staff::SESSION_HOURS * 3_600_000;
    let event = AuditEvent { address: Some(&address), ..staff_event(row, None, "signed in", "") };
    let user_agent: String =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().chars().take(200).collect();
    let session = NewSession {
        token_hash: &secret_hash(&token),
        staff_id: &row.staff_id,
        csrf_token: &csrf,
        expires_at_ms: expires,
        address: &address,
        user_agent: &user_agent,
    };
    state.storage.create_staff_session(&session, &event, now).await?;
    let https = state.config.https();
    let profile = profile(&state, row, csrf).await?;
    Ok(([(header::SET_COOKIE, crate::staff::session_set_cookie(&token, https))], Json(profile)).into_response())
}

/// A sign-in that failed: it slows the next tries down, and is audited with the address.
struct SignInFailure<'a> {
    email: &'a str,
    address: &'a str,
    council_id: Option<String>,
    why: String,
    now: i64,
}

impl SignInFailure<'_> {
    async fn record(self, state: &AppState) -> anyhow::Result<()> {
        let detail = format!("{}: {}", self.email, self.why);
        let failure = AuditEvent {
            council_id: self.council_id.as_deref(),
            // Not "by" the member of staff: someone tried their email.
            staff_id: None,
            account_id: None,
            actor: Actor::Server,
            address: Some(self.address),
            action: "sign-in failed",
            detail: &detail,
        };
        state.storage.record_sign_in_attempt(self.email, self.address, false, Some(&failure), self.now).await
    }
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
    let https = state.config.https();
    if let Some(token) = crate::staff::session_cookie(&headers, https) {
        let event = staff_event(&staff.row, None, "signed out", "");
        state.storage.delete_staff_session(&secret_hash(&token), &event, state.clock.now_ms()).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, crate::staff::session_clear_cookie(https))]).into_response())
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

#[utoipa::path(
    get,
    path = "/council/sessions",
    tag = "workspace",
    summary = "Where you are signed in: your live sessions, newest first",
    responses(
        (status = 200, description = "Your sessions", body = tally_api::SessionList),
        SignedIn
    ),
    security(("staff" = [])),
)]
async fn sessions(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> Result<Json<tally_api::SessionList>, ApiError> {
    let this = crate::staff::session_cookie(&headers, state.config.https()).map(|t| secret_hash(&t));
    let sessions = state.storage.sessions_of(&staff.row.staff_id, state.clock.now_ms()).await?;
    Ok(Json(tally_api::SessionList {
        sessions: sessions
            .into_iter()
            .map(|s| tally_api::SessionView {
                this_one: this.as_deref() == Some(s.token_hash.as_str()),
                id: s.token_hash,
                started_at_ms: s.created_at_ms,
                expires_at_ms: s.expires_at_ms,
                address: s.address,
                browser: s.user_agent.filter(|b| !b.is_empty()),
            })
            .collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/council/sessions/{id}/end",
    tag = "workspace",
    summary = "End one of your own sessions (signing that browser out)",
    params(Csrf, ("id" = String, Path, description = "The session's id, as the list gives it")),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "You have no such session", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn end_session(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    let event = staff_event(&staff.row, None, "session ended", "one of their own, from the workspace");
    if !state.storage.end_own_session(&staff.row.staff_id, &id, &event, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("You have no such session: it may have ended already.".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn profile(state: &AppState, row: &StaffRow, csrf_token: String) -> Result<StaffProfile, ApiError> {
    let role = row.role;
    let council_name = state.storage.council_name(&row.council_id).await?.unwrap_or_default();
    let (two_factor_on, two_factor_needed) = two_factor::status(&state.storage, row).await?;
    Ok(StaffProfile {
        name: row.display_name.clone(),
        email: row.email.clone(),
        role,
        role_label: role.label().to_owned(),
        council_name,
        csrf_token,
        two_factor_on,
        two_factor_needed,
    })
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(sign_in, sign_out, me, sessions, end_session))]
pub(crate) struct Doc;
