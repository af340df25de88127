//! Receipt photos: `POST /api/v1/accounts/{account_id}/receipts/missing`, and `PUT` and
//! `GET /api/v1/accounts/{account_id}/receipts/{sha256}`.
//!
//! A photo is named by the SHA-256 of its bytes, so it is sent once: a device asks which
//! of its photos the council lacks and sends only those, one request each, so an upload
//! cut off half way goes on with the photos still missing. The council checks every
//! photo before keeping it: the bytes must hash to the name, be at most
//! [`MAX_RECEIPT_BYTES`], and be a JPEG, PNG or WebP image by their first bytes as well
//! as by the type the device declares.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use sha2::{Digest, Sha256};
use tally_api::{
    ErrorBody, PushStatus, ReceiptStored, ReceiptsMissing, ReceiptsQuery, MAX_RECEIPT_BYTES, MAX_RECEIPT_QUERY,
    RECEIPT_TYPES,
};
use tally_ledger::ReceiptRef;

use crate::api::described::{AccountIdParam, DeviceRefusals};
use crate::api::DeviceAccount;
use crate::api::Routes;
use crate::error::{ApiError, ApiJson};
use crate::storage::NewReceipt;
use crate::AppState;

pub(super) fn routes() -> Routes {
    Routes::described_by::<Doc>().add("/accounts/{account_id}/receipts/missing", &[Method::POST], post(missing)).add(
        "/accounts/{account_id}/receipts/{sha256}",
        &[Method::GET, Method::PUT],
        get(download).put(upload).layer(DefaultBodyLimit::max(MAX_RECEIPT_BYTES)),
    )
}

#[utoipa::path(
    post,
    path = "/accounts/{account_id}/receipts/missing",
    tag = "sync",
    summary = "Which of these receipt photos the council does not hold",
    params(AccountIdParam),
    request_body = ReceiptsQuery,
    responses(
        (status = 200, description = "The missing ones", body = ReceiptsMissing),
        (status = 400, description = "A malformed name", body = ErrorBody),
        (status = 413, description = "More than 500 names", body = ErrorBody),
        DeviceRefusals
    ),
    security(("device" = [])),
)]
async fn missing(
    State(state): State<AppState>,
    DeviceAccount { account_id, .. }: DeviceAccount,
    ApiJson(query): ApiJson<ReceiptsQuery>,
) -> Result<Json<ReceiptsMissing>, ApiError> {
    if query.receipts.len() > MAX_RECEIPT_QUERY {
        return Err(ApiError::PayloadTooLarge(format!(
            "Ask about at most {MAX_RECEIPT_QUERY} receipt photos at a time; this request had {}.",
            query.receipts.len()
        )));
    }
    let names: Vec<String> = query.receipts.iter().map(|r| checked_name(&r.0)).collect::<Result<_, _>>()?;
    let held = state.storage.receipts_held(account_id, &names).await?;
    let missing = names.into_iter().filter(|n| !held.contains(n)).map(ReceiptRef).collect();
    Ok(Json(ReceiptsMissing { missing }))
}

