//! Council staff: signing in with a password (argon2), the session cookie, CSRF tokens and
//! roles.
//!
//! A session is a random token in an `HttpOnly`, `SameSite=Strict` cookie; the database
//! keeps only its SHA-256. Every request that changes something must also carry the
//! session's CSRF token in the `X-CSRF-Token` header (the workspace reads it from the
//! sign-in answer), so another site can never make a signed-in officer's browser act.
//! Sign-in slows down after wrong passwords (see [`crate::guard`]), and a wrong email
//! costs the same time as a wrong password.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method};

use crate::auth::{new_token, secret_hash};
use crate::error::ApiError;
use crate::storage::StaffRow;
use crate::AppState;

/// The session cookie's name on plain HTTP (development, tests).
pub const COOKIE: &str = "tally_staff";
/// Its name when the server is reached over HTTPS: browsers accept a `__Secure-` cookie
/// only from a secure page, so a page on plain HTTP cannot plant or overwrite it. (Not
/// `__Host-`, which must have `Path=/`: the cookie is kept to the staff API's path, so the
/// wallet's pages and the devices' requests never carry it.)
pub const SECURE_COOKIE: &str = "__Secure-tally_staff";
/// The only path the browser sends the session cookie to: the staff API.
pub const COOKIE_PATH: &str = "/api/v1/council";
/// The header every change must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts: a working day.
pub const SESSION_HOURS: i64 = 10;

use tally_api::ApiScope;
/// What a member of staff may do: decided by [`Role::may_change`] and
/// [`Role::may_administer`], asked through the [`Changer`] and [`Administrator`]
/// extractors so a handler cannot forget.
pub use tally_api::Role;

#[derive(Clone, Debug)]
pub struct Staff {
    pub row: StaffRow,
    pub role: Role,
    pub csrf_token: String,
    /// The API client's id, when a finance system called (not a person signed in).
    pub api_client: Option<String>,
}

/// What a session may still do before its member of staff has set up the two-factor
/// sign-in their council requires.
const TWO_FACTOR_SETUP_PATHS: [&str; 4] =
    ["/council/me", "/council/sign-out", "/council/two-factor/setup", "/council/two-factor/confirm"];

/// A signed-in member of staff whose role may change the council's records (a finance
/// officer or an administrator). A handler that changes anything takes this, not
/// [`Staff`]: a read-only role is refused before the handler runs.
pub struct Changer(pub Staff);

/// A signed-in administrator: staff access and the council's policy.
pub struct Administrator(pub Staff);

impl FromRequestParts<AppState> for Changer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if !staff.role.may_change() {
            return Err(ApiError::Forbidden(format!(
                "Your role ({}) cannot change the council's records: it can read them. Ask a finance officer or an administrator.",
                staff.role.label()
            )));
        }
        Ok(Changer(staff))
    }
}

impl FromRequestParts<AppState> for Administrator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if !staff.role.may_administer() {
            return Err(ApiError::Forbidden(format!(
                "Your role ({}) cannot change the council's policy or staff access. Ask an administrator.",
                staff.role.label()
            )));
        }
        Ok(Administrator(staff))
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if let Some(credentials) = authorization.strip_prefix("Basic ") {
            let credentials = credentials.trim().to_owned();
            return api_client(parts, state, &credentials).await;
        }
        let signed_out =
            || ApiError::Unauthorized("You are not signed in, or your session has ended. Sign in again.".to_owned());
        let token = session_cookie(&parts.headers, state.config.https()).ok_or_else(signed_out)?;
        let crate::storage::SessionRow { staff: row, csrf_token, two_factor_needed } =
            state.storage.staff_by_session(&secret_hash(&token), state.clock.now_ms()).await?.ok_or_else(signed_out)?;
        let role = row.role;
        let reading = matches!(parts.method, Method::GET | Method::HEAD);
        if !reading {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !same_secret(sent, &csrf_token) {
                return Err(ApiError::Forbidden(
                    "This change did not come from the council workspace. Reload the page and try again.".to_owned(),
                ));
            }
        }
        // Until they set up two-factor sign-in (when their council requires it), a session
        // can only do that, say who it is, and sign out.
        let path = parts.uri.path();
        if two_factor_needed && !TWO_FACTOR_SETUP_PATHS.iter().any(|allowed| path.ends_with(allowed)) {
            return Err(ApiError::Forbidden(
                "Your council requires two-factor sign-in: set it up first, under Your account.".to_owned(),
            ));
        }
        Ok(Staff { row, role, csrf_token, api_client: None })
    }
}

/// What an API client needs for a call: `None` for what no client may do (administering,
/// a person's receipt photos or whole file, staff sessions). Reads answer JSON; exports are
/// the CSV downloads; the one change is recording money in.
pub fn scope_needed(method: &Method, path: &str) -> Option<ApiScope> {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let never =
        ["/council/audit-log", "/council/sessions", "/council/staff", "/council/api-clients", "/council/policy"];
    if matches!(*method, Method::GET | Method::HEAD) {
        if never.iter().any(|p| path.starts_with(p)) || path.contains("/receipts/") || path.ends_with(".zip") {
            None
        } else if path.ends_with(".csv") {
            Some(ApiScope::Exports)
        } else {
            Some(ApiScope::Read)
        }
    } else if *method == Method::POST && path.starts_with("/council/accounts/") && path.ends_with("/money-in") {
        Some(ApiScope::MoneyIn)
    } else {
        None
    }
}

