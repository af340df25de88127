//! The demo council that `cargo xtask run` starts with: one finance officer, one budget
//! holder with a support plan and a first payment in. Seeding is idempotent: run again, it
//! keeps everything and only issues a fresh pairing code.

use tally_ledger::{
    AccountId, Author, Category, CouncilPolicy, Decision, DeviceId, Entry, EntryBody, EntryId, Money, MoneyIn, Outcome,
    OutcomeId, Period, PlanLine, PlanLineId, PlanVersion, ReceiptRef, ReviewDecision, Spend, SupportPlan,
};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::storage::{AccountRow, NewEntry, Storage};

pub const DEMO_COUNCIL: &str = "Demo Borough Council";
pub const DEMO_REFERENCE: &str = "DP-000001";
pub const DEMO_PERSON: &str = "Alex Morgan";
/// A second person at the demo council, so a carer looking after two people can be tried.
pub const DEMO_SECOND_REFERENCE: &str = "DP-000002";
pub const DEMO_SECOND_PERSON: &str = "Pat Morgan";
pub const DEMO_OFFICER_EMAIL: &str = "finance.officer@demo.invalid";
/// Only for the demo council, which exists to be tried out; printed at start-up.
pub const DEMO_OFFICER_PASSWORD: &str = "demo-officer-password";
/// A read-only auditor at the demo council, to try the workspace's read-only role.
pub const DEMO_AUDITOR_EMAIL: &str = "auditor@demo.invalid";
pub const DEMO_AUDITOR_PASSWORD: &str = "demo-auditor-password";
/// An administrator at the demo council (manages the council's policy).
pub const DEMO_ADMIN_EMAIL: &str = "administrator@demo.invalid";
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-password";
/// How long a pairing code can be used, in days (72 hours: long enough to reach the
/// person, short enough that a code lost on paper is soon of no use).
pub const PAIRING_CODE_DAYS: i64 = 3;

/// What a person needs to try the demo.
#[derive(Clone, Debug)]
pub struct Demo {
    pub reference: String,
    pub person_name: String,
    pub pairing_code: String,
}

/// Creates the demo council if it is missing, and issues a new pairing code for the demo
/// account.
pub async fn ensure_demo(storage: &Storage) -> anyhow::Result<Demo> {
    let now = OffsetDateTime::now_utc();
    let now_ms = crate::unix_ms(now);
    if storage.account_by_reference(Some(DEMO_COUNCIL), DEMO_REFERENCE).await?.is_none() {
        let council_id = match storage.council_id_by_name(DEMO_COUNCIL).await? {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7().to_string();
                storage.create_council(&id, DEMO_COUNCIL, &CouncilPolicy::default(), now_ms).await?;
                let hash = crate::staff::hash_password(DEMO_OFFICER_PASSWORD)?;
                storage
                    .create_staff(
                        &Uuid::now_v7().to_string(),
                        &id,
                        DEMO_OFFICER_EMAIL,
                        "Sam Patel",
                        tally_api::Role::FinanceOfficer,
                        &hash,
                        None,
                        now_ms,
                    )
                    .await?;
                let hash = crate::staff::hash_password(DEMO_AUDITOR_PASSWORD)?;
                storage
                    .create_staff(
                        &Uuid::now_v7().to_string(),
                        &id,
                        DEMO_AUDITOR_EMAIL,
                        "Jo Reid",
                        tally_api::Role::Auditor,
                        &hash,
                        None,
                        now_ms,
                    )
                    .await?;
                let hash = crate::staff::hash_password(DEMO_ADMIN_PASSWORD)?;
                storage
                    .create_staff(
                        &Uuid::now_v7().to_string(),
                        &id,
                        DEMO_ADMIN_EMAIL,
                        "Kim Osei",
                        tally_api::Role::Administrator,
                        &hash,
                        None,
                        now_ms,
                    )
                    .await?;
                id
            }
        };
        let account_id = AccountId(Uuid::now_v7());
        let account = AccountRow {
            account_id,
            reference: DEMO_REFERENCE.to_owned(),
            person_name: DEMO_PERSON.to_owned(),
            council_name: DEMO_COUNCIL.to_owned(),
        };
        storage.create_account(&account, &council_id, &demo_plan(now.date()), now_ms).await?;
        let payment = Entry {
            id: EntryId(Uuid::now_v7()),
            account: account_id,
            author: Author { name: DEMO_COUNCIL.to_owned(), device: None, device_seq: None },
            recorded_at: now,
            body: EntryBody::PaymentIn(MoneyIn {
                date: now.date(),
                amount: Money::from_pence(148_000),
                reference: "First payment, including a float".to_owned(),
            }),
        };
        storage.store_entries(account_id, &[NewEntry::new(payment)?], now_ms).await?;

        let second = AccountRow {
            account_id: AccountId(Uuid::now_v7()),
            reference: DEMO_SECOND_REFERENCE.to_owned(),
            person_name: DEMO_SECOND_PERSON.to_owned(),
            council_name: DEMO_COUNCIL.to_owned(),
        };
        let start = now.date() - Duration::weeks(4);
        let plan = SupportPlan::new(
            vec![PlanVersion {
                version: 1,
                effective_from: start,
                outcomes: vec![Outcome {
                    id: OutcomeId("home".to_owned()),
                    text: "Stay living in my own home".to_owned(),
                }],
                lines: vec![PlanLine {
                    outcomes: vec![OutcomeId("home".to_owned())],
                    ..PlanLine::new(
                        "home-care",
                        "Home care visits",
                        Category::AgencyCare,
                        Money::from_pence(52_000),
                        Period::FourWeekly,
                        start,
                    )
                }],
            }],
            Some(start + Duration::days(365)),
        );
        storage.create_account(&second, &council_id, &plan, now_ms).await?;
        let payment = Entry {
            id: EntryId(Uuid::now_v7()),
            account: second.account_id,
            author: Author { name: DEMO_COUNCIL.to_owned(), device: None, device_seq: None },
            recorded_at: now,
            body: EntryBody::PaymentIn(MoneyIn {
                date: now.date(),
                amount: Money::from_pence(52_000),
                reference: "Four-weekly payment".to_owned(),
            }),
        };
        storage.store_entries(second.account_id, &[NewEntry::new(payment)?], now_ms).await?;
        tracing::info!(%account_id, "demo council created");
    }
    // The demo's passwords are published: a second factor would protect nothing.
    if let Some(id) = storage.council_id_by_name(DEMO_COUNCIL).await? {
        storage.set_two_factor_rule(&id, crate::storage::TwoFactorRule::Nobody, None, now_ms).await?;
    }
    let account = storage
        .account_by_reference(Some(DEMO_COUNCIL), DEMO_REFERENCE)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo account is missing after seeding"))?;
    let pairing_code = crate::issue_pairing_code(storage, account.account_id, None).await?;
    Ok(Demo { reference: account.reference, person_name: account.person_name, pairing_code })
}

