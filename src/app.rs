//! The root component and the wallet's shared state.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;
use tally_api::AccountProfile;
use tally_ledger::{AccountId, Author, Entry, EntryBody, Ledger, ReceiptRef};
use time::OffsetDateTime;

use crate::pages::{
    device::DevicePage, entry::EntryDetail, export::Export, help::Help, history::History, home::Home, log::LogSpending,
    money_in::MoneyIn, pair::Pair, plan::PlanPage,
};
use crate::store::{BrowserStore, LocalStore, Records, Session, StoreError};
use crate::sync::{self, Device, Holding, Shown, SyncClient, SyncError};
use crate::{browser, receipts};

/// Where syncing with the council stands.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncStatus {
    /// Nothing has been tried yet.
    NotStarted,
    /// A round is under way.
    Syncing,
    /// The last round finished; everything the device had was sent.
    Done { at: OffsetDateTime },
    /// The council could not be reached; another try is scheduled.
    Unreachable { retry_in_s: u32 },
    /// The council answered with a problem that retrying will not fix by itself.
    Problem(String),
}

/// The wallet's state, shared with every component through context. Copyable handles.
#[derive(Clone, Copy)]
pub struct Wallet {
    /// The account shown now, if any.
    pub session: RwSignal<Option<Session>>,
    /// Every account paired on this device (a carer may look after several people).
    pub sessions: RwSignal<Vec<Session>>,
    /// Everything this device knows about the account shown.
    pub records: RwSignal<Records>,
    /// Whether `records` has been read from the device yet (it starts empty while it is).
    pub loaded: RwSignal<bool>,
    /// The ledger over those records (refused ones left out), recomputed when they change.
    pub ledger: Memo<Ledger>,
    pub sync: RwSignal<SyncStatus>,
    /// Set while the device could not store the records; cleared once it could.
    pub storage_problem: RwSignal<Option<String>>,
    /// Whether the browser agreed to keep Tally's data even when space runs low (`None`
    /// until it has answered, or where it cannot be asked).
    pub persistent: RwSignal<Option<bool>>,
    /// Whether a sync round is running (so rounds never overlap).
    running: StoredValue<bool>,
    /// Set when a sync is asked for during a round: another round follows at once, so a
    /// spend logged mid-round is not left waiting.
    again: StoredValue<bool>,
    /// Failed rounds in a row, for backoff.
    attempts: StoredValue<u32>,
    /// Whether a retry of a failed write to the device is scheduled.
    save_retry: StoredValue<bool>,
    /// The PIN lock's settings, when a PIN is set.
    pub lock: RwSignal<Option<crate::lock::LockSettings>>,
    /// Whether the lock screen is showing.
    pub locked: RwSignal<bool>,
    /// When the person last touched or typed (browser milliseconds).
    last_activity: StoredValue<f64>,
}

/// How long to wait before trying again to write records the device refused.
const SAVE_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

impl Wallet {
    fn new() -> Wallet {
        let sessions = BrowserStore.load_sessions();
        let current = BrowserStore.load_current();
        let session = sessions.iter().find(|s| Some(s.account.account_id) == current).or(sessions.first()).cloned();
        let records = RwSignal::new(Records::default());
        let lock = crate::lock::load();
        let wallet = Wallet {
            session: RwSignal::new(session.clone()),
            sessions: RwSignal::new(sessions),
            records,
            loaded: RwSignal::new(session.is_none()),
            ledger: Memo::new(move |_| {
                browser::mark("tally:fold-start");
                let ledger = records.with(Records::ledger);
                browser::measure("tally:fold", "tally:fold-start");
                ledger
            }),
            sync: RwSignal::new(SyncStatus::NotStarted),
            storage_problem: RwSignal::new(None),
            persistent: RwSignal::new(None),
            running: StoredValue::new(false),
            again: StoredValue::new(false),
            attempts: StoredValue::new(0),
            save_retry: StoredValue::new(false),
            locked: RwSignal::new(lock.is_some()),
            lock: RwSignal::new(lock),
            last_activity: StoredValue::new(js_sys::Date::now()),
        };
        if let Some(session) = session {
            wallet.open(session.account.account_id);
        }
        wallet
    }

