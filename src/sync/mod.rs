//! Sync with the council: the engine, and the client that speaks the wire format
//! ([`client`]).
//!
//! A round pushes every waiting record (in batches), then pulls everything new after the
//! cursor, then fetches the account's profile. The council stores a record sent twice once,
//! so a round cut off half way is simply run again. The engine ([`sync_account`]) works on
//! two small traits so its rules are tested natively against in-memory stand-ins:
//!
//! - a record leaves the waiting list only when the council says it holds it;
//! - results are applied to the records as they are at that moment (a spend logged during
//!   the round is never overwritten);
//! - a person removed from the device during a round is never written back.

pub mod client;

pub use client::{PulledPage, SyncClient, SyncError};

use tally_api::{AccountProfile, PushResponse, MAX_BODY_BYTES, MAX_PUSH_ENTRIES};
use tally_ledger::{AccountId, Entry, ReceiptRef};

use crate::store::{Delivery, LocalStore, Records, Session, StoreError};

/// The council, as a round needs it. [`SyncClient`] is the real one.
#[allow(async_fn_in_trait)]
pub trait Council {
    /// Sends entries; one result per entry, in order.
    async fn push(&self, session: &Session, entries: &[Entry]) -> Result<PushResponse, SyncError>;
    /// Entries after the cursor.
    async fn pull(&self, session: &Session, after: i64) -> Result<PulledPage, SyncError>;
    /// The account's profile (its plan and policy) as the council holds it now.
    async fn profile(&self, session: &Session) -> Result<AccountProfile, SyncError>;
}

impl Council for SyncClient {
    async fn push(&self, session: &Session, entries: &[Entry]) -> Result<PushResponse, SyncError> {
        SyncClient::push(self, session, entries).await
    }

    async fn pull(&self, session: &Session, after: i64) -> Result<PulledPage, SyncError> {
        SyncClient::pull(self, session, after).await
    }

    async fn profile(&self, session: &Session) -> Result<AccountProfile, SyncError> {
        SyncClient::profile(self, session).await
    }
}

/// The records of the people on a device, as a round needs them: what there is now, and
/// changing it as it is at that moment. [`Device`] is the one implementation: the wallet
/// gives it the browser store and what is on screen; the tests an in-memory store.
#[allow(async_fn_in_trait)]
pub trait Holding {
    /// Whether the device still holds the account (a person removed mid-round does not).
    fn holds(&self, account: AccountId) -> bool;
    /// A copy of the account's records as they are now.
    async fn records_of(&self, account: AccountId) -> Result<Records, StoreError>;
    /// Changes the account's records as they are at this moment, and keeps the change.
    /// Nothing is written for an account the device no longer holds.
    async fn update(&self, account: AccountId, change: impl FnOnce(&mut Records)) -> Result<(), StoreError>;
}

/// What is on screen: the one account whose records live in memory while it is shown.
pub trait Shown {
    /// The account shown, when its records are loaded.
    fn shown(&self) -> Option<AccountId>;
    /// Whether the device still holds the account.
    fn holds(&self, account: AccountId) -> bool;
    /// A copy of the shown account's records.
    fn copy(&self) -> Records;
    /// Changes the shown account's records in memory and has them written to the device.
    fn change(&self, change: impl FnOnce(&mut Records));
}

/// A device's records: the shown account's in memory (what the person sees and is
/// editing), every other account's in the store.
#[derive(Clone, Copy, Debug)]
pub struct Device<S, V> {
    pub store: S,
    pub shown: V,
}

impl<S: LocalStore, V: Shown> Holding for Device<S, V> {
    fn holds(&self, account: AccountId) -> bool {
        self.shown.holds(account)
    }

    async fn records_of(&self, account: AccountId) -> Result<Records, StoreError> {
        if self.shown.shown() == Some(account) {
            Ok(self.shown.copy())
        } else {
            self.store.load_records(account).await
        }
    }

    async fn update(&self, account: AccountId, change: impl FnOnce(&mut Records)) -> Result<(), StoreError> {
        if !self.holds(account) {
            // Removed from this device while a round was under way: nothing is written back.
            return Ok(());
        }
        if self.shown.shown() == Some(account) {
            self.shown.change(change);
            Ok(())
        } else {
            // Read, change and write with nothing in between: only the records the change
            // touched are written, so nothing logged meanwhile is overwritten.
            let mut records = self.store.load_records(account).await?;
            change(&mut records);
            self.store.save(account, &records.unsaved()).await
        }
    }
}

