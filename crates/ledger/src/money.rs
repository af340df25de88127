//! Pounds and pence.
//!
//! [`Money`] is a whole number of pence in an `i64`. It is the only money type in Tally:
//! balances, budgets and amounts. Floats never touch money. Whole pence make every sum,
//! comparison and hash a single integer operation (the ledger folds thousands of entries
//! per screen); [`Money::as_decimal`] gives the same value as a `rust_decimal::Decimal`
//! for anything that wants one.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest amount any single record may carry, whatever a council's own per-entry
/// maximum is: £10 million. It keeps every sum Tally makes far inside `i64`'s range
/// (about 9 × 10^18 pence), so folds over millions of entries cannot overflow.
pub const HARD_MAXIMUM_PENCE: i64 = 1_000_000_000;

/// An amount of money in pounds and pence. May be negative (a balance can be overdrawn).
///
/// Invariant: a whole number of pence (so "12.5" and "12.50" are the same amount).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

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
    pub const ZERO: Money = Money(0);

    /// An amount from a whole number of pence.
    pub const fn from_pence(pence: i64) -> Money {
        Money(pence)
    }

    /// The amount as a whole number of pence. Always `Some`; kept as an `Option` so
    /// callers do not depend on how money is held.
    pub fn pence(self) -> Option<i64> {
        Some(self.0)
    }

    /// The same amount as a decimal number of pounds, with two decimal places.
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
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
        let product = i128::from(self.0) * i128::from(numerator);
        let denominator = i128::from(denominator);
        let (quotient, remainder) = (product / denominator, product % denominator);
        let rounded = if 2 * remainder.abs() >= denominator { quotient + product.signum() } else { quotient };
        Money(i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX }))
    }

    /// This amount as a whole percentage of `whole`, rounded down; `None` unless `whole`
    /// is more than zero and this amount is not negative.
    pub fn percent_of(self, whole: Money) -> Option<u32> {
        if !whole.is_positive() || self.is_negative() {
            return None;
        }
        u32::try_from(i128::from(self.0) * 100 / i128::from(whole.0)).ok()
    }

    /// The amount without its sign.
    pub fn abs(self) -> Money {
        Money(self.0.saturating_abs())
    }

    /// Zero for negative amounts.
    pub fn at_least_zero(self) -> Money {
        if self.is_negative() {
            Money::ZERO
        } else {
            self
        }
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
        if value.0 == 0 {
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
        let (pounds, pence) = self.pounds_and_pence();
        format!("{}{pounds}.{pence:02}", if self.is_negative() { "-" } else { "" })
    }

    /// Whole pounds and pence of the absolute value.
    fn pounds_and_pence(self) -> (u64, u64) {
        let pence = self.0.unsigned_abs();
        (pence / 100, pence % 100)
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
    if whole.contains(',') {
        let mut groups = whole.split(',');
        let first = groups.next().unwrap_or_default();
        let first_ok = (1..=3).contains(&first.len());
        if !first_ok || groups.clone().any(|g| g.len() != 3) {
            return Err(MoneyError::BadGrouping);
        }
    }
    let digits = whole.bytes().filter(u8::is_ascii_digit).skip_while(|d| *d == b'0');
    // More than 15 whole digits is far beyond any maximum; refuse before `i64` could
    // overflow.
    if digits.clone().count() > 15 {
        return Err(MoneyError::TooLarge { max: Money::from_pence(HARD_MAXIMUM_PENCE) });
    }
    let pounds = digits.fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
    let fraction = fraction.unwrap_or_default().as_bytes();
    let pence = match fraction {
        [] => 0,
        [tens] => i64::from(tens - b'0') * 10,
        [tens, units, ..] => i64::from(tens - b'0') * 10 + i64::from(units - b'0'),
    };
    Ok(Money(pounds * 100 + pence))
}

impl std::ops::Neg for Money {
    type Output = Money;

    /// Amounts are capped far inside `i64`, so this never saturates in practice.
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

impl fmt::Display for Money {
    /// "£1,234.50"; negative amounts as "-£12.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (pounds, pence) = self.pounds_and_pence();
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
        let value = parse_unsigned(unsigned)
            .map_err(|e| serde::de::Error::custom(format!("the amount \"{text}\" is not valid: {e}")))?;
        Ok(if negative { -value } else { value })
    }
}

#[cfg(feature = "openapi")]
/// In the council API's description, money is a string with two decimals ("12.50", "-3.00").
impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^-?[0-9]+\.[0-9]{2}$"))
            .description(Some("An amount in pounds, as a string with two decimals; never a number"))
            .examples(["12.50"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: Money = Money::from_pence(500_000); // £5,000.00

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
        check(
            "99999999999999999999999999999999",
            Err(MoneyError::TooLarge { max: Money::from_pence(HARD_MAXIMUM_PENCE) }),
        );
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
        let huge = Money(i64::MAX);
        assert_eq!(huge.checked_add(huge), None);
        assert_eq!(huge.saturating_add(huge), huge);
        assert_eq!(Money::from_pence(100).mul_div(1, 3), Money::from_pence(33));
        assert_eq!(Money::from_pence(200).mul_div(1, 3), Money::from_pence(67));
        assert_eq!(Money::from_pence(-200).mul_div(1, 3), Money::from_pence(-67));
        assert_eq!(Money::from_pence(-5).at_least_zero(), Money::ZERO);
        assert_eq!(Money::from_pence(3_333).percent_of(Money::from_pence(10_000)), Some(33));
        assert_eq!(Money::from_pence(100).percent_of(Money::from_pence(100)), Some(100));
        assert_eq!(Money::from_pence(100).percent_of(Money::ZERO), None);
        assert_eq!(Money::from_pence(-100).percent_of(Money::from_pence(100)), None);
        assert_eq!(Money::from_pence(-1_250).as_decimal().to_string(), "-12.50");
    }
}
