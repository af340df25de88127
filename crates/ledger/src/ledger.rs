//! Folding entries into what people see.
//!
//! Every view here is a function of the *set* of entries: not of the order they arrived
//! in, nor of how many times one arrived.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use time::Date;

use crate::entry::{
    Decision, Entry, EntryBody, EntryError, EntryId, PlanLineId, ReviewDecision, Spend, StatementQuery,
};
use crate::money::Money;
use crate::plan::{Outcome, PlanLine, SupportPlan};
use crate::policy::CouncilPolicy;

/// The set of entries of one account, in order of id.
///
/// Invariant: every entry passed [`Entry::check`]; `entries` is sorted by id and each id
/// appears once. (A sorted vector rather than a map: entries are mostly appended in id
/// order, as time-ordered UUID v7 ids arrive, and folds read them all far more often than
/// one is added.) When two
/// different entries claim one id (which the council never accepts, so only a bug or
/// tampering causes it) the council's is kept over a device's, and otherwise the smaller
/// of the two in the entries' total order; the id is listed in [`Ledger::conflicts`]. The
/// result is the same whichever came first, and no device record can stand in for a
/// council record by taking its id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<Entry>,
    conflicts: BTreeSet<EntryId>,
}

/// Why a device's void or correction has no force over the record it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoAuthority {
    #[error(
        "The record this changes is not held by the council (it may not have been accepted). Nothing was changed."
    )]
    UnknownRecord,
    #[error("The record this changes belongs to a different account.")]
    OtherAccount,
    #[error("This would change a record the council made. Only the council can change its own records: if one looks wrong, contact your council.")]
    CouncilRecord,
    #[error("Only spending, refunds and money you paid in can be corrected or cancelled.")]
    NotMoney,
    #[error("A correction must be the same kind of record as the one it corrects.")]
    KindChanged,
    #[error("{}", decided_message(*.0))]
    DecidedFinally(Decision),
}

fn decided_message(decision: Decision) -> &'static str {
    match decision {
        Decision::NotAllowed => "The council has found this spending not allowed, so it can no longer be changed or cancelled from the app. If you disagree, add an explanation to it for the council.",
        _ => "The council has approved this spending, so it can no longer be changed or cancelled from the app. If something is wrong, add an explanation to it for the council.",
    }
}

/// What happened when an entry was offered to the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The entry is new.
    Added,
    /// The same entry was already here; nothing changed.
    AlreadyHere,
    /// Another entry with this id but different content is already here.
    Conflict,
}

/// A money entry as it stands now: its latest correction applied, unless voided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Active<'a> {
    /// The entry as first recorded (its id identifies it everywhere).
    pub original: &'a Entry,
    /// The values in force: the latest correction's, or the original's.
    pub body: &'a EntryBody,
    /// How many corrections there have been.
    pub corrections: usize,
    /// The money date of the values in force.
    pub date: Date,
    /// The signed amount of the values in force: positive into the account.
    pub amount: Money,
    /// The record whose values are in force: the correction's id, or the original's.
    pub version: EntryId,
}

impl<'a> Active<'a> {
    pub fn id(&self) -> EntryId {
        self.original.id
    }

    pub fn spend(&self) -> Option<&'a Spend> {
        match self.body {
            EntryBody::Spend(s) => Some(s),
            _ => None,
        }
    }

    /// (date, signed amount): positive into the account.
    pub fn movement(&self) -> (Date, Money) {
        (self.date, self.amount)
    }
}

/// Everything recorded about one money entry: for the entry's detail page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History<'a> {
    pub original: &'a Entry,
    /// Those in force, in the order they were recorded. The one whose values count is the
    /// latest from the council if there is one, otherwise the latest.
    pub corrections: Vec<&'a Entry>,
    /// The void that cancelled it, if any (the first recorded).
    pub void: Option<&'a Entry>,
    /// Explanations and review decisions, in the order they were recorded.
    pub thread: Vec<&'a Entry>,
}

impl<'a> History<'a> {
    /// Moves one entry's corrections, void and thread out of the index.
    fn take(original: &'a Entry, links: &mut Links<'a>) -> History<'a> {
        History {
            original,
            corrections: links.corrections.remove(&original.id).unwrap_or_default(),
            void: links.voids.remove(&original.id).and_then(|v| v.into_iter().next()),
            thread: links.thread.remove(&original.id).unwrap_or_default(),
        }
    }

    /// The latest council decision, if any.
    pub fn decision(&self) -> Option<Decision> {
        latest_decision(&self.thread).map(|(_, d)| d.decision)
    }

    /// The council asked the person about it and waits for their answer: the last word
    /// in the thread is the council's question.
    pub fn awaits_answer(&self) -> bool {
        matches!(self.thread.last().map(|e| &e.body), Some(EntryBody::ReviewDecision(r)) if r.decision == Decision::Question)
    }
}

/// The latest review decision in a thread (in recorded order, so the council's clock):
/// only the council's decisions have standing, so it is the council's.
fn latest_decision<'a>(thread: &[&'a Entry]) -> Option<(&'a Entry, &'a ReviewDecision)> {
    thread.iter().rev().find_map(|e| match &e.body {
        EntryBody::ReviewDecision(r) => Some((*e, r)),
        _ => None,
    })
}

/// Where a statement query stands, after the last thing said about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryStatus {
    /// Waiting for the person: just asked, or asked again.
    Open,
    /// The person explained it or logged the spend; waiting for an officer.
    Answered,
    /// An officer accepted the answer (or found it not allowed).
    Closed(Decision),
}

/// A statement query with everything said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryThread<'a> {
    pub entry: &'a Entry,
    pub query: &'a StatementQuery,
    /// Explanations and decisions about it, in the order they were recorded.
    pub thread: Vec<&'a Entry>,
    /// Spends logged in answer to it (not voided; corrections applied), oldest first.
    pub logged: Vec<Active<'a>>,
    /// Everything said about it — explanations, decisions and the spends logged in
    /// answer (as first recorded) — in the order recorded; the last one sets the status.
    pub said: Vec<&'a Entry>,
    pub status: QueryStatus,
}

/// A plan line's budget and spending in one budget period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineUsage<'a> {
    pub line: &'a PlanLine,
    /// First and last day of the period.
    pub from: Date,
    pub to: Date,
    pub budget: Money,
    /// Spending minus refunds to the line, in the period.
    pub spent: Money,
    /// Budget minus spent; negative when overspent.
    pub left: Money,
}

/// A statement for a period: the figures councils audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement<'a> {
    pub from: Date,
    pub to: Date,
    /// The balance at the start of `from`.
    pub opening: Money,
    pub money_in: Money,
    pub money_out: Money,
    /// `opening + money_in - money_out`.
    pub closing: Money,
    /// The money entries in the period, oldest first.
    pub lines: Vec<Active<'a>>,
}

/// How much of the balance is above what the council lets an account keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Surplus {
    pub balance: Money,
    pub weekly_budget: Money,
    /// `contingency_weeks × weekly_budget`.
    pub allowed: Money,
    /// `balance - allowed`, or zero.
    pub surplus: Money,
}

