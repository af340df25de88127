//! One entry: its values, who logged it and when, its flags, the explanation and council
//! decisions, earlier versions; and putting it right — a correction (a new version; the old
//! stays visible) or cancelling it with a reason. Nothing is changed in place.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tally_ledger::date::long_date;
use tally_ledger::{Correction, Decision, EntryBody, EntryId, Flag, Money, Rules, Spend, Void};

use crate::app::{page_title, use_wallet, Wallet};
use crate::browser;
use crate::components::explain::ExplainWords;
use crate::components::field::TextField;
use crate::components::flags::FlagList;
use crate::components::receipts::{Attached, ReceiptGallery, ReceiptPicker};
use crate::store::Delivery;

/// Everything the page shows about a spend, read from the ledger.
#[derive(Clone, Debug, PartialEq)]
struct Details {
    id: EntryId,
    spend: Spend,
    line_name: String,
    logged: String,
    delivery: String,
    voided: Option<String>,
    earlier: Vec<String>,
    thread: Vec<(String, String)>,
    decision: Option<String>,
    /// The council decided finally (approved, or not allowed): the person can no longer
    /// correct or cancel it, only explain.
    decided: bool,
    /// The council did not accept it: not part of the account; it can be logged again.
    refused: bool,
    flags: Vec<Flag>,
}

fn describe(spend: &Spend) -> String {
    format!("{} to {} on {}", spend.amount, spend.payee, long_date(spend.date))
}

