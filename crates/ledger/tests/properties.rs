//! Properties of the ledger that must hold for any records: the result depends only on
//! the set of entries; the balance is money in minus money out over active entries; a
//! correction moves totals by exactly its difference; matching is one-to-one; no record
//! from a device, however hostile, moves the council's records or undoes its final
//! decisions; and nothing panics, whatever the dates.

use proptest::prelude::*;
use tally_ledger::export::{audit_sheet, statement_rows, AuditSheetFor};
use tally_ledger::matching::ledger_items;
use tally_ledger::matching::{match_statement, LedgerItem, MatchOptions, StatementLine};
use tally_ledger::{
    AccountId, Author, Clawback, Correction, CouncilPolicy, Decision, DeviceId, Entry, EntryBody, EntryId, Explanation,
    Ledger, Money, MoneyIn, PaymentMethod, PlanLineId, Refund, ReviewDecision, Rules, Spend, StatementQuery, Void,
};
use tally_ledger::{Category, Period, PlanLine, PlanVersion, QueryStatus, SupportPlan};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

const START: Date = date!(2026 - 01 - 01);
const ACCOUNT: AccountId = AccountId(Uuid::from_u128(7));
fn council() -> Author {
    Author { name: "Demo Borough Council".into(), device: None, device_seq: None }
}

fn id(n: usize) -> EntryId {
    EntryId(Uuid::from_u128(n as u128 + 1))
}

fn spend(day: i64, pence: i64, payee: usize, line: usize) -> EntryBody {
    EntryBody::Spend(Spend {
        method: if payee == 0 { PaymentMethod::Cash } else { PaymentMethod::Card },
        ..Spend::new(
            START + Duration::days(day),
            Money::from_pence(pence),
            format!("Payee {payee}"),
            Some(PlanLineId(format!("line-{line}"))),
        )
    })
}

/// A money entry's body from a kind number, day, amount and payee.
fn money_body(kind: u8, day: i64, pence: i64, payee: usize) -> EntryBody {
    let date = START + Duration::days(day);
    let amount = Money::from_pence(pence);
    match kind % 5 {
        0 => EntryBody::PaymentIn(MoneyIn { date, amount, reference: "Payment".into() }),
        1 => EntryBody::Contribution(MoneyIn { date, amount, reference: String::new() }),
        2 => EntryBody::Refund(Refund {
            date,
            amount,
            payee: format!("Payee {payee}"),
            plan_line: None,
            refund_of: None,
            note: String::new(),
        }),
        3 => EntryBody::Clawback(Clawback { date, amount, reason: "Surplus".into() }),
        _ => spend(day, pence, payee, payee % 3),
    }
}

#[derive(Clone, Debug)]
enum Op {
    Money {
        kind: u8,
        day: i64,
        pence: i64,
        payee: usize,
    },
    Correct {
        target: usize,
        day: i64,
        pence: i64,
    },
    Void {
        target: usize,
    },
    /// The council asks about a statement line.
    Ask {
        day: i64,
        pence: i64,
    },
    /// The person explains, or logs the spending, in answer to an earlier entry (a
    /// question when it is one).
    Answer {
        target: usize,
        log: bool,
        pence: i64,
    },
    /// An officer decides on an earlier entry (0 approved, 1 question, 2 not allowed).
    Decide {
        target: usize,
        decision: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..5, 0i64..365, 1i64..200_000, 0usize..5).prop_map(|(kind, day, pence, payee)| Op::Money { kind, day, pence, payee }),
        2 => (0usize..40, 0i64..365, 1i64..200_000).prop_map(|(target, day, pence)| Op::Correct { target, day, pence }),
        1 => (0usize..40).prop_map(|target| Op::Void { target }),
        1 => (0i64..365, 1i64..200_000).prop_map(|(day, pence)| Op::Ask { day, pence }),
        1 => (0usize..40, any::<bool>(), 1i64..200_000).prop_map(|(target, log, pence)| Op::Answer { target, log, pence }),
        1 => (0usize..40, 0u8..3).prop_map(|(target, decision)| Op::Decide { target, decision }),
    ]
}

