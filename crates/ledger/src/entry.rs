//! The records of a direct payment account.
//!
//! Every record is an [`Entry`]: an id chosen by whoever wrote it (a UUID v7 made on the
//! phone, or by the council server), the account, who wrote it, when, and what it says.
//! Entries are append-only: nothing is ever changed in place or deleted. A mistake is put
//! right with a [`Correction`] (new values for an earlier entry; the old one stays) or a
//! [`Void`] (the entry is cancelled, with a reason).

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::money::{Money, HARD_MAXIMUM_PENCE};
use crate::plan::{Category, OutcomeId};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct PlanLineId(pub String);

/// Who wrote an entry: a person's name and, for entries made on a phone, the device.
/// Council entries have no device.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Author {
    pub name: String,
    pub device: Option<DeviceId>,
    /// The device's own count of the records it has made for this account (1, 2, 3...),
    /// so the council can see whether any record from a device has not arrived. Records
    /// from before it was kept, and council records, have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_seq: Option<u64>,
}

impl Author {
    /// Whether the council wrote it. Authority comes from this and nothing else: a record
    /// from a device always names its device (the server checks it is the one the token
    /// belongs to), and a council record never does. The name is for people to read.
    pub fn is_council(&self) -> bool {
        self.device.is_none()
    }
}

/// One record of an account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    pub id: EntryId,
    pub account: AccountId,
    pub author: Author,
    /// When the writer's clock says the entry was made (passed in; never read here).
    #[serde(with = "crate::date::rfc3339")]
    pub recorded_at: OffsetDateTime,
    pub body: EntryBody,
}

/// What an entry says.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EntryBody {
    /// The council paid money in.
    PaymentIn(MoneyIn),
    /// The person paid their assessed contribution in.
    Contribution(MoneyIn),
    /// Money spent on support.
    Spend(Spend),
    /// Money that came back from a payee.
    Refund(Refund),
    /// Surplus the council took back.
    Clawback(Clawback),
    /// A bank's or card provider's charge taken from the account (a card fee, a bank
    /// charge), recorded by the council from a statement.
    Charge(Charge),
    /// New values for an earlier money entry; the earlier entry stays on record.
    Correction(Correction),
    /// Cancels an earlier money entry, with a reason; it stays on record.
    Void(Void),
    /// A council officer's decision about a spend.
    ReviewDecision(ReviewDecision),
    /// The person's explanation of a spend (why it was needed, an answer to a question), or
    /// their answer to a statement query.
    Explanation(Explanation),
    /// The council asks the person about money on their bank or card statement that no
    /// logged record accounts for.
    StatementQuery(StatementQuery),
}

/// Money paid into the account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoneyIn {
    #[serde(with = "crate::date::iso")]
    pub date: Date,
    pub amount: Money,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
}

/// Who was paid, in the terms of the rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PayeeKind {
    Agency,
    PersonalAssistant,
    Shop,
    #[default]
    Other,
}

/// How the money left the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    #[default]
    Card,
    Transfer,
    Cash,
    DirectDebit,
}

impl PaymentMethod {
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Card => "Card",
            PaymentMethod::Transfer => "Bank transfer",
            PaymentMethod::Cash => "Cash",
            PaymentMethod::DirectDebit => "Direct debit",
        }
    }
}

/// A receipt photo, named by the SHA-256 of its bytes (64 lower-case hex digits), so the
/// same photo is stored and sent once.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ReceiptRef(pub String);

/// Money spent from the account on support.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spend {
    /// The day the money was spent (as the person says).
    #[serde(with = "crate::date::iso")]
    pub date: Date,
    /// Always more than zero.
    pub amount: Money,
    /// Who was paid, as the person wrote it.
    pub payee: String,
    #[serde(default)]
    pub payee_kind: PayeeKind,
    /// The payee is a close relative living in the same household.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub close_relative_in_household: bool,
    /// The council's recorded decision allowing it, where there is one (its reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_authorisation: Option<String>,
    /// The support plan line it is for; `None` when it is not in the plan.
    pub plan_line: Option<PlanLineId>,
    /// What it was for, when there is no plan line (otherwise the line's category).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default)]
    pub method: PaymentMethod,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<ReceiptRef>,
    /// Which of the person's outcomes it served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeId>,
    /// For a respite stay: how many days it covers (for the yearly respite cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respite_days: Option<u32>,
    /// The council's [`StatementQuery`] this spend was logged in answer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<EntryId>,
}

