//! The benchmarks' inputs, from a fixed-seed generator, so every run measures the same
//! work. Shared by `benches/ledger.rs` and `examples/fold_rules.rs` (for instruction
//! counts under valgrind, which are repeatable where wall-clock time on a shared VM is not).

use tally_ledger::{
    AccountId, Author, Category, DeviceId, Entry, EntryBody, EntryId, Money, MoneyIn, PayeeKind, PaymentMethod, Period,
    PlanLine, PlanLineId, PlanVersion, ReceiptRef, Spend, SupportPlan,
};
use time::macros::{date, datetime};
use time::{Date, Duration};
use uuid::Uuid;

pub const START: Date = date!(2026 - 01 - 05);

/// A small deterministic generator (xorshift), so the inputs never change.
pub struct Seeded(pub u64);

impl Seeded {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

pub fn plan() -> SupportPlan {
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
    SupportPlan::new(
        vec![PlanVersion { version: 1, effective_from: START, outcomes: vec![], lines }],
        Some(START + Duration::days(400)),
    )
}

/// `count` entries over a year: a payment in every 50th, the rest spends of up to
/// `largest_spend` pence across the plan's 20 lines.
pub fn entries(count: usize, largest_spend: u64) -> Vec<Entry> {
    let mut rng = Seeded(0x5EED);
    let account = AccountId(Uuid::from_u128(1));
    (0..count)
        .map(|n| {
            let day = (n * 365 / count) as i64;
            let body = if n % 50 == 0 {
                EntryBody::PaymentIn(MoneyIn {
                    date: START + Duration::days(day),
                    amount: Money::from_pence(500_000),
                    reference: "Four-weekly payment".into(),
                })
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
                    answers: None,
                })
            };
            Entry {
                id: EntryId(Uuid::from_u128(1_000 + n as u128)),
                account,
                author: Author {
                    name: "Alex Morgan".into(),
                    device: Some(DeviceId(Uuid::from_u128(2))),
                    device_seq: None,
                },
                recorded_at: datetime!(2026-01-05 09:00 UTC) + Duration::minutes(n as i64),
                body,
            }
        })
        .collect()
}

/// Spending in line with the budgets (each line gets ~490 spends a year averaging £20
/// against ~£10,000): some periods over budget, cash and receipts mixed.
pub const REALISTIC_SPEND_PENCE: u64 = 4_000;
/// Spending five times the budgets, so nearly every spend carries several flags.
pub const EVERYTHING_FLAGGED_SPEND_PENCE: u64 = 20_000;