    /// Reads an account's records from the device and shows them, then syncs.
    fn open(&self, account: AccountId) {
        let wallet = *self;
        wallet.loaded.set(false);
        spawn_local(async move {
            browser::mark("tally:load-start");
            let records = match BrowserStore.load_records(account).await {
                Ok(records) => records,
                Err(e) => {
                    // Nothing is shown as lost: the person is told, and the read is tried
                    // again shortly.
                    wallet.storage_problem.set(Some(e.to_string()));
                    set_timeout(move || wallet.reopen(account), SAVE_RETRY);
                    return;
                }
            };
            if wallet.shown() != Some(account) {
                return; // Switched to someone else meanwhile.
            }
            browser::measure("tally:load-records", "tally:load-start");
            wallet.records.set(records);
            wallet.loaded.set(true);
            if wallet.storage_problem.with_untracked(Option::is_some) {
                wallet.storage_problem.set(None);
            }
            browser::mark("tally:records-loaded");
            wallet.sync_now();
            if wallet.persistent.get_untracked().is_none() {
                wallet.persistent.set(browser::ask_persistent_storage().await);
            }
        });
    }

    fn reopen(&self, account: AccountId) {
        if self.shown() == Some(account) && !self.loaded.get_untracked() {
            self.open(account);
        }
    }

    /// The account shown now.
    fn shown(&self) -> Option<AccountId> {
        self.session.with_untracked(|s| s.as_ref().map(|s| s.account.account_id))
    }

    /// Notes that the person is using the app (for the idle lock).
    fn active(&self) {
        self.last_activity.set_value(js_sys::Date::now());
    }

    /// Locks if a PIN is set and the app has been idle for longer than chosen.
    fn lock_if_idle(&self) {
        let Some(minutes) = self.lock.with_untracked(|l| l.as_ref().map(|l| l.idle_minutes)) else { return };
        if js_sys::Date::now() - self.last_activity.get_value() > f64::from(minutes) * 60_000.0 {
            self.locked.set(true);
        }
    }

    /// Adds a newly paired account (or refreshes one paired again) and shows it. Anything
    /// this device already held for the account is kept.
    pub fn paired(&self, session: Session) {
        self.sessions.update(|all| {
            all.retain(|s| s.account.account_id != session.account.account_id);
            all.push(session.clone());
        });
        if let Err(e) = self.sessions.with_untracked(|all| BrowserStore.save_sessions(all)) {
            self.storage_problem.set(Some(e.to_string()));
        }
        self.switch_to(session.account.account_id);
    }

    /// Connects an account kept with no council to a council account: its records move to
    /// the new account (see [`Records::move_to`]) and are sent; the local one goes only
    /// once the moved copy is written.
    pub fn connect_local(&self, local: AccountId, session: Session) {
        let wallet = *self;
        spawn_local(async move {
            let account = session.account.account_id;
            let moved = async {
                let mut records = wallet.records_of(local).await?;
                records.move_to(account, session.device_id);
                let mut existing = BrowserStore.load_records(account).await?;
                for record in records.records {
                    existing.add_local(record.entry);
                }
                BrowserStore.save(account, &existing.unsaved()).await
            };
            if let Err(e) = moved.await {
                // The local records stay untouched if the moved copy could not be written.
                wallet.storage_problem.set(Some(e.to_string()));
                return;
            }
            let _ = BrowserStore.delete_records(local).await;
            wallet.sessions.update(|all| all.retain(|s| s.account.account_id != local));
            wallet.paired(session);
        });
    }

    /// Shows another person's account on this device. Refused (with the storage message
    /// showing) while the person shown has records this device could not save, so they are
    /// never dropped from memory.
    pub fn switch_to(&self, account: AccountId) {
        if self.records.with_untracked(Records::has_unsaved) && self.shown() != Some(account) {
            self.persist();
            return;
        }
        let Some(session) =
            self.sessions.with_untracked(|all| all.iter().find(|s| s.account.account_id == account).cloned())
        else {
            return;
        };
        let _ = BrowserStore.save_current(account);
        self.records.set(Records::default());
        self.session.set(Some(session));
        self.sync.set(SyncStatus::NotStarted);
        self.open(account);
    }

