//! Benchmarks for the targets in docs/PERFORMANCE.md:
//! - fold + rules over 10,000 entries with a 20-line plan (target ≤ 5 ms native);
//! - matching 100,000 statement lines against 100,000 entries (target ≤ 1 s).
//!
//! Run: `cargo bench -p tally-ledger`. Inputs are made by a fixed-seed generator, so every
//! run measures the same work.

#[path = "data.rs"]
mod data;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use data::{entries, plan, Seeded, EVERYTHING_FLAGGED_SPEND_PENCE, REALISTIC_SPEND_PENCE, START};
use tally_ledger::matching::{ledger_items, match_statement, LedgerItem, MatchOptions, StatementLine};
use tally_ledger::{CouncilPolicy, EntryBody, Ledger, Money, Rules};
use time::Duration;

fn fold_and_rules(c: &mut Criterion) {
    let plan = plan();
    let policy = CouncilPolicy::default();
    let rules = Rules { plan: &plan, policy: &policy, today: START + Duration::days(365) };
    for (name, largest) in
        [("realistic", REALISTIC_SPEND_PENCE), ("nearly every spend flagged", EVERYTHING_FLAGGED_SPEND_PENCE)]
    {
        let entries = entries(10_000, largest);
        let review = rules.review(&Ledger::from_entries(entries.clone()).unwrap());
        println!(
            "10,000 entries, {name}: {} spends flagged, {} account flags, {} signals",
            review.spends.len(),
            review.account.len(),
            review.signals.len()
        );
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
        b.iter_batched(
            || entries.clone(),
            |entries| {
                let ledger = Ledger::from_entries(entries).unwrap();
                black_box(ledger.balance());
                ledger
            },
            BatchSize::LargeInput,
        )
    });
    c.bench_function("part: clone and drop 10,000 entries (not ledger work; for scale)", |b| {
        b.iter(|| black_box(entries.clone()))
    });
    let ledger = Ledger::from_entries(entries.clone()).unwrap();
    c.bench_function("part: rules only (review a built ledger), 10,000 entries", |b| {
        b.iter(|| black_box(rules.review(black_box(&ledger))))
    });
    let draft = match &entries[1].body {
        EntryBody::Spend(s) => s.clone(),
        _ => unreachable!(),
    };
    c.bench_function("flags for one new spend, 10,000 entries", |b| {
        b.iter(|| black_box(rules.check_draft(&ledger, None, black_box(&draft))))
    });
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