/// Alex's plan: started four weeks before the demo was created, reviewed in a year.
fn demo_plan(today: Date) -> SupportPlan {
    sample_plan(today - Duration::weeks(4))
}

/// The demo's four-line support plan (personal assistant hours, day centre, taxis,
/// respite) from `start`, for a year: also what the benchmarks give every account.
pub fn sample_plan(start: Date) -> SupportPlan {
    let outcome = |id: &str, text: &str| Outcome { id: OutcomeId(id.to_owned()), text: text.to_owned() };
    let line = |id: &str, name: &str, category, pence, period, outcomes: &[&str]| PlanLine {
        outcomes: outcomes.iter().map(|o| OutcomeId((*o).to_owned())).collect(),
        ..PlanLine::new(id, name, category, Money::from_pence(pence), period, start)
    };
    let version = PlanVersion {
        version: 1,
        effective_from: start,
        outcomes: vec![
            outcome("fresh-air", "Get out for fresh air twice a week"),
            outcome("meals", "Choose when and what I eat"),
            outcome("friends", "See my friends at the day centre"),
        ],
        lines: vec![
            line(
                "pa-hours",
                "Personal assistant hours",
                Category::PersonalAssistant,
                96_000,
                Period::FourWeekly,
                &["fresh-air", "meals"],
            ),
            line("day-centre", "Day centre", Category::DayActivities, 28_000, Period::FourWeekly, &["friends"]),
            line("transport", "Taxi to the day centre", Category::Transport, 12_000, Period::FourWeekly, &["friends"]),
            line("respite", "Respite breaks", Category::Respite, 150_000, Period::Yearly, &[]),
        ],
    };
    SupportPlan::new(vec![version], Some(start + Duration::days(365)))
}

