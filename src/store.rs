//! What the wallet keeps on the device.
//!
//! Small settings — the pairings ([`Session`]) and which person is shown — are in
//! localStorage (through gloo-storage). Records are in IndexedDB: one row per record, keyed
//! by account and entry id, holding the entry and whether the council has it yet
//! ([`Delivery`]); the pull cursor is a row of its own. Saving a record writes that one row
//! (with the cursor, when it moved, in the same transaction), so it costs the same with 10
//! or 10,000 records stored, and a crash can never keep an entry but lose the fact that it
//! still has to be sent.
//!
//! Changes are made to [`Records`] in memory first and marked unsaved; [`LocalStore::save`]
//! writes what is unsaved. A write that fails (storage full or refused) leaves the marks in
//! place, so the records stay on screen and the next save writes them.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use gloo_storage::{LocalStorage, Storage};
use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use serde::{Deserialize, Serialize};
use tally_api::AccountProfile;
use tally_ledger::{AccountId, DeviceId, Entry, EntryId, Ledger};
use wasm_bindgen::JsValue;

/// Storage keys, versioned so a future layout can migrate from this one.
/// Version 1 held one pairing; it is read once and moved to the list.
const OLD_SESSION_KEY: &str = "tally.v1.session";
/// Every account paired on this device (a carer may hold several).
const SESSIONS_KEY: &str = "tally.v2.sessions";
/// The account shown now.
const CURRENT_KEY: &str = "tally.v2.current";
/// Where records were kept before they moved to IndexedDB: read once and moved.
const OLD_RECORDS_KEY_PREFIX: &str = "tally.v1.records.";
/// The IndexedDB database of records. Version 1: the two stores below.
const DATABASE: &str = "tally-records";
const DATABASE_VERSION: u32 = 1;
/// One row per record: key `"<account id>/<entry id>"`, value the [`LocalRecord`] as JSON.
const RECORDS_STORE: &str = "records";
/// Small values per account: key `"<account id>/cursor"`.
const META_STORE: &str = "meta";

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
    /// `settled` once the person has put it right (logged it again) or said they have read
    /// it: still listed, no longer counted as needing attention.
    Refused {
        reason: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        settled: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    pub entry: Entry,
    pub delivery: Delivery,
    /// The record as the council sent it, when it carried fields this version does not
    /// know (a newer council): kept so nothing it said is lost, and read again by a version
    /// that knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<serde_json::Value>,
}

/// Everything this device knows about one account.
///
/// Invariant: each entry id appears once; `index` maps each id to its place in `records`;
/// `unsaved` names every record changed since it was last written to the device.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Records {
    pub records: Vec<LocalRecord>,
    /// The council's pull cursor: entries after it have not been fetched yet.
    pub cursor: i64,
    #[serde(skip)]
    index: HashMap<EntryId, usize>,
    #[serde(skip)]
    unsaved: BTreeSet<EntryId>,
    #[serde(skip)]
    cursor_unsaved: bool,
    /// Records kept on the device that this version of Tally cannot read (sent by a newer
    /// council, or written by a newer version): left untouched in storage, counted here so
    /// the person can be told, and read by the version that understands them.
    #[serde(skip)]
    pub unreadable: usize,
    /// Pulled records of a kind this version does not know, as the council sent them, not
    /// yet written to the device: `(entry id, JSON)`.
    #[serde(skip)]
    aside_unsaved: Vec<(String, String)>,
}

impl PartialEq for Records {
    /// Two sets of records are the same when they hold the same records and cursor,
    /// whatever has been written to the device.
    fn eq(&self, other: &Records) -> bool {
        self.records == other.records && self.cursor == other.cursor
    }
}

/// What [`Records::unsaved`] hands to the store: copies of the changed records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub records: Vec<LocalRecord>,
    pub cursor: Option<i64>,
    /// Records this version cannot read, to keep as they came: `(entry id, row JSON)`.
    pub aside: Vec<(String, String)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.cursor.is_none() && self.aside.is_empty()
    }
}

