//! One account's records, plan and policy, read and folded: what every page about an
//! account, and every page across accounts, works from.

use tally_api::{AccountSummary, ExceptionKind, FlagView, SpendView};
use tally_ledger::date::long_date;
use tally_ledger::{AccountRule, Decision, Entry, EntryBody, EntryId, Ledger, QueryStatus, Rules, SupportPlan};
use time::Date;

use crate::error::ApiError;
use crate::storage::{AccountRow, StatementRow};
use crate::AppState;

use super::*;
use crate::storage::Arrival;

/// An account not heard from for this long is listed as an exception.
const NOT_SYNCED_DAYS: i64 = 14;

/// One account's records, plan and policy, folded.
pub(crate) struct Loaded {
    pub(crate) row: AccountRow,
    pub(crate) plan: SupportPlan,
    pub(crate) policy: tally_ledger::CouncilPolicy,
    pub(crate) ledger: Ledger,
    pub(crate) today: Date,
    /// The account's last record read.
    pub(crate) seq: i64,
    /// Its reviews, contribution and end.
    pub(crate) life: crate::storage::AccountLife,
}

impl Loaded {
    pub(crate) async fn read(state: &AppState, row: &AccountRow) -> Result<Loaded, ApiError> {
        Loaded::read_with(state, row, state.storage.policy_for(row.account_id).await?).await
    }

    /// [`Loaded::read`] with the council's policy already read (every account of a council
    /// has the same): for the pages that go through all of a council's accounts.
    pub(crate) async fn read_with(
        state: &AppState,
        row: &AccountRow,
        policy: tally_ledger::CouncilPolicy,
    ) -> Result<Loaded, ApiError> {
        Loaded::try_read(state, row, policy).await?.map_err(|reason| {
            ApiError::Unreadable(format!("The records of account {} could not be read: {reason}. This has been logged for whoever runs the council's server.", row.reference))
        })
    }

    /// Reads and folds one account. `Ok(Err(reason))` when its records cannot be read (a
    /// damaged row, or a record no check foresaw); a failing database is the error.
    pub(crate) async fn try_read(
        state: &AppState,
        row: &AccountRow,
        policy: tally_ledger::CouncilPolicy,
    ) -> Result<Result<Loaded, String>, ApiError> {
        let rows = state.storage.entries_after(row.account_id, 0, i64::MAX).await?;
        let plan = state.storage.support_plan(row.account_id).await?;
        let life = state.storage.account_life(row.account_id).await?;
        let mut entries = Vec::with_capacity(rows.len());
        let last = rows.last().map_or(0, |r| r.seq);
        for crate::storage::StoredEntry { seq, body } in rows {
            match serde_json::from_str::<Entry>(&body) {
                Ok(entry) => entries.push(entry),
                Err(e) => return Ok(Err(format!("record number {seq} is damaged ({e})"))),
            }
        }
        let ledger = match Ledger::from_entries(entries) {
            Ok(ledger) => ledger,
            Err(e) => return Ok(Err(format!("a stored record does not pass its checks ({e})"))),
        };
        Ok(Ok(Loaded { row: row.clone(), plan, policy, ledger, today: state.clock.today(), seq: last, life }))
    }

