//! Properties of the ledger that must hold for any records: the result depends only on
//! the set of entries; the balance is money in minus money out over active entries; a
//! correction moves totals by exactly its difference; matching is one-to-one.

use proptest::prelude::*;
use tally_ledger::matching::{match_statement, LedgerItem, MatchOptions, StatementLine};
use tally_ledger::{
    AccountId, Author, Clawback, Correction, CouncilPolicy, DeviceId, Entry, EntryBody, EntryId, Ledger, Money, MoneyIn,
    Decision, Explanation, PaymentMethod, PlanLineId, Refund, ReviewDecision, Rules, Spend, StatementQuery, Void,
};
use time::macros::{date, datetime};
use time::{Date, Duration};
use uuid::Uuid;

const START: Date = date!(2026 - 01 - 01);

fn id(n: usize) -> EntryId {
    EntryId(Uuid::from_u128(n as u128 + 1))
}

fn spend(day: i64, pence: i64, payee: usize, line: usize) -> EntryBody {
    EntryBody::Spend(Spend {
        method: if payee == 0 { PaymentMethod::Cash } else { PaymentMethod::Card },
        ..Spend::new(START + Duration::days(day), Money::from_pence(pence), format!("Payee {payee}"), Some(PlanLineId(format!("line-{line}"))))
    })
}

/// A money entry's body from a kind number, day, amount and payee.
fn money_body(kind: u8, day: i64, pence: i64, payee: usize) -> EntryBody {
    let date = START + Duration::days(day);
    let amount = Money::from_pence(pence);
    match kind % 5 {
        0 => EntryBody::PaymentIn(MoneyIn { date, amount, reference: "Payment".into() }),
        1 => EntryBody::Contribution(MoneyIn { date, amount, reference: String::new() }),
        2 => EntryBody::Refund(Refund { date, amount, payee: format!("Payee {payee}"), plan_line: None, refund_of: None, note: String::new() }),
        3 => EntryBody::Clawback(Clawback { date, amount, reason: "Surplus".into() }),
        _ => spend(day, pence, payee, payee % 3),
    }
}

#[derive(Clone, Debug)]
enum Op {
    Money { kind: u8, day: i64, pence: i64, payee: usize },
    Correct { target: usize, day: i64, pence: i64 },
    Void { target: usize },
    /// The council asks about a statement line.
    Ask { day: i64, pence: i64 },
    /// The person explains, or logs the spending, in answer to an earlier entry (a
    /// question when it is one).
    Answer { target: usize, log: bool, pence: i64 },
    /// An officer decides on an earlier entry (0 approved, 1 question, 2 not allowed).
    Decide { target: usize, decision: u8 },
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
                let Some(target) = made.get(*target % made.len().max(1)).filter(|e| e.body.is_money()) else { continue };
                let kind = match target.body {
                    EntryBody::PaymentIn(_) => 0,
                    EntryBody::Contribution(_) => 1,
                    EntryBody::Refund(_) => 2,
                    EntryBody::Clawback(_) => 3,
                    _ => 4,
                };
                EntryBody::Correction(Correction { corrects: target.id, replacement: Box::new(money_body(kind, *day, *pence, 1)), reason: "Fix".into() })
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
                EntryBody::ReviewDecision(ReviewDecision { about: target.id, decision, note: "Please tell us more.".into() })
            }
        };
        made.push(Entry {
            id: id(n),
            account: AccountId(Uuid::from_u128(7)),
            // Two phones take turns (the budget holder's and the carer's), each numbering
            // its own records.
            author: Author { name: "Alex".into(), device: Some(DeviceId(Uuid::from_u128(9 + (n % 2) as u128))), device_seq: Some(n as u64 / 2 + 1) },
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
                sent.extend(extra.iter().map(|&(i, alter)| if alter && conflicts { tampered(&made[i]) } else { made[i].clone() }));
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
        let plan = tally_ledger::SupportPlan::default();
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
        let plan = tally_ledger::SupportPlan::default();
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
            account: AccountId(Uuid::from_u128(7)),
            author: Author { name: "Alex".into(), device: None, device_seq: None },
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