    /// Forgets a person on this device: their pairing, records and receipt photos (those
    /// no other person here uses). The caller has checked nothing is waiting, or warned.
    pub fn remove_person(&self, account: AccountId) {
        let wallet = *self;
        spawn_local(async move {
            let mine = wallet.records_of(account).await.map(|r| r.receipts()).unwrap_or_default();
            wallet.sessions.update(|all| all.retain(|s| s.account.account_id != account));
            let _ = wallet.sessions.with_untracked(|all| BrowserStore.save_sessions(all));
            let mut still_used = std::collections::BTreeSet::new();
            for other in wallet.sessions.get_untracked() {
                if let Ok(records) = wallet.records_of(other.account.account_id).await {
                    still_used.extend(records.receipts());
                }
            }
            let orphans: Vec<_> = mine.difference(&still_used).cloned().collect();
            if let Err(e) = BrowserStore.delete_records(account).await {
                wallet.storage_problem.set(Some(e.to_string()));
            }
            let _ = receipts::delete(&orphans).await;
            if wallet.shown() == Some(account) {
                wallet.records.set(Records::default());
                wallet.session.set(None);
            }
            let next = wallet.sessions.with_untracked(|all| all.first().map(|s| s.account.account_id));
            if let Some(next) = next {
                if wallet.shown().is_none() {
                    wallet.switch_to(next);
                }
            }
        });
    }

    /// What this device would lose for good if a person were removed now: their records
    /// the council does not hold yet, described.
    pub async fn unsent(&self, account: AccountId) -> Vec<String> {
        let Ok(records) = self.records_of(account).await else {
            return vec!["Their records could not be read on this device just now.".to_owned()];
        };
        records
            .records
            .iter()
            .filter(|r| r.delivery == crate::store::Delivery::Waiting)
            .map(|r| match &r.entry.body {
                EntryBody::Spend(s) => {
                    format!("{} to {} on {}", s.amount, s.payee, tally_ledger::date::long_date(s.date))
                }
                EntryBody::Explanation(_) => "An explanation".to_owned(),
                EntryBody::Correction(_) => "A correction".to_owned(),
                EntryBody::Void(_) => "A cancellation".to_owned(),
                _ => "A record".to_owned(),
            })
            .collect()
    }

    /// The device's records as the sync engine sees them: the shown account's in memory,
    /// the others in the browser's store.
    fn device(&self) -> Device<BrowserStore, Wallet> {
        Device { store: BrowserStore, shown: *self }
    }

    /// Whether this device still holds an account.
    fn holds(&self, account: AccountId) -> bool {
        self.sessions.with_untracked(|all| all.iter().any(|s| s.account.account_id == account))
    }

    /// A copy of one account's records as they are now.
    async fn records_of(&self, account: AccountId) -> Result<Records, StoreError> {
        self.device().records_of(account).await
    }

    /// Keeps new entries made on this device, then tries to send them. The entries are
    /// in memory (and on screen) at once; the write to the device follows, timed as
    /// `tally:save` for the benchmarks.
    pub fn log(&self, entries: Vec<Entry>) {
        browser::mark("tally:save-start");
        self.records.update(|r| entries.into_iter().for_each(|e| r.add_local(e)));
        let wallet = *self;
        spawn_local(async move {
            if wallet.flush().await.is_ok() {
                browser::measure("tally:save", "tally:save-start");
            }
            wallet.sync_now();
        });
    }

    /// Notes that the person has put right (or read) a record the council refused.
    pub fn settle(&self, id: tally_ledger::EntryId) {
        self.records.update(|r| r.settle(id));
        self.persist();
    }

    /// A new entry written on this device by the account's person, now.
    pub fn new_entry(&self, body: EntryBody) -> Option<Entry> {
        self.session.with_untracked(|session| {
            let session = session.as_ref()?;
            Some(Entry {
                id: browser::new_entry_id(),
                account: session.account.account_id,
                author: Author {
                    name: session.author_name().to_owned(),
                    device: Some(session.device_id),
                    device_seq: None,
                },
                recorded_at: browser::now(),
                body,
            })
        })
    }

