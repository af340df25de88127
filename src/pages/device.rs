//! This device: the people on it, and removing a person (on a shared phone, or when
//! caring ends). Removing wipes their records from this device only when the council has
//! everything; otherwise it says exactly what would be lost and asks first.

use leptos::prelude::*;
use tally_ledger::AccountId;

use crate::app::{page_title, use_wallet};

#[component]
pub fn DevicePage() -> impl IntoView {
    page_title("This device");
    let wallet = use_wallet();
    let people = move || wallet.sessions.with(|all| all.iter().map(|s| (s.account.account_id, s.account.person_name.clone(), s.account.reference.clone())).collect::<Vec<_>>());
    view! {
        <h1>"This device"</h1>
        <p>"The people whose direct payments are kept on this phone or computer. Removing someone here does not change anything the council holds."</p>
        <ul class="people-list">
            {move || people().into_iter().map(|(id, name, reference)| view! { <RemovePerson id=id name=name reference=reference/> }).collect_view()}
        </ul>
    }
}

#[component]
fn RemovePerson(id: AccountId, name: String, reference: String) -> impl IntoView {
    let wallet = use_wallet();
    let asking = RwSignal::new(false);
    let understood = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let unsent = move || wallet.unsent(id);
    let remove = move |_| {
        let lost = unsent();
        if !lost.is_empty() && !understood.get_untracked() {
            error.set(Some("Tick the box to confirm these records will be lost, or connect to the internet first so they can be sent.".to_owned()));
            return;
        }
        wallet.remove_person(id);
    };
    let title = format!("Remove {name} from this device");
    view! {
        <li class="people-list__item">
            <h2>{name.clone()}</h2>
            <p class="hint">{format!("Account {reference}")}</p>
            <Show when=move || asking.get() fallback=move || view! {
                <button type="button" class="button button--secondary" on:click=move |_| asking.set(true)>{title.clone()}</button>
            }>
                {
                    let name = name.clone();
                    move || {
                        let lost = unsent();
                        if lost.is_empty() {
                            view! {
                                <p>{format!("Everything for {name} is saved with the council, so nothing will be lost. Their records and receipt photos will be wiped from this device.")}</p>
                            }.into_any()
                        } else {
                            view! {
                                <div class="notice notice--warning">
                                    <p><strong>{format!("{} not sent to the council yet. Removing {name} now loses them for good:", match lost.len() { 1 => "1 record is".to_owned(), n => format!("{n} records are") })}</strong></p>
                                    <ul>{lost.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                                    <p>"Connect to the internet and wait until the home page says everything is saved, then remove them."</p>
                                </div>
                                <div class="field field--checkbox" class:field--error=move || error.with(Option::is_some)>
                                    {move || error.get().map(|m| view! { <p class="field-error" id=format!("understood-{id}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
                                    <input type="checkbox" id=format!("understood-{id}")
                                        aria-describedby=move || error.with(Option::is_some).then(|| format!("understood-{id}-error"))
                                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                                        prop:checked=move || understood.get() on:change=move |ev| understood.set(event_target_checked(&ev))/>
                                    <label for=format!("understood-{id}")>"I understand these records will be lost"</label>
                                </div>
                            }.into_any()
                        }
                    }
                }
                <button type="button" class="button button--warning" on:click=remove>{format!("Yes, remove {name}")}</button>
                " "
                <button type="button" class="button button--secondary" on:click=move |_| asking.set(false)>"Keep them"</button>
            </Show>
        </li>
    }
}
