//! The optional PIN lock for shared phones: after some minutes with no touch or key press,
//! and whenever the app opens, a lock screen hides everything until the PIN is typed.
//!
//! It is a privacy screen between people sharing a phone, not encryption: the records stay
//! readable to anyone with the phone's developer tools. The PIN is kept only as a salted
//! SHA-256.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const LOCK_KEY: &str = "tally.v2.lock";
/// PINs are 4 to 8 digits: easy to type on a phone keypad.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;
/// The idle times a person can choose, in minutes.
pub const IDLE_CHOICES: [u32; 3] = [2, 5, 10];

/// The lock's settings as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockSettings {
    salt: String,
    hash: String,
    pub idle_minutes: u32,
}

impl LockSettings {
    pub fn new(pin: &str, idle_minutes: u32, salt: String) -> LockSettings {
        LockSettings { hash: hash(&salt, pin), salt, idle_minutes }
    }

    pub fn matches(&self, pin: &str) -> bool {
        hash(&self.salt, pin.trim()) == self.hash
    }
}

fn hash(salt: &str, pin: &str) -> String {
    Sha256::digest(format!("{salt}:{pin}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a PIN cannot be used, in plain English.
pub fn check_new_pin(pin: &str, again: &str) -> Result<(), String> {
    let pin = pin.trim();
    if !pin.chars().all(|c| c.is_ascii_digit()) || !PIN_DIGITS.contains(&pin.len()) {
        return Err(format!("Enter a PIN of {} to {} numbers.", PIN_DIGITS.start(), PIN_DIGITS.end()));
    }
    if pin != again.trim() {
        return Err("The two PINs are different. Type the same PIN twice.".to_owned());
    }
    Ok(())
}

pub fn load() -> Option<LockSettings> {
    LocalStorage::get(LOCK_KEY).ok()
}

pub fn save(settings: &LockSettings) -> bool {
    LocalStorage::set(LOCK_KEY, settings).is_ok()
}

pub fn clear() {
    LocalStorage::delete(LOCK_KEY);
}