impl Spend {
    /// A spend with what every spend needs; the rest at their usual values (paid by card,
    /// payee of no particular kind, no note, receipt, outcome or respite days).
    pub fn new(date: Date, amount: Money, payee: impl Into<String>, plan_line: Option<PlanLineId>) -> Spend {
        Spend {
            date,
            amount,
            payee: payee.into(),
            payee_kind: PayeeKind::default(),
            close_relative_in_household: false,
            council_authorisation: None,
            plan_line,
            category: None,
            method: PaymentMethod::default(),
            note: String::new(),
            receipts: Vec::new(),
            outcome: None,
            respite_days: None,
            answers: None,
        }
    }
}

/// Money that came back from a payee (a refund, an overpayment returned).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refund {
    #[serde(with = "crate::date::iso")]
    pub date: Date,
    pub amount: Money,
    pub payee: String,
    /// The plan line it gives money back to, if any: it reduces that line's spending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_line: Option<PlanLineId>,
    /// The spend it refunds, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_of: Option<EntryId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Surplus the council recovered from the account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clawback {
    #[serde(with = "crate::date::iso")]
    pub date: Date,
    pub amount: Money,
    pub reason: String,
}

/// A charge the bank or card provider took from the account, as its statement shows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Charge {
    #[serde(with = "crate::date::iso")]
    pub date: Date,
    pub amount: Money,
    /// As the statement describes it: "Monthly card fee", "ATM fee".
    pub description: String,
}

/// New values for an earlier money entry. The replacement must be the same kind of entry.
/// Several corrections of one entry: the latest recorded one counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    pub corrects: EntryId,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub replacement: Box<EntryBody>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Cancels an earlier money entry (and any corrections of it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Void {
    pub voids: EntryId,
    pub reason: String,
}

/// What a council officer decided about a spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The spending is fine.
    Approved,
    /// The officer asks the person something (in the note); the person answers with an
    /// explanation.
    Question,
    /// The spending was not allowed; the council will say what happens next.
    NotAllowed,
}

impl Decision {
    /// Approved and not allowed close a review; a question waits for the person's answer.
    pub fn is_final(self) -> bool {
        matches!(self, Decision::Approved | Decision::NotAllowed)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewDecision {
    pub about: EntryId,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The record whose values the officer decided on: the spend itself, or the correction
    /// of it in force then ([`Active::version`](crate::Active::version)). A final decision
    /// keeps those values in force against later corrections from a device. Decisions
    /// recorded before this was kept have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<EntryId>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    pub about: EntryId,
    pub text: String,
}

/// A line of the account's bank or card statement that no logged record accounts for,
/// sent to the person to explain (or to log the spend they forgot). The person answers
/// with an [`Explanation`] about it, or a [`Spend`] that [`answers`](Spend::answers) it;
/// an officer closes it with a [`ReviewDecision`] about it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementQuery {
    /// The statement line's date.
    #[serde(with = "crate::date::iso")]
    pub date: Date,
    /// As on the statement: negative for money out of the account.
    pub amount: Money,
    /// What the statement says (the payee or merchant).
    pub description: String,
    /// The council's ids of the imported statement and its line, so the answer finds its
    /// way back to the line.
    pub statement: String,
    pub line_no: u32,
    /// The officer's words to the person, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl StatementQuery {
    /// Whether the statement line is money out of the account (which a spend can answer).
    pub fn is_money_out(&self) -> bool {
        self.amount.is_negative()
    }
}

/// The longest payee name, reference or plan line id a record may carry.
pub const MAX_TEXT_CHARS: usize = 200;
/// The longest note, reason or explanation.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The most receipt photos on one spend.
pub const MAX_RECEIPTS: usize = 20;
/// No respite stay is longer than a year.
const MAX_RESPITE_DAYS: u32 = 366;

/// Why a record cannot be stored. Each message is a sentence for a person.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("The amount must be more than £0.")]
    AmountNotPositive,
    #[error("The amount is larger than any single payment Tally accepts.")]
    AmountTooLarge,
    #[error("Enter who was paid.")]
    PayeeMissing,
    #[error("Names and references must be {MAX_TEXT_CHARS} characters or fewer.")]
    TextTooLong,
    #[error("Notes and explanations must be {MAX_NOTE_CHARS} characters or fewer.")]
    NoteTooLong,
    #[error("A plan line must have a name.")]
    PlanLineEmpty,
    #[error("A spend can have at most {MAX_RECEIPTS} receipt photos.")]
    TooManyReceipts,
    #[error("A receipt reference is not a SHA-256 fingerprint.")]
    BadReceipt,
    #[error("A respite stay can cover at most {MAX_RESPITE_DAYS} days.")]
    RespiteTooLong,
    #[error("A correction must give new values for a payment, spend, refund or clawback.")]
    CorrectionNotMoney,
    #[error("Say why the entry is being cancelled.")]
    ReasonMissing,
    #[error("Write the explanation.")]
    ExplanationMissing,
    #[error("A question to the person needs the question written in the note.")]
    QuestionMissing,
    #[error("A statement query must be about an amount other than £0.")]
    QueryAmountZero,
    /// A date outside the range the checker allows; the message names the field.
    #[error("{what} ({}) must be {}.", crate::date::long_date(*.date), .range.describe())]
    DateOutOfRange { what: &'static str, date: Date, range: crate::date::DateRange },
}

impl Entry {
    /// Checks the things every copy of this record must satisfy, wherever it was made.
    pub fn check(&self) -> Result<(), EntryError> {
        check_text(&self.author.name)?;
        self.body.check()
    }

