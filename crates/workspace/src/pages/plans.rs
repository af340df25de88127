//! A person's support plan, and a new version of it.

use leptos::prelude::*;
use tally_ledger::date::long_date;

use crate::client as api;
use crate::{use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};

use super::*;

pub(crate) const PERIODS: [(tally_ledger::Period, &str); 5] = [
    (tally_ledger::Period::Weekly, "Weekly"),
    (tally_ledger::Period::FourWeekly, "Every 4 weeks"),
    (tally_ledger::Period::Monthly, "Monthly"),
    (tally_ledger::Period::Yearly, "Yearly"),
    (tally_ledger::Period::OneOff, "Once"),
];

pub(crate) fn period_key(period: tally_ledger::Period) -> String {
    format!("{period:?}")
}

/// One line of a plan being edited.
#[derive(Clone, Copy)]
pub(crate) struct LineFields {
    pub(crate) id: StoredValue<String>,
    pub(crate) name: RwSignal<String>,
    pub(crate) category: RwSignal<tally_ledger::Category>,
    pub(crate) budget: RwSignal<String>,
    pub(crate) period: RwSignal<tally_ledger::Period>,
    pub(crate) remove: RwSignal<bool>,
}

impl LineFields {
    pub(crate) fn new(
        id: &str,
        name: &str,
        category: tally_ledger::Category,
        budget: String,
        period: tally_ledger::Period,
    ) -> LineFields {
        LineFields {
            id: StoredValue::new(id.to_owned()),
            name: RwSignal::new(name.to_owned()),
            category: RwSignal::new(category),
            budget: RwSignal::new(budget),
            period: RwSignal::new(period),
            remove: RwSignal::new(false),
        }
    }
}

#[component]
pub(crate) fn PlanSection(
    reference: String,
    plan: tally_ledger::SupportPlan,
    on_change: Callback<()>,
) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let current = plan.current().cloned();
    let summary = match &current {
        Some(version) => format!("Version {}, from {}", version.version, long_date(version.effective_from)),
        None => "No support plan yet.".to_owned(),
    };
    let lines: Vec<LineFields> = current
        .iter()
        .flat_map(|v| v.lines.iter())
        .map(|l| LineFields::new(&l.id.0, &l.name, l.category, l.budget.to_plain_string(), l.period))
        .collect();
    let added = LineFields::new("", "", tally_ledger::Category::Other, String::new(), tally_ledger::Period::FourWeekly);
    let from = RwSignal::new(today_iso());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = {
        let lines = lines.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mut sent: Vec<tally_api::PlanLineRequest> = lines
                .iter()
                .filter(|l| !l.remove.get_untracked())
                .map(|l| tally_api::PlanLineRequest {
                    id: l.id.get_value(),
                    name: l.name.get_untracked(),
                    category: l.category.get_untracked(),
                    budget: l.budget.get_untracked(),
                    period: l.period.get_untracked(),
                })
                .collect();
            if !added.name.get_untracked().trim().is_empty() {
                sent.push(tally_api::PlanLineRequest {
                    id: String::new(),
                    name: added.name.get_untracked(),
                    category: added.category.get_untracked(),
                    budget: added.budget.get_untracked(),
                    period: added.period.get_untracked(),
                });
            }
            let request = tally_api::PlanVersionRequest { effective_from: from.get_untracked(), lines: sent };
            let (reference, csrf) = (reference.clone(), workspace.csrf());
            once.run(async move {
                match api::add_plan_version(&csrf, &reference, &request).await {
                    Ok(_) => {
                        errors.set(Vec::new());
                        notice.say(
                            "The new plan version is saved. The person's phone takes it the next time it syncs."
                                .to_owned(),
                        );
                        on_change.run(());
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        errors.set(field_errors(&problem, &[("effective_from", "plan-from")], "plan-lines"));
                    }
                }
            });
        }
    };
    let line_rows = move || {
        lines.iter().enumerate().map(|(n, line)| {
        let line = *line;
        let prefix = format!("plan-line-{n}");
        view! {
            <fieldset class="field plan-line-edit">
                <legend>{move || format!("Line {}: {}", n + 1, line.name.get())}</legend>
                <PlanLineFields prefix=prefix.clone() line/>
                <div class="field--checkbox">
                    <input type="checkbox" id=format!("{prefix}-remove") prop:checked=move || line.remove.get() on:change=move |ev| line.remove.set(event_target_checked(&ev))/>
                    <label for=format!("{prefix}-remove")>"Remove this line from the new version"</label>
                </div>
            </fieldset>
        }
    }).collect_view()
    };
    let line_rows = StoredValue::new_local(line_rows);
    view! {
        <section aria-labelledby="plan-heading">
            <h2 id="plan-heading">"Support plan"</h2>
            <p>{summary}</p>
            {current.as_ref().map(|v| view! {
                <ul>{v.lines.iter().map(|l| view! { <li>{format!("{}: {} {}", l.name, l.budget, l.period.phrase())}</li> }).collect_view()}</ul>
            })}
            <Show when=move || workspace.can_change()>
                <details class="plan-change">
                    <summary>"Change the plan from a date"</summary>
                    <ErrorSummary errors=errors/>
                    <form on:submit=submit.clone() novalidate>
                        <TextField id="plan-from" label="The new version starts on" value=from error=error_of("plan-from") input_type="date"/>
                        {line_rows.with_value(|rows| rows())}
                        <fieldset class="field plan-line-edit">
                            <legend>"Add a line (optional)"</legend>
                            <PlanLineFields prefix="plan-line-new".to_owned() line=added/>
                        </fieldset>
                        <p class="field-error" id="plan-lines">{move || error_of("plan-lines").get()}</p>
                        <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Save the new plan version"</button>
                    </form>
                </details>
            </Show>
        </section>
    }
}

#[component]
pub(crate) fn PlanLineFields(prefix: String, line: LineFields) -> impl IntoView {
    view! {
        <div class="field">
            <label for=format!("{prefix}-name")>"Name"</label>
            <input id=format!("{prefix}-name") type="text" prop:value=move || line.name.get() on:input=move |ev| line.name.set(event_target_value(&ev))/>
        </div>
        <div class="field">
            <label for=format!("{prefix}-category")>"Kind of support"</label>
            <select id=format!("{prefix}-category") on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Some(c) = tally_ledger::Category::ALL.into_iter().find(|c| format!("{c:?}") == chosen) { line.category.set(c); }
            }>
                {tally_ledger::Category::ALL.into_iter().map(|c| view! {
                    <option value=format!("{c:?}") selected=move || line.category.get() == c>{c.label()}</option>
                }).collect_view()}
            </select>
        </div>
        <div class="field">
            <label for=format!("{prefix}-budget")>"Budget (£)"</label>
            <input id=format!("{prefix}-budget") type="text" inputmode="decimal" prop:value=move || line.budget.get() on:input=move |ev| line.budget.set(event_target_value(&ev))/>
        </div>
        <div class="field">
            <label for=format!("{prefix}-period")>"How often"</label>
            <select id=format!("{prefix}-period") on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Some((p, _)) = PERIODS.into_iter().find(|(p, _)| period_key(*p) == chosen) { line.period.set(p); }
            }>
                {PERIODS.into_iter().map(|(p, label)| view! {
                    <option value=period_key(p) selected=move || line.period.get() == p>{label}</option>
                }).collect_view()}
            </select>
        </div>
    }
}
