//! Bank and prepaid-card statements, imported as CSV with a column mapping per provider.
//!
//! A file is read whole and checked line by line before anything is kept: a missing or
//! unexpected column, a bad date or a bad amount is reported with the line and the
//! column, and then nothing is imported. Two formats come built in (a bank statement
//! and a prepaid-card feed with entry type, merchant and MCC; samples in
//! `tests/fixtures/statements/`); a council can save a mapping for any other provider.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use tally_ledger::matching::StatementLine;
use tally_ledger::{Money, MoneyError};
use time::{Date, Month};

/// The largest amount on one statement line (£1,000,000): anything larger is a misread.
const MAX_LINE_PENCE: i64 = 100_000_000;

/// How a provider's CSV maps to statement lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// Every column the file has, in any order: a missing one or an unexpected one is an
    /// error (the provider changed its format; the mapping must be looked at). Columns
    /// with no name (a trailing comma) are ignored.
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
    /// The currency of each line, when the file says: only pounds sterling are read.
    #[serde(default)]
    pub currency: Option<String>,
    /// Card feeds: the column of a reversal that names the reference of the line it
    /// reverses. Without it, a reversal cancels the nearest line before it to the same
    /// merchant for the same amount.
    #[serde(default)]
    pub reverses: Option<String>,
    /// A column holding a fee the provider charged with the line (an ATM fee, a foreign
    /// payment fee): money out besides the line's amount, recorded as a charge.
    #[serde(default)]
    pub fee: Option<String>,
    /// Feeds covering many cardholders: the column naming the card or account each line is
    /// for, matched to the council's accounts by their reference or a card added to them.
    #[serde(default)]
    pub holder: Option<String>,
}

/// How a provider writes dates. Each reads a time after the date too, when there is one
/// (it orders the lines of one day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// 31/01/2026 (also 1/1/2026, 31-01-2026, 31.01.2026)
    DayMonthYear,
    /// 31/01/2026 14:05 (the same as `DayMonthYear`; the name formats saved earlier use)
    DayMonthYearTime,
    /// 31/01/26
    DayMonthShortYear,
    /// 1 Nov 2026, 01-Nov-2026, 1 November 2026, 01 Nov 26
    DayMonthNameYear,
    /// 2026-01-31, or a timestamp such as 2026-01-31T09:12:45Z or 2026-01-31T10:12:45+01:00
    /// (turned into the day it was in the UK)
    Iso,
}

impl DateFormat {
    pub const ALL: [DateFormat; 4] =
        [DateFormat::DayMonthYear, DateFormat::DayMonthShortYear, DateFormat::DayMonthNameYear, DateFormat::Iso];

    /// An example, for messages and forms.
    pub fn example(self) -> &'static str {
        match self {
            DateFormat::DayMonthYear => "31/01/2026",
            DateFormat::DayMonthYearTime => "31/01/2026 14:05",
            DateFormat::DayMonthShortYear => "31/01/26",
            DateFormat::DayMonthNameYear => "31 Jan 2026",
            DateFormat::Iso => "2026-01-31 or 2026-01-31T14:05:00Z",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Amounts {
    /// One column, money out written -12.50, (12.50) or 12.50 DR.
    Signed { column: String },
    /// Two columns, both positive; on each line one is filled and the other blank or 0.00.
    Split { money_out: String, money_in: String },
    /// One column of amounts and another saying which way each went (`DR` or `CR`,
    /// `Debit` or `Credit`...; compared without regard to case or spaces).
    Indicator {
        column: String,
        indicator: String,
        #[serde(default = "debit_words")]
        money_out: Vec<String>,
        #[serde(default = "credit_words")]
        money_in: Vec<String>,
    },
}

fn debit_words() -> Vec<String> {
    vec!["dr".into(), "debit".into(), "d".into(), "out".into()]
}

fn credit_words() -> Vec<String> {
    vec!["cr".into(), "credit".into(), "c".into(), "in".into()]
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryTypes {
    pub column: String,
    pub keep: Vec<String>,
    pub skip: Vec<String>,
    /// Kept types that are always money in (a load, a refund, a reversal), whatever the
    /// amount's sign: for feeds that write every amount positive.
    #[serde(default)]
    pub money_in: Vec<String>,
    /// Kept types that are always money out (an approved payment, a fee).
    #[serde(default)]
    pub money_out: Vec<String>,
    /// Kept types that cancel an earlier line (a reversal, a chargeback): the two are
    /// shown together and need no record.
    #[serde(default)]
    pub reversal: Vec<String>,
    /// Kept types that are the provider's own charges (a monthly card fee, an ATM fee):
    /// money out, recorded as charges when an officer accepts them.
    #[serde(default)]
    pub fee: Vec<String>,
}

/// An entry type or indicator as compared: lower case, without spaces, `_` or `-`.
pub(crate) fn plain(word: &str) -> String {
    word.chars().filter(|c| !c.is_whitespace() && *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

fn listed(words: &[String], word: &str) -> bool {
    let word = plain(word);
    words.iter().any(|w| plain(w) == word)
}

/// A mapping's lists of words as they are compared ([`plain`]), worked out once a file.
#[derive(Default)]
struct Vocabulary {
    keep: HashSet<String>,
    skip: HashSet<String>,
    money_in: HashSet<String>,
    money_out: HashSet<String>,
    reversal: HashSet<String>,
    fee: HashSet<String>,
    debit: HashSet<String>,
    credit: HashSet<String>,
}

impl Vocabulary {
    fn of(mapping: &Mapping) -> Vocabulary {
        let set = |words: &[String]| words.iter().map(|w| plain(w)).collect::<HashSet<_>>();
        let mut vocabulary = Vocabulary::default();
        if let Some(types) = &mapping.entry_type {
            vocabulary.keep = set(&types.keep);
            vocabulary.skip = set(&types.skip);
            vocabulary.money_in = set(&types.money_in);
            vocabulary.money_out = set(&types.money_out);
            vocabulary.reversal = set(&types.reversal);
            vocabulary.fee = set(&types.fee);
        }
        if let Amounts::Indicator { money_out, money_in, .. } = &mapping.amount {
            vocabulary.debit = set(money_out);
            vocabulary.credit = set(money_in);
        }
        vocabulary
    }
}

/// The most words a list of a mapping may hold (entry types, debit or credit words).
const MAX_WORDS: usize = 50;

impl Amounts {
    /// The column a problem with a line's amount is named by (money out, with two).
    fn amount_column(&self) -> &str {
        match self {
            Amounts::Signed { column } | Amounts::Indicator { column, .. } => column,
            Amounts::Split { money_out, .. } => money_out,
        }
    }
}

impl Mapping {
    /// The columns it reads, with what each is for.
    fn reads(&self) -> Vec<(&'static str, &String)> {
        let mut read = vec![("date", &self.date), ("description", &self.description)];
        match &self.amount {
            Amounts::Signed { column } => read.push(("amount", column)),
            Amounts::Split { money_out, money_in } => {
                read.push(("money out", money_out));
                read.push(("money in", money_in));
            }
            Amounts::Indicator { column, indicator, .. } => {
                read.push(("amount", column));
                read.push(("debit or credit", indicator));
            }
        }
        read.extend(self.reference.iter().map(|c| ("reference", c)));
        read.extend(self.balance.iter().map(|c| ("balance", c)));
        read.extend(self.entry_type.iter().map(|t| ("entry type", &t.column)));
        read.extend(self.currency.iter().map(|c| ("currency", c)));
        read.extend(self.reverses.iter().map(|c| ("reversed line", c)));
        read.extend(self.fee.iter().map(|c| ("fee", c)));
        read.extend(self.holder.iter().map(|c| ("card or account", c)));
        read
    }

    /// What is wrong with a mapping someone wrote: columns it reads that the file does not
    /// have. Empty when it can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .reads()
            .into_iter()
            .filter(|(_, column)| !self.columns.contains(column))
            .map(|(what, column)| format!("The {what} column, \"{column}\", is not one of the file's columns."))
            .collect();
        if self.columns.is_empty() {
            problems.insert(0, "List the file's columns, as its first line names them.".to_owned());
        }
        if self.columns.len() > MAX_COLUMNS {
            problems
                .push(format!("A format has at most {MAX_COLUMNS} columns; this one lists {}.", self.columns.len()));
        }
        if self.columns.iter().any(|c| c.chars().count() > MAX_CELL_CHARS) {
            problems.push(format!("A column's name is at most {MAX_CELL_CHARS} characters."));
        }
        let lists =
            self.entry_type.iter().flat_map(|t| [&t.keep, &t.skip, &t.money_in, &t.money_out, &t.reversal, &t.fee]);
        let lists = lists.chain(match &self.amount {
            Amounts::Indicator { money_out, money_in, .. } => vec![money_out, money_in],
            _ => Vec::new(),
        });
        for list in lists {
            if list.len() > MAX_WORDS || list.iter().any(|w| w.chars().count() > MAX_CELL_CHARS) {
                problems.push(format!(
                    "A list of entry types or of debit and credit words holds at most {MAX_WORDS} words of at most {MAX_CELL_CHARS} characters."
                ));
                break;
            }
        }
        if let Some(types) = &self.entry_type {
            for word in types.money_in.iter().chain(&types.money_out).chain(&types.reversal).chain(&types.fee) {
                if !listed(&types.keep, word) {
                    problems
                        .push(format!("\"{word}\" is not one of the entry types kept (the types that moved money)."));
                }
            }
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
            currency: None,
            reverses: None,
            fee: None,
            holder: None,
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
                money_in: Vec::new(),
                money_out: Vec::new(),
                reversal: vec!["reversed".into(), "chargeback".into()],
                fee: Vec::new(),
            }),
            currency: Some("Currency".into()),
            reverses: None,
            fee: Some("Fees".into()),
            holder: None,
        }),
        _ => None,
    }
}

pub const BANK: &str = "Bank statement (sample format)";
pub const CARD_FEED: &str = "Prepaid card feed (sample format)";

/// A file read and checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// In the file's order, with the file's line number of each.
    pub lines: Vec<(usize, StatementLine)>,
    /// The balance before the earliest line and after the latest (by date and time, not
    /// by the file's order), when the file gives balances.
    pub opening_balance: Option<Money>,
    pub closing_balance: Option<Money>,
    /// Lines of entry types that moved no money (declined).
    pub skipped: usize,
    /// Lines that only give a balance (brought or carried forward).
    pub balance_lines: usize,
    /// Lines before the header (the bank's name, the account, the period) and summary
    /// lines after the last line of money (totals).
    pub around: usize,
    /// The file lists the newest line first.
    pub newest_first: bool,
    /// Lines that cancel each other: (the line reversed, the reversal), by line number.
    pub reversals: Vec<(usize, usize)>,
    /// Fees charged with a line (a fee column), by line number: money out besides the
    /// line's amount, positive.
    pub fees: HashMap<usize, Money>,
    /// Lines that are the provider's charges (a fee entry type), by line number.
    pub fee_lines: HashSet<usize>,
    /// For a feed of many cardholders: each line's card or account, as the file writes it,
    /// by line number.
    pub holders: HashMap<usize, String>,
    /// For a feed of many cardholders: the opening and closing balance of each card, when
    /// the file gives balances (the file-wide ones are then none).
    pub holder_balances: HashMap<String, (Option<Money>, Option<Money>)>,
}

