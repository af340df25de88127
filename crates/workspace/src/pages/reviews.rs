//! The review queue, and a flagged spend with its thread and the decision form.

use leptos::prelude::*;
use leptos_router::components::A;
use tally_api::{DecisionRequest, ReviewQueue, SpendView};
use tally_ledger::date::long_date;
use tally_ledger::Decision;

use crate::client as api;
use crate::{shown, use_workspace, OneAtATime};
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Reviews() -> impl IntoView {
    page_title("Review queue");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let queue = workspace.resource(api::reviews);
    let found = move || queue.get().and_then(Result::ok);
    let answers = move || found().map(|q| q.answers).unwrap_or_default();
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
        {shown(queue, "Loading the review queue…", |found: ReviewQueue| {
            let said = match found.items.len() {
                0 => "Nothing is waiting for a decision.".to_owned(),
                1 => "1 spend to review".to_owned(),
                n => format!("{n} spends to review"),
            };
            view! { <p role="status">{said}</p> }
        })}
        // Keyed by what a review shows: a refresh after one decision leaves the other
        // spends' forms, and anything typed in them, as they are.
        <For
            each=move || found().map(|q| q.items).unwrap_or_default()
            key=|spend| (spend.entry_id, spend.decision, spend.thread.len(), spend.flags.len(), spend.amount, spend.receipts.len())
            children=move |spend| view! { <SpendReview spend show_person=true on_decided=Callback::new(move |()| queue.refetch())/> }
        />
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
    let state = match spend.decision {
        None => "Not reviewed yet".to_owned(),
        Some(Decision::Approved) => "Approved".to_owned(),
        Some(Decision::Question) => "Question asked; waiting for the person's answer".to_owned(),
        Some(Decision::NotAllowed) => "Marked not allowed".to_owned(),
    };
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
pub(crate) fn DecisionForm(
    reference: String,
    about: tally_ledger::EntryId,
    id: String,
    on_decided: Callback<()>,
) -> impl IntoView {
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
