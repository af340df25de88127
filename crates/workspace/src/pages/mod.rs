//! The workspace's pages.
//!
//! # Layout
//! One module per area, with the same names as the server's handlers and the wire types:
//! [`accounts`], [`audit`], [`exports`], [`figures`], [`money`], [`passwords`], [`plans`], [`policy`], [`reviews`], [`safeguarding`], [`session`], [`staff`], [`statements`].
//! Here: what every page shares (the notice line, form problems by field).

mod accounts;
mod api_clients;
mod audit;
mod exports;
mod figures;
mod life;
mod money;
mod passwords;
mod plans;
mod policy;
mod reviews;
mod safeguarding;
mod session;
mod staff;
mod statements;

pub(crate) use accounts::*;
pub(crate) use api_clients::*;
pub(crate) use audit::*;
pub(crate) use exports::*;
pub(crate) use figures::*;
pub(crate) use life::*;
pub(crate) use money::*;
pub(crate) use passwords::*;
pub(crate) use plans::*;
pub(crate) use policy::*;
pub(crate) use reviews::*;
pub(crate) use safeguarding::*;
pub(crate) use session::*;
pub(crate) use staff::*;
pub(crate) use statements::*;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::client as api;

/// One field of a list's filter form: a labelled input showing `get` of the filter being
/// typed, and changing it with `set`.
pub(crate) fn filter_field<F: Send + Sync + 'static>(
    typed: RwSignal<F>,
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    get: fn(&F) -> &String,
    set: fn(&mut F, String),
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type=kind prop:value=move || typed.with(|f| get(f).clone())
                on:input=move |ev| typed.update(|f| set(f, event_target_value(&ev)))/>
        </div>
    }
}

/// A page's confirmation ("Question sent."), kept outside the parts of the page that are
/// drawn again when the page reloads its figures, so it stays on screen and is announced.
#[derive(Clone, Copy)]
pub(crate) struct Notice(RwSignal<Option<String>>);

impl Notice {
    fn provide() -> Notice {
        // What the page before said it would be shown here, if anything.
        let flash = use_context::<super::Workspace>().and_then(|w| {
            let message = w.flash.get_untracked();
            w.flash.set(None);
            message
        });
        let notice = Notice(RwSignal::new(flash));
        provide_context(notice);
        notice
    }

    fn say(self, message: String) {
        self.0.set(Some(message));
    }

    fn view(self) -> impl IntoView {
        view! { <p role="status" class="confirmation" class:visually-hidden=move || self.0.with(Option::is_none)>{move || self.0.get()}</p> }
    }
}

/// The page's confirmation line, looked up when a component is made (context cannot be
/// read later, inside a task). Outside a page that has one, what is said goes nowhere.
pub(crate) fn page_notice() -> Notice {
    use_context::<Notice>().unwrap_or_else(|| Notice(RwSignal::new(None)))
}

/// Accounts a council-wide page could not read: named, with the reason, so none is
/// missed; the page shows every other account.
#[component]
pub(crate) fn UnreadableNotice(accounts: Signal<Vec<tally_api::UnreadableAccount>>) -> impl IntoView {
    view! {
        <Show when=move || accounts.with(|a| !a.is_empty())>
            <div class="notice notice--warning" role="alert">
                <p><strong>{move || match accounts.with(Vec::len) {
                    1 => "1 account could not be read and is not included here:".to_owned(),
                    n => format!("{n} accounts could not be read and are not included here:"),
                }}</strong></p>
                <ul>
                    {move || accounts.get().into_iter().map(|a| view! {
                        <li>{format!("{} ({}): {}", a.person_name, a.reference, a.reason)}</li>
                    }).collect_view()}
                </ul>
                <p>"This has been logged for whoever runs the council's server."</p>
            </div>
        </Show>
    }
}