impl Parsed {
    /// A feed of many cardholders, as one statement per card or account (in the order the
    /// cards first appear in the file).
    pub fn by_holder(self) -> Vec<(String, Parsed)> {
        let mut order: Vec<String> = Vec::new();
        let mut cards: HashMap<String, Parsed> = HashMap::new();
        let mut holder_of: HashMap<usize, String> = HashMap::new();
        for (line_no, line) in self.lines {
            let holder = self.holders.get(&line_no).cloned().unwrap_or_default();
            let card = cards.entry(holder.clone()).or_insert_with(|| {
                order.push(holder.clone());
                let (opening_balance, closing_balance) = match self.holder_balances.get(&holder) {
                    Some(balances) => *balances,
                    None => (self.opening_balance, self.closing_balance),
                };
                Parsed { opening_balance, closing_balance, newest_first: self.newest_first, ..Parsed::default() }
            });
            card.lines.push((line_no, line));
            holder_of.insert(line_no, holder);
        }
        fn card_of<'a>(
            cards: &'a mut HashMap<String, Parsed>,
            holder_of: &HashMap<usize, String>,
            line_no: usize,
        ) -> Option<&'a mut Parsed> {
            holder_of.get(&line_no).and_then(|h| cards.get_mut(h))
        }
        for (line_no, fee) in self.fees {
            if let Some(card) = card_of(&mut cards, &holder_of, line_no) {
                card.fees.insert(line_no, fee);
            }
        }
        for line_no in self.fee_lines {
            if let Some(card) = card_of(&mut cards, &holder_of, line_no) {
                card.fee_lines.insert(line_no);
            }
        }
        for (original, reversal) in self.reversals {
            if let Some(card) = card_of(&mut cards, &holder_of, original) {
                card.reversals.push((original, reversal));
            }
        }
        order.into_iter().filter_map(|holder| cards.remove(&holder).map(|card| (holder, card))).collect()
    }
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
/// How many lines before the header are looked through for it.
const MAX_PREAMBLE: usize = 30;

/// One line of money (or of a balance only) as read, before the balances are checked.
struct Read {
    line: usize,
    date: Date,
    /// Minutes into the day, when the file gives a time.
    minute: Option<u32>,
    /// None for a line that only gives a balance.
    movement: Option<StatementLine>,
    balance: Option<Money>,
    /// A reversal, with the reference of the line it reverses when the file names it.
    reverses: Option<String>,
    /// A fee charged with the line (positive), or zero.
    fee: Money,
    /// The line is the provider's charge (a fee entry type).
    is_fee: bool,
    /// The card or account, for a feed of many cardholders.
    holder: String,
}

impl Read {
    /// The money the line moved, with its fee (none for a line that only gives a balance).
    fn amount(&self) -> Money {
        let amount = self.movement.as_ref().map_or(Money::ZERO, |m| m.amount);
        amount.checked_sub(self.fee).unwrap_or(amount)
    }
}

/// What one data line of the file is.
enum Row {
    Money(Read),
    /// An entry type that moved no money.
    Skipped,
    /// Problems, and whether the date could be read (a line after the last line of money
    /// whose date cannot be read is a summary line, not a problem).
    Bad(Vec<(String, String)>, bool),
}