/// Seeds the demo council with a caseload, for benchmarks and the browser tests of a
/// council at scale: `size` more accounts (references from DP-100000), each with the
/// demo's plan and records for the `days` up to `today` (a year: 365; [`year_of_records`]),
/// then works out their summaries. Gives how many records were stored.
pub async fn caseload(storage: &Storage, size: usize, heavy: bool, today: Date, days: i64) -> anyhow::Result<usize> {
    ensure_demo(storage).await?;
    let council_id =
        storage.council_id_by_name(DEMO_COUNCIL).await?.ok_or_else(|| anyhow::anyhow!("no demo council"))?;
    let start = today - Duration::days(days.clamp(1, 3_660) - 1);
    let mut records = 0;
    for n in 0..size {
        let account = AccountRow {
            account_id: AccountId(Uuid::now_v7()),
            reference: format!("DP-{:06}", 100_000 + n),
            person_name: format!("{} {}", FIRST[n % FIRST.len()], LAST[(n / FIRST.len()) % LAST.len()]),
            council_name: DEMO_COUNCIL.into(),
        };
        storage.create_account(&account, &council_id, &sample_plan(start), 0).await?;
        let entries = year_of_records(account.account_id, n as u64, start, today, heavy);
        records += entries.len();
        let new = entries.into_iter().map(NewEntry::new).collect::<anyhow::Result<Vec<_>>>()?;
        storage.store_entries(account.account_id, &new, crate::now_ms()).await?;
    }
    Ok(records)
}

const FIRST: [&str; 20] = [
    "Alex", "Sam", "Jo", "Pat", "Chris", "Robin", "Jamie", "Kim", "Lee", "Morgan", "Ash", "Bailey", "Casey", "Drew",
    "Elliot", "Frankie", "Georgie", "Harper", "Jesse", "Kai",
];
const LAST: [&str; 25] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Morgan", "Khan",
    "Lewis", "Osei",
];

/// A year of one account's records: a payment in every four weeks, spending six days a
/// week on the plan's lines (receipts kept), about 6% flagged (over £50 with no receipt)
/// or, `heavy`, half (no plan line); a third of the flagged spending approved three days on.
pub fn year_of_records(account: AccountId, n: u64, start: Date, today: Date, heavy: bool) -> Vec<Entry> {
    let mut random = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    let mut next = move |below: u64| {
        random = random.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (random >> 33) % below
    };
    let device = DeviceId(Uuid::from_u64_pair(n, 1));
    let person = Author { name: "The person".into(), device: Some(device), device_seq: None };
    let council = Author { name: DEMO_COUNCIL.into(), device: None, device_seq: None };
    let mut entries = Vec::new();
    let mut seq = 0u64;
    let at = |date: Date, hour: u8| date.with_hms(hour, 0, 0).expect("a time").assume_utc();
    let mut day = start;
    while day <= today {
        let offset = (day - start).whole_days();
        if offset % 28 == 0 {
            entries.push(Entry {
                id: EntryId(Uuid::now_v7()),
                account,
                author: council.clone(),
                recorded_at: at(day, 8),
                body: EntryBody::PaymentIn(MoneyIn {
                    date: day,
                    amount: Money::from_pence(148_000),
                    reference: "Four-weekly payment".into(),
                }),
            });
        }
        let weekday = day.weekday().number_days_from_monday();
        let spend = match weekday {
            0..=3 => Some(("pa-hours", "Bright Homecare", 4_000 + next(1_000) as i64)),
            4 => Some(("day-centre", "Sunrise Day Centre", 3_000 + next(500) as i64)),
            5 => Some(("transport", "City Taxis", 1_000 + next(200) as i64)),
            _ => None,
        };
        if let Some((line, payee, pence)) = spend {
            let flagged_receipt = !heavy && next(100) < 6;
            let no_line = heavy && next(2) == 0;
            let mut body = Spend::new(
                day,
                Money::from_pence(if flagged_receipt { 6_000 + next(3_000) as i64 } else { pence }),
                payee,
                (!no_line).then(|| PlanLineId(line.to_owned())),
            );
            if !flagged_receipt {
                body.receipts = vec![ReceiptRef(format!("{:064x}", u128::from(n) << 32 | u128::from(seq)))];
            }
            seq += 1;
            let id = EntryId(Uuid::now_v7());
            let person = Author { device_seq: Some(seq), ..person.clone() };
            entries.push(Entry { id, account, author: person, recorded_at: at(day, 20), body: EntryBody::Spend(body) });
            if (flagged_receipt || no_line) && next(3) == 0 && day + Duration::days(3) <= today {
                entries.push(Entry {
                    id: EntryId(Uuid::now_v7()),
                    account,
                    author: council.clone(),
                    recorded_at: at(day + Duration::days(3), 11),
                    body: EntryBody::ReviewDecision(ReviewDecision {
                        about: id,
                        decision: Decision::Approved,
                        note: "Checked with the person".into(),
                        version: Some(id),
                    }),
                });
            }
        }
        day = day.next_day().expect("a next day");
    }
    entries
}
