//! The demo council that `cargo xtask run` starts with: one finance officer, one budget
//! holder with a support plan and a first payment in. Seeding is idempotent: run again, it
//! keeps everything and only issues a fresh pairing code.

use tally_ledger::{
    AccountId, Author, Category, CouncilPolicy, Entry, EntryBody, EntryId, Money, MoneyIn, Outcome, OutcomeId, Period,
    PlanLine, PlanVersion, SupportPlan,
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
/// How long a pairing code can be used, in days.
pub const PAIRING_CODE_DAYS: i64 = 14;

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
    if storage.account_by_reference(DEMO_REFERENCE).await?.is_none() {
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
    let account = storage
        .account_by_reference(DEMO_REFERENCE)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo account is missing after seeding"))?;
    let pairing_code = crate::issue_pairing_code(storage, account.account_id).await?;
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
