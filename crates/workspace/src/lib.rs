//! The council workspace: for council finance officers, auditors and administrators, under
//! `/council`, served by the same council server as the wallet, as a build of its own
//! (this crate: `index.html`, `src/main.rs`). It needs the network (it
//! works on the council's records, not a person's phone) and says so when it has none.
//!
//! - `/council`: the accounts, exceptions first, with search;
//! - `/council/reviews`: flagged spending waiting for a decision;
//! - `/council/safeguarding`: the ledger's safeguarding signals, and what officers found;
//! - `/council/figures`: the council's figures for a period, with a chart and as CSV;
//! - `/council/policy`: the council's local rules (administrators change them);
//! - `/council/staff`: who has access, with which role (administrators);
//! - `/council/api-clients`: finance systems' API clients (administrators);
//! - `/council/audit-log`: the council's audit trail, filtered (administrators);
//! - `/council/your-account`: changing your own password;
//! - `/council/set-password#…`: choosing a password with a one-time link (signed out);
//! - `/council/accounts/:reference`: one account: figures, spending with flags and
//!   decisions, money in and surplus, statements (import), exports, devices (pairing
//!   codes, revoking), the audit trail;
//! - `/council/accounts/:reference/statements/:statement`: a statement's lines and
//!   matches, and reconciling and closing the period.
//!
//! Every figure and flag comes from the server, which computes them with the same ledger
//! and rules as the wallet.

pub mod client;
mod pages;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use tally_api::StaffProfile;

use tally_web::Problem;

/// The signed-in member of staff, shared with every workspace page.
#[derive(Clone, Copy)]
pub struct Workspace {
    /// `None` while checking, `Some(None)` when nobody is signed in.
    pub staff: RwSignal<Option<Option<StaffProfile>>>,
    pub online: RwSignal<bool>,
    /// A confirmation to show on the next page (after an action that moves to it).
    pub flash: RwSignal<Option<String>>,
}

impl Workspace {
    pub fn csrf(&self) -> String {
        self.staff
            .with_untracked(|s| s.as_ref().and_then(|s| s.as_ref()).map(|s| s.csrf_token.clone()).unwrap_or_default())
    }

    pub fn can_change(&self) -> bool {
        self.staff.with(|s| s.as_ref().and_then(|s| s.as_ref()).is_some_and(|s| s.role.may_change()))
    }

    /// Reads an answer of the workspace API (a [`client`] read) into `into` (what `pick`
    /// takes from it); a problem is noted (see [`Workspace::note`]) and shown as its message.
    pub fn fetch<T, U>(
        self,
        answer: impl std::future::Future<Output = Result<T, Problem>> + 'static,
        into: RwSignal<Option<Result<U, String>>>,
        pick: impl FnOnce(T) -> U + 'static,
    ) where
        T: 'static,
        U: Send + Sync + 'static,
    {
        spawn_local(async move {
            let result = answer.await;
            if let Err(problem) = &result {
                self.note(problem);
            }
            into.set(Some(result.map(pick).map_err(|problem| problem.message())));
        });
    }