#[utoipa::path(
    put,
    path = "/accounts/{account_id}/receipts/{sha256}",
    tag = "sync",
    summary = "Send a receipt photo (JPEG, PNG or WebP, at most 1 MiB, bytes hashing to the name)",
    params(AccountIdParam, ("sha256" = String, Path, description = "The photo's name: the SHA-256 of its bytes, 64 lower-case hex digits")),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The photo's bytes, sent with its type: image/jpeg, image/png or image/webp"),
    responses(
        (status = 200, description = "Already held", body = ReceiptStored),
        (status = 201, description = "Stored", body = ReceiptStored),
        (status = 400, description = "Does not hash to the name, or empty", body = ErrorBody),
        (status = 413, description = "Too large", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP image", body = ErrorBody),
        DeviceRefusals
    ),
    security(("device" = [])),
)]
async fn upload(
    State(state): State<AppState>,
    DeviceAccount { device, account_id }: DeviceAccount,
    Path((_, sha256)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ReceiptStored>), ApiError> {
    let sha256 = checked_name(&sha256)?;
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let content_type = RECEIPT_TYPES.into_iter().find(|t| declared.eq_ignore_ascii_case(t)).ok_or_else(|| {
        ApiError::UnsupportedMediaType("Receipt photos must be sent as image/jpeg, image/png or image/webp.".to_owned())
    })?;
    let bytes = body.map_err(|rejection| match rejection.status() {
        _ if crate::error::body_timed_out(&rejection) => ApiError::TimedOut,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(format!(
            "This receipt photo is too large. Photos may be at most {} KB.",
            MAX_RECEIPT_BYTES / 1024
        )),
        _ => ApiError::BadRequest("The photo could not be read. Try sending it again.".to_owned()),
    })?;
    check_photo(&bytes, &sha256, content_type)?;
    let quota = state.guard.limits.photo_bytes_per_day;
    let received = state.storage.photo_bytes_since(account_id, state.clock.now_ms() - super::entries::DAY_MS).await?;
    if received + bytes.len() as i64 > quota
        && !state.storage.receipts_held(account_id, std::slice::from_ref(&sha256)).await?.contains(&sha256)
    {
        tracing::warn!(%account_id, device_id = %device.device_id, received, quota, "photo quota reached");
        return Err(ApiError::SlowDown {
            message: format!(
                "This account has sent the council {} MB of receipt photos in the last 24 hours, the most it takes in a day. \
                 The photos are kept on this device and will be sent tomorrow.",
                quota / 1_000_000
            ),
            retry_after_secs: 3600,
        });
    }
    let new =
        NewReceipt { account_id, sha256: &sha256, content_type, bytes: &bytes, device_id: Some(device.device_id) };
    let fresh = state.storage.store_receipt(&new, state.clock.now_ms()).await?;
    let (status, outcome) =
        if fresh { (StatusCode::CREATED, PushStatus::Stored) } else { (StatusCode::OK, PushStatus::AlreadyStored) };
    tracing::info!(%account_id, device_id = %device.device_id, receipt = %sha256, size = bytes.len(), fresh, "receipt");
    Ok((status, Json(ReceiptStored { receipt: ReceiptRef(sha256), status: outcome, size_bytes: bytes.len() as u64 })))
}

#[utoipa::path(
    get,
    path = "/accounts/{account_id}/receipts/{sha256}",
    tag = "sync",
    summary = "A receipt photo's bytes",
    params(AccountIdParam, ("sha256" = String, Path, description = "The photo's name: the SHA-256 of its bytes, 64 lower-case hex digits")),
    responses(
        (status = 200, description = "The photo", content_type = "image/jpeg"),
        (status = 404, description = "Not held", body = ErrorBody),
        DeviceRefusals
    ),
    security(("device" = [])),
)]
async fn download(
    State(state): State<AppState>,
    DeviceAccount { account_id, .. }: DeviceAccount,
    Path((_, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let sha256 = checked_name(&sha256)?;
    let crate::storage::ReceiptRow { content_type, bytes } = state
        .storage
        .receipt(account_id, &sha256)
        .await?
        .ok_or_else(|| ApiError::NotFound("The council does not have this receipt photo yet.".to_owned()))?;
    let content_type = HeaderValue::from_str(&content_type).map_err(anyhow::Error::from)?;
    // The name is the content: it can be kept for ever, but only by this person's devices.
    let cache = HeaderValue::from_static("private, max-age=31536000, immutable");
    Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, cache)], bytes).into_response())
}

/// A receipt's name: the SHA-256 of its bytes as 64 lower-case hex digits.
pub(crate) fn checked_name(name: &str) -> Result<String, ApiError> {
    if name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(name.to_owned())
    } else {
        Err(ApiError::BadRequest(
            "A receipt photo is named by the SHA-256 of its bytes: 64 characters, 0-9 and a-f.".to_owned(),
        ))
    }
}

/// Checks the bytes are the photo named, of the type declared.
fn check_photo(bytes: &[u8], sha256: &str, content_type: &str) -> Result<(), ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("The photo was empty. Try sending it again.".to_owned()));
    }
    let actual = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    if actual != sha256 {
        return Err(ApiError::BadRequest(
            "The photo that arrived is not the one named: it may have been cut off on the way. Try sending it again."
                .to_owned(),
        ));
    }
    if sniff(bytes) != Some(content_type) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "This file is not a {} image, as it says it is. Receipts must be JPEG, PNG or WebP photos.",
            content_type.trim_start_matches("image/").to_uppercase()
        )));
    }
    Ok(())
}

/// The image type by its first bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_are_sha256_in_lower_case_hex() {
        assert!(checked_name(&"0f".repeat(32)).is_ok());
        assert!(checked_name(&"0F".repeat(32)).is_err());
        assert!(checked_name(&"0f".repeat(31)).is_err());
        assert!(checked_name("../../etc/passwd").is_err());
    }
}

/// What this module serves, for the API's description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(missing, upload, download))]
pub(crate) struct Doc;