    /// Writes what changed to the device, in the background.
    fn persist(&self) {
        let wallet = *self;
        spawn_local(async move {
            let _ = wallet.flush().await;
        });
    }

    /// Writes the shown account's unsaved records to the device. On failure they stay in
    /// memory (and unsaved), the person is told, and the write is tried again shortly and
    /// on every save and sync.
    async fn flush(&self) -> Result<(), StoreError> {
        let Some(account) = self.shown() else { return Ok(()) };
        if !self.loaded.get_untracked() {
            return Ok(());
        }
        let changes = self.records.with_untracked(Records::unsaved);
        if changes.is_empty() {
            return Ok(());
        }
        match BrowserStore.save(account, &changes).await {
            Ok(()) => {
                if self.shown() == Some(account) {
                    // Not a change anyone sees: no need to redraw or refold.
                    self.records.update_untracked(|r| r.saved(&changes));
                }
                if self.storage_problem.with_untracked(Option::is_some)
                    && !self.records.with_untracked(Records::has_unsaved)
                {
                    self.storage_problem.set(None);
                }
                Ok(())
            }
            Err(e) => {
                self.storage_problem.set(Some(e.to_string()));
                if !self.save_retry.get_value() {
                    self.save_retry.set_value(true);
                    let wallet = *self;
                    set_timeout(
                        move || {
                            wallet.save_retry.set_value(false);
                            wallet.persist();
                        },
                        SAVE_RETRY,
                    );
                }
                Err(e)
            }
        }
    }

    /// Runs a sync round now, unless one is running.
    pub fn sync_now(&self) {
        if self.session.with_untracked(Option::is_none) || !self.loaded.get_untracked() {
            return;
        }
        if self.running.get_value() {
            self.again.set_value(true);
            return;
        }
        self.running.set_value(true);
        self.again.set_value(false);
        let wallet = *self;
        spawn_local(async move {
            wallet.sync.set(SyncStatus::Syncing);
            let outcome = wallet.round().await;
            wallet.running.set_value(false);
            match outcome {
                Ok(()) => {
                    wallet.attempts.set_value(0);
                    wallet.sync.set(SyncStatus::Done { at: browser::now() });
                    if wallet.again.get_value() {
                        wallet.sync_now();
                    }
                }
                Err(SyncError::Unreachable) => wallet.retry_later(),
                Err(SyncError::NotPaired(message)) | Err(SyncError::Refused(message)) => {
                    wallet.sync.set(SyncStatus::Problem(message));
                }
            }
        });
    }

    fn retry_later(&self) {
        let attempt = self.attempts.get_value() + 1;
        self.attempts.set_value(attempt);
        let delay_ms = sync::retry_delay_ms(attempt, js_sys::Math::random());
        self.sync.set(SyncStatus::Unreachable { retry_in_s: delay_ms.div_ceil(1000) });
        let wallet = *self;
        set_timeout(move || wallet.sync_now(), std::time::Duration::from_millis(delay_ms.into()));
    }

    /// For every account on this device, the one shown first: push everything waiting,
    /// then pull everything new. Results are applied to the records as they are at that
    /// moment, so a spend logged during the round is never overwritten.
    async fn round(&self) -> Result<(), SyncError> {
        let client = SyncClient::new(browser::api_base());
        // Retry saving first if the device refused it last time.
        if self.storage_problem.with_untracked(Option::is_some) {
            let _ = self.flush().await;
        }
        let shown = self.shown();
        let (mut sessions, others): (Vec<Session>, Vec<Session>) =
            self.sessions.get_untracked().into_iter().partition(|s| Some(s.account.account_id) == shown);
        sessions.extend(others);
        // One person's problem does not stop the others' records being sent. "Try again
        // later" wins over other problems, so the retry is always scheduled.
        let mut outcome = Ok(());
        for session in sessions.into_iter().filter(|s| !s.local) {
            if let Err(error) = self.sync_account(&client, &session).await {
                outcome = match (outcome, error) {
                    (_, SyncError::Unreachable) | (Err(SyncError::Unreachable), _) => Err(SyncError::Unreachable),
                    (Ok(()), other) => Err(other),
                    (earlier, _) => earlier,
                };
            }
        }
        outcome
    }

