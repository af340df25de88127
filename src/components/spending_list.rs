//! The list of spending, newest first, each with where it stands with the council.

use leptos::prelude::*;
use tally_ledger::date::long_date;

use crate::app::use_wallet;
use crate::store::Delivery;

#[component]
pub fn SpendingList() -> impl IntoView {
    let wallet = use_wallet();
    let rows = move || {
        let plan_lines = wallet.session.with(|s| s.as_ref().map(|s| s.account.plan_lines.clone()).unwrap_or_default());
        wallet.records.with(|records| {
            let ledger = records.ledger();
            let mut rows: Vec<_> = ledger
                .spending()
                .into_iter()
                .map(|(entry, spend)| {
                    let line = plan_lines
                        .iter()
                        .find(|l| l.id == spend.plan_line)
                        .map(|l| l.name.clone())
                        .unwrap_or_else(|| spend.plan_line.0.clone());
                    let state = match records.delivery(entry.id) {
                        Some(Delivery::Waiting) => "Waiting to be sent".to_owned(),
                        Some(Delivery::Refused { reason }) => format!("Not accepted by the council: {reason}"),
                        _ => "Saved to the council".to_owned(),
                    };
                    (entry.id, spend.amount.to_string(), spend.payee.clone(), line, long_date(spend.date), state, entry.author.name.clone())
                })
                .collect();
            // Refused records are not in the ledger; list them too, so nothing disappears.
            for record in &records.records {
                if let (Delivery::Refused { reason }, tally_ledger::EntryBody::Spend(spend)) = (&record.delivery, &record.entry.body) {
                    rows.push((record.entry.id, spend.amount.to_string(), spend.payee.clone(), spend.plan_line.0.clone(), long_date(spend.date), format!("Not accepted by the council: {reason}"), record.entry.author.name.clone()));
                }
            }
            rows
        })
    };

    view! {
        <section class="spending" aria-labelledby="spending-heading">
            <h2 id="spending-heading">"Spending"</h2>
            <Show
                when=move || !rows().is_empty()
                fallback=|| view! { <p>"No spending logged yet."</p> }
            >
                <ul class="spending-list" aria-labelledby="spending-heading">
                    <For
                        each=rows
                        key=|row| (row.0, row.5.clone())
                        children=|(_, amount, payee, line, date, state, author)| view! {
                            <li class="spending-item">
                                <p class="spending-item__main">
                                    <span class="spending-item__amount">{amount}</span>
                                    " to "
                                    <span class="spending-item__payee">{payee}</span>
                                </p>
                                <p class="spending-item__meta">{format!("{line} · {date} · logged by {author}")}</p>
                                <p class="spending-item__state">{state}</p>
                            </li>
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}