/// The active set of a ledger, computed once, to ask several questions of: what a screen
/// or a review should hold rather than refolding for each figure.
#[derive(Clone, Debug)]
pub struct View<'a> {
    /// Ordered by money date, then when recorded, then id.
    pub active: Vec<Active<'a>>,
}

impl<'a> View<'a> {
    /// Money in minus money out.
    pub fn balance(&self) -> Money {
        sum(self.active.iter().map(|a| a.amount))
    }

    /// Active spending, newest first.
    pub fn spending(&self) -> impl Iterator<Item = &Active<'a>> {
        self.active.iter().rev().filter(|a| a.spend().is_some())
    }

    /// A plan line's budget, spending and what is left, in the period containing `on`.
    pub fn line_usage<'p>(&self, plan: &'p SupportPlan, line: &PlanLineId, on: Date) -> Option<LineUsage<'p>> {
        line_usage_in(&self.active, plan.line_on(line, on)?, on)
    }

    /// [`View::line_usage`] for every line of the plan in force on `on`, in one pass over
    /// the entries.
    pub fn lines_usage<'p>(&self, plan: &'p SupportPlan, on: Date) -> Vec<LineUsage<'p>> {
        let Some(version) = plan.version_on(on) else { return Vec::new() };
        let mut usage: Vec<LineUsage<'p>> = version
            .lines
            .iter()
            .filter_map(|line| {
                let (from, to) = line.period_containing(on)?;
                Some(LineUsage { line, from, to, budget: line.budget, spent: Money::ZERO, left: line.budget })
            })
            .collect();
        let position: HashMap<&str, usize> = usage.iter().enumerate().map(|(i, u)| (u.line.id.0.as_str(), i)).collect();
        for a in &self.active {
            let (line, amount) = match a.body {
                EntryBody::Spend(s) => (&s.plan_line, s.amount),
                EntryBody::Refund(r) => (&r.plan_line, -r.amount),
                _ => continue,
            };
            let Some(&i) = line.as_ref().and_then(|l| position.get(l.0.as_str())) else { continue };
            let u = &mut usage[i];
            if (u.from..=u.to).contains(&a.date) {
                u.spent = u.spent.checked_add(amount).expect("capped amounts cannot overflow");
            }
        }
        for u in &mut usage {
            u.left = u.budget.checked_sub(u.spent).expect("capped amounts cannot overflow");
        }
        usage
    }

    /// The surplus above the contingency the council allows, on a date.
    pub fn surplus(&self, plan: &SupportPlan, policy: &CouncilPolicy, on: Date) -> Surplus {
        surplus_in(&self.active, plan, policy, on)
    }

    /// Spending towards each of the person's outcomes (in the plan version in force on
    /// `to`) between two dates. A spend counts towards the outcome it names; one that names
    /// none counts towards its plan line's outcome when the line serves exactly one (never
    /// split between several, so no money is counted twice).
    pub fn spending_by_outcome<'p>(&self, plan: &'p SupportPlan, from: Date, to: Date) -> Vec<(&'p Outcome, Money)> {
        let Some(version) = plan.version_on(to).or(plan.current()) else { return Vec::new() };
        let mut totals: Vec<(&Outcome, Money)> = version.outcomes.iter().map(|o| (o, Money::ZERO)).collect();
        for spend in self.active.iter().filter(|a| (from..=to).contains(&a.date)).filter_map(|a| a.spend()) {
            let outcome = spend.outcome.clone().or_else(|| {
                let line = plan.line_on(spend.plan_line.as_ref()?, spend.date)?;
                (line.outcomes.len() == 1).then(|| line.outcomes[0].clone())
            });
            if let Some((_, total)) = outcome.and_then(|id| totals.iter_mut().find(|(o, _)| o.id == id)) {
                *total = total.saturating_add(spend.amount);
            }
        }
        totals
    }

    /// Money in, money out and the closing balance for each calendar month from the month
    /// of `from` to the month of `to`.
    pub fn monthly(&self, from: Date, to: Date) -> Vec<MonthFigures> {
        let mut months = Vec::new();
        let mut start = crate::date::month_start(from);
        let mut balance = sum(self.active.iter().filter(|a| a.date < start).map(|a| a.amount));
        while start <= to {
            // `None` in the last month `time` knows.
            let next = crate::date::next_month_start(start);
            let (mut money_in, mut money_out) = (Money::ZERO, Money::ZERO);
            for a in self.active.iter().filter(|a| a.date >= start && next.is_none_or(|next| a.date < next)) {
                if a.amount.is_negative() {
                    money_out = money_out.saturating_add(-a.amount);
                } else {
                    money_in = money_in.saturating_add(a.amount);
                }
            }
            balance = balance.saturating_add(money_in).saturating_add(-money_out);
            months.push(MonthFigures { month: start, money_in, money_out, closing: balance });
            let Some(next) = next else { break };
            start = next;
        }
        months
    }
}

/// One calendar month's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthFigures {
    /// The first day of the month.
    pub month: Date,
    pub money_in: Money,
    pub money_out: Money,
    /// The balance at the end of the month.
    pub closing: Money,
}

/// Entries that refer to another entry, grouped by the entry they refer to: only those
/// with force (see [`Ledger::without_force`]).
#[derive(Default)]
struct Links<'a> {
    corrections: HashMap<EntryId, Vec<&'a Entry>>,
    voids: HashMap<EntryId, Vec<&'a Entry>>,
    thread: HashMap<EntryId, Vec<&'a Entry>>,
    /// Entries the fold gives no force, in id order.
    powerless: Vec<&'a Entry>,
}

/// Where a statement query stands, from everything said about it in recorded order.
fn query_status(said: &[&Entry]) -> QueryStatus {
    let decision = said.iter().rposition(|e| matches!(e.body, EntryBody::ReviewDecision(_)));
    match decision.map(|at| (at, &said[at].body)) {
        Some((_, EntryBody::ReviewDecision(d))) if d.decision.is_final() => QueryStatus::Closed(d.decision),
        // Asked (again): answered only by what was said after.
        Some((at, _)) if at + 1 == said.len() => QueryStatus::Open,
        Some(_) => QueryStatus::Answered,
        None if said.is_empty() => QueryStatus::Open,
        None => QueryStatus::Answered,
    }
}

/// Which of two different entries claiming one id is kept: the council's, then the
/// smaller.
fn wins_over(a: &Entry, b: &Entry) -> bool {
    (!a.by_council(), a) < (!b.by_council(), b)
}

