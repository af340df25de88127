//! The workspace's pages.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tally_api::{
    AccountDetail, AccountSummary, AccountsList, DecisionRequest, PairingCodeIssued, ReviewQueue, SignInRequest,
    SpendView, StaffProfile,
};
use tally_ledger::date::long_date;
use tally_ledger::Decision;

use super::api;
use super::{use_workspace, when};
use crate::app::page_title;
use crate::components::field::{error_for, ErrorSummary, TextField};

/// A page's confirmation ("Question sent."), kept outside the parts of the page that are
/// drawn again when the page reloads its figures, so it stays on screen and is announced.
#[derive(Clone, Copy)]
struct Notice(RwSignal<Option<String>>);

impl Notice {
    fn provide() -> Notice {
        // What the page before said it would be shown here, if anything.
        let flash = use_context::<super::Workspace>().and_then(|w| {
            let message = w.flash.get_untracked();
            w.flash.set(None);
            message
        });
        let notice = Notice(RwSignal::new(flash));
        provide_context(notice);
        notice
    }

    fn say(self, message: String) {
        self.0.set(Some(message));
    }

    fn view(self) -> impl IntoView {
        view! { <p role="status" class="confirmation" class:visually-hidden=move || self.0.with(Option::is_none)>{move || self.0.get()}</p> }
    }
}

/// The page's confirmation line, looked up when a component is made (context cannot be
/// read later, inside a task). Outside a page that has one, what is said goes nowhere.
fn page_notice() -> Notice {
    use_context::<Notice>().unwrap_or_else(|| Notice(RwSignal::new(None)))
}

// --- signing in ---------------------------------------------------------------------------

#[component]
pub fn SignIn() -> impl IntoView {
    page_title("Sign in to the council workspace");
    let workspace = use_workspace();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let busy = RwSignal::new(false);
    let field_error = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (typed_email, typed_password) = (email.get_untracked(), password.get_untracked());
        let mut problems = Vec::new();
        if typed_email.trim().is_empty() {
            problems.push(("email", "Enter your email address".to_owned()));
        }
        if typed_password.is_empty() {
            problems.push(("password", "Enter your password".to_owned()));
        }
        errors.set(problems);
        if !errors.with_untracked(Vec::is_empty) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let request = SignInRequest { email: typed_email, password: typed_password };
            match api::post::<StaffProfile, _>("/sign-in", "", &request).await {
                Ok(profile) => {
                    password.set(String::new());
                    workspace.staff.set(Some(Some(profile)));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(vec![("password", problem.message())]);
                }
            }
            busy.set(false);
        });
    };
    view! {
        <h1>"Sign in to the council workspace"</h1>
        <p>"For council staff who look after direct payments. People using Tally for their own direct payment do not need to sign in here."</p>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextField id="email" label="Email address" value=email error=field_error("email") input_type="email" autocomplete="username"/>
            <TextField id="password" label="Password" value=password error=field_error("password") input_type="password" autocomplete="current-password"/>
            <button type="submit" class="button" prop:disabled=move || busy.get()>"Sign in"</button>
        </form>
    }
}

// --- accounts -----------------------------------------------------------------------------

/// Accounts a council-wide page could not read: named, with the reason, so none is
/// missed; the page shows every other account.
#[component]
fn UnreadableNotice(accounts: Signal<Vec<tally_api::UnreadableAccount>>) -> impl IntoView {
    view! {
        <Show when=move || accounts.with(|a| !a.is_empty())>
            <div class="notice notice--warning" role="alert">
                <p><strong>{move || match accounts.with(Vec::len) {
                    1 => "1 account could not be read and is not included here:".to_owned(),
                    n => format!("{n} accounts could not be read and are not included here:"),
                }}</strong></p>
                <ul>
                    {move || accounts.get().into_iter().map(|a| view! {
                        <li>{format!("{} ({}): {}", a.person_name, a.reference, a.reason)}</li>
                    }).collect_view()}
                </ul>
                <p>"This has been logged for whoever runs the council's server."</p>
            </div>
        </Show>
    }
}