    /// A read of the workspace API as a Leptos resource: read when the page opens, again
    /// whenever a signal `read` uses changes, and on `refetch()` after a change. A problem is
    /// noted (see [`Workspace::note`]) and kept as its message, for [`shown`] to say.
    pub fn resource<T, Fut>(self, read: impl Fn() -> Fut + 'static) -> LocalResource<Result<T, String>>
    where
        T: 'static,
        Fut: std::future::Future<Output = Result<T, Problem>> + 'static,
    {
        LocalResource::new(move || {
            let answer = read();
            async move {
                answer.await.map_err(|problem| {
                    self.note(&problem);
                    problem.message()
                })
            }
        })
    }

    /// Reads who is signed in again (after a change to their own sign-in, such as turning
    /// two-factor sign-in on).
    pub fn reload_profile(self) {
        spawn_local(async move {
            match client::me().await {
                Ok(profile) => self.staff.set(Some(Some(profile))),
                Err(problem) => self.note(&problem),
            }
        });
    }

    /// Handles a problem every page can meet: a session that ended goes back to sign-in.
    pub fn note(&self, problem: &Problem) {
        match problem {
            // Only when someone was signed in: redrawing the sign-in page would lose what
            // was typed there.
            Problem::SignedOut(_) if self.staff.with_untracked(|s| matches!(s, Some(Some(_)))) => {
                self.staff.set(Some(None))
            }
            Problem::Offline if self.online.get_untracked() => self.online.set(false),
            _ => {}
        }
    }
}

pub fn use_workspace() -> Workspace {
    expect_context::<Workspace>()
}

#[component]
pub fn WorkspaceApp() -> impl IntoView {
    let workspace = Workspace {
        staff: RwSignal::new(None),
        online: RwSignal::new(tally_web::browser::online()),
        flash: RwSignal::new(None),
    };
    provide_context(workspace);
    spawn_local(async move {
        match client::me().await {
            Ok(profile) => workspace.staff.set(Some(Some(profile))),
            Err(problem) => {
                workspace.note(&problem);
                workspace.staff.set(Some(None));
            }
        }
    });
    let _online = window_event_listener(leptos::ev::online, move |_| workspace.online.set(true));
    let _offline = window_event_listener(leptos::ev::offline, move |_| workspace.online.set(false));
    let signed_in = move || workspace.staff.with(|s| s.as_ref().and_then(|s| s.as_ref()).cloned());
    // Which screen, as a memo: it changes only when the screen does, so learning twice that
    // the session ended (a page's request and the sign-out itself) never draws the sign-in
    // form again under someone typing in it.
    let screen = Memo::new(move |_| match workspace.staff.get() {
        None => Screen::Checking,
        Some(None) => Screen::SignedOut,
        Some(Some(staff)) if staff.two_factor_needed => Screen::TwoFactorSetup,
        Some(Some(_)) => Screen::Workspace,
    });

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <header class="app-header">
                <div class="app-header__inner">
                    <p class="app-name">"Tally for councils"</p>
                    {move || signed_in().map(|staff| view! {
                        <p class="app-header__person">{format!("{} · {} · {}", staff.name, staff.role_label, staff.council_name)}</p>
                    })}
                </div>
                {move || signed_in().map(|staff| view! {
                    <nav class="app-nav" aria-label="Workspace">
                        <ul>
                            <li><A href="/council" exact=true>"Accounts"</A></li>
                            <li><A href="/council/reviews">"Review queue"</A></li>
                            <li><A href="/council/safeguarding">"Safeguarding"</A></li>
                            <li><A href="/council/statement-feeds">"Card feeds"</A></li>
                            <li><A href="/council/figures">"Figures"</A></li>
                            <li><A href="/council/policy">"Policy"</A></li>
                            {staff.role.may_administer().then(|| view! { <li><A href="/council/staff">"Staff"</A></li> })}
                            {staff.role.may_administer().then(|| view! { <li><A href="/council/audit-log">"Audit log"</A></li> })}
                            {staff.role.may_administer().then(|| view! { <li><A href="/council/api-clients">"API clients"</A></li> })}
                            <li><A href="/council/your-account">"Your account"</A></li>
                            <li><SignOut/></li>
                        </ul>
                    </nav>
                })}
            </header>
            <main id="main" tabindex="-1">
                <Show when=move || !workspace.online.get()>
                    <div class="notice notice--warning" role="alert">
                        <p><strong>"You are offline. "</strong>"The council workspace needs a connection: nothing here can be read or changed until it is back."</p>
                    </div>
                </Show>
                {move || match screen.get() {
                    Screen::Checking => view! { <p class="loading" role="status">"Checking who is signed in…"</p> }.into_any(),
                    Screen::SignedOut => view! { <SignedOut/> }.into_any(),
                    Screen::TwoFactorSetup => view! { <pages::TwoFactorRequired/> }.into_any(),
                    Screen::Workspace => view! {
                        <Routes fallback=|| view! { <h1>"Page not found"</h1><p><A href="/council">"Go to the accounts"</A></p> }>
                            <Route path=path!("/council") view=pages::Accounts/>
                            <Route path=path!("/council/reviews") view=pages::Reviews/>
                            <Route path=path!("/council/safeguarding") view=pages::Safeguarding/>
                            <Route path=path!("/council/statement-feeds") view=pages::Feeds/>
                            <Route path=path!("/council/figures") view=pages::Figures/>
                            <Route path=path!("/council/policy") view=pages::Policy/>
                            <Route path=path!("/council/staff") view=pages::StaffPage/>
                            <Route path=path!("/council/api-clients") view=pages::ApiClientsPage/>
                            <Route path=path!("/council/audit-log") view=pages::AuditLog/>
                            <Route path=path!("/council/your-account") view=pages::YourAccount/>
                            <Route path=path!("/council/set-password") view=pages::SetPassword/>
                            <Route path=path!("/council/accounts/:reference") view=pages::Account/>
                            <Route path=path!("/council/accounts/:reference/statements/:statement") view=pages::Statement/>
                            <Route path=path!("/council/accounts/:reference/audit-sheet") view=pages::AuditSheet/>
                        </Routes>
                    }.into_any(),
                }}
            </main>
        </Router>
    }
}

