//! Log spending: amount, date, who was paid, plan line, how it was paid and a note. While
//! the person types, the flags the spend would raise are shown in plain English with what
//! they can do; they can explain at once. "Explain" never blocks saving; "not allowed" asks
//! them to confirm they understand the council will review it. Every problem with the form
//! is explained beside its field and in a summary; what was typed is always kept.

use leptos::prelude::*;
use leptos_router::components::A;
use tally_ledger::date::{iso_date, long_date, parse_iso_date};
use tally_ledger::entry::{MAX_NOTE_CHARS, MAX_TEXT_CHARS};
use tally_ledger::{
    EntryBody, EntryId, Explanation, Flag, Money, OutcomeId, PaymentMethod, PlanLineId, Rules, Severity, Spend,
};

use crate::app::{page_title, use_wallet};
use crate::browser;
use crate::components::field::{ErrorSummary, TextField};
use crate::components::flags::FlagList;
use crate::components::receipts::{Attached, ReceiptPicker};

/// The plan line choice for spending that is not in the plan.
const NOT_IN_PLAN: &str = "not-in-plan";

/// What is wrong with each field, if anything.
#[derive(Clone, Debug, Default, PartialEq)]
struct FormErrors {
    amount: Option<String>,
    date: Option<String>,
    payee: Option<String>,
    plan_line: Option<String>,
    note: Option<String>,
    confirm: Option<String>,
}

impl FormErrors {
    fn list(&self) -> Vec<(&'static str, String)> {
        [
            ("amount", &self.amount),
            ("date", &self.date),
            ("payee", &self.payee),
            ("plan-line", &self.plan_line),
            ("note", &self.note),
            ("confirm-review", &self.confirm),
        ]
        .into_iter()
        .filter_map(|(id, e)| e.clone().map(|e| (id, e)))
        .collect()
    }

    fn is_empty(&self) -> bool {
        self.list().is_empty()
    }
}

/// The form's inputs.
#[derive(Clone, Copy)]
struct Inputs {
    amount: RwSignal<String>,
    date: RwSignal<String>,
    payee: RwSignal<String>,
    plan_line: RwSignal<String>,
    method: RwSignal<PaymentMethod>,
    outcome: RwSignal<String>,
    receipts: RwSignal<Vec<Attached>>,
    relative: RwSignal<bool>,
    authorisation: RwSignal<String>,
    note: RwSignal<String>,
}

impl Inputs {
    /// The spend the inputs describe, or what is wrong with them.
    fn spend(&self, maximum: Money) -> Result<Spend, Box<FormErrors>> {
        let mut errors = FormErrors::default();
        let amount =
            Money::parse_amount(&self.amount.get(), maximum).map_err(|e| errors.amount = Some(e.to_string())).ok();
        let date = parse_iso_date(&self.date.get());
        let range = tally_ledger::date::DateRange::for_records(browser::today());
        match date {
            None => errors.date = Some("Enter the date the money was spent, for example 21 11 2026.".to_owned()),
            Some(date) if !range.contains(date) => {
                errors.date = Some(format!("The date must be {}.", range.describe()))
            }
            Some(_) => {}
        }
        let payee = self.payee.get().trim().to_owned();
        if payee.is_empty() {
            errors.payee = Some("Enter who was paid, for example the name of the shop, agency or person.".to_owned());
        } else if payee.chars().count() > MAX_TEXT_CHARS {
            errors.payee = Some(format!("Who was paid must be {MAX_TEXT_CHARS} characters or fewer."));
        }
        let line = self.plan_line.get();
        if line.is_empty() {
            errors.plan_line = Some("Choose which part of your support plan this spending is for.".to_owned());
        }
        let note = self.note.get().trim().to_owned();
        if note.chars().count() > MAX_NOTE_CHARS {
            errors.note = Some(format!("The note must be {MAX_NOTE_CHARS} characters or fewer."));
        }
        match (amount, date, errors.is_empty()) {
            (Some(amount), Some(date), true) => Ok(Spend {
                close_relative_in_household: self.relative.get(),
                council_authorisation: Some(self.authorisation.get().trim().to_owned())
                    .filter(|a| self.relative.get() && !a.is_empty()),
                method: self.method.get(),
                note,
                receipts: self.receipts.get().into_iter().map(|a| a.reference).collect(),
                outcome: Some(self.outcome.get()).filter(|o| !o.is_empty()).map(OutcomeId),
                ..Spend::new(date, amount, payee, (line != NOT_IN_PLAN).then_some(PlanLineId(line)))
            }),
            _ => Err(Box::new(errors)),
        }
    }
}

