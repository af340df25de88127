//! The plan rules: which spending the person should explain, which is against the rules,
//! and what a council officer may want to look at.
//!
//! [`Rules::check_draft`] judges one spend before it is saved (the wallet shows the flags
//! at the moment of entry); [`Rules::review`] judges every spend of an account in one pass
//! (the council's review queue) and gives the account-level flags and safeguarding
//! signals. Both use the same per-spend checks, so the person and the council always see
//! the same flags.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use time::Date;

use crate::date::{add_days, long_date};
use crate::entry::{Entry, EntryBody, EntryId, PaymentMethod, Spend};
use crate::ledger::{sum, surplus_in, Active, Ledger, View};
use crate::money::Money;
use crate::plan::{Category, Period, PlanLine, SupportPlan};
use crate::policy::CouncilPolicy;

/// How serious a flag is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The person should say why; saving goes ahead.
    Explain,
    /// Against the rules: the council will review it.
    NotAllowed,
}

/// The rule a spend was flagged under. [`Rule::ALL`] lists every one, in the order Help
/// explains them; every function of a rule names each rule (no catch-all arm), so a new
/// rule cannot be added without its severity, title and advice.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Rule {
    NoPlanLine,
    LineNotInPlan,
    OverBudget,
    PayeeNotApproved,
    ReceiptMissing,
    PossibleDuplicate,
    BalanceBelowZero,
    FutureDate,
    OutsidePlanDates,
    CloseRelativeInHousehold,
    BannedCategory,
    CashNotAllowed,
    RespiteCap,
    OverEntryMaximum,
}

impl Rule {
    /// Every rule, in the order they are declared (and explained in Help).
    pub const ALL: &'static [Rule] = <Rule as strum::VariantArray>::VARIANTS;

    /// The rule's name in JSON and in addresses (`receipt_missing`).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NoPlanLine => "no_plan_line",
            Rule::LineNotInPlan => "line_not_in_plan",
            Rule::OverBudget => "over_budget",
            Rule::PayeeNotApproved => "payee_not_approved",
            Rule::ReceiptMissing => "receipt_missing",
            Rule::PossibleDuplicate => "possible_duplicate",
            Rule::BalanceBelowZero => "balance_below_zero",
            Rule::FutureDate => "future_date",
            Rule::OutsidePlanDates => "outside_plan_dates",
            Rule::CloseRelativeInHousehold => "close_relative_in_household",
            Rule::BannedCategory => "banned_category",
            Rule::CashNotAllowed => "cash_not_allowed",
            Rule::RespiteCap => "respite_cap",
            Rule::OverEntryMaximum => "over_entry_maximum",
        }
    }

    /// The rule named `text` ([`Rule::as_str`]).
    pub fn parse(text: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.as_str() == text)
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::CloseRelativeInHousehold
            | Rule::BannedCategory
            | Rule::CashNotAllowed
            | Rule::RespiteCap
            | Rule::OverEntryMaximum => Severity::NotAllowed,
            Rule::FutureDate
            | Rule::OutsidePlanDates
            | Rule::NoPlanLine
            | Rule::LineNotInPlan
            | Rule::OverBudget
            | Rule::PayeeNotApproved
            | Rule::ReceiptMissing
            | Rule::PossibleDuplicate
            | Rule::BalanceBelowZero => Severity::Explain,
        }
    }

    /// The rule's name, as people see it.
    pub fn title(self) -> &'static str {
        match self {
            Rule::FutureDate => "Date in the future",
            Rule::OutsidePlanDates => "Outside the dates of your support plan",
            Rule::NoPlanLine => "Not linked to your support plan",
            Rule::LineNotInPlan => "Not a line of your support plan",
            Rule::OverBudget => "Over the budget for this part of your plan",
            Rule::PayeeNotApproved => "Not one of the approved payees",
            Rule::CloseRelativeInHousehold => "Paying a close relative who lives with you",
            Rule::BannedCategory => "Something the council does not allow",
            Rule::CashNotAllowed => "Cash is not allowed",
            Rule::ReceiptMissing => "Receipt needed",
            Rule::PossibleDuplicate => "Possibly logged twice",
            Rule::BalanceBelowZero => "More than the money in the account",
            Rule::RespiteCap => "More respite than allowed in a year",
            Rule::OverEntryMaximum => "Larger than the council allows in one payment",
        }
    }

    /// What the person can do about it.
    pub fn what_to_do(self) -> &'static str {
        match self {
            Rule::FutureDate => "Check the date. If it is right, say why the payment is dated ahead.",
            Rule::OutsidePlanDates => "Check the date, or say what the spending was for.",
            Rule::NoPlanLine => "Choose the plan line it was for, or say which of your needs it met.",
            Rule::LineNotInPlan => "Choose a line from your current support plan.",
            Rule::OverBudget => "Say why more was needed this time. Your council may review your plan.",
            Rule::PayeeNotApproved => "Check who was paid, or say why you used someone else.",
            Rule::CloseRelativeInHousehold => {
                "The council must agree this first. If it has, add the reference of its decision."
            }
            Rule::BannedCategory => "The council will review this. Say what it was for.",
            Rule::CashNotAllowed => "The council will review this. Say why cash was used.",
            Rule::ReceiptMissing => "Add a photo of the receipt or invoice.",
            Rule::PossibleDuplicate => "If it was logged twice, cancel one. If both are right, say so.",
            Rule::BalanceBelowZero => "Check the amount. Tell your council if you are short of money.",
            Rule::RespiteCap => "The council will review this. Say why a longer break was needed.",
            Rule::OverEntryMaximum => "Check the amount, or contact your council about large payments.",
        }
    }
}