impl Records {
    /// Records read from the device (nothing unsaved).
    pub fn from_stored(records: Vec<LocalRecord>, cursor: i64) -> Records {
        let mut all = Records { cursor, ..Records::default() };
        for record in records {
            if !all.index.contains_key(&record.entry.id) {
                all.index.insert(record.entry.id, all.records.len());
                all.records.push(record);
            }
        }
        all
    }

    fn find(&self, id: EntryId) -> Option<&LocalRecord> {
        self.index.get(&id).map(|&at| &self.records[at])
    }

    fn push(&mut self, record: LocalRecord) {
        self.unsaved.insert(record.entry.id);
        self.index.insert(record.entry.id, self.records.len());
        self.records.push(record);
    }

    /// Moves records kept with no council to a council account: they were never sent, so
    /// they can take the account's and this device's ids before their first send. Entry
    /// ids stay, so corrections and explanations still point at what they belong to.
    pub fn move_to(&mut self, account: AccountId, device: DeviceId) {
        for record in &mut self.records {
            record.entry.account = account;
            record.entry.author.device = Some(device);
            record.delivery = Delivery::Waiting;
            self.unsaved.insert(record.entry.id);
        }
        self.cursor = 0;
        self.cursor_unsaved = true;
    }

    /// Adds an entry made on this device; it waits to be sent. It is numbered after the
    /// device's other records for this account (`Author::device_seq`), so the council can
    /// tell if one of them never arrived.
    pub fn add_local(&mut self, mut entry: Entry) {
        if self.find(entry.id).is_none() {
            if let (Some(device), None) = (entry.author.device, entry.author.device_seq) {
                entry.author.device_seq = Some(self.last_device_seq(device) + 1);
            }
            self.push(LocalRecord { entry, delivery: Delivery::Waiting, raw: None });
        }
    }

    /// The highest number a device has given its records here (0 when none).
    fn last_device_seq(&self, device: DeviceId) -> u64 {
        self.records
            .iter()
            .filter(|r| r.entry.author.device == Some(device))
            .filter_map(|r| r.entry.author.device_seq)
            .max()
            .unwrap_or(0)
    }

    /// Entries waiting to be sent to the council, oldest first.
    pub fn waiting(&self) -> Vec<Entry> {
        self.records.iter().filter(|r| r.delivery == Delivery::Waiting).map(|r| r.entry.clone()).collect()
    }

    pub fn waiting_count(&self) -> usize {
        self.records.iter().filter(|r| r.delivery == Delivery::Waiting).count()
    }

    /// Records the council did not accept, oldest first: each with its reason and whether
    /// the person has settled it. Shown in History; never dropped.
    pub fn refused(&self) -> impl Iterator<Item = (&Entry, &str, bool)> {
        self.records.iter().filter_map(|r| match &r.delivery {
            Delivery::Refused { reason, settled } => Some((&r.entry, reason.as_str(), *settled)),
            _ => None,
        })
    }

    /// Refused records the person has not settled yet: what the sync status counts.
    pub fn refused_count(&self) -> usize {
        self.refused().filter(|(_, _, settled)| !settled).count()
    }

    /// Notes that the person has put a refused record right, or read why: it stays, and
    /// no longer counts as needing attention.
    pub fn settle(&mut self, id: EntryId) {
        if let Some(&at) = self.index.get(&id) {
            if let Delivery::Refused { settled, .. } = &mut self.records[at].delivery {
                if !*settled {
                    *settled = true;
                    self.unsaved.insert(id);
                }
            }
        }
    }

    pub fn set_delivery(&mut self, id: EntryId, delivery: Delivery) {
        if let Some(&at) = self.index.get(&id) {
            if self.records[at].delivery != delivery {
                self.records[at].delivery = delivery;
                self.unsaved.insert(id);
            }
        }
    }

    pub fn delivery(&self, id: EntryId) -> Option<&Delivery> {
        self.find(id).map(|r| &r.delivery)
    }

