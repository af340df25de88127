//! A question from the council about a payment on the person's bank or card statement that
//! no logged spending accounts for. The person answers by logging the spending (the form
//! comes filled in with what the statement says) or by explaining it in their own words.
//! Every answer is a new record; the thread is kept.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tally_ledger::date::long_date;
use tally_ledger::{Decision, EntryBody, EntryId, QueryStatus, QueryThread};

use crate::app::{page_title, use_wallet};
use crate::browser;
use crate::components::explain::{ExplainForm, ExplainWords};

/// The words of the answer form.
const ANSWER: ExplainWords = ExplainWords {
    field: "answer",
    label: "Your answer",
    hint: "What the payment was for, for example \"a refund from the taxi firm\" or \"my PA's wages\"",
    missing: "Write your answer: what the payment was for.",
    noun: "answer",
    button: "Send answer",
};

/// A statement query as the wallet shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub id: EntryId,
    /// "£8.75 paid to CORNER SHOP on 12 November 2026"
    pub what: String,
    pub note: String,
    pub asked: String,
    pub money_out: bool,
    pub status: QueryStatus,
    /// Who said what, oldest first: explanations, decisions and spending logged in answer.
    pub thread: Vec<(String, String)>,
}

impl Question {
    pub fn from_thread(q: &QueryThread<'_>) -> Question {
        let when = browser::recorded_when;
        let query = q.query;
        let what = if query.is_money_out() {
            format!("{} paid to {} on {}", query.amount.abs(), query.description, long_date(query.date))
        } else {
            format!("{} paid in from {} on {}", query.amount.abs(), query.description, long_date(query.date))
        };
        let said = q
            .said
            .iter()
            .filter_map(|e| match &e.body {
                EntryBody::Explanation(x) => Some((format!("{} answered, {}", e.author.name, when(e)), x.text.clone())),
                EntryBody::ReviewDecision(r) => {
                    let what = match r.decision {
                        Decision::Approved => "The council accepted this",
                        Decision::Question => "The council asked",
                        Decision::NotAllowed => "The council decided this was not allowed",
                    };
                    Some((format!("{what}, {}", when(e)), r.note.clone()))
                }
                // A spend logged in answer, with its corrections applied.
                _ => {
                    let spend = q.logged.iter().find(|a| a.id() == e.id)?.spend()?;
                    let text = format!("{} to {} on {}", spend.amount, spend.payee, long_date(spend.date));
                    Some((format!("{} logged the spending, {}", e.author.name, when(e)), text))
                }
            })
            .collect();
        Question {
            id: q.entry.id,
            what,
            note: query.note.clone(),
            asked: format!("Asked by {}, {}", q.entry.author.name, when(q.entry)),
            money_out: query.is_money_out(),
            status: q.status,
            thread: said,
        }
    }

    /// Where it stands, in words.
    pub fn status_text(&self) -> &'static str {
        match self.status {
            QueryStatus::Open => "Waiting for your answer",
            QueryStatus::Answered => "Answered: waiting for the council to read it",
            QueryStatus::Closed(Decision::NotAllowed) => {
                "Closed: the council decided this was not allowed and will contact you"
            }
            QueryStatus::Closed(_) => "Closed: nothing more is needed",
        }
    }
}

/// Every statement query on the account shown, oldest first (worked out once per change of
/// the records).
pub fn questions() -> Memo<Vec<Question>> {
    let wallet = use_wallet();
    Memo::new(move |_| wallet.ledger.with(|l| l.queries().iter().map(Question::from_thread).collect()))
}

#[component]
pub fn QueryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse().ok()).map(EntryId));
    let all = questions();
    let question = Memo::new(move |_| id().and_then(|id| all.with(|all| all.iter().find(|q| q.id == id).cloned())));
    Effect::new(move |_| {
        page_title(if question.with(Option::is_some) { "A question from the council" } else { "Not found" })
    });
    // Outside the details, which are drawn again when the answer is added.
    let answered = RwSignal::new(false);
    // The form goes once the question is answered: focus moves to the confirmation rather
    // than being lost with it.
    let confirmation = NodeRef::<leptos::html::P>::new();
    Effect::new(move |_| {
        if answered.get() {
            if let Some(p) = confirmation.get() {
                let _ = p.focus();
            }
        }
    });
    view! {
        <p role="status" class="confirmation" tabindex="-1" node_ref=confirmation>
            {move || answered.get().then_some("Your answer is saved and will be sent to the council.")}
        </p>
        {move || match question.get() {
            None => view! {
                <h1>"We could not find that question"</h1>
                <p><A href="/">"Go to the home page"</A></p>
            }.into_any(),
            Some(q) => view! { <QuestionDetails question=q answered=answered/> }.into_any(),
        }}
    }
}

#[component]
fn QuestionDetails(question: Question, answered: RwSignal<bool>) -> impl IntoView {
    let id = question.id;
    let open = question.status == QueryStatus::Open;
    view! {
        <h1>"A question from the council"</h1>
        <p>"Your council found this payment on your bank or card statement, but nothing logged in Tally matches it. "
            <A href="/help#statement-question">"Why the council asks"</A></p>
        <p class="query-what"><strong>{question.what.clone()}</strong></p>
        <dl class="summary-list">
            <div class="summary-list__row"><dt>"Where it stands"</dt><dd>{question.status_text()}</dd></div>
            <div class="summary-list__row"><dt>"Asked"</dt><dd>{question.asked.clone()}</dd></div>
            {(!question.note.is_empty()).then(|| view! {
                <div class="summary-list__row"><dt>"The council says"</dt><dd>{question.note.clone()}</dd></div>
            })}
        </dl>
        {(!question.thread.is_empty()).then(|| view! {
            <section aria-labelledby="answers-heading">
                <h2 id="answers-heading">"Answers and decisions"</h2>
                <ul class="thread">
                    {question.thread.clone().into_iter().map(|(who, text)| view! {
                        <li><p class="hint">{who}</p><p>{text}</p></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {open.then(|| view! {
            <section aria-labelledby="answer-heading">
                <h2 id="answer-heading">"Answer the council"</h2>
                {question.money_out.then(|| view! {
                    <p>"If this was spending you forgot to log, log it now. The form is filled in with what the statement says; check it and add the plan line and a receipt if you have one."</p>
                    <p><A href=format!("/log?answers={id}") attr:class="button">"Log this spending"</A></p>
                    <p>"If it was something else, explain it below."</p>
                })}
                <ExplainForm about=id words=ANSWER saved=answered/>
            </section>
        })}
        <p class="back-link"><A href="/">"Back to home"</A></p>
    }
}
