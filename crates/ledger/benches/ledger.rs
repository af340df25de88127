//! Benchmarks for the targets in docs/PERFORMANCE.md:
//! - fold + rules over 10,000 entries with a 20-line plan (target ≤ 5 ms native);
//! - matching 100,000 statement lines against 100,000 entries (target ≤ 1 s).
//!
//! Run: `cargo bench -p tally-ledger`. Inputs are made by a fixed-seed generator, so every
//! run measures the same work.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use tally_ledger::matching::{ledger_items, match_statement, LedgerItem, MatchOptions, StatementLine};
use tally_ledger::{
    AccountId, Author, Category, CouncilPolicy, DeviceId, Entry, EntryBody, EntryId, Ledger, Money, MoneyIn, PayeeKind,
    PaymentMethod, Period, PlanLine, PlanLineId, PlanVersion, ReceiptRef, Rules, Spend, SupportPlan,
};
use time::macros::{date, datetime};
use time::{Date, Duration};
use uuid::Uuid;

const START: Date = date!(2026 - 01 - 05);

/// A small deterministic generator (xorshift), so the inputs never change.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

fn plan() -> SupportPlan {
    let categories = Category::ALL;
    let lines = (0..20)
        .map(|n| PlanLine {
            id: PlanLineId(format!("line-{n}")),
            name: format!("Line {n}"),
            category: categories[n % categories.len()],
            // About £10,000 a year on each line, whatever its period.
            budget: Money::from_pence([20_000, 80_000, 87_000, 1_040_000][n % 4]),
            period: [Period::Weekly, Period::FourWeekly, Period::Monthly, Period::Yearly][n % 4],
            start: START,
            end: None,
            approved_payees: if n == 1 { vec!["Payee 1".into()] } else { vec![] },
            receipt_threshold: None,
            outcomes: vec![],
        })
        .collect();
    SupportPlan::new(vec![PlanVersion { version: 1, effective_from: START, outcomes: vec![], lines }], Some(START + Duration::days(400)))
}

/// `count` entries over a year: a payment in every 50th, the rest spends of up to
/// `largest_spend` pence across the plan's 20 lines.
fn entries(count: usize, largest_spend: u64) -> Vec<Entry> {
    let mut rng = Seeded(0x5EED);
    let account = AccountId(Uuid::from_u128(1));
    (0..count)
        .map(|n| {
            let day = (n * 365 / count) as i64;
            let body = if n % 50 == 0 {
                EntryBody::PaymentIn(MoneyIn { date: START + Duration::days(day), amount: Money::from_pence(500_000), reference: "Four-weekly payment".into() })
            } else {
                let line = rng.next(20) as usize;
                EntryBody::Spend(Spend {
                    date: START + Duration::days(day),
                    amount: Money::from_pence(100 + rng.next(largest_spend) as i64),
                    payee: format!("Payee {}", rng.next(60)),
                    payee_kind: PayeeKind::Shop,
                    close_relative_in_household: rng.next(200) == 0,
                    council_authorisation: None,
                    plan_line: Some(PlanLineId(format!("line-{line}"))),
                    category: None,
                    method: if rng.next(10) == 0 { PaymentMethod::Cash } else { PaymentMethod::Card },
                    note: String::new(),
                    receipts: if rng.next(3) == 0 { vec![ReceiptRef("ab".repeat(32))] } else { vec![] },
                    outcome: None,
                    respite_days: if line % 8 == 2 { Some(1 + rng.next(3) as u32) } else { None },
                })
            };
            Entry {
                id: EntryId(Uuid::from_u128(1_000 + n as u128)),
                account,
                author: Author { name: "Alex Morgan".into(), device: Some(DeviceId(Uuid::from_u128(2))) },
                recorded_at: datetime!(2026-01-05 09:00 UTC) + Duration::minutes(n as i64),
                body,
            }
        })
        .collect()
}

/// Spending in line with the budgets (each line gets ~490 spends a year averaging £20
/// against ~£10,000): some periods over budget, cash and receipts mixed.
const REALISTIC_SPEND_PENCE: u64 = 4_000;
/// Spending five times the budgets, so nearly every spend carries several flags.
const EVERYTHING_FLAGGED_SPEND_PENCE: u64 = 20_000;