#[component]
pub fn Accounts() -> impl IntoView {
    page_title("Accounts");
    let workspace = use_workspace();
    let search = RwSignal::new(String::new());
    let list = RwSignal::new(None::<Result<Vec<AccountSummary>, String>>);
    let unreadable = RwSignal::new(Vec::new());
    let load = move || {
        let words = search.get_untracked();
        let path = format!("/accounts?search={}", js_sys::encode_uri_component(words.trim()));
        workspace.fetch(path, list, move |found: AccountsList| {
            unreadable.set(found.unreadable);
            found.accounts
        });
    };
    load();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load();
    };
    view! {
        <h1>"Accounts"</h1>
        <p>"Accounts that need a look come first."</p>
        <Show when=move || workspace.can_change()>
            <OpenAccount/>
        </Show>
        <form class="search" role="search" on:submit=on_search>
            <div class="field">
                <label for="account-search">"Search by name or reference"</label>
                <input id="account-search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="button button--secondary">"Search"</button>
        </form>
        <UnreadableNotice accounts=unreadable.into()/>
        {move || match list.get() {
            None => view! { <p role="status">"Loading the accounts…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(accounts)) if accounts.is_empty() => view! { <p role="status">"No accounts match."</p> }.into_any(),
            Some(Ok(accounts)) => view! {
                <p role="status">{match accounts.len() { 1 => "1 account".to_owned(), n => format!("{n} accounts") }}</p>
                <ul class="account-list" aria-label="Accounts">
                    {accounts.into_iter().map(|account| view! { <AccountCard account/> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn AccountCard(account: AccountSummary) -> impl IntoView {
    let href = format!("/council/accounts/{}", account.reference);
    let title = format!("{} · {}", account.person_name, account.reference);
    let synced = account.last_synced_ms.map(when).unwrap_or_else(|| "never".to_owned());
    let needs_look = !account.exceptions.is_empty();
    view! {
        <li class="account-card">
            <h2 class="account-card__title"><A href=href>{title}</A></h2>
            <dl class="figures">
                <div><dt>"Balance"</dt><dd>{account.balance.to_string()}</dd></div>
                <div><dt>"Flags to review"</dt><dd>{account.open_flags.to_string()}</dd></div>
                <div><dt>"Surplus above contingency"</dt><dd>{account.surplus.to_string()}</dd></div>
                <div><dt>"Last heard from"</dt><dd>{synced}</dd></div>
            </dl>
            {if needs_look {
                view! {
                    <p class="account-card__look"><strong>"Needs a look:"</strong></p>
                    <ul class="exceptions">{account.exceptions.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                }.into_any()
            } else {
                view! { <p class="account-card__look">"Nothing needs a look."</p> }.into_any()
            }}
        </li>
    }
}

// --- the review queue ---------------------------------------------------------------------

#[component]
pub fn Reviews() -> impl IntoView {
    page_title("Review queue");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let queue = RwSignal::new(None::<Result<Vec<SpendView>, String>>);
    let answers = RwSignal::new(Vec::<tally_api::QueryAnswer>::new());
    let unreadable = RwSignal::new(Vec::new());
    let load = move || {
        workspace.fetch("/reviews".to_owned(), queue, move |found: ReviewQueue| {
            answers.set(found.answers);
            unreadable.set(found.unreadable);
            found.items
        });
    };
    load();
    view! {
        {notice.view()}
        <h1>"Review queue"</h1>
        <UnreadableNotice accounts=unreadable.into()/>
        <Show when=move || answers.with(|a| !a.is_empty())>
            <section aria-labelledby="answers-heading">
                <h2 id="answers-heading">"Answers to statement questions"</h2>
                <p>"The person has answered a question about a payment on their statement. Read the answer on the statement, then accept it or ask again."</p>
                <ul class="link-list">
                    {move || answers.get().into_iter().map(|a| {
                        let href = format!("/council/accounts/{}/statements/{}", a.reference, a.statement_id);
                        let what = format!("{} ({}): line {}, {} {} on {}", a.person_name, a.reference, a.line_no, a.amount, a.description, long_date(a.date));
                        view! { <li><A href=href>{what}</A><p class="hint">{a.answer}</p></li> }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <p>"Flagged spending with no final decision, oldest first. A question stays here until you approve the spending or mark it not allowed."</p>
        {move || match queue.get() {
            None => view! { <p role="status">"Loading the review queue…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(items)) if items.is_empty() => view! { <p role="status">"Nothing is waiting for a decision."</p> }.into_any(),
            Some(Ok(items)) => view! {
                <p role="status">{match items.len() { 1 => "1 spend to review".to_owned(), n => format!("{n} spends to review") }}</p>
            }.into_any(),
        }}
        // Keyed by what a review shows: a refresh after one decision leaves the other
        // spends' forms, and anything typed in them, as they are.
        <For
            each=move || queue.with(|q| q.as_ref().and_then(|r| r.as_ref().ok()).cloned().unwrap_or_default())
            key=|spend| (spend.entry_id, spend.decision, spend.thread.len(), spend.flags.len(), spend.amount, spend.receipts.len())
            children=move |spend| view! { <SpendReview spend show_person=true on_decided=Callback::new(move |()| load())/> }
        />
    }
}

/// A spend with its flags, the thread with the person, and (for roles that may) the
/// decision form.
#[component]
fn SpendReview(spend: SpendView, show_person: bool, on_decided: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let id = spend.entry_id.0.simple().to_string();
    let heading_id = format!("spend-{id}");
    let labelled_by = heading_id.clone();
    let title = if show_person {
        format!("{} to {} — {} ({})", spend.amount, spend.payee, spend.person_name, spend.reference)
    } else {
        format!("{} to {}", spend.amount, spend.payee)
    };
    let state = match spend.decision {
        None => "Not reviewed yet".to_owned(),
        Some(Decision::Approved) => "Approved".to_owned(),
        Some(Decision::Question) => "Question asked; waiting for the person's answer".to_owned(),
        Some(Decision::NotAllowed) => "Marked not allowed".to_owned(),
    };
    let receipts = match spend.receipts.len() {
        0 => "No receipt photo".to_owned(),
        1 => "1 receipt photo".to_owned(),
        n => format!("{n} receipt photos"),
    };
    let photos: Vec<(String, String)> = spend
        .receipts
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                format!("/api/v1/council/accounts/{}/receipts/{}", spend.reference, r.0),
                format!("Receipt photo {} (opens full size)", i + 1),
            )
        })
        .collect();
    view! {
        <section class="spend-review" aria-labelledby=labelled_by>
            <h2 id=heading_id>{title}</h2>
            <p class="hint">{format!("{} · {} · logged by {} · {receipts}", long_date(spend.date), spend.plan_line, spend.logged_by)}</p>
            <p><strong>"Review: "</strong>{state}</p>
            {(!photos.is_empty()).then(|| view! {
                <ul class="thumbnails">
                    {photos.into_iter().map(|(src, alt)| {
                        let href = src.clone();
                        view! { <li><a href=href target="_blank" rel="noopener"><img src=src alt=alt loading="lazy"/></a></li> }
                    }).collect_view()}
                </ul>
            })}
            {(!spend.flags.is_empty()).then(|| view! {
                <ul class="flag-list">
                    {spend.flags.iter().map(|flag| {
                        let severity = if flag.severity == tally_ledger::Severity::NotAllowed { "Not allowed" } else { "Please explain" };
                        view! { <li><strong>{format!("{severity}: {}. ", flag.title)}</strong>{flag.reason.clone()}</li> }
                    }).collect_view()}
                </ul>
            })}
            {(!spend.thread.is_empty()).then(|| view! {
                <h3>"What has been said"</h3>
                <ol class="thread">
                    {spend.thread.iter().map(|item| {
                        let said = match item.decision {
                            Some(Decision::Approved) => "approved",
                            Some(Decision::Question) => "asked",
                            Some(Decision::NotAllowed) => "marked it not allowed",
                            None => "explained",
                        };
                        view! { <li><strong>{format!("{} {said}: ", item.author)}</strong>{item.text.clone()}</li> }
                    }).collect_view()}
                </ol>
            })}
            <Show when=move || workspace.can_change()>
                <DecisionForm reference=spend.reference.clone() about=spend.entry_id id=id.clone() on_decided/>
            </Show>
        </section>
    }
}

#[component]
fn DecisionForm(
    reference: String,
    about: tally_ledger::EntryId,
    id: String,
    on_decided: Callback<()>,
) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let choice = RwSignal::new(None::<Decision>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let group = format!("decision-{id}");
    let note_id = format!("note-{id}");
    let error_id = format!("decision-error-{id}");
    let submit = {
        let reference = reference.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(decision) = choice.get_untracked() else {
                error.set(Some("Choose approve, ask a question or not allowed".to_owned()));
                return;
            };
            if decision == Decision::Question && note.get_untracked().trim().is_empty() {
                error.set(Some("Write the question for the person".to_owned()));
                return;
            }
            error.set(None);
            let (reference, csrf) = (reference.clone(), workspace.csrf());
            let request = DecisionRequest { about, decision, note: note.get_untracked() };
            spawn_local(async move {
                match api::post::<SpendView, _>(&format!("/accounts/{reference}/decisions"), &csrf, &request).await {
                    Ok(_) => {
                        notice.say(match decision {
                            Decision::Approved => {
                                "Approved. The person will see it when their phone next syncs.".to_owned()
                            }
                            Decision::Question => {
                                "Question sent. The person will see it when their phone next syncs.".to_owned()
                            }
                            Decision::NotAllowed => {
                                "Marked not allowed. The person will see it when their phone next syncs.".to_owned()
                            }
                        });
                        on_decided.run(());
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        error.set(Some(problem.message()));
                    }
                }
            });
        }
    };
    let options = [
        (Decision::Approved, "Approve"),
        (Decision::Question, "Ask the person a question"),
        (Decision::NotAllowed, "Not allowed"),
    ];
    view! {
        <form class="decision" on:submit=submit novalidate>
            <fieldset class="field" class:field--error=move || error.with(Option::is_some)
                aria-describedby=move || error.with(Option::is_some).then(|| error_id.clone())>
                <legend>"Decision"</legend>
                {move || error.get().map(|message| view! {
                    <p class="field-error" id=format!("decision-error-{}", id.clone()) role="alert"><span class="visually-hidden">"Error: "</span>{message}</p>
                })}
                {options.into_iter().map(|(decision, label)| {
                    let input_id = format!("{group}-{decision:?}");
                    view! {
                        <div class="radio">
                            <input type="radio" id=input_id.clone() name=group.clone()
                                prop:checked=move || choice.get() == Some(decision)
                                on:change=move |_| choice.set(Some(decision))/>
                            <label for=input_id>{label}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for=note_id.clone()>"Note to the person (needed for a question)"</label>
                <textarea id=note_id rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </div>
            <button type="submit" class="button">"Record decision"</button>
        </form>
    }
}

// --- one account --------------------------------------------------------------------------

#[component]
pub fn Account() -> impl IntoView {
    let workspace = use_workspace();
    let params = use_params_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let detail = RwSignal::new(None::<Result<AccountDetail, String>>);
    let notice = Notice::provide();
    let load = move || {
        let reference = reference();
        workspace.fetch(
            format!("/accounts/{}", js_sys::encode_uri_component(&reference)),
            detail,
            |found: AccountDetail| {
                page_title(&format!("{} ({})", found.summary.person_name, found.summary.reference));
                found
            },
        );
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
fn AccountView(account: Signal<AccountDetail>, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let first = account.get_untracked();
    let reference = first.summary.reference.clone();
    let summary = Memo::new(move |_| account.with(|a| a.summary.clone()));
    let spends = Memo::new(move |_| account.with(|a| a.spends.clone()));
    let plan = Memo::new(move |_| account.with(|a| a.plan.clone()));
    let schedules = Memo::new(move |_| account.with(|a| a.schedules.clone()));
    let devices = Memo::new(move |_| account.with(|a| a.devices.clone()));
    let surplus = Signal::derive(move || summary.with(|s| s.surplus));
    let (
        money_reference,
        surplus_reference,
        export_reference,
        statements_reference,
        plan_reference,
        schedule_reference,
        device_reference,
    ) = (
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
            <Show when=move || workspace.can_change() fallback=|| view! { <p>"Your role can read the account but not record money."</p> }>
                {let schedule_reference = schedule_reference.clone(); move || view! { <Schedules reference=schedule_reference.clone() schedules=schedules.get() on_change/> }}
                <MoneyInForm reference=money_reference.clone() on_change/>
                <RecoverSurplus reference=surplus_reference.clone() surplus on_change/>
            </Show>
        </section>
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
            <Show when=move || workspace.can_change()>
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
fn PairingCode(reference: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let issue = move |_| {
        let (reference, csrf) = (reference.clone(), workspace.csrf());
        spawn_local(async move {
            match api::post::<PairingCodeIssued, _>(&format!("/accounts/{reference}/pairing-codes"), &csrf, &()).await {
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
fn RevokeDevice(device_id: tally_ledger::DeviceId, label: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let name_done = label.clone();
    let revoke = move |_| {
        let (csrf, name_done) = (workspace.csrf(), name_done.clone());
        spawn_local(async move {
            match api::post_empty(&format!("/devices/{device_id}/revoke"), &csrf).await {
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

/// Places a refused form's problems beside its fields: `ids` maps the API's field names
/// to the page's element ids; a problem with a field not listed, or a refusal with no
/// fields, goes on `fallback`.
fn field_errors(
    problem: &api::Problem,
    ids: &[(&str, &'static str)],
    fallback: &'static str,
) -> Vec<(&'static str, String)> {
    let fields = problem.fields();
    if fields.is_empty() {
        return vec![(fallback, problem.message())];
    }
    fields
        .iter()
        .map(|f| (ids.iter().find(|(name, _)| *name == f.field).map_or(fallback, |(_, id)| *id), f.message.clone()))
        .collect()
}

fn today_iso() -> String {
    tally_ledger::date::iso_date(crate::browser::today())
}

#[component]
fn MoneyInForm(reference: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let from_council = RwSignal::new(true);
    let date = RwSignal::new(today_iso());
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (reference, csrf) = (reference.clone(), workspace.csrf());
        let request = tally_api::MoneyInRequest {
            kind: Some(if from_council.get_untracked() {
                tally_api::MoneyInKind::PaymentIn
            } else {
                tally_api::MoneyInKind::Contribution
            }),
            date: date.get_untracked(),
            amount: amount.get_untracked(),
            reference: note.get_untracked(),
        };
        spawn_local(async move {
            match api::post_empty_body(&format!("/accounts/{reference}/money-in"), &csrf, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    notice.say(format!(
                        "Recorded £{} paid in. The person's phone shows it when it next syncs.",
                        request.amount.trim().trim_start_matches('£')
                    ));
                    amount.set(String::new());
                    note.set(String::new());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[("amount", "money-amount"), ("date", "money-date"), ("kind", "money-kind")],
                        "money-amount",
                    ));
                }
            }
        });
    };
    view! {
        <h3>"Record money paid in"</h3>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <fieldset class="field" id="money-kind">
                <legend>"Paid in by"</legend>
                <div class="radio">
                    <input type="radio" id="money-kind-council" name="money-kind" prop:checked=move || from_council.get() on:change=move |_| from_council.set(true)/>
                    <label for="money-kind-council">"The council (direct payment)"</label>
                </div>
                <div class="radio">
                    <input type="radio" id="money-kind-person" name="money-kind" prop:checked=move || !from_council.get() on:change=move |_| from_council.set(false)/>
                    <label for="money-kind-person">"The person (their contribution)"</label>
                </div>
            </fieldset>
            <TextField id="money-date" label="Date paid in" hint="For example 2026-11-22" value=date error=error_of("money-date") input_type="date"/>
            <TextField id="money-amount" label="Amount paid in" value=amount error=error_of("money-amount") inputmode="decimal" prefix="£"/>
            <TextField id="money-reference" label="Reference of this payment (optional)" value=note error=Signal::derive(|| None::<String>)/>
            <button type="submit" class="button">"Record money in"</button>
        </form>
    }
}

#[component]
fn RecoverSurplus(reference: String, surplus: Signal<tally_ledger::Money>, on_change: Callback<()>) -> impl IntoView {
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
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (reference, csrf) = (reference.clone(), workspace.csrf());
        let request = tally_api::ClawbackRequest {
            date: date.get_untracked(),
            amount: amount.get_untracked(),
            reason: reason.get_untracked(),
        };
        spawn_local(async move {
            match api::post_empty_body(&format!("/accounts/{reference}/clawbacks"), &csrf, &request).await {
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
            <button type="submit" class="button">"Record recovery"</button>
        </form>
    }
}

#[component]
fn Exports(reference: String) -> impl IntoView {
    let to = RwSignal::new(today_iso());
    let from = RwSignal::new(tally_ledger::date::iso_date(crate::browser::today() - time::Duration::days(27)));
    let period = move || format!("?from={}&to={}", from.get(), to.get());
    let sheet = {
        let reference = reference.clone();
        Signal::derive(move || format!("/accounts/{reference}/audit-sheet.csv{}", period()))
    };
    let printable = move || format!("/council/accounts/{reference}/audit-sheet{}", period());
    let all = Signal::derive(move || format!("/transactions.csv{}", period()));
    view! {
        <section aria-labelledby="exports-heading">
            <h2 id="exports-heading">"Audit sheet and exports"</h2>
            <TextField id="export-from" label="From" value=from error=Signal::derive(|| None::<String>) input_type="date"/>
            <TextField id="export-to" label="To" value=to error=Signal::derive(|| None::<String>) input_type="date"/>
            <p><A href=printable>"Open the audit sheet for this account to read or print"</A></p>
            <Download path=sheet label="Download the audit sheet for this account (CSV)" what="the audit sheet"/>
            <Download path=all label="Download every account's transactions for the finance system (CSV)" what="every account's transactions"/>
        </section>
    }
}

/// A link to a CSV the council makes. The file is fetched here so the officer sees that it
/// is being prepared (every account's transactions can take a while), then saved under the
/// name the council gives it; a problem is said in words, next to the link.
#[component]
fn Download(path: Signal<String>, label: &'static str, what: &'static str) -> impl IntoView {
    let workspace = use_workspace();
    // `None`: nothing asked; `Some(None)`: being prepared; `Some(Some(text))`: done or failed.
    let progress = RwSignal::new(None::<Option<String>>);
    let href = move || format!("/api/v1/council{}", path.get());
    let start = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if matches!(progress.get_untracked(), Some(None)) {
            return; // Already being prepared.
        }
        progress.set(Some(None));
        let path = path.get_untracked();
        spawn_local(async move {
            let said = match api::get_file(&path).await {
                Ok((name, bytes)) => match crate::browser::save_bytes(&name, "text/csv;charset=utf-8", &bytes) {
                    Ok(()) => format!("Downloaded {name} ({}).", size(bytes.len())),
                    Err(_) => "This browser would not save the file. Try another browser.".to_owned(),
                },
                Err(problem) => {
                    workspace.note(&problem);
                    problem.message()
                }
            };
            progress.set(Some(Some(said)));
        });
    };
    view! {
        <p class="download">
            <a href=href download="" on:click=start aria-busy=move || matches!(progress.get(), Some(None)).then_some("true")>{label}</a>
            <span role="status" class="download__status">
                {move || match progress.get() {
                    None => None,
                    Some(None) => Some(view! {
                        <progress aria-label=format!("Preparing {what}")></progress>
                        " "{format!("Preparing {what}…")}
                    }.into_any()),
                    Some(Some(said)) => Some(view! { {said} }.into_any()),
                }}
            </span>
        </p>
    }
}

/// "12 KB", "1.4 MB".
fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The audit sheet of one account and period as a page to read or print: the header block
/// and every line, as in the CSV.
#[component]
pub fn AuditSheet() -> impl IntoView {
    page_title("Audit sheet");
    let workspace = use_workspace();
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let sheet = RwSignal::new(None::<Result<tally_api::AuditSheetView, String>>);
    Effect::new(move |_| {
        let (from, to) = query.with(|q| (q.get("from").unwrap_or_default(), q.get("to").unwrap_or_default()));
        workspace.fetch(
            format!("/accounts/{}/audit-sheet?from={from}&to={to}", reference()),
            sheet,
            |found: tally_api::AuditSheetView| found,
        );
    });
    view! {
        <p class="no-print"><A href=move || format!("/council/accounts/{}", reference())>{move || format!("Back to account {}", reference())}</A></p>
        {move || match sheet.get() {
            None => view! { <h1>"Audit sheet"</h1><p role="status">"Preparing the audit sheet…"</p> }.into_any(),
            Some(Err(message)) => view! { <h1>"Audit sheet"</h1><p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(found)) => {
                let title = format!("Audit sheet: {} ({}), {} to {}", found.person_name, found.reference, long_date(found.from), long_date(found.to));
                let count = found.lines.len();
                view! {
                    <h1>{title.clone()}</h1>
                    <p class="no-print"><button type="button" class="button button--secondary" on:click=move |_| { let _ = window().print(); }>"Print the audit sheet"</button></p>
                    <dl class="summary-list">
                        {found.header.into_iter().map(|(name, value)| view! {
                            <div class="summary-list__row"><dt>{name}</dt><dd>{value}</dd></div>
                        }).collect_view()}
                    </dl>
                    <div class="table-wrap" role="region" aria-labelledby="sheet-caption" tabindex="0">
                        <table class="table">
                            <caption id="sheet-caption">{format!("Transactions ({count}), amounts in pounds")}</caption>
                            <thead><tr>{found.columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {found.lines.into_iter().map(|line| view! {
                                    <tr>{line.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }
        }}
    }
}

// --- safeguarding -------------------------------------------------------------------------

#[component]
pub fn Safeguarding() -> impl IntoView {
    page_title("Safeguarding");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let list = RwSignal::new(None::<Result<Vec<tally_api::SafeguardingItem>, String>>);
    let unreadable = RwSignal::new(Vec::new());
    let load = move || {
        workspace.fetch("/safeguarding".to_owned(), list, move |found: tally_api::SafeguardingList| {
            unreadable.set(found.unreadable);
            found.items
        });
    };
    load();
    view! {
        {notice.view()}
        <h1>"Safeguarding"</h1>
        <p>"Patterns in spending that a named officer may want to look at, with the figures behind them. They are not accusations and are never shown to the person. Signals nobody has looked at come first."</p>
        <UnreadableNotice accounts=unreadable.into()/>
        {move || match list.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(items)) if items.is_empty() => view! { <p role="status">"No signals at the moment."</p> }.into_any(),
            Some(Ok(items)) => items.into_iter().map(|item| view! { <SignalCard item on_change=Callback::new(move |()| load())/> }).collect_view().into_any(),
        }}
    }
}

#[component]
fn SignalCard(item: tally_api::SafeguardingItem, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let id = format!("signal-{}-{}", item.reference, item.key.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    let heading = format!("{}: {} ({})", item.title, item.person_name, item.reference);
    let (heading_id, labelled_by) = (format!("{id}-heading"), format!("{id}-heading"));
    let outcome = RwSignal::new(None::<tally_api::SafeguardingOutcome>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = {
        let (reference, key) = (item.reference.clone(), item.key.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(chosen) = outcome.get_untracked() else {
                error.set(Some("Choose what you found".to_owned()));
                return;
            };
            error.set(None);
            let request = tally_api::SafeguardingNoteRequest {
                key: key.clone(),
                outcome: Some(chosen),
                note: note.get_untracked(),
            };
            let (reference, csrf) = (reference.clone(), workspace.csrf());
            spawn_local(async move {
                match api::post_empty_body(&format!("/accounts/{reference}/safeguarding"), &csrf, &request).await {
                    Ok(()) => {
                        notice.say("Recorded. It is kept with the signal, and never shown to the person.".to_owned());
                        on_change.run(());
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        error.set(Some(problem.message()));
                    }
                }
            });
        }
    };
    let radio = {
        let id = id.clone();
        move |value: tally_api::SafeguardingOutcome, label: &'static str| {
            let input_id = format!("{id}-{}", value.as_str());
            let name = format!("{id}-outcome");
            view! {
                <div class="radio">
                    <input type="radio" id=input_id.clone() name=name prop:checked=move || outcome.get() == Some(value) on:change=move |_| outcome.set(Some(value))/>
                    <label for=input_id>{label}</label>
                </div>
            }
        }
    };
    let note_id = format!("{id}-note");
    view! {
        <section class="spend-review" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <p>{item.figures.clone()}</p>
            {if item.notes.is_empty() {
                view! { <p><strong>"Not looked at yet."</strong></p> }.into_any()
            } else {
                view! {
                    <ol class="thread">
                        {item.notes.iter().map(|n| {
                            let outcome = n.outcome.label();
                            view! { <li><strong>{format!("{} · {} {outcome}", when(n.at_ms), n.who)}</strong>{(!n.note.is_empty()).then(|| format!(": {}", n.note))}</li> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <Show when=move || workspace.can_change()>
                <form on:submit=submit.clone() novalidate>
                    <fieldset class="field" class:field--error=move || error.with(Option::is_some)>
                        <legend>"What did you find?"</legend>
                        {move || error.get().map(|message| view! { <p class="field-error" role="alert"><span class="visually-hidden">"Error: "</span>{message}</p> })}
                        {radio(tally_api::SafeguardingOutcome::NoConcern, "Looked at, no concern")}
                        {radio(tally_api::SafeguardingOutcome::Raised, "Raised with the safeguarding team")}
                    </fieldset>
                    <div class="field">
                        <label for=note_id.clone()>"Note (optional)"</label>
                        <textarea id=note_id.clone() rows="2" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" class="button">"Record"</button>
                </form>
            </Show>
        </section>
    }
}

// --- statements ---------------------------------------------------------------------------

#[component]
fn Statements(reference: String) -> impl IntoView {
    let workspace = use_workspace();
    let navigate = leptos_router::hooks::use_navigate();
    let formats = RwSignal::new(Vec::<String>::new());
    let format = RwSignal::new(String::new());
    let list = RwSignal::new(Vec::<tally_api::StatementSummary>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    {
        let reference = reference.clone();
        spawn_local(async move {
            if let Ok(found) = api::get::<tally_api::StatementFormats>("/statement-formats").await {
                format.set(found.names.first().cloned().unwrap_or_default());
                formats.set(found.names);
            }
            if let Ok(found) = api::get::<tally_api::StatementList>(&format!("/accounts/{reference}/statements")).await
            {
                list.set(found.statements);
            }
        });
    }
    let import = {
        let reference = reference.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(file) = file_input.get().and_then(|input| input.files()).and_then(|files| files.get(0)) else {
                error.set(Some("Choose the statement file (CSV) to import".to_owned()));
                return;
            };
            error.set(None);
            busy.set(true);
            let (reference, csrf, chosen, navigate) =
                (reference.clone(), workspace.csrf(), format.get_untracked(), navigate.clone());
            spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
                let Some(csv) = text else {
                    error.set(Some(
                        "That file could not be read. Choose the CSV file the bank or card provider gave you."
                            .to_owned(),
                    ));
                    busy.set(false);
                    return;
                };
                let request = tally_api::StatementImport { format: chosen, csv };
                match api::post::<tally_api::StatementView, _>(
                    &format!("/accounts/{reference}/statements"),
                    &csrf,
                    &request,
                )
                .await
                {
                    Ok(view) => {
                        workspace.flash.set(Some(format!(
                            "Imported {} lines; {} matched to logged records.",
                            view.lines.len(),
                            view.lines.iter().filter(|l| l.entry.is_some()).count()
                        )));
                        navigate(
                            &format!("/council/accounts/{reference}/statements/{}", view.statement_id),
                            Default::default(),
                        );
                    }
                    Err(problem) => {
                        workspace.note(&problem);
                        error.set(Some(problem.message()));
                    }
                }
                busy.set(false);
            });
        }
    };
    view! {
        <section aria-labelledby="statements-heading">
            <h2 id="statements-heading">"Statements"</h2>
            {move || {
                let found = list.get();
                if found.is_empty() {
                    view! { <p>"No statements imported yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="link-list">
                            {found.into_iter().map(|s| {
                                let href = format!("/council/accounts/{}/statements/{}", reference.clone(), s.statement_id);
                                let label = format!("{} to {} · {}{}", long_date(s.first_date), long_date(s.last_date), s.format, if s.closed { " · closed" } else { "" });
                                view! { <li><A href=href>{label}</A></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <Show when=move || workspace.can_change()>
                <form on:submit=import.clone() novalidate>
                    <div class="field">
                        <label for="statement-format">"Format"</label>
                        <select id="statement-format" on:change=move |ev| format.set(event_target_value(&ev))>
                            {move || formats.get().into_iter().map(|name| {
                                let selected = format.with(|f| *f == name);
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field" class:field--error=move || error.with(Option::is_some)>
                        <label for="statement-file">"Statement file (CSV)"</label>
                        {move || error.get().map(|message| view! {
                            <div class="field-error" id="statement-file-error" role="alert">
                                <span class="visually-hidden">"Error: "</span>
                                {message.lines().map(|line| view! { <p>{line.to_owned()}</p> }).collect_view()}
                            </div>
                        })}
                        <input type="file" id="statement-file" accept=".csv,text/csv" node_ref=file_input
                            aria-describedby=move || error.with(Option::is_some).then_some("statement-file-error")/>
                    </div>
                    <button type="submit" class="button" prop:disabled=move || busy.get()>"Import and match"</button>
                    <p role="status">{move || busy.get().then_some("Importing and matching…")}</p>
                </form>
                <FormatEditor formats/>
            </Show>
        </section>
    }
}

#[component]
pub fn Statement() -> impl IntoView {
    page_title("Statement");
    let workspace = use_workspace();
    let params = use_params_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let statement = move || params.with(|p| p.get("statement").unwrap_or_default());
    let view_signal = RwSignal::new(None::<Result<tally_api::StatementView, String>>);
    let notice = use_context::<Notice>().unwrap_or_else(Notice::provide);
    Effect::new(move |_| {
        let (reference, statement) = (reference(), statement());
        workspace.fetch(
            format!("/accounts/{reference}/statements/{statement}"),
            view_signal,
            |found: tally_api::StatementView| found,
        );
    });
    // Every change on this page answers with the statement as it now is.
    let act = move |path: String, body: serde_json::Value, done: String| {
        let csrf = workspace.csrf();
        spawn_local(async move {
            match api::post::<tally_api::StatementView, _>(&path, &csrf, &body).await {
                Ok(found) => {
                    notice.say(done);
                    view_signal.set(Some(Ok(found)));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    view! {
        {notice.view()}
        <p><A href=move || format!("/council/accounts/{}", reference())>{move || format!("Back to account {}", reference())}</A></p>
        {move || match view_signal.get() {
            None => view! { <h1>"Statement"</h1><p role="status">"Loading the statement…"</p> }.into_any(),
            Some(Err(message)) => view! { <h1>"Statement"</h1><p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(found)) => {
                let base = format!("/accounts/{}/statements/{}", reference(), found.statement_id);
                let closed = found.closed_by.is_some();
                let can_change = workspace.can_change() && !closed;
                let r = found.reconciliation.clone();
                let unmatched = found.unmatched_entries.clone();
                let not_asked = found.lines.iter().filter(|l| l.entry.is_none() && l.query.is_none()).count();
                let queries_path = format!("{base}/queries");
                let late = found.late_records.clone();
                let unseen = late.iter().filter(|l| !l.seen).count();
                let seen_path = format!("{base}/late-records-seen");
                let can_mark = workspace.can_change();
                view! {
                    <h1>{format!("Statement {} to {}", long_date(found.first_date), long_date(found.last_date))}</h1>
                    <p class="hint">{format!("{} · imported by {} on {}", found.format, found.imported_by, when(found.imported_ms))}</p>
                    <section aria-labelledby="reconcile-heading">
                        <h2 id="reconcile-heading">"Reconciliation"</h2>
                        <dl class="figures">
                            <div><dt>"Opening"</dt><dd>{r.opening.to_string()}</dd></div>
                            <div><dt>"Money in"</dt><dd>{r.money_in.to_string()}</dd></div>
                            <div><dt>"Money out"</dt><dd>{r.money_out.to_string()}</dd></div>
                            <div><dt>"Closing (logged)"</dt><dd>{r.closing.to_string()}</dd></div>
                            <div><dt>"Closing (statement)"</dt><dd>{r.statement_closing.map(|m| m.to_string()).unwrap_or_else(|| "not given".to_owned())}</dd></div>
                            <div><dt>"Difference"</dt><dd>{r.difference.map(|m| m.to_string()).unwrap_or_else(|| "—".to_owned())}</dd></div>
                        </dl>
                        {match (&found.closed_by, found.closed_ms) {
                            (Some(who), Some(at)) => view! { <p><strong>{format!("Closed by {who} on {}. The period is locked.", when(at))}</strong></p> }.into_any(),
                            _ if r.open_points.is_empty() => view! { <p>"Everything is reconciled: the period can be closed."</p> }.into_any(),
                            _ => view! {
                                <p><strong>"Still open:"</strong></p>
                                <ul class="exceptions">{r.open_points.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                            }.into_any(),
                        }}
                        {(can_change && r.open_points.is_empty()).then(|| {
                            let path = format!("{base}/close");
                            view! { <button type="button" class="button" on:click=move |_| act(path.clone(), serde_json::Value::Null, "The period is closed and locked.".to_owned())>"Close the period"</button> }
                        })}
                    </section>
                    {(!late.is_empty()).then(|| view! {
                        <section aria-labelledby="late-heading">
                            <h2 id="late-heading">"Arrived after the period was closed"</h2>
                            <p>"These records are dated in this period (or change a record that is) but reached the council after it was closed. They are kept on the account; the figures above are the ones the period was closed with."</p>
                            <ul class="exceptions">
                                {late.iter().map(|l| view! {
                                    <li>{format!("{} · arrived {}{}", l.description, when(l.received_ms), if l.seen { " · seen" } else { "" })}</li>
                                }).collect_view()}
                            </ul>
                            {(can_mark && unseen > 0).then(|| view! {
                                <button type="button" class="button button--secondary"
                                    on:click=move |_| act(seen_path.clone(), serde_json::Value::Null, "The late records are marked as seen.".to_owned())>
                                    "Mark these as seen"
                                </button>
                            })}
                        </section>
                    })}
                    {(can_change && not_asked > 0).then(|| view! { <AskAll path=format!("{base}/queries") count=not_asked act=act/> })}
                    <section aria-labelledby="lines-heading">
                        <h2 id="lines-heading">"Statement lines"</h2>
                        <ul class="statement-lines" aria-labelledby="lines-heading">
                            {found.lines.into_iter().map(|line| {
                                let state = match line.state {
                                    tally_api::MatchState::Certain => "Matched (certain)",
                                    tally_api::MatchState::Confirmed => "Matched (confirmed)",
                                    tally_api::MatchState::Proposed => "Proposed match: please check",
                                    tally_api::MatchState::None => "No logged record",
                                };
                                let matched = line.entry.as_ref().map(|e| format!("{} to {} on {}", e.amount, e.who, long_date(e.date)));
                                let title = format!("Line {}: {} {} on {}", line.line_no, line.amount, line.description, long_date(line.date));
                                let line_path = format!("{base}/lines/{}", line.line_no);
                                let candidates: Vec<tally_api::EntryBrief> = unmatched.iter().filter(|e| e.amount == line.amount).cloned().collect();
                                let ask = (can_change && line.entry.is_none() && line.query.is_none()).then(|| {
                                    let path = queries_path.clone();
                                    let no = line.line_no;
                                    view! {
                                        <button type="button" class="button button--secondary"
                                            on:click=move |_| act(path.clone(), serde_json::json!(tally_api::QueryRequest { lines: vec![no], note: String::new() }), format!("Line {no}: the person has been asked. They will see the question when their phone next syncs."))>
                                            {format!("Ask the person about line {no}")}
                                        </button>
                                    }
                                });
                                let query = line.query.clone().map(|q| view! { <LineQueryView query=q line_no=line.line_no path=format!("{line_path}/query-decision") can_change=can_change act=act/> });
                                view! {
                                    <li class="statement-line">
                                        <p><strong>{title}</strong></p>
                                        <p>{state}{matched.map(|m| format!(": {m}"))}</p>
                                        {query}
                                        {ask}
                                        {can_change.then(|| {
                                            let entry = line.entry.as_ref().map(|e| e.entry_id);
                                            let (confirm_path, unmatch_path) = (line_path.clone(), line_path.clone());
                                            view! {
                                                {(line.state == tally_api::MatchState::Proposed).then(|| view! {
                                                    <button type="button" class="button button--secondary" on:click=move |_| act(confirm_path.clone(), serde_json::json!(tally_api::LineMatchRequest { entry_id: entry }), format!("Line {} confirmed.", line.line_no))>
                                                        {format!("Confirm line {}", line.line_no)}
                                                    </button>
                                                })}
                                                {entry.is_some().then(|| view! {
                                                    <button type="button" class="button button--secondary" on:click=move |_| act(unmatch_path.clone(), serde_json::json!(tally_api::LineMatchRequest { entry_id: None }), format!("Line {} unmatched.", line.line_no))>
                                                        {format!("Unmatch line {}", line.line_no)}
                                                    </button>
                                                })}
                                                {candidates.into_iter().map(|c| {
                                                    let path = line_path.clone();
                                                    let label = format!("Match line {} with {} to {} on {}", line.line_no, c.amount, c.who, long_date(c.date));
                                                    view! {
                                                        <button type="button" class="button button--secondary" on:click=move |_| act(path.clone(), serde_json::json!(tally_api::LineMatchRequest { entry_id: Some(c.entry_id) }), format!("Line {} matched.", line.line_no))>
                                                            {label}
                                                        </button>
                                                    }
                                                }).collect_view()}
                                            }
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                    <section aria-labelledby="unmatched-heading">
                        <h2 id="unmatched-heading">"Logged records not on the statement"</h2>
                        {if unmatched.is_empty() {
                            view! { <p>"None."</p> }.into_any()
                        } else {
                            view! { <ul>{unmatched.iter().map(|e| view! { <li>{format!("{} to {} on {}", e.amount, e.who, long_date(e.date))}</li> }).collect_view()}</ul> }.into_any()
                        }}
                    </section>
                }.into_any()
            }
        }}
    }
}

/// Asking the person about every statement line that matches no record, with an optional
/// note they will read with each question.
#[component]
fn AskAll(
    path: String,
    count: usize,
    act: impl Fn(String, serde_json::Value, String) + Copy + 'static,
) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!(tally_api::QueryRequest { lines: Vec::new(), note: note.get_untracked() });
        act(
            path.clone(),
            body,
            "The person has been asked. They will see the questions when their phone next syncs.".to_owned(),
        );
    };
    let label = if count == 1 {
        "Ask the person about the line with no record".to_owned()
    } else {
        format!("Ask the person about all {count} lines with no record")
    };
    view! {
        <section aria-labelledby="ask-heading">
            <h2 id="ask-heading">"Ask the person"</h2>
            <p>"Lines with no logged record become questions in the person's wallet. They can log the spending they forgot (it is then proposed here for you to confirm) or explain it."</p>
            <form on:submit=submit novalidate>
                <div class="field">
                    <label for="query-note">"Note to the person (optional)"</label>
                    <textarea id="query-note" rows="2" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="button">{label}</button>
            </form>
        </section>
    }
}

/// A statement line's question to the person: where it stands, what they said, and the
/// officer's decision on their answer.
#[component]
fn LineQueryView(
    query: tally_api::LineQuery,
    line_no: i64,
    path: String,
    can_change: bool,
    act: impl Fn(String, serde_json::Value, String) + Copy + 'static,
) -> impl IntoView {
    let status = match (query.status, query.decision) {
        (tally_api::QueryState::Open, _) => "Asked the person: waiting for their answer".to_owned(),
        (tally_api::QueryState::Answered, _) => {
            "The person has answered: read it, then accept it or ask again".to_owned()
        }
        (_, Some(Decision::NotAllowed)) => "Question closed: not allowed".to_owned(),
        _ => "Question closed: answer accepted".to_owned(),
    };
    let again = RwSignal::new(String::new());
    let note_id = format!("ask-again-{line_no}");
    let decide = move |decision: Decision, note: String, done: String| {
        act(path.clone(), serde_json::json!(tally_api::QueryDecisionRequest { decision, note }), done);
    };
    let decide_again = decide.clone();
    let decide_accept = decide.clone();
    let decide_not_allowed = decide;
    let error = RwSignal::new(None::<String>);
    let ask_again = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if again.with_untracked(|q| q.trim().is_empty()) {
            error.set(Some("Write the question for the person".to_owned()));
            return;
        }
        error.set(None);
        decide_again(
            Decision::Question,
            again.get_untracked(),
            format!("Line {line_no}: your question has been sent to the person."),
        );
    };
    let error_id = format!("ask-again-{line_no}-error");
    let open = query.status != tally_api::QueryState::Closed;
    let answered = query.status == tally_api::QueryState::Answered;
    view! {
        <div class="line-query">
            <p><strong>{status}</strong>{format!(" (asked by {})", query.asked_by)}</p>
            {(!query.note.is_empty()).then(|| view! { <p class="hint">{format!("Note sent: {}", query.note)}</p> })}
            {(!query.logged.is_empty()).then(|| view! {
                <p>"Logged in answer: "{query.logged.iter().map(|e| format!("{} to {} on {}", e.amount.abs(), e.who, long_date(e.date))).collect::<Vec<_>>().join("; ")}</p>
            })}
            {(!query.thread.is_empty()).then(|| view! {
                <ul class="thread">
                    {query.thread.iter().map(|t| view! { <li><p class="hint">{t.author.clone()}</p><p>{t.text.clone()}</p></li> }).collect_view()}
                </ul>
            })}
            {(can_change && answered).then(|| view! {
                <button type="button" class="button button--secondary"
                    on:click=move |_| decide_accept(Decision::Approved, String::new(), format!("Line {line_no}: answer accepted."))>
                    {format!("Accept the answer about line {line_no}")}
                </button>
            })}
            {(can_change && open).then(|| view! {
                <button type="button" class="button button--secondary"
                    on:click=move |_| decide_not_allowed(Decision::NotAllowed, String::new(), format!("Line {line_no}: marked not allowed."))>
                    {format!("Mark line {line_no} not allowed")}
                </button>
                <form on:submit=ask_again novalidate>
                    <div class="field" class:field--error=move || error.with(Option::is_some)>
                        <label for=note_id.clone()>{format!("Further question about line {line_no}")}</label>
                        {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()><span class="visually-hidden">"Error: "</span>{m}</p> })}
                        <textarea id=note_id rows="2"
                            aria-describedby=move || error.with(Option::is_some).then(|| format!("ask-again-{line_no}-error"))
                            aria-invalid=move || error.with(Option::is_some).then_some("true")
                            prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" class="button button--secondary">{format!("Ask again about line {line_no}")}</button>
                </form>
            })}
        </div>
    }
}

// --- council figures ----------------------------------------------------------------------

#[component]
pub fn Figures() -> impl IntoView {
    page_title("Council figures");
    let workspace = use_workspace();
    let today = crate::browser::today();
    let from = RwSignal::new(tally_ledger::date::iso_date(today - time::Duration::days(364)));
    let to = RwSignal::new(today_iso());
    let figures = RwSignal::new(None::<Result<tally_api::CouncilFigures, String>>);
    let load = move || {
        let query = format!("?from={}&to={}", from.get_untracked(), to.get_untracked());
        workspace.fetch(format!("/figures{query}"), figures, |found: tally_api::CouncilFigures| found);
    };
    load();
    view! {
        <h1>"Council figures"</h1>
        <p>"What direct payments achieved in a period, across every account of the council."</p>
        <form class="search" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); load(); }>
            <TextField id="figures-from" label="From" value=from error=Signal::derive(|| None::<String>) input_type="date"/>
            <TextField id="figures-to" label="To" value=to error=Signal::derive(|| None::<String>) input_type="date"/>
            <button type="submit" class="button button--secondary">"Show"</button>
        </form>
        {move || match figures.get() {
            None => view! { <p role="status">"Working out the figures…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(f)) => {
                let percent = f.within_plan_percent.map(|p| format!("{p}%")).unwrap_or_else(|| "no spending".to_owned());
                let days = |d: Option<i64>| d.map(|d| if d == 1 { "1 day".to_owned() } else { format!("{d} days") }).unwrap_or_else(|| "none closed".to_owned());
                let unreadable = f.unreadable.clone();
                view! {
                    <p role="status">{format!("From {} to {}", long_date(f.from), long_date(f.to))}</p>
                    <UnreadableNotice accounts=Signal::derive(move || unreadable.clone())/>
                    <dl class="figures figures--large">
                        <div><dt>"People on direct payments"</dt><dd>{f.people.to_string()}</dd></div>
                        <div><dt>"Paid in by the council"</dt><dd>{f.paid_in.to_string()}</dd></div>
                        <div><dt>"Contributions"</dt><dd>{f.contributions.to_string()}</dd></div>
                        <div><dt>"Spent"</dt><dd>{f.spent.to_string()}</dd></div>
                        <div><dt>"Spending within the plan"</dt><dd>{format!("{percent} ({})", f.spent_within_plan)}</dd></div>
                        <div><dt>"Flags raised"</dt><dd>{f.flags_raised.to_string()}</dd></div>
                        <div><dt>"Reviews closed"</dt><dd>{f.reviews_closed.to_string()}</dd></div>
                        <div><dt>"Time to close a review"</dt><dd>{format!("median {}, longest {}", days(f.review_days_median), days(f.review_days_longest))}</dd></div>
                        <div><dt>"Surplus held"</dt><dd>{f.surplus_held.to_string()}</dd></div>
                        <div><dt>"Surplus recovered"</dt><dd>{f.recovered.to_string()}</dd></div>
                    </dl>
                    <MonthsChart months=f.months.clone()/>
                }.into_any()
            }
        }}
        <Download path=Signal::derive(move || format!("/figures.csv?from={}&to={}", from.get(), to.get())) label="Download these figures (CSV)" what="the figures"/>
    }
}

/// Money paid in and spent, month by month: bars drawn in SVG (hidden from screen readers)
/// and the same figures in a table.
#[component]
fn MonthsChart(months: Vec<(time::Date, tally_ledger::Money, tally_ledger::Money)>) -> impl IntoView {
    if months.is_empty() {
        return view! { <p>"Nothing was paid in or spent in this period."</p> }.into_any();
    }
    let most =
        months.iter().map(|(_, a, b)| a.pence().unwrap_or(0).max(b.pence().unwrap_or(0))).max().unwrap_or(1).max(1);
    let (bar, gap, height) = (14i64, 10i64, 120i64);
    let width = months.len() as i64 * (2 * bar + gap) + gap;
    let scale = move |m: tally_ledger::Money| m.pence().unwrap_or(0) * height / most;
    let label = |d: time::Date| format!("{} {}", d.month(), d.year());
    view! {
        <section aria-labelledby="months-heading">
            <h2 id="months-heading">"Month by month"</h2>
            <div class="chart">
            <svg viewBox=format!("0 0 {width} {}", height + 4) aria-hidden="true" focusable="false" preserveAspectRatio="none">
                {months.iter().enumerate().map(|(i, (_, paid, spent))| {
                    let x = gap + i as i64 * (2 * bar + gap);
                    let (hp, hs) = (scale(*paid), scale(*spent));
                    view! {
                        <rect class="chart__in" x=x y=height - hp width=bar height=hp/>
                        <rect class="chart__out" x=x + bar y=height - hs width=bar height=hs/>
                    }
                }).collect_view()}
            </svg>
            </div>
            <p class="hint">"Outlined bars: paid in. Solid bars: spent. The figures are in the table below."</p>
            <div class="table-wrap">
                <table class="table">
                    <caption>"Paid in and spent each month"</caption>
                    <thead><tr><th scope="col">"Month"</th><th scope="col">"Paid in"</th><th scope="col">"Spent"</th></tr></thead>
                    <tbody>
                        {months.iter().map(|(month, paid, spent)| view! {
                            <tr><th scope="row">{label(*month)}</th><td>{paid.to_string()}</td><td>{spent.to_string()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }.into_any()
}

// --- policy -------------------------------------------------------------------------------

const PERIODS: [(tally_ledger::Period, &str); 5] = [
    (tally_ledger::Period::Weekly, "Weekly"),
    (tally_ledger::Period::FourWeekly, "Every 4 weeks"),
    (tally_ledger::Period::Monthly, "Monthly"),
    (tally_ledger::Period::Yearly, "Yearly"),
    (tally_ledger::Period::OneOff, "Once"),
];

fn period_key(period: tally_ledger::Period) -> String {
    format!("{period:?}")
}

#[component]
pub fn Policy() -> impl IntoView {
    page_title("Council policy");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let policy = RwSignal::new(None::<Result<tally_ledger::CouncilPolicy, String>>);
    workspace.fetch("/policy".to_owned(), policy, |found: tally_ledger::CouncilPolicy| found);
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
                    <div><dt>"Not allowed"</dt><dd>{if current.banned_categories.is_empty() { "Nothing beyond the law".to_owned() } else { current.banned_categories.iter().map(|b| b.category.label()).collect::<Vec<_>>().join(", ") }}</dd></div>
                </dl>
                <p>"Only an administrator can change the policy."</p>
            }.into_any(),
        }}
    }
}

#[component]
fn PolicyForm(
    current: tally_ledger::CouncilPolicy,
    policy: RwSignal<Option<Result<tally_ledger::CouncilPolicy, String>>>,
) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let contingency = RwSignal::new(current.contingency_weeks.to_string());
    let receipt = RwSignal::new(current.receipt_threshold.to_plain_string());
    let maximum = RwSignal::new(current.per_entry_maximum.to_plain_string());
    let cash = RwSignal::new(current.cash_allowed);
    let respite = RwSignal::new(current.respite_cap_weeks.to_string());
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
        };
        let csrf = workspace.csrf();
        spawn_local(async move {
            match api::post::<tally_ledger::CouncilPolicy, _>("/policy", &csrf, &update).await {
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
            <button type="submit" class="button">"Save the policy"</button>
        </form>
    }
}

// --- the support plan ---------------------------------------------------------------------

/// One line of a plan being edited.
#[derive(Clone, Copy)]
struct LineFields {
    id: StoredValue<String>,
    name: RwSignal<String>,
    category: RwSignal<tally_ledger::Category>,
    budget: RwSignal<String>,
    period: RwSignal<tally_ledger::Period>,
    remove: RwSignal<bool>,
}

impl LineFields {
    fn new(
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
fn PlanSection(reference: String, plan: tally_ledger::SupportPlan, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
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
            spawn_local(async move {
                match api::post::<tally_ledger::SupportPlan, _>(
                    &format!("/accounts/{reference}/plan-versions"),
                    &csrf,
                    &request,
                )
                .await
                {
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
                        <button type="submit" class="button">"Save the new plan version"</button>
                    </form>
                </details>
            </Show>
        </section>
    }
}

#[component]
fn PlanLineFields(prefix: String, line: LineFields) -> impl IntoView {
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

/// Saving the column mapping of another provider's statements.
#[component]
fn FormatEditor(formats: RwSignal<Vec<String>>) -> impl IntoView {
    let workspace = use_workspace();
    let name = RwSignal::new(String::new());
    let columns = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let date_format = RwSignal::new("day_month_year".to_owned());
    let two_columns = RwSignal::new(false);
    let amount = RwSignal::new(String::new());
    let money_in = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let balance = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let none = || Signal::derive(|| None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let optional = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let amounts = if two_columns.get_untracked() {
            serde_json::json!({"kind": "split", "money_out": amount.get_untracked().trim(), "money_in": money_in.get_untracked().trim()})
        } else {
            serde_json::json!({"kind": "signed", "column": amount.get_untracked().trim()})
        };
        let mapping = serde_json::json!({
            "columns": columns.get_untracked().split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect::<Vec<_>>(),
            "date": date.get_untracked().trim(),
            "date_format": date_format.get_untracked(),
            "amount": amounts,
            "description": description.get_untracked().trim(),
            "reference": optional(reference),
            "balance": optional(balance),
        });
        let request = tally_api::StatementFormatRequest { name: name.get_untracked(), mapping };
        let csrf = workspace.csrf();
        spawn_local(async move {
            match api::post_empty_body("/statement-formats", &csrf, &request).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(Some(format!(
                        "The format \"{}\" is saved. Choose it when you import.",
                        request.name.trim()
                    )));
                    formats.update(|all| {
                        if !all.contains(&request.name.trim().to_owned()) {
                            all.push(request.name.trim().to_owned())
                        }
                    });
                }
                Err(problem) => {
                    workspace.note(&problem);
                    saved.set(None);
                    error.set(Some(problem.message()));
                }
            }
        });
    };
    view! {
        <details class="plan-change">
            <summary>"Add a format for another provider"</summary>
            <form on:submit=submit novalidate>
                {move || error.get().map(|message| view! {
                    <div class="error-summary" role="alert">{message.lines().map(|l| view! { <p>{l.to_owned()}</p> }).collect_view()}</div>
                })}
                <TextField id="format-name" label="Name (for example the bank's name)" value=name error=none()/>
                <TextField id="format-columns" label="The file's columns, as its first line names them, separated by commas" value=columns error=none()/>
                <TextField id="format-date" label="Date column" value=date error=none()/>
                <div class="field">
                    <label for="format-date-format">"Dates are written like"</label>
                    <select id="format-date-format" on:change=move |ev| date_format.set(event_target_value(&ev))>
                        <option value="day_month_year">"31/01/2026"</option>
                        <option value="day_month_year_time">"31/01/2026 14:05"</option>
                        <option value="iso">"2026-01-31"</option>
                    </select>
                </div>
                <div class="field field--checkbox">
                    <input type="checkbox" id="format-two-columns" prop:checked=move || two_columns.get() on:change=move |ev| two_columns.set(event_target_checked(&ev))/>
                    <label for="format-two-columns">"Money out and money in are in two columns"</label>
                </div>
                <TextField id="format-amount" label="Amount column (or money out, with two columns)" value=amount error=none()/>
                <Show when=move || two_columns.get()>
                    <TextField id="format-money-in" label="Money in column" value=money_in error=none()/>
                </Show>
                <TextField id="format-description" label="Payee or merchant column" value=description error=none()/>
                <TextField id="format-reference" label="Reference column (optional)" value=reference error=none()/>
                <TextField id="format-balance" label="Balance column (optional)" value=balance error=none()/>
                <button type="submit" class="button button--secondary">"Save the format"</button>
                <p role="status">{move || saved.get()}</p>
            </form>
        </details>
    }
}

// --- staff (administrators) ---------------------------------------------------------------

/// A role as the staff page names it ("Read-only auditor").
fn role_name(role: tally_api::Role) -> String {
    let label = role.label();
    label[..1].to_uppercase() + &label[1..]
}

/// The role options of a select, `role` chosen.
fn role_options(role: RwSignal<tally_api::Role>) -> impl IntoView {
    tally_api::Role::ALL
        .into_iter()
        .map(|value| view! { <option value=value.as_str() selected=move || role.get() == value>{role_name(value)}</option> })
        .collect_view()
}

#[component]
pub fn StaffPage() -> impl IntoView {
    page_title("Staff");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let list = RwSignal::new(None::<Result<Vec<tally_api::StaffMember>, String>>);
    let load = move || {
        workspace.fetch("/staff".to_owned(), list, |found: tally_api::StaffList| found.staff);
    };
    load();
    let me = move || {
        workspace.staff.with(|s| s.as_ref().and_then(|s| s.as_ref()).map(|s| s.email.clone()).unwrap_or_default())
    };
    view! {
        {notice.view()}
        <h1>"Staff"</h1>
        <p>"Who can use the council workspace, and what they may do. Finance officers review, record and reconcile; auditors read everything and change nothing; administrators also manage staff and the policy."</p>
        {move || match list.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any(),
            Some(Ok(members)) => view! {
                <ul class="device-list" aria-label="Staff with access">
                    {members.into_iter().map(|m| {
                        let mine = m.email == me();
                        view! { <StaffRowView member=m mine on_change=Callback::new(move |()| load())/> }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <AddStaff on_change=Callback::new(move |()| load())/>
    }
}

#[component]
fn StaffRowView(member: tally_api::StaffMember, mine: bool, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let role = RwSignal::new(member.role);
    let confirming = RwSignal::new(false);
    let label = role_name(member.role);
    let select_id = format!("role-{}", member.staff_id);
    let (id_role, id_remove) = (member.staff_id.clone(), member.staff_id.clone());
    let name = member.name.clone();
    let change = move |_| {
        let (id, csrf, chosen) = (id_role.clone(), workspace.csrf(), role.get_untracked());
        spawn_local(async move {
            match api::post_empty_body(
                &format!("/staff/{id}/role"),
                &csrf,
                &tally_api::RoleChange { role: Some(chosen) },
            )
            .await
            {
                Ok(()) => {
                    notice.say("The role is changed.".to_owned());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    let remove = move |_| {
        let (id, csrf) = (id_remove.clone(), workspace.csrf());
        spawn_local(async move {
            match api::post_empty(&format!("/staff/{id}/remove"), &csrf).await {
                Ok(()) => {
                    notice.say("Their access is removed and they are signed out.".to_owned());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    view! {
        <li>
            <p><strong>{member.name.clone()}</strong>{format!(" · {} · {label}", member.email)}{mine.then_some(" (you)")}</p>
            {(!mine).then(|| {
                let remove = remove.clone();
                let name = name.clone();
                view! {
                    <div class="field">
                        <label for=select_id.clone()>{format!("Role of {}", member.name)}</label>
                        <select id=select_id.clone() on:change=move |ev| role.set(tally_api::Role::parse(&event_target_value(&ev)).unwrap_or(tally_api::Role::Auditor))>
                            {role_options(role)}
                        </select>
                    </div>
                    <button type="button" class="button button--secondary" on:click=change.clone()>{format!("Change the role of {}", member.name)}</button>
                    {move || if confirming.get() {
                        let remove = remove.clone();
                        view! {
                            <p>{format!("Remove {name}'s access? They are signed out at once.")}</p>
                            <button type="button" class="button button--warning" on:click=remove>{format!("Yes, remove {name}'s access")}</button>
                            <button type="button" class="button button--secondary" on:click=move |_| confirming.set(false)>"Keep their access"</button>
                        }.into_any()
                    } else {
                        view! { <button type="button" class="button button--secondary" on:click=move |_| confirming.set(true)>{format!("Remove {}'s access", name)}</button> }.into_any()
                    }}
                }
            })}
        </li>
    }
}

#[component]
fn AddStaff(on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(tally_api::Role::FinanceOfficer);
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = tally_api::NewStaff {
            name: name.get_untracked(),
            email: email.get_untracked(),
            role: Some(role.get_untracked()),
            password: password.get_untracked(),
        };
        let csrf = workspace.csrf();
        spawn_local(async move {
            match api::post_empty_body("/staff", &csrf, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    notice.say(format!(
                        "{} can now sign in. Give them their first password in person.",
                        request.name.trim()
                    ));
                    name.set(String::new());
                    email.set(String::new());
                    password.set(String::new());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[
                            ("name", "staff-name"),
                            ("email", "staff-email"),
                            ("role", "staff-role"),
                            ("password", "staff-password"),
                        ],
                        "staff-name",
                    ));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="add-staff-heading">
            <h2 id="add-staff-heading">"Give someone access"</h2>
            <ErrorSummary errors=errors/>
            <form on:submit=submit novalidate>
                <TextField id="staff-name" label="Name" value=name error=error_of("staff-name")/>
                <TextField id="staff-email" label="Work email address" value=email error=error_of("staff-email") input_type="email"/>
                <div class="field">
                    <label for="staff-role">"Role"</label>
                    <select id="staff-role" on:change=move |ev| role.set(tally_api::Role::parse(&event_target_value(&ev)).unwrap_or(tally_api::Role::Auditor))>
                        {role_options(role)}
                    </select>
                </div>
                <TextField id="staff-password" label="First password (at least 12 characters)" value=password error=error_of("staff-password") input_type="password" autocomplete="new-password"/>
                <button type="submit" class="button">"Give access"</button>
            </form>
        </section>
    }
}

// --- opening an account -------------------------------------------------------------------

#[component]
fn OpenAccount() -> impl IntoView {
    let workspace = use_workspace();
    let navigate = leptos_router::hooks::use_navigate();
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
        spawn_local(async move {
            match api::post::<AccountSummary, _>("/accounts", &csrf, &request).await {
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
                <button type="submit" class="button">"Open the account"</button>
            </form>
        </details>
    }
}

// --- scheduled payments in ----------------------------------------------------------------

#[component]
fn Schedules(reference: String, schedules: Vec<tally_api::ScheduleView>, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let notice = page_notice();
    let amount = RwSignal::new(String::new());
    let every = RwSignal::new("4".to_owned());
    let first = RwSignal::new(today_iso());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = {
        let reference = reference.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let request = tally_api::ScheduleRequest {
                amount: amount.get_untracked(),
                every_weeks: every.get_untracked(),
                first_date: first.get_untracked(),
                reference: note.get_untracked(),
            };
            let (reference, csrf) = (reference.clone(), workspace.csrf());
            spawn_local(async move {
                match api::post::<Vec<tally_api::ScheduleView>, _>(
                    &format!("/accounts/{reference}/payment-schedules"),
                    &csrf,
                    &request,
                )
                .await
                {
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
            });
        }
    };
    let running = schedules.into_iter().map(|s| {
        let path = format!("/accounts/{}/payment-schedules/{}/stop", reference, s.schedule_id);
        let how = match s.every_weeks { 1 => "every week".to_owned(), n => format!("every {n} weeks") };
        let label = format!("{} {how}, next on {}{}", s.amount, long_date(s.next_date), if s.reference.is_empty() { String::new() } else { format!(" ({})", s.reference) });
        let stop = move |_| {
            let (path, csrf) = (path.clone(), workspace.csrf());
            spawn_local(async move {
                match api::post_empty(&path, &csrf).await {
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
            <button type="submit" class="button button--secondary">"Schedule payments"</button>
        </form>
    }
}