    /// Takes in entries pulled from the council. An entry already known is now held by the
    /// council; an unknown one is added as saved. Entries of a kind this version cannot
    /// read (`unreadable`, as sent) are kept aside on the device as they came, so the pull
    /// goes on and a later version shows them; nothing is dropped.
    pub fn merge_pulled(
        &mut self,
        entries: Vec<(Entry, Option<serde_json::Value>)>,
        unreadable: Vec<serde_json::Value>,
        cursor: i64,
    ) {
        for raw in unreadable {
            let id = match raw.get("id").and_then(serde_json::Value::as_str) {
                // An id this device holds a readable record under is never written over.
                Some(id) if id.parse().is_ok_and(|id| self.index.contains_key(&EntryId(id))) => continue,
                Some(id) => id.to_owned(),
                // Every council record has an id; one without is kept under a name made from
                // its content, so the same record is kept once however often it comes.
                None => {
                    use sha2::Digest;
                    let digest = sha2::Sha256::digest(raw.to_string().as_bytes());
                    format!("no-id-{}", digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>())
                }
            };
            let row = serde_json::json!({ "entry": raw, "delivery": { "state": "saved" } });
            if !self.aside_unsaved.iter().any(|(kept, _)| *kept == id) {
                self.aside_unsaved.push((id, row.to_string()));
                self.unreadable += 1;
            }
        }
        for (entry, raw) in entries {
            match self.index.get(&entry.id) {
                Some(&at) => {
                    let record = &mut self.records[at];
                    if record.delivery == Delivery::Waiting && record.entry == entry {
                        record.delivery = Delivery::Saved;
                        self.unsaved.insert(entry.id);
                    }
                }
                None => self.push(LocalRecord { entry, delivery: Delivery::Saved, raw }),
            }
        }
        if cursor > self.cursor {
            self.cursor = cursor;
            self.cursor_unsaved = true;
        }
    }

    /// Copies of what changed since the last successful write.
    pub fn unsaved(&self) -> Changes {
        Changes {
            records: self.unsaved.iter().filter_map(|id| self.find(*id).cloned()).collect(),
            cursor: self.cursor_unsaved.then_some(self.cursor),
            aside: self.aside_unsaved.clone(),
        }
    }

    /// Whether anything is not yet written to the device.
    pub fn has_unsaved(&self) -> bool {
        !self.unsaved.is_empty() || self.cursor_unsaved || !self.aside_unsaved.is_empty()
    }

    /// Notes that `written` reached the device. A record changed again since that copy was
    /// taken stays unsaved.
    pub fn saved(&mut self, written: &Changes) {
        for record in &written.records {
            if self.find(record.entry.id) == Some(record) {
                self.unsaved.remove(&record.entry.id);
            }
        }
        if written.cursor == Some(self.cursor) {
            self.cursor_unsaved = false;
        }
        self.aside_unsaved.retain(|kept| !written.aside.contains(kept));
    }

    /// Marks every record unsaved (when they move to another place on the device).
    pub fn mark_all_unsaved(&mut self) {
        self.unsaved = self.records.iter().map(|r| r.entry.id).collect();
        self.cursor_unsaved = true;
    }

    /// The ledger over every record the council has not refused.
    pub fn ledger(&self) -> Ledger {
        // A record that fails the ledger's checks was refused before it was kept, so the
        // build cannot fail; if it ever did, the records are shown without it rather than
        // not at all.
        let kept =
            || self.records.iter().filter(|r| !matches!(r.delivery, Delivery::Refused { .. })).map(|r| r.entry.clone());
        Ledger::from_entries(kept()).unwrap_or_else(|_| {
            let mut ledger = Ledger::new();
            for entry in kept() {
                let _ = ledger.insert(entry);
            }
            ledger
        })
    }

    /// Every receipt photo any record names.
    pub fn receipts(&self) -> BTreeSet<tally_ledger::ReceiptRef> {
        self.records.iter().flat_map(|r| r.entry.receipts()).cloned().collect()
    }
}

/// Why something could not be kept on the device.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("This device's storage is full or switched off, so your spending could not be saved on it yet. It is still on screen and Tally will keep trying. Free up some space if you can.")]
    Unavailable,
}

