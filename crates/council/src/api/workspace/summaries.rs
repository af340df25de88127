//! Account summaries: what the council-wide pages read, so their cost does not grow with
//! the caseload (a county council has up to 5,000 accounts, each with years of records).
//!
//! A summary is worked out from one account's records with the same ledger and rules as
//! the account's own page ([`digest`]), and kept in the database (`storage::summaries`)
//! so every server shares it. It is out of date when the account has records past the
//! ones it was worked out from, when it was worked out for an earlier day, or when a change
//! that is not a record marked it (`storage::mark_stale`, in that change's transaction: a plan, a statement, a
//! safeguarding note; the policy marks the whole council). Pages bring a few out-of-date
//! summaries up to date before they read ([`bring_up_to_date`]); the server's background
//! task does the rest ([`refresh_stale`]). Rebuilding every summary from the records gives
//! what is kept: the tests check it after every scenario.

use std::collections::{BTreeMap, HashMap};

use futures_util::FutureExt;
use tally_api::{ExceptionKind, SafeguardingItem, SafeguardingNoteView};
use tally_ledger::date::iso_date;
use tally_ledger::{Decision, EntryBody, Money, Severity};
use time::Date;

use crate::error::ApiError;
use crate::storage::{AccountDigest, AccountRow, DayRow, ReviewItemRow, SummaryRow};
use crate::AppState;

use super::Loaded;

/// How many out-of-date summaries a page brings up to date before it reads (those marked
/// by a change first, then those of an earlier day); the rest wait for the background
/// task, a few seconds at most. Small, as each takes tens of milliseconds: after midnight,
/// when every summary is a day old, pages stay quick while the background task works
/// through them (minutes, at 5,000 accounts).
pub(crate) const PAGE_BUDGET: i64 = 20;

/// How many the background task brings up to date in one go.
const BATCH: i64 = 200;

fn pence(money: Money) -> i64 {
    money.pence().unwrap_or(0)
}

/// Everything the council-wide pages need of one account, worked out from its records.
pub async fn digest(state: &AppState, row: &AccountRow) -> Result<AccountDigest, ApiError> {
    let council_id = state.storage.council_of_account(row.account_id).await?.unwrap_or_default();
    let policy = state.storage.policy_for(row.account_id).await?;
    let unreadable = |reason: String, seq: i64| AccountDigest {
        summary: SummaryRow {
            account_id: row.account_id,
            council_id: council_id.clone(),
            seq,
            computed_on: iso_date(state.clock.today()),
            balance_pence: 0,
            surplus_pence: 0,
            open_flags: 0,
            last_synced_ms: None,
            exceptions: "[]".to_owned(),
            exception_count: 0,
            exception_kinds: ",".to_owned(),
            signals: "[]".to_owned(),
            signal_count: 0,
            answers: "[]".to_owned(),
            answer_count: 0,
            unreadable: Some(format!("Could not be read: {reason}.")),
        },
        reviews: Vec::new(),
        days: Vec::new(),
    };
    let last_seq = state.storage.account_last_seq(row.account_id).await?;
    let loaded = match Loaded::try_read(state, row, policy).await? {
        Ok(loaded) => loaded,
        Err(reason) => {
            tracing::error!(reference = %row.reference, reason = %reason, "an account could not be read");
            return Ok(unreadable(reason, last_seq));
        }
    };
    let seq = loaded.seq;
    match std::panic::AssertUnwindSafe(worked_out(state, &loaded, &council_id)).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let reason =
                format!("its figures could not be worked out ({})", crate::error::panic_message(panic.as_ref()));
            tracing::error!(reference = %row.reference, reason = %reason, "an account could not be read");
            Ok(unreadable(reason, seq))
        }
    }
}