/// Turns operations into entries with distinct ids. Corrections copy their target's kind,
/// so most of them apply.
fn entries(ops: &[Op]) -> Vec<Entry> {
    let mut made: Vec<Entry> = Vec::new();
    for (n, op) in ops.iter().enumerate() {
        let body = match op {
            Op::Money { kind, day, pence, payee } => money_body(*kind, *day, *pence, *payee),
            Op::Correct { target, day, pence } => {
                let Some(target) = made.get(*target % made.len().max(1)).filter(|e| e.body.is_money()) else {
                    continue;
                };
                let kind = match target.body {
                    EntryBody::PaymentIn(_) => 0,
                    EntryBody::Contribution(_) => 1,
                    EntryBody::Refund(_) => 2,
                    EntryBody::Clawback(_) => 3,
                    _ => 4,
                };
                EntryBody::Correction(Correction {
                    corrects: target.id,
                    replacement: Box::new(money_body(kind, *day, *pence, 1)),
                    reason: "Fix".into(),
                })
            }
            Op::Void { target } => {
                let Some(target) = made.get(*target % made.len().max(1)) else { continue };
                EntryBody::Void(Void { voids: target.id, reason: "Cancelled".into() })
            }
            Op::Ask { day, pence } => EntryBody::StatementQuery(StatementQuery {
                date: START + Duration::days(*day),
                amount: Money::from_pence(-pence),
                description: "CARD PAYMENT".into(),
                statement: "s1".into(),
                line_no: n as u32,
                note: String::new(),
            }),
            Op::Answer { target, log, pence } => {
                let Some(target) = made.get(*target % made.len().max(1)) else { continue };
                if *log {
                    let EntryBody::Spend(mut logged) = spend(10, *pence, 2, 1) else { unreachable!() };
                    logged.answers = Some(target.id);
                    EntryBody::Spend(logged)
                } else {
                    EntryBody::Explanation(Explanation { about: target.id, text: "It was for my support.".into() })
                }
            }
            Op::Decide { target, decision } => {
                let Some(target) = made.get(*target % made.len().max(1)) else { continue };
                let decision = [Decision::Approved, Decision::Question, Decision::NotAllowed][*decision as usize % 3];
                // As the server writes it: naming the values in force when decided.
                let version = Ledger::from_entries(made.clone())
                    .unwrap()
                    .active()
                    .iter()
                    .find(|a| a.id() == target.id)
                    .map(|a| a.version);
                EntryBody::ReviewDecision(ReviewDecision {
                    about: target.id,
                    decision,
                    note: "Please tell us more.".into(),
                    version,
                })
            }
        };
        // Payments in, clawbacks, decisions and questions are the council's; the rest come
        // from two phones taking turns (the budget holder's and the carer's), each
        // numbering its own records.
        let author = if body.council_only() {
            council()
        } else {
            Author {
                name: "Alex".into(),
                device: Some(DeviceId(Uuid::from_u128(9 + (n % 2) as u128))),
                device_seq: Some(n as u64 / 2 + 1),
            }
        };
        made.push(Entry {
            id: id(n),
            account: ACCOUNT,
            author,
            recorded_at: datetime!(2026-01-01 09:00 UTC) + Duration::minutes(n as i64),
            body,
        });
    }
    made
}

/// A different entry claiming the same id (what a buggy or tampered device might send).
fn tampered(entry: &Entry) -> Entry {
    let mut copy = entry.clone();
    copy.author.name.push_str(" (altered)");
    copy
}

/// Entries plus a delivery: the same entries in another order, some sent more than once,
/// and (when `conflicts`) some with a different entry under the same id.
fn delivery_with(conflicts: bool) -> impl Strategy<Value = (Vec<Entry>, Vec<Entry>)> {
    prop::collection::vec(op(), 0..60).prop_flat_map(move |ops| {
        let made = entries(&ops);
        let n = made.len();
        let extra = prop::collection::vec((0..n.max(1), any::<bool>()), 0..n + 1);
        (Just(made), extra).prop_flat_map(move |(made, extra)| {
            let mut sent = made.clone();
            if !made.is_empty() {
                sent.extend(
                    extra
                        .iter()
                        .map(|&(i, alter)| if alter && conflicts { tampered(&made[i]) } else { made[i].clone() }),
                );
            }
            (Just(made), Just(sent).prop_shuffle())
        })
    })
}

