//! Tally's ledger: the rules of a direct payment account, as pure functions.
//!
//! # Layout
//! - [`money`]: pounds and pence. Strict parsing of what people type, formatting as
//!   "£1,234.50", arithmetic that refuses to overflow. Never a float.
//! - [`entry`]: the append-only records of an account (payments in, contributions,
//!   spending, refunds, clawbacks, corrections, voids, reviews, explanations, statement
//!   queries) and the checks
//!   every record must pass before anyone stores it.
//! - [`ledger`]: folds a set of entries into what people see: the balance, spending, each
//!   plan line's budget left, statements for any period, surplus above the contingency. The result depends only on the *set* of entries, not on the order they
//!   arrived in or how often.
//! - [`plan`]: the support plan, with versions, outcomes and lines: what the money is for,
//!   and how much each period.
//! - [`policy`]: a council's local rules (contingency, receipts, cash, respite cap...).
//! - [`rules`]: flags on spending (explain / not allowed), account flags and safeguarding
//!   signals, each with a plain-English reason naming the rule.
//! - [`matching`]: pairs bank or card statement lines with logged entries.
//! - [`export`]: statements as rows and CSV, for returns and audit sheets.
//! - [`date`]: dates written the way people read them ("3 March 2026").
//!
//! # Invariants
//! This crate does no IO, reads no clock and draws no random numbers: the wallet (wasm)
//! and the council server (native) pass in ids and times, so both compute the same
//! answer from the same records.

pub mod date;
pub mod entry;
pub mod export;
pub mod ledger;
pub mod life;
pub mod matching;
pub mod money;
pub mod plan;
pub mod policy;
pub mod rules;

pub use entry::{
    AccountId, Author, Charge, Clawback, Correction, Decision, DeviceId, Entry, EntryBody, EntryError, EntryId,
    Explanation, MoneyIn, PayeeKind, PaymentMethod, PlanLineId, ReceiptRef, Refund, ReviewDecision, Spend,
    StatementQuery, Void,
};
pub use ledger::{
    Active, History, Ledger, LineUsage, MonthFigures, NoAuthority, QueryStatus, QueryThread, Statement, Surplus, View,
};
pub use money::{Money, MoneyError};
pub use plan::{Category, Outcome, OutcomeId, Period, PlanLine, PlanVersion, SupportPlan};
pub use policy::{BannedCategory, CouncilPolicy, SafeguardingThresholds};
pub use rules::{AccountFlag, AccountRule, Flag, Review, Rule, Rules, Severity, Signal};
