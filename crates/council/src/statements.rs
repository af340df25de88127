//! Bank and prepaid-card statements, imported as CSV with a column mapping per provider.
//!
//! A file is read whole and checked line by line before anything is kept: a missing or
//! unexpected column, a bad date or a bad amount is reported with the line and the
//! column, and then nothing is imported. Two formats come built in (a bank statement
//! and a prepaid-card feed with entry type, merchant and MCC; samples in
//! `tests/fixtures/statements/`); a council can save a mapping for any other provider.

use serde::{Deserialize, Serialize};
use tally_ledger::matching::StatementLine;
use tally_ledger::Money;
use time::{Date, Month};

/// The largest amount on one statement line (£1,000,000): anything larger is a misread.
const MAX_LINE_PENCE: i64 = 100_000_000;

/// How a provider's CSV maps to statement lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// Every column the file has, in any order: a missing one or an unexpected one is an
    /// error (the provider changed its format; the mapping must be looked at).
    pub columns: Vec<String>,
    pub date: String,
    pub date_format: DateFormat,
    pub amount: Amounts,
    /// The payee or merchant.
    pub description: String,
    #[serde(default)]
    pub reference: Option<String>,
    /// The running balance after each line, when the file has one.
    #[serde(default)]
    pub balance: Option<String>,
    /// Card feeds: which entry types moved money. Lines of other listed types (declined)
    /// are skipped; an unknown type is an error.
    #[serde(default)]
    pub entry_type: Option<EntryTypes>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// 31/01/2026
    DayMonthYear,
    /// 31/01/2026 14:05 (the time is ignored)
    DayMonthYearTime,
    /// 2026-01-31
    Iso,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Amounts {
    /// One column, negative for money out.
    Signed { column: String },
    /// Two columns, both positive; one of them filled on each line.
    Split { money_out: String, money_in: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryTypes {
    pub column: String,
    pub keep: Vec<String>,
    pub skip: Vec<String>,
}

impl Mapping {
    /// What is wrong with a mapping someone wrote: columns it reads that the file does not
    /// have. Empty when it can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut read = vec![("date", &self.date), ("description", &self.description)];
        match &self.amount {
            Amounts::Signed { column } => read.push(("amount", column)),
            Amounts::Split { money_out, money_in } => {
                read.push(("money out", money_out));
                read.push(("money in", money_in));
            }
        }
        read.extend(self.reference.iter().map(|c| ("reference", c)));
        read.extend(self.balance.iter().map(|c| ("balance", c)));
        read.extend(self.entry_type.iter().map(|t| ("entry type", &t.column)));
        let mut problems: Vec<String> = read
            .into_iter()
            .filter(|(_, column)| !self.columns.contains(column))
            .map(|(what, column)| format!("The {what} column, \"{column}\", is not one of the file's columns."))
            .collect();
        if self.columns.is_empty() {
            problems.insert(0, "List the file's columns, as its first line names them.".to_owned());
        }
        problems
    }
}

/// The built-in formats, by name.
pub fn built_in(name: &str) -> Option<Mapping> {
    let columns = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
    match name {
        BANK => Some(Mapping {
            columns: columns(&["Date", "Description", "Reference", "Money out", "Money in", "Balance"]),
            date: "Date".into(),
            date_format: DateFormat::DayMonthYear,
            amount: Amounts::Split { money_out: "Money out".into(), money_in: "Money in".into() },
            description: "Description".into(),
            reference: Some("Reference".into()),
            balance: Some("Balance".into()),
            entry_type: None,
        }),
        CARD_FEED => Some(Mapping {
            columns: columns(&[
                "Transaction ref",
                "Entry type",
                "Date time",
                "Amount",
                "Currency",
                "Fees",
                "Available balance",
                "Merchant name",
                "MCC",
                "MCC description",
                "Town",
                "Card present",
            ]),
            date: "Date time".into(),
            date_format: DateFormat::DayMonthYearTime,
            amount: Amounts::Signed { column: "Amount".into() },
            description: "Merchant name".into(),
            reference: Some("Transaction ref".into()),
            balance: Some("Available balance".into()),
            entry_type: Some(EntryTypes {
                column: "Entry type".into(),
                keep: vec!["approved".into(), "reversed".into(), "chargeback".into()],
                skip: vec!["declined".into()],
            }),
        }),
        _ => None,
    }
}

pub const BANK: &str = "Bank statement (sample format)";
pub const CARD_FEED: &str = "Prepaid card feed (sample format)";

/// A file read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// With the file's line number of each (the header is line 1).
    pub lines: Vec<(usize, StatementLine)>,
    /// The balance after the last line, when the file gives balances.
    pub closing_balance: Option<Money>,
    /// Lines of entry types that moved no money (declined).
    pub skipped: usize,
}