#[component]
pub fn LogSpending() -> impl IntoView {
    page_title("Log spending");
    let wallet = use_wallet();
    let inputs = Inputs {
        amount: RwSignal::new(String::new()),
        date: RwSignal::new(iso_date(browser::today())),
        payee: RwSignal::new(String::new()),
        plan_line: RwSignal::new(String::new()),
        method: RwSignal::new(PaymentMethod::Card),
        outcome: RwSignal::new(String::new()),
        receipts: RwSignal::new(Vec::new()),
        relative: RwSignal::new(false),
        authorisation: RwSignal::new(String::new()),
        note: RwSignal::new(String::new()),
    };
    // Logging a payment the council asked about (`/log?answers=<query id>`): the form starts
    // with what the statement says, and the spend is linked to the question.
    let answering =
        RwSignal::new(leptos_router::hooks::use_query_map().with_untracked(|q| q.get("answers")).and_then(|id| {
            let id = EntryId(id.parse().ok()?);
            wallet.ledger.with_untracked(|l| {
                // Only a question still waiting: an answered one is not answered twice (that
                // would log the money out twice).
                l.queries()
                    .iter()
                    .find(|q| q.entry.id == id && q.query.is_money_out() && q.status == tally_ledger::QueryStatus::Open)
                    .map(|q| (id, q.query.clone()))
            })
        }));
    if let Some((_, query)) = answering.get_untracked() {
        inputs.amount.set(query.amount.abs().to_plain_string());
        inputs.date.set(iso_date(query.date));
        inputs.payee.set(query.description.clone());
    }
    // Logging again a spend the council did not accept (`/log?again=<id>`): the form starts
    // with what was logged, to be put right.
    let again = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("again")).and_then(|id| {
        let id = EntryId(id.parse().ok()?);
        wallet.records.with_untracked(|r| {
            r.refused().find_map(|(e, _, _)| match &e.body {
                EntryBody::Spend(s) if e.id == id => Some((id, s.clone())),
                _ => None,
            })
        })
    });
    let again_id = again.as_ref().map(|(id, _)| *id);
    let again = again.map(|(_, spend)| spend);
    if let Some(spend) = &again {
        inputs.amount.set(spend.amount.to_plain_string());
        inputs.date.set(iso_date(spend.date));
        inputs.payee.set(spend.payee.clone());
        inputs.plan_line.set(spend.plan_line.as_ref().map_or(NOT_IN_PLAN.to_owned(), |l| l.0.clone()));
        inputs.method.set(spend.method);
        inputs.note.set(spend.note.clone());
        inputs.relative.set(spend.close_relative_in_household);
        inputs.authorisation.set(spend.council_authorisation.clone().unwrap_or_default());
        inputs.outcome.set(spend.outcome.as_ref().map(|o| o.0.clone()).unwrap_or_default());
    }
    let explanation = RwSignal::new(String::new());
    let confirmed = RwSignal::new(false);
    let errors = RwSignal::new(FormErrors::default());
    let saved = RwSignal::new(None::<(String, String)>);

    let maximum =
        move || wallet.session.with(|s| s.as_ref().map(|s| s.account.policy.per_entry_maximum).unwrap_or(Money::ZERO));
    let plan_lines = move || {
        let today = browser::today();
        wallet.session.with(|s| {
            s.as_ref()
                .and_then(|s| s.account.plan.version_on(today).or(s.account.plan.current()).map(|v| v.lines.clone()))
                .unwrap_or_default()
        })
    };
    // Payees used before, most recent first, each once: suggestions for the form.
    let past_payees = move || {
        wallet.ledger.with(|ledger| {
            let mut payees: Vec<String> = Vec::new();
            for spend in ledger.view().spending().filter_map(|a| a.spend()) {
                if !payees.iter().any(|p| p.eq_ignore_ascii_case(&spend.payee)) {
                    payees.push(spend.payee.clone());
                }
            }
            payees
        })
    };
    let outcomes = move || {
        wallet.session.with(|s| {
            s.as_ref()
                .and_then(|s| {
                    s.account.plan.version_on(browser::today()).or(s.account.plan.current()).map(|v| v.outcomes.clone())
                })
                .unwrap_or_default()
        })
    };
    // The flags the spend would raise, recomputed as the person types.
    let flags = Memo::new(move |_| -> Vec<Flag> {
        let Ok(spend) = inputs.spend(maximum()) else { return Vec::new() };
        wallet.session.with(|s| {
            let Some(s) = s else { return Vec::new() };
            let rules = Rules { plan: &s.account.plan, policy: &s.account.policy, today: browser::today() };
            wallet.ledger.with(|ledger| rules.check_draft(ledger, None, &spend))
        })
    });
    let not_allowed = move || flags.with(|f| f.iter().any(|f| f.severity() == Severity::NotAllowed));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let spend = match inputs.spend(maximum()) {
            Ok(spend) => spend,
            Err(problems) => {
                saved.set(None);
                errors.set(*problems);
                return;
            }
        };
        if not_allowed() && !confirmed.get_untracked() {
            saved.set(None);
            errors.set(FormErrors {
                confirm: Some("Confirm that you understand the council will review this spending.".to_owned()),
                ..FormErrors::default()
            });
            return;
        }
        let explanation_text = explanation.get_untracked().trim().to_owned();
        if explanation_text.chars().count() > MAX_NOTE_CHARS {
            errors.set(FormErrors {
                note: Some(format!("The explanation must be {MAX_NOTE_CHARS} characters or fewer.")),
                ..FormErrors::default()
            });
            return;
        }
        let mut spend = spend;
        spend.answers = answering.get_untracked().map(|(id, _)| id);
        let summary = format!(
            "Saved {} to {} on {}.{}",
            spend.amount,
            spend.payee,
            long_date(spend.date),
            if spend.answers.is_some() { " It is sent to the council as your answer to their question." } else { "" }
        );
        let Some(entry) = wallet.new_entry(EntryBody::Spend(spend)) else { return };
        if let Err(problem) = entry.check() {
            errors.set(FormErrors { amount: Some(problem.to_string()), ..FormErrors::default() });
            return;
        }
        let id = entry.id;
        let mut entries = vec![entry];
        if !explanation_text.is_empty() {
            entries.extend(wallet.new_entry(EntryBody::Explanation(Explanation { about: id, text: explanation_text })));
        }
        wallet.log(entries);
        // Logged again: the refused record it puts right no longer needs attention.
        if let Some(refused) = again_id {
            wallet.settle(refused);
        }
        errors.set(FormErrors::default());
        saved.set(Some((summary, format!("/entries/{id}"))));
        for field in [inputs.amount, inputs.payee, inputs.note, inputs.authorisation, explanation] {
            field.set(String::new());
        }
        inputs.relative.set(false);
        inputs.outcome.set(String::new());
        inputs.receipts.set(Vec::new());
        confirmed.set(false);
        answering.set(None);
    };

    let field_error = move |pick: fn(&FormErrors) -> Option<String>| Signal::derive(move || errors.with(pick));

    view! {
        <h1>"Log spending"</h1>
        <section aria-labelledby="log-spending-heading">
            <h2 id="log-spending-heading" class="visually-hidden">"Log spending"</h2>
            <ErrorSummary errors=Signal::derive(move || errors.with(FormErrors::list))/>
            {move || answering.get().map(|(_, query)| view! {
                <div class="notice" role="note">
                    <p>{format!(
                        "You are logging the payment your council asked about: {} to {} on {}. Check the details, then save.",
                        query.amount.abs(),
                        query.description,
                        long_date(query.date)
                    )}</p>
                </div>
            })}
            <div class="confirmation" role="status" aria-live="polite">
                {move || saved.get().map(|(summary, href)| view! {
                    <p>{summary}" "<A href=href>"See what you logged"</A></p>
                })}
            </div>
            <form on:submit=submit novalidate>
                <TextField id="amount" label="Amount" hint="In pounds and pence, for example 12.50" value=inputs.amount
                    error=field_error(|e| e.amount.clone()) inputmode="decimal" prefix="£"/>
                <TextField id="date" label="Date" hint="The day the money was spent" value=inputs.date
                    error=field_error(|e| e.date.clone()) input_type="date"/>
                <TextField id="payee" label="Who was paid" hint="The shop, agency or person" value=inputs.payee
                    error=field_error(|e| e.payee.clone()) list="past-payees"/>
                <datalist id="past-payees">
                    {move || past_payees().into_iter().map(|p| view! { <option value=p></option> }).collect_view()}
                </datalist>
                <div class="field field--checkbox">
                    <input type="checkbox" id="relative" prop:checked=move || inputs.relative.get()
                        on:change=move |ev| inputs.relative.set(event_target_checked(&ev))/>
                    <label for="relative">"The person I paid is a close relative who lives with me"</label>
                </div>
                <Show when=move || inputs.relative.get()>
                    <TextField id="authorisation" label="The council's decision reference (if it agreed to this)"
                        hint="Leave this empty if the council has not agreed it" value=inputs.authorisation
                        error=Signal::derive(|| None::<String>)/>
                </Show>
                <div class="field" class:field--error=move || errors.with(|e| e.plan_line.is_some())>
                    <label for="plan-line">"Support plan line"</label>
                    <p class="hint" id="plan-line-hint">"Which part of your support plan this was for"</p>
                    {move || errors.with(|e| e.plan_line.clone()).map(|message| view! {
                        <p class="field-error" id="plan-line-error"><span class="visually-hidden">"Error: "</span>{message}</p>
                    })}
                    <select id="plan-line" name="plan-line"
                        aria-describedby=move || if errors.with(|e| e.plan_line.is_some()) { "plan-line-hint plan-line-error" } else { "plan-line-hint" }
                        aria-invalid=move || errors.with(|e| e.plan_line.is_some()).then_some("true")
                        on:change=move |ev| inputs.plan_line.set(event_target_value(&ev))>
                        <option value="" selected=move || inputs.plan_line.with(String::is_empty)>"Choose a plan line"</option>
                        {move || plan_lines().into_iter().map(|line| {
                            let id = line.id.0.clone();
                            let selected = { let id = id.clone(); move || inputs.plan_line.with(|p| *p == id) };
                            view! { <option value=id selected=selected>{line.name}</option> }
                        }).collect_view()}
                        <option value=NOT_IN_PLAN selected=move || inputs.plan_line.with(|p| p == NOT_IN_PLAN)>"Something not in my support plan"</option>
                    </select>
                </div>
                <Show when=move || !outcomes().is_empty()>
                    <div class="field">
                        <label for="outcome">"Which of your goals did this help with? (optional)"</label>
                        <select id="outcome" name="outcome" on:change=move |ev| inputs.outcome.set(event_target_value(&ev))>
                            <option value="" selected=move || inputs.outcome.with(String::is_empty)>"Not sure, or none of these"</option>
                            {move || outcomes().into_iter().map(|o| {
                                let id = o.id.0.clone();
                                let selected = { let id = id.clone(); move || inputs.outcome.with(|v| *v == id) };
                                view! { <option value=id selected=selected>{o.text}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                </Show>
                <fieldset class="field">
                    <legend>"How was it paid?"</legend>
                    {[PaymentMethod::Card, PaymentMethod::Transfer, PaymentMethod::Cash, PaymentMethod::DirectDebit].into_iter().map(|method| {
                        let id = format!("method-{}", method.label().to_lowercase().replace(' ', "-"));
                        view! {
                            <div class="radio">
                                <input type="radio" name="method" id=id.clone() prop:checked=move || inputs.method.get() == method
                                    on:change=move |_| inputs.method.set(method)/>
                                <label for=id>{method.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <ReceiptPicker receipts=inputs.receipts/>
                <div class="field" class:field--error=move || errors.with(|e| e.note.is_some())>
                    <label for="note">"Note (optional)"</label>
                    <p class="hint" id="note-hint">"Anything that will help you or the council remember what this was"</p>
                    {move || errors.with(|e| e.note.clone()).map(|message| view! {
                        <p class="field-error" id="note-error"><span class="visually-hidden">"Error: "</span>{message}</p>
                    })}
                    <textarea id="note" name="note" rows="2" aria-describedby="note-hint"
                        prop:value=move || inputs.note.get() on:input=move |ev| inputs.note.set(event_target_value(&ev))></textarea>
                </div>
                <Show when=move || flags.with(|f| !f.is_empty())>
                    <section class="before-saving" aria-labelledby="before-saving-heading">
                        <h2 id="before-saving-heading">"Before you save"</h2>
                        <p>"Your council will want to know about this spending:"</p>
                        <FlagList flags=Signal::derive(move || flags.get())/>
                        <div class="field">
                            <label for="explanation">"Why was this needed? (optional)"</label>
                            <p class="hint" id="explanation-hint">"Explaining now saves the council asking you later. You can also explain later."</p>
                            <textarea id="explanation" name="explanation" rows="3" aria-describedby="explanation-hint"
                                prop:value=move || explanation.get() on:input=move |ev| explanation.set(event_target_value(&ev))></textarea>
                        </div>
                        <Show when=not_allowed>
                            <div class="field field--checkbox" class:field--error=move || errors.with(|e| e.confirm.is_some())>
                                {move || errors.with(|e| e.confirm.clone()).map(|message| view! {
                                    <p class="field-error" id="confirm-review-error"><span class="visually-hidden">"Error: "</span>{message}</p>
                                })}
                                <input type="checkbox" id="confirm-review" prop:checked=move || confirmed.get()
                                    on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                                <label for="confirm-review">"I understand the council will review this spending and may ask for the money to be paid back"</label>
                            </div>
                        </Show>
                    </section>
                </Show>
                <button type="submit" class="button">"Save spending"</button>
            </form>
        </section>
    }
}