fn delivery() -> impl Strategy<Value = (Vec<Entry>, Vec<Entry>)> {
    delivery_with(false)
}

fn signed_sum_by_kind(ledger: &Ledger) -> Money {
    let mut total = Money::ZERO;
    for active in ledger.active() {
        total = match active.body {
            EntryBody::PaymentIn(m) | EntryBody::Contribution(m) => total.checked_add(m.amount),
            EntryBody::Refund(r) => total.checked_add(r.amount),
            EntryBody::Spend(s) => total.checked_sub(s.amount),
            EntryBody::Clawback(c) => total.checked_sub(c.amount),
            other => panic!("not a money entry: {other:?}"),
        }
        .unwrap();
    }
    total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_order_and_any_duplication_give_the_same_ledger((made, sent) in delivery()) {
        let in_order = Ledger::from_entries(made).unwrap();
        let delivered = Ledger::from_entries(sent).unwrap();
        prop_assert_eq!(&in_order, &delivered);
        prop_assert_eq!(in_order.balance(), delivered.balance());
        let (from, to) = (START + Duration::days(100), START + Duration::days(200));
        prop_assert_eq!(in_order.statement(from, to), delivered.statement(from, to));
        let plan = SupportPlan::default();
        let policy = CouncilPolicy::default();
        let rules = Rules { plan: &plan, policy: &policy, today: START + Duration::days(300) };
        prop_assert_eq!(rules.review(&in_order), rules.review(&delivered));
        // Questions about statement lines stand the same on every device.
        prop_assert_eq!(in_order.queries(), delivered.queries());
    }

    /// What sync does: each device takes the records in rounds (its own as it makes them,
    /// the other phone's and the council's as pulled pages, some pages fetched again after
    /// a cut-off answer), one at a time into the ledger it already has. However the rounds
    /// are cut and interleaved, every device ends in the same state as one that had every
    /// record at once.
    #[test]
    fn records_delivered_in_any_interleaving_of_rounds_converge(
        (made, sent) in delivery(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        repeat in any::<prop::sample::Index>(),
    ) {
        let everything = Ledger::from_entries(made).unwrap();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(sent.len() + 1)).collect();
        cuts.extend([0, sent.len()]);
        cuts.sort();
        let rounds: Vec<&[Entry]> = cuts.windows(2).map(|w| &sent[w[0]..w[1]]).collect();
        // Phone A: rounds in order, one page delivered twice.
        let mut phone_a = Ledger::default();
        let again = repeat.index(rounds.len());
        for (n, round) in rounds.iter().enumerate() {
            let times = if n == again { 2 } else { 1 };
            for _ in 0..times {
                for entry in round.iter() {
                    phone_a.insert(entry.clone()).unwrap();
                }
            }
        }
        // Phone B: the rounds the other way round, each backwards, starting from a batch.
        let mut rounds_b = rounds.iter().rev();
        let mut phone_b = Ledger::from_entries(rounds_b.next().map(|r| r.to_vec()).unwrap_or_default()).unwrap();
        for round in rounds_b {
            for entry in round.iter().rev() {
                phone_b.insert(entry.clone()).unwrap();
            }
        }
        prop_assert_eq!(&phone_a, &everything);
        prop_assert_eq!(&phone_b, &everything);
        prop_assert_eq!(phone_a.balance(), everything.balance());
        let plan = SupportPlan::default();
        let policy = CouncilPolicy::default();
        let rules = Rules { plan: &plan, policy: &policy, today: START + Duration::days(300) };
        prop_assert_eq!(rules.review(&phone_b), rules.review(&everything));
    }

    #[test]
    fn conflicting_copies_resolve_the_same_whatever_the_order((_, sent) in delivery_with(true)) {
        let forwards = Ledger::from_entries(sent.clone()).unwrap();
        let backwards = Ledger::from_entries(sent.into_iter().rev()).unwrap();
        prop_assert_eq!(&forwards, &backwards);
        prop_assert_eq!(forwards.balance(), backwards.balance());
    }

    #[test]
    fn balance_is_in_minus_out_over_active_entries((made, _) in delivery()) {
        let ledger = Ledger::from_entries(made).unwrap();
        prop_assert_eq!(ledger.balance(), signed_sum_by_kind(&ledger));
        let statement = ledger.statement(START, START + Duration::days(400));
        prop_assert_eq!(statement.opening, Money::ZERO);
        prop_assert_eq!(statement.closing, ledger.balance());
    }

    #[test]
    fn a_correction_changes_totals_only_by_its_difference(
        (made, _) in delivery(),
        pick in any::<prop::sample::Index>(),
        pence in 1i64..200_000,
    ) {
        let ledger = Ledger::from_entries(made.clone()).unwrap();
        let spends = ledger.spending();
        prop_assume!(!spends.is_empty());
        let target = spends[pick.index(spends.len())];
        let old = target.spend().unwrap().clone();
        let mut replacement = old.clone();
        replacement.amount = Money::from_pence(pence);
        let correction = Entry {
            id: id(10_000),
            account: ACCOUNT,
            author: council(),
            recorded_at: datetime!(2027-06-01 09:00 UTC),
            body: EntryBody::Correction(Correction { corrects: target.id(), replacement: Box::new(EntryBody::Spend(replacement)), reason: "Fix".into() }),
        };
        let mut corrected = ledger.clone();
        corrected.insert(correction).unwrap();
        let difference = Money::from_pence(pence).checked_sub(old.amount).unwrap();
        prop_assert_eq!(corrected.balance(), ledger.balance().checked_sub(difference).unwrap());
        let (before, after) = (ledger.statement(START, old.date), corrected.statement(START, old.date));
        prop_assert_eq!(after.money_out, before.money_out.checked_add(difference).unwrap());
        prop_assert_eq!(after.money_in, before.money_in);
        prop_assert_eq!(corrected.len(), ledger.len() + 1, "the original stays");
    }

    #[test]
    fn matching_pairs_each_line_and_entry_at_most_once(
        lines in prop::collection::vec((0i64..30, 1i64..20, 0usize..4), 0..80),
        items in prop::collection::vec((0i64..30, 1i64..20, 0usize..4), 0..80),
    ) {
        let lines: Vec<StatementLine> = lines.iter().map(|&(day, pounds, payee)| StatementLine {
            date: START + Duration::days(day), amount: Money::from_pence(-pounds * 100), description: format!("PAYEE {payee}"), reference: String::new(),
        }).collect();
        let mut items: Vec<LedgerItem> = items.iter().enumerate().map(|(n, &(day, pounds, payee))| LedgerItem {
            id: id(n), date: START + Duration::days(day), amount: Money::from_pence(-pounds * 100), payee: format!("Payee {payee}"),
        }).collect();
        let result = match_statement(&lines, &items, MatchOptions::default());
        let mut seen_lines: Vec<usize> = result.matches.iter().map(|m| m.line).chain(result.unmatched_lines.iter().copied()).collect();
        seen_lines.sort();
        prop_assert_eq!(seen_lines, (0..lines.len()).collect::<Vec<_>>());
        let mut seen_entries: Vec<EntryId> = result.matches.iter().map(|m| m.entry).chain(result.unmatched_entries.iter().copied()).collect();
        seen_entries.sort();
        let mut all: Vec<EntryId> = items.iter().map(|i| i.id).collect();
        all.sort();
        prop_assert_eq!(seen_entries, all);
        for m in &result.matches {
            let item = items.iter().find(|i| i.id == m.entry).unwrap();
            prop_assert_eq!(item.amount, lines[m.line].amount);
            prop_assert!((item.date - lines[m.line].date).whole_days().abs() <= 3);
        }
        items.reverse();
        prop_assert_eq!(match_statement(&lines, &items, MatchOptions::default()), result);
    }
}