/// One reason a spend needs a look: the rule and the facts behind it. The sentence people
/// read is made by [`Flag::reason`] when it is shown, not when every spend is checked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Flag {
    FutureDate {
        #[serde(with = "crate::date::iso")]
        date: Date,
    },
    OutsidePlanDates {
        #[serde(with = "crate::date::iso")]
        date: Date,
        #[serde(default, with = "crate::date::iso::option")]
        plan_starts: Option<Date>,
        #[serde(default, with = "crate::date::iso::option")]
        plan_ends: Option<Date>,
    },
    NoPlanLine,
    LineNotInPlan {
        line: String,
        #[serde(with = "crate::date::iso")]
        date: Date,
    },
    OverBudget {
        line: String,
        budget: Money,
        period: Period,
        spent: Money,
        #[serde(with = "crate::date::iso")]
        from: Date,
        #[serde(with = "crate::date::iso")]
        to: Date,
    },
    PayeeNotApproved {
        payee: String,
        line: String,
        approved: Vec<String>,
    },
    CloseRelativeInHousehold,
    BannedCategory {
        category: Category,
        why: String,
    },
    CashNotAllowed,
    /// `threshold` is `None` for cash, which always needs a receipt.
    ReceiptMissing {
        threshold: Option<Money>,
    },
    PossibleDuplicate {
        payee: String,
        amount: Money,
        #[serde(with = "crate::date::iso")]
        date: Date,
    },
    BalanceBelowZero {
        overdrawn: Money,
    },
    RespiteCap {
        days: u32,
        #[serde(with = "crate::date::iso")]
        date: Date,
        cap_weeks: u32,
    },
    OverEntryMaximum {
        maximum: Money,
    },
}

impl Flag {
    pub fn rule(&self) -> Rule {
        match self {
            Flag::FutureDate { .. } => Rule::FutureDate,
            Flag::OutsidePlanDates { .. } => Rule::OutsidePlanDates,
            Flag::NoPlanLine => Rule::NoPlanLine,
            Flag::LineNotInPlan { .. } => Rule::LineNotInPlan,
            Flag::OverBudget { .. } => Rule::OverBudget,
            Flag::PayeeNotApproved { .. } => Rule::PayeeNotApproved,
            Flag::CloseRelativeInHousehold => Rule::CloseRelativeInHousehold,
            Flag::BannedCategory { .. } => Rule::BannedCategory,
            Flag::CashNotAllowed => Rule::CashNotAllowed,
            Flag::ReceiptMissing { .. } => Rule::ReceiptMissing,
            Flag::PossibleDuplicate { .. } => Rule::PossibleDuplicate,
            Flag::BalanceBelowZero { .. } => Rule::BalanceBelowZero,
            Flag::RespiteCap { .. } => Rule::RespiteCap,
            Flag::OverEntryMaximum { .. } => Rule::OverEntryMaximum,
        }
    }

    pub fn severity(&self) -> Severity {
        self.rule().severity()
    }

    /// What happened, with the figures, in plain English.
    pub fn reason(&self) -> String {
        match self {
            Flag::FutureDate { date } => format!("The date, {}, is after today.", long_date(*date)),
            Flag::OutsidePlanDates { date, plan_starts, plan_ends } => {
                let span = match (plan_starts, plan_ends) {
                    (Some(start), Some(end)) => format!("from {} to {}", long_date(*start), long_date(*end)),
                    (Some(start), None) => format!("from {}", long_date(*start)),
                    _ => "at no date: there is no support plan yet".to_owned(),
                };
                format!("{} is outside your support plan, which runs {span}.", long_date(*date))
            }
            Flag::NoPlanLine => "This spending is not linked to a line of your support plan.".to_owned(),
            Flag::LineNotInPlan { line, date } => format!("\"{line}\" is not part of your support plan on {}.", long_date(*date)),
            Flag::OverBudget { line, budget, period, spent, from, to } => {
                let over = spent.checked_sub(*budget).unwrap_or(Money::ZERO);
                format!(
                    "This takes {line} {over} over its budget of {budget} {}: {spent} spent between {} and {}.",
                    period.phrase(),
                    long_date(*from),
                    long_date(*to)
                )
            }
            Flag::PayeeNotApproved { payee, line, approved } => {
                format!("{payee} is not on the list of payees agreed for {line}: {}.", approved.join(", "))
            }
            Flag::CloseRelativeInHousehold => "The law does not allow paying a close relative who lives in the same household, unless the council has decided it is necessary and recorded that decision.".to_owned(),
            Flag::BannedCategory { category, why } => {
                format!("Your council does not allow spending on {}: {why}", category.label().to_lowercase())
            }
            Flag::CashNotAllowed => "Your council does not allow paying in cash from your direct payment.".to_owned(),
            Flag::ReceiptMissing { threshold: None } => "Cash payments always need a receipt showing who was paid.".to_owned(),
            Flag::ReceiptMissing { threshold: Some(threshold) } => {
                format!("Spending of {threshold} or more needs a receipt or invoice.")
            }
            Flag::PossibleDuplicate { payee, amount, date } => {
                format!("{amount} to {payee} on {} is logged more than once.", long_date(*date))
            }
            Flag::BalanceBelowZero { overdrawn } => format!("After this, the account would be {overdrawn} overdrawn."),
            Flag::RespiteCap { days, date, cap_weeks } => format!(
                "This brings respite to {days} days in the 12 months to {}; your council allows {cap_weeks} weeks ({} days).",
                long_date(*date),
                cap_weeks * 7
            ),
            Flag::OverEntryMaximum { maximum } => format!("Your council allows at most {maximum} in one payment."),
        }
    }
}