fn details(wallet: Wallet, id: EntryId) -> Option<Details> {
    wallet.session.with(|session| {
        let session = session.as_ref()?;
        let plan = &session.account.plan;
        let line_name = |spend: &Spend| {
            spend
                .plan_line
                .as_ref()
                .map(|l| plan.any_line(l).map(|l| l.name.clone()).unwrap_or_else(|| l.0.clone()))
                .unwrap_or_else(|| "Not in the support plan".to_owned())
        };
        wallet.records.with(|records| {
            // A spend the council did not accept is not in the account, but it is shown.
            if let Some((entry, reason, _)) = records.refused().find(|(e, _, _)| e.id == id) {
                let EntryBody::Spend(spend) = &entry.body else { return None };
                return Some(Details {
                    id,
                    logged: format!("{}, {}", entry.author.name, browser::recorded_when(entry)),
                    line_name: line_name(spend),
                    spend: spend.clone(),
                    delivery: format!("Not accepted by the council: {reason}"),
                    voided: None,
                    earlier: Vec::new(),
                    thread: Vec::new(),
                    decision: None,
                    decided: false,
                    refused: true,
                    flags: Vec::new(),
                });
            }
            wallet.ledger.with(|ledger| {
                let history = ledger.history(id)?;
                let EntryBody::Spend(original) = &history.original.body else { return None };
                let view = ledger.view();
                let active = view.active.iter().find(|a| a.id() == id);
                let spend = active.and_then(|a| a.spend()).unwrap_or(original).clone();
                let rules = Rules { plan, policy: &session.account.policy, today: browser::today() };
                let flags = if active.is_some() { rules.check_draft(ledger, Some(id), &spend) } else { Vec::new() };
                let line_name = line_name(&spend);
                let when = browser::recorded_when;
                let mut earlier = vec![format!("{} (first logged)", describe(original))];
                let corrections = history.corrections.iter().filter_map(|c| match &c.body {
                    EntryBody::Correction(Correction { replacement, reason, .. }) => match replacement.as_ref() {
                        EntryBody::Spend(s) => Some((c, s, reason)),
                        _ => None,
                    },
                    _ => None,
                });
                let count = history.corrections.len();
                for (n, (entry, version, reason)) in corrections.enumerate() {
                    if n + 1 < count {
                        earlier.push(format!(
                            "{} (corrected on {}{})",
                            describe(version),
                            when(entry),
                            if reason.is_empty() { String::new() } else { format!(": {reason}") }
                        ));
                    }
                }
                if count == 0 {
                    earlier.clear();
                }
                let thread = history
                    .thread
                    .iter()
                    .filter_map(|e| match &e.body {
                        EntryBody::Explanation(x) => {
                            Some((format!("{} explained, {}", e.author.name, when(e)), x.text.clone()))
                        }
                        EntryBody::ReviewDecision(r) => {
                            let what = match r.decision {
                                Decision::Approved => "The council approved this",
                                Decision::Question => "The council asked",
                                Decision::NotAllowed => "The council decided this was not allowed",
                            };
                            Some((format!("{what}, {}", when(e)), r.note.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                let decision = history.decision().map(|d| match d {
                    Decision::Approved => "Approved by the council".to_owned(),
                    Decision::Question => "The council has asked a question".to_owned(),
                    Decision::NotAllowed => {
                        "Not allowed: the council will contact you about what happens next".to_owned()
                    }
                });
                let voided = history.void.and_then(|v| match &v.body {
                    EntryBody::Void(Void { reason, .. }) => {
                        Some(format!("Cancelled on {} by {}: {reason}", when(v), v.author.name))
                    }
                    _ => None,
                });
                let delivery = match records.delivery(id) {
                    Some(Delivery::Waiting) => "Waiting to be sent to the council".to_owned(),
                    Some(Delivery::Refused { reason, .. }) => format!("Not accepted by the council: {reason}"),
                    _ => "Saved to the council".to_owned(),
                };
                Some(Details {
                    id,
                    logged: format!("{}, {}", history.original.author.name, when(history.original)),
                    spend,
                    line_name,
                    delivery,
                    voided,
                    earlier,
                    thread,
                    decided: history.decision().is_some_and(Decision::is_final),
                    decision,
                    refused: false,
                    flags,
                })
            })
        })
    })
}

#[component]
pub fn EntryDetail() -> impl IntoView {
    let wallet = use_wallet();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse().ok()).map(EntryId));
    let details = Memo::new(move |_| id().and_then(|id| details(wallet, id)));
    Effect::new(move |_| page_title(if details.with(Option::is_some) { "Spending" } else { "Not found" }));

    view! {
        {move || match details.get() {
            None => view! {
                <h1>"We could not find that spending"</h1>
                <p><A href="/history">"See all spending"</A></p>
            }.into_any(),
            Some(d) => view! { <SpendDetails details=d/> }.into_any(),
        }}
    }
}

#[component]
fn SpendDetails(details: Details) -> impl IntoView {
    let id = details.id;
    let spend = details.spend.clone();
    // Corrections and cancelling are for spending that counts and that the council has
    // not decided on finally.
    let active = details.voided.is_none() && !details.refused;
    let changeable = active && !details.decided;
    let flags = details.flags.clone();
    let has_flags = !flags.is_empty();
    let rows = vec![
        ("Amount", spend.amount.to_string()),
        ("Date", long_date(spend.date)),
        ("Who was paid", spend.payee.clone()),
        ("Support plan line", details.line_name.clone()),
        ("How it was paid", spend.method.label().to_owned()),
        ("Note", if spend.note.is_empty() { "None".to_owned() } else { spend.note.clone() }),
        ("Logged by", details.logged.clone()),
        ("Council", details.delivery.clone()),
    ];

    view! {
        <h1>{format!("{} to {}", spend.amount, spend.payee)}</h1>
        {details.voided.clone().map(|v| view! { <div class="notice" role="note"><p><strong>{v}</strong></p></div> })}
        {details.decision.clone().map(|d| view! { <p class="decision"><strong>{d}</strong></p> })}
        {spend.answers.map(|query| view! {
            <p><A href=format!("/questions/{query}")>"Logged in answer to a question from the council"</A></p>
        })}
        <dl class="summary-list">
            {rows.into_iter().map(|(k, v)| view! { <div class="summary-list__row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
        </dl>
        <section aria-labelledby="receipts-heading">
            <h2 id="receipts-heading">"Receipts"</h2>
            {if spend.receipts.is_empty() {
                view! { <p>"No receipt photo yet."</p> }.into_any()
            } else {
                view! { <ReceiptGallery references=spend.receipts.clone()/> }.into_any()
            }}
            {changeable.then(|| view! { <AddReceipts id=id spend=spend.clone()/> })}
        </section>
        {has_flags.then(|| view! {
            <section aria-labelledby="flags-heading">
                <h2 id="flags-heading">"What the council may ask about"</h2>
                <FlagList flags=Signal::derive(move || flags.clone())/>
            </section>
        })}
        {(!details.thread.is_empty()).then(|| view! {
            <section aria-labelledby="thread-heading">
                <h2 id="thread-heading">"Explanations and decisions"</h2>
                <ul class="thread">
                    {details.thread.clone().into_iter().map(|(who, text)| view! {
                        <li><p class="hint">{who}</p><p>{text}</p></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!details.earlier.is_empty()).then(|| view! {
            <section aria-labelledby="earlier-heading">
                <h2 id="earlier-heading">"Earlier versions"</h2>
                <ul>{details.earlier.clone().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            </section>
        })}
        {details.refused.then(|| view! {
            <div class="notice notice--warning" role="note">
                <p>"The council did not accept this spending, so it is not part of your account. Put it right by logging it again with the right details."</p>
                <p><A href=format!("/log?again={id}")>"Log it again"</A></p>
            </div>
        })}
        {active.then(|| view! { <ExplainForm id=id/> })}
        {(active && details.decided).then(|| view! {
            <p class="hint">"The council has decided on this spending, so it can no longer be corrected or cancelled here. If something about it is wrong, explain it above."</p>
        })}
        {changeable.then(|| view! {
            <CorrectForm id=id spend=spend.clone()/>
            <CancelForm id=id/>
        })}
        <p class="back-link"><A href="/history">"Back to history"</A></p>
    }
}

#[component]
fn ExplainForm(id: EntryId) -> impl IntoView {
    let done = RwSignal::new(false);
    let words = ExplainWords {
        field: "explanation",
        label: "Your explanation",
        hint: "What it was for and why it was needed, or your answer to the council's question",
        missing: "Write your explanation.",
        noun: "explanation",
        button: "Send explanation",
    };
    view! {
        <section aria-labelledby="explain-heading">
            <h2 id="explain-heading">"Explain this spending"</h2>
            <p role="status" class="confirmation">{move || done.get().then_some("Your explanation is saved and will be sent to the council.")}</p>
            <crate::components::explain::ExplainForm about=id words saved=done/>
        </section>
    }
}

#[component]
fn CorrectForm(id: EntryId, spend: Spend) -> impl IntoView {
    let wallet = use_wallet();
    let open = RwSignal::new(false);
    let amount = RwSignal::new(spend.amount.to_plain_string());
    let payee = RwSignal::new(spend.payee.clone());
    let reason = RwSignal::new(String::new());
    let amount_error = RwSignal::new(None::<String>);
    let payee_error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let maximum = wallet
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.account.policy.per_entry_maximum).unwrap_or(Money::ZERO));
        let parsed = Money::parse_amount(&amount.get_untracked(), maximum);
        amount_error.set(parsed.as_ref().err().map(ToString::to_string));
        let new_payee = payee.get_untracked().trim().to_owned();
        payee_error.set(new_payee.is_empty().then(|| "Enter who was paid.".to_owned()));
        let (Ok(new_amount), false) = (parsed, new_payee.is_empty()) else { return };
        let replacement = Spend { amount: new_amount, payee: new_payee, ..spend.clone() };
        let body = EntryBody::Correction(Correction {
            corrects: id,
            replacement: Box::new(EntryBody::Spend(replacement)),
            reason: reason.get_untracked().trim().to_owned(),
        });
        if let Some(entry) = wallet.new_entry(body) {
            wallet.log(vec![entry]);
            open.set(false);
        }
    };
    view! {
        <section aria-labelledby="correct-heading">
            <h2 id="correct-heading">"Correct this spending"</h2>
            <p class="hint">"A correction is a new version. The first version stays on record."</p>
            <Show when=move || open.get() fallback=move || view! {
                <button type="button" class="button button--secondary" on:click=move |_| open.set(true)>"Correct this spending"</button>
            }>
                <form on:submit=submit.clone() novalidate>
                    <TextField id="correct-amount" label="Correct amount" value=amount error=Signal::derive(move || amount_error.get()) inputmode="decimal" prefix="£"/>
                    <TextField id="correct-payee" label="Correct name of who was paid" value=payee error=Signal::derive(move || payee_error.get())/>
                    <TextField id="correct-reason" label="What was wrong (optional)" value=reason error=Signal::derive(|| None::<String>)/>
                    <button type="submit" class="button">"Save correction"</button>
                </form>
            </Show>
        </section>
    }
}

/// Adding photos to a saved spend: a correction with the same values and more receipts.
#[component]
fn AddReceipts(id: EntryId, spend: Spend) -> impl IntoView {
    let wallet = use_wallet();
    let attached = RwSignal::new(Vec::<Attached>::new());
    let add = move |_| {
        let new: Vec<_> =
            attached.get_untracked().into_iter().map(|a| a.reference).filter(|r| !spend.receipts.contains(r)).collect();
        if new.is_empty() {
            return;
        }
        let mut replacement = spend.clone();
        replacement.receipts.extend(new);
        let body = EntryBody::Correction(Correction {
            corrects: id,
            replacement: Box::new(EntryBody::Spend(replacement)),
            reason: "Receipt added".to_owned(),
        });
        if let Some(entry) = wallet.new_entry(body) {
            wallet.log(vec![entry]);
        }
    };
    view! {
        <ReceiptPicker receipts=attached/>
        <Show when=move || !attached.with(Vec::is_empty)>
            <button type="button" class="button" on:click=add.clone()>"Add the photos to this spending"</button>
        </Show>
    }
}

#[component]
fn CancelForm(id: EntryId) -> impl IntoView {
    let wallet = use_wallet();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked().trim().to_owned();
        if text.is_empty() {
            error.set(Some("Say why you are cancelling this spending, for example \"logged twice\".".to_owned()));
            return;
        }
        if let Some(entry) = wallet.new_entry(EntryBody::Void(Void { voids: id, reason: text })) {
            wallet.log(vec![entry]);
        }
    };
    view! {
        <section aria-labelledby="cancel-heading">
            <h2 id="cancel-heading">"Cancel this spending"</h2>
            <p class="hint">"For spending logged by mistake. It stays on record, marked as cancelled, and no longer counts."</p>
            <Show when=move || open.get() fallback=move || view! {
                <button type="button" class="button button--secondary" on:click=move |_| open.set(true)>"Cancel this spending"</button>
            }>
                <form on:submit=submit novalidate>
                    <TextField id="cancel-reason" label="Why are you cancelling it?" value=reason error=Signal::derive(move || error.get())/>
                    <button type="submit" class="button button--warning">"Cancel spending"</button>
                </form>
            </Show>
        </section>
    }
}
