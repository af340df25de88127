//! Importing statements (and saving a provider's format), matching lines, questions to
//! the person, reconciling and closing a period.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tally_ledger::date::long_date;
use tally_ledger::Decision;

use crate::client::{self as api, StatementChange};
use crate::{use_workspace, when, OneAtATime};
use tally_web::field::TextField;
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Statements(reference: String) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let navigate = leptos_router::hooks::use_navigate();
    let formats = RwSignal::new(Vec::<String>::new());
    let format = RwSignal::new(String::new());
    let list = RwSignal::new(Vec::<tally_api::StatementSummary>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let reference_for_cards = reference.clone();
    {
        let reference = reference.clone();
        load_formats(formats, format);
        spawn_local(async move {
            if let Ok(found) = api::statements(&reference).await {
                list.set(found.statements);
            }
        });
    }
    let import = {
        let reference = reference.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(file) = chosen_file(file_input) else {
                error.set(Some("Choose the statement file (CSV) to import".to_owned()));
                return;
            };
            error.set(None);
            busy.set(true);
            let (reference, csrf, chosen, navigate) =
                (reference.clone(), workspace.csrf(), format.get_untracked(), navigate.clone());
            once.run(async move {
                let text = file_text(file).await;
                let Some(csv) = text else {
                    error.set(Some(
                        "That file could not be read. Choose the CSV file the bank or card provider gave you."
                            .to_owned(),
                    ));
                    busy.set(false);
                    return;
                };
                let request = tally_api::StatementImport { format: chosen, csv };
                match api::import_statement(&csrf, &reference, &request).await {
                    Ok(view) => {
                        workspace.flash.set(Some(format!(
                            "Imported {} lines; {} matched to logged records.",
                            view.lines.len(),
                            view.lines.iter().filter(|l| l.entry.is_some()).count()
                        )));
                        navigate(
                            &format!("/council/accounts/{reference}/statements/{}", view.statement_id),
                            Default::default(),
                        );
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        error.set(Some(problem.message()));
                    }
                }
                busy.set(false);
            });
        }
    };
    view! {
        <section aria-labelledby="statements-heading">
            <h2 id="statements-heading">"Statements"</h2>
            {move || {
                let found = list.get();
                if found.is_empty() {
                    view! { <p>"No statements imported yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="link-list">
                            {found.into_iter().map(|s| {
                                let href = format!("/council/accounts/{}/statements/{}", reference.clone(), s.statement_id);
                                let label = format!("{} to {} · {}{}", long_date(s.first_date), long_date(s.last_date), s.format, if s.closed { " · closed" } else { "" });
                                view! { <li><A href=href>{label}</A></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <Show when=move || workspace.can_change()>
                <form on:submit=import.clone() novalidate>
                    <FormatAndFile id="statement" file_label="Statement file (CSV)" formats format error file_input/>
                    <button type="submit" class="button" prop:disabled=move || busy.get()>"Import and match"</button>
                    <p role="status">{move || busy.get().then_some("Importing and matching…")}</p>
                </form>
                <FormatEditor formats/>
            </Show>
            <CardsOnFeeds reference=reference_for_cards/>
        </section>
    }
}

/// Fills the list of saved formats, choosing the first.
fn load_formats(formats: RwSignal<Vec<String>>, format: RwSignal<String>) {
    spawn_local(async move {
        if let Ok(found) = api::statement_formats().await {
            format.set(found.names.first().cloned().unwrap_or_default());
            formats.set(found.names);
        }
    });
}

/// The file chosen in a file field, if any.
fn chosen_file(input: NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
    input.get().and_then(|input| input.files()).and_then(|files| files.get(0))
}

/// A chosen file's text; `None` when it cannot be read as text.
async fn file_text(file: web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string())
}

/// A saved format to read a file with, and the file (CSV), with the file's problems by line.
/// The fields' ids start with `id` ("statement-format", "statement-file").
#[component]
fn FormatAndFile(
    id: &'static str,
    file_label: &'static str,
    formats: RwSignal<Vec<String>>,
    format: RwSignal<String>,
    error: RwSignal<Option<String>>,
    file_input: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let (format_id, file_id, error_id) = (format!("{id}-format"), format!("{id}-file"), format!("{id}-file-error"));
    let described = error_id.clone();
    view! {
        <div class="field">
            <label for=format_id.clone()>"Format"</label>
            <select id=format_id on:change=move |ev| format.set(event_target_value(&ev))>
                {move || formats.get().into_iter().map(|name| {
                    let selected = format.with(|f| *f == name);
                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                }).collect_view()}
            </select>
        </div>
        <div class="field" class:field--error=move || error.with(Option::is_some)>
            <label for=file_id.clone()>{file_label}</label>
            {move || error.get().map(|message| view! {
                <div class="field-error" id=error_id.clone() role="alert">
                    <span class="visually-hidden">"Error: "</span>
                    {message.lines().map(|line| view! { <p>{line.to_owned()}</p> }).collect_view()}
                </div>
            })}
            <input type="file" id=file_id accept=".csv,text/csv" node_ref=file_input
                aria-describedby=move || error.with(Option::is_some).then(|| described.clone())/>
        </div>
    }
}

/// The cards (or bank accounts) a card programme's feed for many cardholders names this
/// account by.
#[component]
pub(crate) fn CardsOnFeeds(reference: String) -> impl IntoView {
    let workspace = use_workspace();
    let cards = RwSignal::new(Vec::<String>::new());
    let card = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<String>);
    {
        let reference = reference.clone();
        spawn_local(async move {
            if let Ok(found) = api::account_cards(&reference).await {
                cards.set(found.cards);
            }
        });
    }
    let change = {
        let reference = reference.clone();
        move |written: String, remove: bool| {
            let (csrf, reference) = (workspace.csrf(), reference.clone());
            spawn_local(async move {
                match api::change_card(&csrf, &reference, &written, remove).await {
                    Ok(found) => {
                        cards.set(found.cards);
                        error.set(None);
                        card.set(String::new());
                        said.set(Some(if remove {
                            format!("\"{written}\" is taken off.")
                        } else {
                            format!("\"{written}\" is added: feeds naming it are imported to this account.")
                        }));
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        said.set(None);
                        error.set(Some(problem.message()));
                    }
                }
            });
        }
    };
    let add = {
        let change = change.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            change(card.get_untracked(), false);
        }
    };
    view! {
        <section aria-labelledby="cards-heading">
            <h3 id="cards-heading">"Cards on feeds"</h3>
            <p>"A card programme's feed for many cardholders names each line's card. The lines of the cards listed here, and lines naming this account's reference, are imported to this account."</p>
            {move || {
                let found = cards.get();
                if found.is_empty() {
                    view! { <p>"No cards added."</p> }.into_any()
                } else {
                    let change = change.clone();
                    view! {
                        <ul>
                            {found.into_iter().map(|written| {
                                let change = change.clone();
                                let label = format!("Take off {written}");
                                let w = written.clone();
                                view! {
                                    <li>
                                        {written.clone()}" "
                                        <Show when=move || workspace.can_change()>
                                            {
                                                let (change, w, label) = (change.clone(), w.clone(), label.clone());
                                                view! { <button type="button" class="button button--secondary" on:click=move |_| change(w.clone(), true)>{label}</button> }
                                            }
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <Show when=move || workspace.can_change()>
                <form on:submit=add.clone() novalidate>
                    <TextField id="card-written" label="Card number or reference, as the feed writes it" value=card error=Signal::derive(move || error.get())/>
                    <button type="submit" class="button button--secondary">"Add the card"</button>
                </form>
            </Show>
            <p role="status">{move || said.get()}</p>
        </section>
    }
}

/// A card programme's feed covering many cardholders, imported in one go: a statement on
/// each cardholder's account, or nothing.
#[component]
pub(crate) fn Feeds() -> impl IntoView {
    page_title("Card feeds");
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let formats = RwSignal::new(Vec::<String>::new());
    let format = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let imported = RwSignal::new(None::<tally_api::FeedImported>);
    let file_input = NodeRef::<leptos::html::Input>::new();
    load_formats(formats, format);
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(file) = chosen_file(file_input) else {
            error.set(Some("Choose the feed file (CSV) to import".to_owned()));
            return;
        };
        error.set(None);
        busy.set(true);
        let (csrf, chosen) = (workspace.csrf(), format.get_untracked());
        once.run(async move {
            let text = file_text(file).await;
            let Some(csv) = text else {
                error.set(Some(
                    "That file could not be read. Choose the CSV file the card provider gave you.".to_owned(),
                ));
                busy.set(false);
                return;
            };
            match api::import_feed(&csrf, &tally_api::StatementImport { format: chosen, csv }).await {
                Ok(found) => {
                    imported.set(Some(found));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    imported.set(None);
                    error.set(Some(problem.message()));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <h1>"Card feeds"</h1>
        <p>"A card programme's feed covers many cardholders. Each line's card is looked up among the cards added to accounts (on each account's statements) and the accounts' references. Either every line finds its account and a statement is imported on each, or nothing is imported and the lines for unknown cards are listed."</p>
        <Show when=move || workspace.can_change() fallback=|| view! { <p>"Your role can look at statements but not import them."</p> }>
            <form on:submit=import novalidate>
                <FormatAndFile id="feed" file_label="Feed file (CSV)" formats format error file_input/>
                <button type="submit" class="button" prop:disabled=move || busy.get()>"Import the feed"</button>
                <p role="status">{move || busy.get().then_some("Importing and matching…")}</p>
            </form>
            <FormatEditor formats/>
        </Show>
        {move || imported.get().map(|found| view! {
            <section aria-labelledby="feed-imported-heading">
                <h2 id="feed-imported-heading">{format!("Imported on {} accounts", found.statements.len())}</h2>
                <ul class="link-list">
                    {found.statements.into_iter().map(|s| {
                        let href = format!("/council/accounts/{}/statements/{}", s.reference, s.statement_id);
                        let label = format!(
                            "{} ({}), card {}: {} {}, {} matched",
                            s.person_name,
                            s.reference,
                            s.card,
                            s.lines,
                            if s.lines == 1 { "line" } else { "lines" },
                            s.matched
                        );
                        view! { <li><A href=href>{label}</A></li> }
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
pub(crate) fn Statement() -> impl IntoView {
    page_title("Statement");
    let workspace = use_workspace();
    let params = use_params_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let statement = move || params.with(|p| p.get("statement").unwrap_or_default());
    let view_signal = RwSignal::new(None::<Result<tally_api::StatementView, String>>);
    let notice = use_context::<Notice>().unwrap_or_else(Notice::provide);
    Effect::new(move |_| {
        let (reference, statement) = (reference(), statement());
        workspace.fetch(async move { api::statement(&reference, &statement).await }, view_signal, |found| found);
    });
    // Every change on this page answers with the statement as it now is.
    let act = move |change: StatementChange, done: String| {
        let csrf = workspace.csrf();
        let (reference, statement) =
            params.with_untracked(|p| (p.get("reference").unwrap_or_default(), p.get("statement").unwrap_or_default()));
        spawn_local(async move {
            match api::change_statement(&csrf, &reference, &statement, &change).await {
                Ok(found) => {
                    notice.say(done);
                    view_signal.set(Some(Ok(found)));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    view! {
        {notice.view()}
        <p><A href=move || format!("/council/accounts/{}", reference())>{move || format!("Back to account {}", reference())}</A></p>
        {move || match view_signal.get() {
            None => view! { <h1>"Statement"</h1><p role="status">"Loading the statement…"</p> }.into_any(),
            Some(Err(message)) => view! { <h1>"Statement"</h1><p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(found)) => {
                let closed = found.closed_by.is_some();
                let can_change = workspace.can_change() && !closed;
                let r = found.reconciliation.clone();
                let unmatched = found.unmatched_entries.clone();
                let not_asked =
                    found.lines.iter().filter(|l| !l.has_match() && l.query.is_none() && !l.fee_line).count();
                let fees: Vec<tally_ledger::Money> = found
                    .lines
                    .iter()
                    .filter(|l| l.fee_line && !l.has_match())
                    .map(|l| -l.amount)
                    .chain(found.lines.iter().filter_map(|l| l.fee.as_ref().filter(|f| f.charge.is_none()).map(|f| f.amount)))
                    .collect();
                let late = found.late_records.clone();
                let unseen = late.iter().filter(|l| !l.seen).count();
                let can_mark = workspace.can_change();
                view! {
                    <h1>{format!("Statement {} to {}", long_date(found.first_date), long_date(found.last_date))}</h1>
                    <p class="hint">{format!("{} · imported by {} on {}", found.format, found.imported_by, when(found.imported_ms))}</p>
                    <section aria-labelledby="reconcile-heading">
                        <h2 id="reconcile-heading">"Reconciliation"</h2>
                        <dl class="figures">
                            <div><dt>"Opening"</dt><dd>{r.opening.to_string()}</dd></div>
                            <div><dt>"Money in"</dt><dd>{r.money_in.to_string()}</dd></div>
                            <div><dt>"Money out"</dt><dd>{r.money_out.to_string()}</dd></div>
                            <div><dt>"Closing (logged)"</dt><dd>{r.closing.to_string()}</dd></div>
                            <div><dt>"Closing (statement)"</dt><dd>{r.statement_closing.map(|m| m.to_string()).unwrap_or_else(|| "not given".to_owned())}</dd></div>
                            <div><dt>"Difference"</dt><dd>{r.difference.map(|m| m.to_string()).unwrap_or_else(|| "—".to_owned())}</dd></div>
                        </dl>
                        {match (&found.closed_by, found.closed_ms) {
                            (Some(who), Some(at)) => view! { <p><strong>{format!("Closed by {who} on {}. The period is locked.", when(at))}</strong></p> }.into_any(),
                            _ if r.open_points.is_empty() => view! { <p>"Everything is reconciled: the period can be closed."</p> }.into_any(),
                            _ => view! {
                                <p><strong>"Still open:"</strong></p>
                                <ul class="exceptions">{r.open_points.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                            }.into_any(),
                        }}
                        {(can_change && r.open_points.is_empty()).then(|| view! {
                            <button type="button" class="button" on:click=move |_| act(StatementChange::Close, "The period is closed and locked.".to_owned())>"Close the period"</button>
                        })}
                    </section>
                    {(!late.is_empty()).then(|| view! {
                        <section aria-labelledby="late-heading">
                            <h2 id="late-heading">"Arrived after the period was closed"</h2>
                            <p>"These records are dated in this period (or change a record that is) but reached the council after it was closed. They are kept on the account; the figures above are the ones the period was closed with."</p>
                            <ul class="exceptions">
                                {late.iter().map(|l| view! {
                                    <li>{format!("{} · arrived {}{}", l.description, when(l.received_ms), if l.seen { " · seen" } else { "" })}</li>
                                }).collect_view()}
                            </ul>
                            {(can_mark && unseen > 0).then(|| view! {
                                <button type="button" class="button button--secondary"
                                    on:click=move |_| act(StatementChange::LateRecordsSeen, "The late records are marked as seen.".to_owned())>
                                    "Mark these as seen"
                                </button>
                            })}
                        </section>
                    })}
                    {(can_change && !fees.is_empty()).then(|| {
                        let total = fees.iter().fold(tally_ledger::Money::ZERO, |t, f| t.saturating_add(*f));
                        let count = fees.len();
                        let said = if count == 1 { format!("1 fee of {total}") } else { format!("{count} fees of {total} in all") };
                        view! {
                            <section aria-labelledby="fees-heading">
                                <h2 id="fees-heading">"The provider's fees"</h2>
                                <p>{format!("The statement shows {said} the card provider or bank took from the account. Accepting them records each as a charge on the account (the person sees it in their history), so the balances agree.")}</p>
                                <button type="button" class="button"
                                    on:click=move |_| act(StatementChange::Charges(tally_api::ChargesRequest::default()), format!("Recorded {said} as charges."))>
                                    {if count == 1 { "Accept the fee as a charge".to_owned() } else { format!("Accept all {count} fees as charges") }}
                                </button>
                            </section>
                        }
                    })}
                    {(can_change && not_asked > 0).then(|| view! { <AskAll count=not_asked act=act/> })}
                    <section aria-labelledby="lines-heading">
                        <h2 id="lines-heading">"Statement lines"</h2>
                        <ul class="statement-lines" aria-labelledby="lines-heading">
                            {found.lines.into_iter().map(|line| {
                                let state = match line.state {
                                    tally_api::MatchState::Certain => "Matched (certain)",
                                    tally_api::MatchState::Confirmed => "Matched (confirmed)",
                                    tally_api::MatchState::Proposed => "Proposed match: please check",
                                    tally_api::MatchState::None => "No logged record",
                                    tally_api::MatchState::Reversed => "Reversed: needs no record",
                                };
                                let reversal = line.paired_with.map(|other| format!(" (line {} and line {other} cancel each other)", line.line_no));
                                let state = match (line.fee_line, line.has_match(), line.parts.is_empty(), line.state) {
                                    (true, false, _, _) => "The provider's fee: not recorded as a charge yet",
                                    (true, true, _, _) => "The provider's fee: recorded as a charge",
                                    (false, true, false, tally_api::MatchState::Proposed) => "Proposed: these records together make up the line. Please check",
                                    (false, true, false, _) => "Matched with these records together",
                                    _ => state,
                                };
                                let matched = line.entry.as_ref().map(|e| format!("{} to {} on {}", e.amount, e.who, long_date(e.date)));
                                let parts = (!line.parts.is_empty()).then(|| view! {
                                    <ul>{line.parts.iter().map(|e| view! { <li>{format!("{} to {} on {}", e.amount, e.who, long_date(e.date))}</li> }).collect_view()}</ul>
                                });
                                let fee = line.fee.as_ref().map(|f| view! {
                                    <p>{match &f.charge {
                                        Some(_) => format!("With a fee of {}: recorded as a charge.", f.amount),
                                        None => format!("With a fee of {}: not recorded as a charge yet.", f.amount),
                                    }}</p>
                                });
                                let as_charge = (can_change && !line.has_match() && !line.fee_line && line.amount.is_negative()).then(|| {
                                    let no = line.line_no;
                                    view! {
                                        <button type="button" class="button button--secondary"
                                            on:click=move |_| act(StatementChange::Charges(tally_api::ChargesRequest { lines: vec![no], fees: Vec::new() }), format!("Line {no} is recorded as a charge."))>
                                            {format!("Record line {no} as a bank or card charge")}
                                        </button>
                                    }
                                });
                                let part_ids: Vec<tally_ledger::EntryId> = line.parts.iter().map(|e| e.entry_id).collect();
                                let title = format!("Line {}: {} {} on {}", line.line_no, line.amount, line.description, long_date(line.date));
                                let candidates: Vec<tally_api::EntryBrief> = unmatched.iter().filter(|e| e.amount == line.amount && line.paired_with.is_none() && line.parts.is_empty()).cloned().collect();
                                let ask = (can_change && !line.has_match() && line.query.is_none() && !line.fee_line).then(|| {
                                    let no = line.line_no;
                                    view! {
                                        <button type="button" class="button button--secondary"
                                            on:click=move |_| act(StatementChange::Ask(tally_api::QueryRequest { lines: vec![no], note: String::new() }), format!("Line {no}: the person has been asked. They will see the question when their phone next syncs."))>
                                            {format!("Ask the person about line {no}")}
                                        </button>
                                    }
                                });
                                let query = line.query.clone().map(|q| view! { <LineQueryView query=q line_no=line.line_no can_change=can_change act=act/> });
                                view! {
                                    <li class="statement-line">
                                        <p><strong>{title}</strong></p>
                                        <p>{state}{matched.map(|m| format!(": {m}"))}{reversal}</p>
                                        {parts}
                                        {fee}
                                        {query}
                                        {ask}
                                        {as_charge}
                                        {can_change.then(|| {
                                            let entry = line.entry.as_ref().map(|e| e.entry_id);
                                            view! {
                                                {(line.state == tally_api::MatchState::Proposed).then(|| {
                                                    let entry_ids = part_ids.clone();
                                                    view! {
                                                        <button type="button" class="button button--secondary" on:click=move |_| act(StatementChange::Match { line_no: line.line_no, request: tally_api::LineMatchRequest { entry_id: entry, entry_ids: entry_ids.clone() } }, format!("Line {} confirmed.", line.line_no))>
                                                            {format!("Confirm line {}", line.line_no)}
                                                        </button>
                                                    }
                                                })}
                                                {(entry.is_some() || !part_ids.is_empty()).then(|| view! {
                                                    <button type="button" class="button button--secondary" on:click=move |_| act(StatementChange::Match { line_no: line.line_no, request: tally_api::LineMatchRequest { entry_id: None, entry_ids: Vec::new() } }, format!("Line {} unmatched.", line.line_no))>
                                                        {format!("Unmatch line {}", line.line_no)}
                                                    </button>
                                                })}
                                                {candidates.into_iter().map(|c| {
                                                    let label = format!("Match line {} with {} to {} on {}", line.line_no, c.amount, c.who, long_date(c.date));
                                                    view! {
                                                        <button type="button" class="button button--secondary" on:click=move |_| act(StatementChange::Match { line_no: line.line_no, request: tally_api::LineMatchRequest { entry_id: Some(c.entry_id), entry_ids: Vec::new() } }, format!("Line {} matched.", line.line_no))>
                                                            {label}
                                                        </button>
                                                    }
                                                }).collect_view()}
                                            }
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                    <section aria-labelledby="unmatched-heading">
                        <h2 id="unmatched-heading">"Logged records not on the statement"</h2>
                        {if unmatched.is_empty() {
                            view! { <p>"None."</p> }.into_any()
                        } else {
                            view! { <ul>{unmatched.iter().map(|e| view! { <li>{format!("{} to {} on {}", e.amount, e.who, long_date(e.date))}</li> }).collect_view()}</ul> }.into_any()
                        }}
                    </section>
                }.into_any()
            }
        }}
    }
}

/// Asking the person about every statement line that matches no record, with an optional
/// note they will read with each question.
#[component]
pub(crate) fn AskAll(count: usize, act: impl Fn(StatementChange, String) + Copy + 'static) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let ask = StatementChange::Ask(tally_api::QueryRequest { lines: Vec::new(), note: note.get_untracked() });
        act(ask, "The person has been asked. They will see the questions when their phone next syncs.".to_owned());
    };
    let label = if count == 1 {
        "Ask the person about the line with no record".to_owned()
    } else {
        format!("Ask the person about all {count} lines with no record")
    };
    view! {
        <section aria-labelledby="ask-heading">
            <h2 id="ask-heading">"Ask the person"</h2>
            <p>"Lines with no logged record become questions in the person's wallet. They can log the spending they forgot (it is then proposed here for you to confirm) or explain it."</p>
            <form on:submit=submit novalidate>
                <div class="field">
                    <label for="query-note">"Note to the person (optional)"</label>
                    <textarea id="query-note" rows="2" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="button">{label}</button>
            </form>
        </section>
    }
}

/// A statement line's question to the person: where it stands, what they said, and the
/// officer's decision on their answer.
#[component]
pub(crate) fn LineQueryView(
    query: tally_api::LineQuery,
    line_no: i64,
    can_change: bool,
    act: impl Fn(StatementChange, String) + Copy + 'static,
) -> impl IntoView {
    let status = match (query.status, query.decision) {
        (tally_api::QueryState::Open, _) => "Asked the person: waiting for their answer".to_owned(),
        (tally_api::QueryState::Answered, _) => {
            "The person has answered: read it, then accept it or ask again".to_owned()
        }
        (_, Some(Decision::NotAllowed)) => "Question closed: not allowed".to_owned(),
        _ => "Question closed: answer accepted".to_owned(),
    };
    let again = RwSignal::new(String::new());
    let note_id = format!("ask-again-{line_no}");
    let decide = move |decision: Decision, note: String, done: String| {
        act(
            StatementChange::DecideQuery { line_no, request: tally_api::QueryDecisionRequest { decision, note } },
            done,
        );
    };
    let error = RwSignal::new(None::<String>);
    let ask_again = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if again.with_untracked(|q| q.trim().is_empty()) {
            error.set(Some("Write the question for the person".to_owned()));
            return;
        }
        error.set(None);
        decide(
            Decision::Question,
            again.get_untracked(),
            format!("Line {line_no}: your question has been sent to the person."),
        );
    };
    let error_id = format!("ask-again-{line_no}-error");
    let open = query.status != tally_api::QueryState::Closed;
    let answered = query.status == tally_api::QueryState::Answered;
    view! {
        <div class="line-query">
            <p><strong>{status}</strong>{format!(" (asked by {})", query.asked_by)}</p>
            {(!query.note.is_empty()).then(|| view! { <p class="hint">{format!("Note sent: {}", query.note)}</p> })}
            {(!query.logged.is_empty()).then(|| view! {
                <p>"Logged in answer: "{query.logged.iter().map(|e| format!("{} to {} on {}", e.amount.abs(), e.who, long_date(e.date))).collect::<Vec<_>>().join("; ")}</p>
            })}
            {(!query.thread.is_empty()).then(|| view! {
                <ul class="thread">
                    {query.thread.iter().map(|t| view! { <li><p class="hint">{t.author.clone()}</p><p>{t.text.clone()}</p></li> }).collect_view()}
                </ul>
            })}
            {(can_change && answered).then(|| view! {
                <button type="button" class="button button--secondary"
                    on:click=move |_| decide(Decision::Approved, String::new(), format!("Line {line_no}: answer accepted."))>
                    {format!("Accept the answer about line {line_no}")}
                </button>
            })}
            {(can_change && open).then(|| view! {
                <button type="button" class="button button--secondary"
                    on:click=move |_| decide(Decision::NotAllowed, String::new(), format!("Line {line_no}: marked not allowed."))>
                    {format!("Mark line {line_no} not allowed")}
                </button>
                <form on:submit=ask_again novalidate>
                    <div class="field" class:field--error=move || error.with(Option::is_some)>
                        <label for=note_id.clone()>{format!("Further question about line {line_no}")}</label>
                        {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()><span class="visually-hidden">"Error: "</span>{m}</p> })}
                        <textarea id=note_id rows="2"
                            aria-describedby=move || error.with(Option::is_some).then(|| format!("ask-again-{line_no}-error"))
                            aria-invalid=move || error.with(Option::is_some).then_some("true")
                            prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" class="button button--secondary">{format!("Ask again about line {line_no}")}</button>
                </form>
            })}
        </div>
    }
}

/// Saving the column mapping of another provider's statements.
#[component]
pub(crate) fn FormatEditor(formats: RwSignal<Vec<String>>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let description = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let balance = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let columns = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let date_format = RwSignal::new("day_month_year".to_owned());
    let amount_kind = RwSignal::new("signed".to_owned());
    let amount = RwSignal::new(String::new());
    let money_in = RwSignal::new(String::new());
    let indicator = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let type_column = RwSignal::new(String::new());
    let kept_types = RwSignal::new(String::new());
    let skipped_types = RwSignal::new(String::new());
    let types_in = RwSignal::new(String::new());
    let types_out = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let none = || Signal::derive(|| None::<String>);
    let reversal_types = RwSignal::new(String::new());
    let reverses = RwSignal::new(String::new());
    let fee_types = RwSignal::new(String::new());
    let fee_column = RwSignal::new(String::new());
    let holder = RwSignal::new(String::new());
    let sample = NodeRef::<leptos::html::Input>::new();
    let proposal = RwSignal::new(None::<tally_api::FormatProposal>);
    let propose = move |_| {
        let Some(file) = chosen_file(sample) else {
            error.set(Some("Choose a file from the provider first.".to_owned()));
            return;
        };
        let csrf = workspace.csrf();
        once.run(async move {
            let text = file_text(file).await;
            let Some(csv) = text else {
                error.set(Some("That file could not be read. Choose the CSV file the provider gave you.".to_owned()));
                return;
            };
            match api::propose_statement_format(&csrf, &tally_api::FormatProposalRequest { csv }).await {
                Ok(found) => {
                    let m = &found.mapping;
                    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
                    let joined = |v: &serde_json::Value| {
                        v.as_array().map(|a| a.iter().map(text).collect::<Vec<_>>().join(", ")).unwrap_or_default()
                    };
                    columns.set(joined(&m["columns"]));
                    date.set(text(&m["date"]));
                    date_format.set(text(&m["date_format"]));
                    let a = &m["amount"];
                    amount_kind.set(text(&a["kind"]));
                    amount.set(if a["kind"] == "split" { text(&a["money_out"]) } else { text(&a["column"]) });
                    money_in.set(text(&a["money_in"]));
                    indicator.set(text(&a["indicator"]));
                    description.set(text(&m["description"]));
                    reference.set(text(&m["reference"]));
                    balance.set(text(&m["balance"]));
                    currency.set(text(&m["currency"]));
                    reverses.set(text(&m["reverses"]));
                    fee_column.set(text(&m["fee"]));
                    holder.set(text(&m["holder"]));
                    let t = &m["entry_type"];
                    type_column.set(text(&t["column"]));
                    kept_types.set(joined(&t["keep"]));
                    skipped_types.set(joined(&t["skip"]));
                    types_in.set(joined(&t["money_in"]));
                    types_out.set(joined(&t["money_out"]));
                    reversal_types.set(joined(&t["reversal"]));
                    fee_types.set(joined(&t["fee"]));
                    error.set(None);
                    proposal.set(Some(found));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    proposal.set(None);
                    error.set(Some(problem.message()));
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let optional = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let list = |s: RwSignal<String>| {
            s.get_untracked().split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect::<Vec<_>>()
        };
        let amounts = match amount_kind.get_untracked().as_str() {
            "split" => {
                serde_json::json!({"kind": "split", "money_out": amount.get_untracked().trim(), "money_in": money_in.get_untracked().trim()})
            }
            "indicator" => {
                serde_json::json!({"kind": "indicator", "column": amount.get_untracked().trim(), "indicator": indicator.get_untracked().trim()})
            }
            _ => serde_json::json!({"kind": "signed", "column": amount.get_untracked().trim()}),
        };
        let entry_type = optional(type_column).map(|column| {
            serde_json::json!({
                "column": column, "keep": list(kept_types), "skip": list(skipped_types),
                "money_in": list(types_in), "money_out": list(types_out), "reversal": list(reversal_types),
                "fee": list(fee_types),
            })
        });
        let mapping = serde_json::json!({
            "columns": list(columns),
            "date": date.get_untracked().trim(),
            "date_format": date_format.get_untracked(),
            "amount": amounts,
            "description": description.get_untracked().trim(),
            "reference": optional(reference),
            "balance": optional(balance),
            "currency": optional(currency),
            "entry_type": entry_type,
            "reverses": optional(reverses),
            "fee": optional(fee_column),
            "holder": optional(holder),
        });
        let request = tally_api::StatementFormatRequest { name: name.get_untracked(), mapping };
        let csrf = workspace.csrf();
        once.run(async move {
            match api::save_statement_format(&csrf, &request).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(Some(format!(
                        "The format \"{}\" is saved. Choose it when you import.",
                        request.name.trim()
                    )));
                    formats.update(|all| {
                        if !all.contains(&request.name.trim().to_owned()) {
                            all.push(request.name.trim().to_owned())
                        }
                    });
                }
                Err(problem) => {
                    workspace.note(&problem);
                    saved.set(None);
                    error.set(Some(problem.message()));
                }
            }
        });
    };
    view! {
        <details class="plan-change">
            <summary>"Add a format for another provider"</summary>
            <form on:submit=submit novalidate>
                {move || error.get().map(|message| view! {
                    <div class="error-summary" role="alert">{message.lines().map(|l| view! { <p>{l.to_owned()}</p> }).collect_view()}</div>
                })}
                <div class="field">
                    <label for="format-sample">"A file from this provider (CSV)"</label>
                    <p class="hint" id="format-sample-hint">"Tally reads its header and first lines and fills in the columns below for you to check."</p>
                    <input type="file" id="format-sample" accept=".csv,text/csv" aria-describedby="format-sample-hint" node_ref=sample/>
                </div>
                <button type="button" class="button button--secondary" on:click=propose>"Propose the columns from the file"</button>
                {move || proposal.get().map(|found| {
                    let read = if found.problems.is_empty() {
                        format!(
                            "The first lines, as they read with these columns{}:",
                            match (found.left_out, found.reversals) {
                                (0, 0) => String::new(),
                                (out, 0) => format!(" ({out} lines above the header or below the lines left out)"),
                                (0, r) => format!(" ({r} reversals paired with the payments they cancel)"),
                                (out, r) => format!(" ({out} lines left out, {r} reversals paired)"),
                            }
                        )
                    } else {
                        "With these columns the file does not read yet: correct them below.".to_owned()
                    };
                    view! {
                        <section class="proposal" aria-labelledby="proposal-heading">
                            <h3 id="proposal-heading">"How the file reads"</h3>
                            <p>{read}</p>
                            <ul aria-labelledby="proposal-heading">
                                {found.lines.into_iter().map(|l| view! {
                                    <li>{format!("Line {}: {} {} on {}", l.line_no, l.amount, l.description, long_date(l.date))}</li>
                                }).collect_view()}
                                {found.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                            </ul>
                        </section>
                    }
                })}
                <TextField id="format-name" label="Name (for example the bank's name)" value=name error=none()/>
                <TextField id="format-columns" label="The file's columns, as its first line names them, separated by commas" value=columns error=none()/>
                <TextField id="format-date" label="Date column" value=date error=none()/>
                <div class="field">
                    <label for="format-date-format">"Dates are written like"</label>
                    <p class="hint" id="format-date-format-hint">"A time after the date is read too, with or without seconds."</p>
                    <select id="format-date-format" aria-describedby="format-date-format-hint" prop:value=move || date_format.get() on:change=move |ev| date_format.set(event_target_value(&ev))>
                        <option value="day_month_year">"31/01/2026"</option>
                        <option value="day_month_short_year">"31/01/26"</option>
                        <option value="day_month_name_year">"31 Jan 2026"</option>
                        <option value="iso">"2026-01-31 or 2026-01-31T14:05:00Z"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="format-amount-kind">"Amounts are written"</label>
                    <select id="format-amount-kind" prop:value=move || amount_kind.get() on:change=move |ev| amount_kind.set(event_target_value(&ev))>
                        <option value="signed">"In one column: money out as -12.50, (12.50) or 12.50 DR"</option>
                        <option value="split">"In two columns: money out and money in"</option>
                        <option value="indicator">"In one column, with another saying debit or credit"</option>
                    </select>
                </div>
                <TextField id="format-amount" label="Amount column (or money out, with two columns)" value=amount error=none()/>
                <Show when=move || amount_kind.get() == "split">
                    <TextField id="format-money-in" label="Money in column" value=money_in error=none()/>
                </Show>
                <Show when=move || amount_kind.get() == "indicator">
                    <TextField id="format-indicator" label="Debit or credit column (DR, CR, Debit, Credit…)" value=indicator error=none()/>
                </Show>
                <TextField id="format-description" label="Payee or merchant column" value=description error=none()/>
                <TextField id="format-reference" label="Reference column (optional)" value=reference error=none()/>
                <TextField id="format-balance" label="Balance column (optional)" value=balance error=none()/>
                <TextField id="format-currency" label="Currency column (optional; only GBP lines are read)" value=currency error=none()/>
                <TextField id="format-fee" label="Fee column: a fee charged with the line besides its amount (optional)" value=fee_column error=none()/>
                <TextField id="format-holder" label="Card or account column, for a feed covering many cardholders (optional)" value=holder error=none()/>
                <fieldset class="field">
                    <legend>"Card feeds: entry types (optional; any case, separated by commas)"</legend>
                    <TextField id="format-type-column" label="Entry type column" value=type_column error=none()/>
                    <TextField id="format-kept-types" label="Types that moved money (for example Approved, Reversed, Load)" value=kept_types error=none()/>
                    <TextField id="format-skipped-types" label="Types to leave out (for example Declined)" value=skipped_types error=none()/>
                    <TextField id="format-types-in" label="Types that are always money in, whatever the sign (for example Load, Reversed)" value=types_in error=none()/>
                    <TextField id="format-types-out" label="Types that are always money out, whatever the sign (for example Approved, Fee)" value=types_out error=none()/>
                    <TextField id="format-reversal-types" label="Types that cancel an earlier payment (for example Reversed, Chargeback)" value=reversal_types error=none()/>
                    <TextField id="format-reverses" label="Column naming the payment a reversal cancels (optional)" value=reverses error=none()/>
                    <TextField id="format-fee-types" label="Types that are the provider's own fees (for example Card Fee, ATM Fee)" value=fee_types error=none()/>
                </fieldset>
                <button type="submit" class="button button--secondary">"Save the format"</button>
                <p role="status">{move || saved.get()}</p>
            </form>
        </details>
    }
}