    async fn sync_account(&self, client: &SyncClient, session: &Session) -> Result<(), SyncError> {
        let Some(synced) = sync::sync_account(client, &self.device(), session).await? else { return Ok(()) };
        self.note_storage(synced.storage.map_or(Ok(()), Err));
        self.take_profile(synced.profile);
        self.send_receipts(client, session, &synced.photos).await
    }

    /// Keeps the council's current profile of an account (a new plan version, a changed
    /// policy) in its pairing on this device, when it differs.
    fn take_profile(&self, profile: AccountProfile) {
        let account = profile.account_id;
        let changed = self
            .sessions
            .with_untracked(|all| all.iter().any(|s| s.account.account_id == account && s.account != profile));
        if !changed {
            return;
        }
        self.sessions.update(|all| {
            for session in all.iter_mut().filter(|s| s.account.account_id == account) {
                session.account = profile.clone();
            }
        });
        if let Err(e) = self.sessions.with_untracked(|all| BrowserStore.save_sessions(all)) {
            self.storage_problem.set(Some(e.to_string()));
        }
        if self.shown() == Some(account) {
            self.session.update(|shown| {
                if let Some(shown) = shown {
                    shown.account = profile;
                }
            });
        }
    }

    /// Sends the receipt photos this device holds and the council does not, one request
    /// each, after the records that name them. Photos the council holds are noted on the
    /// device and never asked about again; a round cut off part way goes on next time with
    /// the photos still missing. A photo taken on another phone is that phone's to send.
    async fn send_receipts(
        &self,
        client: &SyncClient,
        session: &Session,
        named: &[ReceiptRef],
    ) -> Result<(), SyncError> {
        let account = session.account.account_id;
        // A device that cannot read its photo marks sends nothing now; the next round tries.
        let Ok(waiting) = receipts::not_sent(account, named).await else { return Ok(()) };
        if waiting.is_empty() {
            return Ok(());
        }
        let missing = client.missing_receipts(session, &waiting).await?;
        let held: Vec<ReceiptRef> = waiting.into_iter().filter(|r| !missing.contains(r)).collect();
        let _ = receipts::mark_sent(account, &held).await;
        let mut refused = None;
        for receipt in missing {
            if !self.holds(account) {
                return Ok(());
            }
            let Some((content_type, bytes)) = receipts::bytes(&receipt).await else { continue };
            match client.upload_receipt(session, &receipt, &content_type, bytes).await {
                Ok(()) => {
                    let _ = receipts::mark_sent(account, std::slice::from_ref(&receipt)).await;
                }
                // Said once the others are sent; it is tried again next round.
                Err(SyncError::Refused(message)) => {
                    refused = Some(format!("A receipt photo was not accepted: {message}"))
                }
                Err(other) => return Err(other),
            }
        }
        refused.map_or(Ok(()), |message| Err(SyncError::Refused(message)))
    }

    /// Shows a failed write to the device (for accounts not on screen).
    fn note_storage(&self, result: Result<(), StoreError>) {
        if let Err(e) = result {
            self.storage_problem.set(Some(e.to_string()));
        }
    }
}

/// How often the open app asks the council for news.
const NEWS_EVERY: std::time::Duration = std::time::Duration::from_secs(180);

/// The council's questions waiting for the person: spending it asked about (its last word
/// on it is a question) and statement payments it asked about that are still open.
fn questions_waiting(ledger: &Ledger) -> usize {
    let histories = ledger.histories();
    let asked = ledger
        .view()
        .spending()
        .filter(|active| histories.get(&active.id()).is_some_and(|h| h.awaits_answer()))
        .count();
    let open = ledger.queries().iter().filter(|q| q.status == tally_ledger::QueryStatus::Open).count();
    asked + open
}

