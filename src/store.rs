//! What the wallet keeps on the device.
//!
//! Two things per device: the pairing ([`Session`]) and, per account, the [`Records`]: every
//! entry the device knows, each marked with whether the council holds it yet, and the pull
//! cursor. One write saves all of an account's records at once, so a crash can never keep
//! an entry but lose the fact that it still has to be sent.
//!
//! Today this is the browser's localStorage (through gloo-storage). The trait lets the
//! wallet move to IndexedDB, and tests use an in-memory store.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};
use tally_api::AccountProfile;
use tally_ledger::{AccountId, DeviceId, Entry, EntryId, Ledger};

/// Storage keys, versioned so a future layout can migrate from this one.
/// Version 1 held one pairing; it is read once and moved to the list.
const OLD_SESSION_KEY: &str = "tally.v1.session";
/// Every account paired on this device (a carer may hold several).
const SESSIONS_KEY: &str = "tally.v2.sessions";
/// The account shown now.
const CURRENT_KEY: &str = "tally.v2.current";
const RECORDS_KEY_PREFIX: &str = "tally.v1.records.";

/// A device paired with a council account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub device_id: DeviceId,
    /// Secret: sent to the council only, never shown.
    pub token: String,
    pub account: AccountProfile,
    /// Who logs on this device for this account, when it is not the account's person (a
    /// carer): records show this name as their author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    /// Kept on this device only, with no council (someone paying for their own care, or
    /// trying Tally first). Never synced; connecting to a council later moves its records.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
}

impl Session {
    /// The name records made here carry.
    pub fn author_name(&self) -> &str {
        self.logged_by.as_deref().unwrap_or(&self.account.person_name)
    }
}

/// Where one record stands with the council.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// Made on this device and not yet acknowledged by the council.
    Waiting,
    /// The council holds it.
    Saved,
    /// The council refused it, for the reason given. Kept and shown; never dropped.
    Refused { reason: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    pub entry: Entry,
    pub delivery: Delivery,
}

/// Everything this device knows about one account.
///
/// Invariant: each entry id appears once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Records {
    pub records: Vec<LocalRecord>,
    /// The council's pull cursor: entries after it have not been fetched yet.
    pub cursor: i64,
}

impl Records {
    /// Moves records kept with no council to a council account: they were never sent, so
    /// they can take the account's and this device's ids before their first send. Entry
    /// ids stay, so corrections and explanations still point at what they belong to.
    pub fn move_to(&mut self, account: AccountId, device: DeviceId) {
        for record in &mut self.records {
            record.entry.account = account;
            record.entry.author.device = Some(device);
            record.delivery = Delivery::Waiting;
        }
        self.cursor = 0;
    }

    /// Adds an entry made on this device; it waits to be sent.
    pub fn add_local(&mut self, entry: Entry) {
        if !self.records.iter().any(|r| r.entry.id == entry.id) {
            self.records.push(LocalRecord { entry, delivery: Delivery::Waiting });
        }
    }

    /// Entries waiting to be sent to the council, oldest first.
    pub fn waiting(&self) -> Vec<Entry> {
        self.records.iter().filter(|r| r.delivery == Delivery::Waiting).map(|r| r.entry.clone()).collect()
    }

    pub fn waiting_count(&self) -> usize {
        self.records.iter().filter(|r| r.delivery == Delivery::Waiting).count()
    }

    pub fn set_delivery(&mut self, id: EntryId, delivery: Delivery) {
        if let Some(record) = self.records.iter_mut().find(|r| r.entry.id == id) {
            record.delivery = delivery;
        }
    }

    pub fn delivery(&self, id: EntryId) -> Option<&Delivery> {
        self.records.iter().find(|r| r.entry.id == id).map(|r| &r.delivery)
    }

    /// Takes in entries pulled from the council. An entry already known is now held by the
    /// council; an unknown one is added as saved.
    pub fn merge_pulled(&mut self, entries: Vec<Entry>, cursor: i64) {
        for entry in entries {
            match self.records.iter_mut().find(|r| r.entry.id == entry.id) {
                Some(record) => {
                    if record.delivery == Delivery::Waiting && record.entry == entry {
                        record.delivery = Delivery::Saved;
                    }
                }
                None => self.records.push(LocalRecord { entry, delivery: Delivery::Saved }),
            }
        }
        self.cursor = self.cursor.max(cursor);
    }

