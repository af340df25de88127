//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238: 6 digits, 30 seconds,
//! one step either side for a phone's clock), with recovery codes for a lost phone.
//!
//! Administrators must use it; a council can require it of everyone. Until someone it is
//! required of has set it up, their session can only set it up (see [`crate::staff`]).
//! The secret is sealed under the server key in the database; a code is accepted once.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::post;
use axum::Json;
use rand::Rng;
use tally_api::{ErrorBody, RecoveryCodes, TwoFactorConfirm, TwoFactorRuleChange, TwoFactorSetup};
use totp_rs::{Builder, Secret, Totp};

use crate::api::described::{Administering, Changing, Csrf};
use crate::api::Routes;
use crate::auth::secret_hash;
use crate::error::{ApiError, ApiJson};
use crate::staff::{Administrator, Staff};
use crate::storage::{StaffRow, Storage, TwoFactorRule};
use crate::AppState;

use super::*;

/// What the sealed secrets are sealed for.
const SEAL_PURPOSE: &str = "totp";
/// How many recovery codes someone gets.
pub const RECOVERY_CODES: usize = 10;
/// The app shows this as the account's issuer.
const ISSUER: &str = "Tally";

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>()
        .add("/council/two-factor/setup", &[Method::POST], post(setup))
        .add("/council/two-factor/confirm", &[Method::POST], post(confirm))
        .add("/council/two-factor/rule", &[Method::POST], post(change_rule))
        .add("/council/staff/{staff_id}/two-factor/reset", &[Method::POST], post(reset))
}

fn totp_for(secret: Vec<u8>, email: &str) -> Result<Totp, ApiError> {
    Builder::new()
        .with_secret(Secret::from(secret))
        .with_account_name(email.replace(':', ""))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("could not make an authenticator secret: {e:?}")))
}

/// The step a code from the app is for, if it is right now (one step either side).
fn step_of(totp: &Totp, code: &str, now_ms: i64) -> Option<i64> {
    if code.len() > 32 {
        return None;
    }
    let digits: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp.check(&digits, u64::try_from(now_ms / 1000).ok()?).and_then(|step| i64::try_from(step).ok())
}

/// A recovery code as typed, as the database keeps it (without spaces, dashes or case).
fn recovery_hash(code: &str) -> String {
    let plain: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
    secret_hash(&format!("tally recovery code {plain}"))
}

fn new_recovery_code() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let mut code: String = (0..10).map(|_| LETTERS[rng.gen_range(0..LETTERS.len())] as char).collect();
    code.insert(5, '-');
    code
}

/// The QR code of `text` as an SVG image: dark modules as one path, with a quiet zone.
fn qr_svg(text: &str) -> Result<String, ApiError> {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("could not make a QR code: {e:?}")))?;
    let border = 4;
    let size = qr.size() + border * 2;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"240\" height=\"240\" role=\"img\" aria-label=\"QR code of the secret, for an authenticator app\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// Whether `code` is a right code for this member of staff now, used up once it is: a
/// code from their app (each 30-second step once) or one of their recovery codes. `None`
/// when they have no two-factor sign-in.
pub(crate) async fn code_is_right(
    storage: &Storage,
    staff: &StaffRow,
    code: &str,
    now_ms: i64,
) -> Result<Option<bool>, ApiError> {
    let kept = storage.two_factor_of(&staff.staff_id).await?;
    let Some(sealed) = kept.secret else {
        return Ok(None);
    };
    let secret = storage.key().open(SEAL_PURPOSE, &sealed).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "a two-factor secret is unreadable: is this the server key it was sealed with?"
        ))
    })?;
    let totp = totp_for(secret, &staff.email)?;
    if let Some(step) = step_of(&totp, code, now_ms) {
        return Ok(Some(storage.use_two_factor_step(&staff.staff_id, step).await?));
    }
    let typed = code.trim();
    if typed.len() <= 20 && typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 10 {
        return Ok(Some(storage.use_recovery_code(&staff.staff_id, &recovery_hash(typed), now_ms).await?));
    }
    Ok(Some(false))
}

/// Whether a member of staff has two-factor sign-in on, and whether their council
/// requires it of them while it is not.
pub(crate) async fn status(storage: &Storage, staff: &StaffRow) -> Result<(bool, bool), ApiError> {
    let on = storage.two_factor_of(&staff.staff_id).await?.secret.is_some();
    let required = match storage.two_factor_rule(&staff.council_id).await? {
        TwoFactorRule::Everyone => true,
        TwoFactorRule::Administrators => staff.role.may_administer(),
        TwoFactorRule::Nobody => false,
    };
    Ok((on, required && !on))
}

/// Who at a council has two-factor sign-in on.
pub(crate) async fn who_has_it(
    storage: &Storage,
    council_id: &str,
) -> Result<std::collections::HashSet<String>, ApiError> {
    Ok(storage.staff_with_two_factor(council_id).await?.into_iter().collect())
}

#[utoipa::path(
    post,
    path = "/council/two-factor/setup",
    tag = "workspace",
    summary = "A new authenticator secret to add to an app (two-factor sign-in is on once a code from it is confirmed)",
    params(Csrf),
    responses(
        (status = 200, description = "The secret, its otpauth address and QR code", body = TwoFactorSetup),
        Changing
    ),
    security(("staff" = [])),
)]
async fn setup(State(state): State<AppState>, staff: Staff) -> Result<Json<TwoFactorSetup>, ApiError> {
    let secret: [u8; crate::auth::SEALED_BYTES] = rand::thread_rng().gen();
    let totp = totp_for(secret.to_vec(), &staff.row.email)?;
    let sealed = state.storage.key().seal(SEAL_PURPOSE, &secret);
    state.storage.set_pending_two_factor(&staff.row.staff_id, &sealed).await?;
    let url = totp.to_url().map_err(|e| ApiError::Internal(anyhow::anyhow!("otpauth address: {e:?}")))?;
    let letters = totp.secret().to_base32();
    let grouped = letters.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>();
    Ok(Json(TwoFactorSetup { secret: grouped.join(" "), qr_svg: qr_svg(&url)?, otpauth_url: url }))
}

