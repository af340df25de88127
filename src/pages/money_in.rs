//! Money in: payments from the council, the person's contributions and refunds.

use leptos::prelude::*;
use tally_ledger::date::{iso_date, long_date, parse_iso_date};
use tally_ledger::{EntryBody, Money, MoneyIn, Refund};

use crate::app::{page_title, use_wallet};
use crate::browser;
use crate::components::field::TextField;

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
                        EntryBody::Contribution(m) => ("Paid in by you", m.reference.clone()),
                        EntryBody::Refund(r) => ("Refund", format!("from {}", r.payee)),
                        _ => return None,
                    };
                    Some((format!("{} — {kind}", a.amount), long_date(a.date), detail))
                })
                .collect()
        })
    };
    let total = move || {
        wallet.ledger.with(|l| {
            l.view()
                .active
                .iter()
                .filter(|a| a.amount.is_positive())
                .fold(Money::ZERO, |t, a| t.saturating_add(a.amount))
        })
    };
    let amount = RwSignal::new(String::new());
    let date = RwSignal::new(iso_date(browser::today()));
    let reference = RwSignal::new(String::new());
    let refund = RwSignal::new(false);
    let payee = RwSignal::new(String::new());
    let payee_error = RwSignal::new(None::<String>);
    let amount_error = RwSignal::new(None::<String>);
    let date_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let maximum = wallet
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.account.policy.per_entry_maximum).unwrap_or(Money::ZERO));
        let parsed = Money::parse_amount(&amount.get_untracked(), maximum);
        amount_error.set(parsed.as_ref().err().map(ToString::to_string));
        let range = tally_ledger::date::DateRange::for_records(browser::today());
        let day = parse_iso_date(&date.get_untracked());
        date_error.set(match day {
            None => Some("Enter the date the money was paid in, for example 1 11 2026.".to_owned()),
            Some(day) if !range.contains(day) => Some(format!("The date must be {}.", range.describe())),
            Some(_) => None,
        });
        let day = day.filter(|d| range.contains(*d));
        let is_refund = refund.get_untracked();
        let who = payee.get_untracked().trim().to_owned();
        payee_error.set(if !is_refund {
            None
        } else if who.is_empty() {
            Some("Enter who gave the money back.".to_owned())
        } else if who.chars().count() > 200 {
            Some("Who gave the money back: at most 200 characters.".to_owned())
        } else {
            None
        });
        let (Ok(value), Some(day)) = (parsed, day) else { return };
        if payee_error.with_untracked(Option::is_some) {
            return;
        }
        let note = reference.get_untracked().trim().to_owned();
        let body = if is_refund {
            EntryBody::Refund(Refund {
                date: day,
                amount: value,
                payee: who.clone(),
                plan_line: None,
                refund_of: None,
                note,
            })
        } else {
            EntryBody::Contribution(MoneyIn { date: day, amount: value, reference: note })
        };
        if let Some(entry) = wallet.new_entry(body) {
            wallet.log(vec![entry]);
            saved.set(Some(if is_refund {
                format!("Recorded a refund of {value} from {who} on {}.", long_date(day))
            } else {
                format!("Recorded {value} paid in on {}.", long_date(day))
            }));
            amount.set(String::new());
            reference.set(String::new());
            payee.set(String::new());
        }
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
        <section aria-labelledby="record-in-heading">
            <h2 id="record-in-heading">"Record money you paid in"</h2>
            <p class="hint">"Your contribution, or, if you pay for your own care, money you put in. Or money someone you paid gave back: a refund."</p>
            <p role="status" class="confirmation">{move || saved.get()}</p>
            <form on:submit=record novalidate>
                <fieldset class="field">
                    <legend>"What came in"</legend>
                    <div class="radio">
                        <input type="radio" id="in-kind-paid" name="in-kind" prop:checked=move || !refund.get() on:change=move |_| refund.set(false)/>
                        <label for="in-kind-paid">"Money you paid in"</label>
                    </div>
                    <div class="radio">
                        <input type="radio" id="in-kind-refund" name="in-kind" prop:checked=move || refund.get() on:change=move |_| refund.set(true)/>
                        <label for="in-kind-refund">"A refund from someone you paid"</label>
                    </div>
                </fieldset>
                <Show when=move || refund.get()>
                    <TextField id="in-payee" label="Who gave the money back" value=payee error=Signal::derive(move || payee_error.get())/>
                </Show>
                <TextField id="in-amount" label="Amount paid in" value=amount error=Signal::derive(move || amount_error.get()) inputmode="decimal" prefix="£"/>
                <TextField id="in-date" label="Date paid in" value=date error=Signal::derive(move || date_error.get()) input_type="date"/>
                <TextField id="in-reference" label="Reference (optional)" value=reference error=Signal::derive(|| None::<String>)/>
                <button type="submit" class="button">"Record money in"</button>
            </form>
        </section>
    }
}
