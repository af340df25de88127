//! Money in: payments from the council, the person's contributions and refunds.

use leptos::prelude::*;
use tally_ledger::date::long_date;
use tally_ledger::{EntryBody, Money};

use crate::app::{page_title, use_wallet};

#[component]
pub fn MoneyIn() -> impl IntoView {
    page_title("Money in");
    let wallet = use_wallet();
    let items = move || -> Vec<(String, String, String)> {
        wallet.ledger.with(|l| {
            l.view()
                .active
                .iter()
                .rev()
                .filter_map(|a| {
                    let (kind, detail) = match a.body {
                        EntryBody::PaymentIn(m) => ("Payment from the council", m.reference.clone()),
                        EntryBody::Contribution(m) => ("Your contribution", m.reference.clone()),
                        EntryBody::Refund(r) => ("Refund", format!("from {}", r.payee)),
                        _ => return None,
                    };
                    Some((format!("{} — {kind}", a.amount), long_date(a.date), detail))
                })
                .collect()
        })
    };
    let total = move || {
        wallet.ledger.with(|l| l.view().active.iter().filter(|a| a.amount.is_positive()).fold(Money::ZERO, |t, a| t.saturating_add(a.amount)))
    };
    view! {
        <h1>"Money in"</h1>
        <p>{move || format!("In total, {} has come into the account.", total())}</p>
        <Show when=move || !items().is_empty() fallback=|| view! { <p>"No money has come in yet."</p> }>
            <ul class="spending-list">
                {move || items().into_iter().map(|(title, date, detail)| view! {
                    <li class="spending-item">
                        <p class="spending-item__main"><strong>{title}</strong></p>
                        <p class="spending-item__meta">{date}{(!detail.is_empty()).then(|| format!(" · {detail}"))}</p>
                    </li>
                }).collect_view()}
            </ul>
        </Show>
    }
}
