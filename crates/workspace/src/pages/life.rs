//! The life of a direct payment on an account's page: when it is next reviewed, reviews
//! done, the person's weekly contribution, and ending it.

use leptos::prelude::*;
use tally_api::LifeView;
use tally_ledger::date::long_date;

use crate::client as api;
use crate::{use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};

use super::*;

#[component]
pub(crate) fn LifeSection(reference: String, life: LifeView, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let ended = life.ended.clone();
    let next = life.next_review.map_or("—".to_owned(), long_date);
    let weekly = if life.weekly_contribution.is_positive() {
        format!("{} a week", life.weekly_contribution)
    } else {
        "None assessed".to_owned()
    };
    let (review_ref, contribution_ref, end_ref) = (reference.clone(), reference.clone(), reference);
    view! {
        <section aria-labelledby="life-heading">
            <h2 id="life-heading">"Reviews, contribution and ending"</h2>
            {ended.clone().map(|ended| view! {
                <div class="notice" role="region" aria-label="Direct payment ended">
                    <p><strong>{format!("This direct payment ended on {}.", long_date(ended.ended_on))}</strong></p>
                    <p>{format!("Why: {}", ended.reason)}</p>
                    <p>"What was left was recorded as the final surplus to return. The account is kept as it was and cannot be changed; the person's devices were told and disconnected."</p>
                </div>
            })}
            <dl class="figures">
                <div><dt>"Next review due"</dt><dd>{next}</dd></div>
                <div><dt>"Person's contribution"</dt><dd>{weekly}</dd></div>
            </dl>
            {(!life.reviews.is_empty()).then(|| view! {
                <h3>"Reviews done"</h3>
                <ol class="audit">
                    {life.reviews.iter().map(|r| view! {
                        <li>{format!("{} · {}", long_date(r.done_on), r.by)}{(!r.note.is_empty()).then(|| format!(": {}", r.note))}</li>
                    }).collect_view()}
                </ol>
            })}
            {(ended.is_none() && workspace.can_change()).then(|| view! {
                <RecordReview reference=review_ref.clone() on_change/>
                <SetContribution reference=contribution_ref.clone() on_change/>
                <EndDirectPayment reference=end_ref.clone() on_change/>
            })}
        </section>
    }
}

#[component]
fn RecordReview(reference: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let date = RwSignal::new(today_iso());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = tally_api::NewReview { done_on: date.get_untracked(), note: note.get_untracked() };
        let (reference, csrf) = (reference.clone(), workspace.csrf());
        once.run(async move {
            match api::record_review(&csrf, &reference, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    notice.say("The review is recorded: the next is due a year after it.".to_owned());
                    note.set(String::new());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[("done_on", "review-date"), ("note", "review-note")],
                        "review-date",
                    ));
                }
            }
        });
    };
    view! {
        <h3>"Record a review"</h3>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextField id="review-date" label="Date of the review" hint="For example 2026-11-22" value=date error=error_of("review-date") input_type="date"/>
            <TextField id="review-note" label="What the review found (optional)" value=note error=error_of("review-note")/>
            <button type="submit" class="button button--secondary" aria-disabled=move || once.busy().then_some("true")>"Record the review"</button>
        </form>
    }
}

#[component]
fn SetContribution(reference: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let weekly = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = tally_api::ContributionChange { weekly: weekly.get_untracked() };
        let (reference, csrf) = (reference.clone(), workspace.csrf());
        once.run(async move {
            match api::set_contribution(&csrf, &reference, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    notice
                        .say("The weekly contribution is saved. A shortfall is listed under Needs a look.".to_owned());
                    weekly.set(String::new());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(&problem, &[("weekly", "contribution-weekly")], "contribution-weekly"));
                }
            }
        });
    };
    view! {
        <h3>"The person's contribution"</h3>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextField id="contribution-weekly" label="Weekly contribution, as assessed" hint="0 when the person pays nothing." value=weekly error=error_of("contribution-weekly") inputmode="decimal" prefix="£"/>
            <button type="submit" class="button button--secondary" aria-disabled=move || once.busy().then_some("true")>"Save the contribution"</button>
        </form>
    }
}

#[component]
fn EndDirectPayment(reference: String, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let date = RwSignal::new(today_iso());
    let reason = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let end = move |_| {
        let request = tally_api::EndDirectPayment { ended_on: date.get_untracked(), reason: reason.get_untracked() };
        let (reference, csrf) = (reference.clone(), workspace.csrf());
        once.run(async move {
            match api::end_direct_payment(&csrf, &reference, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    confirming.set(false);
                    notice.say(
                        "The direct payment has ended. What was left is recorded as the final surplus to return."
                            .to_owned(),
                    );
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    confirming.set(false);
                    errors.set(field_errors(
                        &problem,
                        &[("ended_on", "end-date"), ("reason", "end-reason")],
                        "end-date",
                    ));
                }
            }
        });
    };
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        confirming.set(true);
    };
    view! {
        <h3>"End the direct payment"</h3>
        <p>"Everything left in the account is recorded as the final surplus to return. The person's devices are disconnected and told why, and the account is kept but can no longer be changed."</p>
        <ErrorSummary errors=errors/>
        <form on:submit=ask novalidate>
            <TextField id="end-date" label="Last day of the direct payment" hint="Today or earlier." value=date error=error_of("end-date") input_type="date"/>
            <TextField id="end-reason" label="Why it ends" hint="The person reads this on their phone." value=reason error=error_of("end-reason")/>
            {move || if confirming.get() {
                let end = end.clone();
                view! {
                    <p>"End this direct payment now? This cannot be undone."</p>
                    <button type="button" class="button button--warning" on:click=end aria-disabled=move || once.busy().then_some("true")>"Yes, end the direct payment"</button>
                    <button type="button" class="button button--secondary" on:click=move |_| confirming.set(false)>"Keep it running"</button>
                }.into_any()
            } else {
                view! { <button type="submit" class="button button--secondary">"End the direct payment"</button> }.into_any()
            }}
        </form>
    }
}
