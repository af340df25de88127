//! Help in plain words: every term the app uses, and what each flag means and what the
//! person can do about it. Other pages link here by anchor.

use leptos::prelude::*;
use tally_ledger::Rule;

use crate::app::page_title;
use crate::components::flags::{rule_anchor, severity_label};

const TERMS: &[(&str, &str, &str)] = &[
    ("direct-payment", "Direct payment", "Money your council pays into an account you control, so you can choose and buy the care and support you need instead of the council arranging it."),
    ("support-plan", "Support plan", "The plan you agreed with your council: what you want to achieve, the support that helps, and how much money there is for each part."),
    ("plan-line", "Plan line", "One part of your support plan, such as personal assistant hours or a day centre, with its own budget."),
    ("personal-budget", "Personal budget", "The total amount of money the council has agreed for your care and support."),
    ("contribution", "Contribution", "The amount the council has worked out you pay towards your own care. You pay it into the same account."),
    ("contingency", "Contingency", "Money you can keep in the account for times you need more support. Your council says how many weeks of your budget this can be."),
    ("surplus", "Surplus", "Money in the account above your contingency. The council may ask for it back, because it is meant to be spent on your support."),
    ("clawback", "Clawback", "When the council takes back a surplus from the account."),
    (
        "charge",
        "Charge",
        "A fee your bank or card provider took from the account. The council records it from the statement, so your balance matches the bank's.",
    ),
    ("receipt", "Receipt", "Proof of what you paid: a till receipt, an invoice, a timesheet or a payslip. Take a photo of it when you log the spending."),
    ("personal-assistant", "Personal assistant (PA)", "Someone you employ to support you. You are their employer, so there is payroll, a pension and insurance to sort out."),
    ("respite", "Respite", "A short break for you or the people who care for you, sometimes a short stay somewhere else."),
    ("nominated-person", "Nominated person", "Someone you choose to manage your direct payment for you."),
    ("suitable-person", "Suitable person", "Someone who manages the direct payment for a person who cannot decide for themselves, often a family carer."),
    ("review", "Review", "When the council looks at how your support and your direct payment are going. This happens at least once a year."),
    ("flag", "Flag", "A note Tally adds when spending might not fit your plan or the council's rules. It is not an accusation: it tells you what the council may ask, so you can explain now."),
    ("statement-question", "Question from the council", "The council checks your bank or card statement against what you logged. When a payment on the statement matches nothing in Tally, the council asks you about it. If it was spending you forgot to log, log it from the question; otherwise explain what it was."),
];

#[component]
pub fn Help() -> impl IntoView {
    page_title("Help");
    view! {
        <h1>"Help"</h1>
        <p>"What the words in Tally mean, and what to do when Tally flags something."</p>
        <section aria-labelledby="terms-heading">
            <h2 id="terms-heading">"Words we use"</h2>
            <dl class="glossary">
                {TERMS.iter().map(|(id, term, meaning)| view! {
                    <div class="glossary__item"><dt id=*id>{*term}</dt><dd>{*meaning}</dd></div>
                }).collect_view()}
            </dl>
        </section>
        <section aria-labelledby="rules-heading">
            <h2 id="rules-heading">"What the flags mean"</h2>
            <p>"\"Please explain\" means the council will want to know why; saving always goes ahead. \"Not allowed\" means it is against the law or your council's rules; the council will review it and tell you what happens next."</p>
            <dl class="glossary">
                {Rule::ALL.iter().map(|rule| view! {
                    <div class="glossary__item">
                        <dt id=rule_anchor(*rule)>{rule.title()}</dt>
                        <dd><p><strong>{severity_label(rule.severity())}</strong></p><p>{rule.what_to_do()}</p></dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
}