/// Account-level flags: about the account as a whole, not one spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRule {
    SurplusAboveContingency,
    PlanEndingSoon,
    NoRecentSpending,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountFlag {
    pub rule: AccountRule,
    pub reason: String,
}

/// Something a council officer may want to look at, worded without blame. Never shown to
/// the person as an accusation. Each carries the figures behind it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// Payments to one payee well above that payee's recent average.
    PayeeRising { payee: String, last_four_weeks: Money, usual_four_weeks: Money },
    /// Cash is a larger share of spending than the council's set share.
    CashShare { cash: Money, all_spending: Money, percent: u32 },
    /// A new payee received a large amount in their first four weeks.
    NewPayee {
        payee: String,
        #[serde(with = "crate::date::iso")]
        first_paid: Date,
        first_four_weeks: Money,
    },
}

impl Signal {
    /// What the signal is about, stable from one day to the next (the figures change):
    /// officers' notes about a signal are kept under it.
    pub fn key(&self) -> String {
        match self {
            Signal::PayeeRising { payee, .. } => format!("payee_rising:{}", payee.trim().to_lowercase()),
            Signal::CashShare { .. } => "cash_share".to_owned(),
            Signal::NewPayee { payee, .. } => format!("new_payee:{}", payee.trim().to_lowercase()),
        }
    }

    /// A short title, without blame.
    pub fn title(&self) -> String {
        match self {
            Signal::PayeeRising { payee, .. } => format!("Payments to {payee} have risen"),
            Signal::CashShare { .. } => "More spending in cash than usual".to_owned(),
            Signal::NewPayee { payee, .. } => format!("A new payee, {payee}, received a large amount"),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Signal::PayeeRising { payee, last_four_weeks, usual_four_weeks } => format!(
                "Payments to {payee} in the last 4 weeks came to {last_four_weeks}, against a usual {usual_four_weeks} for 4 weeks."
            ),
            Signal::CashShare { cash, all_spending, percent } => format!(
                "Cash was {percent}% of spending in the last 4 weeks ({cash} of {all_spending})."
            ),
            Signal::NewPayee { payee, first_paid, first_four_weeks } => format!(
                "{payee} was first paid on {} and received {first_four_weeks} in their first 4 weeks.",
                long_date(*first_paid)
            ),
        }
    }
}

/// The result of reviewing a whole account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Review {
    /// Flags of each flagged spend (spends with no flag are not listed).
    pub spends: BTreeMap<EntryId, Vec<Flag>>,
    pub account: Vec<AccountFlag>,
    pub signals: Vec<Signal>,
}

/// The plan, the council's policy and today's date: everything the rules need besides the
/// entries. `today` is passed in; the ledger reads no clock.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'a> {
    pub plan: &'a SupportPlan,
    pub policy: &'a CouncilPolicy,
    pub today: Date,
}

/// The id a new draft is checked under (no record has it: ids are UUID v7).
const DRAFT: EntryId = EntryId(uuid::Uuid::max());

/// What the per-spend checks need to know about the rest of the account.
struct Context<'p> {
    /// The spend's payee, normalised.
    payee: &'p str,
    /// Spending (less refunds) on the spend's line in its budget period, up to and
    /// including this spend.
    line_spent: Money,
    /// The running balance right after this spend.
    balance_after: Money,
    duplicate: bool,
    /// Respite days in the 365 days ending on the spend's date, including this spend.
    respite_days: u32,
}

/// "Sunrise  Day Centre " and "sunrise day centre" are the same payee.
pub fn normalise_payee(payee: &str) -> String {
    normalised_chars(payee).collect()
}

/// The characters of [`normalise_payee`]'s result, without building it: lower case, words
/// separated by one space.
fn normalised_chars(payee: &str) -> impl Iterator<Item = char> + '_ {
    payee
        .split_whitespace()
        .enumerate()
        .flat_map(|(i, word)| (i > 0).then_some(' ').into_iter().chain(word.chars().flat_map(char::to_lowercase)))
}

/// Each active spend's payee as a small number (equal numbers: the same payee once
/// normalised), so grouping and comparing payees needs no string work per spend. Only
/// distinct payee spellings are normalised.
struct Payees<'a> {
    /// Aligned with the active entries; `None` for entries that are not spends.
    ids: Vec<Option<usize>>,
    /// Per id: the normalised name, and the name as first written.
    names: Vec<(String, &'a str)>,
}