// --- hostile devices and extreme dates ----------------------------------------------------

/// Any date `time` knows, leaning towards the ends of time and the years around now.
fn any_date() -> impl Strategy<Value = Date> {
    let (min, max) = (Date::MIN.to_julian_day(), Date::MAX.to_julian_day());
    prop_oneof![
        Just(Date::MIN),
        Just(Date::MAX),
        (min..=max).prop_map(|d| Date::from_julian_day(d).unwrap()),
        (0i64..4000).prop_map(|d| date!(2020 - 01 - 01) + Duration::days(d)),
    ]
}

/// Any moment from the year -9999 to 9999, as a device's clock might claim.
fn any_moment() -> impl Strategy<Value = OffsetDateTime> {
    let (min, max) = (
        Date::MIN.midnight().assume_utc().unix_timestamp(),
        Date::MAX.with_hms(23, 59, 59).unwrap().assume_utc().unix_timestamp(),
    );
    (min..=max).prop_map(|t| OffsetDateTime::from_unix_timestamp(t).unwrap())
}

/// What a lost, stolen or scripted phone might send, aimed at the records it has seen
/// (`target` indexes them): voids and corrections of anything, council kinds it may not
/// write, answers and spending with any clock and any date, and copies of council
/// records' ids with other content.
#[derive(Clone, Debug)]
enum Attack {
    Void { target: usize },
    Correct { target: usize, kind: u8, date: Date, pence: i64 },
    Forge { kind: u8, target: usize, date: Date, pence: i64 },
    Explain { target: usize },
    Spend { date: Date, pence: i64, answers: Option<usize> },
    TakeId { target: usize, pence: i64 },
}

