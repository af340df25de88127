//! The council's audit log (administrators): every line of its audit trail, newest first,
//! filtered by words, kind and dates, a page at a time.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use tally_api::AuditLogPage;

use crate::client as api;
use crate::{shown, use_workspace, when};
use tally_web::page_title;

use super::filter_field;

/// The audit log's address for a filter and page.
fn log_address(filter: &api::AuditFilter) -> String {
    match filter.query() {
        q if q.is_empty() => "/council/audit-log".to_owned(),
        q => format!("/council/audit-log?{q}"),
    }
}

#[component]
pub(crate) fn AuditLog() -> impl IntoView {
    page_title("Audit log");
    let workspace = use_workspace();
    let query = use_query_map();
    // The filter and the page are in the address, so a search can be bookmarked and shared.
    let filter = Memo::new(move |_| query.with(|q| api::AuditFilter::from_query(|name| q.get(name))));
    let log = workspace.resource(move || {
        let filter = filter.get();
        async move { api::audit_log(&filter).await }
    });
    let actions = RwSignal::new(Vec::<String>::new());
    view! {
        <h1>"Audit log"</h1>
        <p>"Everything done in the council's Tally, newest first: changes, exports, looks at a person's records and photos, pairings, sign-ins and wrong passwords, and changes made at the command line. Lines are never changed or removed; the server checks they follow from each other."</p>
        <AuditFilterForm filter actions/>
        {shown(log, "Loading the audit log…", move |page: AuditLogPage| {
            actions.set(page.actions.clone());
            let said = match page.lines.len() {
                0 if filter.get_untracked().narrows() => "No line of the audit log matches the filter.".to_owned(),
                0 => "The audit log is empty.".to_owned(),
                1 => "1 line".to_owned(),
                n if page.next_before.is_some() => format!("The {n} newest lines (older ones on the next page)"),
                n => format!("{n} lines"),
            };
            let older = page.next_before.map(|before| {
                log_address(&api::AuditFilter { before: before.to_string(), ..filter.get_untracked() })
            });
            view! {
                <p role="status">{said}</p>
                <Show when={let empty = page.lines.is_empty(); move || !empty}>
                    <div class="table-wrap">
                        <table class="table">
                            <caption>"Audit log"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Who"</th>
                                    <th scope="col">"What"</th>
                                    <th scope="col">"Account"</th>
                                    <th scope="col">"Details"</th>
                                    <th scope="col">"From"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.lines.clone().into_iter().map(|line| view! {
                                    <tr>
                                        <td>{when(line.at_ms)}</td>
                                        <td>{line.who}</td>
                                        <td>{line.action}</td>
                                        <td>{line.reference.map(|r| {
                                            let href = format!("/council/accounts/{r}");
                                            view! { <A href=href>{r}</A> }
                                        })}</td>
                                        <td>{line.detail}</td>
                                        <td>{line.address.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </Show>
                {older.map(|href| view! {
                    <nav aria-label="Pages of the audit log"><A href=href>"Older lines"</A></nav>
                })}
            }
        })}
    }
}

/// The audit log's filter: applying it changes the address (the newest page of what it finds).
#[component]
fn AuditFilterForm(filter: Memo<api::AuditFilter>, actions: RwSignal<Vec<String>>) -> impl IntoView {
    let typed = RwSignal::new(api::AuditFilter::default());
    Effect::new(move |_| typed.set(api::AuditFilter { before: String::new(), ..filter.get() }));
    let navigate = use_navigate();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        navigate(
            &log_address(&api::AuditFilter { before: String::new(), ..typed.get_untracked() }),
            Default::default(),
        );
    };
    let field = move |id, label, kind, get, set| filter_field(typed, id, label, kind, get, set);
    view! {
        <form class="filters" role="search" aria-label="Filter the audit log" on:submit=apply>
            <div class="filters__row">
                {field("audit-words", "Words (a name, reference, email or address)", "search", |f| &f.words, |f, v| f.words = v)}
                <div class="field">
                    <label for="audit-action">"Kind"</label>
                    <select id="audit-action" prop:value=move || typed.with(|f| f.action.clone())
                        on:change=move |ev| typed.update(|f| f.action = event_target_value(&ev))>
                        <option value="">"Every kind"</option>
                        {move || actions.get().into_iter().map(|action| {
                            let chosen = typed.with(|f| f.action == action);
                            view! { <option value=action.clone() selected=chosen>{action.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="filters__row">
                {field("audit-from", "From", "date", |f| &f.from, |f, v| f.from = v)}
                {field("audit-to", "To", "date", |f| &f.to, |f, v| f.to = v)}
            </div>
            <div class="button-row">
                <button type="submit" class="button button--secondary">"Apply filters"</button>
                <Show when=move || filter.with(api::AuditFilter::narrows)>
                    <A href="/council/audit-log">"Clear filters"</A>
                </Show>
            </div>
        </form>
    }
}
