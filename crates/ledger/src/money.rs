//! Pounds and pence.
//!
//! [`Money`] wraps a [`Decimal`] that always holds a whole number of pence. It is the only
//! money type in Tally: balances, budgets and amounts. Floats never touch money.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest amount any single record may carry, whatever a council's own per-entry
/// maximum is: £10 million. It keeps every sum Tally makes far inside `Decimal`'s range,
/// so folds over millions of entries cannot overflow.
pub const HARD_MAXIMUM_PENCE: i64 = 1_000_000_000;

/// An amount of money in pounds and pence. May be negative (a balance can be overdrawn).
///
/// Invariant: the value has at most two decimal places.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

/// Why a typed amount was refused. Each message is a sentence the person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Enter an amount, for example 12.50.")]
    Empty,
    #[error("Enter the amount in pounds and pence using numbers only, for example 12.50.")]
    NotANumber,
    #[error("Use commas only between thousands, for example £1,234.50.")]
    BadGrouping,
    #[error("Enter no more than two numbers after the decimal point (pence), for example 12.50.")]
    TooManyDecimals,
    #[error("Enter an amount more than £0. To record money coming back, record it as a refund.")]
    Negative,
    #[error("Enter an amount more than £0.")]
    Zero,
    #[error("The amount must be {max} or less. For a larger amount, contact your council.")]
    TooLarge { max: Money },
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// An amount from a whole number of pence.
    pub fn from_pence(pence: i64) -> Money {
        Money(Decimal::new(pence, 2))
    }

    /// The amount as a whole number of pence, or `None` if it does not fit in an `i64`.
    pub fn pence(self) -> Option<i64> {
        let scaled = self.0.checked_mul(Decimal::ONE_HUNDRED)?;
        i64::try_from(scaled.trunc()).ok()
    }

    /// The underlying decimal (always whole pence).
    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    pub fn is_negative(self) -> bool {
        self.0 < Decimal::ZERO
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Sum that sticks at the largest representable amount instead of overflowing. Used
    /// only where inputs are already capped (plan budgets, records), so it never sticks in
    /// practice; it exists so no sum can panic.
    pub fn saturating_add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }

    /// `self × numerator ÷ denominator`, rounded to the nearest penny (halves away from
    /// zero, as people round money). `denominator` must be more than zero.
    pub fn mul_div(self, numerator: i64, denominator: i64) -> Money {
        assert!(denominator > 0, "money is only ever divided by a positive count");
        let product = self.0.saturating_mul(Decimal::from(numerator)) / Decimal::from(denominator);
        Money(product.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
    }

    /// This amount as a whole percentage of `whole`, rounded down; `None` unless `whole`
    /// is more than zero.
    pub fn percent_of(self, whole: Money) -> Option<u32> {
        if !whole.is_positive() {
            return None;
        }
        let percent = self.0.checked_mul(Decimal::ONE_HUNDRED)? / whole.0;
        rust_decimal::prelude::ToPrimitive::to_u32(&percent.floor())
    }

    /// Zero for negative amounts.
    pub fn at_least_zero(self) -> Money {
        if self.is_negative() { Money::ZERO } else { self }
    }

    /// Parses an amount a person typed: "12", "12.5", "12.50", "£1,234.50", " 7.50 ".
    ///
    /// Refuses anything ambiguous rather than guessing: no signs, no exponents, commas only
    /// between thousands, at most two decimal places, more than zero and at most `maximum`.
    pub fn parse_amount(input: &str, maximum: Money) -> Result<Money, MoneyError> {
        let text = input.trim();
        let text = text.strip_prefix('£').unwrap_or(text).trim_start();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        if text.starts_with('-') || text.starts_with('−') {
            return Err(MoneyError::Negative);
        }
        let value = parse_unsigned(text)?;
        if value.0.is_zero() {
            return Err(MoneyError::Zero);
        }
        if value > maximum {
            return Err(MoneyError::TooLarge { max: maximum });
        }
        Ok(value)
    }

    /// Formats as plain digits with two decimals and no symbol ("1234.50", "-3.00"): the form
    /// used in records, CSV files and form fields.
    pub fn to_plain_string(self) -> String {
        match self.pounds_and_pence() {
            Some((pounds, pence)) => format!("{}{pounds}.{pence:02}", if self.is_negative() { "-" } else { "" }),
            None => format!("{:.2}", self.0),
        }
    }
}

