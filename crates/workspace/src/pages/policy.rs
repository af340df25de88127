//! The council's local rules.

use leptos::prelude::*;

use crate::client as api;
use crate::{use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Policy() -> impl IntoView {
    page_title("Council policy");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let policy = RwSignal::new(None::<Result<tally_ledger::CouncilPolicy, String>>);
    workspace.fetch(api::policy(), policy, |found| found);
    let is_admin =
        move || workspace.staff.with(|s| s.as_ref().and_then(|s| s.as_ref()).is_some_and(|s| s.role.may_administer()));
    view! {
        {notice.view()}
        <h1>"Council policy"</h1>
        <p>"The council's local rules for direct payments. Every person's phone takes a change the next time it syncs, and checks spending against it."</p>
        {move || match policy.get() {
            None => view! { <p role="status">"Loading the policy…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(current)) if is_admin() => view! { <PolicyForm current policy/> }.into_any(),
            Some(Ok(current)) => view! {
                <dl class="summary-list">
                    <div><dt>"Contingency"</dt><dd>{format!("{} weeks", current.contingency_weeks)}</dd></div>
                    <div><dt>"Receipts needed from"</dt><dd>{current.receipt_threshold.to_string()}</dd></div>
                    <div><dt>"Most for one entry"</dt><dd>{current.per_entry_maximum.to_string()}</dd></div>
                    <div><dt>"Cash"</dt><dd>{if current.cash_allowed { "Allowed, with receipts" } else { "Not allowed" }}</dd></div>
                    <div><dt>"Respite"</dt><dd>{format!("Up to {} weeks in 12 months", current.respite_cap_weeks)}</dd></div>
                    <div><dt>"Records kept"</dt><dd>{format!("{} years after a direct payment ends", current.retention_years)}</dd></div>
                    <div><dt>"Not allowed"</dt><dd>{if current.banned_categories.is_empty() { "Nothing beyond the law".to_owned() } else { current.banned_categories.iter().map(|b| b.category.label()).collect::<Vec<_>>().join(", ") }}</dd></div>
                </dl>
                <p>"Only an administrator can change the policy."</p>
            }.into_any(),
        }}
    }
}

#[component]
pub(crate) fn PolicyForm(
    current: tally_ledger::CouncilPolicy,
    policy: RwSignal<Option<Result<tally_ledger::CouncilPolicy, String>>>,
) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let contingency = RwSignal::new(current.contingency_weeks.to_string());
    let receipt = RwSignal::new(current.receipt_threshold.to_plain_string());
    let maximum = RwSignal::new(current.per_entry_maximum.to_plain_string());
    let cash = RwSignal::new(current.cash_allowed);
    let respite = RwSignal::new(current.respite_cap_weeks.to_string());
    let retention = RwSignal::new(current.retention_years.to_string());
    let banned = RwSignal::new(current.banned_categories.iter().map(|b| b.category).collect::<Vec<_>>());
    let reason = RwSignal::new(current.banned_categories.first().map(|b| b.reason.clone()).unwrap_or_default());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let update = tally_api::PolicyUpdate {
            contingency_weeks: contingency.get_untracked(),
            receipt_threshold: receipt.get_untracked(),
            per_entry_maximum: maximum.get_untracked(),
            cash_allowed: cash.get_untracked(),
            respite_cap_weeks: respite.get_untracked(),
            banned_categories: banned.get_untracked(),
            banned_reason: reason.get_untracked(),
            retention_years: retention.get_untracked(),
        };
        let csrf = workspace.csrf();
        once.run(async move {
            match api::set_policy(&csrf, &update).await {
                Ok(saved) => {
                    errors.set(Vec::new());
                    notice.say("The policy is saved. People's phones take it the next time they sync.".to_owned());
                    policy.set(Some(Ok(saved)));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[
                            ("contingency", "policy-contingency"),
                            ("receipt", "policy-receipt"),
                            ("maximum", "policy-maximum"),
                            ("respite", "policy-respite"),
                            ("reason", "policy-reason"),
                            ("retention", "policy-retention"),
                        ],
                        "policy-contingency",
                    ));
                }
            }
        });
    };
    view! {
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextField id="policy-contingency" label="Contingency (weeks of budget a person may keep)" value=contingency error=error_of("policy-contingency") inputmode="numeric"/>
            <TextField id="policy-receipt" label="Receipts needed for spending of" value=receipt error=error_of("policy-receipt") inputmode="decimal" prefix="£"/>
            <TextField id="policy-maximum" label="Most for one entry" value=maximum error=error_of("policy-maximum") inputmode="decimal" prefix="£"/>
            <TextField id="policy-respite" label="Respite allowed in 12 months (weeks)" value=respite error=error_of("policy-respite") inputmode="numeric"/>
            <div class="field field--checkbox">
                <input type="checkbox" id="policy-cash" prop:checked=move || cash.get() on:change=move |ev| cash.set(event_target_checked(&ev))/>
                <label for="policy-cash">"Cash payments are allowed (always with a receipt)"</label>
            </div>
            <fieldset class="field">
                <legend>"Kinds of spending the council does not allow"</legend>
                {tally_ledger::Category::ALL.into_iter().map(|category| {
                    let id = format!("policy-banned-{category:?}");
                    view! {
                        <div class="field--checkbox">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || banned.with(|b| b.contains(&category))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    banned.update(|b| { b.retain(|c| *c != category); if on { b.push(category); } });
                                }/>
                            <label for=id>{category.label()}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <TextField id="policy-reason" label="Why they are not allowed (people see this)" value=reason error=error_of("policy-reason")/>
            <TextField id="policy-retention" label="Years records are kept after a direct payment ends" hint="From 3 to 7. After that the account is anonymised; the council's figures stay as they were." value=retention error=error_of("policy-retention") inputmode="numeric"/>
            <button type="submit" class="button">"Save the policy"</button>
        </form>
    }
}
