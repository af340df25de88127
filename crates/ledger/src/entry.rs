//! The records of a direct payment account.
//!
//! Every record is an [`Entry`]: an id chosen by whoever wrote it (a UUID v7 made on the
//! phone, or by the council server), the account, who wrote it, when, and what it says.
//! Entries are append-only: nothing is ever changed in place or deleted; a correction is a
//! new entry.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::money::{Money, HARD_MAXIMUM_PENCE};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies one entry forever. Made by the writer (UUID v7), so a record has its id
    /// before it ever reaches the council and can be sent any number of times.
    EntryId
);
id_type!(
    /// Identifies a direct payment account (one person's budget).
    AccountId
);
id_type!(
    /// Identifies one paired phone or browser.
    DeviceId
);

/// Identifies a line of the support plan ("PA hours", "Day centre").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanLineId(pub String);

/// Who wrote an entry: a person's name and, for entries made on a phone, the device.
/// Council entries (payments in) have no device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub name: String,
    pub device: Option<DeviceId>,
}

/// One record of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: EntryId,
    pub account: AccountId,
    pub author: Author,
    /// When the writer's clock says the entry was made (passed in; never read here).
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    pub body: EntryBody,
}

/// What an entry says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EntryBody {
    PaymentIn(PaymentIn),
    Spend(Spend),
}

/// Money the council paid into the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentIn {
    pub date: Date,
    pub amount: Money,
    pub reference: String,
}

/// Money spent from the account on support.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spend {
    /// The day the money was spent (as the person says).
    pub date: Date,
    /// Always more than zero.
    pub amount: Money,
    /// Who was paid, as the person wrote it.
    pub payee: String,
    /// The support plan line the spending is for.
    pub plan_line: PlanLineId,
}

/// The longest payee name or reference a record may carry.
pub const MAX_TEXT_CHARS: usize = 200;

/// Why a record cannot be stored. Each message is a sentence for a person.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("The amount must be more than £0.")]
    AmountNotPositive,
    #[error("The amount is larger than any single payment Tally accepts.")]
    AmountTooLarge,
    #[error("Enter who was paid.")]
    PayeeMissing,
    #[error("The name of who was paid must be {MAX_TEXT_CHARS} characters or fewer.")]
    TextTooLong,
    #[error("Choose which part of the support plan this spending is for.")]
    PlanLineMissing,
}

impl Entry {
    /// Checks the things every copy of this record must satisfy, wherever it was made.
    pub fn check(&self) -> Result<(), EntryError> {
        match &self.body {
            EntryBody::PaymentIn(p) => {
                check_amount(p.amount)?;
                check_text(&p.reference)?;
            }
            EntryBody::Spend(s) => {
                check_amount(s.amount)?;
                if s.payee.trim().is_empty() {
                    return Err(EntryError::PayeeMissing);
                }
                check_text(&s.payee)?;
                if s.plan_line.0.trim().is_empty() {
                    return Err(EntryError::PlanLineMissing);
                }
                check_text(&s.plan_line.0)?;
            }
        }
        check_text(&self.author.name)
    }
}

fn check_amount(amount: Money) -> Result<(), EntryError> {
    if !amount.is_positive() {
        return Err(EntryError::AmountNotPositive);
    }
    if amount > Money::from_pence(HARD_MAXIMUM_PENCE) {
        return Err(EntryError::AmountTooLarge);
    }
    Ok(())
}

fn check_text(text: &str) -> Result<(), EntryError> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(EntryError::TextTooLong);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::{date, datetime};

    pub(crate) fn spend(n: u128, pence: i64) -> Entry {
        Entry {
            id: EntryId(Uuid::from_u128(n)),
            account: AccountId(Uuid::from_u128(1)),
            author: Author { name: "Alex".into(), device: Some(DeviceId(Uuid::from_u128(2))) },
            recorded_at: datetime!(2026-11-22 10:00 UTC),
            body: EntryBody::Spend(Spend {
                date: date!(2026 - 11 - 21),
                amount: Money::from_pence(pence),
                payee: "Sunrise Day Centre".into(),
                plan_line: PlanLineId("day-centre".into()),
            }),
        }
    }

    pub(crate) fn payment_in(n: u128, pence: i64) -> Entry {
        Entry {
            id: EntryId(Uuid::from_u128(n)),
            account: AccountId(Uuid::from_u128(1)),
            author: Author { name: "Demo Borough Council".into(), device: None },
            recorded_at: datetime!(2026-11-01 09:00 UTC),
            body: EntryBody::PaymentIn(PaymentIn {
                date: date!(2026 - 11 - 01),
                amount: Money::from_pence(pence),
                reference: "First payment".into(),
            }),
        }
    }

    #[test]
    fn wire_format_is_stable() {
        let json = serde_json::to_string(&spend(3, 1_250)).unwrap();
        assert_eq!(
            json,
            r#"{"id":"00000000-0000-0000-0000-000000000003","account":"00000000-0000-0000-0000-000000000001","author":{"name":"Alex","device":"00000000-0000-0000-0000-000000000002"},"recorded_at":"2026-11-22T10:00:00Z","body":{"type":"spend","date":"2026-11-21","amount":"12.50","payee":"Sunrise Day Centre","plan_line":"day-centre"}}"#
        );
        let back: Entry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spend(3, 1_250));
    }

    fn check(entry: Entry, expected: Result<(), EntryError>) {
        assert_eq!(entry.check(), expected, "{entry:?}");
    }

    fn with_spend(f: impl FnOnce(&mut Spend)) -> Entry {
        let mut entry = spend(3, 1_000);
        if let EntryBody::Spend(s) = &mut entry.body {
            f(s);
        }
        entry
    }

    #[test]
    fn every_record_is_checked() {
        check(spend(3, 1_000), Ok(()));
        check(spend(3, 0), Err(EntryError::AmountNotPositive));
        check(spend(3, -5), Err(EntryError::AmountNotPositive));
        check(spend(3, HARD_MAXIMUM_PENCE + 1), Err(EntryError::AmountTooLarge));
        check(payment_in(4, 0), Err(EntryError::AmountNotPositive));
        check(with_spend(|s| s.payee = "  ".into()), Err(EntryError::PayeeMissing));
        check(with_spend(|s| s.payee = "x".repeat(201)), Err(EntryError::TextTooLong));
        check(with_spend(|s| s.plan_line = PlanLineId(String::new())), Err(EntryError::PlanLineMissing));
    }
}