#[utoipa::path(
    post,
    path = "/council/two-factor/confirm",
    tag = "workspace",
    summary = "Turn two-factor sign-in on with a code from the app; answers recovery codes, shown once",
    params(Csrf),
    request_body = TwoFactorConfirm,
    responses(
        (status = 200, description = "On: the recovery codes", body = RecoveryCodes),
        (status = 400, description = "code: not right, or no setup started", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(request): ApiJson<TwoFactorConfirm>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let wrong = |message: &str| ApiError::Invalid(vec![("code".to_owned(), message.to_owned())]);
    let kept = state.storage.two_factor_of(&staff.row.staff_id).await?;
    let pending = kept.pending.ok_or_else(|| wrong("Start again: show a new QR code and scan it"))?;
    let secret = state
        .storage
        .key()
        .open(SEAL_PURPOSE, &pending)
        .ok_or_else(|| wrong("Start again: show a new QR code and scan it"))?;
    let totp = totp_for(secret, &staff.row.email)?;
    let now = state.clock.now_ms();
    let step = step_of(&totp, &request.code, now).ok_or_else(|| {
        wrong(
            "That code is not right. Type the 6 digits the app shows now for Tally (check the phone's clock is right)",
        )
    })?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    let event = staff_event(&staff.row, None, "two-factor sign-in set up", "");
    if !state.storage.confirm_two_factor(&staff.row.staff_id, &pending, step, &hashes, &event, now).await? {
        return Err(wrong("Start again: show a new QR code and scan it"));
    }
    Ok(Json(RecoveryCodes { codes }))
}

#[utoipa::path(
    post,
    path = "/council/staff/{staff_id}/two-factor/reset",
    tag = "workspace",
    summary = "Turn a member of staff's two-factor sign-in off (a lost phone); their sessions end and they set it up again (administrators)",
    params(Csrf, ("staff_id" = String, Path, description = "The member of staff's id")),
    responses(
        (status = 204, description = "Off"),
        (status = 400, description = "Your own", body = ErrorBody),
        (status = 404, description = "No such member of staff", body = ErrorBody),
        Administering
    ),
    security(("staff" = [])),
)]
async fn reset(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    Path(staff_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if staff_id == admin.row.staff_id {
        return Err(ApiError::BadRequest(
            "You cannot turn off your own two-factor sign-in: ask another administrator.".to_owned(),
        ));
    }
    let event = staff_event(&admin.row, None, "two-factor sign-in reset", &staff_id);
    if !state.storage.reset_two_factor(&admin.row.council_id, &staff_id, &event, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("There is no member of staff with that id.".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/council/two-factor/rule",
    tag = "workspace",
    summary = "Whether everyone at the council must use two-factor sign-in, not only administrators (administrators)",
    params(Csrf),
    request_body = TwoFactorRuleChange,
    responses(
        (status = 204, description = "Changed"),
        Administering
    ),
    security(("staff" = [])),
)]
async fn change_rule(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    ApiJson(request): ApiJson<TwoFactorRuleChange>,
) -> Result<StatusCode, ApiError> {
    let council = &admin.row.council_id;
    if state.storage.two_factor_rule(council).await? == TwoFactorRule::Nobody {
        return Err(ApiError::BadRequest(
            "The demo council does not use two-factor sign-in: its passwords are published.".to_owned(),
        ));
    }
    let (rule, detail) = match request.everyone {
        true => (TwoFactorRule::Everyone, "everyone"),
        false => (TwoFactorRule::Administrators, "administrators"),
    };
    let event = staff_event(&admin.row, None, "two-factor sign-in required of", detail);
    state.storage.set_two_factor_rule(council, rule, Some(&event), state.clock.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(setup, confirm, reset, change_rule))]
pub(crate) struct Doc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_at_their_step_and_recovery_codes_read_forgivingly() {
        let totp = totp_for(vec![7u8; 20], "a@b.invalid").unwrap();
        let now_ms = 1_800_000_000_000i64;
        let code = totp.generate((now_ms / 1000) as u64).to_string();
        assert_eq!(step_of(&totp, &code, now_ms), Some(now_ms / 1000 / 30));
        assert_eq!(step_of(&totp, &format!(" {} {} ", &code[..3], &code[3..]), now_ms), Some(now_ms / 1000 / 30));
        // A phone 30 seconds out is accepted; two minutes out is not.
        assert!(step_of(&totp, &code, now_ms + 30_000).is_some());
        assert!(step_of(&totp, &code, now_ms + 120_000).is_none());
        assert!(step_of(&totp, "12345", now_ms).is_none());
        assert!(step_of(&totp, "abcdef", now_ms).is_none());
        let recovery = new_recovery_code();
        assert_eq!(recovery.len(), 11);
        assert_eq!(recovery_hash(&recovery), recovery_hash(&recovery.to_uppercase().replace('-', " ")));
        let svg = qr_svg(&totp.to_url().unwrap()).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"));
    }
}