fn attack() -> impl Strategy<Value = (Attack, OffsetDateTime)> {
    let attack =
        prop_oneof![
            (0usize..60).prop_map(|target| Attack::Void { target }),
            (0usize..60, 0u8..5, any_date(), 1i64..200_000).prop_map(|(target, kind, date, pence)| Attack::Correct {
                target,
                kind,
                date,
                pence
            }),
            (0u8..4, 0usize..60, any_date(), 1i64..200_000).prop_map(|(kind, target, date, pence)| Attack::Forge {
                kind,
                target,
                date,
                pence
            }),
            (0usize..60).prop_map(|target| Attack::Explain { target }),
            (any_date(), 1i64..200_000, prop::option::of(0usize..60))
                .prop_map(|(date, pence, answers)| Attack::Spend { date, pence, answers }),
            (0usize..60, 1i64..200_000).prop_map(|(target, pence)| Attack::TakeId { target, pence }),
        ];
    (attack, any_moment())
}

/// The hostile entries, written by a device of the account.
fn attacks(made: &[Entry], attacks: &[(Attack, OffsetDateTime)]) -> Vec<Entry> {
    let pick = |n: usize| made.get(n % made.len().max(1));
    let council: Vec<&Entry> = made.iter().filter(|e| e.by_council()).collect();
    let mut out = Vec::new();
    for (n, (attack, at)) in attacks.iter().enumerate() {
        let mut id = id(50_000 + n);
        let body = match attack {
            Attack::Void { target } => {
                let Some(target) = pick(*target) else { continue };
                EntryBody::Void(Void { voids: target.id, reason: "Mine now".into() })
            }
            Attack::Correct { target, kind, date, pence } => {
                let Some(target) = pick(*target) else { continue };
                let mut replacement = money_body(*kind, 0, *pence, 1);
                set_date(&mut replacement, *date);
                EntryBody::Correction(Correction {
                    corrects: target.id,
                    replacement: Box::new(replacement),
                    reason: "Fix".into(),
                })
            }
            Attack::Forge { kind, target, date, pence } => {
                let about = pick(*target).map_or(id, |t| t.id);
                match kind {
                    0 => EntryBody::PaymentIn(MoneyIn {
                        date: *date,
                        amount: Money::from_pence(*pence),
                        reference: "Council".into(),
                    }),
                    1 => EntryBody::Clawback(Clawback {
                        date: *date,
                        amount: Money::from_pence(*pence),
                        reason: "x".into(),
                    }),
                    2 => EntryBody::ReviewDecision(ReviewDecision {
                        about,
                        decision: Decision::Question,
                        note: "Reopened".into(),
                        version: None,
                    }),
                    _ => EntryBody::StatementQuery(StatementQuery {
                        date: *date,
                        amount: Money::from_pence(-pence),
                        description: "X".into(),
                        statement: "s1".into(),
                        line_no: 1,
                        note: String::new(),
                    }),
                }
            }
            Attack::Explain { target } => {
                let Some(target) = pick(*target) else { continue };
                EntryBody::Explanation(Explanation { about: target.id, text: "Changed my mind".into() })
            }
            Attack::Spend { date, pence, answers } => {
                let mut body = spend(0, *pence, 3, 0);
                set_date(&mut body, *date);
                if let EntryBody::Spend(s) = &mut body {
                    s.answers = answers.and_then(pick).map(|t| t.id);
                }
                body
            }
            Attack::TakeId { target, pence } => {
                let Some(target) = council.get(*target % council.len().max(1)) else { continue };
                id = target.id;
                spend(0, *pence, 3, 0)
            }
        };
        out.push(Entry {
            id,
            account: ACCOUNT,
            // "A" sorts before any other name, as a forger would choose.
            author: Author { name: "A".into(), device: Some(DeviceId(Uuid::from_u128(9))), device_seq: None },
            recorded_at: *at,
            body,
        });
    }
    out
}

