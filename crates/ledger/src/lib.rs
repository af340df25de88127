//! Tally's ledger: the rules of a direct payment account, as pure functions.
//!
//! # Layout
//! - [`money`]: pounds and pence. Strict parsing of what people type, formatting as
//!   "£1,234.50", arithmetic that refuses to overflow. Never a float.
//! - [`entry`]: the append-only records of an account (payments in, spending) and the
//!   checks every record must pass before anyone stores it.
//! - [`ledger`]: folds a set of entries into what people see: the balance and the list
//!   of spending. The result depends only on the *set* of entries, not on the order they
//!   arrived in or how often.
//! - [`plan`]: the support plan's lines: what the money is for, and how much each period.
//! - [`date`]: dates written the way people read them ("3 March 2026").
//!
//! # Invariants
//! This crate does no IO, reads no clock and draws no random numbers: the wallet (wasm)
//! and the council server (native) pass in ids and times, so both compute the same
//! answer from the same records.

pub mod date;
pub mod entry;
pub mod ledger;
pub mod money;
pub mod plan;

pub use entry::{
    AccountId, Author, DeviceId, Entry, EntryBody, EntryError, EntryId, PaymentIn, PlanLineId,
    Spend,
};
pub use ledger::Ledger;
pub use money::{Money, MoneyError};
pub use plan::{Category, Period, PlanLine};