impl<'a> Payees<'a> {
    fn of(active: &[Active<'a>]) -> Payees<'a> {
        let mut by_spelling: HashMap<&'a str, usize> = HashMap::default();
        let mut by_name: HashMap<String, usize> = HashMap::default();
        let mut names: Vec<(String, &'a str)> = Vec::new();
        let ids = active
            .iter()
            .map(|a| {
                let spend = a.spend()?;
                let spelling = spend.payee.as_str();
                Some(*by_spelling.entry(spelling).or_insert_with(|| {
                    let normal = normalise_payee(spelling);
                    *by_name.entry(normal.clone()).or_insert_with(|| {
                        names.push((normal, spelling.trim()));
                        names.len() - 1
                    })
                }))
            })
            .collect();
        Payees { ids, names }
    }
}

const DAYS_IN_FOUR_WEEKS: i64 = 28;
const PLAN_ENDING_DAYS: i64 = 28;
const NO_SPENDING_DAYS: i64 = 56;
/// How far back "new payee" looks: a payee first paid in the last quarter.
const NEW_PAYEE_LOOKBACK_DAYS: i64 = 91;

impl<'a> Rules<'a> {
    /// What a spend was for: its own category, or its plan line's.
    fn category(spend: &Spend, line: Option<&PlanLine>) -> Option<Category> {
        spend.category.or(line.map(|l| l.category))
    }

    /// The flags a spend would raise if saved now: the review's flags for it, placed
    /// among the others where it will stand once saved. `id` is the spend's own id when it
    /// is already in the ledger (a correction being checked): it keeps its place and is not
    /// compared with itself. There is one path for the rules, so the person at the moment
    /// of entry and the council's review always agree.
    pub fn check_draft(&self, ledger: &Ledger, id: Option<EntryId>, spend: &Spend) -> Vec<Flag> {
        let view = ledger.view();
        // A new record is recorded after every record here; a corrected one keeps the
        // original's place.
        let recorded_at = match id.and_then(|id| ledger.get(id)) {
            Some(original) => original.recorded_at,
            None => ledger
                .entries()
                .map(|e| e.recorded_at)
                .max()
                .and_then(|latest| latest.checked_add(time::Duration::nanoseconds(1)))
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        };
        let draft = Entry {
            id: id.unwrap_or(DRAFT),
            account: crate::entry::AccountId(uuid::Uuid::nil()),
            author: crate::entry::Author { name: String::new(), device: None, device_seq: None },
            recorded_at,
            body: EntryBody::Spend(spend.clone()),
        };
        let placed = Active {
            original: &draft,
            body: &draft.body,
            corrections: 0,
            date: spend.date,
            amount: -spend.amount,
            version: draft.id,
        };
        let key = |a: &Active<'_>| (a.date, a.original.recorded_at, a.id());
        let mut active: Vec<Active<'_>> = view.active.iter().filter(|a| a.id() != draft.id).copied().collect();
        let at = active.partition_point(|a| key(a) < key(&placed));
        active.insert(at, placed);
        self.spend_flags(&active, &Payees::of(&active)).remove(&draft.id).unwrap_or_default()
    }

    /// Every spend's flags, the account flags and the safeguarding signals, in one pass
    /// over the entries in date order.
    pub fn review(&self, ledger: &Ledger) -> Review {
        self.review_view(&ledger.view())
    }

    /// [`Rules::review`] of an active set already computed.
    pub fn review_view(&self, view: &View<'_>) -> Review {
        let payees = Payees::of(&view.active);
        Review {
            spends: self.spend_flags(&view.active, &payees),
            account: self.account_flags_in(&view.active),
            signals: self.signals_in(&view.active, &payees),
        }
    }

    /// Every spend's flags, in one pass over the active set in date order: the one path
    /// for the per-spend rules, at entry and in the review.
    fn spend_flags(&self, active: &[Active<'_>], payees: &Payees<'_>) -> BTreeMap<EntryId, Vec<Flag>> {
        let lines = self.plan.line_index();
        let line_of = |s: &Spend| lines.line_on(s.plan_line.as_ref()?, s.date);
        let mut duplicates: HashMap<(usize, Money, Date), u32> =
            HashMap::with_capacity_and_hasher(active.len(), Default::default());
        for (a, payee) in active.iter().zip(&payees.ids) {
            if let (Some(s), Some(payee)) = (a.spend(), payee) {
                *duplicates.entry((*payee, s.amount, s.date)).or_default() += 1;
            }
        }
        let mut balance = Money::ZERO;
        // Each plan line's budget period so far and the spending in it; lines by address,
        // so no name is copied. The active set is in date order, so a line's periods come
        // one after another: a period is worked out only when a date passes its end.
        let mut line_periods: HashMap<*const PlanLine, (Date, Date, Money)> =
            HashMap::with_capacity_and_hasher(64, Default::default());
        let mut add_to_line = |line: Option<&PlanLine>, date: Date, amount: Money| {
            let line = line?;
            let slot = line_periods.entry(line as *const PlanLine).or_insert((Date::MAX, Date::MIN, Money::ZERO));
            if !(slot.0..=slot.1).contains(&date) {
                let (from, to) = line.period_containing(date)?;
                *slot = (from, to, Money::ZERO);
            }
            slot.2 = slot.2.checked_add(amount).expect("capped amounts cannot overflow");
            Some(slot.2)
        };
        let mut respite: Vec<(Date, u32)> = Vec::new();
        let mut respite_window_start = 0;
        let mut respite_window_days = 0u32;
        let mut spends = BTreeMap::new();
        for (entry, payee) in active.iter().zip(&payees.ids) {
            let (_, movement) = entry.movement();
            balance = balance.checked_add(movement).expect("capped amounts cannot overflow");
            let spend_line = entry.spend().and_then(line_of);
            let line_spent = match entry.body {
                EntryBody::Spend(s) => add_to_line(spend_line, s.date, s.amount),
                EntryBody::Refund(r) => {
                    add_to_line(r.plan_line.as_ref().and_then(|id| lines.line_on(id, r.date)), r.date, -r.amount);
                    None
                }
                _ => None,
            };
            let (Some(spend), Some(payee)) = (entry.spend(), payee) else { continue };
            let respite_days = if Self::category(spend, spend_line) == Some(Category::Respite) {
                respite.push((spend.date, spend.respite_days.unwrap_or(0)));
                respite_window_days += spend.respite_days.unwrap_or(0);
                while respite[respite_window_start].0 < add_days(spend.date, -364) {
                    respite_window_days -= respite[respite_window_start].1;
                    respite_window_start += 1;
                }
                respite_window_days
            } else {
                0
            };
            let context = Context {
                payee: &payees.names[*payee].0,
                line_spent: line_spent.unwrap_or(spend.amount),
                balance_after: balance,
                duplicate: duplicates[&(*payee, spend.amount, spend.date)] > 1,
                respite_days,
            };
            let flags = self.flags(spend, spend_line, &context);
            if !flags.is_empty() {
                spends.insert(entry.id(), flags);
            }
        }
        spends
    }

    /// The per-spend checks, given what the rest of the account says.
    fn flags(&self, spend: &Spend, line: Option<&PlanLine>, context: &Context<'_>) -> Vec<Flag> {
        let mut flags = Vec::new();
        let policy = self.policy;

        if spend.date > self.today {
            flags.push(Flag::FutureDate { date: spend.date });
        }
        let outside_line = line.is_some_and(|l| !l.runs_on(spend.date));
        if !self.plan.covers(spend.date) || outside_line {
            flags.push(Flag::OutsidePlanDates {
                date: spend.date,
                plan_starts: self.plan.starts_on(),
                plan_ends: self.plan.ends_on,
            });
        }
        match (&spend.plan_line, line) {
            (None, _) => flags.push(Flag::NoPlanLine),
            (Some(id), None) if self.plan.covers(spend.date) => {
                let name = self.plan.any_line(id).map(|l| l.name.clone()).unwrap_or_else(|| id.0.clone());
                flags.push(Flag::LineNotInPlan { line: name, date: spend.date });
            }
            _ => {}
        }
        if let Some(line) = line {
            if context.line_spent > line.budget {
                let (from, to) = line.period_containing(spend.date).unwrap_or((spend.date, spend.date));
                flags.push(Flag::OverBudget {
                    line: line.name.clone(),
                    budget: line.budget,
                    period: line.period,
                    spent: context.line_spent,
                    from,
                    to,
                });
            }
            if !line.approved_payees.is_empty()
                && !line.approved_payees.iter().any(|p| normalised_chars(p).eq(context.payee.chars()))
            {
                flags.push(Flag::PayeeNotApproved {
                    payee: spend.payee.clone(),
                    line: line.name.clone(),
                    approved: line.approved_payees.clone(),
                });
            }
        }
        if spend.close_relative_in_household
            && policy.close_relative_needs_authorisation
            && spend.council_authorisation.is_none()
        {
            flags.push(Flag::CloseRelativeInHousehold);
        }
        if let Some(banned) = Self::category(spend, line).and_then(|c| policy.banned(c)) {
            flags.push(Flag::BannedCategory { category: banned.category, why: banned.reason.clone() });
        }
        if spend.method == PaymentMethod::Cash && !policy.cash_allowed {
            flags.push(Flag::CashNotAllowed);
        }
        let threshold = line.and_then(|l| l.receipt_threshold).unwrap_or(policy.receipt_threshold);
        if spend.receipts.is_empty() {
            if spend.method == PaymentMethod::Cash {
                flags.push(Flag::ReceiptMissing { threshold: None });
            } else if spend.amount >= threshold {
                flags.push(Flag::ReceiptMissing { threshold: Some(threshold) });
            }
        }
        if context.duplicate {
            flags.push(Flag::PossibleDuplicate { payee: spend.payee.clone(), amount: spend.amount, date: spend.date });
        }
        if context.balance_after.is_negative() {
            flags.push(Flag::BalanceBelowZero { overdrawn: -context.balance_after });
        }
        if context.respite_days > policy.respite_cap_weeks * 7 {
            flags.push(Flag::RespiteCap {
                days: context.respite_days,
                date: spend.date,
                cap_weeks: policy.respite_cap_weeks,
            });
        }
        if spend.amount > policy.per_entry_maximum {
            flags.push(Flag::OverEntryMaximum { maximum: policy.per_entry_maximum });
        }
        flags
    }

    /// Flags about the account as a whole, as of today.
    pub fn account_flags(&self, ledger: &Ledger) -> Vec<AccountFlag> {
        self.account_flags_in(&ledger.active())
    }

    fn account_flags_in(&self, active: &[Active<'_>]) -> Vec<AccountFlag> {
        let mut flags = Vec::new();
        let surplus = surplus_in(active, self.plan, self.policy, self.today);
        if surplus.surplus.is_positive() {
            flags.push(AccountFlag {
                rule: AccountRule::SurplusAboveContingency,
                reason: format!(
                    "The account holds {}, which is {} more than the {} weeks of budget ({}) the council lets an account keep. The council may ask for the surplus back.",
                    surplus.balance, surplus.surplus, self.policy.contingency_weeks, surplus.allowed
                ),
            });
        }
        if let Some(end) = self.plan.ends_on {
            if (self.today..=add_days(self.today, PLAN_ENDING_DAYS)).contains(&end) {
                flags.push(AccountFlag {
                    rule: AccountRule::PlanEndingSoon,
                    reason: format!(
                        "The support plan ends on {}. The council should review it before then.",
                        long_date(end)
                    ),
                });
            }
        }
        let quiet_since = add_days(self.today, -NO_SPENDING_DAYS);
        let started_long_ago = self.plan.starts_on().is_some_and(|s| s <= quiet_since);
        let spent_lately =
            active.iter().filter_map(|a| a.spend()).any(|s| s.date > quiet_since && s.date <= self.today);
        if started_long_ago && !spent_lately {
            flags.push(AccountFlag {
                rule: AccountRule::NoRecentSpending,
                reason: format!("No spending has been logged for 8 weeks (since {}).", long_date(quiet_since)),
            });
        }
        flags
    }

    /// Safeguarding signals for a council officer, as of today.
    pub fn signals(&self, ledger: &Ledger) -> Vec<Signal> {
        let active = ledger.active();
        let payees = Payees::of(&active);
        self.signals_in(&active, &payees)
    }

    fn signals_in(&self, active: &[Active<'_>], payees: &Payees<'_>) -> Vec<Signal> {
        let thresholds = &self.policy.safeguarding;
        let spends: Vec<(&Spend, usize)> = active
            .iter()
            .zip(&payees.ids)
            .filter_map(|(a, p)| Some((a.spend()?, (*p)?)))
            .filter(|(s, _)| s.date <= self.today)
            .collect();
        let recent_from = add_days(self.today, -(DAYS_IN_FOUR_WEEKS - 1));
        let history_weeks = thresholds.payee_history_weeks.max(1);
        let history_from = add_days(recent_from, -7 * i64::from(history_weeks));
        let mut signals = Vec::new();

        // Per payee: recent and usual amounts, first date paid.
        #[derive(Clone, Default)]
        struct PayeeFigures {
            recent: Money,
            history: Money,
            first: Option<Date>,
        }
        let mut figures = vec![PayeeFigures::default(); payees.names.len()];
        for &(s, payee) in &spends {
            let f = &mut figures[payee];
            if s.date >= recent_from {
                f.recent = f.recent.saturating_add(s.amount);
            } else if s.date >= history_from {
                f.history = f.history.saturating_add(s.amount);
            }
            f.first = Some(f.first.map_or(s.date, |first| first.min(s.date)));
        }
        // In order of name, so the list is the same every time (names are unique).
        let mut order: Vec<usize> = (0..payees.names.len()).collect();
        order.sort_unstable_by(|a, b| payees.names[*a].0.cmp(&payees.names[*b].0));
        for payee in order {
            let (f, name) = (&figures[payee], payees.names[payee].1.to_owned());
            let usual = f.history.mul_div(4, history_weeks.into());
            if usual.is_positive()
                && f.recent >= thresholds.payee_rise_minimum
                && f.recent.mul_div(100, 1) > usual.mul_div(thresholds.payee_rise_percent.into(), 1)
            {
                signals.push(Signal::PayeeRising {
                    payee: name.clone(),
                    last_four_weeks: f.recent,
                    usual_four_weeks: usual,
                });
            }
            if let Some(first) = f.first {
                if first > add_days(self.today, -NEW_PAYEE_LOOKBACK_DAYS) {
                    let first_window = add_days(first, DAYS_IN_FOUR_WEEKS - 1);
                    let total = sum(spends
                        .iter()
                        .filter(|(s, p)| *p == payee && s.date <= first_window)
                        .map(|(s, _)| s.amount));
                    if total > thresholds.new_payee_amount {
                        signals.push(Signal::NewPayee { payee: name, first_paid: first, first_four_weeks: total });
                    }
                }
            }
        }
        let recent: Vec<&Spend> = spends.iter().map(|(s, _)| *s).filter(|s| s.date >= recent_from).collect();
        let all_spending = sum(recent.iter().map(|s| s.amount));
        let cash = sum(recent.iter().filter(|s| s.method == PaymentMethod::Cash).map(|s| s.amount));
        if let Some(percent) = cash.percent_of(all_spending) {
            if percent > thresholds.cash_share_percent {
                signals.push(Signal::CashShare { cash, all_spending, percent });
            }
        }
        signals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::tests::{entry, payment_in, spend_body};
    use crate::entry::{PlanLineId, ReceiptRef};
    use crate::plan::{Period, PlanVersion};
    use crate::policy::BannedCategory as Banned;
    use time::macros::{date, datetime};
    use time::Duration;

    const TODAY: Date = date!(2026 - 11 - 25);

    fn plan() -> SupportPlan {
        let line = |id: &str, name: &str, category, pence, period| {
            PlanLine::new(id, name, category, Money::from_pence(pence), period, date!(2026 - 11 - 02))
        };
        let mut pa = line("pa", "PA hours", Category::PersonalAssistant, 24_000, Period::Weekly);
        pa.approved_payees = vec!["Jo Smith".into()];
        SupportPlan::new(
            vec![PlanVersion {
                version: 1,
                effective_from: date!(2026 - 11 - 02),
                outcomes: vec![],
                lines: vec![
                    line("day-centre", "Day centre", Category::DayActivities, 28_000, Period::FourWeekly),
                    pa,
                    line("respite", "Respite breaks", Category::Respite, 150_000, Period::Yearly),
                ],
            }],
            Some(date!(2027 - 11 - 01)),
        )
    }

    fn spend_entry(n: u128, f: impl FnOnce(&mut Spend)) -> Entry {
        let mut s = spend_body(1_250);
        f(&mut s);
        let mut e = entry(n, EntryBody::Spend(s));
        e.recorded_at = datetime!(2026-11-22 10:00 UTC) + Duration::minutes(n as i64);
        e
    }

    /// The rules a new spend raises, given earlier entries and a policy: checked both as a
    /// draft and, once saved, by the whole-account review.
    fn check(earlier: Vec<Entry>, policy: CouncilPolicy, draft: impl FnOnce(&mut Spend), expected: &[Rule]) {
        let plan = plan();
        let rules = Rules { plan: &plan, policy: &policy, today: TODAY };
        let mut ledger = Ledger::from_entries(earlier).unwrap();
        let new = spend_entry(99, draft);
        let EntryBody::Spend(spend) = &new.body else { unreachable!() };
        let at_entry: Vec<Rule> = rules.check_draft(&ledger, None, spend).iter().map(Flag::rule).collect();
        assert_eq!(at_entry, expected, "draft {spend:?}");
        ledger.insert(new.clone()).unwrap();
        let reviewed: Vec<Rule> =
            rules.review(&ledger).spends.get(&new.id).map(|f| f.iter().map(Flag::rule).collect()).unwrap_or_default();
        assert_eq!(reviewed, expected, "review {spend:?}");
    }

    fn funded() -> Vec<Entry> {
        vec![payment_in(1, 1_000_000)]
    }

    fn with(mut entries: Vec<Entry>, more: Vec<Entry>) -> Vec<Entry> {
        entries.extend(more);
        entries
    }

    #[test]
    fn every_rule_is_listed_once_with_its_words() {
        assert_eq!(Rule::ALL.len(), 14);
        for rule in Rule::ALL {
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.as_str(), "the name in addresses is the JSON name");
            assert_eq!(Rule::parse(rule.as_str()), Some(*rule));
        }
        let mut titles: Vec<&str> = Rule::ALL.iter().map(|r| r.title()).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), Rule::ALL.len(), "each rule has its own title");
        assert!(Rule::ALL.iter().all(|r| !r.what_to_do().is_empty()));
    }

    #[test]
    fn each_rule_flags_what_it_names() {
        use Rule::*;
        let policy = CouncilPolicy::default;
        check(funded(), policy(), |_| (), &[]);
        check(funded(), policy(), |s| s.date = date!(2026 - 11 - 30), &[FutureDate]);
        check(funded(), policy(), |s| s.date = date!(2026 - 10 - 01), &[OutsidePlanDates, BalanceBelowZero]); // before the first payment came in
        check(funded(), policy(), |s| s.plan_line = None, &[NoPlanLine]);
        check(funded(), policy(), |s| s.plan_line = Some(PlanLineId("gym".into())), &[LineNotInPlan]);
        let spent_270 = spend_entry(2, |s| {
            s.amount = Money::from_pence(27_000);
            s.payee = "Other".into();
            s.receipts = vec![ReceiptRef("a".repeat(64))];
        });
        check(with(funded(), vec![spent_270.clone()]), policy(), |_| (), &[OverBudget]);
        check(with(funded(), vec![spent_270]), policy(), |s| s.amount = Money::from_pence(1_000), &[]);
        check(
            funded(),
            policy(),
            |s| {
                s.plan_line = Some(PlanLineId("pa".into()));
                s.payee = "Someone Else".into();
            },
            &[PayeeNotApproved],
        );
        check(
            funded(),
            policy(),
            |s| {
                s.plan_line = Some(PlanLineId("pa".into()));
                s.payee = " jo  SMITH ".into();
            },
            &[],
        );
        check(funded(), policy(), |s| s.close_relative_in_household = true, &[CloseRelativeInHousehold]);
        check(
            funded(),
            policy(),
            |s| {
                s.close_relative_in_household = true;
                s.council_authorisation = Some("DEC-42".into());
            },
            &[],
        );
        let banned = CouncilPolicy {
            banned_categories: vec![Banned {
                category: Category::Training,
                reason: "Courses are paid for by the college.".into(),
            }],
            ..policy()
        };
        check(
            funded(),
            banned.clone(),
            |s| {
                s.plan_line = None;
                s.category = Some(Category::Training);
            },
            &[NoPlanLine, BannedCategory],
        );
        check(funded(), banned, |_| (), &[]);
        let no_cash = CouncilPolicy { cash_allowed: false, ..policy() };
        check(
            funded(),
            no_cash,
            |s| {
                s.method = PaymentMethod::Cash;
                s.receipts = vec![ReceiptRef("b".repeat(64))];
            },
            &[CashNotAllowed],
        );
        check(funded(), policy(), |s| s.method = PaymentMethod::Cash, &[ReceiptMissing]);
        check(funded(), policy(), |s| s.amount = Money::from_pence(5_000), &[ReceiptMissing]);
        check(funded(), policy(), |s| s.amount = Money::from_pence(4_999), &[]);
        check(
            with(funded(), vec![spend_entry(2, |_| ())]),
            policy(),
            |s| s.payee = "SUNRISE day centre".into(),
            &[PossibleDuplicate],
        );
        check(vec![payment_in(1, 1_000)], policy(), |_| (), &[BalanceBelowZero]);
        let respite = |n, days, date| {
            spend_entry(n, |s| {
                s.plan_line = Some(PlanLineId("respite".into()));
                s.respite_days = Some(days);
                s.date = date;
                s.amount = Money::from_pence(100 + n as i64);
                s.receipts = vec![ReceiptRef("c".repeat(64))];
            })
        };
        let earlier_stays = vec![respite(3, 14, date!(2026 - 11 - 03)), respite(4, 11, date!(2026 - 11 - 10))];
        check(
            with(funded(), earlier_stays.clone()),
            policy(),
            |s| {
                s.plan_line = Some(PlanLineId("respite".into()));
                s.respite_days = Some(3);
            },
            &[],
        );
        check(
            with(funded(), earlier_stays),
            policy(),
            |s| {
                s.plan_line = Some(PlanLineId("respite".into()));
                s.respite_days = Some(4);
            },
            &[RespiteCap],
        );
        let small_maximum = CouncilPolicy { per_entry_maximum: Money::from_pence(1_000), ..policy() };
        check(funded(), small_maximum.clone(), |_| (), &[OverEntryMaximum]);
        check(funded(), small_maximum, |s| s.amount = Money::from_pence(1_000), &[]);
    }

    #[test]
    fn severities_follow_the_law_and_council_rules() {
        assert_eq!(Rule::CloseRelativeInHousehold.severity(), Severity::NotAllowed);
        assert_eq!(Rule::BannedCategory.severity(), Severity::NotAllowed);
        assert_eq!(Rule::OverBudget.severity(), Severity::Explain);
        assert_eq!(Rule::ReceiptMissing.severity(), Severity::Explain);
    }

    #[test]
    fn reasons_name_the_figures() {
        let plan = plan();
        let policy = CouncilPolicy::default();
        let rules = Rules { plan: &plan, policy: &policy, today: TODAY };
        let ledger =
            Ledger::from_entries(with(funded(), vec![spend_entry(2, |s| s.amount = Money::from_pence(27_000))]))
                .unwrap();
        let flags = rules.check_draft(&ledger, None, &spend_body(1_250));
        assert_eq!(
            flags[0].reason(),
            "This takes Day centre £2.50 over its budget of £280.00 every 4 weeks: £282.50 spent between 2 November 2026 and 29 November 2026."
        );
        assert!(!Rule::OverBudget.what_to_do().is_empty());
    }

    #[test]
    fn a_correction_is_not_a_duplicate_of_itself() {
        let plan = plan();
        let policy = CouncilPolicy::default();
        let rules = Rules { plan: &plan, policy: &policy, today: TODAY };
        let original = spend_entry(2, |_| ());
        let ledger = Ledger::from_entries(with(funded(), vec![original.clone()])).unwrap();
        assert_eq!(rules.check_draft(&ledger, Some(original.id), &spend_body(1_250)), vec![]);
    }

    fn account_rules(entries: Vec<Entry>, plan: SupportPlan, today: Date) -> Vec<AccountRule> {
        let policy = CouncilPolicy::default();
        let rules = Rules { plan: &plan, policy: &policy, today };
        rules.account_flags(&Ledger::from_entries(entries).unwrap()).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn account_flags_surplus_plan_end_and_quiet_accounts() {
        use AccountRule::*;
        // Weekly budget: 280/4 + 240 + 1500/52 = 70 + 240 + 28.85 = £338.85; 8 weeks = £2,710.80.
        let recent = spend_entry(2, |s| s.date = date!(2026 - 11 - 20));
        assert_eq!(account_rules(vec![payment_in(1, 271_080), recent.clone()], plan(), TODAY), vec![]);
        assert_eq!(
            account_rules(vec![payment_in(1, 300_000), recent.clone()], plan(), TODAY),
            vec![SurplusAboveContingency]
        );
        assert_eq!(
            account_rules(vec![payment_in(1, 1_000), recent.clone()], plan(), date!(2027 - 10 - 10)),
            vec![PlanEndingSoon, NoRecentSpending]
        );
        assert_eq!(account_rules(vec![payment_in(1, 1_000), recent], plan(), date!(2027 - 01 - 14)), vec![]);
    }

    fn signals(entries: Vec<Entry>) -> Vec<Signal> {
        let plan = plan();
        let policy = CouncilPolicy::default();
        Rules { plan: &plan, policy: &policy, today: TODAY }.signals(&Ledger::from_entries(entries).unwrap())
    }

    #[test]
    fn safeguarding_signals_carry_their_figures() {
        let paid = |n: u128, payee: &'static str, pence: i64, date: Date, cash: bool| {
            spend_entry(n, move |s| {
                s.payee = payee.into();
                s.amount = Money::from_pence(pence);
                s.date = date;
                s.receipts = vec![ReceiptRef("e".repeat(64))];
                if cash {
                    s.method = PaymentMethod::Cash;
                }
            })
        };
        // Jo was paid £100 a week for 12 weeks, then £250 a week for the last 4.
        let mut entries = funded();
        for week in 0..16u128 {
            let date = TODAY - Duration::weeks(15 - week as i64);
            entries.push(paid(10 + week, "Jo Smith", if week < 12 { 10_000 } else { 25_000 }, date, false));
        }
        assert_eq!(
            signals(entries.clone()),
            vec![Signal::PayeeRising {
                payee: "Jo Smith".into(),
                last_four_weeks: Money::from_pence(100_000),
                usual_four_weeks: Money::from_pence(40_000)
            }]
        );
        // A new payee with £1,200 in their first 4 weeks, in cash.
        entries.push(paid(50, "New Helper", 60_000, TODAY - Duration::days(10), true));
        entries.push(paid(51, "New Helper", 60_000, TODAY - Duration::days(3), true));
        let found = signals(entries);
        assert!(
            found.contains(&Signal::NewPayee {
                payee: "New Helper".into(),
                first_paid: TODAY - Duration::days(10),
                first_four_weeks: Money::from_pence(120_000)
            }),
            "{found:?}"
        );
        assert!(
            found.contains(&Signal::CashShare {
                cash: Money::from_pence(120_000),
                all_spending: Money::from_pence(220_000),
                percent: 54
            }),
            "{found:?}"
        );
        assert!(found.iter().all(|s| !s.describe().to_lowercase().contains("fraud")));
        assert_eq!(signals(funded()), vec![]);
    }
}