fn set_date(body: &mut EntryBody, date: Date) {
    match body {
        EntryBody::PaymentIn(m) | EntryBody::Contribution(m) => m.date = date,
        EntryBody::Spend(s) => s.date = date,
        EntryBody::Refund(r) => r.date = date,
        EntryBody::Clawback(c) => c.date = date,
        _ => {}
    }
}

/// Every view a screen, page or export asks of a ledger, on any day: none may panic.
fn every_view(ledger: &Ledger, plan: &SupportPlan, today: Date, from: Date, span_days: i64) {
    let policy = CouncilPolicy::default();
    let to = from.saturating_add(Duration::days(span_days));
    let view = ledger.view();
    let _ = view.balance();
    let _ = view.lines_usage(plan, today);
    let _ = view.surplus(plan, &policy, today);
    let _ = view.spending_by_outcome(plan, from, to);
    let _ = view.monthly(from, to);
    let _ = ledger.statement(from, to);
    let _ = ledger.queries();
    let _ = ledger.histories();
    let _ = ledger.without_force();
    let rules = Rules { plan, policy: &policy, today };
    let _ = rules.review_view(&view);
    let _ = rules.account_flags(ledger);
    let _ = rules.signals(ledger);
    if let Some(active) = view.spending().next() {
        let _ = rules.check_draft(ledger, None, active.spend().unwrap());
    }
    let _ = statement_rows(ledger, plan, from, to);
    let _ = audit_sheet(ledger, plan, &policy, AuditSheetFor { person: "Alex", reference: "DP-1", from, to }).to_csv();
    let items = ledger_items(ledger);
    let lines: Vec<StatementLine> = items
        .iter()
        .map(|i| StatementLine {
            date: i.date,
            amount: i.amount,
            description: i.payee.clone(),
            reference: String::new(),
        })
        .collect();
    let _ = match_statement(&lines, &items, MatchOptions::default());
}

/// A plan with a line of each kind of period, starting on `start`.
fn plan_from(start: Date) -> SupportPlan {
    let periods = [Period::Weekly, Period::FourWeekly, Period::Monthly, Period::Yearly, Period::OneOff];
    let lines = periods
        .iter()
        .enumerate()
        .map(|(n, period)| {
            PlanLine::new(
                &format!("line-{n}"),
                "Line",
                Category::PersonalAssistant,
                Money::from_pence(10_000),
                *period,
                start,
            )
        })
        .collect();
    SupportPlan::new(vec![PlanVersion { version: 1, effective_from: start, outcomes: vec![], lines }], None)
}

/// The council's records in force, with the values in force: (id, values, date, amount).
fn councils_in_force(ledger: &Ledger) -> Vec<(EntryId, EntryBody, Date, Money)> {
    ledger
        .active()
        .iter()
        .filter(|a| a.original.by_council())
        .map(|a| (a.id(), a.body.clone(), a.date, a.amount))
        .collect()
}

