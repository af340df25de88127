//! The support plan: the person's outcomes in their words, the plan lines with amounts and
//! periods, what the direct payment may not be used for and why, and the contingency.

use leptos::prelude::*;
use leptos_router::components::A;
use tally_ledger::date::long_date;

use crate::app::{page_title, use_wallet};
use crate::browser;

#[component]
pub fn PlanPage() -> impl IntoView {
    page_title("Your support plan");
    let wallet = use_wallet();
    let account = move || wallet.session.with(|s| s.as_ref().map(|s| s.account.clone()));

    view! {
        <h1>"Your support plan"</h1>
        {move || account().map(|account| {
            let plan = account.plan.clone();
            let policy = account.policy.clone();
            let today = browser::today();
            let version = plan.version_on(today).or(plan.current()).cloned();
            let dates = match (plan.starts_on(), plan.ends_on) {
                (Some(start), Some(end)) => format!("Your plan started on {} and is due to be reviewed by {}.", long_date(start), long_date(end)),
                (Some(start), None) => format!("Your plan started on {}.", long_date(start)),
                _ => "Your council has not shared a support plan yet.".to_owned(),
            };
            let weekly = plan.weekly_budget_on(today);
            let keep = weekly.mul_div(policy.contingency_weeks.into(), 1);
            let surplus = wallet.ledger.with(|l| l.surplus(&plan, &policy, today));
            view! {
                <p>{dates}</p>
                {version.clone().filter(|v| !v.outcomes.is_empty()).map(|v| view! {
                    <section aria-labelledby="outcomes-heading">
                        <h2 id="outcomes-heading">"What you want to achieve"</h2>
                        <ul>{v.outcomes.into_iter().map(|o| view! { <li>{o.text}</li> }).collect_view()}</ul>
                    </section>
                })}
                <section aria-labelledby="lines-heading">
                    <h2 id="lines-heading">"What your budget is for"</h2>
                    <ul class="plan-lines">
                        {version.map(|v| {
                            let outcomes = v.outcomes.clone();
                            v.lines.into_iter().map(|line| {
                                let serves: Vec<String> = line.outcomes.iter()
                                    .filter_map(|id| outcomes.iter().find(|o| &o.id == id).map(|o| o.text.clone()))
                                    .collect();
                                let until = line.end.map(|e| format!(" until {}", long_date(e))).unwrap_or_default();
                                view! {
                                    <li class="plan-line">
                                        <h3>{line.name.clone()}</h3>
                                        <p><strong>{format!("{} {}", line.budget, line.period.phrase())}</strong></p>
                                        <p class="hint">{format!("{} · from {}{until}", line.category.label(), long_date(line.start))}</p>
                                        {(!line.approved_payees.is_empty()).then(|| view! { <p>{format!("Agreed payees: {}", line.approved_payees.join(", "))}</p> })}
                                        {(!serves.is_empty()).then(|| view! { <p>{format!("Helps you to: {}", serves.join("; "))}</p> })}
                                    </li>
                                }
                            }).collect_view()
                        })}
                    </ul>
                </section>
                <section aria-labelledby="not-for-heading">
                    <h2 id="not-for-heading">"What your direct payment cannot be used for"</h2>
                    <ul>
                        <li>"Anything that does not meet a need in your support plan."</li>
                        <li>"Paying a husband, wife, civil partner or partner you live with, or a close relative who lives with you, unless the council has agreed it is necessary and recorded that decision. Relatives who live elsewhere can be paid."</li>
                        <li>"Long-term residential care. Short respite breaks are fine, up to "{policy.respite_cap_weeks}" weeks in any 12 months."</li>
                        <li>"Anything illegal."</li>
                        {policy.banned_categories.iter().map(|b| view! {
                            <li>{format!("{}: {}", b.category.label(), b.reason)}</li>
                        }).collect_view()}
                        {(!policy.cash_allowed).then(|| view! { <li>"Paying in cash: your council does not allow it."</li> })}
                    </ul>
                    <p>{format!("Keep a receipt or invoice for anything of {} or more, and for every cash payment.", policy.receipt_threshold)}</p>
                </section>
                <section aria-labelledby="keep-heading">
                    <h2 id="keep-heading">"Money you can keep in the account"</h2>
                    <p>{format!(
                        "Your council lets you keep up to {} weeks of your budget ({} a week), which is {}. This is your contingency, for times when you need more support.",
                        policy.contingency_weeks, weekly, keep
                    )}</p>
                    <p>{if surplus.surplus.is_positive() {
                        format!("You have {} more than that. The council may ask for this surplus back.", surplus.surplus)
                    } else {
                        "You are within your contingency.".to_owned()
                    }}</p>
                    <p><A href="/help#contingency">"What is a contingency?"</A></p>
                </section>
            }
        })}
    }
}
