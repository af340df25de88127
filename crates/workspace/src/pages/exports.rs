//! Audit sheets and CSV downloads, and the printable audit sheet page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tally_ledger::date::long_date;

use crate::client as api;
use crate::use_workspace;
use tally_web::field::TextField;
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Exports(reference: String) -> impl IntoView {
    let to = RwSignal::new(today_iso());
    let from = RwSignal::new(tally_ledger::date::iso_date(tally_web::browser::today() - time::Duration::days(27)));
    let sheet = {
        let reference = reference.clone();
        Signal::derive(move || api::files::audit_sheet_csv(&reference, &from.get(), &to.get()))
    };
    let everything = {
        let reference = reference.clone();
        Signal::derive(move || api::files::subject_access_zip(&reference))
    };
    let printable = move || format!("/council/accounts/{reference}/audit-sheet?from={}&to={}", from.get(), to.get());
    let all = Signal::derive(move || api::files::transactions_csv(&from.get(), &to.get()));
    let administers = use_workspace()
        .staff
        .with_untracked(|s| s.as_ref().and_then(|s| s.as_ref()).is_some_and(|s| s.role.may_administer()));
    view! {
        <section aria-labelledby="exports-heading">
            <h2 id="exports-heading">"Audit sheet and exports"</h2>
            <TextField id="export-from" label="From" value=from error=Signal::derive(|| None::<String>) input_type="date"/>
            <TextField id="export-to" label="To" value=to error=Signal::derive(|| None::<String>) input_type="date"/>
            <p><A href=printable>"Open the audit sheet for this account to read or print"</A></p>
            <Download path=sheet label="Download the audit sheet for this account (CSV)" what="the audit sheet"/>
            <Download path=all label="Download every account's transactions for the finance system (CSV)" what="every account's transactions"/>
            {administers.then(|| view! {
                <h3>"Subject access request"</h3>
                <p>"Everything the council holds about this person in Tally, in one zip: the account and support plan, every record (JSON and CSV), their devices, the audit trail about them and their receipt photos. Taking it is recorded in the audit trail."</p>
                <Download path=everything label="Download everything held about this person (zip)" what="the subject access export" kind="application/zip"/>
            })}
        </section>
    }
}

/// A link to a CSV the council makes. The file is fetched here so the officer sees that it
/// is being prepared (every account's transactions can take a while), then saved under the
/// name the council gives it; a problem is said in words, next to the link.
#[component]
pub(crate) fn Download(
    path: Signal<String>,
    label: &'static str,
    what: &'static str,
    /// The file's type, for saving it.
    #[prop(default = "text/csv;charset=utf-8")]
    kind: &'static str,
) -> impl IntoView {
    let workspace = use_workspace();
    // `None`: nothing asked; `Some(None)`: being prepared; `Some(Some(text))`: done or failed.
    let progress = RwSignal::new(None::<Option<String>>);
    let href = move || api::address(&path.get());
    let start = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if matches!(progress.get_untracked(), Some(None)) {
            return; // Already being prepared.
        }
        progress.set(Some(None));
        let path = path.get_untracked();
        spawn_local(async move {
            let said = match api::get_file(&path).await {
                Ok((name, bytes)) => match tally_web::browser::save_bytes(&name, kind, &bytes) {
                    Ok(()) => format!("Downloaded {name} ({}).", size(bytes.len())),
                    Err(_) => "This browser would not save the file. Try another browser.".to_owned(),
                },
                Err(problem) => {
                    workspace.note(&problem);
                    problem.message()
                }
            };
            progress.set(Some(Some(said)));
        });
    };
    view! {
        <p class="download">
            <a href=href download="" on:click=start aria-busy=move || matches!(progress.get(), Some(None)).then_some("true")>{label}</a>
            <span role="status" class="download__status">
                {move || match progress.get() {
                    None => None,
                    Some(None) => Some(view! {
                        <progress aria-label=format!("Preparing {what}")></progress>
                        " "{format!("Preparing {what}…")}
                    }.into_any()),
                    Some(Some(said)) => Some(view! { {said} }.into_any()),
                }}
            </span>
        </p>
    }
}

/// "12 KB", "1.4 MB".
pub(crate) fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The audit sheet of one account and period as a page to read or print: the header block
/// and every line, as in the CSV.
#[component]
pub(crate) fn AuditSheet() -> impl IntoView {
    page_title("Audit sheet");
    let workspace = use_workspace();
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let sheet = RwSignal::new(None::<Result<tally_api::AuditSheetView, String>>);
    Effect::new(move |_| {
        let (from, to) = query.with(|q| (q.get("from").unwrap_or_default(), q.get("to").unwrap_or_default()));
        let reference = reference();
        workspace.fetch(async move { api::audit_sheet(&reference, &from, &to).await }, sheet, |found| found);
    });
    view! {
        <p class="no-print"><A href=move || format!("/council/accounts/{}", reference())>{move || format!("Back to account {}", reference())}</A></p>
        {move || match sheet.get() {
            None => view! { <h1>"Audit sheet"</h1><p role="status">"Preparing the audit sheet…"</p> }.into_any(),
            Some(Err(message)) => view! { <h1>"Audit sheet"</h1><p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(found)) => {
                let title = format!("Audit sheet: {} ({}), {} to {}", found.person_name, found.reference, long_date(found.from), long_date(found.to));
                let count = found.lines.len();
                view! {
                    <h1>{title.clone()}</h1>
                    <p class="no-print"><button type="button" class="button button--secondary" on:click=move |_| { let _ = window().print(); }>"Print the audit sheet"</button></p>
                    <dl class="summary-list">
                        {found.header.into_iter().map(|(name, value)| view! {
                            <div class="summary-list__row"><dt>{name}</dt><dd>{value}</dd></div>
                        }).collect_view()}
                    </dl>
                    <div class="table-wrap" role="region" aria-labelledby="sheet-caption" tabindex="0">
                        <table class="table">
                            <caption id="sheet-caption">{format!("Transactions ({count}), amounts in pounds")}</caption>
                            <thead><tr>{found.columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {found.lines.into_iter().map(|line| view! {
                                    <tr>{line.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }
        }}
    }
}