fn fold_and_rules(c: &mut Criterion) {
    let plan = plan();
    let policy = CouncilPolicy::default();
    let rules = Rules { plan: &plan, policy: &policy, today: START + Duration::days(365) };
    for (name, largest) in [("realistic", REALISTIC_SPEND_PENCE), ("nearly every spend flagged", EVERYTHING_FLAGGED_SPEND_PENCE)] {
        let entries = entries(10_000, largest);
        let review = rules.review(&Ledger::from_entries(entries.clone()).unwrap());
        println!("10,000 entries, {name}: {} spends flagged, {} account flags, {} signals", review.spends.len(), review.account.len(), review.signals.len());
        // The input entries are cloned outside the timing (they are what the store hands
        // over); building the ledger, the views and the review are timed.
        c.bench_function(&format!("fold + rules, 10,000 entries, 20-line plan, {name}"), |b| {
            b.iter_batched(
                || entries.clone(),
                |entries| {
                    let ledger = Ledger::from_entries(entries).unwrap();
                    let view = ledger.view();
                    let balance = view.balance();
                    let lines = view.lines_usage(&plan, START + Duration::days(365)).len();
                    let review = rules.review_view(&view);
                    black_box((balance, lines, review.spends.len()));
                    drop(view);
                    ledger
                },
                BatchSize::LargeInput,
            )
        });
    }
    let entries = entries(10_000, REALISTIC_SPEND_PENCE);
    c.bench_function("part: fold only (build the ledger, balance), 10,000 entries", |b| {
        b.iter_batched(|| entries.clone(), |entries| {
            let ledger = Ledger::from_entries(entries).unwrap();
            black_box(ledger.balance());
            ledger
        }, BatchSize::LargeInput)
    });
    c.bench_function("part: clone and drop 10,000 entries (not ledger work; for scale)", |b| b.iter(|| black_box(entries.clone())));
    let ledger = Ledger::from_entries(entries.clone()).unwrap();
    c.bench_function("part: rules only (review a built ledger), 10,000 entries", |b| b.iter(|| black_box(rules.review(black_box(&ledger)))));
    let draft = match &entries[1].body {
        EntryBody::Spend(s) => s.clone(),
        _ => unreachable!(),
    };
    c.bench_function("flags for one new spend, 10,000 entries", |b| b.iter(|| black_box(rules.check_draft(&ledger, None, black_box(&draft)))));
}

fn matching(c: &mut Criterion) {
    let ledger = Ledger::from_entries(entries(100_000, REALISTIC_SPEND_PENCE)).unwrap();
    let items: Vec<LedgerItem> = ledger_items(&ledger);
    let mut rng = Seeded(0xBA4C);
    // The bank's view: most entries appear, a day or two late, described in capitals.
    let lines: Vec<StatementLine> = items
        .iter()
        .map(|i| StatementLine {
            date: i.date + Duration::days(rng.next(3) as i64),
            amount: if rng.next(50) == 0 { Money::from_pence(-(1 + rng.next(9_999) as i64)) } else { i.amount },
            description: format!("CARD PAYMENT TO {}", i.payee.to_uppercase()),
            reference: String::new(),
        })
        .collect();
    let result = match_statement(&lines, &items, MatchOptions::default());
    println!(
        "matching {} lines against {} entries: {} pairs ({} certain), {} lines and {} entries left",
        lines.len(),
        items.len(),
        result.matches.len(),
        result.matches.iter().filter(|m| m.certain).count(),
        result.unmatched_lines.len(),
        result.unmatched_entries.len()
    );
    let mut group = c.benchmark_group("matching");
    group.sample_size(10);
    group.bench_function("100,000 statement lines × 100,000 entries", |b| {
        b.iter(|| black_box(match_statement(black_box(&lines), black_box(&items), MatchOptions::default())))
    });
    group.finish();
}

criterion_group!(benches, fold_and_rules, matching);
criterion_main!(benches);
