//! The list of spending, newest first, each with where it stands with the council.

use leptos::prelude::*;
use tally_ledger::date::long_date;
use tally_ledger::{Entry, EntryBody, EntryId, Spend};

use leptos_router::components::A;

use crate::app::use_wallet;
use crate::store::Delivery;

/// One line of the list, ready to show.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: EntryId,
    amount: String,
    payee: String,
    line: String,
    date: String,
    state: String,
    author: String,
}

/// Spending, newest first; `limit` shows only the most recent.
#[component]
pub fn SpendingList(#[prop(optional)] limit: Option<usize>) -> impl IntoView {
    let wallet = use_wallet();
    // Worked out once per change (the list and its empty check both read it), and only
    // for the rows shown: an account can hold thousands of spends.
    let rows = Memo::new(move |_| {
        let plan = wallet.session.with(|s| s.as_ref().map(|s| s.account.plan.clone()).unwrap_or_default());
        let local = wallet.session.with(|s| s.as_ref().is_some_and(|s| s.local));
        wallet.records.with(|records| {
            wallet.ledger.with(|ledger| {
                let line_name = |spend: &Spend| match &spend.plan_line {
                    Some(id) => plan.any_line(id).map(|l| l.name.clone()).unwrap_or_else(|| id.0.clone()),
                    None => "Not in the support plan".to_owned(),
                };
                let row = |entry: &Entry, spend: &Spend, state: String| Row {
                    id: entry.id,
                    amount: spend.amount.to_string(),
                    payee: spend.payee.clone(),
                    line: line_name(spend),
                    date: long_date(spend.date),
                    state,
                    author: entry.author.name.clone(),
                };
                let mut rows: Vec<Row> = ledger
                    .spending()
                    .iter()
                    .filter_map(|active| {
                        let state = match records.delivery(active.id()) {
                            _ if local => "Kept on this device",
                            Some(Delivery::Waiting) => "Waiting to be sent",
                            _ => "Saved to the council",
                        };
                        Some(row(active.original, active.spend()?, state.to_owned()))
                    })
                    .take(limit.unwrap_or(usize::MAX))
                    .collect();
                // Refused records are not in the ledger; list them too, so nothing disappears.
                for record in &records.records {
                    if let (Delivery::Refused { reason, settled }, EntryBody::Spend(spend)) =
                        (&record.delivery, &record.entry.body)
                    {
                        let state = if *settled {
                            "Not accepted by the council; put right".to_owned()
                        } else {
                            format!("Not accepted by the council: {reason}")
                        };
                        rows.push(row(&record.entry, spend, state));
                    }
                }
                rows.truncate(limit.unwrap_or(usize::MAX));
                rows
            })
        })
    });

    view! {
        <section class="spending" aria-labelledby="spending-heading">
            <h2 id="spending-heading">"Spending"</h2>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! { <p>"No spending logged yet."</p> }
            >
                <ul class="spending-list" aria-labelledby="spending-heading">
                    <For
                        each=move || rows.get()
                        key=|row| (row.id, row.state.clone(), row.amount.clone())
                        children=|row| view! {
                            <li class="spending-item">
                                <p class="spending-item__main">
                                    <A href=format!("/entries/{}", row.id)>
                                        <span class="spending-item__amount">{row.amount}</span>
                                        " to "
                                        <span class="spending-item__payee">{row.payee}</span>
                                    </A>
                                </p>
                                <p class="spending-item__meta">{format!("{} · {} · logged by {}", row.line, row.date, row.author)}</p>
                                <p class="spending-item__state">{row.state}</p>
                            </li>
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}