/// What one account's round brought, beyond the records (which are kept as it goes).
#[derive(Clone, Debug, PartialEq)]
pub struct Synced {
    /// The council's profile of the account now.
    pub profile: AccountProfile,
    /// The receipt photos the records named when the round started, to send next.
    pub photos: Vec<ReceiptRef>,
    /// A record or page the device could not write (the round carried on).
    pub storage: Option<StoreError>,
}

/// One account's round: push what waits, pull what is new, fetch the profile. `None` when
/// there is nothing more to do now: the device cannot read the account's records (the next
/// round tries again), or it no longer holds the account.
pub async fn sync_account<C: Council, H: Holding>(
    council: &C,
    holding: &H,
    session: &Session,
) -> Result<Option<Synced>, SyncError> {
    let account = session.account.account_id;
    let Ok(records) = holding.records_of(account).await else { return Ok(None) };
    let mut storage = None;
    let mut keep = |result: Result<(), StoreError>| {
        if let Err(e) = result {
            storage.get_or_insert(e);
        }
    };
    for batch in batches(&records) {
        if !holding.holds(account) {
            return Ok(None);
        }
        let response = council.push(session, &batch).await?;
        keep(holding.update(account, |r| apply_push(r, &batch, &response)).await);
    }
    // The cursor is kept here, so a page that could not be saved is not fetched again and
    // again within the round.
    let mut cursor = records.cursor;
    let photos = receipts_named(&records);
    drop(records);
    loop {
        if !holding.holds(account) {
            return Ok(None);
        }
        let page = council.pull(session, cursor).await?;
        let more = page.more;
        cursor = page.cursor;
        keep(holding.update(account, |r| r.merge_pulled(page.entries, page.unreadable, page.cursor)).await);
        if !more {
            break;
        }
    }
    let profile = council.profile(session).await?;
    Ok(Some(Synced { profile, photos, storage }))
}

