//! This device: the people on it, and removing a person (on a shared phone, or when
//! caring ends). Removing wipes their records from this device only when the council has
//! everything; otherwise it says exactly what would be lost and asks first.

use leptos::prelude::*;
use tally_ledger::AccountId;

use crate::app::{page_title, use_wallet};
use crate::components::field::TextField;
use crate::lock::{self, LockSettings, IDLE_CHOICES};

#[component]
pub fn DevicePage() -> impl IntoView {
    page_title("This device");
    let wallet = use_wallet();
    let people = move || {
        wallet.sessions.with(|all| {
            all.iter()
                .map(|s| (s.account.account_id, s.account.person_name.clone(), s.account.reference.clone(), s.local))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <h1>"This device"</h1>
        <p>"The people whose direct payments are kept on this phone or computer. Removing someone here does not change anything the council holds."</p>
        <ul class="people-list">
            {move || people().into_iter().map(|(id, name, reference, local)| view! {
                <RemovePerson id=id name=name.clone() reference=reference/>
                {local.then(|| view! {
                    <li class="people-list__connect">
                        <p>{format!("{name}'s records are kept on this device only.")}</p>
                        <leptos_router::components::A href=format!("/add-person?join={id}")>{format!("Connect {name} to a council")}</leptos_router::components::A>
                    </li>
                })}
            }).collect_view()}
        </ul>
        <StorageNote/>
        <PinSettings/>
    }
}

/// Whether the browser has promised to keep Tally's records when the device runs short of
/// space (it was asked at start-up), and what that means in practice.
#[component]
fn StorageNote() -> impl IntoView {
    let wallet = use_wallet();
    view! {
        <section aria-labelledby="storage-heading">
            <h2 id="storage-heading">"Storage on this device"</h2>
            {move || match wallet.persistent.get() {
                Some(true) => view! {
                    <p>"This browser has agreed to keep Tally's records and receipt photos, even if the device runs low on space."</p>
                }.into_any(),
                Some(false) => view! {
                    <p>"This browser has not promised to keep Tally's records if the device runs low on space. Everything the council has is safe with the council (see \"All saved to the council\" at the top). To keep records that are still waiting safe too, connect to the internet soon, or add Tally to your home screen: browsers keep installed apps' data."</p>
                }.into_any(),
                None => view! {
                    <p>"This browser does not say whether it will keep Tally's records if the device runs low on space. Everything the council has is safe with the council."</p>
                }.into_any(),
            }}
        </section>
    }
}

/// Setting, changing or removing the PIN lock.
#[component]
fn PinSettings() -> impl IntoView {
    let wallet = use_wallet();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let minutes = RwSignal::new(IDLE_CHOICES[1]);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let set = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(problem) = lock::check_new_pin(&pin.get_untracked(), &again.get_untracked()) {
            error.set(Some(problem));
            return;
        }
        let salt = crate::browser::new_uuid_v7().to_string();
        let settings = LockSettings::new(pin.get_untracked().trim(), minutes.get_untracked(), salt);
        if !lock::save(&settings) {
            error.set(Some("This device could not keep the PIN. Try again.".to_owned()));
            return;
        }
        wallet.lock.set(Some(settings));
        error.set(None);
        pin.set(String::new());
        again.set(String::new());
        done.set(Some(format!(
            "The PIN lock is on. Tally locks after {} minutes without use, and when it opens.",
            minutes.get_untracked()
        )));
    };
    let remove = move |_| {
        lock::clear();
        wallet.lock.set(None);
        done.set(Some("The PIN lock is off.".to_owned()));
    };
    view! {
        <section aria-labelledby="pin-heading">
            <h2 id="pin-heading">"PIN lock"</h2>
            <p>"On a phone other people use, a PIN keeps your records private. It is not a password for your money: it only stops other people using this phone from seeing your records."</p>
            <p role="status" class="confirmation">{move || done.get()}</p>
            <Show when=move || wallet.lock.with(Option::is_some)>
                <button type="button" class="button button--secondary" on:click=remove>"Turn off the PIN lock"</button>
            </Show>
            <form on:submit=set novalidate>
                <TextField id="new-pin" label="New PIN" hint="4 to 8 numbers" value=pin input_type="password" inputmode="numeric"
                    error=Signal::derive(move || error.get()) autocomplete="new-password"/>
                <TextField id="new-pin-again" label="The same PIN again" value=again input_type="password" inputmode="numeric"
                    error=Signal::derive(|| None::<String>) autocomplete="new-password"/>
                <div class="field">
                    <label for="idle-minutes">"Lock after"</label>
                    <select id="idle-minutes" on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(IDLE_CHOICES[1]))>
                        {IDLE_CHOICES.iter().map(|m| view! {
                            <option value=m.to_string() selected=move || minutes.get() == *m>{format!("{m} minutes without use")}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">{move || if wallet.lock.with(Option::is_some) { "Change the PIN" } else { "Turn on the PIN lock" }}</button>
            </form>
        </section>
    }
}

/// Shown instead of everything else while locked. Sync carries on underneath.
#[component]
pub fn LockScreen() -> impl IntoView {
    page_title("Locked");
    let wallet = use_wallet();
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let right = wallet.lock.with_untracked(|l| l.as_ref().is_some_and(|l| l.matches(&pin.get_untracked())));
        pin.set(String::new());
        if right {
            error.set(None);
            wallet.locked.set(false);
        } else {
            error.set(Some("That PIN is not right. Try again.".to_owned()));
        }
    };
    view! {
        <h1>"Tally is locked"</h1>
        <p>"Enter the PIN for this device to see the records."</p>
        <form on:submit=unlock novalidate>
            <TextField id="pin" label="PIN" value=pin input_type="password" inputmode="numeric"
                error=Signal::derive(move || error.get()) autocomplete="current-password"/>
            <button type="submit" class="button">"Unlock"</button>
        </form>
        <details>
            <summary>"Forgotten the PIN?"</summary>
            <p>"Ask the person who set it. If nobody knows it, your council can give you a new pairing code: records already sent to the council are safe there, and you can set up this device again."</p>
        </details>
    }
}

#[component]
fn RemovePerson(id: AccountId, name: String, reference: String) -> impl IntoView {
    let wallet = use_wallet();
    let asking = RwSignal::new(false);
    let understood = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Read when the question is asked, and again after each sync round.
    let unsent = LocalResource::new(move || {
        asking.track();
        wallet.sync.track();
        async move { wallet.unsent(id).await }
    });
    let remove = move |_| {
        let Some(lost) = unsent.get_untracked() else { return };
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
                        let Some(lost) = unsent.get() else {
                            return view! { <p role="status">"Checking what is saved…"</p> }.into_any();
                        };
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
