//! The person's own words about a record — why a spend was needed, or their answer to a
//! council question — kept as a new `Explanation` record. What they wrote is checked here
//! first (something written, not too long) and kept on screen when it is not right.

use leptos::prelude::*;
use tally_ledger::entry::MAX_NOTE_CHARS;
use tally_ledger::{EntryBody, EntryId, Explanation};

use crate::app::use_wallet;

/// The words of one explanation form.
#[derive(Clone, Copy, Debug)]
pub struct ExplainWords {
    /// The text box's id (its hint and error ids follow from it).
    pub field: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    /// Said when nothing is written.
    pub missing: &'static str,
    /// "explanation", "answer": for the length error.
    pub noun: &'static str,
    pub button: &'static str,
}

/// A form that writes an explanation about `about` and sets `saved` once it is kept.
#[component]
pub fn ExplainForm(about: EntryId, words: ExplainWords, saved: RwSignal<bool>) -> impl IntoView {
    let wallet = use_wallet();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = text.get_untracked().trim().to_owned();
        if value.is_empty() {
            error.set(Some(words.missing.to_owned()));
            return;
        }
        if value.chars().count() > MAX_NOTE_CHARS {
            error.set(Some(format!("The {} must be {MAX_NOTE_CHARS} characters or fewer.", words.noun)));
            return;
        }
        if let Some(entry) = wallet.new_entry(EntryBody::Explanation(Explanation { about, text: value })) {
            wallet.log(vec![entry]);
            text.set(String::new());
            error.set(None);
            saved.set(true);
        }
    };
    let (hint_id, error_id) = (format!("{}-hint", words.field), format!("{}-error", words.field));
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || if error.with(Option::is_some) { format!("{hint_id} {error_id}") } else { hint_id.clone() }
    };
    view! {
        <form on:submit=submit novalidate>
            <div class="field" class:field--error=move || error.with(Option::is_some)>
                <label for=words.field>{words.label}</label>
                <p class="hint" id=hint_id>{words.hint}</p>
                {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()><span class="visually-hidden">"Error: "</span>{m}</p> })}
                <textarea id=words.field rows="3"
                    aria-describedby=described_by
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </div>
            <button type="submit" class="button button--secondary">{words.button}</button>
        </form>
    }
}
