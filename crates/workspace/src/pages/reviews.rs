//! The review queue, and a flagged spend with its thread and the decision form.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use tally_api::{BulkDecisionRequest, DecisionRequest, ReviewQueue, SpendRef, SpendView};
use tally_ledger::date::long_date;
use tally_ledger::{Decision, EntryId, Rule};

use crate::client as api;
use crate::{shown, use_workspace, OneAtATime};
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Reviews() -> impl IntoView {
    page_title("Review queue");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let query = use_query_map();
    // The filter and page are in the address, so a queue can be bookmarked and shared.
    let filter = Memo::new(move |_| query.with(|q| api::ReviewFilter::from_query(|name| q.get(name))));
    let trail = Trail::new();
    // The spends opened to read and decide, and those chosen for one decision together.
    let opened = RwSignal::new(Vec::<EntryId>::new());
    let chosen = RwSignal::new(Vec::<SpendRef>::new());
    Effect::new(move |_| {
        filter.with(|f| trail.arrive(f.on_page(None).query(), f.after.clone()));
        chosen.set(Vec::new());
    });
    let queue = workspace.resource(move || {
        let filter = filter.get();
        async move {
            api::reviews(&filter).await.map_err(|problem| match problem {
                api::Problem::Refused { .. } => {
                    api::Problem::Refused { message: problem.in_full(), fields: Vec::new() }
                }
                other => other,
            })
        }
    });
    let found = move || queue.get().and_then(Result::ok);
    let answers = move || found().map(|q| q.answers).unwrap_or_default();
    let items = move || found().map(|q| q.items).unwrap_or_default();
    let refresh = Callback::new(move |()| queue.refetch());
    view! {
        {notice.view()}
        <h1>"Review queue"</h1>
        <UnreadableNotice accounts=Signal::derive(move || found().map(|q| q.unreadable).unwrap_or_default())/>
        <Show when=move || !answers().is_empty()>
            <section aria-labelledby="answers-heading">
                <h2 id="answers-heading">"Answers to statement questions"</h2>
                <p>"The person has answered a question about a payment on their statement. Read the answer on the statement, then accept it or ask again."</p>
                <ul class="link-list">
                    {move || answers().into_iter().map(|a| {
                        let href = format!("/council/accounts/{}/statements/{}", a.reference, a.statement_id);
                        let what = format!("{} ({}): line {}, {} {} on {}", a.person_name, a.reference, a.line_no, a.amount, a.description, long_date(a.date));
                        view! { <li><A href=href>{what}</A><p class="hint">{a.answer}</p></li> }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <p>"Flagged spending with no final decision, oldest first. A question stays here until you approve the spending or mark it not allowed."</p>
        <QueueFilter filter/>
        {shown(queue, "Loading the review queue…", move |found: ReviewQueue| {
            let said = match found.total {
                n if found.more_than_total => format!("More than {} flagged spends to review", thousands(n)),
                0 if filter.get_untracked().narrows() => "No flagged spending matches the filter.".to_owned(),
                0 => "Nothing is waiting for a decision.".to_owned(),
                1 => "1 flagged spend to review".to_owned(),
                n => format!("{n} flagged spends to review"),
            };
            let range = showing(trail, tally_api::DEFAULT_PAGE, found.items.len());
            let href = Callback::new(move |after: Option<String>| queue_address(&filter.get_untracked().on_page(after.as_deref())));
            view! {
                <p role="status">{said}</p>
                {range.map(|r| view! { <p class="hint">{r}</p> })}
                <Pagination label="Pages of the review queue" trail next=found.next href/>
            }
        })}
        <Show when=move || !items().is_empty()>
            <div class="table-wrap">
                <table class="table queue">
                    <caption>"Flagged spending"</caption>
                    <thead>
                        <tr>
                            <Show when=move || workspace.can_change()>
                                <th scope="col"><ChooseAll items=Signal::derive(items) chosen/></th>
                            </Show>
                            <th scope="col">"Date"</th>
                            <th scope="col">"Person"</th>
                            <th scope="col">"Paid to"</th>
                            <th scope="col" class="num">"Amount"</th>
                            <th scope="col">"Flags"</th>
                            <th scope="col">"Review"</th>
                        </tr>
                    </thead>
                    <tbody>
                        // Keyed by what a review shows: a refresh after one decision leaves the
                        // other spends' rows and forms, and anything typed in them, as they are.
                        <For
                            each=items
                            key=|spend| (spend.entry_id, spend.decision, spend.thread.len(), spend.flags.len(), spend.amount, spend.receipts.len())
                            children=move |spend| view! { <QueueRow spend opened chosen on_decided=refresh/> }
                        />
                    </tbody>
                </table>
            </div>
            <Show when=move || workspace.can_change()>
                <DecideMany chosen on_decided=refresh/>
            </Show>
        </Show>
    }
}

/// 1000 as "1,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The review queue's address for a filter and page.
fn queue_address(filter: &api::ReviewFilter) -> String {
    match filter.query() {
        q if q.is_empty() => "/council/reviews".to_owned(),
        q => format!("/council/reviews?{q}"),
    }
}

/// The review queue's filter: by person or payee, flag rule, dates and amounts. Applying it
/// changes the address (the first page of what it finds).
#[component]
fn QueueFilter(filter: Memo<api::ReviewFilter>) -> impl IntoView {
    let typed = RwSignal::new(api::ReviewFilter::default());
    // The form shows the filter in the address (and follows it back and forward).
    Effect::new(move |_| typed.set(filter.get().on_page(None)));
    let navigate = use_navigate();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        navigate(&queue_address(&typed.get_untracked().on_page(None)), Default::default());
    };
    let field = move |id, label, kind, get, set| filter_field(typed, id, label, kind, get, set);
    view! {
        <form class="filters" role="search" aria-label="Filter the review queue" on:submit=apply>
            <div class="filters__row">
                {field("queue-search", "Person, reference or payee", "search", |f| &f.search, |f, v| f.search = v)}
                <div class="field">
                    <label for="queue-rule">"Flag"</label>
                    <select id="queue-rule" prop:value=move || typed.with(|f| f.rule.clone())
                        on:change=move |ev| typed.update(|f| f.rule = event_target_value(&ev))>
                        <option value="">"Every flag"</option>
                        {Rule::ALL.iter().map(|rule| view! { <option value=rule.as_str()>{rule.title()}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="filters__row">
                {field("queue-from", "Spent from", "date", |f| &f.from, |f, v| f.from = v)}
                {field("queue-to", "Spent to", "date", |f| &f.to, |f, v| f.to = v)}
                {field("queue-min", "Smallest amount (£)", "text", |f| &f.min, |f, v| f.min = v)}
                {field("queue-max", "Largest amount (£)", "text", |f| &f.max, |f, v| f.max = v)}
            </div>
            <div class="button-row">
                <button type="submit" class="button button--secondary">"Apply filters"</button>
                <Show when=move || filter.with(api::ReviewFilter::narrows)>
                    <A href="/council/reviews">"Clear filters"</A>
                </Show>
            </div>
        </form>
    }
}

/// "Choose every spend on this page", for one decision on them all.
#[component]
fn ChooseAll(items: Signal<Vec<SpendView>>, chosen: RwSignal<Vec<SpendRef>>) -> impl IntoView {
    let all = move || {
        items.with(|items| {
            !items.is_empty() && chosen.with(|c| items.iter().all(|s| c.iter().any(|r| r.entry_id == s.entry_id)))
        })
    };
    let toggle = move |_| {
        if all() {
            chosen.set(Vec::new());
        } else {
            chosen.set(items.with(|items| {
                items.iter().map(|s| SpendRef { reference: s.reference.clone(), entry_id: s.entry_id }).collect()
            }));
        }
    };
    view! {
        <input type="checkbox" id="choose-all" class="choose" prop:checked=all on:change=toggle/>
        <label for="choose-all" class="visually-hidden">"Choose every spend on this page"</label>
    }
}

/// A spend's row in the queue, and (when opened) the spend itself to read and decide on.
#[component]
fn QueueRow(
    spend: SpendView,
    opened: RwSignal<Vec<EntryId>>,
    chosen: RwSignal<Vec<SpendRef>>,
    on_decided: Callback<()>,
) -> impl IntoView {
    let workspace = use_workspace();
    let id = spend.entry_id;
    let what = format!("{} to {} — {} ({})", spend.amount, spend.payee, spend.person_name, spend.reference);
    let is_open = move || opened.with(|o| o.contains(&id));
    let is_chosen = move || chosen.with(|c| c.iter().any(|r| r.entry_id == id));
    let reference = spend.reference.clone();
    let choose = move |_| {
        if is_chosen() {
            chosen.update(|c| c.retain(|r| r.entry_id != id));
        } else {
            chosen.update(|c| c.push(SpendRef { reference: reference.clone(), entry_id: id }));
        }
    };
    let toggle = move |_| {
        if is_open() {
            opened.update(|o| o.retain(|e| *e != id));
        } else {
            opened.update(|o| o.push(id));
        }
    };
    let choose_id = format!("choose-{}", id.0.simple());
    let detail_id = format!("detail-{}", id.0.simple());
    let flags = spend.flags.iter().map(|f| f.title.clone()).collect::<Vec<_>>().join(", ");
    let state = review_state(spend.decision);
    let account = format!("/council/accounts/{}", spend.reference);
    let columns = if workspace.can_change() { 7 } else { 6 };
    let (choose_label, details_of) = (format!("Choose {what}"), format!(" of {what}"));
    view! {
        <tr class:queue__row--chosen=is_chosen>
            <Show when=move || workspace.can_change()>
                <td>
                    <input type="checkbox" id=choose_id.clone() class="choose" prop:checked=is_chosen on:change=choose.clone()/>
                    <label for=choose_id.clone() class="visually-hidden">{choose_label.clone()}</label>
                </td>
            </Show>
            <td>{long_date(spend.date)}</td>
            <td><A href=account>{format!("{} ({})", spend.person_name, spend.reference)}</A></td>
            <td>{spend.payee.clone()}</td>
            <td class="num">{spend.amount.to_string()}</td>
            <td>{flags}</td>
            <td>
                <p class="queue__state">{state}</p>
                <button type="button" class="button button--secondary button--small" aria-expanded=move || if is_open() { "true" } else { "false" }
                    aria-controls=detail_id.clone() on:click=toggle>
                    "Details"<span class="visually-hidden">{details_of}</span>
                </button>
            </td>
        </tr>
        <tr id=detail_id class="queue__detail" hidden=move || !is_open()>
            <td colspan=columns>
                <Show when=is_open>
                    <SpendReview spend=spend.clone() show_person=true on_decided/>
                </Show>
            </td>
        </tr>
    }
}

fn review_state(decision: Option<Decision>) -> &'static str {
    match decision {
        None => "Not reviewed yet",
        Some(Decision::Approved) => "Approved",
        Some(Decision::Question) => "Question asked; waiting for the person's answer",
        Some(Decision::NotAllowed) => "Marked not allowed",
    }
}

/// One decision, with one note, on the spends chosen in the queue.
#[component]
fn DecideMany(chosen: RwSignal<Vec<SpendRef>>, on_decided: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let choice = RwSignal::new(None::<Decision>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let count = move || chosen.with(Vec::len);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let spends = chosen.get_untracked();
        let problem = if spends.is_empty() {
            Some("Choose the spends to decide on, in the table")
        } else if choice.get_untracked().is_none() {
            Some("Choose approve, ask a question or not allowed")
        } else if choice.get_untracked() == Some(Decision::Question) && note.get_untracked().trim().is_empty() {
            Some("Write the question for the people")
        } else {
            None
        };
        if let Some(problem) = problem {
            error.set(Some(problem.to_owned()));
            return;
        }
        error.set(None);
        let Some(decision) = choice.get_untracked() else { return };
        let request = BulkDecisionRequest { spends, decision, note: note.get_untracked() };
        let csrf = workspace.csrf();
        once.run(async move {
            match api::decide_many(&csrf, &request).await {
                Ok(done) => {
                    let spends =
                        if done.decided == 1 { "1 spend".to_owned() } else { format!("{} spends", done.decided) };
                    notice.say(match decision {
                        Decision::Approved => {
                            format!("Approved {spends}. The people will see it when their phones next sync.")
                        }
                        Decision::Question => {
                            format!("Question sent about {spends}. The people will see it when their phones next sync.")
                        }
                        Decision::NotAllowed => {
                            format!("Marked {spends} not allowed. The people will see it when their phones next sync.")
                        }
                    });
                    chosen.set(Vec::new());
                    note.set(String::new());
                    choice.set(None);
                    on_decided.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    error.set(Some(problem.in_full()));
                }
            }
        });
    };
    let options = [
        (Decision::Approved, "Approve"),
        (Decision::Question, "Ask the people a question"),
        (Decision::NotAllowed, "Not allowed"),
    ];
    view! {
        <section class="decide-many" aria-labelledby="decide-many-heading">
            <h2 id="decide-many-heading">"Decide on the chosen spends"</h2>
            <p class="hint">{move || match count() {
                0 => "Choose spends in the table to decide on them together, with one note.".to_owned(),
                1 => "1 spend chosen".to_owned(),
                n => format!("{n} spends chosen"),
            }}</p>
            <form on:submit=submit novalidate>
                <fieldset class="field" class:field--error=move || error.with(Option::is_some)
                    aria-describedby=move || error.with(Option::is_some).then_some("decide-many-error")>
                    <legend>"Decision for the chosen spends"</legend>
                    {move || error.get().map(|message| view! {
                        <p class="field-error" id="decide-many-error" role="alert"><span class="visually-hidden">"Error: "</span>{message}</p>
                    })}
                    {options.into_iter().map(|(decision, label)| {
                        let input_id = format!("decide-many-{decision:?}");
                        view! {
                            <div class="radio">
                                <input type="radio" id=input_id.clone() name="decide-many"
                                    prop:checked=move || choice.get() == Some(decision)
                                    on:change=move |_| choice.set(Some(decision))/>
                                <label for=input_id>{label}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="decide-many-note">"Note to each person (needed for a question)"</label>
                    <textarea id="decide-many-note" rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>
                    "Record decision for the chosen spends"
                </button>
            </form>
        </section>
    }
}

/// A spend with its flags, the thread with the person, and (for roles that may) the
/// decision form.
#[component]
pub(crate) fn SpendReview(spend: SpendView, show_person: bool, on_decided: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let id = spend.entry_id.0.simple().to_string();
    let heading_id = format!("spend-{id}");
    let labelled_by = heading_id.clone();
    let title = if show_person {
        format!("{} to {} — {} ({})", spend.amount, spend.payee, spend.person_name, spend.reference)
    } else {
        format!("{} to {}", spend.amount, spend.payee)
    };
    let state = review_state(spend.decision);
    let receipts = match spend.receipts.len() {
        0 => "No receipt photo".to_owned(),
        1 => "1 receipt photo".to_owned(),
        n => format!("{n} receipt photos"),
    };
    let photos: Vec<(String, String)> = spend
        .receipts
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (api::files::receipt(&spend.reference, &r.0), format!("Receipt photo {} (opens full size)", i + 1))
        })
        .collect();
    view! {
        <section class="spend-review" aria-labelledby=labelled_by>
            <h2 id=heading_id>{title}</h2>
            <p class="hint">{format!("{} · {} · logged by {} · {receipts}", long_date(spend.date), spend.plan_line, spend.logged_by)}</p>
            <p><strong>"Review: "</strong>{state}</p>
            {(!photos.is_empty()).then(|| view! {
                <ul class="thumbnails">
                    {photos.into_iter().map(|(src, alt)| {
                        let href = src.clone();
                        view! { <li><a href=href target="_blank" rel="noopener"><img src=src alt=alt loading="lazy"/></a></li> }
                    }).collect_view()}
                </ul>
            })}
            {(!spend.flags.is_empty()).then(|| view! {
                <ul class="flag-list">
                    {spend.flags.iter().map(|flag| {
                        let severity = if flag.severity == tally_ledger::Severity::NotAllowed { "Not allowed" } else { "Please explain" };
                        view! { <li><strong>{format!("{severity}: {}. ", flag.title)}</strong>{flag.reason.clone()}</li> }
                    }).collect_view()}
                </ul>
            })}
            {(!spend.thread.is_empty()).then(|| view! {
                <h3>"What has been said"</h3>
                <ol class="thread">
                    {spend.thread.iter().map(|item| {
                        let said = match item.decision {
                            Some(Decision::Approved) => "approved",
                            Some(Decision::Question) => "asked",
                            Some(Decision::NotAllowed) => "marked it not allowed",
                            None => "explained",
                        };
                        view! { <li><strong>{format!("{} {said}: ", item.author)}</strong>{item.text.clone()}</li> }
                    }).collect_view()}
                </ol>
            })}
            <Show when=move || workspace.can_change()>
                <DecisionForm reference=spend.reference.clone() about=spend.entry_id id=id.clone() on_decided/>
            </Show>
        </section>
    }
}

#[component]
pub(crate) fn DecisionForm(reference: String, about: EntryId, id: String, on_decided: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let choice = RwSignal::new(None::<Decision>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let group = format!("decision-{id}");
    let note_id = format!("note-{id}");
    let error_id = format!("decision-error-{id}");
    let submit = {
        let reference = reference.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(decision) = choice.get_untracked() else {
                error.set(Some("Choose approve, ask a question or not allowed".to_owned()));
                return;
            };
            if decision == Decision::Question && note.get_untracked().trim().is_empty() {
                error.set(Some("Write the question for the person".to_owned()));
                return;
            }
            error.set(None);
            let (reference, csrf) = (reference.clone(), workspace.csrf());
            let request = DecisionRequest { about, decision, note: note.get_untracked() };
            once.run(async move {
                match api::decide(&csrf, &reference, &request).await {
                    Ok(_) => {
                        notice.say(match decision {
                            Decision::Approved => {
                                "Approved. The person will see it when their phone next syncs.".to_owned()
                            }
                            Decision::Question => {
                                "Question sent. The person will see it when their phone next syncs.".to_owned()
                            }
                            Decision::NotAllowed => {
                                "Marked not allowed. The person will see it when their phone next syncs.".to_owned()
                            }
                        });
                        on_decided.run(());
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        error.set(Some(problem.message()));
                    }
                }
            });
        }
    };
    let options = [
        (Decision::Approved, "Approve"),
        (Decision::Question, "Ask the person a question"),
        (Decision::NotAllowed, "Not allowed"),
    ];
    view! {
        <form class="decision" on:submit=submit novalidate>
            <fieldset class="field" class:field--error=move || error.with(Option::is_some)
                aria-describedby=move || error.with(Option::is_some).then(|| error_id.clone())>
                <legend>"Decision"</legend>
                {move || error.get().map(|message| view! {
                    <p class="field-error" id=format!("decision-error-{}", id.clone()) role="alert"><span class="visually-hidden">"Error: "</span>{message}</p>
                })}
                {options.into_iter().map(|(decision, label)| {
                    let input_id = format!("{group}-{decision:?}");
                    view! {
                        <div class="radio">
                            <input type="radio" id=input_id.clone() name=group.clone()
                                prop:checked=move || choice.get() == Some(decision)
                                on:change=move |_| choice.set(Some(decision))/>
                            <label for=input_id>{label}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for=note_id.clone()>"Note to the person (needed for a question)"</label>
                <textarea id=note_id rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </div>
            <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Record decision"</button>
        </form>
    }
}
