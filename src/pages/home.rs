//! Home: whose account this is, the balance, what is left on each plan line this period,
//! the council's questions about statement payments, spending that needs an explanation, the sync state, and the way to log spending.

use leptos::prelude::*;
use leptos_router::components::A;
use tally_ledger::{Decision, EntryBody, QueryStatus, Rules};

use crate::app::{page_title, use_wallet};
use crate::browser;
use crate::components::line_bars::{LineBars, LineFigures};
use crate::components::money_chart::MoneyChart;
use crate::components::spending_list::SpendingList;
use crate::components::sync_status::SyncStatusPanel;

/// A spend that needs the person's words: flagged and not yet explained, or asked about by
/// the council and not yet answered.
#[derive(Clone, Debug, PartialEq)]
struct ToExplain {
    href: String,
    what: String,
    why: String,
}

/// How many spends needing an explanation Home lists (the most recent).
const TO_EXPLAIN_SHOWN: usize = 5;

#[component]
pub fn Home() -> impl IntoView {
    page_title("Home");
    let wallet = use_wallet();
    let account = move || wallet.session.with(|s| s.as_ref().map(|s| s.account.clone()));
    let person = move || account().map(|a| a.person_name).unwrap_or_default();
    let council =
        move || account().map(|a| format!("{} · account {}", a.council_name, a.reference)).unwrap_or_default();
    let balance = move || wallet.ledger.with(|l| l.balance().to_string());
    let lines = Signal::derive(move || {
        let today = browser::today();
        wallet.session.with(|s| {
            let Some(s) = s else { return Vec::new() };
            wallet.ledger.with(|l| l.lines_usage(&s.account.plan, today).iter().map(LineFigures::from).collect())
        })
    });
    let by_outcome = move || -> Vec<(String, String)> {
        let today = browser::today();
        let from = today - time::Duration::days(27);
        wallet.session.with(|s| {
            let Some(s) = s else { return Vec::new() };
            wallet.ledger.with(|l| {
                l.view()
                    .spending_by_outcome(&s.account.plan, from, today)
                    .into_iter()
                    .map(|(o, m)| (o.text.clone(), m.to_string()))
                    .collect()
            })
        })
    };
    let months = Signal::derive(move || {
        let today = browser::today();
        // The first day of the month eleven months ago: twelve months including this one.
        let mut start = today.replace_day(1).unwrap_or(today);
        for _ in 0..11 {
            start = (start - time::Duration::days(1)).replace_day(1).unwrap_or(start);
        }
        wallet.ledger.with(|l| l.view().monthly(start, today))
    });
    // Worked out once per change of the records (the list and its heading both use it).
    let to_explain = Memo::new(move |_| -> Vec<ToExplain> {
        wallet.session.with(|s| {
            let Some(s) = s else { return Vec::new() };
            let rules = Rules { plan: &s.account.plan, policy: &s.account.policy, today: browser::today() };
            wallet.ledger.with(|ledger| {
                let view = ledger.view();
                let review = rules.review_view(&view);
                let histories = ledger.histories();
                view.spending()
                    .filter_map(|active| {
                        let history = histories.get(&active.id())?;
                        let spend = active.spend()?;
                        let explained = history.thread.iter().any(|e| matches!(e.body, EntryBody::Explanation(_)));
                        let asked = history.awaits_answer();
                        let approved = history.decision() == Some(Decision::Approved);
                        let flags = review.spends.get(&active.id());
                        let why = if asked {
                            "The council has asked you a question about this.".to_owned()
                        } else if !explained && !approved {
                            flags?.iter().map(|f| f.rule().title()).collect::<Vec<_>>().join("; ")
                        } else {
                            return None;
                        };
                        Some(ToExplain {
                            href: format!("/entries/{}", active.id()),
                            what: format!("{} to {}", spend.amount, spend.payee),
                            why,
                        })
                    })
                    .collect()
            })
        })
    });
    let questions = crate::pages::query::questions();
    // Home shows the most recent few; the rest are a tap away in History.
    // `to_explain` is newest first, as `View::spending` gives it.
    let shown_to_explain =
        move || to_explain.with(|all| all.iter().take(TO_EXPLAIN_SHOWN).cloned().collect::<Vec<_>>());
    let more_to_explain = move || to_explain.with(|all| all.len().saturating_sub(TO_EXPLAIN_SHOWN));

    view! {
        <h1>{person}</h1>
        <p class="account-meta">{council}</p>
        <SyncStatusPanel/>
        <Show when=move || questions.with(|all| all.iter().any(|q| q.status == QueryStatus::Open))>
            <section class="to-explain" aria-labelledby="questions-heading">
                <h2 id="questions-heading">"Questions from the council"</h2>
                <p>"Payments on your statement the council could not match to your spending:"</p>
                <ul class="link-list">
                    {move || questions.get().into_iter().filter(|q| q.status == QueryStatus::Open).map(|q| {
                        let (href, status) = (format!("/questions/{}", q.id), q.status_text());
                        view! { <li><A href=href>{q.what}</A><p class="hint">{status}</p></li> }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <Show when=move || to_explain.with(|all| !all.is_empty())>
            <section class="to-explain" aria-labelledby="to-explain-heading">
                <h2 id="to-explain-heading">"Needs your explanation"</h2>
                <ul class="link-list">
                    {move || shown_to_explain().into_iter().map(|item| view! {
                        <li><A href=item.href>{item.what}</A><p class="hint">{item.why}</p></li>
                    }).collect_view()}
                </ul>
                {move || match more_to_explain() {
                    0 => None,
                    more => Some(view! {
                        <p><A href="/history?flagged=1">{format!("See {more} more in History")}</A></p>
                    }),
                }}
            </section>
        </Show>
        <section class="balance" aria-labelledby="balance-heading">
            <h2 id="balance-heading">"Balance"</h2>
            <p class="balance__amount">{balance}</p>
            <p class="hint">"Money left in the account, including spending not yet sent to the council."</p>
            <A href="/log" attr:class="button">"Log spending"</A>
        </section>
        <section aria-labelledby="left-heading">
            <h2 id="left-heading">"Left this period"</h2>
            <LineBars lines=lines/>
        </section>
        <Show when=move || !by_outcome().is_empty()>
            <section aria-labelledby="outcomes-heading">
                <h2 id="outcomes-heading">"What your spending helped with"</h2>
                <p class="hint">"In the last 4 weeks, towards each of your goals"</p>
                <ul class="outcome-list">
                    {move || by_outcome().into_iter().map(|(text, amount)| view! {
                        <li><span class="outcome-list__text">{text}</span>": "<strong>{amount}</strong></li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <SpendingList limit=5/>
        <p><A href="/history">"All spending"</A></p>
        <section aria-labelledby="chart-heading">
            <h2 id="chart-heading">"Money over the last year"</h2>
            <MoneyChart months=months/>
        </section>
    }
}
