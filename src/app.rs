//! The root component and the wallet's shared state.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_ledger::Entry;
use time::OffsetDateTime;

use crate::browser;
use crate::pages::{home::Home, pair::Pair};
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
    /// The paired account, if any.
    pub session: RwSignal<Option<Session>>,
    /// Everything this device knows about the account.
    pub records: RwSignal<Records>,
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
}

impl Wallet {
    fn new() -> Wallet {
        let session = BrowserStore.load_session();
        let records = session.as_ref().map(|s| BrowserStore.load_records(s.account.account_id)).unwrap_or_default();
        Wallet {
            session: RwSignal::new(session),
            records: RwSignal::new(records),
            sync: RwSignal::new(SyncStatus::NotStarted),
            storage_problem: RwSignal::new(None),
            running: StoredValue::new(false),
            again: StoredValue::new(false),
            attempts: StoredValue::new(0),
        }
    }

    /// Starts using a newly paired account. Anything this device already held for the
    /// account is kept.
    pub fn paired(&self, session: Session) {
        if let Err(e) = BrowserStore.save_session(&session) {
            self.storage_problem.set(Some(e.to_string()));
        }
        self.records.set(BrowserStore.load_records(session.account.account_id));
        self.session.set(Some(session));
        self.sync_now();
    }

    /// Keeps a new entry made on this device, then tries to send it.
    pub fn log(&self, entry: Entry) {
        self.records.update(|r| r.add_local(entry));
        self.persist();
        self.sync_now();
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

    /// Push everything waiting, then pull everything new. Results are applied to the live
    /// records as they come, so a spend logged during the round is never overwritten.
    async fn round(&self) -> Result<(), SyncError> {
        let Some(session) = self.session.get_untracked() else {
            return Ok(());
        };
        let client = SyncClient::new(browser::api_base());
        // Retry saving first if the device refused it last time.
        if self.storage_problem.with_untracked(Option::is_some) {
            self.persist();
        }
        for batch in self.records.with_untracked(sync::batches) {
            let response = client.push(&session, &batch).await?;
            self.records.update(|r| sync::apply_push(r, &batch, &response));
            self.persist();
        }
        loop {
            let cursor = self.records.with_untracked(|r| r.cursor);
            let page = client.pull(&session, cursor).await?;
            let more = page.more;
            self.records.update(|r| r.merge_pulled(page.entries, page.cursor));
            self.persist();
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

    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="app-header">
            <p class="app-name">"Tally"</p>
        </header>
        <main id="main" tabindex="-1">
            {move || if wallet.session.with(Option::is_some) {
                view! { <Home/> }.into_any()
            } else {
                view! { <Pair/> }.into_any()
            }}
        </main>
    }
}

/// The wallet from context; every component below [`App`] has one.
pub fn use_wallet() -> Wallet {
    expect_context::<Wallet>()
}
const _: fn() = || {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Wallet>();
};