/// One problem with a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "Line {}, column \"{column}\": {}", self.line, self.message),
            // Not about one line (how many more problems there are).
            None if self.line == 0 => f.write_str(&self.message),
            None => write!(f, "Line {}: {}", self.line, self.message),
        }
    }
}

/// At most this many problems are reported; the rest are counted.
pub const MAX_PROBLEMS: usize = 20;
/// The most lines one import takes: a year of a busy card account is under 3,000, and a
/// statement is read, matched and shown whole.
pub const MAX_LINES: usize = 5_000;
/// The most columns a statement file may have (providers' files have under 20).
pub const MAX_COLUMNS: usize = 60;
/// The longest a cell may be, in characters (a description, a reference).
pub const MAX_CELL_CHARS: usize = 500;

/// Reads a whole file. Either every line is good, or the problems are returned (up to
/// [`MAX_PROBLEMS`]) and nothing is.
pub fn parse(text: &str, mapping: &Mapping) -> Result<Parsed, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(_) => {
            return Err(vec![Problem { line: 1, column: None, message: "The file could not be read as CSV.".into() }])
        }
    };
    if header.iter().all(String::is_empty) {
        return Err(vec![Problem { line: 1, column: None, message: "The file is empty.".into() }]);
    }
    if header.len() > MAX_COLUMNS {
        return Err(vec![Problem {
            line: 1,
            column: None,
            message: format!(
                "the file has {} columns; a statement has at most {MAX_COLUMNS}. Check it is the provider's statement file.",
                header.len()
            ),
        }]);
    }
    let mut problems = Vec::new();
    for wanted in &mapping.columns {
        if !header.contains(wanted) {
            problems.push(Problem {
                line: 1,
                column: Some(wanted.clone()),
                message: format!("this column is missing. The file's columns are: {}.", header.join(", ")),
            });
        }
    }
    for found in &header {
        if !mapping.columns.contains(found) {
            problems.push(Problem {
                line: 1,
                column: Some(found.clone()),
                message:
                    "this column is not in the format. If the provider changed its files, the format needs updating."
                        .into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let index = |name: &str| header.iter().position(|h| h == name).expect("checked above");
    let mut lines = Vec::new();
    let mut skipped = 0;
    let mut closing_balance = None;
    let mut extra = 0;
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let mut problem = |column: &str, message: String| {
            if problems.len() < MAX_PROBLEMS {
                problems.push(Problem { line, column: (!column.is_empty()).then(|| column.to_owned()), message });
            } else {
                extra += 1;
            }
        };
        let record = match record {
            Ok(record) => record,
            Err(_) => {
                problem("", "this line could not be read as CSV.".into());
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if n >= MAX_LINES {
            return Err(vec![Problem {
                line,
                column: None,
                message: format!(
                    "the file has more than {MAX_LINES} lines, the most one import takes. Import it a month or a quarter at a time."
                ),
            }]);
        }
        if let Some((i, _)) = record.iter().enumerate().find(|(_, c)| c.chars().count() > MAX_CELL_CHARS) {
            let column = header.get(i).cloned().unwrap_or_default();
            problem(&column, format!("this cell is longer than {MAX_CELL_CHARS} characters."));
            continue;
        }
        if record.len() != header.len() {
            problem("", format!("this line has {} cells; the header has {}.", record.len(), header.len()));
            continue;
        }
        let cell = |name: &str| record.get(index(name)).unwrap_or_default().trim();
        if let Some(types) = &mapping.entry_type {
            let kind = cell(&types.column).to_lowercase();
            if types.skip.contains(&kind) {
                skipped += 1;
                continue;
            }
            if !types.keep.contains(&kind) {
                problem(
                    &types.column,
                    format!(
                        "\"{kind}\" is not an entry type this format knows ({}).",
                        [types.keep.clone(), types.skip.clone()].concat().join(", ")
                    ),
                );
                continue;
            }
        }
        let date = match read_date(cell(&mapping.date), mapping.date_format) {
            Some(date) => Some(date),
            None => {
                problem(
                    &mapping.date,
                    format!("\"{}\" is not a date in the form {}.", cell(&mapping.date), example(mapping.date_format)),
                );
                None
            }
        };
        let amount = match &mapping.amount {
            Amounts::Signed { column } => match read_amount(cell(column)) {
                Some(a) if a != Money::ZERO => Some(a),
                _ => {
                    problem(column, format!("\"{}\" is not an amount (for example -12.50 or 1,480.00).", cell(column)));
                    None
                }
            },
            Amounts::Split { money_out, money_in } => match (cell(money_out), cell(money_in)) {
                (out, "") if !out.is_empty() => match read_amount(out) {
                    Some(a) if a.is_positive() => Some(-a),
                    _ => {
                        problem(money_out, format!("\"{out}\" is not an amount (for example 12.50)."));
                        None
                    }
                },
                ("", inward) if !inward.is_empty() => match read_amount(inward) {
                    Some(a) if a.is_positive() => Some(a),
                    _ => {
                        problem(money_in, format!("\"{inward}\" is not an amount (for example 12.50)."));
                        None
                    }
                },
                _ => {
                    problem(money_out, format!("fill in exactly one of \"{money_out}\" and \"{money_in}\"."));
                    None
                }
            },
        };
        if let Some(column) = &mapping.balance {
            match read_amount(cell(column)) {
                Some(balance) => closing_balance = Some(balance),
                None => problem(column, format!("\"{}\" is not an amount.", cell(column))),
            }
        }
        if let (Some(date), Some(amount)) = (date, amount) {
            let description = cell(&mapping.description).to_owned();
            let reference = mapping.reference.as_deref().map(|c| cell(c).to_owned()).unwrap_or_default();
            lines.push((line, StatementLine { date, amount, description, reference }));
        }
    }
    if extra > 0 {
        problems.push(Problem { line: 0, column: None, message: format!("And {extra} more problems like these.") });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if lines.is_empty() {
        return Err(vec![Problem { line: 2, column: None, message: "The file has no statement lines.".into() }]);
    }
    Ok(Parsed { lines, closing_balance, skipped })
}

fn example(format: DateFormat) -> &'static str {
    match format {
        DateFormat::DayMonthYear => "31/01/2026",
        DateFormat::DayMonthYearTime => "31/01/2026 14:05",
        DateFormat::Iso => "2026-01-31",
    }
}

fn read_date(text: &str, format: DateFormat) -> Option<Date> {
    match format {
        DateFormat::Iso => tally_ledger::date::parse_iso_date(text),
        DateFormat::DayMonthYear | DateFormat::DayMonthYearTime => {
            let date = if format == DateFormat::DayMonthYearTime {
                let (date, time) = text.split_once(' ')?;
                let (h, m) = time.trim().split_once(':')?;
                (h.parse::<u8>().ok()? < 24 && m.parse::<u8>().ok()? < 60).then_some(date)?
            } else {
                text
            };
            let mut parts = date.split('/');
            let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || y.len() != 4 {
                return None;
            }
            let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
            Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
        }
    }
}

/// "1,480.00", "-12.50", "£8.75": pounds and pence, with a sign.
fn read_amount(text: &str) -> Option<Money> {
    let (negative, rest) = match text.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim()),
    };
    let amount = Money::parse_amount(rest, Money::from_pence(MAX_LINE_PENCE)).ok().or_else(|| {
        // parse_amount refuses zero (no spend is £0); a balance can be.
        let digits = rest.trim_start_matches('£');
        (digits.trim_start_matches('0').trim_start_matches('.').trim_start_matches('0').is_empty()
            && !digits.is_empty())
        .then_some(Money::ZERO)
    })?;
    Some(if negative { -amount } else { amount })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const BANK_FILE: &str = include_str!("../../../tests/fixtures/statements/bank-statement.csv");
    const CARD_FILE: &str = include_str!("../../../tests/fixtures/statements/card-feed.csv");

    #[test]
    fn the_sample_bank_statement_is_read() {
        let parsed = parse(BANK_FILE, &built_in(BANK).unwrap()).unwrap();
        assert_eq!(parsed.lines.len(), 5);
        assert_eq!(
            parsed.lines[0],
            (
                2,
                StatementLine {
                    date: date!(2026 - 11 - 01),
                    amount: Money::from_pence(148_000),
                    description: "DEMO BOROUGH COUNCIL DP".into(),
                    reference: "DP-000001 PAYMENT".into()
                }
            )
        );
        assert_eq!(parsed.lines[1].1.amount, Money::from_pence(-4_500));
        assert_eq!(parsed.closing_balance, Some(Money::from_pence(117_375)));
        assert_eq!(parsed.skipped, 0);
    }

    #[test]
    fn the_sample_card_feed_is_read_without_declined_lines() {
        let parsed = parse(CARD_FILE, &built_in(CARD_FEED).unwrap()).unwrap();
        assert_eq!(parsed.lines.len(), 5);
        assert_eq!(parsed.skipped, 1, "the declined pub payment moved no money");
        assert_eq!(
            parsed.lines[2].1,
            StatementLine {
                date: date!(2026 - 11 - 05),
                amount: Money::from_pence(-1_250),
                description: "CITY TAXIS LTD".into(),
                reference: "T0004".into()
            }
        );
        assert_eq!(parsed.lines[4].1.amount, Money::from_pence(1_250), "a reversal is money back");
        assert_eq!(parsed.closing_balance, Some(Money::from_pence(119_500)));
    }

    fn problems(text: &str, format: &str) -> Vec<String> {
        parse(text, &built_in(format).unwrap()).unwrap_err().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_problem_names_its_line_and_column() {
        let header = "Date,Description,Reference,Money out,Money in,Balance\r\n";
        assert_eq!(
            problems(&format!("{header}31/02/2026,SHOP,,1.00,,9.00\r\n01/03/2026,SHOP,,12.3x,,9.00\r\n02/03/2026,SHOP,,,,9.00\r\n03/03/2026,SHOP,,1.00,2.00,9.00\r\n04/03/2026,SHOP,,1.00,,lots\r\n05/03/2026,SHOP\r\n"), BANK),
            vec![
                "Line 2, column \"Date\": \"31/02/2026\" is not a date in the form 31/01/2026.",
                "Line 3, column \"Money out\": \"12.3x\" is not an amount (for example 12.50).",
                "Line 4, column \"Money out\": fill in exactly one of \"Money out\" and \"Money in\".",
                "Line 5, column \"Money out\": fill in exactly one of \"Money out\" and \"Money in\".",
                "Line 6, column \"Balance\": \"lots\" is not an amount.",
                "Line 7: this line has 2 cells; the header has 6.",
            ]
        );
        let wrong_columns =
            problems("Date,Payee,Reference,Money out,Money in,Balance\r\n01/03/2026,SHOP,,1.00,,1.00\r\n", BANK);
        assert_eq!(wrong_columns.len(), 2);
        assert!(wrong_columns[0].starts_with(
            "Line 1, column \"Description\": this column is missing. The file's columns are: Date, Payee,"
        ));
        assert!(wrong_columns[1].starts_with("Line 1, column \"Payee\": this column is not in the format."));
        let card = CARD_FILE.replace("T0003,declined", "T0003,pending");
        assert_eq!(problems(&card, CARD_FEED), vec!["Line 4, column \"Entry type\": \"pending\" is not an entry type this format knows (approved, reversed, chargeback, declined)."]);
        assert_eq!(problems("", BANK), vec!["Line 1: The file is empty."]);
        assert_eq!(
            problems("Date,Description,Reference,Money out,Money in,Balance\r\n", BANK),
            vec!["Line 2: The file has no statement lines."]
        );
    }

    #[test]
    fn imports_are_capped_in_lines_columns_cells_and_problems() {
        let header = "Date,Description,Reference,Money out,Money in,Balance\r\n";
        let line = "01/03/2026,SHOP,,1.00,,9.00\r\n";
        let most = format!("{header}{}", line.repeat(MAX_LINES));
        assert_eq!(parse(&most, &built_in(BANK).unwrap()).unwrap().lines.len(), MAX_LINES);
        let too_many = format!("{header}{}", line.repeat(MAX_LINES + 1));
        let said = problems(&too_many, BANK);
        assert_eq!(said.len(), 1);
        assert!(said[0].contains("more than 5000 lines") && said[0].contains("a month or a quarter"), "{said:?}");
        let wide = (0..=MAX_COLUMNS).map(|i| format!("Column {i}")).collect::<Vec<_>>().join(",");
        let said = problems(&format!("{wide}\r\n"), BANK);
        assert_eq!(said, vec![format!("Line 1: the file has {} columns; a statement has at most {MAX_COLUMNS}. Check it is the provider's statement file.", MAX_COLUMNS + 1)]);
        let long = format!("{header}01/03/2026,{},,1.00,,9.00\r\n", "A".repeat(MAX_CELL_CHARS + 1));
        assert_eq!(
            problems(&long, BANK),
            vec!["Line 2, column \"Description\": this cell is longer than 500 characters."]
        );
        let bad = format!("{header}{}", "31/02/2026,SHOP,,1.00,,9.00\r\n".repeat(100));
        let said = problems(&bad, BANK);
        assert_eq!(said.len(), MAX_PROBLEMS + 1);
        assert_eq!(said.last().unwrap(), "And 80 more problems like these.");
    }

    #[test]
    fn amounts_and_dates_are_read_strictly() {
        assert_eq!(read_amount("1,480.00"), Some(Money::from_pence(148_000)));
        assert_eq!(read_amount("-12.50"), Some(Money::from_pence(-1_250)));
        assert_eq!(read_amount("£8.75"), Some(Money::from_pence(875)));
        assert_eq!(read_amount("0.00"), Some(Money::ZERO));
        assert_eq!(read_amount("12.345"), None);
        assert_eq!(read_amount("1e3"), None);
        assert_eq!(read_date("05/11/2026 22:05", DateFormat::DayMonthYearTime), Some(date!(2026 - 11 - 05)));
        assert_eq!(read_date("05/11/2026 25:05", DateFormat::DayMonthYearTime), None);
        assert_eq!(read_date("5/11/26", DateFormat::DayMonthYear), None);
        assert_eq!(read_date("2026-11-05", DateFormat::Iso), Some(date!(2026 - 11 - 05)));
    }
}