/// The wallet app.
#[component]
pub fn App() -> impl IntoView {
    let wallet = Wallet::new();
    provide_context(wallet);
    // Sync at start-up (once the records are read) and whenever the network comes back.
    wallet.sync_now();
    // Keep the app for offline use; offer a new version when one has arrived.
    let update_ready = RwSignal::new(false);
    browser::register_service_worker(move || update_ready.set(true));
    let _online = window_event_listener(leptos::ev::online, move |_| wallet.sync_now());
    // News from the council (a question, a decision, money in): checked whenever the person
    // comes back to the app, and every few minutes while it is open.
    let _focus = window_event_listener(leptos::ev::focus, move |_| wallet.sync_now());
    let _news = set_interval_with_handle(move || wallet.sync_now(), NEWS_EVERY);
    // The app icon's badge: the council's questions waiting for the person's answer.
    let waiting = Memo::new(move |_| wallet.ledger.with(questions_waiting));
    Effect::new(move |_| browser::set_app_badge(waiting.get()));
    // The idle lock: any touch or key press counts as use; check every 15 seconds.
    let _pointer = window_event_listener(leptos::ev::pointerdown, move |_| wallet.active());
    let _keys = window_event_listener(leptos::ev::keydown, move |_| wallet.active());
    let _idle = set_interval_with_handle(move || wallet.lock_if_idle(), std::time::Duration::from_secs(15));
    // Which screen shows, as a memo: the pages are built again only when it changes, never
    // because a sync round brought a new profile or records (which would lose what the
    // person was typing).
    let screen = Memo::new(move |_| {
        if wallet.locked.get() && wallet.lock.with(Option::is_some) {
            Screen::Locked
        } else if wallet.session.with(Option::is_none) {
            Screen::Unpaired
        } else if !wallet.loaded.get() {
            Screen::Opening
        } else {
            Screen::Wallet
        }
    });

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <Header/>
            <main id="main" tabindex="-1">
                <Show when=move || update_ready.get()>
                    <div class="notice" role="status">
                        <p>"A new version of Tally is ready."</p>
                        {move || if wallet.records.with(Records::has_unsaved) {
                            view! { <p>"It will be used once your records are saved on this device."</p> }.into_any()
                        } else {
                            view! {
                                <button type="button" class="button button--secondary" on:click=move |_| browser::apply_update()>
                                    "Reload to update"
                                </button>
                            }.into_any()
                        }}
                    </div>
                </Show>
                {move || match wallet.records.with(|r| r.unreadable) {
                    0 => None,
                    n => Some(view! {
                        <div class="notice" role="status">
                            <p>{if n == 1 {
                                "The council has sent a record this version of Tally cannot show yet. It is kept safely on this device and will show once Tally updates.".to_owned()
                            } else {
                                format!("The council has sent {n} records this version of Tally cannot show yet. They are kept safely on this device and will show once Tally updates.")
                            }}</p>
                        </div>
                    }),
                }}
                {move || wallet.storage_problem.get().map(|message| view! {
                    <div class="notice notice--warning" role="alert">
                        <p><strong>"Not saved on this device yet. "</strong>{message}</p>
                    </div>
                })}
                {move || match screen.get() {
                    Screen::Locked => view! { <crate::pages::device::LockScreen/> }.into_any(),
                    Screen::Opening => view! {
                        <p class="loading" role="status">"Opening your records…"</p>
                    }.into_any(),
                    Screen::Wallet => {
                    view! {
                        <FocusOnNavigate/>
                        <Routes fallback=|| view! { <NotFound/> }>
                            <Route path=path!("/") view=Home/>
                            <Route path=path!("/log") view=LogSpending/>
                            <Route path=path!("/history") view=History/>
                            <Route path=path!("/entries/:id") view=EntryDetail/>
                            <Route path=path!("/questions/:id") view=crate::pages::query::QueryPage/>
                            <Route path=path!("/plan") view=PlanPage/>
                            <Route path=path!("/money-in") view=MoneyIn/>
                            <Route path=path!("/export") view=Export/>
                            <Route path=path!("/help") view=Help/>
                            <Route path=path!("/add-person") view=Pair/>
                            <Route path=path!("/device") view=DevicePage/>
                            <Route path=path!("/start-local") view=crate::pages::local::LocalSetup/>
                        </Routes>
                    }.into_any()
                    }
                    Screen::Unpaired => view! {
                        <Routes fallback=|| view! { <Pair/> }>
                            <Route path=path!("/start-local") view=crate::pages::local::LocalSetup/>
                        </Routes>
                    }.into_any(),
                }}
            </main>
        </Router>
    }
}

