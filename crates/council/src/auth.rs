//! Device tokens and pairing codes: how a phone proves which account it may touch.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::storage::DeviceRow;
use crate::AppState;

/// Letters and digits a person can read back without confusing them (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a pairing code, shown as two groups of four ("ABCD-2345").
const CODE_LEN: usize = 8;
/// Random bytes in a device token (256 bits).
const TOKEN_BYTES: usize = 32;

/// A fresh pairing code, as it is shown to a person.
pub fn new_pairing_code() -> String {
    let mut rng = rand::thread_rng();
    let chars: String = (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// The form a typed code is compared in: capitals, no spaces or dashes.
pub fn normalise_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// A fresh device token: 256 random bits as hex.
pub fn new_token() -> String {
    let bytes: [u8; TOKEN_BYTES] = rand::thread_rng().gen();
    hex(&bytes)
}

/// What the database keeps instead of a code or token.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The paired device making this request, from `Authorization: Bearer <token>`.
pub struct Device(pub DeviceRow);

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized("This device is not paired. Pair it with a code from your council.".to_owned())
            })?;
        match state.storage.device_by_token(&secret_hash(token)).await? {
            Some(device) => Ok(Device(device)),
            None => Err(ApiError::Unauthorized(
                "This device is no longer paired with the council. Ask your council for a new pairing code.".to_owned(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_typing_is_forgiving() {
        let code = new_pairing_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(normalise_code(&code).bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(normalise_code(" abcd 2345 "), "ABCD2345");
        assert_eq!(normalise_code("ABCD-2345"), "ABCD2345");
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(secret_hash("x"), secret_hash("x"));
        assert_ne!(secret_hash(&a), a);
    }
}