/// The device's storage, as the wallet uses it.
#[allow(async_fn_in_trait)] // used on the browser's one thread only
pub trait LocalStore {
    /// Every account paired on this device, in the order they were added.
    fn load_sessions(&self) -> Vec<Session>;
    fn save_sessions(&self, sessions: &[Session]) -> Result<(), StoreError>;
    /// The account shown last time.
    fn load_current(&self) -> Option<AccountId>;
    fn save_current(&self, account: AccountId) -> Result<(), StoreError>;
    /// Everything kept for an account (nothing, for an account new to this device).
    async fn load_records(&self, account: AccountId) -> Result<Records, StoreError>;
    /// Writes what changed, all or nothing.
    async fn save(&self, account: AccountId, changes: &Changes) -> Result<(), StoreError>;
    /// Forgets one account's records on this device.
    async fn delete_records(&self, account: AccountId) -> Result<(), StoreError>;
}

/// The browser: localStorage for settings, IndexedDB for records.
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

thread_local! {
    /// The records database, opened once: transactions are then created in the order
    /// saves are asked for, so a later save of a record always lands after an earlier one.
    static DB: std::cell::RefCell<Option<Rc<Database>>> = const { std::cell::RefCell::new(None) };
}

async fn database() -> Result<Rc<Database>, StoreError> {
    if let Some(db) = DB.with(|db| db.borrow().clone()) {
        return Ok(db);
    }
    let open = async {
        let mut request = Factory::new()?.open(DATABASE, Some(DATABASE_VERSION))?;
        request.on_upgrade_needed(|event| {
            if let Ok(database) = event.database() {
                let stores = database.store_names();
                for store in [RECORDS_STORE, META_STORE] {
                    if !stores.iter().any(|s| s == store) {
                        let _ = database.create_object_store(store, ObjectStoreParams::new());
                    }
                }
            }
        });
        request.await
    };
    let mut db: Database = open.await.map_err(|_| StoreError::Unavailable)?;
    // A newer version of Tally open in another tab wants to change the database: let it,
    // and open it again (at the newer version's request) next time.
    db.on_version_change(|event| {
        if let Ok(database) = event.database() {
            database.close();
        }
        DB.with(|db| db.borrow_mut().take());
    });
    let db = Rc::new(db);
    DB.with(|slot| *slot.borrow_mut() = Some(db.clone()));
    Ok(db)
}

fn record_key(account: AccountId, id: EntryId) -> JsValue {
    JsValue::from_str(&format!("{account}/{id}"))
}

fn cursor_key(account: AccountId) -> JsValue {
    JsValue::from_str(&format!("{account}/cursor"))
}

/// Every record key of one account: `"<account>/"` up to (not including) `"<account>0"`
/// (`'0'` is the character after `'/'`).
pub(crate) fn account_range(account: AccountId) -> Result<KeyRange, idb::Error> {
    KeyRange::bound(
        &JsValue::from_str(&format!("{account}/")),
        &JsValue::from_str(&format!("{account}0")),
        Some(false),
        Some(true),
    )
}

/// Reads records kept in localStorage by earlier versions, if any.
fn old_records(account: AccountId) -> Option<Records> {
    read_or_keep::<Records>(&format!("{OLD_RECORDS_KEY_PREFIX}{account}"))
        .map(|old| Records::from_stored(old.records, old.cursor))
}

impl BrowserStore {
    async fn read_records(&self, account: AccountId) -> Result<Records, idb::Error> {
        let db = database().await.map_err(|_| idb::Error::TransactionCommitError(JsValue::NULL))?;
        let transaction = db.transaction(&[RECORDS_STORE, META_STORE], TransactionMode::ReadOnly)?;
        let rows = transaction
            .object_store(RECORDS_STORE)?
            .get_all(Some(Query::KeyRange(account_range(account)?)), None)?
            .await?;
        let cursor = transaction.object_store(META_STORE)?.get(cursor_key(account))?.await?;
        crate::browser::measure("tally:read-rows", "tally:load-start");
        let mut records = Vec::with_capacity(rows.len());
        let mut unreadable = 0;
        for row in rows {
            let Some(text) = row.as_string() else { continue };
            match serde_json::from_str::<LocalRecord>(&text) {
                Ok(mut record) => {
                    // Read from the council's own words when they were kept: a version that
                    // knows more fields gets them back.
                    if let Some(fuller) = record.raw.as_ref().and_then(crate::json::entry_of) {
                        if fuller.id == record.entry.id {
                            record.entry = fuller;
                        }
                    }
                    records.push(record);
                }
                // A kind of record this version does not know yet (kept aside from a pull,
                // or written by a newer version): left where it is, never overwritten, and
                // read by a version that knows it.
                Err(_) if is_record_row(&text) => unreadable += 1,
                // Damaged: a copy is kept aside as well.
                Err(_) => {
                    keep_unreadable(account, &text);
                    unreadable += 1;
                }
            }
        }
        let cursor = cursor.and_then(|c| c.as_f64()).map(|c| c as i64).unwrap_or(0);
        let mut records = Records::from_stored(records, cursor);
        records.unreadable = unreadable;
        Ok(records)
    }
}

