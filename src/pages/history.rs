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

/// A record the council did not accept, described for the person with what to do now.
#[derive(Clone, Debug, PartialEq)]
struct NotAccepted {
    id: tally_ledger::EntryId,
    settled: bool,
    what: String,
    reason: String,
    to_do: &'static str,
    link: Option<(String, &'static str)>,
}

fn not_accepted(
    entry: &tally_ledger::Entry,
    reason: &str,
    settled: bool,
    ledger: &tally_ledger::Ledger,
) -> NotAccepted {
    let money = |body: &EntryBody| match body {
        EntryBody::Spend(s) => format!("{} to {} on {}", s.amount, s.payee, long_date(s.date)),
        EntryBody::Refund(r) => format!("a refund of {} from {} on {}", r.amount, r.payee, long_date(r.date)),
        EntryBody::Contribution(m) | EntryBody::PaymentIn(m) => {
            format!("{} paid in on {}", m.amount, long_date(m.date))
        }
        EntryBody::Clawback(c) => format!("{} taken back on {}", c.amount, long_date(c.date)),
        EntryBody::Charge(c) => format!("a charge of {} on {}", c.amount, long_date(c.date)),
        _ => "a record".to_owned(),
    };
    let target = |id: tally_ledger::EntryId| {
        ledger.get(id).map(|t| money(&t.body)).unwrap_or_else(|| "an earlier record".to_owned())
    };
    let page_of = |id: tally_ledger::EntryId| {
        let is_question = ledger.get(id).is_some_and(|t| matches!(t.body, EntryBody::StatementQuery(_)));
        if is_question {
            (format!("/questions/{id}"), "Go to the question")
        } else {
            (format!("/entries/{id}"), "Go to the spending")
        }
    };
    let (what, to_do, link) = match &entry.body {
        EntryBody::Spend(_) => (
            money(&entry.body),
            "It does not count in your balance. Put it right by logging it again with the right details.",
            Some((format!("/log?again={}", entry.id), "Log it again")),
        ),
        EntryBody::Contribution(_) => (
            money(&entry.body),
            "It does not count in your balance. Put it right by recording it again with the right details.",
            Some(("/money-in".to_owned(), "Record money in")),
        ),
        EntryBody::Correction(c) => (
            format!("A correction of {}", target(c.corrects)),
            "Nothing was changed. If something about it is wrong, explain it to the council.",
            Some(page_of(c.corrects)),
        ),
        EntryBody::Void(v) => (
            format!("Cancelling {}", target(v.voids)),
            "Nothing was cancelled. If it should not count, explain why to the council.",
            Some(page_of(v.voids)),
        ),
        EntryBody::Explanation(x) => {
            (format!("Your explanation: \u{201c}{}\u{201d}", x.text), "Write it again.", Some(page_of(x.about)))
        }
        body => (money(body), "Ask your council what to do.", None),
    };
    NotAccepted { id: entry.id, settled, what, reason: reason.to_owned(), to_do, link }
}

#[component]
pub fn History() -> impl IntoView {
    page_title("History");
    let wallet = use_wallet();
    let search = RwSignal::new(String::new());
    let line_filter = RwSignal::new(String::new());
    let month_filter = RwSignal::new(String::new());
    // `/history?flagged=1` (linked from Home) opens with only flagged spending shown.
    let flagged_only = RwSignal::new(
        leptos_router::hooks::use_query_map().with_untracked(|q| q.get("flagged").is_some_and(|v| v == "1")),
    );

    let plan_lines = move || {
        wallet
            .session
            .with(|s| s.as_ref().and_then(|s| s.account.plan.current().map(|v| v.lines.clone())).unwrap_or_default())
    };
    let months_present = move || {
        let mut months: Vec<(String, String)> =
            wallet.ledger.with(|l| l.view().active.iter().map(|a| (month_key(a.date), month_label(a.date))).collect());
        months.sort_unstable();
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
                                let line_name = sp
                                    .plan_line
                                    .as_ref()
                                    .and_then(|id| plan.any_line(id))
                                    .map(|l| l.name.clone())
                                    .unwrap_or_else(|| "Not in the support plan".to_owned());
                                (
                                    format!("{} to {}", sp.amount, sp.payee),
                                    line_name,
                                    format!("{} {}", sp.payee, sp.note),
                                    sp.plan_line.as_ref().is_some_and(|l| l.0 == line),
                                )
                            }
                            EntryBody::Refund(r) => (
                                format!("{} refund from {}", r.amount, r.payee),
                                "Refund".to_owned(),
                                format!("{} {}", r.payee, r.note),
                                r.plan_line.as_ref().is_some_and(|l| l.0 == line),
                            ),
                            EntryBody::PaymentIn(m) => (
                                format!("{} paid in by the council", m.amount),
                                m.reference.clone(),
                                m.reference.clone(),
                                false,
                            ),
                            EntryBody::Contribution(m) => (
                                format!("{} contribution paid in", m.amount),
                                m.reference.clone(),
                                m.reference.clone(),
                                false,
                            ),
                            EntryBody::Clawback(c) => (
                                format!("{} taken back by the council", c.amount),
                                c.reason.clone(),
                                c.reason.clone(),
                                false,
                            ),
                            EntryBody::Charge(c) => (
                                format!("{} charged by the bank or card provider", c.amount),
                                c.description.clone(),
                                c.description.clone(),
                                false,
                            ),
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
                            result.push(Month {
                                label: label.clone(),
                                total_out: Money::ZERO,
                                total_in: Money::ZERO,
                                items: Vec::new(),
                            });
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

    let refused = move || {
        wallet.records.with(|records| {
            wallet.ledger.with(|ledger| {
                records
                    .refused()
                    .map(|(entry, reason, settled)| not_accepted(entry, reason, settled, ledger))
                    .collect::<Vec<_>>()
            })
        })
    };
    let waiting_attention = move || refused().into_iter().filter(|r| !r.settled).collect::<Vec<_>>();
    let settled = move || refused().into_iter().filter(|r| r.settled).collect::<Vec<_>>();

    view! {
        <h1>"History"</h1>
        <Show when=move || !refused().is_empty()>
            <section class="not-accepted" aria-labelledby="not-accepted">
                <h2 id="not-accepted">"Not accepted by the council"</h2>
                <p>"The council did not accept these records, so they are not part of your account. They stay here so nothing is lost."</p>
                <ul class="spending-list">
                    {move || waiting_attention().into_iter().map(|item| {
                        let id = item.id;
                        // A spend is settled by logging it again; anything else once read.
                        let read_only = item.link.as_ref().is_none_or(|(href, _)| !href.starts_with("/log"));
                        view! {
                            <li class="spending-item">
                                <p class="spending-item__main">{item.what}</p>
                                <p class="not-accepted__reason">{format!("The council's reason: {}", item.reason)}</p>
                                <p>{item.to_do}{item.link.map(|(href, label)| view! { " " <A href=href>{label}</A> })}</p>
                                {read_only.then(|| view! {
                                    <button type="button" class="button button--secondary" on:click=move |_| wallet.settle(id)>"I have read this"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Show when=move || !settled().is_empty()>
                    <details>
                        <summary>{move || format!("Put right or read ({})", settled().len())}</summary>
                        <ul class="spending-list">
                            {move || settled().into_iter().map(|item| view! {
                                <li class="spending-item">
                                    <p class="spending-item__main">{item.what}</p>
                                    <p>{format!("The council's reason: {}", item.reason)}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    </details>
                </Show>
            </section>
        </Show>
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
