//! Using Tally without a council: someone who pays for their own care, or wants to try
//! Tally first, sets up the plan lines they budget for. Everything stays on this device.
//! Connecting to a council later (from "This device") moves everything they logged.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use tally_api::AccountProfile;
use tally_ledger::{AccountId, Category, CouncilPolicy, DeviceId, Money, Period, PlanLine, PlanVersion, SupportPlan};

use crate::app::{page_title, use_wallet};
use crate::browser;
use crate::components::field::{error_for, ErrorSummary, TextField};
use crate::store::Session;

const PERIODS: [(Period, &str); 5] = [
    (Period::Weekly, "Every week"),
    (Period::FourWeekly, "Every 4 weeks"),
    (Period::Monthly, "Every month"),
    (Period::Yearly, "Every year"),
    (Period::OneOff, "Once"),
];

/// One plan line being set up.
#[derive(Clone, Copy)]
struct LineInputs {
    key: u32,
    name: RwSignal<String>,
    category: RwSignal<Category>,
    budget: RwSignal<String>,
    period: RwSignal<Period>,
}

impl LineInputs {
    fn new(key: u32) -> LineInputs {
        LineInputs {
            key,
            name: RwSignal::new(String::new()),
            category: RwSignal::new(Category::PersonalAssistant),
            budget: RwSignal::new(String::new()),
            period: RwSignal::new(Period::FourWeekly),
        }
    }
}

#[component]
pub fn LocalSetup() -> impl IntoView {
    page_title("Use Tally without a council");
    let wallet = use_wallet();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let lines = RwSignal::new(vec![LineInputs::new(0)]);
    let next_key = StoredValue::new(1u32);
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let line_errors = RwSignal::new(Vec::<(u32, String)>::new());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let mut per_line = Vec::new();
        let person = name.get_untracked().trim().to_owned();
        if person.is_empty() {
            problems.push(("local-name", "Enter your name.".to_owned()));
        }
        let today = browser::today();
        let mut plan_lines = Vec::new();
        for (n, line) in lines.get_untracked().into_iter().enumerate() {
            let line_name = line.name.get_untracked().trim().to_owned();
            let budget = Money::parse_amount(
                &line.budget.get_untracked(),
                CouncilPolicy::default().per_entry_maximum.mul_div(100, 1),
            );
            let problem = match (&budget, line_name.is_empty()) {
                (_, true) => {
                    Some(format!("Line {}: enter what this part of your care is, for example \"Carer visits\".", n + 1))
                }
                (Err(e), false) => Some(format!("Line {}: {e}", n + 1)),
                (Ok(_), false) => None,
            };
            match (problem, budget) {
                (Some(problem), _) => {
                    problems.push(("local-line", problem.clone()));
                    per_line.push((line.key, problem));
                }
                (None, Ok(budget)) => plan_lines.push(PlanLine::new(
                    &format!("line-{}", n + 1),
                    &line_name,
                    line.category.get_untracked(),
                    budget,
                    line.period.get_untracked(),
                    today,
                )),
                (None, Err(_)) => {}
            }
        }
        errors.set(problems.clone());
        line_errors.set(per_line);
        if !problems.is_empty() {
            return;
        }
        let plan = SupportPlan::new(
            vec![PlanVersion { version: 1, effective_from: today, outcomes: Vec::new(), lines: plan_lines }],
            None,
        );
        let session = Session {
            device_id: DeviceId(browser::new_uuid_v7()),
            token: String::new(),
            account: AccountProfile {
                account_id: AccountId(browser::new_uuid_v7()),
                reference: "kept on this device".to_owned(),
                person_name: person,
                council_name: "No council".to_owned(),
                plan,
                policy: CouncilPolicy::default(),
            },
            logged_by: None,
            local: true,
        };
        wallet.paired(session);
        navigate("/", Default::default());
    };

    view! {
        <h1>"Use Tally without a council"</h1>
        <p>"Set up what you budget for. Everything stays on this device. If you get a direct payment later, you can connect to your council and keep everything you logged."</p>
        <ErrorSummary errors=Signal::derive(move || errors.get())/>
        <form on:submit=submit novalidate>
            <TextField id="local-name" label="Your name" value=name autocomplete="name"
                error=error_for(errors, "local-name")/>
            <h2 id="local-line">"What you budget for"</h2>
            <ol class="plan-lines">
                {move || lines.get().into_iter().enumerate().map(|(n, line)| {
                    let key = line.key;
                    let error = Signal::derive(move || line_errors.with(|e| e.iter().find(|(k, _)| *k == key).map(|(_, m)| m.clone())));
                    view! {
                        <li class="plan-line">
                            <fieldset class="field">
                                <legend>{format!("Line {}", n + 1)}</legend>
                                <TextField id=format!("line-{key}-name") label="What it is for" hint="For example: carer visits, day centre, taxis"
                                    value=line.name error=error/>
                                <div class="field">
                                    <label for=format!("line-{key}-category")>"Kind of support"</label>
                                    <select id=format!("line-{key}-category") on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some(c) = Category::ALL.iter().find(|c| c.label() == v) { line.category.set(*c); }
                                    }>
                                        {Category::ALL.iter().map(|c| view! { <option value=c.label() selected=move || line.category.get() == *c>{c.label()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <TextField id=format!("line-{key}-budget") label="Budget" hint="In pounds, for example 320"
                                    value=line.budget error=Signal::derive(|| None::<String>) inputmode="decimal" prefix="£"/>
                                <div class="field">
                                    <label for=format!("line-{key}-period")>"How often"</label>
                                    <select id=format!("line-{key}-period") on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some((p, _)) = PERIODS.iter().find(|(_, l)| *l == v) { line.period.set(*p); }
                                    }>
                                        {PERIODS.iter().map(|(p, label)| view! { <option value=*label selected=move || line.period.get() == *p>{*label}</option> }).collect_view()}
                                    </select>
                                </div>
                                <Show when=move || lines.with(|l| l.len() > 1)>
                                    <button type="button" class="button button--secondary"
                                        on:click=move |_| lines.update(|l| l.retain(|x| x.key != key))>{format!("Remove line {}", n + 1)}</button>
                                </Show>
                            </fieldset>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <button type="button" class="button button--secondary" on:click=move |_| {
                let key = next_key.get_value();
                next_key.set_value(key + 1);
                lines.update(|l| l.push(LineInputs::new(key)));
            }>"Add another line"</button>
            <p><button type="submit" class="button">"Start using Tally"</button></p>
        </form>
    }
}