/// Spending an officer decided on finally, with the values in force.
fn decided_in_force(ledger: &Ledger) -> Vec<(EntryId, EntryBody)> {
    let histories = ledger.histories();
    ledger
        .active()
        .iter()
        .filter(|a| histories.get(&a.id()).and_then(|h| h.decision()).is_some_and(Decision::is_final))
        .map(|a| (a.id(), a.body.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any mix of records from devices, however hostile, leaves every council-written
    /// record in force with its values, every final decision standing (with the values it
    /// decided on), and every closed question closed.
    #[test]
    fn hostile_records_leave_the_councils_in_force(
        (made, _) in delivery(),
        hostile in prop::collection::vec(attack(), 0..40),
    ) {
        let honest = Ledger::from_entries(made.clone()).unwrap();
        let mut all = made.clone();
        all.extend(attacks(&made, &hostile));
        let attacked = Ledger::from_entries(all).unwrap();
        prop_assert_eq!(councils_in_force(&attacked), councils_in_force(&honest));
        let decided = decided_in_force(&honest);
        let still: Vec<(EntryId, EntryBody)> = decided_in_force(&attacked).into_iter().filter(|(id, _)| decided.iter().any(|(d, _)| d == id)).collect();
        prop_assert_eq!(still, decided);
        for (before, after) in honest.queries().iter().zip(attacked.queries().iter().filter(|q| q.entry.by_council())) {
            prop_assert_eq!(before.entry.id, after.entry.id);
            if let QueryStatus::Closed(_) = before.status {
                prop_assert_eq!(before.status, after.status);
            }
        }
        let honest_decisions: Vec<_> = honest.histories().into_iter().map(|(id, h)| (id, h.decision())).collect();
        let attacked_histories = attacked.histories();
        for (id, decision) in honest_decisions {
            prop_assert_eq!(attacked_histories.get(&id).and_then(|h| h.decision()), decision);
        }
    }

    /// Whatever the dates in the records, the day it is, and the period asked for, every
    /// view answers: date arithmetic saturates at the ends of time.
    #[test]
    fn no_view_panics_whatever_the_dates(
        (made, _) in delivery(),
        hostile in prop::collection::vec(attack(), 0..30),
        today in any_date(),
        from in any_date(),
        span_days in 0i64..2_000,
        plan_start in any_date(),
    ) {
        let mut all = made.clone();
        all.extend(attacks(&made, &hostile));
        let ledger = Ledger::from_entries(all).unwrap();
        every_view(&ledger, &plan_from(plan_start), today, from, span_days);
        every_view(&ledger, &SupportPlan::default(), today, from, span_days);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// One rule path: the flags shown at the moment of entry are the review's flags for that
    /// spend, for every spend already saved (checked as a correction would be) and for a new
    /// one (checked as a draft, then saved after everything else and reviewed).
    #[test]
    fn the_check_at_entry_is_the_reviews_verdict(
        (made, _) in delivery(),
        today in 0i64..400,
        draft_day in 0i64..365,
        pence in 1i64..200_000,
        payee in 0usize..5,
    ) {
        let ledger = Ledger::from_entries(made).unwrap();
        let plan = plan_from(START);
        let policy = CouncilPolicy::default();
        let rules = Rules { plan: &plan, policy: &policy, today: START + Duration::days(today) };
        let review = rules.review(&ledger);
        for active in ledger.active() {
            let Some(spend) = active.spend() else { continue };
            let reviewed = review.spends.get(&active.id()).cloned().unwrap_or_default();
            prop_assert_eq!(rules.check_draft(&ledger, Some(active.id()), spend), reviewed);
        }
        let EntryBody::Spend(draft) = spend(draft_day, pence, payee, payee % 3) else { unreachable!() };
        let latest = ledger.entries().map(|e| e.recorded_at).max().unwrap_or(datetime!(2026-01-01 00:00 UTC));
        let saved_entry = Entry {
            id: id(90_000),
            account: ACCOUNT,
            author: Author { name: "Alex".into(), device: Some(DeviceId(Uuid::from_u128(9))), device_seq: None },
            recorded_at: latest + Duration::minutes(1),
            body: EntryBody::Spend(draft.clone()),
        };
        let mut saved = ledger.clone();
        saved.insert(saved_entry).unwrap();
        let reviewed = rules.review(&saved).spends.get(&id(90_000)).cloned().unwrap_or_default();
        prop_assert_eq!(rules.check_draft(&ledger, None, &draft), reviewed);
    }
}