/// Digits, optional thousands commas, optional point and one or two decimals.
fn parse_unsigned(text: &str) -> Result<Money, MoneyError> {
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if let Some(fraction) = fraction {
        if !fraction.chars().all(|c| c.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        if whole.is_empty() && fraction.is_empty() {
            return Err(MoneyError::NotANumber);
        }
    }
    if !whole.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return Err(MoneyError::NotANumber);
    }
    let digits: String = if whole.contains(',') {
        let mut groups = whole.split(',');
        let first = groups.next().unwrap_or_default();
        let first_ok = (1..=3).contains(&first.len());
        if !first_ok || groups.clone().any(|g| g.len() != 3) {
            return Err(MoneyError::BadGrouping);
        }
        whole.replace(',', "")
    } else {
        whole.to_owned()
    };
    // More than 15 whole digits is far beyond any maximum; refuse before Decimal can
    // overflow.
    if digits.trim_start_matches('0').len() > 15 {
        return Err(MoneyError::TooLarge { max: Money::from_pence(HARD_MAXIMUM_PENCE) });
    }
    let normalised = format!(
        "{}.{}",
        if digits.is_empty() { "0" } else { &digits },
        fraction.unwrap_or("")
    );
    let normalised = normalised.trim_end_matches('.');
    Decimal::from_str(normalised).map(Money).map_err(|_| MoneyError::NotANumber)
}

impl std::ops::Neg for Money {
    type Output = Money;

    /// Cannot overflow: `Decimal`'s range is symmetric.
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl fmt::Display for Money {
    /// "£1,234.50"; negative amounts as "-£12.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((pounds, pence)) = self.pounds_and_pence() else {
            return write!(f, "£{:.2}", self.0);
        };
        let digits = pounds.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.is_negative() { "-" } else { "" };
        write!(f, "{sign}£{grouped}.{pence:02}")
    }
}

impl Money {
    /// The signed amount in pence, exactly (the invariant of at most two decimal places
    /// makes this a multiplication, never a rounding). For hashing and grouping: two equal
    /// amounts written differently ("12.5", "12.50") give the same number.
    pub fn exact_pence(self) -> i128 {
        let scale = self.0.scale().min(2);
        let pence = self.0.mantissa() * 10i128.pow(2 - scale);
        pence / 10i128.pow(self.0.scale().saturating_sub(2))
    }

    /// Whole pounds and pence of the absolute value, read straight from the decimal's
    /// digits (no string formatting): `None` only if the invariant of at most two decimal
    /// places were broken.
    fn pounds_and_pence(self) -> Option<(u128, u128)> {
        let scale = self.0.scale();
        if scale > 2 {
            return None;
        }
        let pence = self.0.mantissa().unsigned_abs() * 10u128.pow(2 - scale);
        Some((pence / 100, pence % 100))
    }
}