    /// The receipt photos this record names (a spend's, or a corrected spend's).
    pub fn receipts(&self) -> &[ReceiptRef] {
        self.body.receipts()
    }

    /// Whether the council wrote it (see [`Author::is_council`]).
    pub fn by_council(&self) -> bool {
        self.author.is_council()
    }

    /// Whether its writer may write its kind at all: council-only kinds (payments in,
    /// clawbacks, decisions, statement queries) from a device have no force anywhere.
    pub fn has_standing(&self) -> bool {
        self.by_council() || !self.body.council_only()
    }

    /// Checks every date the record carries is in `range` (the checker's today decides
    /// it; the ledger reads no clock).
    pub fn check_dates(&self, range: crate::date::DateRange) -> Result<(), EntryError> {
        self.body.check_dates(range)
    }
}

impl EntryBody {
    /// The receipt photos this body names.
    pub fn receipts(&self) -> &[ReceiptRef] {
        match self {
            EntryBody::Spend(spend) => &spend.receipts,
            EntryBody::Correction(correction) => correction.replacement.receipts(),
            _ => &[],
        }
    }

    /// The dates it carries, each with what it is for a message.
    pub fn date_field(&self) -> Option<(&'static str, Date)> {
        match self {
            EntryBody::PaymentIn(m) => Some(("The date of the payment in", m.date)),
            EntryBody::Contribution(m) => Some(("The date of the money paid in", m.date)),
            EntryBody::Spend(s) => Some(("The date of the spending", s.date)),
            EntryBody::Refund(r) => Some(("The date of the refund", r.date)),
            EntryBody::Clawback(c) => Some(("The date of the money taken back", c.date)),
            EntryBody::Charge(c) => Some(("The date of the charge", c.date)),
            EntryBody::StatementQuery(q) => Some(("The date of the statement line", q.date)),
            EntryBody::Correction(c) => c.replacement.date_field(),
            EntryBody::Void(_) | EntryBody::ReviewDecision(_) | EntryBody::Explanation(_) => None,
        }
    }

    fn check_dates(&self, range: crate::date::DateRange) -> Result<(), EntryError> {
        match self.date_field() {
            Some((what, date)) if !range.contains(date) => Err(EntryError::DateOutOfRange { what, date, range }),
            _ => Ok(()),
        }
    }