/// What someone signed out sees: a one-time password link's page, or signing in.
#[component]
fn SignedOut() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let on_link_page = move || location.pathname.get().trim_end_matches('/') == "/council/set-password";
    view! {
        <Show when=on_link_page fallback=|| view! { <pages::SignIn/> }>
            <pages::SetPassword/>
        </Show>
    }
}

/// What the workspace shows, by who is signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Screen {
    Checking,
    SignedOut,
    TwoFactorSetup,
    Workspace,
}

#[component]
fn SignOut() -> impl IntoView {
    let workspace = use_workspace();
    let sign_out = move |_| {
        let csrf = workspace.csrf();
        spawn_local(async move {
            match client::sign_out(&csrf).await {
                Ok(()) => workspace.staff.set(Some(None)),
                Err(problem) => workspace.note(&problem),
            }
        });
    };
    view! { <button type="button" class="app-nav__button" on:click=sign_out>"Sign out"</button> }
}

/// Changes that run one at a time, as a Leptos action: while one is on its way, another
/// press does nothing, so a double press records once. Each form (or row) has its own.
#[derive(Clone, Copy)]
pub struct OneAtATime(Action<Change, ()>);

/// A change waiting to run (taken out once, when the action runs it).
type Change = std::rc::Rc<std::cell::RefCell<Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>>>;

impl OneAtATime {
    pub fn new() -> OneAtATime {
        OneAtATime(Action::new_local(|change: &Change| {
            let change = change.borrow_mut().take();
            async move {
                if let Some(change) = change {
                    change.await;
                }
            }
        }))
    }

    /// Runs `change` unless one is on its way.
    pub fn run(self, change: impl std::future::Future<Output = ()> + 'static) {
        if self.0.pending().get_untracked() {
            return;
        }
        self.0.dispatch_local(std::rc::Rc::new(std::cell::RefCell::new(Some(Box::pin(change)))));
    }

    /// Whether a change is on its way (for `aria-disabled` and "Saving…").
    pub fn busy(self) -> bool {
        self.0.pending().get()
    }
}

impl Default for OneAtATime {
    fn default() -> Self {
        OneAtATime::new()
    }
}

/// What a page shows of a [`Workspace::resource`]: `loading` (a status) until it is first
/// read, then what `show` makes of the answer, or the problem in words. While it is read
/// again the last answer stays on screen (a `Transition`), so nothing jumps.
pub fn shown<T, V>(
    resource: LocalResource<Result<T, String>>,
    loading: &'static str,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=move || view! { <p role="status">{loading}</p> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(found) => show(found).into_any(),
                        Err(message) => view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Unix milliseconds as "22 November 2026 at 10:42", in the browser's time zone.
pub fn when(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let month = time::Month::try_from(d.get_month() as u8 + 1).unwrap_or(time::Month::January);
    match time::Date::from_calendar_date(d.get_full_year() as i32, month, d.get_date() as u8) {
        Ok(date) => format!("{} at {:02}:{:02}", tally_ledger::date::long_date(date), d.get_hours(), d.get_minutes()),
        Err(_) => String::new(),
    }
}
