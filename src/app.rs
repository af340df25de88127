//! The root component and the wallet's shared state.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;
use tally_ledger::{Author, Entry, EntryBody, Ledger};
use time::OffsetDateTime;

use crate::browser;
use crate::pages::{
    device::DevicePage, entry::EntryDetail, export::Export, help::Help, history::History, home::Home, log::LogSpending, money_in::MoneyIn, pair::Pair,
    plan::PlanPage,
};
use crate::store::{BrowserStore, LocalStore, Records, Session};
use crate::sync::{self, SyncClient, SyncError};

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
    /// Everything this device knows about the account.
    pub records: RwSignal<Records>,
    /// The ledger over those records (refused ones left out), recomputed when they change.
    pub ledger: Memo<Ledger>,
    pub sync: RwSignal<SyncStatus>,
    /// Set while the device could not store the records; cleared once it could.
    pub storage_problem: RwSignal<Option<String>>,
    /// Whether a sync round is running (so rounds never overlap).
    running: StoredValue<bool>,
    /// Set when a sync is asked for during a round: another round follows at once, so a
    /// spend logged mid-round is not left waiting.
    again: StoredValue<bool>,
    /// Failed rounds in a row, for backoff.
    attempts: StoredValue<u32>,
    /// The PIN lock's settings, when a PIN is set.
    pub lock: RwSignal<Option<crate::lock::LockSettings>>,
    /// Whether the lock screen is showing.
    pub locked: RwSignal<bool>,
    /// When the person last touched or typed (browser milliseconds).
    last_activity: StoredValue<f64>,
}

