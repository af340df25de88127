//! The sync state, always visible: what is saved, what is waiting, what went wrong.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::{use_wallet, SyncStatus};
use crate::browser;

/// "3 records waiting", with the right plural.
fn records_waiting(count: usize) -> String {
    match count {
        1 => "1 record waiting".to_owned(),
        n => format!("{n} records waiting"),
    }
}

/// "1 record not accepted", with the right plural.
fn not_accepted(count: usize) -> String {
    match count {
        1 => "1 record not accepted".to_owned(),
        n => format!("{n} records not accepted"),
    }
}

/// Where sync stands, in a few words: for the line at the top of every screen.
fn in_brief(wallet: crate::app::Wallet) -> String {
    if wallet.session.with(|s| s.as_ref().is_some_and(|s| s.local)) {
        return "Kept on this device only".to_owned();
    }
    let (waiting, refused) = wallet.records.with(|r| (r.waiting_count(), r.refused_count()));
    let first = match wallet.sync.get() {
        SyncStatus::Syncing if waiting > 0 => format!("{} — sending now", records_waiting(waiting)),
        SyncStatus::Unreachable { .. } if waiting > 0 => format!("{} — offline", records_waiting(waiting)),
        SyncStatus::Unreachable { .. } => "Offline".to_owned(),
        SyncStatus::Problem(problem) if problem.starts_with(tally_api::DIRECT_PAYMENT_ENDED) => {
            "Your direct payment has ended".to_owned()
        }
        SyncStatus::Problem(_) => "The council could not take your records".to_owned(),
        _ if waiting > 0 => records_waiting(waiting),
        SyncStatus::Done { .. } if refused == 0 => "All saved to the council".to_owned(),
        SyncStatus::Done { .. } => "Everything else saved".to_owned(),
        _ => "Checking with the council…".to_owned(),
    };
    match refused {
        0 => first,
        n => format!("{} · {first}", not_accepted(n)),
    }
}

/// The sync state in one line, at the top of every screen but Home (which has the full
/// panel): what is waiting, what the council did not accept, and a link to where to look.
#[component]
pub fn SyncLine() -> impl IntoView {
    let wallet = use_wallet();
    let refused = move || wallet.records.with(|r| r.refused_count()) > 0;
    view! {
        <p class="sync-line" class:sync-line--problem=refused role="status" aria-live="polite">
            <span class="visually-hidden">"Sync: "</span>
            {move || in_brief(wallet)}
            {move || refused().then(|| view! { " " <A href="/history#not-accepted">"See what to do"</A> })}
        </p>
    }
}

#[component]
pub fn SyncStatusPanel() -> impl IntoView {
    let wallet = use_wallet();
    let waiting = move || wallet.records.with(|r| r.waiting_count());
    let refused = move || wallet.records.with(|r| r.refused_count());
    let local = move || wallet.session.with(|s| s.as_ref().is_some_and(|s| s.local));
    let message = move || {
        if local() {
            return "Kept on this device only: Tally is not connected to a council.".to_owned();
        }
        let waiting = waiting();
        let status = match wallet.sync.get() {
            // Never "all saved" while the council has refused something.
            SyncStatus::Done { at } if waiting == 0 && refused() > 0 => {
                format!("Everything else is saved to the council · {}", browser::clock_time(at))
            }
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
            // The council ended the direct payment: said as what happened, in its words.
            SyncStatus::Problem(problem) if problem.starts_with(tally_api::DIRECT_PAYMENT_ENDED) => problem,
            SyncStatus::Problem(problem) => format!("The council could not take your records: {problem}"),
            _ => format!("{} — they will be sent when you are online.", records_waiting(waiting)),
        };
        match refused() {
            0 => status,
            n => format!(
                "{}: the council gave its reasons, and you can put them right (see History). {status}",
                not_accepted(n)
            ),
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
            {move || (refused() > 0).then(|| view! { <p><A href="/history#not-accepted">"See the records the council did not accept"</A></p> })}
            {move || button().map(|label| view! {
                <button type="button" class="button button--secondary" on:click=move |_| wallet.sync_now()>
                    {label}
                </button>
            })}
        </section>
    }
}