    pub(crate) fn rules(&self) -> Rules<'_> {
        Rules { plan: &self.plan, policy: &self.policy, today: self.today }
    }

    /// The account as the accounts list shows it. Reads when the person's devices were last
    /// heard from and the open statements: only the list and the account page need them.
    pub(crate) async fn summary(&self, state: &AppState) -> Result<AccountSummary, ApiError> {
        Ok(self.summary_with_kinds(state).await?.0)
    }

    /// [`Loaded::summary`], with the kind of each exception (for filtering the list).
    pub(crate) async fn summary_with_kinds(
        &self,
        state: &AppState,
    ) -> Result<(AccountSummary, Vec<ExceptionKind>), ApiError> {
        let last_synced_ms = state.storage.last_received_from_devices(self.row.account_id).await?;
        let (open_statements, closed) = self.statements(state).await?;
        let view = self.ledger.view();
        let review = self.rules().review_view(&view);
        let histories = self.ledger.histories();
        let open_flags = review
            .spends
            .keys()
            .filter(|id| !histories.get(id).and_then(|h| h.decision()).is_some_and(Decision::is_final))
            .count();
        let surplus = view.surplus(&self.plan, &self.policy, self.today).surplus;
        let mut exceptions: Vec<(ExceptionKind, String)> = Vec::new();
        let mut say = |kind: ExceptionKind, n: usize, one: &str, many: String| match n {
            0 => {}
            1 => exceptions.push((kind, one.to_owned())),
            _ => exceptions.push((kind, many)),
        };
        say(
            ExceptionKind::Flags,
            open_flags,
            "1 flagged spend to review",
            format!("{open_flags} flagged spends to review"),
        );
        for flag in &review.account {
            let kind = match flag.rule {
                AccountRule::SurplusAboveContingency => ExceptionKind::SurplusAboveContingency,
                AccountRule::PlanEndingSoon => ExceptionKind::PlanEndingSoon,
                AccountRule::NoRecentSpending => ExceptionKind::NoRecentSpending,
            };
            exceptions.push((kind, flag.reason.clone()));
        }
        exceptions.extend(self.life_exceptions(&view, surplus.is_positive()));
        // Questions about a statement that is closed (an answer that came late) wait for
        // nobody: the period is settled.
        let queries: Vec<_> =
            self.ledger.queries().into_iter().filter(|q| !closed.contains(&q.query.statement)).collect();
        let count = |status: QueryStatus| queries.iter().filter(|q| q.status == status).count();
        let mut say = |kind: ExceptionKind, n: usize, one: &str, many: String| match n {
            0 => {}
            1 => exceptions.push((kind, one.to_owned())),
            _ => exceptions.push((kind, many)),
        };
        let open = count(QueryStatus::Open);
        say(
            ExceptionKind::OpenQueries,
            open,
            "1 statement query waiting for the person's answer",
            format!("{open} statement queries waiting for the person's answer"),
        );
        let answered = count(QueryStatus::Answered);
        say(
            ExceptionKind::Answers,
            answered,
            "1 answer to a statement query to read",
            format!("{answered} answers to statement queries to read"),
        );
        say(
            ExceptionKind::Statements,
            open_statements,
            "1 statement not reconciled yet",
            format!("{open_statements} statements not reconciled yet"),
        );
        let late = self.late_records_unseen(state).await?;
        say(
            ExceptionKind::LateRecords,
            late,
            "1 record arrived after the period was closed",
            format!("{late} records arrived after the period was closed"),
        );
        let quiet_since = state.clock.now_ms() - NOT_SYNCED_DAYS * 86_400_000;
        match last_synced_ms {
            // An ended direct payment's devices are revoked: silence is expected.
            _ if self.life.ended.is_some() => {}
            Some(at) if at < quiet_since => exceptions.push((
                ExceptionKind::Quiet,
                format!("Nothing received from the person's devices for over {NOT_SYNCED_DAYS} days"),
            )),
            None => exceptions.push((ExceptionKind::NoDevice, "No device has sent anything yet".to_owned())),
            _ => {}
        }
        // Once ended, the account needs no more looks: only the end is said.
        let open_flags = if self.life.ended.is_some() {
            exceptions.retain(|(kind, _)| *kind == ExceptionKind::Ended);
            0
        } else {
            open_flags
        };
        let kinds = exceptions.iter().map(|(kind, _)| *kind).collect();
        let summary = AccountSummary {
            account_id: self.row.account_id,
            reference: self.row.reference.clone(),
            person_name: self.row.person_name.clone(),
            balance: view.balance(),
            open_flags,
            surplus,
            last_synced_ms,
            exceptions: exceptions.into_iter().map(|(_, said)| said).collect(),
        };
        Ok((summary, kinds))
    }

    /// What the life of the direct payment asks of officers: the end, or a review coming up
    /// (sooner on a trigger) and a contribution not being paid.
    fn life_exceptions(&self, view: &tally_ledger::View<'_>, surplus: bool) -> Vec<(ExceptionKind, String)> {
        use tally_ledger::life::{self, ReviewTrigger};
        if let Some(ended) = &self.life.ended {
            let on = tally_ledger::date::parse_iso_date(&ended.ended_on).map_or(ended.ended_on.clone(), long_date);
            return vec![(
                ExceptionKind::Ended,
                format!("Direct payment ended on {on}: the account is kept, read-only"),
            )];
        }
        let Some(started_on) = self.plan.starts_on() else { return Vec::new() };
        let mut said = Vec::new();
        let weekly = tally_ledger::Money::from_pence(self.life.contribution_pence);
        let shortfall = life::contribution_shortfall(view, weekly, started_on, self.today);
        let mut triggers = Vec::new();
        if surplus {
            triggers.push(ReviewTrigger::SurplusAboveContingency);
        }
        if shortfall.is_some() {
            triggers.push(ReviewTrigger::ContributionNotPaid);
        }
        if let Some(notice) =
            life::review_notice(life::next_review(started_on, &self.reviews_done()), &triggers, self.today)
        {
            said.push((ExceptionKind::ReviewDue, notice));
        }
        if let Some(shortfall) = shortfall {
            said.push((ExceptionKind::ContributionNotPaid, shortfall.words()));
        }
        said
    }

    /// When the next review is due: none before the plan starts or once ended.
    pub(crate) fn next_review(&self) -> Option<Date> {
        let started_on = self.plan.starts_on().filter(|_| self.life.ended.is_none())?;
        Some(tally_ledger::life::next_review(started_on, &self.reviews_done()))
    }

    /// The dates of the reviews done.
    fn reviews_done(&self) -> Vec<Date> {
        self.life.reviews.iter().filter_map(|r| tally_ledger::date::parse_iso_date(&r.done_on)).collect()
    }

    /// How many of the account's statements are open, and the ids of the closed ones.
    pub(crate) async fn statements(&self, state: &AppState) -> Result<(usize, Vec<String>), ApiError> {
        let all = state.storage.statements(self.row.account_id).await?;
        let open = all.iter().filter(|s| s.closed.is_none()).count();
        Ok((open, all.into_iter().filter(|s| s.closed.is_some()).map(|s| s.statement_id).collect()))
    }

    /// Records that arrived after one of the account's periods was closed, dated inside
    /// it, that no officer has marked as seen.
    pub(crate) async fn late_records_unseen(&self, state: &AppState) -> Result<usize, ApiError> {
        let closed: Vec<StatementRow> =
            state.storage.statements(self.row.account_id).await?.into_iter().filter(|s| s.closed.is_some()).collect();
        let since = |s: &StatementRow| s.closed.as_ref().map_or(0, |(_, at)| *at).max(s.late_seen_at_ms.unwrap_or(0));
        let Some(earliest) = closed.iter().map(since).min() else { return Ok(0) };
        let received = state.storage.entries_received_after(self.row.account_id, earliest).await?;
        let mut late: std::collections::BTreeSet<EntryId> = std::collections::BTreeSet::new();
        for statement in &closed {
            let dates = tally_ledger::date::parse_iso_date(&statement.first_date)
                .zip(tally_ledger::date::parse_iso_date(&statement.last_date));
            let Some((first, last)) = dates else { continue };
            let after: Vec<Arrival> =
                received.iter().copied().filter(|a| a.received_at_ms > since(statement)).collect();
            late.extend(
                statements::late_records(&self.ledger, first, last, &after, None).into_iter().map(|r| r.entry_id),
            );
        }
        Ok(late.len())
    }

    /// Statement questions the person has answered, waiting for an officer (not those on a
    /// statement closed since).
    pub(crate) async fn answered_queries(&self, state: &AppState) -> Result<Vec<tally_api::QueryAnswer>, ApiError> {
        let (_, closed) = self.statements(state).await?;
        Ok(self
            .ledger
            .queries()
            .iter()
            .filter(|q| q.status == QueryStatus::Answered && !closed.contains(&q.query.statement))
            .map(|q| {
                let said = q.thread.iter().rev().find_map(|e| match &e.body {
                    EntryBody::Explanation(x) => Some((e.recorded_at, x.text.clone())),
                    _ => None,
                });
                let logged = q.logged.last().and_then(|a| {
                    let spend = a.spend()?;
                    Some((
                        a.original.recorded_at,
                        format!(
                            "Logged the spending: {} to {} on {}",
                            spend.amount,
                            spend.payee,
                            long_date(spend.date)
                        ),
                    ))
                });
                let answer = match (said, logged) {
                    (Some(s), Some(l)) => {
                        if l.0 > s.0 {
                            l.1
                        } else {
                            s.1
                        }
                    }
                    (Some(s), None) => s.1,
                    (None, Some(l)) => l.1,
                    (None, None) => String::new(),
                };
                tally_api::QueryAnswer {
                    reference: self.row.reference.clone(),
                    person_name: self.row.person_name.clone(),
                    statement_id: q.query.statement.clone(),
                    line_no: i64::from(q.query.line_no),
                    date: q.query.date,
                    amount: q.query.amount,
                    description: q.query.description.clone(),
                    answer,
                }
            })
            .collect())
    }

    /// Spending as the council sees it: every spend, or (`open_only`) flagged ones with no
    /// final decision.
    pub(crate) fn spends(&self, open_only: bool) -> Vec<SpendView> {
        let view = self.ledger.view();
        let review = self.rules().review_view(&view);
        let histories = self.ledger.histories();
        let lines: Vec<(String, String)> =
            self.plan.versions.iter().flat_map(|v| v.lines.iter().map(|l| (l.id.0.clone(), l.name.clone()))).collect();
        view.spending()
            .filter_map(|active| {
                let spend = active.spend()?;
                let history = histories.get(&active.id())?;
                let flags = review.spends.get(&active.id());
                let decision = history.decision();
                if open_only && (flags.is_none() || decision.is_some_and(Decision::is_final)) {
                    return None;
                }
                let plan_line = match &spend.plan_line {
                    Some(id) => lines
                        .iter()
                        .find(|(l, _)| *l == id.0)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_else(|| id.0.clone()),
                    None => "Not in the plan".to_owned(),
                };
                let thread = thread_items(&history.thread);
                Some(SpendView {
                    reference: self.row.reference.clone(),
                    person_name: self.row.person_name.clone(),
                    entry_id: active.id(),
                    date: active.date,
                    amount: spend.amount,
                    payee: spend.payee.clone(),
                    plan_line,
                    logged_by: active.original.author.name.clone(),
                    flags: flags
                        .map(|flags| {
                            flags
                                .iter()
                                .map(|f| FlagView {
                                    rule: f.rule(),
                                    title: f.rule().title().to_owned(),
                                    severity: f.severity(),
                                    reason: f.reason(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    thread,
                    receipts: spend.receipts.clone(),
                    decision,
                })
            })
            .collect()
    }
}