    fn check(&self) -> Result<(), EntryError> {
        match self {
            EntryBody::PaymentIn(m) | EntryBody::Contribution(m) => {
                check_amount(m.amount)?;
                check_text(&m.reference)
            }
            EntryBody::Spend(s) => {
                check_amount(s.amount)?;
                if s.payee.trim().is_empty() {
                    return Err(EntryError::PayeeMissing);
                }
                check_text(&s.payee)?;
                if let Some(line) = &s.plan_line {
                    if line.0.trim().is_empty() {
                        return Err(EntryError::PlanLineEmpty);
                    }
                    check_text(&line.0)?;
                }
                check_text(s.council_authorisation.as_deref().unwrap_or_default())?;
                check_note(&s.note)?;
                if s.receipts.len() > MAX_RECEIPTS {
                    return Err(EntryError::TooManyReceipts);
                }
                // Every byte is looked at (no early exit), which the compiler turns into a few wide
                // comparisons: this runs for every receipt whenever a ledger is built.
                let is_sha256 = |r: &ReceiptRef| {
                    r.0.len() == 64
                        && r.0.bytes().fold(true, |ok, b| ok & (b.is_ascii_digit() | (b'a'..=b'f').contains(&b)))
                };
                if !s.receipts.iter().all(is_sha256) {
                    return Err(EntryError::BadReceipt);
                }
                if s.respite_days.is_some_and(|d| d > MAX_RESPITE_DAYS) {
                    return Err(EntryError::RespiteTooLong);
                }
                check_text(s.outcome.as_ref().map(|o| o.0.as_str()).unwrap_or_default())
            }
            EntryBody::Refund(r) => {
                check_amount(r.amount)?;
                if r.payee.trim().is_empty() {
                    return Err(EntryError::PayeeMissing);
                }
                check_text(&r.payee)?;
                check_note(&r.note)
            }
            EntryBody::Clawback(c) => {
                check_amount(c.amount)?;
                check_note(&c.reason)
            }
            EntryBody::Charge(c) => {
                check_amount(c.amount)?;
                check_text(&c.description)
            }
            EntryBody::Correction(c) => {
                if !c.replacement.is_money() {
                    return Err(EntryError::CorrectionNotMoney);
                }
                check_note(&c.reason)?;
                c.replacement.check()
            }
            EntryBody::Void(v) => {
                if v.reason.trim().is_empty() {
                    return Err(EntryError::ReasonMissing);
                }
                check_note(&v.reason)
            }
            EntryBody::ReviewDecision(r) => {
                if r.decision == Decision::Question && r.note.trim().is_empty() {
                    return Err(EntryError::QuestionMissing);
                }
                check_note(&r.note)
            }
            EntryBody::Explanation(e) => {
                if e.text.trim().is_empty() {
                    return Err(EntryError::ExplanationMissing);
                }
                check_note(&e.text)
            }
            EntryBody::StatementQuery(q) => {
                if q.amount == Money::ZERO {
                    return Err(EntryError::QueryAmountZero);
                }
                check_amount(q.amount.abs())?;
                check_text(&q.description)?;
                check_text(&q.statement)?;
                check_note(&q.note)
            }
        }
    }

    /// Entries that move money (and so can be corrected or voided).
    pub fn is_money(&self) -> bool {
        matches!(
            self,
            EntryBody::PaymentIn(_)
                | EntryBody::Contribution(_)
                | EntryBody::Spend(_)
                | EntryBody::Refund(_)
                | EntryBody::Clawback(_)
                | EntryBody::Charge(_)
        )
    }

    /// Entries only the council may write: payments in, clawbacks, provider charges,
    /// review decisions, statement queries, and corrections of any of these.
    pub fn council_only(&self) -> bool {
        match self {
            EntryBody::PaymentIn(_)
            | EntryBody::Clawback(_)
            | EntryBody::Charge(_)
            | EntryBody::ReviewDecision(_)
            | EntryBody::StatementQuery(_) => true,
            EntryBody::Correction(c) => c.replacement.council_only(),
            _ => false,
        }
    }

    /// The money date and signed amount: positive into the account, negative out.
    pub fn money_movement(&self) -> Option<(Date, Money)> {
        match self {
            EntryBody::PaymentIn(m) | EntryBody::Contribution(m) => Some((m.date, m.amount)),
            EntryBody::Refund(r) => Some((r.date, r.amount)),
            EntryBody::Spend(s) => Some((s.date, -s.amount)),
            EntryBody::Clawback(c) => Some((c.date, -c.amount)),
            EntryBody::Charge(c) => Some((c.date, -c.amount)),
            _ => None,
        }
    }

