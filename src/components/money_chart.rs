//! Money over the last year: spending and money in per month as bars, and the balance at
//! each month's end as a line, drawn in SVG. The same figures are in a table beside it, so
//! nothing is only in the picture.

use leptos::prelude::*;
use tally_ledger::date::long_date;
use tally_ledger::{Money, MonthFigures};

const WIDTH: i64 = 360;
const HEIGHT: i64 = 160;

/// "Nov 26": a short month label for the axis.
fn short_month(figures: &MonthFigures) -> String {
    let long = long_date(figures.month);
    let mut parts = long.split(' ').skip(1);
    let month: String = parts.next().unwrap_or_default().chars().take(3).collect();
    let year = parts.next().unwrap_or_default();
    format!("{month} {}", &year[year.len().saturating_sub(2)..])
}

/// The height of `amount` on a scale where `top` is the chart's height: whole units, no
/// floats (integer pence).
fn scaled(amount: Money, top: Money) -> i64 {
    match (amount.pence(), top.pence()) {
        (Some(a), Some(t)) if t > 0 => (a.max(0) * (HEIGHT - 20)) / t,
        _ => 0,
    }
}

#[component]
pub fn MoneyChart(#[prop(into)] months: Signal<Vec<MonthFigures>>) -> impl IntoView {
    view! {
        {move || {
            let months = months.get();
            let top = months.iter().flat_map(|m| [m.money_in, m.money_out, m.closing]).max().unwrap_or(Money::ZERO);
            let slot = WIDTH / (months.len().max(1) as i64);
            let bar = (slot / 3).max(2);
            let summary = months.last().map(|m| format!("Money in and out each month for the last {} months. Balance now {}.", months.len(), m.closing)).unwrap_or_default();
            let balance_points: Vec<String> = months.iter().enumerate().map(|(i, m)| {
                format!("{},{}", i as i64 * slot + slot / 2, HEIGHT - 16 - scaled(m.closing, top))
            }).collect();
            view! {
                <figure class="chart">
                    <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary.clone() focusable="false">
                        {months.iter().enumerate().map(|(i, m)| {
                            let x = i as i64 * slot;
                            let h_in = scaled(m.money_in, top);
                            let h_out = scaled(m.money_out, top);
                            view! {
                                <rect class="chart__in" x=(x + slot / 2 - bar).to_string() y=(HEIGHT - 16 - h_in).to_string() width=bar.to_string() height=h_in.to_string()></rect>
                                <rect class="chart__out" x=(x + slot / 2).to_string() y=(HEIGHT - 16 - h_out).to_string() width=bar.to_string() height=h_out.to_string()></rect>
                                <text class="chart__label" x=(x + slot / 2).to_string() y=(HEIGHT - 3).to_string() text-anchor="middle">{short_month(m)}</text>
                            }
                        }).collect_view()}
                        <polyline class="chart__balance" points=balance_points.join(" ")></polyline>
                    </svg>
                    <figcaption>
                        <span class="chart__key chart__key--in">"Money in (left bars)"</span>
                        <span class="chart__key chart__key--out">"Money out (right bars)"</span>
                        <span class="chart__key chart__key--balance">"Balance at month end (line)"</span>
                    </figcaption>
                </figure>
                <details class="chart-figures">
                    <summary>"Show the figures as a table"</summary>
                    <div class="table-wrap" role="region" aria-label="Monthly figures" tabindex="0">
                        <table class="table">
                            <caption>"Money in and out each month"</caption>
                            <thead><tr><th scope="col">"Month"</th><th scope="col" class="num">"In"</th><th scope="col" class="num">"Out"</th><th scope="col" class="num">"Balance at end"</th></tr></thead>
                            <tbody>
                                {months.iter().rev().map(|m| {
                                    let label = long_date(m.month).split_once(' ').map(|(_, r)| r.to_owned()).unwrap_or_default();
                                    view! { <tr><th scope="row">{label}</th><td class="num">{m.money_in.to_string()}</td><td class="num">{m.money_out.to_string()}</td><td class="num">{m.closing.to_string()}</td></tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </details>
            }
        }}
    }
}