/// Reads a whole file. Either every line is good, or the problems are returned (up to
/// [`MAX_PROBLEMS`]) and nothing is.
pub fn parse(text: &str, mapping: &Mapping) -> Result<Parsed, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows: Vec<(usize, Result<Vec<String>, ()>)> = Vec::new();
    // The file's line a record starts on, counted from where the last one started (a
    // quoted cell may hold a line break).
    let (mut counted_to, mut line) = (0, 1);
    let mut line_at = |byte: Option<u64>| {
        let mut byte = byte.and_then(|b| usize::try_from(b).ok()).unwrap_or(counted_to).clamp(counted_to, text.len());
        // A record's position can be the line ending before it.
        while text.as_bytes().get(byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            byte += 1;
        }
        line += text.as_bytes()[counted_to..byte].iter().filter(|b| **b == b'\n').count();
        counted_to = byte;
        line
    };
    for record in reader.records() {
        let (line, cells) = match record {
            Ok(record) => {
                (line_at(record.position().map(|p| p.byte())), Ok(record.iter().map(str::to_owned).collect::<Vec<_>>()))
            }
            Err(e) => (line_at(e.position().map(|p| p.byte())), Err(())),
        };
        if cells.as_ref().is_ok_and(|c| c.iter().all(|c| c.trim().is_empty())) {
            continue;
        }
        if rows.len() > MAX_LINES + MAX_PREAMBLE + 10 {
            return Err(vec![Problem {
                line,
                column: None,
                message: format!(
                    "the file has more than {MAX_LINES} lines, the most one import takes. Import it a month or a quarter at a time."
                ),
            }]);
        }
        rows.push((line, cells));
    }
    if rows.is_empty() {
        return Err(vec![Problem { line: 1, column: None, message: "The file is empty.".into() }]);
    }
    // The header: the first line naming every column the format reads (lines before it
    // are the bank's name, the account, the period); else the first line.
    let wanted: Vec<&String> = mapping.reads().into_iter().map(|(_, c)| c).collect();
    let trimmed = |cells: &[String]| cells.iter().map(|c| c.trim().to_owned()).collect::<Vec<_>>();
    let at = rows
        .iter()
        .take(MAX_PREAMBLE + 1)
        .position(|(_, cells)| cells.as_ref().is_ok_and(|cells| wanted.iter().all(|w| trimmed(cells).contains(w))))
        .unwrap_or(0);
    let (header_line, header) = match &rows[at] {
        (line, Ok(cells)) => (*line, trimmed(cells)),
        (line, Err(())) => {
            return Err(vec![Problem {
                line: *line,
                column: None,
                message: "The file could not be read as CSV.".into(),
            }])
        }
    };
    if header.len() > MAX_COLUMNS {
        return Err(vec![Problem {
            line: header_line,
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
            let named: Vec<&str> = header.iter().map(String::as_str).filter(|h| !h.is_empty()).collect();
            problems.push(Problem {
                line: header_line,
                column: Some(wanted.clone()),
                message: format!("this column is missing. The file's columns are: {}.", named.join(", ")),
            });
        }
    }
    for found in header.iter().filter(|h| !h.is_empty()) {
        if !mapping.columns.contains(found) {
            problems.push(Problem {
                line: header_line,
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
    let data = &rows[at + 1..];
    if data.len() > MAX_LINES {
        return Err(vec![Problem {
            line: data[MAX_LINES].0,
            column: None,
            message: format!(
                "the file has more than {MAX_LINES} lines, the most one import takes. Import it a month or a quarter at a time."
            ),
        }]);
    }
    let vocabulary = Vocabulary::of(mapping);
    let read: Vec<(usize, Row)> =
        data.iter().map(|(line, cells)| (*line, read_row(*line, cells, &header, mapping, &vocabulary))).collect();
    // Summary lines after the last line of money (totals, a closing balance without a
    // date) are left out; so are the lines before the header.
    let last_dated = read.iter().rposition(|(_, row)| !matches!(row, Row::Bad(_, false)));
    let mut around = at;
    let mut extra = 0;
    let mut lines: Vec<Read> = Vec::new();
    let mut skipped = 0;
    for (n, (line, row)) in read.into_iter().enumerate() {
        match row {
            Row::Money(money) => lines.push(money),
            Row::Skipped => skipped += 1,
            Row::Bad(_, false) if last_dated.is_some_and(|last| n > last) => around += 1,
            Row::Bad(found, _) => {
                for (column, message) in found {
                    if problems.len() < MAX_PROBLEMS {
                        problems.push(Problem { line, column: (!column.is_empty()).then_some(column), message });
                    } else {
                        extra += 1;
                    }
                }
            }
        }
    }
    // Each card's lines (all the file's, but for a feed of many cardholders) in the order
    // the money moved: the balances are checked, and the opening and closing ones and the
    // reversals found, in it.
    let mut cards: Vec<(&str, Vec<&Read>)> = Vec::new();
    let mut card_at: HashMap<&str, usize> = HashMap::new();
    for read in &lines {
        let at = *card_at.entry(&read.holder).or_insert_with(|| {
            cards.push((&read.holder, Vec::new()));
            cards.len() - 1
        });
        cards[at].1.push(read);
    }
    let newest_first = cards.iter().any(|(_, card)| is_newest_first(card));
    let mut holder_balances = HashMap::new();
    let mut reversals = Vec::new();
    for (holder, card) in &cards {
        let order = chronological(card, is_newest_first(card));
        if problems.is_empty() {
            problems.extend(balance_breaks(&order));
        }
        let opening = order.first().and_then(|r| r.balance.and_then(|b| b.checked_sub(r.amount())));
        let closing = order.last().and_then(|r| r.balance);
        holder_balances.insert((*holder).to_owned(), (opening, closing));
        reversals.extend(pair_reversals(&order));
    }
    reversals.sort_unstable();
    if problems.len() > MAX_PROBLEMS {
        extra += problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
    }
    if extra > 0 {
        problems.push(Problem { line: 0, column: None, message: format!("And {extra} more problems like these.") });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    drop(cards);
    let (opening_balance, closing_balance) = match &mapping.holder {
        None => holder_balances.remove("").unwrap_or_default(),
        Some(_) => (None, None),
    };
    if mapping.holder.is_none() {
        holder_balances.clear();
    }
    let balance_lines = lines.iter().filter(|r| r.movement.is_none()).count();
    let fees: HashMap<usize, Money> = lines.iter().filter(|r| r.fee != Money::ZERO).map(|r| (r.line, r.fee)).collect();
    let fee_lines: HashSet<usize> = lines.iter().filter(|r| r.is_fee).map(|r| r.line).collect();
    let holders: HashMap<usize, String> = match mapping.holder {
        Some(_) => lines.iter().map(|r| (r.line, r.holder.clone())).collect(),
        None => HashMap::new(),
    };
    let lines: Vec<(usize, StatementLine)> =
        lines.into_iter().filter_map(|r| r.movement.map(|m| (r.line, m))).collect();
    if lines.is_empty() {
        return Err(vec![Problem {
            line: header_line + 1,
            column: None,
            message: "The file has no statement lines.".into(),
        }]);
    }
    Ok(Parsed {
        lines,
        opening_balance,
        closing_balance,
        skipped,
        balance_lines,
        around,
        newest_first,
        reversals,
        fees,
        fee_lines,
        holders,
        holder_balances,
    })
}

/// Pairs each reversal with the line it cancels: the line whose reference the reversal
/// names when the file links them, otherwise the nearest line before it to the same
/// merchant for the opposite amount. Each line is cancelled at most once; a reversal with
/// nothing to cancel in this file stays a line of its own. One pass over the lines in the
/// order the money moved, looking earlier payments up by amount and merchant or reference.
fn pair_reversals(order: &[&Read]) -> Vec<(usize, usize)> {
    // Earlier payments, latest last, by (amount, merchant) and by (amount, reference).
    let mut by_merchant: HashMap<(Money, String), Vec<usize>> = HashMap::new();
    let mut by_reference: HashMap<(Money, String), Vec<usize>> = HashMap::new();
    let mut taken: HashSet<usize> = HashSet::new();
    let mut pairs = Vec::new();
    for line in order {
        let Some(money) = &line.movement else { continue };
        let Some(link) = &line.reverses else {
            by_merchant.entry((money.amount, plain(&money.description))).or_default().push(line.line);
            by_reference.entry((money.amount, plain(&money.reference))).or_default().push(line.line);
            continue;
        };
        let (earlier, key) = if link.is_empty() {
            (&mut by_merchant, plain(&money.description))
        } else {
            (&mut by_reference, plain(link))
        };
        let cancels = earlier
            .get_mut(&(-money.amount, key))
            .and_then(|payments| std::iter::from_fn(|| payments.pop()).find(|payment| taken.insert(*payment)));
        if let Some(payment) = cancels {
            pairs.push((payment, line.line));
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Whether the file runs from the newest line to the oldest: its first line is later than
/// its last.
fn is_newest_first(lines: &[&Read]) -> bool {
    match (lines.first(), lines.last()) {
        (Some(first), Some(last)) => {
            (first.date, first.minute.unwrap_or(0)) > (last.date, last.minute.unwrap_or(0))
                || (first.date == last.date && first.minute.is_none() && balances_run_backwards(lines))
        }
        _ => false,
    }
}

/// For a file of one day without times: the balances follow read from the bottom up, and
/// not from the top down.
fn balances_run_backwards(lines: &[&Read]) -> bool {
    let follows = |order: &[&Read]| {
        order.windows(2).all(|w| match (w[0].balance, w[1].balance) {
            (Some(before), Some(after)) => before.checked_add(w[1].amount()) == Some(after),
            _ => true,
        })
    };
    let forwards: Vec<&Read> = lines.to_vec();
    let backwards: Vec<&Read> = lines.iter().rev().copied().collect();
    !follows(&forwards) && follows(&backwards)
}

/// Puts lines in the order the money moved: by date (and time, when every line has one),
/// and within a day in the file's order, read from the bottom up when the file is newest
/// first.
fn chronological<'a>(lines: &[&'a Read], newest_first: bool) -> Vec<&'a Read> {
    let mut order: Vec<&Read> = lines.to_vec();
    if newest_first {
        order.reverse();
    }
    let timed = order.iter().all(|r| r.minute.is_some());
    order.sort_by_key(|r| (r.date, if timed { r.minute } else { None }));
    order
}

/// Lines whose balance does not follow from the line before (in the order the money
/// moved).
fn balance_breaks(order: &[&Read]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in order.windows(2) {
        let (before, line) = (pair[0], pair[1]);
        if let (Some(was), Some(is)) = (before.balance, line.balance) {
            let expected = was.checked_add(line.amount());
            if expected != Some(is) {
                problems.push(Problem {
                    line: line.line,
                    column: None,
                    message: format!(
                        "the balance does not follow from the line before (line {}): {was} and {} make {}, but the file says {is}. A line may be missing, or the file was changed.",
                        before.line,
                        line.amount(),
                        expected.map_or_else(|| "too much".to_owned(), |e| e.to_string()),
                    ),
                });
            }
        }
    }
    problems
}

/// Reads one data line.
fn read_row(
    line: usize,
    cells: &Result<Vec<String>, ()>,
    header: &[String],
    mapping: &Mapping,
    vocabulary: &Vocabulary,
) -> Row {
    let Ok(record) = cells else {
        return Row::Bad(vec![(String::new(), "this line could not be read as CSV.".into())], false);
    };
    if let Some((i, _)) = record.iter().enumerate().find(|(_, c)| c.chars().count() > MAX_CELL_CHARS) {
        let column = header.get(i).cloned().unwrap_or_default();
        return Row::Bad(vec![(column, format!("this cell is longer than {MAX_CELL_CHARS} characters."))], true);
    }
    let index = |name: &str| header.iter().position(|h| h == name);
    let cell = |name: &str| index(name).and_then(|i| record.get(i)).map_or("", |c| c.trim());
    let date_cell = cell(&mapping.date);
    let when = read_date(date_cell, mapping.date_format);
    // Too few cells: only the date's column may still say what the line is.
    let named = header.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
    if record.len() < named
        || record.len() > header.len().max(named) && record[header.len()..].iter().any(|c| !c.trim().is_empty())
    {
        return Row::Bad(
            vec![(String::new(), format!("this line has {} cells; the header has {}.", record.len(), header.len()))],
            when.is_some(),
        );
    }
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut direction = None;
    let mut reversal = false;
    let mut is_fee = false;
    if let Some(types) = &mapping.entry_type {
        let kind = cell(&types.column);
        let word = plain(kind);
        reversal = vocabulary.reversal.contains(&word);
        // A fee's refund or reversal is money back, not a charge.
        is_fee = vocabulary.fee.contains(&word) && !reversal && !vocabulary.money_in.contains(&word);
        if vocabulary.skip.contains(&word) {
            return Row::Skipped;
        }
        if !vocabulary.keep.contains(&word) {
            let known = [types.keep.clone(), types.skip.clone()].concat().join(", ");
            problems
                .push((types.column.clone(), format!("\"{kind}\" is not an entry type this format knows ({known}).")));
        } else if vocabulary.money_in.contains(&word) {
            direction = Some(true);
        } else if vocabulary.money_out.contains(&word) || is_fee {
            direction = Some(false);
        }
    }
    let fee = match &mapping.fee {
        Some(column) => match cell(column) {
            "" | "-" => Money::ZERO,
            text => match read_amount(text) {
                Some(fee) => fee.abs(),
                None => {
                    problems.push((column.clone(), format!("\"{text}\" is not an amount.")));
                    Money::ZERO
                }
            },
        },
        None => Money::ZERO,
    };
    let holder = match &mapping.holder {
        Some(column) => match cell(column) {
            "" => {
                problems.push((column.clone(), "the card or account this line is for is missing.".into()));
                String::new()
            }
            text => text.to_owned(),
        },
        None => String::new(),
    };
    if let Some(column) = &mapping.currency {
        let currency = cell(column).to_uppercase();
        if !matches!(currency.as_str(), "" | "GBP" | "£" | "826") {
            problems.push((
                column.clone(),
                format!("this line is in {currency}. Tally reads pounds sterling (GBP) only: ask the provider for the sterling amounts."),
            ));
        }
    }
    if when.is_none() {
        problems.push((
            mapping.date.clone(),
            format!("\"{date_cell}\" is not a date in the form {}.", mapping.date_format.example()),
        ));
    }
    let amount_problem = |column: &str, text: &str| {
        (column.to_owned(), format!("\"{text}\" is not an amount (for example 12.50, -12.50, (12.50) or 12.50 DR)."))
    };
    // Some(None): no amount at all (a line that only gives a balance).
    let amount: Option<Option<Money>> = match &mapping.amount {
        Amounts::Signed { column } => match cell(column) {
            "" => Some(None),
            text => match read_amount(text) {
                Some(a) => Some(Some(a)),
                None => {
                    problems.push(amount_problem(column, text));
                    None
                }
            },
        },
        Amounts::Split { money_out, money_in } => {
            let side = |column: &str, problems: &mut Vec<(String, String)>| match cell(column) {
                "" | "-" => Some(None),
                text => match read_amount(text) {
                    Some(a) if a == Money::ZERO => Some(None),
                    Some(a) => Some(Some(a.abs())),
                    None => {
                        problems.push(amount_problem(column, text));
                        None
                    }
                },
            };
            match (side(money_out, &mut problems), side(money_in, &mut problems)) {
                (Some(Some(out)), Some(None)) => Some(Some(-out)),
                (Some(None), Some(inward)) => Some(inward),
                (Some(Some(_)), Some(Some(_))) => {
                    problems
                        .push((money_out.clone(), format!("fill in only one of \"{money_out}\" and \"{money_in}\".")));
                    None
                }
                _ => None,
            }
        }
        Amounts::Indicator { column, indicator, money_out, money_in } => match cell(column) {
            "" => Some(None),
            text => match read_amount(text) {
                Some(a) => {
                    let which = cell(indicator);
                    if vocabulary.debit.contains(&plain(which)) {
                        Some(Some(-a.abs()))
                    } else if vocabulary.credit.contains(&plain(which)) {
                        Some(Some(a.abs()))
                    } else {
                        problems.push((
                            indicator.clone(),
                            format!(
                                "\"{which}\" does not say which way the money went ({} for money out, {} for money in).",
                                money_out.join(", "),
                                money_in.join(", ")
                            ),
                        ));
                        None
                    }
                }
                None => {
                    problems.push(amount_problem(column, text));
                    None
                }
            },
        },
    };
    let balance = match &mapping.balance {
        Some(column) => match cell(column) {
            "" => None,
            text => match read_amount(text) {
                Some(b) => Some(b),
                None => {
                    problems.push((column.clone(), format!("\"{text}\" is not an amount.")));
                    None
                }
            },
        },
        None => None,
    };
    let amount = match amount {
        Some(Some(a)) if a == Money::ZERO => {
            let column = mapping.amount.amount_column().to_owned();
            problems.push((column, "a line of £0.00 moved no money.".into()));
            None
        }
        Some(Some(a)) => Some(Some(match direction {
            Some(true) => a.abs(),
            Some(false) => -a.abs(),
            None => a,
        })),
        Some(None) if balance.is_some() => Some(None),
        Some(None) => {
            let column = mapping.amount.amount_column().to_owned();
            let message = match &mapping.amount {
                Amounts::Split { money_out, money_in } => format!("fill in one of \"{money_out}\" and \"{money_in}\"."),
                _ => "the amount is missing.".to_owned(),
            };
            problems.push((column, message));
            None
        }
        None => None,
    };
    match (when, amount) {
        (Some((date, minute)), Some(amount)) if problems.is_empty() => {
            let description = cell(&mapping.description).to_owned();
            let reference = mapping.reference.as_deref().map(|c| cell(c).to_owned()).unwrap_or_default();
            Row::Money(Read {
                line,
                date,
                minute,
                movement: amount.map(|amount| StatementLine { date, amount, description, reference }),
                balance,
                reverses: reversal.then(|| mapping.reverses.as_deref().map(|c| cell(c).to_owned()).unwrap_or_default()),
                fee,
                is_fee: is_fee && amount.is_some_and(|a| a.is_negative()),
                holder,
            })
        }
        _ => Row::Bad(problems, when.is_some()),
    }
}

/// Proposes a mapping for a file from a provider Tally has not seen: the header is the
/// first line (of the first 30) followed by a line with a date; each column is recognised
/// by its name and by what its first lines hold. The officer checks it against the lines
/// as they read with it, and corrects it, before saving it.
pub fn propose(text: &str) -> Result<Mapping, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .take(MAX_PREAMBLE + 25)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(|c| c.trim().to_owned()).collect::<Vec<_>>())
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    if rows.iter().any(|r| r.len() > MAX_COLUMNS || r.iter().any(|c| c.chars().count() > MAX_CELL_CHARS)) {
        return Err(format!(
            "The file has lines of more than {MAX_COLUMNS} columns or cells of more than {MAX_CELL_CHARS} characters. Check it is the provider's statement file."
        ));
    }
    let reads_as_date = |cell: &str| DateFormat::ALL.iter().any(|f| read_date(cell, *f).is_some());
    let at = (0..rows.len().saturating_sub(1).min(MAX_PREAMBLE + 1))
        .find(|&i| {
            let named = rows[i].iter().filter(|c| !c.is_empty()).count();
            named >= 3 && !rows[i].iter().any(|c| reads_as_date(c)) && rows[i + 1].iter().any(|c| reads_as_date(c))
        })
        .ok_or(
            "No line names the columns above a line with a date. Check the file is the provider's statement, as CSV.",
        )?;
    let header = &rows[at];
    let data: Vec<&Vec<String>> = rows[at + 1..].iter().take(20).collect();
    let cells = |i: usize| data.iter().filter_map(move |r| r.get(i).map(String::as_str)).filter(|c| !c.is_empty());
    let columns: Vec<String> = header.iter().filter(|h| !h.is_empty()).cloned().collect();
    let name = |i: usize| plain(&header[i]);
    let find = |words: &[&str], taken: &[usize]| {
        // An exact name first, then a name holding one of the words.
        let wanted: Vec<String> = words.iter().map(|w| plain(w)).collect();
        (0..header.len()).find(|i| !taken.contains(i) && wanted.contains(&name(*i))).or_else(|| {
            (0..header.len()).find(|i| !taken.contains(i) && wanted.iter().any(|w| name(*i).contains(w.as_str())))
        })
    };
    // Most cells of the column read (a total line below the lines may not, and a short
    // file has few lines).
    let all_read = |i: usize, read: &dyn Fn(&str) -> bool| {
        let (all, good) = cells(i).fold((0, 0), |(all, good), c| (all + 1, good + usize::from(read(c))));
        good * 2 > all
    };
    // The date: the first column whose cells all read as dates in one format.
    let (date, date_format) = (0..header.len())
        .find_map(|i| {
            DateFormat::ALL.into_iter().find(|f| all_read(i, &|c| read_date(c, *f).is_some())).map(|f| (i, f))
        })
        .ok_or("No column holds dates Tally can read (such as 31/01/2026, 31 Jan 2026 or 2026-01-31).")?;
    let mut taken = vec![date];
    let is_amount = |c: &str| read_amount(c).is_some();
    let money_out =
        find(&["paid out", "money out", "debit amount", "withdrawals", "withdrawal", "debit", "out"], &taken)
            .filter(|&i| all_read(i, &|c| is_amount(c) || c == "-"));
    let money_in = money_out.and_then(|out| {
        let mut t = taken.clone();
        t.push(out);
        find(&["paid in", "money in", "credit amount", "deposits", "deposit", "credit", "in"], &t)
            .filter(|&i| all_read(i, &|c| is_amount(c) || c == "-"))
    });
    let indicator_words = ["dr", "cr", "debit", "credit", "d", "c"];
    let amount = match (money_out, money_in) {
        (Some(out), Some(inward)) => {
            taken.extend([out, inward]);
            Amounts::Split { money_out: header[out].clone(), money_in: header[inward].clone() }
        }
        _ => {
            let column = find(&["amount", "value", "transaction amount", "sum"], &taken)
                .filter(|&i| all_read(i, &is_amount))
                .or_else(|| {
                    (0..header.len())
                        .find(|i| !taken.contains(i) && !name(*i).contains("balance") && all_read(*i, &is_amount))
                })
                .ok_or("No column holds amounts Tally can read (such as -12.50, £12.50 or 12.50 DR).")?;
            taken.push(column);
            let indicator = (0..header.len())
                .find(|&i| !taken.contains(&i) && all_read(i, &|c| indicator_words.contains(&plain(c).as_str())));
            match indicator {
                Some(i) => {
                    taken.push(i);
                    Amounts::Indicator {
                        column: header[column].clone(),
                        indicator: header[i].clone(),
                        money_out: debit_words(),
                        money_in: credit_words(),
                    }
                }
                None => Amounts::Signed { column: header[column].clone() },
            }
        }
    };
    // Whether the file signs its amounts (then entry types need not say which way).
    let signed = match &amount {
        Amounts::Signed { column } => header
            .iter()
            .position(|h| h == column)
            .is_some_and(|i| cells(i).any(|c| read_amount(c).is_some_and(|a| a.is_negative()))),
        _ => true,
    };
    let balance =
        find(&["balance", "running balance", "available balance"], &taken).filter(|&i| all_read(i, &is_amount));
    taken.extend(balance);
    let currency = find(&["currency", "ccy"], &taken)
        .filter(|&i| all_read(i, &|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic())));
    taken.extend(currency);
    // Card feeds' entry types: a column of a few words such as Approved and Declined.
    let known = [
        "approved",
        "declined",
        "load",
        "reversed",
        "reversal",
        "chargeback",
        "authorised",
        "settled",
        "refund",
        "fee",
        "cardfee",
    ];
    let entry_type = (0..header.len())
        .find(|&i| !taken.contains(&i) && cells(i).any(|c| known.contains(&plain(c).as_str())))
        .map(|i| {
            taken.push(i);
            let mut kinds: Vec<String> = Vec::new();
            for c in cells(i) {
                if !kinds.iter().any(|k| plain(k) == plain(c)) {
                    kinds.push(c.to_owned());
                }
            }
            let is = |c: &str, words: &[&str]| words.iter().any(|w| plain(c).contains(w));
            let pick = |words: &[&str]| kinds.iter().filter(|k| is(k, words)).cloned().collect::<Vec<_>>();
            let skip = pick(&["declin", "pending", "fail", "cancel"]);
            let keep: Vec<String> = kinds.iter().filter(|k| !skip.contains(k)).cloned().collect();
            let (money_in, money_out) = if signed {
                (Vec::new(), Vec::new())
            } else {
                let money_in = pick(&["load", "revers", "refund", "chargeback", "credit"]);
                let money_out = keep
                    .iter()
                    .filter(|k| is(k, &["approv", "purchase", "fee", "authoris", "settled"]) && !money_in.contains(k))
                    .cloned()
                    .collect();
                (money_in, money_out)
            };
            EntryTypes {
                column: header[i].clone(),
                reversal: pick(&["revers", "chargeback"]),
                fee: pick(&["fee", "charge"])
                    .into_iter()
                    .filter(|k| !is(k, &["chargeback", "refund", "revers", "credit", "rebate", "load"]))
                    .collect(),
                keep,
                skip,
                money_in,
                money_out,
            }
        });
    let description = find(
        &[
            "description",
            "details",
            "narrative",
            "merchant name",
            "merchant",
            "payee",
            "name",
            "memo",
            "transaction description",
        ],
        &taken,
    )
    .or_else(|| (0..header.len()).find(|i| !taken.contains(i) && cells(*i).any(|c| c.chars().any(char::is_alphabetic))))
    .ok_or("No column says who was paid.")?;
    taken.push(description);
    let reference = find(
        &["reference", "transaction ref", "transaction id", "transactionid", "ref", "id", "transaction type", "type"],
        &taken,
    )
    .filter(|&i| !name(i).contains("original") && !name(i).contains("parent") && !name(i).contains("card"));
    taken.extend(reference);
    let reverses = entry_type.as_ref().and_then(|_| {
        (0..header.len()).find(|&i| {
            !taken.contains(&i) && ["original", "parent", "reverses", "related"].iter().any(|w| name(i).contains(w))
        })
    });
    taken.extend(reverses);
    let fee = find(&["fee", "fees", "charge", "charges", "fee amount"], &taken)
        .filter(|&i| !name(i).contains("type") && all_read(i, &|c| is_amount(c) || c == "-"));
    taken.extend(fee);
    let holder = find(
        &["card number", "card id", "cardholder", "card", "pan", "account number", "client reference", "account"],
        &taken,
    )
    // Numbers or references that differ between lines ("****1234", "DP-100042"), not a flag
    // such as "Card present".
    .filter(|&i| {
        all_read(i, &|c| c.chars().any(|ch| ch.is_ascii_digit())) && cells(i).collect::<HashSet<_>>().len() > 1
    });
    Ok(Mapping {
        fee: fee.map(|i| header[i].clone()),
        holder: holder.map(|i| header[i].clone()),
        columns,
        date: header[date].clone(),
        date_format,
        amount,
        description: header[description].clone(),
        reference: reference.map(|i| header[i].clone()),
        balance: balance.map(|i| header[i].clone()),
        entry_type,
        currency: currency.map(|i| header[i].clone()),
        reverses: reverses.map(|i| header[i].clone()),
    })
}

/// A date as the format writes it, and the minutes into the day when a time follows.
pub fn read_date(text: &str, format: DateFormat) -> Option<(Date, Option<u32>)> {
    let text = text.trim();
    if format == DateFormat::Iso {
        return read_iso(text);
    }
    // The date, then perhaps a time ("14:05", "14:05:09", "2:05 pm").
    let (date, time) = match format {
        DateFormat::DayMonthNameYear => {
            let parts: Vec<&str> = text.split([' ', '-', '/']).filter(|p| !p.is_empty()).collect();
            if parts.len() < 3 {
                return None;
            }
            (parts[..3].join(" "), (parts.len() > 3).then(|| parts[3..].join(" ")))
        }
        _ => match text.split_once([' ', 'T']) {
            Some((date, time)) => (date.to_owned(), Some(time.trim().to_owned())),
            None => (text.to_owned(), None),
        },
    };
    let minute = match time.as_deref() {
        None | Some("") => None,
        Some(time) => Some(read_time(time)?),
    };
    let parts: Vec<&str> = match format {
        DateFormat::DayMonthNameYear => date.split(' ').collect(),
        _ => date.split(['/', '-', '.']).collect(),
    };
    let [d, m, y] = parts.as_slice() else { return None };
    let day: u8 = d.parse().ok().filter(|_| d.len() <= 2)?;
    let month = match format {
        DateFormat::DayMonthNameYear => {
            // "Nov", "November" (and "Sept"), in any case.
            let name = m.to_lowercase();
            (1..=12u8).filter_map(|n| Month::try_from(n).ok()).find(|month| {
                let full = month.to_string().to_lowercase();
                name.len() >= 3 && full.starts_with(&name) && (name.len() == 3 || name == full || name == "sept")
            })?
        }
        _ => Month::try_from(m.parse::<u8>().ok().filter(|_| m.len() <= 2)?).ok()?,
    };
    let year: i32 = match (format, y.len()) {
        (DateFormat::DayMonthShortYear, 2) | (DateFormat::DayMonthNameYear, 2) => 2000 + y.parse::<i32>().ok()?,
        (DateFormat::DayMonthShortYear, _) => return None,
        (_, 4) => y.parse().ok()?,
        _ => return None,
    };
    if !y.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((Date::from_calendar_date(year, month, day).ok()?, minute))
}

/// "14:05", "14:05:09", "2:05 pm": minutes into the day.
fn read_time(text: &str) -> Option<u32> {
    let lower = text.trim().to_lowercase();
    let (clock, half) = match lower.strip_suffix("pm").or_else(|| lower.strip_suffix("am")) {
        Some(clock) => (clock.trim(), Some(lower.ends_with("pm"))),
        None => (lower.as_str(), None),
    };
    let mut parts = clock.split(':');
    let (h, m) = (parts.next()?.parse::<u32>().ok()?, parts.next()?.parse::<u32>().ok()?);
    if let Some(s) = parts.next() {
        let seconds: f64 = s.parse().ok()?;
        if !(0.0..61.0).contains(&seconds) {
            return None;
        }
    }
    if parts.next().is_some() || m > 59 {
        return None;
    }
    let h = match half {
        Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        None if h < 24 => h,
        None => return None,
    };
    Some(h * 60 + m)
}

/// An ISO date, a date and time, or a timestamp with `Z` or an offset (the UK day it was).
fn read_iso(text: &str) -> Option<(Date, Option<u32>)> {
    if text.len() <= 10 {
        return tally_ledger::date::parse_iso_date(text).map(|d| (d, None));
    }
    let rfc3339 = text.replacen(' ', "T", 1);
    if let Ok(moment) = time::OffsetDateTime::parse(&rfc3339, &time::format_description::well_known::Rfc3339) {
        let local = tally_ledger::date::uk_local(moment);
        return Some((local.date(), Some(u32::from(local.hour()) * 60 + u32::from(local.minute()))));
    }
    // A date and time with no offset: already the UK's.
    let (date, time) = text.split_once(['T', ' '])?;
    Some((tally_ledger::date::parse_iso_date(date)?, Some(read_time(time.trim_end_matches('Z'))?)))
}

/// "1,480.00", "-12.50", "£8.75", "(12.50)", "12.50 DR", "12.50CR", "12.50-": pounds
/// and pence, with a sign.
pub fn read_amount(text: &str) -> Option<Money> {
    let mut rest = text.trim().to_owned();
    let mut negative = false;
    let upper = rest.to_uppercase();
    if let Some(stripped) = upper.strip_suffix("DR") {
        negative = true;
        rest = stripped.trim().to_owned();
    } else if let Some(stripped) = upper.strip_suffix("CR") {
        rest = stripped.trim().to_owned();
    }
    if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = !negative;
        rest = inner.trim().to_owned();
    }
    if let Some(r) = rest.strip_prefix('-').or_else(|| rest.strip_suffix('-')) {
        negative = !negative;
        rest = r.trim().to_owned();
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r.trim().to_owned();
    }
    let rest = rest.strip_prefix("GBP").map_or(rest.as_str(), str::trim);
    if rest.starts_with(['-', '+', '(']) {
        return None;
    }
    let amount = match Money::parse_amount(rest, Money::from_pence(MAX_LINE_PENCE)) {
        Ok(amount) => amount,
        // parse_amount refuses zero (no spend is £0); a balance can be.
        Err(MoneyError::Zero) => Money::ZERO,
        Err(_) => return None,
    };
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
        assert_eq!(parsed.reversals, vec![(5, 7)], "and cancels the taxi fare");
        assert_eq!(parsed.closing_balance, Some(Money::from_pence(119_500)));
    }

    fn problems(text: &str, format: &str) -> Vec<String> {
        parse(text, &built_in(format).unwrap()).unwrap_err().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_problem_names_its_line_and_column() {
        let header = "Date,Description,Reference,Money out,Money in,Balance\r\n";
        assert_eq!(
            problems(&format!("{header}31/02/2026,SHOP,,1.00,,9.00\r\n01/03/2026,SHOP,,12.3x,,9.00\r\n02/03/2026,SHOP,,,,\r\n03/03/2026,SHOP,,1.00,2.00,9.00\r\n04/03/2026,SHOP,,1.00,,lots\r\n05/03/2026,SHOP\r\n"), BANK),
            vec![
                "Line 2, column \"Date\": \"31/02/2026\" is not a date in the form 31/01/2026.",
                "Line 3, column \"Money out\": \"12.3x\" is not an amount (for example 12.50, -12.50, (12.50) or 12.50 DR).",
                "Line 4, column \"Money out\": fill in one of \"Money out\" and \"Money in\".",
                "Line 5, column \"Money out\": fill in only one of \"Money out\" and \"Money in\".",
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
        let line = "01/03/2026,SHOP,,1.00,,\r\n";
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
    fn amounts_and_dates_are_read_as_providers_write_them() {
        let pence = |p| Some(Money::from_pence(p));
        assert_eq!(read_amount("1,480.00"), pence(148_000));
        assert_eq!(read_amount("-12.50"), pence(-1_250));
        assert_eq!(read_amount("£8.75"), pence(875));
        assert_eq!(read_amount("-£8.75"), pence(-875));
        assert_eq!(read_amount("£1,234.50"), pence(123_450));
        assert_eq!(read_amount("(12.50)"), pence(-1_250));
        assert_eq!(read_amount("12.50 DR"), pence(-1_250));
        assert_eq!(read_amount("12.50dr"), pence(-1_250));
        assert_eq!(read_amount("1,480.00 CR"), pence(148_000));
        assert_eq!(read_amount("12.50-"), pence(-1_250));
        assert_eq!(read_amount("+12.50"), pence(1_250));
        assert_eq!(read_amount("0.00"), Some(Money::ZERO));
        assert_eq!(read_amount("12.345"), None);
        assert_eq!(read_amount("1e3"), None);
        assert_eq!(read_amount("--12.50"), None);
        assert_eq!(read_amount("12.50 XX"), None);
        assert_eq!(read_amount("."), None);
        assert_eq!(read_amount("£"), None);
        let day = |text, format| read_date(text, format).map(|(d, _)| d);
        let nov5 = Some(date!(2026 - 11 - 05));
        assert_eq!(
            read_date("05/11/2026 22:05", DateFormat::DayMonthYearTime),
            Some((date!(2026 - 11 - 05), Some(22 * 60 + 5)))
        );
        assert_eq!(day("05/11/2026", DateFormat::DayMonthYearTime), nov5);
        assert_eq!(day("5/11/2026", DateFormat::DayMonthYear), nov5);
        assert_eq!(day("05-11-2026", DateFormat::DayMonthYear), nov5);
        assert_eq!(day("05/11/2026 25:05", DateFormat::DayMonthYear), None);
        assert_eq!(day("5/11/26", DateFormat::DayMonthYear), None);
        assert_eq!(day("05/11/26", DateFormat::DayMonthShortYear), nov5);
        assert_eq!(day("05/11/2026", DateFormat::DayMonthShortYear), None);
        assert_eq!(day("5 Nov 2026", DateFormat::DayMonthNameYear), nov5);
        assert_eq!(day("05-Nov-2026", DateFormat::DayMonthNameYear), nov5);
        assert_eq!(day("5 November 2026", DateFormat::DayMonthNameYear), nov5);
        assert_eq!(day("05 NOV 26", DateFormat::DayMonthNameYear), nov5);
        assert_eq!(day("5 Novembre 2026", DateFormat::DayMonthNameYear), None);
        assert_eq!(
            read_date("5 Nov 2026 2:05 pm", DateFormat::DayMonthNameYear),
            Some((date!(2026 - 11 - 05), Some(14 * 60 + 5)))
        );
        assert_eq!(day("2026-11-05", DateFormat::Iso), nov5);
        assert_eq!(
            read_date("2026-11-03T09:12:45Z", DateFormat::Iso),
            Some((date!(2026 - 11 - 03), Some(9 * 60 + 12)))
        );
        // Late in a summer's evening UTC is the next day in the UK.
        assert_eq!(read_date("2026-07-01T23:30:00Z", DateFormat::Iso), Some((date!(2026 - 07 - 02), Some(30))));
        assert_eq!(read_date("2026-07-02T00:30:00+01:00", DateFormat::Iso), Some((date!(2026 - 07 - 02), Some(30))));
        assert_eq!(day("2026-11-05 14:05", DateFormat::Iso), nov5);
        assert_eq!(day("2026-11-31T09:00:00Z", DateFormat::Iso), None);
        assert_eq!(day("05/11/2026", DateFormat::Iso), None);
    }

    fn mapping(json: &str) -> Mapping {
        let mapping: Mapping = serde_json::from_str(json).unwrap();
        assert_eq!(mapping.problems(), Vec::<String>::new());
        mapping
    }

    /// The formats of the fixtures, as a council would save them.
    fn newest_first_bank() -> Mapping {
        mapping(include_str!("../../../tests/fixtures/statements/bank-newest-first.format.json"))
    }

    fn iso_card_feed() -> Mapping {
        mapping(include_str!("../../../tests/fixtures/statements/card-feed-iso.format.json"))
    }

    fn dr_cr_bank() -> Mapping {
        mapping(include_str!("../../../tests/fixtures/statements/bank-dr-cr.format.json"))
    }

    fn indicator_bank() -> Mapping {
        mapping(include_str!("../../../tests/fixtures/statements/bank-indicator.format.json"))
    }

    const NEWEST_FIRST: &str = include_str!("../../../tests/fixtures/statements/bank-newest-first.csv");
    const ISO_CARD: &str = include_str!("../../../tests/fixtures/statements/card-feed-iso.csv");
    const DR_CR: &str = include_str!("../../../tests/fixtures/statements/bank-dr-cr.csv");
    const INDICATOR: &str = include_str!("../../../tests/fixtures/statements/bank-indicator.csv");

    fn amounts(parsed: &Parsed) -> Vec<(usize, i64)> {
        parsed.lines.iter().map(|(n, l)| (*n, l.amount.pence().unwrap())).collect()
    }

    #[test]
    fn a_newest_first_bank_export_with_account_details_above_the_header() {
        let parsed = parse(NEWEST_FIRST, &newest_first_bank()).unwrap();
        assert!(parsed.newest_first);
        assert_eq!(parsed.around, 3, "the account's name and balances above the header");
        assert_eq!(amounts(&parsed), vec![(6, -24_000), (7, -1_250), (8, -4_500), (9, 148_000)]);
        assert_eq!(parsed.lines[3].1.date, date!(2026 - 11 - 01));
        assert_eq!(parsed.opening_balance, Some(Money::ZERO));
        assert_eq!(parsed.closing_balance, Some(Money::from_pence(118_250)), "the latest line's, not the last row's");
        // A line taken out: the balances no longer follow, and the line is named.
        let edited = NEWEST_FIRST
            .replace("\"05 Nov 2026\",\"Contactless payment\",\"CITY TAXIS LTD\",\"£12.50\",\"\",\"£1,422.50\"\n", "");
        let said: Vec<String> =
            parse(&edited, &newest_first_bank()).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("Line 6: the balance does not follow from the line before (line 7): £1,435.00 and -£240.00 make £1,195.00, but the file says £1,182.50."), "{said:?}");
    }

    #[test]
    fn a_card_feed_with_timestamps_capitalised_types_and_fee_lines() {
        let parsed = parse(ISO_CARD, &iso_card_feed()).unwrap();
        assert!(!parsed.newest_first);
        assert_eq!(parsed.skipped, 1, "the declined payment");
        assert_eq!(
            amounts(&parsed),
            vec![(2, 148_000), (3, -4_500), (5, -1_250), (6, -150), (7, -24_000), (8, -2_000), (9, 2_000)]
        );
        assert_eq!(parsed.lines[2].1.date, date!(2026 - 11 - 05));
        assert_eq!(parsed.lines[6].1.reference, "tx-1008");
        assert_eq!(parsed.reversals, vec![(8, 9)], "the corner shop's payment and its reversal");
        assert_eq!(parsed.fee_lines, HashSet::from([6]), "the monthly card fee");
        // A fee given back is money in, not a charge.
        let refunded = ISO_CARD.replace(
            "tx-1005,Card Fee,2026-11-06T00:00:00Z,1.50,GBP,1421.00",
            "tx-1005,Card Fee,2026-11-06T00:00:00Z,1.50,GBP,1424.00",
        );
        let mut money_back = iso_card_feed();
        if let Some(types) = money_back.entry_type.as_mut() {
            types.money_out.retain(|t| t != "Card Fee");
            types.money_in.push("Card Fee".into());
        }
        let parsed_back = parse(&refunded.replace("1181.00", "1184.00").replace(",1161.00,", ",1164.00,"), &money_back);
        assert!(parsed_back.as_ref().is_ok_and(|p| p.fee_lines.is_empty()), "{parsed_back:?}");
        // Without the link column, the nearest payment before to the same merchant for
        // the same amount is the one reversed.
        let unlinked = Mapping { reverses: None, ..iso_card_feed() };
        assert_eq!(parse(ISO_CARD, &unlinked).unwrap().reversals, vec![(8, 9)]);
        let elsewhere = ISO_CARD.replace(",tx-1007\n", ",tx-0999\n");
        assert_eq!(parse(&elsewhere, &iso_card_feed()).unwrap().reversals, vec![], "reverses a line of another file");
        assert_eq!(
            (parsed.opening_balance, parsed.closing_balance),
            (Some(Money::ZERO), Some(Money::from_pence(118_100)))
        );
        // Types in any case and spacing; a type the format does not know, by line.
        let shouting = ISO_CARD.replace("Card Fee", "CARD  FEE").replace(",Approved,", ",approved,");
        assert_eq!(parse(&shouting, &iso_card_feed()).unwrap().lines.len(), 7);
        let said: Vec<String> = parse(&ISO_CARD.replace("tx-1005,Card Fee", "tx-1005,Pending"), &iso_card_feed())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(said, vec!["Line 6, column \"Type\": \"Pending\" is not an entry type this format knows (Load, Approved, Reversed, Card Fee, Declined)."]);
        // Another currency is refused, by line.
        let euros = ISO_CARD.replace("12.50,GBP", "12.50,EUR");
        let said: Vec<String> = parse(&euros, &iso_card_feed()).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(said, vec!["Line 5, column \"Currency\": this line is in EUR. Tally reads pounds sterling (GBP) only: ask the provider for the sterling amounts."]);
    }

    fn programme_feed() -> Mapping {
        mapping(include_str!("../../../tests/fixtures/statements/card-programme-feed.format.json"))
    }

    const PROGRAMME: &str = include_str!("../../../tests/fixtures/statements/card-programme-feed.csv");

    #[test]
    fn a_feed_for_many_cardholders_is_read_card_by_card() {
        let parsed = parse(PROGRAMME, &programme_feed()).unwrap();
        assert_eq!((parsed.skipped, parsed.around), (1, 3), "the declined line; the preamble and the total");
        assert_eq!(parsed.fees, HashMap::from([(7, Money::from_pence(150))]), "the ATM fee beside its withdrawal");
        // Each card's balances run on their own, the fee taken with its line.
        assert_eq!((parsed.opening_balance, parsed.closing_balance), (None, None), "no balance for the whole feed");
        let cards = parsed.clone().by_holder();
        let summary: Vec<(String, Vec<i64>, Option<Money>)> = cards
            .iter()
            .map(|(card, p)| (card.clone(), amounts(p).into_iter().map(|(_, a)| a).collect(), p.closing_balance))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "************1234".to_owned(),
                    vec![148_000, -4_500, -1_250, -24_000],
                    Some(Money::from_pence(118_250))
                ),
                ("************5678".to_owned(), vec![80_000, -10_000, -3_000, 3_000], Some(Money::from_pence(69_850))),
            ]
        );
        assert_eq!(cards[1].1.fees.len(), 1);
        // A fee left out of the balance is a break on that card's line, named.
        let said: Vec<String> = parse(&PROGRAMME.replace("-100.00,-1.50", "-100.00,0.00"), &programme_feed())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(said, vec!["Line 7: the balance does not follow from the line before (line 5): £800.00 and -£100.00 make £700.00, but the file says £698.50. A line may be missing, or the file was changed."]);
        let blank = PROGRAMME.replace("************5678,08/11/2026", ",08/11/2026");
        let said: Vec<String> = parse(&blank, &programme_feed()).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(said, vec!["Line 10, column \"Card Number\": the card or account this line is for is missing."]);
    }

    #[test]
    fn a_bank_export_with_dr_and_cr_and_two_digit_years_and_a_closing_line() {
        let parsed = parse(DR_CR, &dr_cr_bank()).unwrap();
        assert_eq!(amounts(&parsed), vec![(4, 148_000), (5, -4_500), (6, -1_250), (7, -24_000)]);
        assert_eq!(parsed.around, 3, "two lines above the header and the closing balance below the lines");
        assert_eq!(parsed.closing_balance, Some(Money::from_pence(118_250)));
        assert_eq!(parsed.lines[0].1.date, date!(2026 - 11 - 01));
        // A bad date among the lines is a problem, not a summary line.
        let said: Vec<String> = parse(&DR_CR.replace("05/11/26", "5th Nov"), &dr_cr_bank())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(said, vec!["Line 6, column \"Date\": \"5th Nov\" is not a date in the form 31/01/26."]);
    }

    #[test]
    fn a_bank_export_with_a_debit_or_credit_column() {
        let parsed = parse(INDICATOR, &indicator_bank()).unwrap();
        assert_eq!(amounts(&parsed), vec![(2, 148_000), (3, -4_500), (4, -1_250), (5, -24_000)]);
        assert_eq!(parsed.around, 1, "the total line");
        assert_eq!(parsed.closing_balance, Some(Money::from_pence(118_250)));
        let said: Vec<String> = parse(&INDICATOR.replace("Debit,45.00", "Maybe,45.00"), &indicator_bank())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(said, vec!["Line 3, column \"Debit/Credit\": \"Maybe\" does not say which way the money went (dr, debit, d, out for money out, cr, credit, c, in for money in)."]);
    }

    /// Each fixture's proposed mapping reads the file as the saved format does.
    #[test]
    fn a_mapping_is_proposed_from_a_file_alone() {
        for (text, saved) in [
            (NEWEST_FIRST, newest_first_bank()),
            (ISO_CARD, iso_card_feed()),
            (DR_CR, dr_cr_bank()),
            (INDICATOR, indicator_bank()),
            (PROGRAMME, programme_feed()),
            (BANK_FILE, built_in(BANK).unwrap()),
            (CARD_FILE, built_in(CARD_FEED).unwrap()),
        ] {
            let proposed = propose(text).unwrap();
            assert_eq!(proposed.problems(), Vec::<String>::new(), "{proposed:?}");
            let (a, b) = (parse(text, &proposed).unwrap(), parse(text, &saved).unwrap());
            let amounts = |p: &Parsed| {
                p.lines.iter().map(|(n, l)| (*n, l.date, l.amount, l.description.clone())).collect::<Vec<_>>()
            };
            assert_eq!(amounts(&a), amounts(&b), "{proposed:?}");
            assert_eq!(
                (a.closing_balance, a.reversals.clone(), a.fees.clone(), a.fee_lines.clone(), a.holders.clone()),
                (b.closing_balance, b.reversals.clone(), b.fees.clone(), b.fee_lines.clone(), b.holders.clone()),
                "{proposed:?}"
            );
        }
        assert!(propose("hello\nworld\n").unwrap_err().contains("No line names the columns"));
        let wide = (0..=MAX_COLUMNS).map(|i| format!("C{i}")).collect::<Vec<_>>().join(",");
        assert!(propose(&format!("{wide}\n")).unwrap_err().contains("more than 60 columns"));
        // Two lines and a closing balance below them.
        let short = "Sort code 08-90-00 Account 12345678\r\nDate,Details,Value,Balance\r\n20/11/26,CORNER SHOP,3.10 DR,996.90 CR\r\n21/11/26,PHARMACY,1.00 DR,995.90 CR\r\nClosing balance,,,995.90 CR\r\n";
        let proposed = propose(short).unwrap();
        assert_eq!((proposed.date.as_str(), proposed.date_format), ("Date", DateFormat::DayMonthShortYear));
        assert_eq!(proposed.amount, Amounts::Signed { column: "Value".into() });
        assert_eq!(parse(short, &proposed).unwrap().lines.len(), 2);
    }

    /// A mapping saved through the API is bounded like a file.
    #[test]
    fn a_mapping_is_bounded() {
        let mut mapping = iso_card_feed();
        mapping.columns.extend((0..MAX_COLUMNS).map(|i| format!("Extra {i}")));
        assert!(mapping.problems().iter().any(|p| p.contains("at most 60 columns")), "{:?}", mapping.problems());
        let mut mapping = iso_card_feed();
        if let Some(types) = &mut mapping.entry_type {
            types.skip.extend((0..=MAX_WORDS).map(|i| format!("Type {i}")));
        }
        assert!(mapping.problems().iter().any(|p| p.contains("at most 50 words")), "{:?}", mapping.problems());
    }

    /// Thousands of reversals against thousands of payments pair in one pass: each the
    /// latest payment before it that it cancels.
    #[test]
    fn many_reversals_pair_in_one_pass() {
        let mut file =
            String::from("TransactionId,Type,Timestamp,Amount,Currency,Balance,Merchant,MCC,OriginalTransactionId\n");
        for n in 0..2_000 {
            file.push_str(&format!("p{n},Approved,2026-11-03T10:00:00Z,1.00,GBP,,SHOP {n},,\n"));
        }
        for n in 0..2_000 {
            file.push_str(&format!("r{n},Reversed,2026-11-04T10:00:00Z,1.00,GBP,,SHOP {n},,\n"));
        }
        let unlinked = Mapping { reverses: None, ..iso_card_feed() };
        let parsed = parse(&file, &unlinked).unwrap();
        assert_eq!(parsed.reversals.len(), 2_000);
        assert!(parsed.reversals.iter().all(|(payment, reversal)| reversal - payment == 2_000));
    }

    #[test]
    fn split_columns_take_zero_or_a_dash_for_the_side_not_used() {
        let file = "Date,Description,Reference,Money out,Money in,Balance\r\n01/03/2026,PAY,,0.00,100.00,100.00\r\n02/03/2026,SHOP,,1.00,-,99.00\r\n03/03/2026,Balance carried forward,,,,99.00\r\n";
        let parsed = parse(file, &built_in(BANK).unwrap()).unwrap();
        assert_eq!(amounts(&parsed), vec![(2, 10_000), (3, -100)]);
        assert_eq!(parsed.balance_lines, 1);
        assert_eq!(parsed.closing_balance, Some(Money::from_pence(9_900)));
    }
}