/// The waiting entries, in batches the council accepts: at most `MAX_PUSH_ENTRIES`
/// records and about half the largest body, so a batch of long notes is never refused as
/// too large.
pub fn batches(records: &Records) -> Vec<Vec<Entry>> {
    let budget = MAX_BODY_BYTES / 2;
    let mut batches: Vec<Vec<Entry>> = Vec::new();
    let mut bytes = 0;
    for entry in records.waiting() {
        let size = serde_json::to_string(&entry).map(|s| s.len()).unwrap_or(budget);
        let full = batches.last().is_none_or(|b| b.len() >= MAX_PUSH_ENTRIES || bytes + size > budget);
        if full {
            batches.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        batches.last_mut().expect("a batch was just made").push(entry);
    }
    batches
}

/// Records what the council said about each entry sent.
pub fn apply_push(records: &mut Records, sent: &[Entry], response: &PushResponse) {
    for (entry, result) in sent.iter().zip(&response.results) {
        if result.status.is_held_by_council() {
            records.set_delivery(entry.id, Delivery::Saved);
        } else {
            let reason = result.message.clone().unwrap_or_else(|| "The council did not accept this record.".to_owned());
            records.set_delivery(entry.id, Delivery::Refused { reason, settled: false });
        }
    }
}

/// How long to wait before retry number `attempt` (1, 2, ...): doubling from 2 s up to
/// 5 minutes, then a random share of it (`jitter` in 0..1) taken off so that many phones
/// coming back online at once do not all call at the same moment.
pub fn retry_delay_ms(attempt: u32, jitter: f64) -> u32 {
    const FIRST_MS: u32 = 2_000;
    const MAX_MS: u32 = 300_000;
    let full = FIRST_MS.saturating_mul(1u32 << attempt.saturating_sub(1).min(16)).min(MAX_MS);
    let jitter = jitter.clamp(0.0, 1.0);
    full - (full as f64 * 0.5 * jitter) as u32
}

/// Every receipt photo the records name, each once, in the order first named.
pub fn receipts_named(records: &Records) -> Vec<ReceiptRef> {
    let mut seen = std::collections::HashSet::new();
    records.records.iter().flat_map(|r| r.entry.receipts()).filter(|r| seen.insert(*r)).cloned().collect()
}

#[cfg(test)]
mod tests {
    //! The engine's rules, against an in-memory store, screen and council.

    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;
    use std::rc::Rc;

    use futures_executor::block_on;
    use tally_api::{PushResult, PushStatus};
    use tally_ledger::{Author, DeviceId, EntryBody, EntryId, Money, Spend};
    use time::macros::{date, datetime};
    use uuid::Uuid;

    use super::*;
    use crate::store::{Changes, LocalRecord};

    /// Runs a future that is ready at once (the in-memory store's), from inside another.
    fn at_once<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("the in-memory store never waits"),
        }
    }

    const ACCOUNT: AccountId = AccountId(Uuid::from_u128(1));
    const DEVICE: DeviceId = DeviceId(Uuid::from_u128(2));

    /// One account's records as stored, with the pull cursor.
    type Stored = (Vec<LocalRecord>, i64);

    /// A device's storage in memory.
    #[derive(Clone, Default)]
    struct MemoryStore(Rc<RefCell<HashMap<AccountId, Stored>>>);

    impl LocalStore for MemoryStore {
        fn load_sessions(&self) -> Vec<Session> {
            Vec::new()
        }
        fn save_sessions(&self, _: &[Session]) -> Result<(), StoreError> {
            Ok(())
        }
        fn load_current(&self) -> Option<AccountId> {
            None
        }
        fn save_current(&self, _: AccountId) -> Result<(), StoreError> {
            Ok(())
        }
        async fn load_records(&self, account: AccountId) -> Result<Records, StoreError> {
            let all = self.0.borrow();
            let (records, cursor) = all.get(&account).cloned().unwrap_or_default();
            Ok(Records::from_stored(records, cursor))
        }
        async fn save(&self, account: AccountId, changes: &Changes) -> Result<(), StoreError> {
            let mut all = self.0.borrow_mut();
            let (records, cursor) = all.entry(account).or_default();
            for changed in &changes.records {
                match records.iter_mut().find(|r| r.entry.id == changed.entry.id) {
                    Some(kept) => *kept = changed.clone(),
                    None => records.push(changed.clone()),
                }
            }
            if let Some(moved) = changes.cursor {
                *cursor = moved;
            }
            Ok(())
        }
        async fn delete_records(&self, account: AccountId) -> Result<(), StoreError> {
            self.0.borrow_mut().remove(&account);
            Ok(())
        }
    }

    /// What is on screen: one account's records in memory, written to the store when
    /// changed (as the wallet does, later, in the background).
    #[derive(Clone)]
    struct Screen {
        shown: Rc<RefCell<Option<Records>>>,
        held: Rc<Cell<bool>>,
        store: MemoryStore,
    }

    impl Shown for Screen {
        fn shown(&self) -> Option<AccountId> {
            self.shown.borrow().as_ref().map(|_| ACCOUNT)
        }
        fn holds(&self, account: AccountId) -> bool {
            account == ACCOUNT && self.held.get()
        }
        fn copy(&self) -> Records {
            self.shown.borrow().clone().unwrap_or_default()
        }
        fn change(&self, change: impl FnOnce(&mut Records)) {
            let mut shown = self.shown.borrow_mut();
            if let Some(records) = shown.as_mut() {
                change(records);
                let changes = records.unsaved();
                at_once(self.store.save(ACCOUNT, &changes)).unwrap();
                records.saved(&changes);
            }
        }
    }

    /// A council in memory: what it holds, and what it does to each push.
    #[derive(Default)]
    struct FakeCouncil {
        held: RefCell<Vec<Entry>>,
        /// Answers to the next pushes: `None` is an answer lost on the way (after the
        /// council stored the batch), `Some(refused)` answers with those ids refused.
        answers: RefCell<Vec<Option<Vec<EntryId>>>>,
        /// Runs while a push is on its way (the person goes on using the app).
        meanwhile: RefCell<Option<Box<dyn FnOnce()>>>,
    }

    impl Council for FakeCouncil {
        async fn push(&self, _: &Session, entries: &[Entry]) -> Result<PushResponse, SyncError> {
            if let Some(meanwhile) = self.meanwhile.borrow_mut().take() {
                meanwhile();
            }
            let answer =
                if self.answers.borrow().is_empty() { Some(Vec::new()) } else { self.answers.borrow_mut().remove(0) };
            let mut results = Vec::new();
            for entry in entries {
                let refused = answer.as_ref().is_some_and(|refused| refused.contains(&entry.id));
                if !refused && !self.held.borrow().iter().any(|e| e.id == entry.id) {
                    self.held.borrow_mut().push(entry.clone());
                }
                let status = if refused { PushStatus::Refused } else { PushStatus::Stored };
                let message = refused.then(|| "The date of the spending is too far ahead.".to_owned());
                results.push(PushResult { entry_id: Some(entry.id.to_string()), status, message });
            }
            match answer {
                None => Err(SyncError::Unreachable),
                Some(_) => Ok(PushResponse { results }),
            }
        }
        async fn pull(&self, _: &Session, after: i64) -> Result<PulledPage, SyncError> {
            let held = self.held.borrow();
            let entries = held.iter().skip(after as usize).map(|e| (e.clone(), None)).collect();
            Ok(PulledPage { entries, unreadable: Vec::new(), cursor: held.len() as i64, more: false })
        }
        async fn profile(&self, session: &Session) -> Result<AccountProfile, SyncError> {
            Ok(session.account.clone())
        }
    }

    fn session() -> Session {
        let account = AccountProfile {
            account_id: ACCOUNT,
            reference: "DP-000001".into(),
            person_name: "Alex Morgan".into(),
            council_name: "Demo Borough Council".into(),
            plan: Default::default(),
            policy: Default::default(),
        };
        Session { device_id: DEVICE, token: "token".into(), account, logged_by: None, local: false }
    }

    fn spend(n: u128, payee: &str) -> Entry {
        Entry {
            id: EntryId(Uuid::from_u128(n)),
            account: ACCOUNT,
            author: Author { name: "Alex Morgan".into(), device: Some(DEVICE), device_seq: None },
            recorded_at: datetime!(2026-11-22 10:00 UTC),
            body: EntryBody::Spend(Spend::new(date!(2026 - 11 - 21), Money::from_pence(1_250), payee, None)),
        }
    }

    /// A device showing the account, with these records logged and waiting.
    fn device(waiting: &[Entry]) -> Device<MemoryStore, Screen> {
        let store = MemoryStore::default();
        let mut records = Records::default();
        for entry in waiting {
            records.add_local(entry.clone());
        }
        let screen = Screen {
            shown: Rc::new(RefCell::new(Some(records))),
            held: Rc::new(Cell::new(true)),
            store: store.clone(),
        };
        Device { store, shown: screen }
    }

    fn delivery(device: &Device<MemoryStore, Screen>, id: u128) -> Option<Delivery> {
        device.shown.copy().delivery(EntryId(Uuid::from_u128(id))).cloned()
    }

    #[test]
    fn a_record_leaves_the_waiting_list_only_when_the_council_holds_it() {
        let device = device(&[spend(10, "Sunrise Day Centre"), spend(11, "Corner Shop")]);
        let council = FakeCouncil::default();
        // The council stores the batch, but its answer is lost: both still wait.
        council.answers.borrow_mut().push(None);
        assert_eq!(block_on(sync_account(&council, &device, &session())), Err(SyncError::Unreachable));
        assert_eq!(delivery(&device, 10), Some(Delivery::Waiting));
        assert_eq!(delivery(&device, 11), Some(Delivery::Waiting));
        // Sent again: one held (stored before, so "already"), one refused with its reason.
        council.answers.borrow_mut().push(Some(vec![EntryId(Uuid::from_u128(11))]));
        let synced = block_on(sync_account(&council, &device, &session())).unwrap().unwrap();
        assert_eq!(synced.storage, None);
        assert_eq!(delivery(&device, 10), Some(Delivery::Saved));
        assert!(
            matches!(delivery(&device, 11), Some(Delivery::Refused { reason, settled: false }) if reason.contains("too far ahead"))
        );
        assert_eq!(council.held.borrow().len(), 2, "the council held the first batch; a refusal never unholds");
        // What the screen showed was written to the device.
        let stored = block_on(device.store.load_records(ACCOUNT)).unwrap();
        assert_eq!(stored.delivery(EntryId(Uuid::from_u128(10))), Some(&Delivery::Saved));
    }

    #[test]
    fn results_apply_to_the_records_as_they_are_now() {
        let device = device(&[spend(10, "Sunrise Day Centre")]);
        let council = FakeCouncil::default();
        // While the push is on its way, the person logs another spend.
        let screen = device.shown.clone();
        *council.meanwhile.borrow_mut() =
            Some(Box::new(move || screen.change(|r| r.add_local(spend(12, "City Taxis")))));
        block_on(sync_account(&council, &device, &session())).unwrap().unwrap();
        assert_eq!(delivery(&device, 10), Some(Delivery::Saved));
        assert_eq!(delivery(&device, 12), Some(Delivery::Waiting), "logged during the round: kept, and still to send");
        let stored = block_on(device.store.load_records(ACCOUNT)).unwrap();
        assert_eq!(stored.waiting().iter().map(|e| e.id).collect::<Vec<_>>(), vec![EntryId(Uuid::from_u128(12))]);
    }

    #[test]
    fn the_same_holds_for_an_account_not_on_screen() {
        let device = device(&[]);
        *device.shown.shown.borrow_mut() = None;
        let mut kept = Records::default();
        kept.add_local(spend(10, "Sunrise Day Centre"));
        block_on(device.store.save(ACCOUNT, &kept.unsaved())).unwrap();
        let council = FakeCouncil::default();
        let store = device.store.clone();
        *council.meanwhile.borrow_mut() = Some(Box::new(move || {
            let mut records = at_once(store.load_records(ACCOUNT)).unwrap();
            records.add_local(spend(12, "City Taxis"));
            at_once(store.save(ACCOUNT, &records.unsaved())).unwrap();
        }));
        block_on(sync_account(&council, &device, &session())).unwrap().unwrap();
        let stored = block_on(device.store.load_records(ACCOUNT)).unwrap();
        assert_eq!(stored.delivery(EntryId(Uuid::from_u128(10))), Some(&Delivery::Saved));
        assert_eq!(stored.delivery(EntryId(Uuid::from_u128(12))), Some(&Delivery::Waiting));
        // The pull brought the council's copy back once, not twice.
        assert_eq!(stored.records.len(), 2);
    }

    #[test]
    fn a_person_removed_during_a_round_is_never_written_back() {
        let device = device(&[spend(10, "Sunrise Day Centre")]);
        let council = FakeCouncil::default();
        // While the push is on its way, the person is removed from the device.
        let (screen, store) = (device.shown.clone(), device.store.clone());
        *council.meanwhile.borrow_mut() = Some(Box::new(move || {
            screen.held.set(false);
            *screen.shown.borrow_mut() = None;
            at_once(store.delete_records(ACCOUNT)).unwrap();
        }));
        assert_eq!(block_on(sync_account(&council, &device, &session())), Ok(None));
        assert!(device.store.0.borrow().get(&ACCOUNT).is_none(), "nothing written back for a removed person");
    }

    #[test]
    fn a_pull_brings_the_councils_records_once() {
        let device = device(&[]);
        let council = FakeCouncil::default();
        council.held.borrow_mut().push(spend(20, "From another phone"));
        block_on(sync_account(&council, &device, &session())).unwrap().unwrap();
        block_on(sync_account(&council, &device, &session())).unwrap().unwrap();
        let records = device.shown.copy();
        assert_eq!(records.records.len(), 1);
        assert_eq!(records.delivery(EntryId(Uuid::from_u128(20))), Some(&Delivery::Saved));
        assert_eq!(records.cursor, 1);
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_five_minutes() {
        assert_eq!(retry_delay_ms(1, 0.0), 2_000);
        assert_eq!(retry_delay_ms(2, 0.0), 4_000);
        assert_eq!(retry_delay_ms(20, 0.0), 300_000);
        assert_eq!(retry_delay_ms(20, 1.0), 150_000);
    }
}
