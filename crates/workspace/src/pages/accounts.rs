//! The accounts, exceptions first; opening an account; one account's page, with its
//! devices and pairing codes.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use tally_api::{AccountDetail, AccountSummary, AccountsList, ExceptionKind};

use crate::client as api;
use crate::{shown, use_workspace, when, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn Accounts() -> impl IntoView {
    page_title("Accounts");
    let workspace = use_workspace();
    let query = use_query_map();
    // The filter and page are in the address, so a list can be bookmarked and shared.
    let filter = Memo::new(move |_| query.with(|q| api::AccountsFilter::from_query(|name| q.get(name))));
    let trail = Trail::new();
    Effect::new(move |_| filter.with(|f| trail.arrive(f.on_page(None).query(), f.after.clone())));
    let list = workspace.resource(move || {
        let filter = filter.get();
        async move { api::accounts(&filter).await }
    });
    // The form shows the filter in the address (and follows it back and forward).
    let search = RwSignal::new(String::new());
    let exception = RwSignal::new(String::new());
    Effect::new(move |_| {
        filter.with(|f| {
            search.set(f.search.clone());
            exception.set(f.exception.clone());
        })
    });
    let navigate = use_navigate();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = api::AccountsFilter {
            search: search.get_untracked(),
            exception: exception.get_untracked(),
            after: String::new(),
        };
        navigate(&list_address(&chosen), Default::default());
    };
    view! {
        <h1>"Accounts"</h1>
        <p>"Accounts that need a look come first."</p>
        <Show when=move || workspace.can_change()>
            <OpenAccount/>
        </Show>
        <form class="search filters__row" role="search" aria-label="Find accounts" on:submit=on_search>
            <div class="field">
                <label for="account-search">"Search by name or reference"</label>
                <p class="hint" id="account-search-hint">"The start of any word, such as \"smi\" or \"0123\""</p>
                <input id="account-search" type="search" aria-describedby="account-search-hint" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="account-exception">"Show"</label>
                <select id="account-exception" prop:value=move || exception.get() on:change=move |ev| exception.set(event_target_value(&ev))>
                    <option value="">"Every account"</option>
                    {ExceptionKind::ALL.into_iter().map(|kind| view! { <option value=kind.as_str()>{kind.label()}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button button--secondary">"Search"</button>
        </form>
        {shown(list, "Loading the accounts…", move |found: AccountsList| {
            let unreadable = found.unreadable;
            let accounts = found.accounts;
            let total = match found.total { 1 => "1 account".to_owned(), n => format!("{n} accounts") };
            let range = showing(trail, tally_api::DEFAULT_PAGE, accounts.len());
            let href = Callback::new(move |after: Option<String>| list_address(&filter.get_untracked().on_page(after.as_deref())));
            view! {
                <UnreadableNotice accounts=Signal::derive(move || unreadable.clone())/>
                {if accounts.is_empty() {
                    view! { <p role="status">"No accounts match."</p> }.into_any()
                } else {
                    view! {
                        <p role="status">{total}</p>
                        {range.map(|r| view! { <p class="hint">{r}</p> })}
                        <div class="table-wrap">
                            <table class="table">
                                <caption>"Accounts"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Person"</th>
                                        <th scope="col" class="num">"Balance"</th>
                                        <th scope="col" class="num">"Flags to review"</th>
                                        <th scope="col" class="num">"Surplus above contingency"</th>
                                        <th scope="col">"Last heard from"</th>
                                        <th scope="col">"Needs a look"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {accounts.into_iter().map(|account| view! { <AccountRow account/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pagination label="Pages of accounts" trail next=found.next href/>
                    }.into_any()
                }}
            }
        })}
    }
}

/// The accounts list's address for a filter and page.
fn list_address(filter: &api::AccountsFilter) -> String {
    match filter.query() {
        q if q.is_empty() => "/council".to_owned(),
        q => format!("/council?{q}"),
    }
}

#[component]
pub(crate) fn AccountRow(account: AccountSummary) -> impl IntoView {
    let href = format!("/council/accounts/{}", account.reference);
    let title = format!("{} · {}", account.person_name, account.reference);
    let synced = account.last_synced_ms.map(when).unwrap_or_else(|| "never".to_owned());
    view! {
        <tr>
            <th scope="row"><A href=href>{title}</A></th>
            <td class="num">{account.balance.to_string()}</td>
            <td class="num">{account.open_flags.to_string()}</td>
            <td class="num">{account.surplus.to_string()}</td>
            <td>{synced}</td>
            <td>
                {if account.exceptions.is_empty() {
                    "Nothing".into_any()
                } else {
                    view! { <ul class="exceptions">{account.exceptions.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul> }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
pub(crate) fn Account() -> impl IntoView {
    let workspace = use_workspace();
    let params = use_params_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let detail = RwSignal::new(None::<Result<AccountDetail, String>>);
    let notice = Notice::provide();
    let load = move || {
        let reference = reference();
        workspace.fetch(async move { api::account(&reference).await }, detail, |found: AccountDetail| {
            page_title(&format!("{} ({})", found.summary.person_name, found.summary.reference));
            found
        });
    };
    // The account last read, kept while it is read again after a change, so the page is
    // built once per account: a refresh updates its figures and lists, and never the forms
    // an officer is typing in.
    let shown = RwSignal::new(None::<AccountDetail>);
    Effect::new(move |_| {
        let _ = reference();
        shown.set(None);
        load();
    });
    Effect::new(move |_| {
        if let Some(Ok(found)) = detail.get() {
            shown.set(Some(found));
        }
    });
    let state = Memo::new(move |_| {
        match (
            detail.with(|d| d.as_ref().map(|r| r.as_ref().err().cloned())),
            shown.with(|s| s.as_ref().map(|a| a.summary.reference.clone())),
        ) {
            (_, Some(reference)) => Ok(Some(reference)),
            (Some(Some(message)), None) => Err(message),
            _ => Ok(None),
        }
    });
    view! {
        {notice.view()}
        {move || match state.get() {
            Ok(None) => view! { <h1>"Account"</h1><p role="status">"Loading the account…"</p> }.into_any(),
            Err(message) => view! { <h1>"Account"</h1><p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Ok(Some(_)) => {
                let account = Signal::derive(move || shown.get().expect("shown once read"));
                view! { <AccountView account on_change=Callback::new(move |()| load())/> }.into_any()
            }
        }}
    }
}

#[component]
pub(crate) fn AccountView(account: Signal<AccountDetail>, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let first = account.get_untracked();
    let reference = first.summary.reference.clone();
    let summary = Memo::new(move |_| account.with(|a| a.summary.clone()));
    let spends = Memo::new(move |_| account.with(|a| a.spends.clone()));
    let plan = Memo::new(move |_| account.with(|a| a.plan.clone()));
    let schedules = Memo::new(move |_| account.with(|a| a.schedules.clone()));
    let devices = Memo::new(move |_| account.with(|a| a.devices.clone()));
    let surplus = Signal::derive(move || summary.with(|s| s.surplus));
    let life = Memo::new(move |_| account.with(|a| a.life.clone()));
    let open = move || life.with(|l| l.ended.is_none());
    let (
        money_reference,
        surplus_reference,
        export_reference,
        statements_reference,
        plan_reference,
        schedule_reference,
        device_reference,
        life_reference,
    ) = (
        reference.clone(),
        reference.clone(),
        reference.clone(),
        reference.clone(),
        reference.clone(),
        reference.clone(),
        reference.clone(),
        reference.clone(),
    );
    view! {
        <h1>{format!("{} ({})", first.summary.person_name, first.summary.reference)}</h1>
        <dl class="figures">
            <div><dt>"Balance"</dt><dd>{move || summary.with(|s| s.balance.to_string())}</dd></div>
            <div><dt>"Flags to review"</dt><dd>{move || summary.with(|s| s.open_flags.to_string())}</dd></div>
            <div><dt>"Surplus above contingency"</dt><dd>{move || summary.with(|s| s.surplus.to_string())}</dd></div>
            <div><dt>"Last heard from"</dt><dd>{move || summary.with(|s| s.last_synced_ms.map(when).unwrap_or_else(|| "never".to_owned()))}</dd></div>
        </dl>
        {move || summary.with(|s| (!s.exceptions.is_empty()).then(|| view! {
            <section aria-labelledby="look-heading">
                <h2 id="look-heading">"Needs a look"</h2>
                <ul class="exceptions">{s.exceptions.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul>
            </section>
        }))}
        <section aria-labelledby="spending-heading">
            <h2 id="spending-heading">"Spending"</h2>
            <Show when=move || spends.with(|s| !s.is_empty()) fallback=|| view! { <p>"No spending logged yet."</p> }>
                // Keyed by what a review shows, so a decision on one spend leaves the others'
                // forms as they are.
                <For
                    each=move || spends.get().into_iter().rev()
                    key=|spend| (spend.entry_id, spend.decision, spend.thread.len(), spend.flags.len(), spend.amount, spend.receipts.len())
                    children=move |spend| view! { <SpendReview spend show_person=false on_decided=on_change/> }
                />
            </Show>
        </section>
        {move || { let plan = plan.get(); view! { <PlanSection reference=plan_reference.clone() plan on_change/> } }}
        <section aria-labelledby="money-heading">
            <h2 id="money-heading">"Money in and surplus"</h2>
            <Show when=move || workspace.can_change() && open() fallback=move || view! { <p>{if open() { "Your role can read the account but not record money." } else { "The direct payment has ended: no more money is recorded." }}</p> }>
                {let schedule_reference = schedule_reference.clone(); move || view! { <Schedules reference=schedule_reference.clone() schedules=schedules.get() on_change/> }}
                <MoneyInForm reference=money_reference.clone() on_change/>
                <RecoverSurplus reference=surplus_reference.clone() surplus on_change/>
            </Show>
        </section>
        {move || view! { <LifeSection reference=life_reference.clone() life=life.get() on_change/> }}
        <Statements reference=statements_reference/>
        <Exports reference=export_reference/>
        <section aria-labelledby="devices-heading">
            <h2 id="devices-heading">"Devices"</h2>
            <ul class="device-list">
                {move || devices.get().into_iter().map(|device| {
                    let state = match device.revoked_ms {
                        Some(at) => format!("Revoked {}", when(at)),
                        None => "Active".to_owned(),
                    };
                    let received = match device.last_received_ms {
                        Some(at) => format!("{} records, last {}", device.records, when(at)),
                        None => "No records yet".to_owned(),
                    };
                    let missing = (device.missing > 0).then(|| format!(" · {} numbered records not received yet", device.missing));
                    let device_id = device.device_id;
                    let label = device.label.clone();
                    let active = device.revoked_ms.is_none();
                    view! {
                        <li>
                            <p><strong>{device.label.clone()}</strong>{format!(" · paired {} · {state} · {received}", when(device.paired_ms))}{missing}</p>
                            {(active && workspace.can_change()).then(|| view! { <RevokeDevice device_id label on_change/> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || workspace.can_change() && open()>
                <PairingCode reference=device_reference.clone() on_change/>
            </Show>
        </section>
        <section aria-labelledby="sync-history-heading">
            <h2 id="sync-history-heading">"Sync history"</h2>
            {move || account.with(|account| if account.sync_history.is_empty() {
                view! { <p>"No device has sent records yet."</p> }.into_any()
            } else {
                view! {
                    <p class="hint">"When the person's devices last sent new records, newest first."</p>
                    <ol class="audit">
                        {account.sync_history.iter().map(|event| view! {
                            <li>{format!("{} · {} · {}", when(event.at_ms), event.device_label, if event.records == 1 { "1 new record".to_owned() } else { format!("{} new records", event.records) })}</li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            })}
        </section>
        <section aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit trail"</h2>
            {move || account.with(|account| if account.audit.is_empty() {
                view! { <p>"Nothing recorded by council staff yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="audit">
                        {account.audit.iter().map(|line| view! {
                            <li>{format!("{} · {} · {}", when(line.at_ms), line.who, line.action)}{(!line.detail.is_empty()).then(|| format!(": {}", line.detail))}</li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            })}
        </section>
    }
}

#[component]
pub(crate) fn PairingCode(reference: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let issue = move |_| {
        let (reference, csrf) = (reference.clone(), workspace.csrf());
        once.run(async move {
            match api::issue_pairing_code(&csrf, &reference).await {
                Ok(code) => {
                    notice.say(format!("Pairing code: {} (one use, valid {} days). Give it to the person or their carer to connect a phone.", code.code, code.valid_days));
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    view! { <button type="button" class="button button--secondary" on:click=issue>"Issue a pairing code"</button> }
}

#[component]
pub(crate) fn RevokeDevice(device_id: tally_ledger::DeviceId, label: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let name_done = label.clone();
    let revoke = move |_| {
        let (csrf, name_done) = (workspace.csrf(), name_done.clone());
        once.run(async move {
            match api::revoke_device(&csrf, device_id).await {
                Ok(()) => {
                    notice.say(format!("{name_done} is revoked: it can no longer reach the account."));
                    on_change.run(());
                }
                Err(p) => {
                    workspace.note(&p);
                    problem.set(Some(p.message()));
                }
            }
        });
    };
    let name = label.clone();
    view! {
        {move || if confirming.get() {
            let revoke = revoke.clone();
            view! {
                <p>{format!("Revoke {name}? It will stop reaching the account at once; what it already sent is kept.")}</p>
                <button type="button" class="button button--warning" on:click=revoke>{format!("Yes, revoke {name}")}</button>
                <button type="button" class="button button--secondary" on:click=move |_| confirming.set(false)>"Keep it"</button>
            }.into_any()
        } else {
            let label = label.clone();
            view! { <button type="button" class="button button--secondary" on:click=move |_| confirming.set(true)>{format!("Revoke {label}")}</button> }.into_any()
        }}
        <p role="alert">{move || problem.get()}</p>
    }
}

#[component]
pub(crate) fn OpenAccount() -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let starts = RwSignal::new(today_iso());
    let ends = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let line = LineFields::new(
        "",
        "",
        tally_ledger::Category::PersonalAssistant,
        String::new(),
        tally_ledger::Period::FourWeekly,
    );
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = tally_api::NewAccount {
            reference: reference.get_untracked(),
            person_name: name.get_untracked(),
            plan_starts: starts.get_untracked(),
            plan_ends: ends.get_untracked(),
            outcomes: vec![outcome.get_untracked()],
            lines: vec![tally_api::PlanLineRequest {
                id: String::new(),
                name: line.name.get_untracked(),
                category: line.category.get_untracked(),
                budget: line.budget.get_untracked(),
                period: line.period.get_untracked(),
            }],
        };
        let (csrf, navigate) = (workspace.csrf(), navigate.clone());
        once.run(async move {
            match api::open_account(&csrf, &request).await {
                Ok(made) => {
                    workspace.flash.set(Some(format!(
                        "{}'s account is open. Issue a pairing code below to connect their phone.",
                        made.person_name
                    )));
                    navigate(&format!("/council/accounts/{}", made.reference), Default::default());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[
                            ("person_name", "new-person_name"),
                            ("reference", "new-reference"),
                            ("plan_starts", "new-plan_starts"),
                            ("plan_ends", "new-plan_ends"),
                            ("line-0-name", "new-line-0-name"),
                            ("line-0-budget", "new-line-0-budget"),
                        ],
                        "new-lines",
                    ));
                }
            }
        });
    };
    view! {
        <details class="plan-change">
            <summary>"Open an account for someone new"</summary>
            <ErrorSummary errors=errors/>
            <form on:submit=submit novalidate>
                <TextField id="new-person_name" label="The person's name" value=name error=error_of("new-person_name")/>
                <TextField id="new-reference" label="Council reference" hint="For example DP-000123" value=reference error=error_of("new-reference")/>
                <TextField id="new-plan_starts" label="The support plan starts on" value=starts error=error_of("new-plan_starts") input_type="date"/>
                <TextField id="new-plan_ends" label="Review date (optional)" value=ends error=error_of("new-plan_ends") input_type="date"/>
                <TextField id="new-outcome" label="An outcome in the person's own words (optional)" value=outcome error=Signal::derive(|| None::<String>)/>
                <fieldset class="field plan-line-edit" id="new-lines">
                    <legend>"The first plan line (add more by changing the plan)"</legend>
                    {move || error_of("new-line-0-name").get().or_else(|| error_of("new-line-0-budget").get()).or_else(|| error_of("new-lines").get()).map(|m| view! {
                        <p class="field-error" role="alert"><span class="visually-hidden">"Error: "</span>{m}</p>
                    })}
                    <PlanLineFields prefix="new-line-0".to_owned() line/>
                </fieldset>
                <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Open the account"</button>
            </form>
        </details>
    }
}
