//! Money in, surplus recovered, and regular payments in, on an account's page.

use leptos::prelude::*;
use tally_ledger::date::long_date;

use crate::client as api;
use crate::{use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};

use super::*;

#[component]
pub(crate) fn MoneyInForm(reference: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let kind = RwSignal::new(tally_api::MoneyInKind::PaymentIn);
    let date = RwSignal::new(today_iso());
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    // One recording at a time: a second press while the first is on its way records nothing.
    let record = Action::new_local(move |request: &tally_api::MoneyInRequest| {
        let (reference, csrf, request) = (reference.clone(), workspace.csrf(), request.clone());
        async move {
            match api::record_money_in(&csrf, &reference, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    notice.say(format!(
                        "Recorded £{} {}. The person's phone shows it when it next syncs.",
                        request.amount.trim().trim_start_matches('£'),
                        if request.kind == Some(tally_api::MoneyInKind::Refund) { "refunded" } else { "paid in" }
                    ));
                    amount.set(String::new());
                    note.set(String::new());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[
                            ("amount", "money-amount"),
                            ("date", "money-date"),
                            ("kind", "money-kind"),
                            ("reference", "money-reference"),
                        ],
                        "money-amount",
                    ));
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if record.pending().get_untracked() {
            return;
        }
        let request = tally_api::MoneyInRequest {
            kind: Some(kind.get_untracked()),
            date: date.get_untracked(),
            amount: amount.get_untracked(),
            reference: note.get_untracked(),
        };
        record.dispatch_local(request);
    };
    view! {
        <h3>"Record money paid in"</h3>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <fieldset class="field" id="money-kind">
                <legend>"Paid in by"</legend>
                <div class="radio">
                    <input type="radio" id="money-kind-council" name="money-kind" prop:checked=move || kind.get() == tally_api::MoneyInKind::PaymentIn on:change=move |_| kind.set(tally_api::MoneyInKind::PaymentIn)/>
                    <label for="money-kind-council">"The council (direct payment)"</label>
                </div>
                <div class="radio">
                    <input type="radio" id="money-kind-person" name="money-kind" prop:checked=move || kind.get() == tally_api::MoneyInKind::Contribution on:change=move |_| kind.set(tally_api::MoneyInKind::Contribution)/>
                    <label for="money-kind-person">"The person (their contribution)"</label>
                </div>
                <div class="radio">
                    <input type="radio" id="money-kind-refund" name="money-kind" prop:checked=move || kind.get() == tally_api::MoneyInKind::Refund on:change=move |_| kind.set(tally_api::MoneyInKind::Refund)/>
                    <label for="money-kind-refund">"A payee giving money back (a refund)"</label>
                </div>
            </fieldset>
            <TextField id="money-date" label="Date paid in" hint="For example 2026-11-22" value=date error=error_of("money-date") input_type="date"/>
            <TextField id="money-amount" label="Amount paid in" value=amount error=error_of("money-amount") inputmode="decimal" prefix="£"/>
            <Show when=move || kind.get() == tally_api::MoneyInKind::Refund
                fallback=move || view! { <TextField id="money-reference" label="Reference of this payment (optional)" value=note error=error_of("money-reference")/> }>
                <TextField id="money-reference" label="Who gave the money back" value=note error=error_of("money-reference")/>
            </Show>
            <button type="submit" class="button" aria-disabled=move || record.pending().get().then_some("true")>"Record money in"</button>
        </form>
    }
}

#[component]
pub(crate) fn RecoverSurplus(
    reference: String,
    surplus: Signal<tally_ledger::Money>,
    on_change: Callback<()>,
) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let date = RwSignal::new(today_iso());
    let proposal_of =
        |surplus: tally_ledger::Money| if surplus.is_positive() { surplus.to_plain_string() } else { String::new() };
    let amount = RwSignal::new(proposal_of(surplus.get_untracked()));
    // The proposed amount follows the surplus as it changes, until the officer types their
    // own: what they typed is never replaced.
    let proposed = StoredValue::new(amount.get_untracked());
    Effect::new(move |_| {
        let next = proposal_of(surplus.get());
        if amount.get_untracked() == proposed.get_value() {
            amount.set(next.clone());
        }
        proposed.set_value(next);
    });
    let reason = RwSignal::new("Surplus above the contingency the council allows".to_owned());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    // One recovery at a time: a second press while the first is on its way records nothing.
    let recover = Action::new_local(move |request: &tally_api::ClawbackRequest| {
        let (reference, csrf, request) = (reference.clone(), workspace.csrf(), request.clone());
        async move {
            match api::recover(&csrf, &reference, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    notice.say("Recovery recorded. The person's phone shows it when it next syncs.".to_owned());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[("amount", "clawback-amount"), ("date", "clawback-date"), ("reason", "clawback-reason")],
                        "clawback-amount",
                    ));
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if recover.pending().get_untracked() {
            return;
        }
        recover.dispatch_local(tally_api::ClawbackRequest {
            date: date.get_untracked(),
            amount: amount.get_untracked(),
            reason: reason.get_untracked(),
        });
    };
    let proposal = move || {
        let surplus = surplus.get();
        if surplus == tally_ledger::Money::ZERO {
            "There is no surplus above the contingency now.".to_owned()
        } else {
            format!("The account holds {surplus} more than the contingency the council allows. The proposed recovery is that amount; change it if you agreed otherwise with the person.")
        }
    };
    view! {
        <h3>"Recover surplus"</h3>
        <p>{proposal}</p>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextField id="clawback-date" label="Date recovered" value=date error=error_of("clawback-date") input_type="date"/>
            <TextField id="clawback-amount" label="Amount to recover" value=amount error=error_of("clawback-amount") inputmode="decimal" prefix="£"/>
            <TextField id="clawback-reason" label="Reason (the person will see it)" value=reason error=error_of("clawback-reason")/>
            <button type="submit" class="button" aria-disabled=move || recover.pending().get().then_some("true")>"Record recovery"</button>
        </form>
    }
}

#[component]
pub(crate) fn Schedules(
    reference: String,
    schedules: Vec<tally_api::ScheduleView>,
    on_change: Callback<()>,
) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let amount = RwSignal::new(String::new());
    let every = RwSignal::new("4".to_owned());
    let first = RwSignal::new(today_iso());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    // One schedule at a time: a second press while the first is on its way starts nothing.
    let start = {
        let reference = reference.clone();
        Action::new_local(move |request: &tally_api::ScheduleRequest| {
            let (reference, csrf, request) = (reference.clone(), workspace.csrf(), request.clone());
            async move {
                match api::start_schedule(&csrf, &reference, &request).await {
                    Ok(_) => {
                        errors.set(Vec::new());
                        notice.say(
                            "Payments are scheduled. Any already due are paid in now; the rest on their dates."
                                .to_owned(),
                        );
                        on_change.run(());
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        errors.set(field_errors(
                            &problem,
                            &[
                                ("amount", "schedule-amount"),
                                ("every_weeks", "schedule-every_weeks"),
                                ("first_date", "schedule-first_date"),
                            ],
                            "schedule-amount",
                        ));
                    }
                }
            }
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if start.pending().get_untracked() {
            return;
        }
        start.dispatch_local(tally_api::ScheduleRequest {
            amount: amount.get_untracked(),
            every_weeks: every.get_untracked(),
            first_date: first.get_untracked(),
            reference: note.get_untracked(),
        });
    };
    let running = schedules.into_iter().map(|s| {
        let (reference, schedule_id) = (reference.clone(), s.schedule_id.to_string());
        let how = match s.every_weeks { 1 => "every week".to_owned(), n => format!("every {n} weeks") };
        let label = format!("{} {how}, next on {}{}", s.amount, long_date(s.next_date), if s.reference.is_empty() { String::new() } else { format!(" ({})", s.reference) });
        let stop = move |_| {
            let (reference, schedule_id, csrf) = (reference.clone(), schedule_id.clone(), workspace.csrf());
            once.run(async move {
                match api::stop_schedule(&csrf, &reference, &schedule_id).await {
                    Ok(()) => { notice.say("The schedule is stopped. Payments already made stay.".to_owned()); on_change.run(()); }
                    Err(problem) => { workspace.note(&problem); notice.say(problem.message()); }
                }
            });
        };
        view! {
            <li>
                <p>{label.clone()}</p>
                <button type="button" class="button button--secondary" on:click=stop>{format!("Stop: {label}")}</button>
            </li>
        }
    }).collect_view();
    view! {
        <h3>"Regular payments in"</h3>
        <ul class="device-list" aria-label="Regular payments in">{running}</ul>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextField id="schedule-amount" label="Amount of each payment" value=amount error=error_of("schedule-amount") inputmode="decimal" prefix="£"/>
            <div class="field">
                <label for="schedule-every_weeks">"How often"</label>
                <select id="schedule-every_weeks" on:change=move |ev| every.set(event_target_value(&ev))>
                    <option value="1">"Every week"</option>
                    <option value="2">"Every 2 weeks"</option>
                    <option value="4" selected=true>"Every 4 weeks"</option>
                </select>
            </div>
            <TextField id="schedule-first_date" label="First payment on" value=first error=error_of("schedule-first_date") input_type="date"/>
            <TextField id="schedule-reference" label="Reference for these payments (optional)" value=note error=Signal::derive(|| None::<String>)/>
            <button type="submit" class="button button--secondary" aria-disabled=move || start.pending().get().then_some("true")>"Schedule payments"</button>
        </form>
    }
}
