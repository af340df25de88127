//! The workspace's pages.
//!
//! # Layout
//! One module per area, with the same names as the server's handlers and the wire types:
//! [`accounts`], [`exports`], [`figures`], [`money`], [`plans`], [`policy`], [`reviews`], [`safeguarding`], [`session`], [`staff`], [`statements`].
//! Here: what every page shares (the notice line, form problems by field).

mod accounts;
mod exports;
mod figures;
mod money;
mod plans;
mod policy;
mod reviews;
mod safeguarding;
mod session;
mod staff;
mod statements;

pub(crate) use accounts::*;
pub(crate) use exports::*;
pub(crate) use figures::*;
pub(crate) use money::*;
pub(crate) use plans::*;
pub(crate) use policy::*;
pub(crate) use reviews::*;
pub(crate) use safeguarding::*;
pub(crate) use session::*;
pub(crate) use staff::*;
pub(crate) use statements::*;

use leptos::prelude::*;

use crate::client as api;

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

pub(crate) fn today_iso() -> String {
    tally_ledger::date::iso_date(tally_web::browser::today())
}