/// Places a refused form's problems beside its fields: `ids` maps the API's field names
/// to the page's element ids; a problem with a field not listed, or a refusal with no
/// fields, goes on `fallback`.
pub(crate) fn field_errors(
    problem: &api::Problem,
    ids: &[(&str, &'static str)],
    fallback: &'static str,
) -> Vec<(&'static str, String)> {
    let fields = problem.fields();
    if fields.is_empty() {
        return vec![(fallback, problem.message())];
    }
    fields
        .iter()
        .map(|f| (ids.iter().find(|(name, _)| *name == f.field).map_or(fallback, |(_, id)| *id), f.message.clone()))
        .collect()
}

/// Where an officer is in a council-wide list: the pages visited since the filter last
/// changed (their cursors; empty for the first page), so "Previous page" goes back one and
/// the page's number is known when the first page was seen.
#[derive(Clone, Copy)]
pub(crate) struct Trail(RwSignal<(String, Vec<String>)>);

impl Trail {
    pub(crate) fn new() -> Trail {
        Trail(RwSignal::new((String::new(), Vec::new())))
    }

    /// The list is now at page `after` of the filter `filter` (its query without the page).
    pub(crate) fn arrive(self, filter: String, after: String) {
        self.0.update(|(seen_filter, pages)| {
            if *seen_filter != filter || pages.is_empty() {
                *seen_filter = filter;
                *pages = vec![after];
            } else if let Some(at) = pages.iter().position(|p| *p == after) {
                pages.truncate(at + 1);
            } else {
                pages.push(after);
            }
        });
    }

    /// The page before this one, if it was visited: `Some(None)` for the first page.
    pub(crate) fn previous(self) -> Option<Option<String>> {
        self.0.with(|(_, pages)| {
            let n = pages.len();
            (n >= 2).then(|| Some(pages[n - 2].clone()).filter(|p| !p.is_empty()))
        })
    }

    /// This page's number (from 1), when the way here started on the first page.
    pub(crate) fn number(self) -> Option<usize> {
        self.0.with(|(_, pages)| pages.first().is_some_and(String::is_empty).then_some(pages.len()))
    }

    /// Whether this is a later page.
    pub(crate) fn later(self) -> bool {
        self.0.with(|(_, pages)| pages.last().is_some_and(|p| !p.is_empty()))
    }
}

/// "Showing 51 to 100": where this page's rows are in the whole list, when known.
pub(crate) fn showing(trail: Trail, page_size: usize, rows: usize) -> Option<String> {
    let number = trail.number()?;
    let first = (number - 1) * page_size + 1;
    (rows > 0).then(|| format!("Showing {first} to {}", first + rows - 1))
}

/// The GOV.UK pagination pattern for a list read a page at a time: "Previous page" (when
/// the page before was visited here), "First page" (when it was not), "Next page".
/// `href` makes a page's address from its cursor (`None`: the first page).
#[component]
pub(crate) fn Pagination(
    label: &'static str,
    trail: Trail,
    next: Option<String>,
    href: Callback<Option<String>, String>,
) -> impl IntoView {
    let previous = trail.previous();
    let first = (previous.is_none() && trail.later()).then(|| href.run(None));
    let previous = previous.map(|p| href.run(p));
    let next = next.map(|n| href.run(Some(n)));
    (previous.is_some() || first.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="pagination" aria-label=label>
                <ul>
                    {previous.map(|href| view! { <li><A href=href attr:rel="prev">"Previous page"</A></li> })}
                    {first.map(|href| view! { <li><A href=href>"First page"</A></li> })}
                    {trail.number().map(|n| view! { <li class="pagination__current" aria-current="page">{format!("Page {n}")}</li> })}
                    {next.map(|href| view! { <li><A href=href attr:rel="next">"Next page"</A></li> })}
                </ul>
            </nav>
        }
    })
}

pub(crate) fn today_iso() -> String {
    tally_ledger::date::iso_date(tally_web::browser::today())
}