async fn worked_out(state: &AppState, loaded: &Loaded, council_id: &str) -> Result<AccountDigest, ApiError> {
    let (summary, kinds) = loaded.summary_with_kinds(state).await?;
    let answers = loaded.answered_queries(state).await?;
    let signals = signal_items(state, loaded).await?;
    // An ended direct payment's spending leaves the review queue: nothing more is decided.
    let ended = loaded.life.ended.is_some();
    let (answers, signals) = if ended { (Vec::new(), Vec::new()) } else { (answers, signals) };
    let reviews = loaded
        .spends(true)
        .into_iter()
        .filter(|_| !ended)
        .map(|spend| {
            let rules: String = spend.flags.iter().map(|f| format!("{},", f.rule.as_str())).collect();
            Ok(ReviewItemRow {
                entry_id: spend.entry_id.0.to_string(),
                spent_on: iso_date(spend.date),
                amount_pence: pence(spend.amount),
                reference: spend.reference.clone(),
                rules: format!(",{rules}"),
                view: serde_json::to_string(&spend).map_err(anyhow::Error::from)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let kinds: String = kinds.iter().map(|k| format!("{},", k.as_str())).collect();
    Ok(AccountDigest {
        summary: SummaryRow {
            account_id: loaded.row.account_id,
            council_id: council_id.to_owned(),
            seq: loaded.seq,
            computed_on: iso_date(loaded.today),
            balance_pence: pence(summary.balance),
            surplus_pence: pence(summary.surplus),
            open_flags: summary.open_flags as i64,
            last_synced_ms: summary.last_synced_ms,
            exception_count: summary.exceptions.len() as i64,
            exceptions: serde_json::to_string(&summary.exceptions).map_err(anyhow::Error::from)?,
            exception_kinds: format!(",{kinds}"),
            signal_count: signals.len() as i64,
            signals: serde_json::to_string(&signals).map_err(anyhow::Error::from)?,
            answer_count: answers.len() as i64,
            answers: serde_json::to_string(&answers).map_err(anyhow::Error::from)?,
            unreadable: None,
        },
        reviews,
        days: days(loaded),
    })
}

/// The account's safeguarding signals, each with what officers recorded about it.
async fn signal_items(state: &AppState, loaded: &Loaded) -> Result<Vec<SafeguardingItem>, ApiError> {
    let signals = loaded.rules().signals(&loaded.ledger);
    if signals.is_empty() {
        return Ok(Vec::new());
    }
    let notes = state.storage.safeguarding_notes(loaded.row.account_id).await?;
    Ok(signals
        .into_iter()
        .map(|signal| {
            let key = signal.key();
            SafeguardingItem {
                reference: loaded.row.reference.clone(),
                person_name: loaded.row.person_name.clone(),
                title: signal.title(),
                figures: signal.describe(),
                notes: notes
                    .iter()
                    .filter(|n| n.key == key)
                    .map(|n| SafeguardingNoteView {
                        outcome: n.outcome,
                        note: n.note.clone(),
                        who: n.who.clone(),
                        at_ms: n.at_ms,
                    })
                    .collect(),
                key,
            }
        })
        .collect())
}

/// The account's money and reviews day by day. Flags are today's: a spend counts as
/// flagged, and as within the plan, as the review queue sees it now.
fn days(loaded: &Loaded) -> Vec<DayRow> {
    let view = loaded.ledger.view();
    let review = loaded.rules().review_view(&view);
    let histories = loaded.ledger.histories();
    let mut days: BTreeMap<Date, (DayRow, Vec<i64>)> = BTreeMap::new();
    fn slot(days: &mut BTreeMap<Date, (DayRow, Vec<i64>)>, date: Date) -> &mut (DayRow, Vec<i64>) {
        days.entry(date).or_insert_with(|| (DayRow { day: iso_date(date), ..DayRow::default() }, Vec::new()))
    }
    for active in &view.active {
        match active.body {
            EntryBody::PaymentIn(m) => slot(&mut days, active.date).0.paid_in += pence(m.amount),
            EntryBody::Contribution(m) => slot(&mut days, active.date).0.contributions += pence(m.amount),
            EntryBody::Clawback(c) => slot(&mut days, active.date).0.recovered += pence(c.amount),
            EntryBody::Spend(s) => {
                let flags = review.spends.get(&active.id());
                let not_allowed_flag =
                    flags.is_some_and(|flags| flags.iter().any(|flag| flag.severity() == Severity::NotAllowed));
                let decided_not_allowed =
                    histories.get(&active.id()).and_then(|h| h.decision()) == Some(Decision::NotAllowed);
                let d = &mut slot(&mut days, active.date).0;
                d.spent += pence(s.amount);
                if !not_allowed_flag && !decided_not_allowed {
                    d.within_plan += pence(s.amount);
                }
                if flags.is_some() {
                    d.flags_raised += 1;
                }
            }
            _ => {}
        }
    }
    // Reviews of spending closed, on the day of the decision, and how long each took from
    // the spend being logged (decisions on statement questions are not reviews of spending).
    for history in histories.values().filter(|h| matches!(h.original.body, EntryBody::Spend(_))) {
        let Some(decision) =
            history.thread.iter().find(|e| matches!(&e.body, EntryBody::ReviewDecision(d) if d.decision.is_final()))
        else {
            continue;
        };
        let took = (decision.recorded_at - history.original.recorded_at).whole_days().max(0);
        slot(&mut days, decision.recorded_at.date()).1.push(took);
    }
    days.into_values()
        .map(|(mut row, mut took)| {
            took.sort_unstable();
            row.review_days = serde_json::to_string(&took).unwrap_or_else(|_| "[]".to_owned());
            row
        })
        .collect()
}

/// Works out and keeps the summary of one account now.
pub async fn refresh(state: &AppState, row: &AccountRow) -> Result<(), ApiError> {
    let marks = state.storage.summary_marks(row.account_id).await?;
    let digest = digest(state, row).await?;
    state.storage.put_digest(&digest, marks).await?;
    Ok(())
}

/// Brings up to `limit` out-of-date summaries up to date (of one council, or of all);
/// how many it did.
pub async fn refresh_stale(state: &AppState, council_id: Option<&str>, limit: i64) -> Result<usize, ApiError> {
    let today = iso_date(state.clock.today());
    let rows = state.storage.stale_summaries(council_id, &today, limit).await?;
    for row in &rows {
        refresh(state, row).await?;
    }
    Ok(rows.len())
}

/// Before a council-wide page reads: brings a few of the council's out-of-date summaries
/// up to date, so a change shows on the next page an officer opens.
pub(crate) async fn bring_up_to_date(state: &AppState, council_id: &str) -> Result<(), ApiError> {
    let done = refresh_stale(state, Some(council_id), PAGE_BUDGET).await?;
    if done as i64 == PAGE_BUDGET {
        tracing::info!(
            council = council_id,
            "more summaries are out of date; the background task brings them up to date"
        );
    }
    Ok(())
}

/// The server's background task: brings every out-of-date summary up to date, a batch at
/// a time, until none is left. Run every few seconds by `serve`.
pub async fn catch_up(state: &AppState) -> Result<usize, ApiError> {
    let mut total = 0;
    loop {
        let done = refresh_stale(state, None, BATCH).await?;
        total += done;
        if (done as i64) < BATCH {
            return Ok(total);
        }
    }
}

/// Summaries as they would be if worked out now from the records, against those kept: the
/// accounts whose kept summary differs (for the tests and for checking a server).
pub async fn differences(state: &AppState, council_id: &str) -> Result<Vec<String>, ApiError> {
    let kept: HashMap<String, AccountDigest> =
        state.storage.digests(council_id).await?.into_iter().map(|d| (d.summary.account_id.to_string(), d)).collect();
    let mut differ = Vec::new();
    for row in state.storage.accounts_of_council(council_id).await? {
        // An anonymised account has no records left to work its summary out from: it is kept.
        if state.storage.account_life(row.account_id).await?.anonymised_at_ms.is_some() {
            continue;
        }
        let mut fresh = digest(state, &row).await?;
        fresh.reviews.sort_by(|a, b| a.entry_id.cmp(&b.entry_id));
        match kept.get(&row.account_id.to_string()) {
            None => differ.push(format!("{}: no summary kept", row.reference)),
            Some(kept) if *kept != fresh => {
                let what = if kept.summary != fresh.summary {
                    format!("summary {:?} kept, {:?} worked out", kept.summary, fresh.summary)
                } else if kept.reviews != fresh.reviews {
                    "review items".to_owned()
                } else {
                    "days".to_owned()
                };
                differ.push(format!("{}: {what}", row.reference));
            }
            Some(_) => {}
        }
    }
    differ.extend(state.storage.council_day_mismatches(council_id).await?);
    differ.extend(
        state
            .storage
            .list_count_mismatches(council_id)
            .await?
            .into_iter()
            .map(|(kind, kept, counted)| format!("accounts with {kind:?}: {kept} kept, {counted} counted")),
    );
    differ.extend(state.storage.word_mismatches(council_id).await?.into_iter().map(|r| format!("{r}: search words")));
    differ
        .extend(state.storage.rule_mismatches(council_id).await?.into_iter().map(|r| format!("{r}: queue rule rows")));
    Ok(differ)
}

/// For the pages: the kinds of exception, parsed from a filter.
pub(crate) fn exception_kind(text: Option<&str>) -> Result<Option<ExceptionKind>, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => ExceptionKind::parse(text).map(Some).ok_or_else(|| {
            ApiError::Invalid(vec![("exception".to_owned(), format!("There is no kind of exception called {text:?}"))])
        }),
    }
}
