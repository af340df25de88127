//! Folding entries into what people see.

use std::collections::BTreeMap;

use crate::entry::{Entry, EntryBody, EntryError, EntryId, Spend};
use crate::money::Money;

/// The set of entries of one account, keyed by id.
///
/// Invariant: every entry passed [`Entry::check`], and each id appears once. Adding an
/// entry that is already here changes nothing, so views depend only on the set of entries,
/// never on the order they arrived in or how many times.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    entries: BTreeMap<EntryId, Entry>,
}

/// What happened when an entry was offered to the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The entry is new.
    Added,
    /// The same entry was already here; nothing changed.
    AlreadyHere,
    /// Another entry with this id but different content is already here. The first one
    /// stays: accepted records never change.
    Conflict,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Builds a ledger from entries, skipping duplicates. Fails on the first entry that
    /// does not pass its checks.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Result<Ledger, EntryError> {
        let mut ledger = Ledger::new();
        for entry in entries {
            ledger.insert(entry)?;
        }
        Ok(ledger)
    }

    /// Adds one entry if it is new. See [`Inserted`].
    pub fn insert(&mut self, entry: Entry) -> Result<Inserted, EntryError> {
        entry.check()?;
        match self.entries.get(&entry.id) {
            Some(existing) if *existing == entry => Ok(Inserted::AlreadyHere),
            Some(_) => Ok(Inserted::Conflict),
            None => {
                self.entries.insert(entry.id, entry);
                Ok(Inserted::Added)
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, id: EntryId) -> bool {
        self.entries.contains_key(&id)
    }

    /// Money in minus money out.
    pub fn balance(&self) -> Money {
        self.entries.values().fold(Money::ZERO, |balance, entry| {
            let next = match &entry.body {
                EntryBody::PaymentIn(p) => balance.checked_add(p.amount),
                EntryBody::Spend(s) => balance.checked_sub(s.amount),
            };
            // Every amount is at most HARD_MAXIMUM_PENCE (checked on insert), so even a
            // billion entries stay ~10^18 pence inside Decimal's ~10^28 range.
            next.expect("balance stays within Decimal range: amounts are capped on insert")
        })
    }

    /// Spending, newest first (by date, then by when it was recorded, then by id so the
    /// order is the same on every device).
    pub fn spending(&self) -> Vec<(&Entry, &Spend)> {
        let mut list: Vec<(&Entry, &Spend)> = self
            .entries
            .values()
            .filter_map(|e| match &e.body {
                EntryBody::Spend(s) => Some((e, s)),
                _ => None,
            })
            .collect();
        list.sort_by(|(ea, sa), (eb, sb)| {
            (sb.date, eb.recorded_at, eb.id).cmp(&(sa.date, ea.recorded_at, ea.id))
        });
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::tests::{payment_in, spend};

    #[test]
    fn balance_is_money_in_minus_money_out() {
        let ledger =
            Ledger::from_entries([payment_in(10, 148_000), spend(11, 1_250), spend(12, 750)])
                .unwrap();
        assert_eq!(ledger.balance(), Money::from_pence(146_000));
        assert_eq!(ledger.len(), 3);
    }

    #[test]
    fn duplicates_and_order_do_not_change_the_result() {
        let forwards = Ledger::from_entries([payment_in(10, 5_000), spend(11, 1_250)]).unwrap();
        let backwards_twice = Ledger::from_entries([
            spend(11, 1_250),
            payment_in(10, 5_000),
            spend(11, 1_250),
            payment_in(10, 5_000),
        ])
        .unwrap();
        assert_eq!(forwards.balance(), backwards_twice.balance());
        assert_eq!(backwards_twice.len(), 2);
    }

    #[test]
    fn a_second_version_of_an_id_is_a_conflict_and_the_first_stays() {
        let mut ledger = Ledger::new();
        assert_eq!(ledger.insert(spend(11, 1_250)), Ok(Inserted::Added));
        assert_eq!(ledger.insert(spend(11, 1_250)), Ok(Inserted::AlreadyHere));
        assert_eq!(ledger.insert(spend(11, 9_999)), Ok(Inserted::Conflict));
        assert_eq!(ledger.balance(), Money::from_pence(-1_250));
    }

    #[test]
    fn refuses_entries_that_fail_their_checks() {
        let mut ledger = Ledger::new();
        assert_eq!(ledger.insert(spend(11, 0)), Err(EntryError::AmountNotPositive));
        assert!(ledger.is_empty());
    }

    #[test]
    fn spending_is_newest_first() {
        let mut older = spend(11, 100);
        if let EntryBody::Spend(s) = &mut older.body {
            s.date = time::macros::date!(2026 - 10 - 01);
        }
        let ledger = Ledger::from_entries([older, spend(12, 200), payment_in(13, 5)]).unwrap();
        let amounts: Vec<Money> = ledger.spending().iter().map(|(_, s)| s.amount).collect();
        assert_eq!(amounts, vec![Money::from_pence(200), Money::from_pence(100)]);
    }
}