impl Wallet {
    fn new() -> Wallet {
        let sessions = BrowserStore.load_sessions();
        let current = BrowserStore.load_current();
        let session = sessions.iter().find(|s| Some(s.account.account_id) == current).or(sessions.first()).cloned();
        let records = RwSignal::new(
            session.as_ref().map(|s| BrowserStore.load_records(s.account.account_id)).unwrap_or_default(),
        );
        let lock = crate::lock::load();
        Wallet {
            session: RwSignal::new(session),
            sessions: RwSignal::new(sessions),
            records,
            ledger: Memo::new(move |_| records.with(Records::ledger)),
            sync: RwSignal::new(SyncStatus::NotStarted),
            storage_problem: RwSignal::new(None),
            running: StoredValue::new(false),
            again: StoredValue::new(false),
            attempts: StoredValue::new(0),
            locked: RwSignal::new(lock.is_some()),
            lock: RwSignal::new(lock),
            last_activity: StoredValue::new(js_sys::Date::now()),
        }
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
    /// the new account (see [`Records::move_to`]) and are sent; the local one goes.
    pub fn connect_local(&self, local: tally_ledger::AccountId, session: Session) {
        let mut records = self.records_of(local);
        records.move_to(session.account.account_id, session.device_id);
        let mut existing = BrowserStore.load_records(session.account.account_id);
        for record in records.records {
            existing.add_local(record.entry);
        }
        if let Err(e) = BrowserStore.save_records(session.account.account_id, &existing) {
            // Keep the local records untouched if the moved copy could not be written.
            self.storage_problem.set(Some(e.to_string()));
            return;
        }
        BrowserStore.delete_records(local);
        self.sessions.update(|all| all.retain(|s| s.account.account_id != local));
        self.paired(session);
    }

    /// Shows another person's account on this device. Refused (with the storage message
    /// showing) while the person shown has records this device could not save, so they are
    /// never dropped from memory.
    pub fn switch_to(&self, account: tally_ledger::AccountId) {
        if self.storage_problem.with_untracked(Option::is_some) {
            self.persist();
            if self.storage_problem.with_untracked(Option::is_some) {
                return;
            }
        }
        let Some(session) = self.sessions.with_untracked(|all| all.iter().find(|s| s.account.account_id == account).cloned()) else {
            return;
        };
        let _ = BrowserStore.save_current(account);
        self.records.set(BrowserStore.load_records(account));
        self.session.set(Some(session));
        self.sync.set(SyncStatus::NotStarted);
        self.sync_now();
    }

    /// Forgets a person on this device: their pairing, records and receipt photos (those
    /// no other person here uses). The caller has checked nothing is waiting, or warned.
    pub fn remove_person(&self, account: tally_ledger::AccountId) {
        let mine = self.records_of(account).receipts();
        self.sessions.update(|all| all.retain(|s| s.account.account_id != account));
        let _ = self.sessions.with_untracked(|all| BrowserStore.save_sessions(all));
        let still_used: std::collections::BTreeSet<_> = self
            .sessions
            .with_untracked(|all| all.iter().flat_map(|s| self.records_of(s.account.account_id).receipts()).collect());
        let orphans: Vec<_> = mine.difference(&still_used).cloned().collect();
        BrowserStore.delete_records(account);
        leptos::task::spawn_local(async move {
            let _ = crate::receipts::delete(&orphans).await;
        });
        let next = self.sessions.with_untracked(|all| all.first().map(|s| s.account.account_id));
        match next {
            Some(next) => self.switch_to(next),
            None => {
                self.records.set(Records::default());
                self.session.set(None);
            }
        }
    }

    /// What this device would lose for good if a person were removed now: their records
    /// the council does not hold yet, described.
    pub fn unsent(&self, account: tally_ledger::AccountId) -> Vec<String> {
        self.records_of(account)
            .records
            .iter()
            .filter(|r| r.delivery == crate::store::Delivery::Waiting)
            .map(|r| match &r.entry.body {
                EntryBody::Spend(s) => format!("{} to {} on {}", s.amount, s.payee, tally_ledger::date::long_date(s.date)),
                EntryBody::Explanation(_) => "An explanation".to_owned(),
                EntryBody::Correction(_) => "A correction".to_owned(),
                EntryBody::Void(_) => "A cancellation".to_owned(),
                _ => "A record".to_owned(),
            })
            .collect()
    }

    /// Changes one account's records: the live ones if it is shown now, otherwise the
    /// stored ones, read and written back with nothing in between (so nothing logged
    /// meanwhile can be overwritten).
    fn update_records(&self, account: tally_ledger::AccountId, change: impl FnOnce(&mut Records)) {
        if !self.holds(account) {
            // Removed from this device while a sync was under way: nothing is written back.
            return;
        }
        let shown = self.session.with_untracked(|s| s.as_ref().map(|s| s.account.account_id)) == Some(account);
        if shown {
            self.records.update(change);
            self.persist();
        } else {
            let mut records = BrowserStore.load_records(account);
            change(&mut records);
            if let Err(e) = BrowserStore.save_records(account, &records) {
                self.storage_problem.set(Some(e.to_string()));
            }
        }
    }

    /// Whether this device still holds an account.
    fn holds(&self, account: tally_ledger::AccountId) -> bool {
        self.sessions.with_untracked(|all| all.iter().any(|s| s.account.account_id == account))
    }

    /// A copy of one account's records as they are now.
    fn records_of(&self, account: tally_ledger::AccountId) -> Records {
        let shown = self.session.with_untracked(|s| s.as_ref().map(|s| s.account.account_id)) == Some(account);
        if shown { self.records.get_untracked() } else { BrowserStore.load_records(account) }
    }

    /// Keeps new entries made on this device (in one write), then tries to send them.
    pub fn log(&self, entries: Vec<Entry>) {
        self.records.update(|r| entries.into_iter().for_each(|e| r.add_local(e)));
        self.persist();
        self.sync_now();
    }

    /// A new entry written on this device by the account's person, now.
    pub fn new_entry(&self, body: EntryBody) -> Option<Entry> {
        self.session.with_untracked(|session| {
            let session = session.as_ref()?;
            Some(Entry {
                id: browser::new_entry_id(),
                account: session.account.account_id,
                author: Author { name: session.author_name().to_owned(), device: Some(session.device_id) },
                recorded_at: browser::now(),
                body,
            })
        })
    }

    /// Writes the records to the device. On failure they stay in memory, the person is
    /// told, and the next sync or save tries again.
    fn persist(&self) {
        let Some(account) = self.session.with_untracked(|s| s.as_ref().map(|s| s.account.account_id)) else {
            return;
        };
        let result = self.records.with_untracked(|records| BrowserStore.save_records(account, records));
        self.storage_problem.set(result.err().map(|e| e.to_string()));
    }

    /// Runs a sync round now, unless one is running.
    pub fn sync_now(&self) {
        if self.session.with_untracked(Option::is_none) {
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
            self.persist();
        }
        let shown = self.session.with_untracked(|s| s.as_ref().map(|s| s.account.account_id));
        let mut sessions = self.sessions.get_untracked();
        sessions.sort_by_key(|s| Some(s.account.account_id) != shown);
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
        let account = session.account.account_id;
        for batch in sync::batches(&self.records_of(account)) {
            if !self.holds(account) {
                return Ok(());
            }
            let response = client.push(session, &batch).await?;
            self.update_records(account, |r| sync::apply_push(r, &batch, &response));
        }
        // The cursor is kept here, so a page that could not be saved is not fetched again
        // and again within the round.
        let mut cursor = self.records_of(account).cursor;
        loop {
            if !self.holds(account) {
                return Ok(());
            }
            let page = client.pull(session, cursor).await?;
            let more = page.more;
            cursor = page.cursor;
            self.update_records(account, |r| r.merge_pulled(page.entries, page.cursor));
            if !more {
                return Ok(());
            }
        }
    }
}

/// The wallet app.
#[component]
pub fn App() -> impl IntoView {
    let wallet = Wallet::new();
    provide_context(wallet);
    // Sync at start-up and whenever the network comes back.
    wallet.sync_now();
    let _online = window_event_listener(leptos::ev::online, move |_| wallet.sync_now());
    // The idle lock: any touch or key press counts as use; check every 15 seconds.
    let _pointer = window_event_listener(leptos::ev::pointerdown, move |_| wallet.active());
    let _keys = window_event_listener(leptos::ev::keydown, move |_| wallet.active());
    let _idle = set_interval_with_handle(move || wallet.lock_if_idle(), std::time::Duration::from_secs(15));

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <Header/>
            <main id="main" tabindex="-1">
                {move || wallet.storage_problem.get().map(|message| view! {
                    <div class="notice notice--warning" role="alert">
                        <p><strong>"Not saved on this device yet. "</strong>{message}</p>
                    </div>
                })}
                {move || if wallet.locked.get() && wallet.lock.with(Option::is_some) {
                    view! { <crate::pages::device::LockScreen/> }.into_any()
                } else if wallet.session.with(Option::is_some) {
                    view! {
                        <FocusOnNavigate/>
                        <Routes fallback=|| view! { <NotFound/> }>
                            <Route path=path!("/") view=Home/>
                            <Route path=path!("/log") view=LogSpending/>
                            <Route path=path!("/history") view=History/>
                            <Route path=path!("/entries/:id") view=EntryDetail/>
                            <Route path=path!("/plan") view=PlanPage/>
                            <Route path=path!("/money-in") view=MoneyIn/>
                            <Route path=path!("/export") view=Export/>
                            <Route path=path!("/help") view=Help/>
                            <Route path=path!("/add-person") view=Pair/>
                            <Route path=path!("/device") view=DevicePage/>
                            <Route path=path!("/start-local") view=crate::pages::local::LocalSetup/>
                        </Routes>
                    }.into_any()
                } else {
                    view! {
                        <Routes fallback=|| view! { <Pair/> }>
                            <Route path=path!("/start-local") view=crate::pages::local::LocalSetup/>
                        </Routes>
                    }.into_any()
                }}
            </main>
        </Router>
    }
}

/// The header: the app's name, whose account this is (switched in one step when a carer
/// holds several), and the main navigation.
#[component]
fn Header() -> impl IntoView {
    let wallet = use_wallet();
    let current = move || wallet.session.with(|s| s.as_ref().map(|s| (s.account.account_id, s.account.person_name.clone())));
    let others = move || {
        let shown = current().map(|(id, _)| id);
        wallet.sessions.with(|all| {
            all.iter().filter(|s| Some(s.account.account_id) != shown).map(|s| (s.account.account_id, s.account.person_name.clone())).collect::<Vec<_>>()
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
                    if let Some(heading) = heading.and_then(|h| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h).ok()) {
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

/// Sets the browser tab's title: "History — Tally".
pub fn page_title(title: &str) {
    document().set_title(&format!("{title} — Tally"));
}

/// The wallet from context; every component below [`App`] has one.
pub fn use_wallet() -> Wallet {
    expect_context::<Wallet>()
}
const _: fn() = || {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Wallet>();
};
