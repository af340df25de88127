//! "Left this period" for each plan line: the figures as text, and a bar drawn in SVG
//! beside them (the bar repeats the text, so it is hidden from screen readers).

use leptos::prelude::*;
use tally_ledger::date::long_date;
use tally_ledger::{LineUsage, Money};

/// One line's figures, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct LineFigures {
    pub name: String,
    pub left: Money,
    pub budget: Money,
    pub spent: Money,
    pub period: String,
    /// Share of the budget spent, 0–100 (capped), for the bar.
    pub percent_spent: u32,
}

impl From<&LineUsage<'_>> for LineFigures {
    fn from(usage: &LineUsage<'_>) -> Self {
        let to = if usage.to.year() > 9000 { "the end of the plan".to_owned() } else { long_date(usage.to) };
        LineFigures {
            name: usage.line.name.clone(),
            left: usage.left,
            budget: usage.budget,
            spent: usage.spent,
            period: format!("{} {}, {} to {to}", usage.budget, usage.line.period.phrase(), long_date(usage.from)),
            percent_spent: usage.spent.percent_of(usage.budget).unwrap_or(0).min(100),
        }
    }
}

#[component]
pub fn LineBars(#[prop(into)] lines: Signal<Vec<LineFigures>>) -> impl IntoView {
    view! {
        <ul class="line-bars">
            {move || lines.get().into_iter().map(|line| {
                let over = line.left.is_negative();
                let summary = if over {
                    format!("{} over budget: {} spent of {}", -line.left, line.spent, line.budget)
                } else {
                    format!("{} left of {}", line.left, line.budget)
                };
                let width = line.percent_spent;
                view! {
                    <li class="line-bar" class:line-bar--over=over>
                        <p class="line-bar__name">{line.name}</p>
                        <p class="line-bar__figures"><strong>{summary}</strong></p>
                        <svg class="line-bar__bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                            <rect class="line-bar__track" x="0" y="0" width="100" height="8"></rect>
                            <rect class="line-bar__spent" x="0" y="0" width=width.to_string() height="8"></rect>
                        </svg>
                        <p class="hint line-bar__period">{line.period}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
