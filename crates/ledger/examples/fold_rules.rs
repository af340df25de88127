//! One fold + review of the 10,000-entry benchmark account, for counting instructions:
//! `valgrind --tool=callgrind target/release/examples/fold_rules`.

#[path = "../benches/data.rs"]
#[allow(dead_code)] // the benchmarks use all of it; this example only part
mod data;

use tally_ledger::{CouncilPolicy, Ledger, Rules};

fn main() {
    let entries = data::entries(10_000, data::REALISTIC_SPEND_PENCE);
    let plan = data::plan();
    let policy = CouncilPolicy::default();
    let rules = Rules { plan: &plan, policy: &policy, today: data::START + time::Duration::days(365) };
    let ledger = Ledger::from_entries(entries).expect("generated entries pass their checks");
    let view = ledger.view();
    let lines = view.lines_usage(&plan, data::START + time::Duration::days(365)).len();
    let review = rules.review_view(&view);
    println!("{} flagged, {lines} lines, balance {}", review.spends.len(), view.balance());
}