/// What the main part of the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Screen {
    /// The PIN lock, over everything.
    Locked,
    /// No one paired on this device yet: pairing, or starting without a council.
    Unpaired,
    /// The shown person's records are being read from the device.
    Opening,
    Wallet,
}

/// The header: the app's name, whose account this is (switched in one step when a carer
/// holds several), and the main navigation.
#[component]
fn Header() -> impl IntoView {
    let wallet = use_wallet();
    let location = use_location();
    // Home has the full sync panel; every other screen has the line.
    let on_home = move || location.pathname.with(|p| p == "/");
    let current =
        move || wallet.session.with(|s| s.as_ref().map(|s| (s.account.account_id, s.account.person_name.clone())));
    let others = move || {
        let shown = current().map(|(id, _)| id);
        wallet.sessions.with(|all| {
            all.iter()
                .filter(|s| Some(s.account.account_id) != shown)
                .map(|s| (s.account.account_id, s.account.person_name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <header class="app-header">
            <div class="app-header__inner">
                <p class="app-name">"Tally"</p>
                {move || current().filter(|_| !wallet.locked.get()).map(|(_, name)| view! { <p class="app-header__person">{format!("Account of {name}")}</p> })}
            </div>
            <Show when=move || current().is_some() && !(wallet.locked.get() && wallet.lock.with(Option::is_some))>
                <nav class="app-nav" aria-label="Main">
                    <ul>
                        <li><A href="/" exact=true>"Home"</A></li>
                        <li><A href="/log">"Log spending"</A></li>
                        <li><A href="/history">"History"</A></li>
                        <li><A href="/plan">"Plan"</A></li>
                        <li><A href="/money-in">"Money in"</A></li>
                        <li><A href="/export">"Export"</A></li>
                        <li><A href="/help">"Help"</A></li>
                    </ul>
                </nav>
                <div class="people" role="group" aria-label="People on this device">
                    {move || others().into_iter().map(|(id, name)| view! {
                        <button type="button" class="people__switch" on:click=move |_| wallet.switch_to(id)>
                            {format!("Switch to {name}")}
                        </button>
                    }).collect_view()}
                    <A href="/add-person" attr:class="people__add">"Add a person"</A>
                    <A href="/device" attr:class="people__add">"This device"</A>
                </div>
                <Show when=move || !on_home()>
                    <crate::components::sync_status::SyncLine/>
                </Show>
            </Show>
        </header>
    }
}

/// After moving to another page, put keyboard and screen reader focus on its heading, as
/// a full page load would.
#[component]
fn FocusOnNavigate() -> impl IntoView {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            set_timeout(
                || {
                    let heading = document().query_selector("main h1").ok().flatten();
                    if let Some(heading) =
                        heading.and_then(|h| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h).ok())
                    {
                        let _ = heading.set_attribute("tabindex", "-1");
                        let _ = heading.focus();
                    }
                },
                std::time::Duration::ZERO,
            );
        }
        path
    });
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address. "<A href="/">"Go to the home page"</A>"."</p>
    }
}

pub use tally_web::page_title;

/// The wallet from context; every component below [`App`] has one.
pub fn use_wallet() -> Wallet {
    expect_context::<Wallet>()
}
/// What is on screen, for the sync engine: the shown account's records live here while it
/// is loaded; changes to them are written to the device in the background.
impl Shown for Wallet {
    fn shown(&self) -> Option<AccountId> {
        Wallet::shown(self).filter(|_| self.loaded.get_untracked())
    }

    fn holds(&self, account: AccountId) -> bool {
        Wallet::holds(self, account)
    }

    fn copy(&self) -> Records {
        self.records.get_untracked()
    }

    fn change(&self, change: impl FnOnce(&mut Records)) {
        self.records.update(change);
        self.persist();
    }
}

const _: fn() = || {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Wallet>();
};