impl Serialize for Money {
    /// On the wire money is a string with two decimals ("12.50"), never a JSON number, so
    /// no JSON library can turn it into a float.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_plain_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        if unsigned.contains(',') || unsigned.contains('£') || unsigned.trim() != unsigned {
            return Err(serde::de::Error::custom(format!(
                "the amount \"{text}\" must be written as plain digits, for example \"12.50\""
            )));
        }
        let value = parse_unsigned(unsigned).map_err(|e| {
            serde::de::Error::custom(format!("the amount \"{text}\" is not valid: {e}"))
        })?;
        Ok(if negative { Money(-value.0) } else { value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: Money = Money(Decimal::from_parts(500_000, 0, 0, false, 2)); // £5,000.00

    fn check(input: &str, expected: Result<&str, MoneyError>) {
        let got = Money::parse_amount(input, MAX).map(|m| m.to_string());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn parses_what_people_type() {
        check("12", Ok("£12.00"));
        check("12.5", Ok("£12.50"));
        check("12.50", Ok("£12.50"));
        check("£1,234.50", Ok("£1,234.50"));
        check(" 7.50 ", Ok("£7.50"));
        check("£ 7.50", Ok("£7.50"));
        check("0.01", Ok("£0.01"));
        check(".50", Ok("£0.50"));
        check("12.", Ok("£12.00"));
        check("5000", Ok("£5,000.00"));
    }

    #[test]
    fn refuses_what_is_ambiguous_or_wrong() {
        check("", Err(MoneyError::Empty));
        check("   ", Err(MoneyError::Empty));
        check("£", Err(MoneyError::Empty));
        check("12.345", Err(MoneyError::TooManyDecimals));
        check("-5", Err(MoneyError::Negative));
        check("0", Err(MoneyError::Zero));
        check("0.00", Err(MoneyError::Zero));
        check("1e3", Err(MoneyError::NotANumber));
        check("12,34", Err(MoneyError::BadGrouping));
        check("1,2345", Err(MoneyError::BadGrouping));
        check(",123", Err(MoneyError::BadGrouping));
        check("1.2.3", Err(MoneyError::NotANumber));
        check("twelve", Err(MoneyError::NotANumber));
        check(".", Err(MoneyError::NotANumber));
        check("5000.01", Err(MoneyError::TooLarge { max: MAX }));
        check("99999999999999999999999999999999", Err(MoneyError::TooLarge {
            max: Money::from_pence(HARD_MAXIMUM_PENCE),
        }));
    }

    #[test]
    fn refusals_read_as_plain_english() {
        let message = Money::parse_amount("5000.01", MAX).unwrap_err().to_string();
        assert_eq!(message, "The amount must be £5,000.00 or less. For a larger amount, contact your council.");
    }

    #[test]
    fn formats_with_thousands_and_sign() {
        assert_eq!(Money::from_pence(0).to_string(), "£0.00");
        assert_eq!(Money::from_pence(5).to_string(), "£0.05");
        assert_eq!(Money::from_pence(123_456).to_string(), "£1,234.56");
        assert_eq!(Money::from_pence(100_000_000).to_string(), "£1,000,000.00");
        assert_eq!(Money::from_pence(-1_200).to_string(), "-£12.00");
        assert_eq!(Money::from_pence(-1_200).to_plain_string(), "-12.00");
    }

    #[test]
    fn wire_format_is_a_two_decimal_string() {
        let json = serde_json::to_string(&Money::from_pence(1_250)).unwrap();
        assert_eq!(json, "\"12.50\"");
        let back: Money = serde_json::from_str("\"12.5\"").unwrap();
        assert_eq!(back, Money::from_pence(1_250));
        let negative: Money = serde_json::from_str("\"-3\"").unwrap();
        assert_eq!(negative, Money::from_pence(-300));
        for bad in ["\"12.345\"", "\"1e3\"", "\"£12\"", "\"1,000\"", "12.5", "\"\""] {
            assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Money::from_pence(1_000);
        assert_eq!(a.checked_sub(Money::from_pence(2_500)), Some(Money::from_pence(-1_500)));
        assert_eq!(a.checked_add(a).and_then(Money::pence), Some(2_000));
        let huge = Money(Decimal::MAX);
        assert_eq!(huge.checked_add(huge), None);
        assert_eq!(huge.saturating_add(huge), huge);
        assert_eq!(Money::from_pence(100).mul_div(1, 3), Money::from_pence(33));
        assert_eq!(Money::from_pence(200).mul_div(1, 3), Money::from_pence(67));
        assert_eq!(Money::from_pence(-200).mul_div(1, 3), Money::from_pence(-67));
        assert_eq!(Money::from_pence(-5).at_least_zero(), Money::ZERO);
        assert_eq!(Money::from_pence(3_333).percent_of(Money::from_pence(10_000)), Some(33));
        assert_eq!(Money::from_pence(100).percent_of(Money::from_pence(100)), Some(100));
        assert_eq!(Money::from_pence(100).percent_of(Money::ZERO), None);
        let written_shorter: Money = serde_json::from_str("\"12.5\"").unwrap();
        assert_eq!(written_shorter.exact_pence(), Money::from_pence(1_250).exact_pence());
        assert_eq!(Money::from_pence(-705).exact_pence(), -705);
    }
}