    /// The ledger over every record the council has not refused.
    pub fn ledger(&self) -> Ledger {
        let mut ledger = Ledger::new();
        for record in &self.records {
            if !matches!(record.delivery, Delivery::Refused { .. }) {
                // A record that fails the ledger's checks was refused before it was kept.
                let _ = ledger.insert(record.entry.clone());
            }
        }
        ledger
    }

    /// Every receipt photo any record names.
    pub fn receipts(&self) -> std::collections::BTreeSet<tally_ledger::ReceiptRef> {
        let mut all = std::collections::BTreeSet::new();
        for record in &self.records {
            let mut body = &record.entry.body;
            if let tally_ledger::EntryBody::Correction(c) = body {
                body = c.replacement.as_ref();
            }
            if let tally_ledger::EntryBody::Spend(s) = body {
                all.extend(s.receipts.iter().cloned());
            }
        }
        all
    }

}

/// Why something could not be kept on the device.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("This device's storage is full or switched off, so your spending could not be saved on it yet. It is still on screen and Tally will keep trying. Free up some space if you can.")]
    Unavailable,
}

/// The device's storage, as the wallet uses it.
pub trait LocalStore {
    /// Every account paired on this device, in the order they were added.
    fn load_sessions(&self) -> Vec<Session>;
    fn save_sessions(&self, sessions: &[Session]) -> Result<(), StoreError>;
    /// The account shown last time.
    fn load_current(&self) -> Option<AccountId>;
    fn save_current(&self, account: AccountId) -> Result<(), StoreError>;
    fn load_records(&self, account: AccountId) -> Records;
    fn save_records(&self, account: AccountId, records: &Records) -> Result<(), StoreError>;
    /// Forgets one account's records on this device.
    fn delete_records(&self, account: AccountId);
}

/// The browser's localStorage.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserStore;

/// Reads a stored value. A value that cannot be read (written by a newer version, or
/// damaged) is copied aside under `tally.unreadable.<key>` before anything can overwrite
/// it, so it can still be recovered; the caller then starts empty.
fn read_or_keep<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let raw = LocalStorage::raw().get_item(key).ok().flatten()?;
    match serde_json::from_str(&raw) {
        Ok(value) => Some(value),
        Err(_) => {
            let aside = format!("tally.unreadable.{key}");
            if LocalStorage::raw().get_item(&aside).ok().flatten().is_none() {
                let _ = LocalStorage::raw().set_item(&aside, &raw);
            }
            None
        }
    }
}

impl LocalStore for BrowserStore {
    fn load_sessions(&self) -> Vec<Session> {
        if let Some(sessions) = read_or_keep::<Vec<Session>>(SESSIONS_KEY) {
            return sessions;
        }
        // A device paired before carers could hold several people.
        match LocalStorage::get::<Session>(OLD_SESSION_KEY) {
            Ok(old) => {
                let sessions = vec![old];
                if self.save_sessions(&sessions).is_ok() {
                    LocalStorage::delete(OLD_SESSION_KEY);
                }
                sessions
            }
            Err(_) => Vec::new(),
        }
    }

    fn save_sessions(&self, sessions: &[Session]) -> Result<(), StoreError> {
        LocalStorage::set(SESSIONS_KEY, sessions).map_err(|_| StoreError::Unavailable)
    }

    fn load_current(&self) -> Option<AccountId> {
        LocalStorage::get(CURRENT_KEY).ok()
    }

    fn save_current(&self, account: AccountId) -> Result<(), StoreError> {
        LocalStorage::set(CURRENT_KEY, account).map_err(|_| StoreError::Unavailable)
    }

    fn load_records(&self, account: AccountId) -> Records {
        read_or_keep(&format!("{RECORDS_KEY_PREFIX}{account}")).unwrap_or_default()
    }

    fn save_records(&self, account: AccountId, records: &Records) -> Result<(), StoreError> {
        LocalStorage::set(format!("{RECORDS_KEY_PREFIX}{account}"), records).map_err(|_| StoreError::Unavailable)
    }

    fn delete_records(&self, account: AccountId) {
        LocalStorage::delete(format!("{RECORDS_KEY_PREFIX}{account}"));
    }
}
