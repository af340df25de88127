//! Home: whose account this is, the balance, sync state, logging spending and the list of
//! spending.

use leptos::prelude::*;

use crate::app::use_wallet;
use crate::components::{spend_form::SpendForm, spending_list::SpendingList, sync_status::SyncStatusPanel};

#[component]
pub fn Home() -> impl IntoView {
    let wallet = use_wallet();
    let account = move || wallet.session.with(|s| s.as_ref().map(|s| s.account.clone()));
    let person = move || account().map(|a| a.person_name).unwrap_or_default();
    let council = move || {
        account().map(|a| format!("{} · account {}", a.council_name, a.reference)).unwrap_or_default()
    };
    let balance = move || wallet.records.with(|r| r.ledger().balance().to_string());

    view! {
        <h1>{person}</h1>
        <p class="account-meta">{council}</p>
        <SyncStatusPanel/>
        {move || wallet.storage_problem.get().map(|message| view! {
            <div class="notice notice--warning" role="alert">
                <p><strong>"Not saved on this device yet. "</strong>{message}</p>
            </div>
        })}
        <section class="balance" aria-labelledby="balance-heading">
            <h2 id="balance-heading">"Balance"</h2>
            <p class="balance__amount">{balance}</p>
            <p class="hint">"Money left in the account, including spending not yet sent to the council."</p>
        </section>
        <SpendForm/>
        <SpendingList/>
    }
}
