//! Device tokens and pairing codes: how a phone proves which account it may touch.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use hmac::{Hmac, Mac};
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

/// How many bytes [`ServerKey::seal`] seals: an authenticator secret (160 bits, as RFC 4226
/// recommends).
pub const SEALED_BYTES: usize = 20;

/// A fresh device token: 256 random bits as hex.
pub fn new_token() -> String {
    let bytes: [u8; TOKEN_BYTES] = rand::thread_rng().gen();
    hex(&bytes)
}

/// The server's own secret, kept outside the database (a file beside it, see
/// [`ServerKey::load_or_create`]): pairing codes are stored as an HMAC under it, so a copy
/// of the database (a backup, a leaked dump) cannot be searched for the codes it holds,
/// which are short enough to try every one of.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

impl ServerKey {
    /// A key for this process only (tests and benchmarks): codes stored under it can be
    /// redeemed only by servers in the same process.
    pub fn ephemeral() -> ServerKey {
        static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
        ServerKey(*KEY.get_or_init(|| rand::thread_rng().gen()))
    }

    /// The key in `path` (64 hex digits), made and written there (readable by this user
    /// only) if the file does not exist yet. Every server on one database must use the
    /// same file.
    pub fn load_or_create(path: &std::path::Path) -> anyhow::Result<ServerKey> {
        use anyhow::Context;
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(text.trim())
                .with_context(|| format!("{} does not hold a server key (64 hex digits)", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::thread_rng().gen();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).with_context(|| format!("could not create {}", path.display()))?;
                std::io::Write::write_all(&mut file, format!("{}\n", hex(&key)).as_bytes())?;
                file.sync_all()?;
                Ok(ServerKey(key))
            }
            Err(e) => Err(e).with_context(|| format!("could not read the server key {}", path.display())),
        }
    }

    fn from_hex(text: &str) -> Option<ServerKey> {
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(ServerKey(key))
    }

    /// `plain` sealed under the key, for keeping in the database (an authenticator app's
    /// secret): a random nonce, and `plain` XORed with HMAC(key, purpose, nonce), as hex.
    pub fn seal(&self, purpose: &str, plain: &[u8; SEALED_BYTES]) -> String {
        let nonce: [u8; 16] = rand::thread_rng().gen();
        let pad = self.pad(purpose, &nonce);
        let sealed: Vec<u8> = plain.iter().zip(pad.iter()).map(|(a, b)| a ^ b).collect();
        format!("{}:{}", hex(&nonce), hex(&sealed))
    }

    /// What [`ServerKey::seal`] sealed, or `None` when it is not a sealed value.
    pub fn open(&self, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        let (nonce, body) = sealed.split_once(':')?;
        let nonce = unhex(nonce)?;
        let body = unhex(body)?;
        if body.len() != SEALED_BYTES {
            return None;
        }
        let pad = self.pad(purpose, &nonce);
        Some(body.iter().zip(pad.iter()).map(|(a, b)| a ^ b).collect())
    }

    fn pad(&self, purpose: &str, nonce: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"tally sealed\0");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(nonce);
        mac.finalize().into_bytes().into()
    }

    /// What the database keeps for a pairing code (typed as [`normalise_code`] leaves it).
    pub fn code_hash(&self, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"tally pairing code\0");
        mac.update(code.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// What the database keeps instead of a device token (256 random bits: a plain hash is
/// enough) or a session token.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len() / 2).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()).collect()
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
        let hash = secret_hash(token);
        match state.storage.device_by_token(&hash).await? {
            Some(device) => {
                state.guard.device_request(device.device_id)?;
                Ok(Device(device))
            }
            None => match state.storage.ended_notice_for_token(&hash).await? {
                // The person is told plainly what happened, on the phone they use.
                Some(ended) => Err(ApiError::Unauthorized(ended_words(&ended))),
                None => Err(ApiError::Unauthorized(
                    "This device is no longer paired with the council. Ask your council for a new pairing code."
                        .to_owned(),
                )),
            },
        }
    }
}

/// What a phone is told when its direct payment has ended.
pub fn ended_words(ended: &crate::storage::EndedNotice) -> String {
    let on = tally_ledger::date::parse_iso_date(&ended.ended_on)
        .map_or_else(|| ended.ended_on.clone(), tally_ledger::date::long_date);
    format!(
        "{}{} ended on {on}. {} {} What you recorded on this phone stays here for you to look at, but nothing new can be sent. If you have a question, contact the council.",
        tally_api::DIRECT_PAYMENT_ENDED,
        ended.council_name,
        ended.reason.trim_end_matches('.').to_owned() + ".",
        "Any money left in the account is returned to the council."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_under_the_same_key_and_purpose() {
        let key = ServerKey::from_hex(&"ab".repeat(32)).unwrap();
        let other = ServerKey::from_hex(&"cd".repeat(32)).unwrap();
        let secret = b"twenty bytes secret!";
        let sealed = key.seal("totp", secret);
        assert!(!sealed.contains(&hex(secret)));
        assert_ne!(sealed, key.seal("totp", secret), "a fresh nonce each time");
        assert_eq!(key.open("totp", &sealed).unwrap(), secret);
        assert_ne!(other.open("totp", &sealed).unwrap(), secret);
        assert_ne!(key.open("other", &sealed).unwrap(), secret);
        assert_eq!(key.open("totp", "not sealed"), None);
        assert_eq!(key.open("totp", &sealed[..sealed.len() - 2]), None, "a cut-short value is not opened");
    }

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
    fn codes_are_kept_under_the_servers_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/server.key");
        let key = ServerKey::load_or_create(&path).unwrap();
        let again = ServerKey::load_or_create(&path).unwrap();
        assert_eq!(key.code_hash("ABCD2345"), again.code_hash("ABCD2345"), "the key is read back");
        assert_ne!(key.code_hash("ABCD2345"), ServerKey::ephemeral().code_hash("ABCD2345"));
        assert_ne!(key.code_hash("ABCD2345"), secret_hash("ABCD2345"), "not a plain hash");
        assert_ne!(key.code_hash("ABCD2345"), key.code_hash("ABCD2346"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(ServerKey::load_or_create(&path).is_err());
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
