//! Safeguarding signals, and what officers found.

use leptos::prelude::*;

use crate::client as api;
use crate::{shown, use_workspace, when, OneAtATime};
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Safeguarding() -> impl IntoView {
    page_title("Safeguarding");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let list = workspace.resource(api::safeguarding);
    let reload = Callback::new(move |()| list.refetch());
    view! {
        {notice.view()}
        <h1>"Safeguarding"</h1>
        <p>"Patterns in spending that a named officer may want to look at, with the figures behind them. They are not accusations and are never shown to the person. Signals nobody has looked at come first."</p>
        {shown(list, "Loading…", move |found: tally_api::SafeguardingList| {
            let unreadable = found.unreadable;
            view! {
                <UnreadableNotice accounts=Signal::derive(move || unreadable.clone())/>
                {if found.items.is_empty() {
                    view! { <p role="status">"No signals at the moment."</p> }.into_any()
                } else {
                    found.items.into_iter().map(|item| view! { <SignalCard item on_change=reload/> }).collect_view().into_any()
                }}
            }
        })}
    }
}

#[component]
pub(crate) fn SignalCard(item: tally_api::SafeguardingItem, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let id = format!("signal-{}-{}", item.reference, item.key.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    let heading = format!("{}: {} ({})", item.title, item.person_name, item.reference);
    let (heading_id, labelled_by) = (format!("{id}-heading"), format!("{id}-heading"));
    let outcome = RwSignal::new(None::<tally_api::SafeguardingOutcome>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = {
        let (reference, key) = (item.reference.clone(), item.key.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(chosen) = outcome.get_untracked() else {
                error.set(Some("Choose what you found".to_owned()));
                return;
            };
            error.set(None);
            let request = tally_api::SafeguardingNoteRequest {
                key: key.clone(),
                outcome: Some(chosen),
                note: note.get_untracked(),
            };
            let (reference, csrf) = (reference.clone(), workspace.csrf());
            once.run(async move {
                match api::note_safeguarding(&csrf, &reference, &request).await {
                    Ok(()) => {
                        notice.say("Recorded. It is kept with the signal, and never shown to the person.".to_owned());
                        on_change.run(());
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        error.set(Some(problem.message()));
                    }
                }
            });
        }
    };
    let radio = {
        let id = id.clone();
        move |value: tally_api::SafeguardingOutcome, label: &'static str| {
            let input_id = format!("{id}-{}", value.as_str());
            let name = format!("{id}-outcome");
            view! {
                <div class="radio">
                    <input type="radio" id=input_id.clone() name=name prop:checked=move || outcome.get() == Some(value) on:change=move |_| outcome.set(Some(value))/>
                    <label for=input_id>{label}</label>
                </div>
            }
        }
    };
    let note_id = format!("{id}-note");
    view! {
        <section class="spend-review" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <p>{item.figures.clone()}</p>
            {if item.notes.is_empty() {
                view! { <p><strong>"Not looked at yet."</strong></p> }.into_any()
            } else {
                view! {
                    <ol class="thread">
                        {item.notes.iter().map(|n| {
                            let outcome = n.outcome.label();
                            view! { <li><strong>{format!("{} · {} {outcome}", when(n.at_ms), n.who)}</strong>{(!n.note.is_empty()).then(|| format!(": {}", n.note))}</li> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <Show when=move || workspace.can_change()>
                <form on:submit=submit.clone() novalidate>
                    <fieldset class="field" class:field--error=move || error.with(Option::is_some)>
                        <legend>"What did you find?"</legend>
                        {move || error.get().map(|message| view! { <p class="field-error" role="alert"><span class="visually-hidden">"Error: "</span>{message}</p> })}
                        {radio(tally_api::SafeguardingOutcome::NoConcern, "Looked at, no concern")}
                        {radio(tally_api::SafeguardingOutcome::Raised, "Raised with the safeguarding team")}
                    </fieldset>
                    <div class="field">
                        <label for=note_id.clone()>"Note (optional)"</label>
                        <textarea id=note_id.clone() rows="2" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Record"</button>
                </form>
            </Show>
        </section>
    }
}
