//! History: every entry, newest first; search by payee or note; filter by plan line, month
//! and flagged; monthly totals.

use leptos::prelude::*;
use leptos_router::components::A;
use tally_ledger::date::long_date;
use tally_ledger::{EntryBody, Money, Rules};
use time::Date;

use crate::app::{page_title, use_wallet};
use crate::browser;
use crate::store::Delivery;

/// "November 2026".
fn month_label(date: Date) -> String {
    let long = long_date(date);
    long.split_once(' ').map(|(_, rest)| rest.to_owned()).unwrap_or(long)
}

/// "2026-11", for the month filter's values.
fn month_key(date: Date) -> String {
    format!("{}-{:02}", date.year(), date.month() as u8)
}

#[derive(Clone, Debug, PartialEq)]
struct Item {
    href: String,
    title: String,
    meta: String,
    state: String,
    flagged: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Month {
    label: String,
    total_out: Money,
    total_in: Money,
    items: Vec<Item>,
}

#[component]
pub fn History() -> impl IntoView {
    page_title("History");
    let wallet = use_wallet();
    let search = RwSignal::new(String::new());
    let line_filter = RwSignal::new(String::new());
    let month_filter = RwSignal::new(String::new());
    // `/history?flagged=1` (linked from Home) opens with only flagged spending shown.
    let flagged_only = RwSignal::new(leptos_router::hooks::use_query_map().with_untracked(|q| q.get("flagged").is_some_and(|v| v == "1")));

    let plan_lines = move || wallet.session.with(|s| s.as_ref().and_then(|s| s.account.plan.current().map(|v| v.lines.clone())).unwrap_or_default());
    let months_present = move || {
        let mut months: Vec<(String, String)> = wallet.ledger.with(|l| l.view().active.iter().map(|a| (month_key(a.date), month_label(a.date))).collect());
        months.sort();
        months.dedup();
        months.reverse();
        months
    };
    let months = move || -> Vec<Month> {
        let query = search.get().trim().to_lowercase();
        let line = line_filter.get();
        let month = month_filter.get();
        let only_flagged = flagged_only.get();
        wallet.session.with(|s| {
            let Some(s) = s else { return Vec::new() };
            let plan = &s.account.plan;
            let rules = Rules { plan, policy: &s.account.policy, today: browser::today() };
            wallet.records.with(|records| {
                wallet.ledger.with(|ledger| {
                    let view = ledger.view();
                    let review = rules.review_view(&view);
                    let mut result: Vec<Month> = Vec::new();
                    for active in view.active.iter().rev() {
                        let flagged = review.spends.contains_key(&active.id());
                        let (title, detail, searchable, in_line) = match active.body {
                            EntryBody::Spend(sp) => {
                                let line_name = sp.plan_line.as_ref().and_then(|id| plan.any_line(id)).map(|l| l.name.clone()).unwrap_or_else(|| "Not in the support plan".to_owned());
                                (format!("{} to {}", sp.amount, sp.payee), line_name, format!("{} {}", sp.payee, sp.note), sp.plan_line.as_ref().is_some_and(|l| l.0 == line))
                            }
                            EntryBody::Refund(r) => (format!("{} refund from {}", r.amount, r.payee), "Refund".to_owned(), format!("{} {}", r.payee, r.note), r.plan_line.as_ref().is_some_and(|l| l.0 == line)),
                            EntryBody::PaymentIn(m) => (format!("{} paid in by the council", m.amount), m.reference.clone(), m.reference.clone(), false),
                            EntryBody::Contribution(m) => (format!("{} contribution paid in", m.amount), m.reference.clone(), m.reference.clone(), false),
                            EntryBody::Clawback(c) => (format!("{} taken back by the council", c.amount), c.reason.clone(), c.reason.clone(), false),
                            _ => continue,
                        };
                        if !query.is_empty() && !searchable.to_lowercase().contains(&query) {
                            continue;
                        }
                        if !line.is_empty() && !in_line {
                            continue;
                        }
                        if !month.is_empty() && month_key(active.date) != month {
                            continue;
                        }
                        if only_flagged && !flagged {
                            continue;
                        }
                        let state = match records.delivery(active.id()) {
                            Some(Delivery::Waiting) => "Waiting to be sent",
                            _ => "Saved to the council",
                        };
                        let label = month_label(active.date);
                        if result.last().is_none_or(|m| m.label != label) {
                            result.push(Month { label: label.clone(), total_out: Money::ZERO, total_in: Money::ZERO, items: Vec::new() });
                        }
                        let group = result.last_mut().expect("just pushed");
                        if active.amount.is_negative() {
                            group.total_out = group.total_out.saturating_add(-active.amount);
                        } else {
                            group.total_in = group.total_in.saturating_add(active.amount);
                        }
                        let corrected = if active.corrections > 0 { " · corrected" } else { "" };
                        group.items.push(Item {
                            href: format!("/entries/{}", active.id()),
                            title,
                            meta: format!("{detail} · {}{corrected}", long_date(active.date)),
                            state: state.to_owned(),
                            flagged,
                        });
                    }
                    result
                })
            })
        })
    };

    view! {
        <h1>"History"</h1>
        <form class="filters" role="search" aria-label="Filter the history" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="search">"Search who was paid or notes"</label>
                <input id="search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            <div class="filters__row">
                <div class="field">
                    <label for="filter-line">"Plan line"</label>
                    <select id="filter-line" on:change=move |ev| line_filter.set(event_target_value(&ev))>
                        <option value="">"All plan lines"</option>
                        {move || plan_lines().into_iter().map(|l| view! { <option value=l.id.0.clone()>{l.name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-month">"Month"</label>
                    <select id="filter-month" on:change=move |ev| month_filter.set(event_target_value(&ev))>
                        <option value="">"All months"</option>
                        {move || months_present().into_iter().map(|(key, label)| view! { <option value=key>{label}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="field field--checkbox">
                <input type="checkbox" id="flagged-only" prop:checked=move || flagged_only.get() on:change=move |ev| flagged_only.set(event_target_checked(&ev))/>
                <label for="flagged-only">"Only spending the council may ask about"</label>
            </div>
        </form>
        <p role="status" class="hint">{move || {
            let count: usize = months().iter().map(|m| m.items.len()).sum();
            match count { 0 => "Nothing matches.".to_owned(), 1 => "1 entry".to_owned(), n => format!("{n} entries") }
        }}</p>
        {move || months().into_iter().map(|month| {
            let heading_id = format!("month-{}", month.label.replace(' ', "-").to_lowercase());
            let labelled_by = heading_id.clone();
            view! {
                <section class="month" aria-labelledby=labelled_by>
                    <h2 id=heading_id>{month.label.clone()}</h2>
                    <p class="month__totals">{format!("Spent {} · Paid in {}", month.total_out, month.total_in)}</p>
                    <ul class="spending-list">
                        {month.items.into_iter().map(|item| view! {
                            <li class="spending-item">
                                <p class="spending-item__main"><A href=item.href>{item.title}</A></p>
                                <p class="spending-item__meta">{item.meta}</p>
                                <p class="spending-item__state">{item.state}{item.flagged.then_some(" · The council may ask about this")}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        }).collect_view()}
    }
}