/// Whether a stored row has the shape of a record (an entry with an id, and its delivery),
/// whatever kind of entry it holds.
fn is_record_row(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|row| row["entry"]["id"].is_string() && row["delivery"].is_object())
}

/// Keeps a record this version cannot read in localStorage, so it is not lost.
fn keep_unreadable(account: AccountId, text: &str) {
    let key = format!("tally.unreadable.records.{account}");
    let mut kept: Vec<String> = LocalStorage::get(&key).unwrap_or_default();
    if !kept.iter().any(|k| k == text) {
        kept.push(text.to_owned());
        let _ = LocalStorage::set(&key, kept);
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

    async fn load_records(&self, account: AccountId) -> Result<Records, StoreError> {
        let mut records = self.read_records(account).await.map_err(|_| StoreError::Unavailable)?;
        // Records an earlier version kept in localStorage move to IndexedDB once: written
        // there first, and only then removed from localStorage.
        if let Some(old) = old_records(account) {
            for record in old.records {
                if records.find(record.entry.id).is_none() {
                    records.push(record);
                }
            }
            if old.cursor > records.cursor {
                records.cursor = old.cursor;
                records.cursor_unsaved = true;
            }
            let changes = records.unsaved();
            self.save(account, &changes).await?;
            records.saved(&changes);
            LocalStorage::delete(format!("{OLD_RECORDS_KEY_PREFIX}{account}"));
        }
        Ok(records)
    }

    async fn save(&self, account: AccountId, changes: &Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let write = async {
            let db = database().await.map_err(|_| idb::Error::TransactionCommitError(JsValue::NULL))?;
            let transaction = db.transaction(&[RECORDS_STORE, META_STORE], TransactionMode::ReadWrite)?;
            let rows = transaction.object_store(RECORDS_STORE)?;
            for record in &changes.records {
                let text =
                    serde_json::to_string(record).map_err(|_| idb::Error::TransactionCommitError(JsValue::NULL))?;
                rows.put(&JsValue::from_str(&text), Some(&record_key(account, record.entry.id)))?;
            }
            for (id, row) in &changes.aside {
                rows.put(&JsValue::from_str(row), Some(&JsValue::from_str(&format!("{account}/{id}"))))?;
            }
            if let Some(cursor) = changes.cursor {
                transaction
                    .object_store(META_STORE)?
                    .put(&JsValue::from_f64(cursor as f64), Some(&cursor_key(account)))?;
            }
            transaction.commit()?.await
        };
        match write.await {
            Ok(result) if result.is_committed() => Ok(()),
            _ => Err(StoreError::Unavailable),
        }
    }

    async fn delete_records(&self, account: AccountId) -> Result<(), StoreError> {
        LocalStorage::delete(format!("{OLD_RECORDS_KEY_PREFIX}{account}"));
        let delete = async {
            let db = database().await.map_err(|_| idb::Error::TransactionCommitError(JsValue::NULL))?;
            let transaction = db.transaction(&[RECORDS_STORE, META_STORE], TransactionMode::ReadWrite)?;
            transaction.object_store(RECORDS_STORE)?.delete(Query::KeyRange(account_range(account)?))?;
            transaction.object_store(META_STORE)?.delete(Query::Key(cursor_key(account)))?;
            transaction.commit()?.await
        };
        match delete.await {
            Ok(result) if result.is_committed() => Ok(()),
            _ => Err(StoreError::Unavailable),
        }
    }
}