/// The order entries were recorded in, the same on every device. A ledger holds each id
/// once, so no two of its entries share this key: sorts by it need not be stable, and use
/// the unstable sort, whose code is smaller in the wallet's download.
fn recorded_order(entry: &&Entry) -> (time::OffsetDateTime, EntryId) {
    (entry.recorded_at, entry.id)
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Builds a ledger from entries, skipping duplicates. Fails on the first entry that
    /// does not pass its checks.
    ///
    /// The same result as inserting them one by one, built in one go: checked, sorted by id
    /// (cheap for records that arrive mostly in id order, as time-ordered UUID v7 ids do),
    /// and duplicates and conflicts settled side by side, in place.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Result<Ledger, EntryError> {
        let mut all: Vec<Entry> = entries.into_iter().collect();
        for entry in &all {
            entry.check()?;
        }
        // Stable, and close to free on input already in id order.
        all.sort_by_key(|e| e.id);
        let mut conflicts = BTreeSet::new();
        // Settles each run of one id in place: the first slot of the run keeps the smallest.
        all.dedup_by(|later, kept| {
            if later.id != kept.id {
                return false;
            }
            if later != kept {
                conflicts.insert(kept.id);
                if wins_over(later, kept) {
                    std::mem::swap(later, kept);
                }
            }
            true
        });
        Ok(Ledger { entries: all, conflicts })
    }

    /// Adds one entry if it is new. See [`Inserted`].
    pub fn insert(&mut self, entry: Entry) -> Result<Inserted, EntryError> {
        entry.check()?;
        match self.position(entry.id) {
            Err(at) => {
                self.entries.insert(at, entry);
                Ok(Inserted::Added)
            }
            Ok(at) => {
                let existing = &mut self.entries[at];
                if *existing == entry {
                    return Ok(Inserted::AlreadyHere);
                }
                self.conflicts.insert(entry.id);
                if wins_over(&entry, existing) {
                    *existing = entry;
                }
                Ok(Inserted::Conflict)
            }
        }
    }

    /// Where an id is, or would go.
    fn position(&self, id: EntryId) -> Result<usize, usize> {
        // Most lookups are for recent entries, at the end.
        match self.entries.last() {
            Some(last) if last.id < id => Err(self.entries.len()),
            _ => self.entries.binary_search_by(|e| e.id.cmp(&id)),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: EntryId) -> Option<&Entry> {
        self.position(id).ok().map(|at| &self.entries[at])
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Ids that more than one different entry has claimed.
    pub fn conflicts(&self) -> &BTreeSet<EntryId> {
        &self.conflicts
    }

    /// Indexes the entries that refer to others, keeping only those with force:
    ///
    /// - a council-only kind (payment in, clawback, decision, statement query) has force
    ///   only when the council wrote it;
    /// - a correction or void from the council has force over any record;
    /// - one from a device has force only over a money record a device wrote, of this
    ///   account, and not over spending an officer has decided on finally (approved or
    ///   not allowed) until an officer reopens it: then no void, and only the corrections
    ///   the officer saw (up to the version the decision names) stay in force.
    ///
    /// So a record already stored, or a future bug, cannot move the council's money or
    /// undo its decisions, and every device folds the same set the same way.
    fn links(&self) -> Links<'_> {
        let mut links = Links::default();
        for entry in &self.entries {
            if !entry.has_standing() {
                links.powerless.push(entry);
                continue;
            }
            let (map, target) = match &entry.body {
                EntryBody::Correction(c) => (&mut links.corrections, c.corrects),
                EntryBody::Void(v) => (&mut links.voids, v.voids),
                EntryBody::ReviewDecision(r) => (&mut links.thread, r.about),
                EntryBody::Explanation(e) => (&mut links.thread, e.about),
                _ => continue,
            };
            map.entry(target).or_default().push(entry);
        }
        for list in links.corrections.values_mut().chain(links.voids.values_mut()).chain(links.thread.values_mut()) {
            list.sort_unstable_by_key(recorded_order);
        }
        let Links { corrections, voids, thread, powerless } = &mut links;
        for (changes, is_void) in [(corrections, false), (voids, true)] {
            changes.retain(|target, list| {
                let decided =
                    thread.get(target).and_then(|t| latest_decision(t)).filter(|(_, d)| d.decision.is_final());
                let seen = decided.map(|(_, decision)| self.seen_by(decision, *target));
                list.retain(|change| {
                    let keep = change.by_council()
                        || (self.device_may_change(change, *target)
                            && seen.as_ref().is_none_or(|seen| !is_void && seen(change)));
                    if !keep {
                        powerless.push(change);
                    }
                    keep
                });
                !list.is_empty()
            });
        }
        links.powerless.sort_unstable_by_key(|e| e.id);
        links
    }

    /// Whether a device's correction or void may reach its target at all: a money record
    /// written by a device, of the same account.
    fn device_may_change(&self, change: &Entry, target: EntryId) -> bool {
        self.get(target)
            .is_some_and(|t| !t.by_council() && t.has_standing() && t.body.is_money() && t.account == change.account)
    }

    /// Which of a device's corrections an officer's final decision saw: those recorded up
    /// to the version it names. None when it names the original, or names no version (as
    /// a decision about a record that was cancelled when decided does): the time a device
    /// says it recorded a correction is the device's word, so it cannot make a correction
    /// count as seen.
    fn seen_by<'a>(&'a self, decision: &ReviewDecision, target: EntryId) -> impl Fn(&Entry) -> bool + 'a {
        let version = decision.version.and_then(|v| self.get(v)).filter(|v| match &v.body {
            EntryBody::Correction(c) => c.corrects == target,
            _ => false,
        });
        move |correction: &Entry| version.is_some_and(|v| recorded_order(&correction) <= recorded_order(&v))
    }

    /// Why a device's void or correction, offered now, would have no force over what it
    /// names: the check the council makes before it stores one (the fold ignores such a
    /// record anyway). `None` when it may be stored.
    pub fn device_change_refused(&self, change: &Entry) -> Option<NoAuthority> {
        let (target, replacement) = match &change.body {
            EntryBody::Void(v) => (v.voids, None),
            EntryBody::Correction(c) => (c.corrects, Some(c.replacement.as_ref())),
            _ => return None,
        };
        if change.by_council() {
            return None;
        }
        let Some(original) = self.get(target) else { return Some(NoAuthority::UnknownRecord) };
        if original.account != change.account {
            return Some(NoAuthority::OtherAccount);
        }
        if original.by_council() || !original.has_standing() {
            return Some(NoAuthority::CouncilRecord);
        }
        if !original.body.is_money() {
            return Some(NoAuthority::NotMoney);
        }
        if replacement.is_some_and(|r| !r.same_kind(&original.body)) {
            return Some(NoAuthority::KindChanged);
        }
        let thread: Vec<&Entry> = {
            let mut t: Vec<&Entry> = self
                .entries
                .iter()
                .filter(|e| e.has_standing() && matches!(&e.body, EntryBody::ReviewDecision(r) if r.about == target))
                .collect();
            t.sort_unstable_by_key(recorded_order);
            t
        };
        match latest_decision(&thread) {
            Some((_, d)) if d.decision.is_final() => Some(NoAuthority::DecidedFinally(d.decision)),
            _ => None,
        }
    }

    /// Records the fold gives no force (see [`Ledger::links`]): a council-only kind from
    /// a device, or a device's correction or void of the council's records or of decided
    /// spending. They stay on record, in id order, for the council to see.
    pub fn without_force(&self) -> Vec<&Entry> {
        self.links().powerless
    }

    /// Every money entry that is not voided, with its corrections applied, ordered by
    /// money date, then when it was recorded, then id.
    pub fn active(&self) -> Vec<Active<'_>> {
        self.active_in(&self.links())
    }

    /// [`Ledger::active`] with the links already indexed.
    fn active_in<'a>(&'a self, links: &Links<'a>) -> Vec<Active<'a>> {
        let mut keyed: Vec<((i32, i128, u128), Active<'_>)> = self
            .entries
            .iter()
            .filter(|e| e.body.is_money() && e.has_standing() && !links.voids.contains_key(&e.id))
            .map(|original| {
                let corrections = links.corrections.get(&original.id).map(Vec::as_slice).unwrap_or_default();
                // The council's latest correction wins over any from a device, whatever
                // the device's clock said; among one side's, the latest recorded.
                let same_kind = |c: &&&Entry| matches!(&c.body, EntryBody::Correction(c) if c.replacement.same_kind(&original.body));
                let latest = corrections
                    .iter()
                    .rev()
                    .filter(same_kind)
                    .find(|c| c.by_council())
                    .or_else(|| corrections.iter().rev().find(same_kind));
                let (body, version) = match latest.map(|c| (&c.body, c.id)) {
                    Some((EntryBody::Correction(c), id)) => (c.replacement.as_ref(), id),
                    _ => (&original.body, original.id),
                };
                let (date, amount) = body.money_movement().expect("only money entries are active");
                // (date, when recorded, id) as plain integers, worked out once: comparing
                // `OffsetDateTime`s converts offsets on every comparison.
                let key = (date.to_julian_day(), original.recorded_at.unix_timestamp_nanos(), original.id.0.as_u128());
                (key, Active { original, body, corrections: corrections.len(), date, amount, version })
            })
            .collect();
        keyed.sort_unstable_by_key(|a| a.0);
        keyed.into_iter().map(|(_, active)| active).collect()
    }

    /// Everything recorded about one money entry.
    pub fn history(&self, id: EntryId) -> Option<History<'_>> {
        let original = self.get(id)?;
        Some(History::take(original, &mut self.links()))
    }

    /// [`Ledger::history`] of every entry, indexed once: for screens and exports that need
    /// the history of many entries (asking one at a time would re-index for each).
    pub fn histories(&self) -> HashMap<EntryId, History<'_>> {
        let mut links = self.links();
        self.entries.iter().map(|original| (original.id, History::take(original, &mut links))).collect()
    }

    /// Every statement query, oldest first, with its answers and where it stands.
    ///
    /// An officer's latest decision rules: approved or not allowed closes it, and it stays
    /// closed until an officer asks again, whatever a device records later (or says its
    /// clock read). Otherwise an explanation or a spend logged in answer since the
    /// officer last asked makes it answered; until then it is open.
    pub fn queries(&self) -> Vec<QueryThread<'_>> {
        // Most accounts have none: then nothing is folded.
        if !self.entries.iter().any(|e| matches!(e.body, EntryBody::StatementQuery(_)) && e.has_standing()) {
            return Vec::new();
        }
        let mut links = self.links();
        let active = self.active_in(&links);
        // Spending logged in answer, by the question it answers.
        let mut answering: HashMap<EntryId, Vec<Active<'_>>> = HashMap::default();
        for a in &active {
            if let Some(question) = a.spend().and_then(|s| s.answers) {
                answering.entry(question).or_default().push(*a);
            }
        }
        let mut queries: Vec<QueryThread<'_>> = self
            .entries
            .iter()
            .filter(|entry| entry.has_standing())
            .filter_map(|entry| match &entry.body {
                EntryBody::StatementQuery(query) => {
                    let thread = links.thread.remove(&entry.id).unwrap_or_default();
                    let mut logged = answering.remove(&entry.id).unwrap_or_default();
                    logged.sort_unstable_by_key(|a| recorded_order(&a.original));
                    let mut said: Vec<&Entry> =
                        thread.iter().copied().chain(logged.iter().map(|a| a.original)).collect();
                    said.sort_unstable_by_key(recorded_order);
                    let status = query_status(&said);
                    Some(QueryThread { entry, query, thread, logged, said, status })
                }
                _ => None,
            })
            .collect();
        queries.sort_unstable_by_key(|q| recorded_order(&q.entry));
        queries
    }

    /// The active set, to ask several questions of.
    pub fn view(&self) -> View<'_> {
        View { active: self.active() }
    }

    /// Money in minus money out, over active entries.
    pub fn balance(&self) -> Money {
        self.view().balance()
    }

    /// Active spending, newest first (by date, then when recorded, then id).
    pub fn spending(&self) -> Vec<Active<'_>> {
        self.view().spending().copied().collect()
    }

    /// A plan line's budget, spending and what is left, in the period containing `on`.
    pub fn line_usage<'p>(&self, plan: &'p SupportPlan, line: &PlanLineId, on: Date) -> Option<LineUsage<'p>> {
        self.view().line_usage(plan, line, on)
    }

    /// [`Ledger::line_usage`] for every line of the plan in force on `on`.
    pub fn lines_usage<'p>(&self, plan: &'p SupportPlan, on: Date) -> Vec<LineUsage<'p>> {
        self.view().lines_usage(plan, on)
    }

    /// The statement for `from..=to` (by money date).
    pub fn statement(&self, from: Date, to: Date) -> Statement<'_> {
        let active = self.active();
        let opening = sum(active.iter().map(|a| a.movement()).filter(|(d, _)| *d < from).map(|(_, m)| m));
        let lines: Vec<Active<'_>> = active.into_iter().filter(|a| (from..=to).contains(&a.movement().0)).collect();
        let money_in = sum(lines.iter().map(|a| a.movement().1).filter(|m| m.is_positive()));
        let money_out = sum(lines.iter().map(|a| a.movement().1).filter(|m| m.is_negative()).map(|m| -m));
        let closing = opening
            .checked_add(money_in)
            .and_then(|m| m.checked_sub(money_out))
            .expect("capped amounts cannot overflow");
        Statement { from, to, opening, money_in, money_out, closing, lines }
    }

    /// The surplus above the contingency the council allows, on a date.
    pub fn surplus(&self, plan: &SupportPlan, policy: &CouncilPolicy, on: Date) -> Surplus {
        self.view().surplus(plan, policy, on)
    }
}