/// A call from an API client: HTTP Basic with its id and secret. Every call that gets
/// past the secret is audited (the refused ones too), and limited to the devices' rate.
async fn api_client(parts: &mut Parts, state: &AppState, credentials: &str) -> Result<Staff, ApiError> {
    use base64::Engine as _;
    let refused = || {
        ApiError::Unauthorized(
            "The API client id or secret is not right, or the client was revoked. An administrator can make a new one."
                .to_owned(),
        )
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credentials.as_bytes())
        .ok()
        .filter(|d| d.len() <= 400)
        .and_then(|d| String::from_utf8(d).ok())
        .ok_or_else(refused)?;
    let (client_id, secret) = decoded.split_once(':').ok_or_else(refused)?;
    let caller = state.storage.api_caller(client_id).await?.ok_or_else(refused)?;
    if !same_secret(&secret_hash(secret), &caller.secret_hash) {
        return Err(refused());
    }
    state.guard.client_request(client_id)?;
    let crate::guard::ClientAddress(address) = crate::guard::ClientAddress::from_request_parts(parts, state)
        .await
        .unwrap_or(crate::guard::ClientAddress(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)));
    let address = address.to_string();
    // The address as the client sent it (routers nested under /api/v1 see it shortened).
    let uri = parts.extensions.get::<axum::extract::OriginalUri>().map_or(&parts.uri, |o| &o.0);
    let call: String = format!("{} {}", parts.method, uri.path_and_query().map(|p| p.as_str()).unwrap_or_default())
        .chars()
        .take(300)
        .collect();
    let needed = scope_needed(&parts.method, parts.uri.path());
    let allowed = needed.is_some_and(|scope| caller.scopes.contains(&scope));
    let (action, detail) = if allowed { ("API call", call) } else { ("API call refused", call) };
    let event = crate::storage::AuditEvent {
        council_id: Some(&caller.staff.council_id),
        staff_id: Some(&caller.staff.staff_id),
        account_id: None,
        actor: crate::storage::Actor::ApiClient,
        address: Some(&address),
        action,
        detail: &detail,
    };
    state.storage.api_call(client_id, &event, state.clock.now_ms()).await?;
    if !allowed {
        let has: Vec<&str> = caller.scopes.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::Forbidden(match needed {
            Some(scope) => format!(
                "This API client cannot do this: it needs the scope {}, and has {}. An administrator can make a client with it.",
                scope.as_str(),
                if has.is_empty() { "none".to_owned() } else { has.join(", ") }
            ),
            None => "API clients cannot do this: it is for council staff signed in to the workspace.".to_owned(),
        }));
    }
    let role = caller.staff.role;
    Ok(Staff { row: caller.staff, role, csrf_token: String::new(), api_client: Some(client_id.to_owned()) })
}

fn cookie_name(https: bool) -> &'static str {
    if https {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

/// The session token from the request's cookies.
pub fn session_cookie(headers: &axum::http::HeaderMap, https: bool) -> Option<String> {
    let name = cookie_name(https);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Set-Cookie` value that starts a session: `Secure` when the server's public
/// address is HTTPS (its configuration says so, never a request's header).
pub fn session_set_cookie(token: &str, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path={COOKIE_PATH}; Max-Age={}{secure}",
        cookie_name(https),
        SESSION_HOURS * 3600
    ))
    .expect("a token is plain ASCII")
}

/// The `Set-Cookie` value that ends a session.
pub fn session_clear_cookie(https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}=; HttpOnly; SameSite=Strict; Path={COOKIE_PATH}; Max-Age=0{secure}",
        cookie_name(https)
    ))
    .expect("ASCII")
}

/// Whether `email` (trimmed, lower-cased) can be a member of staff's work email address:
/// one `@`, no spaces, at most 254 characters (RFC 5321).
pub fn is_work_email(email: &str) -> bool {
    email.contains('@') && !email.contains(' ') && email.len() >= 3 && email.chars().count() <= 254
}

/// A password as the database keeps it (argon2id, random salt).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("could not hash a password: {e}"))
}

/// Whether a password matches a stored hash. With no stored hash (an unknown email) a
/// dummy one is checked, so the answer takes as long either way.
pub fn password_matches(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let hash = stored.unwrap_or(dummy);
    let matched = PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
    matched && stored.is_some()
}

/// A new session: (token for the cookie, CSRF token).
pub fn new_session_tokens() -> (String, String) {
    (new_token(), new_token())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hashed_and_checked() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse", Some(&hash)));
        assert!(!password_matches("wrong", Some(&hash)));
        assert!(!password_matches("correct horse", None));
        assert!(!password_matches("x", Some("not a hash")));
    }

    #[test]
    fn roles_read_and_write_the_same_names() {
        for role in [Role::FinanceOfficer, Role::Auditor, Role::Administrator] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }
}
