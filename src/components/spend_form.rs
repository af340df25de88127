//! Logging spending: amount, date, who was paid and which plan line it is for. Every
//! problem is explained beside its field and in a summary above the form; what the person
//! typed is always kept.

use leptos::prelude::*;
use tally_ledger::date::{iso_date, long_date, parse_iso_date};
use tally_ledger::entry::MAX_TEXT_CHARS;
use tally_ledger::money::HARD_MAXIMUM_PENCE;
use tally_ledger::{Author, Entry, EntryBody, Money, PayeeKind, PaymentMethod, PlanLineId, Spend};

use crate::app::use_wallet;
use crate::browser;
use crate::components::field::{ErrorSummary, TextField};

/// What is wrong with each field, if anything.
#[derive(Clone, Debug, Default, PartialEq)]
struct FormErrors {
    amount: Option<String>,
    date: Option<String>,
    payee: Option<String>,
    plan_line: Option<String>,
}

impl FormErrors {
    fn list(&self) -> Vec<(&'static str, String)> {
        [("amount", &self.amount), ("date", &self.date), ("payee", &self.payee), ("plan-line", &self.plan_line)]
            .into_iter()
            .filter_map(|(id, e)| e.clone().map(|e| (id, e)))
            .collect()
    }
}

#[component]
pub fn SpendForm() -> impl IntoView {
    let wallet = use_wallet();
    let amount = RwSignal::new(String::new());
    let date = RwSignal::new(iso_date(browser::today()));
    let payee = RwSignal::new(String::new());
    let plan_line = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let saved = RwSignal::new(None::<String>);

    let plan_lines = move || {
        let today = browser::today();
        wallet.session.with(|s| {
            s.as_ref()
                .and_then(|s| s.account.plan.version_on(today).or(s.account.plan.current()).map(|v| v.lines.clone()))
                .unwrap_or_default()
        })
    };
    let past_payees = move || wallet.records.with(|r| r.past_payees());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(session) = wallet.session.get_untracked() else { return };
        let mut problems = FormErrors::default();
        let parsed_amount = Money::parse_amount(&amount.get_untracked(), Money::from_pence(HARD_MAXIMUM_PENCE))
            .map_err(|e| problems.amount = Some(e.to_string()))
            .ok();
        let parsed_date = parse_iso_date(&date.get_untracked());
        if parsed_date.is_none() {
            problems.date = Some("Enter the date the money was spent, for example 21 11 2026.".to_owned());
        }
        let payee_text = payee.get_untracked().trim().to_owned();
        if payee_text.is_empty() {
            problems.payee = Some("Enter who was paid, for example the name of the shop, agency or person.".to_owned());
        } else if payee_text.chars().count() > MAX_TEXT_CHARS {
            problems.payee = Some(format!("Who was paid must be {MAX_TEXT_CHARS} characters or fewer."));
        }
        let line = plan_line.get_untracked();
        if !session.account.plan.versions.iter().flat_map(|v| &v.lines).any(|l| l.id.0 == line) {
            problems.plan_line = Some("Choose which part of your support plan this spending is for.".to_owned());
        }
        let (Some(amount_value), Some(date_value), None, None) =
            (parsed_amount, parsed_date, &problems.payee, &problems.plan_line)
        else {
            saved.set(None);
            errors.set(problems);
            return;
        };
        let entry = Entry {
            id: browser::new_entry_id(),
            account: session.account.account_id,
            author: Author { name: session.account.person_name.clone(), device: Some(session.device_id) },
            recorded_at: browser::now(),
            body: EntryBody::Spend(Spend {
                date: date_value,
                amount: amount_value,
                payee: payee_text.clone(),
                payee_kind: PayeeKind::Other,
                close_relative_in_household: false,
                council_authorisation: None,
                plan_line: Some(PlanLineId(line)),
                category: None,
                method: PaymentMethod::Card,
                note: String::new(),
                receipts: Vec::new(),
                outcome: None,
                respite_days: None,
            }),
        };
        if let Err(problem) = entry.check() {
            errors.set(FormErrors { amount: Some(problem.to_string()), ..FormErrors::default() });
            return;
        }
        wallet.log(entry);
        errors.set(FormErrors::default());
        saved.set(Some(format!("Saved {amount_value} to {payee_text} on {}.", long_date(date_value))));
        amount.set(String::new());
        payee.set(String::new());
    };

    view! {
        <section class="log-spending" aria-labelledby="log-spending-heading">
            <h2 id="log-spending-heading">"Log spending"</h2>
            <ErrorSummary errors=Signal::derive(move || errors.with(FormErrors::list))/>
            <p class="confirmation" role="status" aria-live="polite">{move || saved.get()}</p>
            <form on:submit=submit novalidate>
                <TextField
                    id="amount"
                    label="Amount"
                    hint="In pounds and pence, for example 12.50"
                    value=amount
                    error=Signal::derive(move || errors.with(|e| e.amount.clone()))
                    inputmode="decimal"
                    prefix="£"
                />
                <TextField
                    id="date"
                    label="Date"
                    hint="The day the money was spent"
                    value=date
                    error=Signal::derive(move || errors.with(|e| e.date.clone()))
                    input_type="date"
                />
                <TextField
                    id="payee"
                    label="Who was paid"
                    hint="The shop, agency or person"
                    value=payee
                    error=Signal::derive(move || errors.with(|e| e.payee.clone()))
                    list="past-payees"
                />
                <datalist id="past-payees">
                    {move || past_payees().into_iter().map(|p| view! { <option value=p></option> }).collect_view()}
                </datalist>
                <div class="field" class:field--error=move || errors.with(|e| e.plan_line.is_some())>
                    <label for="plan-line">"Support plan line"</label>
                    <p class="hint" id="plan-line-hint">"Which part of your support plan this was for"</p>
                    {move || errors.with(|e| e.plan_line.clone()).map(|message| view! {
                        <p class="field-error" id="plan-line-error">
                            <span class="visually-hidden">"Error: "</span>{message}
                        </p>
                    })}
                    <select
                        id="plan-line"
                        name="plan-line"
                        aria-describedby=move || if errors.with(|e| e.plan_line.is_some()) { "plan-line-hint plan-line-error" } else { "plan-line-hint" }
                        aria-invalid=move || errors.with(|e| e.plan_line.is_some()).then_some("true")
                        on:change=move |ev| plan_line.set(event_target_value(&ev))
                    >
                        <option value="" selected=move || plan_line.with(String::is_empty)>"Choose a plan line"</option>
                        {move || plan_lines().into_iter().map(|line| {
                            let id = line.id.0.clone();
                            let is_selected = { let id = id.clone(); move || plan_line.with(|p| *p == id) };
                            view! { <option value=id selected=is_selected>{line.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Save spending"</button>
            </form>
        </section>
    }
}