fn line_usage_in<'p>(active: &[Active<'_>], line: &'p PlanLine, on: Date) -> Option<LineUsage<'p>> {
    let (from, to) = line.period_containing(on)?;
    let spent = sum(active.iter().filter_map(|a| {
        let (date, _) = a.movement();
        if date < from || date > to {
            return None;
        }
        match a.body {
            EntryBody::Spend(s) if s.plan_line.as_ref() == Some(&line.id) => Some(s.amount),
            EntryBody::Refund(r) if r.plan_line.as_ref() == Some(&line.id) => Some(-r.amount),
            _ => None,
        }
    }));
    let left = line.budget.checked_sub(spent).expect("capped amounts cannot overflow");
    Some(LineUsage { line, from, to, budget: line.budget, spent, left })
}

pub(crate) fn surplus_in(active: &[Active<'_>], plan: &SupportPlan, policy: &CouncilPolicy, on: Date) -> Surplus {
    let balance = sum(active.iter().map(|a| a.movement()).filter(|(d, _)| *d <= on).map(|(_, m)| m));
    let weekly_budget = plan.weekly_budget_on(on);
    let allowed = allowed_to_keep(plan, policy, on);
    let surplus = balance.checked_sub(allowed).unwrap_or(Money::ZERO).at_least_zero();
    Surplus { balance, weekly_budget, allowed, surplus }
}

/// What the council lets the account keep on a date: `contingency_weeks` × the weekly
/// budget of the plan in force.
pub(crate) fn allowed_to_keep(plan: &SupportPlan, policy: &CouncilPolicy, on: Date) -> Money {
    plan.weekly_budget_on(on).mul_div(policy.contingency_weeks.into(), 1)
}

/// Adds amounts. Every amount in a ledger is at most `HARD_MAXIMUM_PENCE` (checked on
/// insert), so even a billion entries stay inside `i64`'s ~9 × 10^18 pence.
pub(crate) fn sum(amounts: impl Iterator<Item = Money>) -> Money {
    amounts.fold(Money::ZERO, |total, m| total.checked_add(m).expect("capped amounts cannot overflow"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::tests::{by_council, entry, payment_in, spend, spend_body};
    use crate::entry::{Correction, Explanation, MoneyIn, Refund, ReviewDecision, Void};
    use crate::plan::{Category, Period, PlanVersion};
    use time::macros::{date, datetime};
    use uuid::Uuid;

    fn id(n: u128) -> EntryId {
        EntryId(Uuid::from_u128(n))
    }

    fn correction(n: u128, of: u128, pence: i64) -> Entry {
        let mut e = entry(
            n,
            EntryBody::Correction(Correction {
                corrects: id(of),
                replacement: Box::new(EntryBody::Spend(spend_body(pence))),
                reason: "Wrong amount".into(),
            }),
        );
        e.recorded_at = datetime!(2026-11-22 11:00 UTC) + time::Duration::minutes(n as i64);
        e
    }

    fn void(n: u128, of: u128) -> Entry {
        entry(n, EntryBody::Void(Void { voids: id(of), reason: "Logged twice".into() }))
    }

    fn query(n: u128, pence: i64) -> Entry {
        let body = StatementQuery {
            date: date!(2026 - 11 - 03),
            amount: Money::from_pence(pence),
            description: "TESCO STORES 2231".into(),
            statement: "s1".into(),
            line_no: 4,
            note: String::new(),
        };
        let mut e = by_council(entry(n, EntryBody::StatementQuery(body)));
        e.recorded_at = datetime!(2026-11-22 08:00 UTC);
        e
    }

    fn at(mut e: Entry, hour: u8) -> Entry {
        e.recorded_at = datetime!(2026-11-22 00:00 UTC) + time::Duration::hours(hour.into());
        e
    }

    #[test]
    fn a_statement_query_is_open_until_answered_and_closed_by_an_officer() {
        let decide = |decision, note: &str| {
            EntryBody::ReviewDecision(ReviewDecision { about: id(40), decision, note: note.into(), version: None })
        };
        let status = |entries: Vec<Entry>| {
            let ledger = Ledger::from_entries(entries).unwrap();
            let queries = ledger.queries();
            assert_eq!(queries.len(), 1);
            queries[0].status
        };
        assert_eq!(status(vec![query(40, -1_250)]), QueryStatus::Open);
        let explained = at(
            entry(
                41,
                EntryBody::Explanation(Explanation { about: id(40), text: "Milk and bread for my PA's shift".into() }),
            ),
            9,
        );
        assert_eq!(status(vec![query(40, -1_250), explained.clone()]), QueryStatus::Answered);
        let asked_again = at(by_council(entry(42, decide(Decision::Question, "Was this for your support?"))), 10);
        assert_eq!(status(vec![query(40, -1_250), explained.clone(), asked_again.clone()]), QueryStatus::Open);
        let approved = at(by_council(entry(43, decide(Decision::Approved, ""))), 11);
        // In any order of arrival.
        assert_eq!(
            status(vec![approved, asked_again, explained, query(40, -1_250)]),
            QueryStatus::Closed(Decision::Approved)
        );
    }

    #[test]
    fn a_spend_logged_in_answer_answers_the_query_unless_voided() {
        let mut body = spend_body(1_250);
        body.answers = Some(id(40));
        let logged = at(entry(41, EntryBody::Spend(body)), 9);
        let ledger = Ledger::from_entries([query(40, -1_250), logged.clone(), spend(12, 500)]).unwrap();
        let queries = ledger.queries();
        assert_eq!(queries[0].status, QueryStatus::Answered);
        assert_eq!(queries[0].logged.iter().map(|a| a.id()).collect::<Vec<_>>(), vec![id(41)]);
        assert_eq!(ledger.balance(), Money::from_pence(-1_750), "a query moves no money; the spend does");
        let voided = Ledger::from_entries([query(40, -1_250), logged, at(void(42, 41), 10)]).unwrap();
        assert_eq!(voided.queries()[0].status, QueryStatus::Open);
        assert!(voided.queries()[0].logged.is_empty());
    }

    fn decided(n: u128, about: u128, decision: Decision, version: Option<u128>, hour: u8) -> Entry {
        let body = EntryBody::ReviewDecision(ReviewDecision {
            about: id(about),
            decision,
            note: "Looked at".into(),
            version: version.map(id),
        });
        at(by_council(entry(n, body)), hour)
    }

    #[test]
    fn a_device_cannot_void_or_correct_the_councils_records() {
        let council_payment = payment_in(10, 148_000);
        let void = void(20, 10);
        let to_a_spend = correction(21, 10, 100);
        let smaller = EntryBody::PaymentIn(MoneyIn {
            date: date!(2026 - 11 - 01),
            amount: Money::from_pence(100),
            reference: String::new(),
        });
        let to_a_smaller_payment = entry(
            22,
            EntryBody::Correction(Correction {
                corrects: id(10),
                replacement: Box::new(smaller),
                reason: "Typo".into(),
            }),
        );
        let ledger =
            Ledger::from_entries([council_payment, void.clone(), to_a_spend.clone(), to_a_smaller_payment.clone()])
                .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(148_000));
        let history = ledger.history(id(10)).unwrap();
        assert!(history.void.is_none() && history.corrections.is_empty());
        assert_eq!(ledger.without_force().iter().map(|e| e.id).collect::<Vec<_>>(), vec![id(20), id(21), id(22)]);
        // The council's own void has force.
        let council_void = by_council(void);
        assert_eq!(Ledger::from_entries([payment_in(10, 148_000), council_void]).unwrap().balance(), Money::ZERO);
    }

    #[test]
    fn council_kinds_written_by_a_device_have_no_force() {
        let mut forged_payment = payment_in(10, 1_000_000);
        forged_payment.author = spend(0, 1).author;
        let forged_decision = entry(
            12,
            EntryBody::ReviewDecision(ReviewDecision {
                about: id(11),
                decision: Decision::Approved,
                note: String::new(),
                version: None,
            }),
        );
        let forged_query = {
            let mut q = query(13, -500);
            q.author = forged_payment.author.clone();
            q
        };
        let ledger = Ledger::from_entries([forged_payment, spend(11, 1_000), forged_decision, forged_query]).unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(-1_000));
        assert_eq!(ledger.history(id(11)).unwrap().decision(), None);
        assert!(ledger.queries().is_empty());
        assert_eq!(ledger.without_force().len(), 3);
    }

    #[test]
    fn the_council_is_told_why_a_devices_change_would_have_no_force() {
        let approved = decided(30, 11, Decision::Approved, Some(11), 9);
        let explained = entry(31, EntryBody::Explanation(Explanation { about: id(11), text: "Why".into() }));
        let mut other = spend(13, 100);
        other.account = crate::entry::AccountId(Uuid::from_u128(99));
        let ledger = Ledger::from_entries([
            payment_in(10, 10_000),
            spend(11, 1_000),
            spend(12, 500),
            approved,
            explained,
            other,
        ])
        .unwrap();
        let refused = |e: Entry| ledger.device_change_refused(&e);
        assert_eq!(refused(void(40, 10)), Some(NoAuthority::CouncilRecord));
        assert_eq!(refused(void(40, 11)), Some(NoAuthority::DecidedFinally(Decision::Approved)));
        assert_eq!(refused(correction(40, 11, 5)), Some(NoAuthority::DecidedFinally(Decision::Approved)));
        assert_eq!(refused(void(40, 12)), None);
        assert_eq!(refused(correction(40, 12, 700)), None);
        assert_eq!(refused(void(40, 31)), Some(NoAuthority::NotMoney));
        assert_eq!(refused(void(40, 13)), Some(NoAuthority::OtherAccount));
        assert_eq!(refused(void(40, 77)), Some(NoAuthority::UnknownRecord));
        let into_payment = entry(
            40,
            EntryBody::Correction(Correction {
                corrects: id(12),
                replacement: Box::new(EntryBody::Contribution(MoneyIn {
                    date: date!(2026 - 11 - 01),
                    amount: Money::from_pence(1),
                    reference: String::new(),
                })),
                reason: String::new(),
            }),
        );
        assert_eq!(refused(into_payment), Some(NoAuthority::KindChanged));
        assert_eq!(refused(by_council(void(40, 10))), None, "the council may");
        assert!(NoAuthority::DecidedFinally(Decision::NotAllowed).to_string().contains("not allowed"));
    }

    #[test]
    fn a_device_cannot_change_another_accounts_record() {
        let mut other = spend(11, 1_000);
        other.account = crate::entry::AccountId(Uuid::from_u128(99));
        let ledger = Ledger::from_entries([other, void(20, 11)]).unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(-1_000));
    }

    #[test]
    fn spending_decided_finally_cannot_be_cancelled_from_a_device_until_reopened() {
        let approved = decided(30, 11, Decision::Approved, Some(11), 9);
        // Recorded "before" the decision by the device's clock: still no force.
        let backdated_void = at(void(31, 11), 1);
        let ledger =
            Ledger::from_entries([payment_in(10, 10_000), spend(11, 1_000), approved.clone(), backdated_void.clone()])
                .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(9_000));
        assert!(ledger.history(id(11)).unwrap().void.is_none());
        let not_allowed = decided(32, 11, Decision::NotAllowed, Some(11), 10);
        let ledger = Ledger::from_entries([
            payment_in(10, 10_000),
            spend(11, 1_000),
            not_allowed.clone(),
            backdated_void.clone(),
        ])
        .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(9_000), "not allowed spending stays on record");
        // An officer asks again: the review is open, and the person may cancel it.
        let reopened = decided(33, 11, Decision::Question, None, 11);
        let ledger =
            Ledger::from_entries([payment_in(10, 10_000), spend(11, 1_000), not_allowed, reopened, backdated_void])
                .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(10_000));
    }

    #[test]
    fn a_final_decision_keeps_the_values_it_saw() {
        let before = at(correction(20, 11, 1_200), 8);
        let approved = decided(30, 11, Decision::Approved, Some(20), 9);
        // Sent later, but with a clock set back to before the correction the officer saw.
        let mut after = correction(21, 11, 50_000);
        after.recorded_at = datetime!(2026-11-22 07:00 UTC);
        let ledger = Ledger::from_entries([
            payment_in(10, 100_000),
            spend(11, 1_000),
            before.clone(),
            approved.clone(),
            after.clone(),
        ])
        .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(100_000 - 1_200));
        assert_eq!(ledger.spending()[0].version, id(20));
        let mut later = correction(22, 11, 50_000);
        later.recorded_at = datetime!(2026-11-22 12:00 UTC);
        let ledger =
            Ledger::from_entries([payment_in(10, 100_000), spend(11, 1_000), before.clone(), approved, later.clone()])
                .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(100_000 - 1_200));
        assert_eq!(ledger.without_force().iter().map(|e| e.id).collect::<Vec<_>>(), vec![id(22)]);
        // Decided on the original: no correction from a device counts.
        let on_original = decided(30, 11, Decision::Approved, Some(11), 9);
        let ledger =
            Ledger::from_entries([payment_in(10, 100_000), spend(11, 1_000), before.clone(), on_original]).unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(99_000));
        // A decision naming no version saw no device's correction, whatever its clock said.
        let unnamed = decided(30, 11, Decision::Approved, None, 9);
        let mut backdated = correction(23, 11, 50_000);
        backdated.recorded_at = datetime!(1970-01-01 00:00 UTC);
        let ledger =
            Ledger::from_entries([payment_in(10, 100_000), spend(11, 1_000), before, unnamed, later, backdated])
                .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(99_000));
    }

    #[test]
    fn the_councils_correction_wins_whatever_a_devices_clock_says() {
        let council = at(by_council(correction(20, 11, 1_500)), 9);
        let mut device = correction(21, 11, 9);
        device.recorded_at = datetime!(9999-12-31 23:59 UTC);
        let ledger = Ledger::from_entries([payment_in(10, 100_000), spend(11, 1_000), council, device]).unwrap();
        assert_eq!(ledger.spending()[0].amount, Money::from_pence(-1_500));
        assert_eq!(ledger.spending()[0].version, id(20));
    }

    #[test]
    fn a_closed_question_stays_closed_whatever_a_device_records_later() {
        let approved = at(
            by_council(entry(
                43,
                EntryBody::ReviewDecision(ReviewDecision {
                    about: id(40),
                    decision: Decision::Approved,
                    note: String::new(),
                    version: None,
                }),
            )),
            11,
        );
        let mut late = entry(44, EntryBody::Explanation(Explanation { about: id(40), text: "Changed my mind".into() }));
        late.recorded_at = datetime!(9999-12-31 23:59 UTC);
        let mut logged = spend_body(1_250);
        logged.answers = Some(id(40));
        let mut late_spend = entry(45, EntryBody::Spend(logged));
        late_spend.recorded_at = datetime!(9999-12-31 23:59 UTC);
        let ledger = Ledger::from_entries([query(40, -1_250), approved, late, late_spend]).unwrap();
        assert_eq!(ledger.queries()[0].status, QueryStatus::Closed(Decision::Approved));
        // A device's own "decision" is nothing.
        let forged = at(
            entry(
                46,
                EntryBody::ReviewDecision(ReviewDecision {
                    about: id(40),
                    decision: Decision::Question,
                    note: "Reopen".into(),
                    version: None,
                }),
            ),
            12,
        );
        let ledger = Ledger::from_entries([
            query(40, -1_250),
            at(
                by_council(entry(
                    43,
                    EntryBody::ReviewDecision(ReviewDecision {
                        about: id(40),
                        decision: Decision::NotAllowed,
                        note: String::new(),
                        version: None,
                    }),
                )),
                11,
            ),
            forged,
        ])
        .unwrap();
        assert_eq!(ledger.queries()[0].status, QueryStatus::Closed(Decision::NotAllowed));
    }

    #[test]
    fn monthly_figures_reach_the_end_of_time_without_panicking() {
        let mut last = spend_body(100);
        last.date = Date::MAX;
        let mut first = spend_body(100);
        first.date = Date::MIN;
        let ledger =
            Ledger::from_entries([entry(11, EntryBody::Spend(last)), entry(12, EntryBody::Spend(first))]).unwrap();
        let months = ledger.view().monthly(date!(9999 - 11 - 15), Date::MAX);
        assert_eq!(months.len(), 2);
        assert_eq!(months[1].money_out, Money::from_pence(100));
        assert_eq!(months[1].closing, Money::from_pence(-200));
        assert_eq!(ledger.view().monthly(Date::MIN, date!(-9999 - 01 - 31)).len(), 1);
    }

    #[test]
    fn balance_is_money_in_minus_money_out() {
        let ledger = Ledger::from_entries([payment_in(10, 148_000), spend(11, 1_250), spend(12, 750)]).unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(146_000));
        let with_more = Ledger::from_entries([
            payment_in(10, 100_000),
            entry(
                13,
                EntryBody::Contribution(MoneyIn {
                    date: date!(2026 - 11 - 02),
                    amount: Money::from_pence(5_000),
                    reference: String::new(),
                }),
            ),
            entry(
                14,
                EntryBody::Refund(Refund {
                    date: date!(2026 - 11 - 03),
                    amount: Money::from_pence(300),
                    payee: "Shop".into(),
                    plan_line: None,
                    refund_of: None,
                    note: String::new(),
                }),
            ),
            by_council(entry(
                15,
                EntryBody::Clawback(crate::entry::Clawback {
                    date: date!(2026 - 11 - 04),
                    amount: Money::from_pence(20_000),
                    reason: "Surplus".into(),
                }),
            )),
            spend(11, 1_000),
        ])
        .unwrap();
        assert_eq!(with_more.balance(), Money::from_pence(100_000 + 5_000 + 300 - 20_000 - 1_000));
    }

    #[test]
    fn duplicates_and_order_do_not_change_the_result() {
        let forwards = Ledger::from_entries([payment_in(10, 5_000), spend(11, 1_250)]).unwrap();
        let backwards_twice =
            Ledger::from_entries([spend(11, 1_250), payment_in(10, 5_000), spend(11, 1_250), payment_in(10, 5_000)])
                .unwrap();
        assert_eq!(forwards, backwards_twice);
        assert_eq!(backwards_twice.len(), 2);
    }

    #[test]
    fn conflicting_versions_of_an_id_resolve_the_same_whichever_comes_first() {
        let mut a = Ledger::new();
        assert_eq!(a.insert(spend(11, 1_250)), Ok(Inserted::Added));
        assert_eq!(a.insert(spend(11, 1_250)), Ok(Inserted::AlreadyHere));
        assert_eq!(a.insert(spend(11, 9_999)), Ok(Inserted::Conflict));
        let b = Ledger::from_entries([spend(11, 9_999), spend(11, 1_250)]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.conflicts().iter().copied().collect::<Vec<_>>(), vec![id(11)]);
        assert_eq!(a.balance(), Money::from_pence(-1_250));
    }

    #[test]
    fn a_device_record_cannot_take_the_id_of_a_council_record() {
        let council = payment_in(10, 148_000);
        let mut forged = spend(10, 1);
        forged.author.name = "A".into(); // sorts before the council's name
        for entries in [[council.clone(), forged.clone()], [forged.clone(), council.clone()]] {
            let ledger = Ledger::from_entries(entries).unwrap();
            assert_eq!(ledger.get(id(10)), Some(&council));
            let mut one_by_one = Ledger::new();
            for e in [forged.clone(), council.clone()] {
                one_by_one.insert(e).unwrap();
            }
            assert_eq!(one_by_one, ledger);
        }
    }

    #[test]
    fn refuses_entries_that_fail_their_checks() {
        let mut ledger = Ledger::new();
        assert_eq!(ledger.insert(spend(11, 0)), Err(EntryError::AmountNotPositive));
        assert!(ledger.is_empty());
    }

    #[test]
    fn the_latest_correction_is_in_force_and_the_original_stays() {
        let ledger = Ledger::from_entries([
            payment_in(10, 10_000),
            spend(11, 1_000),
            correction(21, 11, 1_500),
            correction(20, 11, 1_200),
        ])
        .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(8_500));
        let spending = ledger.spending();
        assert_eq!(spending.len(), 1);
        assert_eq!(spending[0].id(), id(11));
        assert_eq!(spending[0].spend().unwrap().amount, Money::from_pence(1_500));
        assert_eq!(spending[0].corrections, 2);
        let history = ledger.history(id(11)).unwrap();
        assert_eq!(history.corrections.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id(20), id(21)]);
        assert!(matches!(&history.original.body, EntryBody::Spend(s) if s.amount == Money::from_pence(1_000)));
    }

    #[test]
    fn a_correction_of_another_kind_is_ignored() {
        let bad = entry(
            20,
            EntryBody::Correction(Correction {
                corrects: id(10),
                replacement: Box::new(EntryBody::Spend(spend_body(5))),
                reason: String::new(),
            }),
        );
        let ledger = Ledger::from_entries([payment_in(10, 10_000), bad]).unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(10_000));
    }

    #[test]
    fn voided_entries_and_their_corrections_leave_the_totals() {
        let ledger =
            Ledger::from_entries([payment_in(10, 10_000), spend(11, 1_000), correction(20, 11, 2_000), void(30, 11)])
                .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(10_000));
        assert!(ledger.spending().is_empty());
        let history = ledger.history(id(11)).unwrap();
        assert_eq!(history.void.map(|v| v.id), Some(id(30)));
        assert_eq!(ledger.len(), 4, "nothing is deleted");
    }

    #[test]
    fn explanations_and_decisions_form_a_thread() {
        let mut decision = by_council(entry(
            31,
            EntryBody::ReviewDecision(ReviewDecision {
                about: id(11),
                decision: Decision::Question,
                note: "What was this for?".into(),
                version: None,
            }),
        ));
        decision.recorded_at = datetime!(2026-11-23 09:00 UTC);
        let mut answer =
            entry(32, EntryBody::Explanation(Explanation { about: id(11), text: "A day trip with my PA.".into() }));
        answer.recorded_at = datetime!(2026-11-24 09:00 UTC);
        let mut approved = by_council(entry(
            33,
            EntryBody::ReviewDecision(ReviewDecision {
                about: id(11),
                decision: Decision::Approved,
                note: String::new(),
                version: None,
            }),
        ));
        approved.recorded_at = datetime!(2026-11-25 09:00 UTC);
        let ledger = Ledger::from_entries([approved, spend(11, 1_000), answer, decision]).unwrap();
        let history = ledger.history(id(11)).unwrap();
        assert_eq!(history.thread.iter().map(|e| e.id).collect::<Vec<_>>(), vec![id(31), id(32), id(33)]);
        assert_eq!(history.decision(), Some(Decision::Approved));
        assert_eq!(ledger.histories().remove(&id(11)), Some(history));
    }

    fn plan() -> SupportPlan {
        let line = |id: &str, category, pence, period| {
            PlanLine::new(id, id, category, Money::from_pence(pence), period, date!(2026 - 11 - 02))
        };
        SupportPlan::new(
            vec![PlanVersion {
                version: 1,
                effective_from: date!(2026 - 11 - 02),
                outcomes: vec![],
                lines: vec![
                    line("day-centre", Category::DayActivities, 28_000, Period::FourWeekly),
                    line("pa", Category::PersonalAssistant, 24_000, Period::Weekly),
                ],
            }],
            None,
        )
    }

    #[test]
    fn line_usage_counts_spending_less_refunds_in_the_period() {
        let mut earlier = spend_body(9_999);
        earlier.date = date!(2026 - 11 - 01); // before the period
        let refund = entry(
            14,
            EntryBody::Refund(Refund {
                date: date!(2026 - 11 - 22),
                amount: Money::from_pence(500),
                payee: "Sunrise".into(),
                plan_line: Some(PlanLineId("day-centre".into())),
                refund_of: Some(id(11)),
                note: String::new(),
            }),
        );
        let ledger = Ledger::from_entries([
            payment_in(10, 100_000),
            spend(11, 5_000),
            spend(12, 2_000),
            entry(13, EntryBody::Spend(earlier)),
            refund,
        ])
        .unwrap();
        let plan = plan();
        let usage = ledger.line_usage(&plan, &PlanLineId("day-centre".into()), date!(2026 - 11 - 25)).unwrap();
        assert_eq!((usage.from, usage.to), (date!(2026 - 11 - 02), date!(2026 - 11 - 29)));
        assert_eq!(usage.spent, Money::from_pence(6_500));
        assert_eq!(usage.left, Money::from_pence(21_500));
        let all = ledger.lines_usage(&plan, date!(2026 - 11 - 25));
        assert_eq!(all.len(), 2);
        for u in &all {
            assert_eq!(
                Some(u),
                ledger.line_usage(&plan, &u.line.id, date!(2026 - 11 - 25)).as_ref(),
                "{}",
                u.line.name
            );
        }
        let next_period = ledger.line_usage(&plan, &PlanLineId("day-centre".into()), date!(2026 - 11 - 30)).unwrap();
        assert_eq!(next_period.spent, Money::ZERO);
    }

    #[test]
    fn statements_balance_opening_in_out_and_closing() {
        let mut early = spend_body(1_000);
        early.date = date!(2026 - 10 - 15);
        let mut early_in = payment_in(9, 50_000);
        if let EntryBody::PaymentIn(m) = &mut early_in.body {
            m.date = date!(2026 - 10 - 01);
        }
        let ledger = Ledger::from_entries([
            early_in,
            entry(8, EntryBody::Spend(early)),
            payment_in(10, 100_000),
            spend(11, 1_250),
            spend(12, 750),
        ])
        .unwrap();
        let statement = ledger.statement(date!(2026 - 11 - 01), date!(2026 - 11 - 30));
        assert_eq!(statement.opening, Money::from_pence(49_000));
        assert_eq!(statement.money_in, Money::from_pence(100_000));
        assert_eq!(statement.money_out, Money::from_pence(2_000));
        assert_eq!(statement.closing, Money::from_pence(147_000));
        assert_eq!(statement.closing, ledger.balance());
        assert_eq!(statement.lines.len(), 3);
    }

    #[test]
    fn monthly_figures_carry_the_balance_forward() {
        let mut october = spend_body(2_000);
        october.date = date!(2026 - 10 - 20);
        let ledger =
            Ledger::from_entries([payment_in(10, 100_000), entry(11, EntryBody::Spend(october)), spend(12, 1_250)])
                .unwrap();
        let months = ledger.view().monthly(date!(2026 - 09 - 15), date!(2026 - 11 - 30));
        let figures: Vec<(u8, i64, i64, i64)> = months
            .iter()
            .map(|m| {
                (
                    m.month.month() as u8,
                    m.money_in.pence().unwrap(),
                    m.money_out.pence().unwrap(),
                    m.closing.pence().unwrap(),
                )
            })
            .collect();
        assert_eq!(figures, vec![(9, 0, 0, 0), (10, 0, 2_000, -2_000), (11, 100_000, 1_250, 96_750)]);
    }

    #[test]
    fn spending_counts_towards_the_outcome_it_served_never_twice() {
        use crate::plan::{Outcome, OutcomeId};
        let mut plan = plan();
        let outcome = |id: &str| Outcome { id: OutcomeId(id.into()), text: id.into() };
        plan.versions[0].outcomes = vec![outcome("friends"), outcome("fresh-air"), outcome("meals")];
        plan.versions[0].lines[0].outcomes = vec![OutcomeId("friends".into())]; // day centre: one outcome
        plan.versions[0].lines[1].outcomes = vec![OutcomeId("fresh-air".into()), OutcomeId("meals".into())]; // PA: two
        let mut named = spend_body(700);
        named.plan_line = Some(PlanLineId("pa".into()));
        named.outcome = Some(OutcomeId("meals".into()));
        let mut unnamed_pa = spend_body(900);
        unnamed_pa.plan_line = Some(PlanLineId("pa".into()));
        let ledger = Ledger::from_entries([
            spend(11, 1_250),
            entry(12, EntryBody::Spend(named)),
            entry(13, EntryBody::Spend(unnamed_pa)),
        ])
        .unwrap();
        let totals: Vec<(String, i64)> = ledger
            .view()
            .spending_by_outcome(&plan, date!(2026 - 11 - 01), date!(2026 - 11 - 30))
            .into_iter()
            .map(|(o, m)| (o.id.0.clone(), m.pence().unwrap()))
            .collect();
        assert_eq!(totals, vec![("friends".into(), 1_250), ("fresh-air".into(), 0), ("meals".into(), 700)]);
    }

    #[test]
    fn surplus_is_the_balance_above_the_contingency() {
        let plan = plan(); // weekly: 280 / 4 + 240 = £310
        let policy = CouncilPolicy { contingency_weeks: 4, ..CouncilPolicy::default() };
        let ledger = Ledger::from_entries([payment_in(10, 150_000)]).unwrap();
        let s = ledger.surplus(&plan, &policy, date!(2026 - 11 - 25));
        assert_eq!(s.weekly_budget, Money::from_pence(31_000));
        assert_eq!(s.allowed, Money::from_pence(124_000));
        assert_eq!(s.surplus, Money::from_pence(26_000));
        let small = Ledger::from_entries([payment_in(10, 1_000)]).unwrap();
        assert_eq!(small.surplus(&plan, &policy, date!(2026 - 11 - 25)).surplus, Money::ZERO);
    }
}