    /// Whether a replacement is the same kind of entry as this one.
    pub fn same_kind(&self, other: &EntryBody) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
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
    // A string of at most N bytes has at most N characters: no need to count.
    if text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS {
        return Err(EntryError::TextTooLong);
    }
    Ok(())
}

fn check_note(text: &str) -> Result<(), EntryError> {
    if text.len() > MAX_NOTE_CHARS && text.chars().count() > MAX_NOTE_CHARS {
        return Err(EntryError::NoteTooLong);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::{date, datetime};

    pub(crate) fn entry(n: u128, body: EntryBody) -> Entry {
        Entry {
            id: EntryId(Uuid::from_u128(n)),
            account: AccountId(Uuid::from_u128(1)),
            author: Author { name: "Alex".into(), device: Some(DeviceId(Uuid::from_u128(2))), device_seq: None },
            recorded_at: datetime!(2026-11-22 10:00 UTC),
            body,
        }
    }

    /// The same entry, written by the council.
    pub(crate) fn by_council(mut e: Entry) -> Entry {
        e.author = Author { name: "Demo Borough Council".into(), device: None, device_seq: None };
        e
    }

    pub(crate) fn spend_body(pence: i64) -> Spend {
        Spend {
            payee_kind: PayeeKind::Agency,
            ..Spend::new(
                date!(2026 - 11 - 21),
                Money::from_pence(pence),
                "Sunrise Day Centre",
                Some(PlanLineId("day-centre".into())),
            )
        }
    }

    pub(crate) fn spend(n: u128, pence: i64) -> Entry {
        entry(n, EntryBody::Spend(spend_body(pence)))
    }

    pub(crate) fn payment_in(n: u128, pence: i64) -> Entry {
        by_council(entry(
            n,
            EntryBody::PaymentIn(MoneyIn {
                date: date!(2026 - 11 - 01),
                amount: Money::from_pence(pence),
                reference: "First payment".into(),
            }),
        ))
    }

    #[test]
    fn wire_format_is_stable() {
        let json = serde_json::to_string(&spend(3, 1_250)).unwrap();
        assert_eq!(
            json,
            r#"{"id":"00000000-0000-0000-0000-000000000003","account":"00000000-0000-0000-0000-000000000001","author":{"name":"Alex","device":"00000000-0000-0000-0000-000000000002"},"recorded_at":"2026-11-22T10:00:00Z","body":{"type":"spend","date":"2026-11-21","amount":"12.50","payee":"Sunrise Day Centre","payee_kind":"agency","plan_line":"day-centre","method":"card"}}"#
        );
        let back: Entry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spend(3, 1_250));
        // A minimal spend (fields added later are optional) still reads.
        let minimal = r#"{"type":"spend","date":"2026-11-21","amount":"1","payee":"X","plan_line":null}"#;
        let body: EntryBody = serde_json::from_str(minimal).unwrap();
        assert!(matches!(
            body,
            EntryBody::Spend(Spend { method: PaymentMethod::Card, payee_kind: PayeeKind::Other, .. })
        ));
        let correction = entry(
            9,
            EntryBody::Correction(Correction {
                corrects: EntryId(Uuid::from_u128(3)),
                replacement: Box::new(EntryBody::Spend(spend_body(999))),
                reason: "Typo".into(),
            }),
        );
        let round_trip: Entry = serde_json::from_str(&serde_json::to_string(&correction).unwrap()).unwrap();
        assert_eq!(round_trip, correction);
    }

    fn check(body: EntryBody, expected: Result<(), EntryError>) {
        assert_eq!(entry(3, body.clone()).check(), expected, "{body:?}");
    }

    fn with_spend(f: impl FnOnce(&mut Spend)) -> EntryBody {
        let mut s = spend_body(1_000);
        f(&mut s);
        EntryBody::Spend(s)
    }

    #[test]
    fn receipts_are_found_in_spends_and_their_corrections() {
        let photo = ReceiptRef("0f".repeat(32));
        let spend = with_spend(|s| s.receipts = vec![photo.clone()]);
        assert_eq!(entry(1, spend.clone()).receipts(), std::slice::from_ref(&photo));
        let target = EntryId(Uuid::from_u128(7));
        let correction =
            EntryBody::Correction(Correction { corrects: target, replacement: Box::new(spend), reason: String::new() });
        assert_eq!(entry(2, correction).receipts(), std::slice::from_ref(&photo));
        assert!(entry(3, EntryBody::Void(Void { voids: target, reason: "x".into() })).receipts().is_empty());
        assert!(entry(4, with_spend(|_| ())).receipts().is_empty());
    }

    #[test]
    fn every_record_is_checked() {
        use EntryError::*;
        let money_in =
            |pence| MoneyIn { date: date!(2026 - 11 - 01), amount: Money::from_pence(pence), reference: String::new() };
        check(with_spend(|_| ()), Ok(()));
        check(with_spend(|s| s.amount = Money::ZERO), Err(AmountNotPositive));
        check(with_spend(|s| s.amount = Money::from_pence(-5)), Err(AmountNotPositive));
        check(with_spend(|s| s.amount = Money::from_pence(HARD_MAXIMUM_PENCE + 1)), Err(AmountTooLarge));
        check(EntryBody::PaymentIn(money_in(0)), Err(AmountNotPositive));
        check(EntryBody::Contribution(money_in(100)), Ok(()));
        check(with_spend(|s| s.payee = "  ".into()), Err(PayeeMissing));
        check(with_spend(|s| s.payee = "x".repeat(201)), Err(TextTooLong));
        check(with_spend(|s| s.plan_line = Some(PlanLineId(String::new()))), Err(PlanLineEmpty));
        check(with_spend(|s| s.plan_line = None), Ok(()));
        check(with_spend(|s| s.note = "n".repeat(2001)), Err(NoteTooLong));
        check(with_spend(|s| s.receipts = vec![ReceiptRef("a".repeat(64)); 21]), Err(TooManyReceipts));
        check(with_spend(|s| s.receipts = vec![ReceiptRef("A".repeat(64))]), Err(BadReceipt));
        check(with_spend(|s| s.receipts = vec![ReceiptRef("0f".repeat(32))]), Ok(()));
        check(with_spend(|s| s.respite_days = Some(400)), Err(RespiteTooLong));
        let target = EntryId(Uuid::from_u128(7));
        check(EntryBody::Void(Void { voids: target, reason: " ".into() }), Err(ReasonMissing));
        check(EntryBody::Void(Void { voids: target, reason: "Entered twice".into() }), Ok(()));
        check(EntryBody::Explanation(Explanation { about: target, text: "".into() }), Err(ExplanationMissing));
        check(
            EntryBody::ReviewDecision(ReviewDecision {
                about: target,
                decision: Decision::Question,
                note: "".into(),
                version: None,
            }),
            Err(QuestionMissing),
        );
        check(
            EntryBody::ReviewDecision(ReviewDecision {
                about: target,
                decision: Decision::Approved,
                note: "".into(),
                version: None,
            }),
            Ok(()),
        );
        let correct = |replacement| {
            EntryBody::Correction(Correction {
                corrects: target,
                replacement: Box::new(replacement),
                reason: String::new(),
            })
        };
        check(correct(EntryBody::Void(Void { voids: target, reason: "x".into() })), Err(CorrectionNotMoney));
        check(correct(with_spend(|s| s.amount = Money::ZERO)), Err(AmountNotPositive));
        check(correct(with_spend(|_| ())), Ok(()));
        check(
            EntryBody::Refund(Refund {
                date: date!(2026 - 11 - 02),
                amount: Money::from_pence(5),
                payee: "".into(),
                plan_line: None,
                refund_of: None,
                note: String::new(),
            }),
            Err(PayeeMissing),
        );
        let query = |pence, description: &str| {
            EntryBody::StatementQuery(StatementQuery {
                date: date!(2026 - 11 - 03),
                amount: Money::from_pence(pence),
                description: description.into(),
                statement: "s".into(),
                line_no: 2,
                note: String::new(),
            })
        };
        check(query(-1_250, "TESCO"), Ok(()));
        check(query(900, "Refund from Argos"), Ok(()));
        check(query(0, "TESCO"), Err(QueryAmountZero));
        check(query(-(HARD_MAXIMUM_PENCE + 1), "TESCO"), Err(AmountTooLarge));
        check(query(-5, &"x".repeat(201)), Err(TextTooLong));
    }

    #[test]
    fn only_the_council_writes_payments_in_clawbacks_decisions_and_queries() {
        let target = EntryId(Uuid::from_u128(7));
        assert!(payment_in(1, 100).body.council_only());
        assert!(!spend(1, 100).body.council_only());
        let correct_payment = EntryBody::Correction(Correction {
            corrects: target,
            replacement: Box::new(payment_in(1, 5).body),
            reason: String::new(),
        });
        assert!(correct_payment.council_only());
        assert!(EntryBody::ReviewDecision(ReviewDecision {
            about: target,
            decision: Decision::Approved,
            note: String::new(),
            version: None
        })
        .council_only());
        assert!(!EntryBody::Explanation(Explanation { about: target, text: "Why".into() }).council_only());
        let query = StatementQuery {
            date: date!(2026 - 11 - 03),
            amount: Money::from_pence(-5),
            description: String::new(),
            statement: "s".into(),
            line_no: 1,
            note: String::new(),
        };
        assert!(EntryBody::StatementQuery(query).council_only());
    }
}
