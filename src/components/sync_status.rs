//! The sync state, always visible: what is saved, what is waiting, what went wrong.

use leptos::prelude::*;

use crate::app::{use_wallet, SyncStatus};
use crate::browser;

/// "3 records waiting", with the right plural.
fn records_waiting(count: usize) -> String {
    match count {
        1 => "1 record waiting".to_owned(),
        n => format!("{n} records waiting"),
    }
}

#[component]
pub fn SyncStatusPanel() -> impl IntoView {
    let wallet = use_wallet();
    let waiting = move || wallet.records.with(|r| r.waiting_count());
    let local = move || wallet.session.with(|s| s.as_ref().is_some_and(|s| s.local));
    let message = move || {
        if local() {
            return "Kept on this device only: Tally is not connected to a council.".to_owned();
        }
        let waiting = waiting();
        match wallet.sync.get() {
            SyncStatus::Done { at } if waiting == 0 => {
                format!("All saved to the council · {}", browser::clock_time(at))
            }
            SyncStatus::NotStarted | SyncStatus::Syncing if waiting == 0 => "Checking with the council…".to_owned(),
            SyncStatus::Syncing => format!("{} — sending to the council now…", records_waiting(waiting)),
            SyncStatus::Unreachable { retry_in_s } if waiting > 0 => format!(
                "{} — they will be sent when you are online. Could not reach the council — trying again in {retry_in_s} s.",
                records_waiting(waiting)
            ),
            SyncStatus::Unreachable { retry_in_s } => {
                format!("Could not reach the council — trying again in {retry_in_s} s.")
            }
            SyncStatus::Problem(problem) => format!("The council could not take your records: {problem}"),
            _ => format!("{} — they will be sent when you are online.", records_waiting(waiting)),
        }
    };
    // "Try now" when something is waiting or went wrong; "Check now" when all is saved,
    // to fetch anything new from the council (a payment in, a reply to an explanation).
    let button = move || match wallet.sync.get() {
        _ if local() => None,
        SyncStatus::Syncing => None,
        SyncStatus::Done { .. } if waiting() == 0 => Some("Check now"),
        _ => Some("Try now"),
    };

    view! {
        <section class="sync-status" class:sync-status--waiting={move || waiting() > 0} aria-label="Sync with the council">
            <p role="status" aria-live="polite" class="sync-status__text">{message}</p>
            {move || button().map(|label| view! {
                <button type="button" class="button button--secondary" on:click=move |_| wallet.sync_now()>
                    {label}
                </button>
            })}
        </section>
    }
}
