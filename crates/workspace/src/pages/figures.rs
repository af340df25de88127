//! The council's figures for a period.

use leptos::prelude::*;
use tally_ledger::date::long_date;

use crate::client as api;
use crate::{shown, use_workspace};
use tally_web::field::TextField;
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Figures() -> impl IntoView {
    page_title("Council figures");
    let workspace = use_workspace();
    let today = tally_web::browser::today();
    let from = RwSignal::new(tally_ledger::date::iso_date(today - time::Duration::days(364)));
    let to = RwSignal::new(today_iso());
    // The period shown: the dates as they were when "Show" was pressed.
    let period = RwSignal::new((from.get_untracked(), to.get_untracked()));
    let figures = workspace.resource(move || {
        let (from, to) = period.get();
        async move { api::figures(&from, &to).await }
    });
    let load = move || period.set((from.get_untracked(), to.get_untracked()));
    view! {
        <h1>"Council figures"</h1>
        <p>"What direct payments achieved in a period, across every account of the council."</p>
        <form class="search" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); load(); }>
            <TextField id="figures-from" label="From" value=from error=Signal::derive(|| None::<String>) input_type="date"/>
            <TextField id="figures-to" label="To" value=to error=Signal::derive(|| None::<String>) input_type="date"/>
            <button type="submit" class="button button--secondary">"Show"</button>
        </form>
        {shown(figures, "Working out the figures…", |f: tally_api::CouncilFigures| {
                let percent = f.within_plan_percent.map(|p| format!("{p}%")).unwrap_or_else(|| "no spending".to_owned());
                let days = |d: Option<i64>| d.map(|d| if d == 1 { "1 day".to_owned() } else { format!("{d} days") }).unwrap_or_else(|| "none closed".to_owned());
                let unreadable = f.unreadable.clone();
                view! {
                    <p role="status">{format!("From {} to {}", long_date(f.from), long_date(f.to))}</p>
                    <UnreadableNotice accounts=Signal::derive(move || unreadable.clone())/>
                    <dl class="figures figures--large">
                        <div><dt>"People on direct payments"</dt><dd>{f.people.to_string()}</dd></div>
                        <div><dt>"Paid in by the council"</dt><dd>{f.paid_in.to_string()}</dd></div>
                        <div><dt>"Contributions"</dt><dd>{f.contributions.to_string()}</dd></div>
                        <div><dt>"Spent"</dt><dd>{f.spent.to_string()}</dd></div>
                        <div><dt>"Spending within the plan"</dt><dd>{format!("{percent} ({})", f.spent_within_plan)}</dd></div>
                        <div><dt>"Flags raised"</dt><dd>{f.flags_raised.to_string()}</dd></div>
                        <div><dt>"Reviews closed"</dt><dd>{f.reviews_closed.to_string()}</dd></div>
                        <div><dt>"Time to close a review"</dt><dd>{format!("median {}, longest {}", days(f.review_days_median), days(f.review_days_longest))}</dd></div>
                        <div><dt>"Surplus held"</dt><dd>{f.surplus_held.to_string()}</dd></div>
                        <div><dt>"Surplus recovered"</dt><dd>{f.recovered.to_string()}</dd></div>
                    </dl>
                    <MonthsChart months=f.months.clone()/>
                }
        })}
        <Download path=Signal::derive(move || api::files::figures_csv(&from.get(), &to.get())) label="Download these figures (CSV)" what="the figures"/>
    }
}

/// Money paid in and spent, month by month: bars drawn in SVG (hidden from screen readers)
/// and the same figures in a table.
#[component]
pub(crate) fn MonthsChart(months: Vec<(time::Date, tally_ledger::Money, tally_ledger::Money)>) -> impl IntoView {
    if months.is_empty() {
        return view! { <p>"Nothing was paid in or spent in this period."</p> }.into_any();
    }
    let most =
        months.iter().map(|(_, a, b)| a.pence().unwrap_or(0).max(b.pence().unwrap_or(0))).max().unwrap_or(1).max(1);
    let (bar, gap, height) = (14i64, 10i64, 120i64);
    let width = months.len() as i64 * (2 * bar + gap) + gap;
    let scale = move |m: tally_ledger::Money| m.pence().unwrap_or(0) * height / most;
    let label = |d: time::Date| format!("{} {}", d.month(), d.year());
    view! {
        <section aria-labelledby="months-heading">
            <h2 id="months-heading">"Month by month"</h2>
            <div class="chart">
            <svg viewBox=format!("0 0 {width} {}", height + 4) aria-hidden="true" focusable="false" preserveAspectRatio="none">
                {months.iter().enumerate().map(|(i, (_, paid, spent))| {
                    let x = gap + i as i64 * (2 * bar + gap);
                    let (hp, hs) = (scale(*paid), scale(*spent));
                    view! {
                        <rect class="chart__in" x=x y=height - hp width=bar height=hp/>
                        <rect class="chart__out" x=x + bar y=height - hs width=bar height=hs/>
                    }
                }).collect_view()}
            </svg>
            </div>
            <p class="hint">"Outlined bars: paid in. Solid bars: spent. The figures are in the table below."</p>
            <div class="table-wrap">
                <table class="table">
                    <caption>"Paid in and spent each month"</caption>
                    <thead><tr><th scope="col">"Month"</th><th scope="col">"Paid in"</th><th scope="col">"Spent"</th></tr></thead>
                    <tbody>
                        {months.iter().map(|(month, paid, spent)| view! {
                            <tr><th scope="row">{label(*month)}</th><td>{paid.to_string()}</td><td>{spent.to_string()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }.into_any()
}
