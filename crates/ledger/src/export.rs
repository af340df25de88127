//! Statements as rows and as CSV: what a person sends as a financial return and what a
//! council's audit sheet lists, one line per transaction.

use rustc_hash::FxHashMap as HashMap;
use time::Date;

use crate::date::iso_date;
use crate::entry::{Decision, EntryBody, EntryId};
use crate::ledger::{allowed_to_keep, sum, Active, History, Ledger};
use crate::money::Money;
use crate::plan::SupportPlan;

/// One transaction of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRow {
    pub entry: EntryId,
    pub date: Date,
    /// "Spend", "Payment in", "Contribution", "Refund", "Clawback", "Charge".
    pub kind: &'static str,
    /// Who was paid, or who paid in.
    pub who: String,
    /// The note, reference or reason.
    pub description: String,
    /// The plan line's name, if any.
    pub plan_line: String,
    pub money_in: Option<Money>,
    pub money_out: Option<Money>,
    /// For spending: whether a receipt photo is attached.
    pub receipt: Option<bool>,
    /// The council's latest decision, and whether the entry was corrected.
    pub status: String,
}

/// The rows of every active money entry dated `from..=to`, oldest first.
pub fn statement_rows(ledger: &Ledger, plan: &SupportPlan, from: Date, to: Date) -> Vec<StatementRow> {
    rows_of(&ledger.statement(from, to).lines, &ledger.histories(), plan)
}

/// The rows of a statement's lines, each with the council's latest decision on it.
fn rows_of(lines: &[Active<'_>], histories: &HashMap<EntryId, History<'_>>, plan: &SupportPlan) -> Vec<StatementRow> {
    let line_name = |id: &Option<crate::entry::PlanLineId>| {
        id.as_ref()
            .map(|id| plan.any_line(id).map(|l| l.name.clone()).unwrap_or_else(|| id.0.clone()))
            .unwrap_or_default()
    };
    lines
        .iter()
        .map(|active| {
            let (kind, who, description, plan_line, receipt) = match active.body {
                EntryBody::Spend(s) => {
                    ("Spend", s.payee.clone(), s.note.clone(), line_name(&s.plan_line), Some(!s.receipts.is_empty()))
                }
                EntryBody::PaymentIn(m) => {
                    ("Payment in", "Council".to_owned(), m.reference.clone(), String::new(), None)
                }
                EntryBody::Contribution(m) => {
                    ("Contribution", "Client contribution".to_owned(), m.reference.clone(), String::new(), None)
                }
                EntryBody::Refund(r) => ("Refund", r.payee.clone(), r.note.clone(), line_name(&r.plan_line), None),
                EntryBody::Clawback(c) => ("Clawback", "Council".to_owned(), c.reason.clone(), String::new(), None),
                EntryBody::Charge(c) => {
                    ("Charge", "Bank or card provider".to_owned(), c.description.clone(), String::new(), None)
                }
                _ => ("Other", String::new(), String::new(), String::new(), None),
            };
            let mut status = match histories.get(&active.id()).and_then(History::decision) {
                Some(Decision::Approved) => "Approved".to_owned(),
                Some(Decision::Question) => "Query".to_owned(),
                Some(Decision::NotAllowed) => "Not allowed".to_owned(),
                None => String::new(),
            };
            if active.corrections > 0 {
                status = if status.is_empty() { "Corrected".to_owned() } else { format!("{status}; corrected") };
            }
            let (money_in, money_out) =
                if active.amount.is_negative() { (None, Some(-active.amount)) } else { (Some(active.amount), None) };
            StatementRow {
                entry: active.id(),
                date: active.date,
                kind,
                who,
                description,
                plan_line,
                money_in,
                money_out,
                receipt,
                status,
            }
        })
        .collect()
}

/// The column names of [`to_csv`].
pub const CSV_HEADER: [&str; 10] =
    ["Date", "Type", "Who", "Description", "Plan line", "Money in", "Money out", "Receipt", "Council", "Entry id"];

/// Rows as CSV (RFC 4180, CRLF line ends), amounts as plain digits ("12.50").
pub fn to_csv(rows: &[StatementRow]) -> String {
    let mut out = String::new();
    push_record(&mut out, CSV_HEADER.iter().map(|h| h.to_string()));
    for row in rows {
        push_record(&mut out, row_cells(row).into_iter());
    }
    out
}

/// One row's cells, in the order of [`CSV_HEADER`].
pub fn row_cells(row: &StatementRow) -> [String; 10] {
    [
        iso_date(row.date),
        row.kind.to_owned(),
        row.who.clone(),
        row.description.clone(),
        row.plan_line.clone(),
        plain(row.money_in),
        plain(row.money_out),
        receipt_cell(row.receipt).to_owned(),
        row.status.clone(),
        row.entry.to_string(),
    ]
}

/// An amount as plain digits, or nothing.
fn plain(money: Option<Money>) -> String {
    money.map(Money::to_plain_string).unwrap_or_default()
}

/// Whether a receipt is attached: "Yes", "No", or nothing for entries that need none.
fn receipt_cell(receipt: Option<bool>) -> &'static str {
    match receipt {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "",
    }
}

/// Who and what an audit sheet is for.
#[derive(Clone, Copy, Debug)]
pub struct AuditSheetFor<'a> {
    pub person: &'a str,
    pub reference: &'a str,
    pub from: Date,
    pub to: Date,
}

/// The audit sheet councils use, for one account and period: a header block (person,
/// council reference, audit period, opening balance, total in, total out, closing balance,
/// amount allowed to be retained, surplus, recovered, amount to recover), then one line per
/// transaction (date, payee, description, amount in, amount out, support plan line, receipt
/// present, query or decision). Shown on a printable page and saved as CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditSheet {
    /// `(name, value as in the CSV, value as shown: money as "£1,234.50")`.
    pub header: Vec<(&'static str, String, String)>,
    /// Each line's cells, in the order of [`AUDIT_LINE_HEADER`]; amounts as plain digits.
    pub lines: Vec<[String; 8]>,
}

impl AuditSheet {
    /// The sheet as CSV: the header block, a blank line, the column names, the lines.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for (name, value, _) in &self.header {
            push_record(&mut out, [name.to_string(), value.clone()].into_iter());
        }
        out.push_str("\r\n");
        push_record(&mut out, AUDIT_LINE_HEADER.iter().map(|h| h.to_string()));
        for line in &self.lines {
            push_record(&mut out, line.iter().cloned());
        }
        out
    }
}

/// The [`AuditSheet`] of one account and period.
pub fn audit_sheet(
    ledger: &Ledger,
    plan: &SupportPlan,
    policy: &crate::policy::CouncilPolicy,
    sheet: AuditSheetFor<'_>,
) -> AuditSheet {
    let statement = ledger.statement(sheet.from, sheet.to);
    let allowed = allowed_to_keep(plan, policy, sheet.to);
    // Surplus is worked out on the closing balance of the period.
    let above = statement.closing.checked_sub(allowed).filter(|m| !m.is_negative()).unwrap_or(Money::ZERO);
    let recovered = sum(statement.lines.iter().filter(|a| matches!(a.body, EntryBody::Clawback(_))).map(|a| -a.amount));
    let text = |name: &'static str, value: String| (name, value.clone(), value);
    let money = |name: &'static str, m: Money| (name, m.to_plain_string(), m.to_string());
    let header = vec![
        text("Person", sheet.person.to_owned()),
        text("Council reference", sheet.reference.to_owned()),
        text("Audit period", format!("{} to {}", iso_date(sheet.from), iso_date(sheet.to))),
        money("Opening balance", statement.opening),
        money("Total in", statement.money_in),
        money("Total out", statement.money_out),
        money("Closing balance", statement.closing),
        money("Allowed to be retained", allowed),
        money("Surplus", above),
        money("Recovered in the period", recovered),
        money("Amount to recover", above),
    ];
    let lines = rows_of(&statement.lines, &ledger.histories(), plan)
        .into_iter()
        .map(|row| {
            let who = if row.kind == "Spend" {
                row.who.clone()
            } else {
                format!("{} ({})", row.who, row.kind.to_lowercase())
            };
            [
                iso_date(row.date),
                who,
                row.description,
                plain(row.money_in),
                plain(row.money_out),
                row.plan_line,
                receipt_cell(row.receipt).to_owned(),
                row.status,
            ]
        })
        .collect();
    AuditSheet { header, lines }
}

/// [`audit_sheet`] as CSV.
pub fn audit_sheet_csv(
    ledger: &Ledger,
    plan: &SupportPlan,
    policy: &crate::policy::CouncilPolicy,
    sheet: AuditSheetFor<'_>,
) -> String {
    audit_sheet(ledger, plan, policy, sheet).to_csv()
}

/// The column names of an audit sheet's lines.
pub const AUDIT_LINE_HEADER: [&str; 8] = [
    "Date",
    "Payee",
    "Description",
    "Amount in",
    "Amount out",
    "Support plan line",
    "Receipt present",
    "Query or decision",
];

/// One CSV record (with its line end), each cell made safe as in [`to_csv`].
pub fn to_csv_record(cells: &[String]) -> String {
    let mut out = String::new();
    push_record(&mut out, cells.iter().cloned());
    out
}

fn push_record(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(&cell));
    }
    out.push_str("\r\n");
}

/// One cell: quoted when it holds a comma, quote or line break; and text a spreadsheet would
/// run as a formula (starting `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with
/// an apostrophe, so a payee name can never become a formula on a council's computer.
fn csv_cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len() + 2);
    let is_number = !text.is_empty() && text.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.');
    if !is_number && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.push('\'');
    }
    cell.push_str(text);
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_sheet_has_the_councils_header_and_one_line_per_transaction() {
        use crate::entry::{AccountId, Author, Clawback, Entry, MoneyIn, PlanLineId, Spend};
        use crate::plan::{Category, Period, PlanLine, PlanVersion};
        use time::macros::{date, datetime};
        let entry = |n: u128, body| Entry {
            id: EntryId(Uuid::from_u128(n)),
            account: AccountId(Uuid::from_u128(1)),
            author: Author { name: "Alex".into(), device: None, device_seq: None },
            recorded_at: datetime!(2026-03-01 09:00 UTC),
            body,
        };
        let start = date!(2026 - 01 - 05);
        let plan = SupportPlan::new(
            vec![PlanVersion {
                version: 1,
                effective_from: start,
                outcomes: vec![],
                lines: vec![PlanLine::new(
                    "day",
                    "Day centre",
                    Category::DayActivities,
                    Money::from_pence(10_000),
                    Period::Weekly,
                    start,
                )],
            }],
            None,
        );
        let policy = crate::policy::CouncilPolicy { contingency_weeks: 4, ..Default::default() };
        let ledger = Ledger::from_entries([
            entry(
                2,
                EntryBody::PaymentIn(MoneyIn {
                    date: date!(2026 - 01 - 05),
                    amount: Money::from_pence(100_000),
                    reference: "First".into(),
                }),
            ),
            entry(
                3,
                EntryBody::Spend(Spend::new(
                    date!(2026 - 02 - 10),
                    Money::from_pence(2_500),
                    "=Sunrise, Ltd",
                    Some(PlanLineId("day".into())),
                )),
            ),
            entry(
                4,
                EntryBody::Clawback(Clawback {
                    date: date!(2026 - 02 - 20),
                    amount: Money::from_pence(10_000),
                    reason: "Surplus".into(),
                }),
            ),
        ])
        .unwrap();
        let csv = audit_sheet_csv(
            &ledger,
            &plan,
            &policy,
            AuditSheetFor {
                person: "Alex Morgan",
                reference: "DP-000001",
                from: date!(2026 - 02 - 01),
                to: date!(2026 - 02 - 28),
            },
        );
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Person,Alex Morgan");
        assert_eq!(lines[2], "Audit period,2026-02-01 to 2026-02-28");
        assert_eq!(lines[3], "Opening balance,1000.00");
        assert_eq!(lines[4], "Total in,0.00");
        assert_eq!(lines[5], "Total out,125.00");
        assert_eq!(lines[6], "Closing balance,875.00");
        assert_eq!(lines[7], "Allowed to be retained,400.00", "4 weeks of £100 a week");
        assert_eq!(lines[8], "Surplus,475.00");
        assert_eq!(lines[9], "Recovered in the period,100.00");
        assert_eq!(lines[10], "Amount to recover,475.00");
        assert_eq!(lines[11], "");
        assert_eq!(lines[12], AUDIT_LINE_HEADER.join(","));
        // The payee is defused and quoted; the clawback is a line too.
        assert_eq!(lines[13], "2026-02-10,\"'=Sunrise, Ltd\",,,25.00,Day centre,No,");
        assert_eq!(lines[14], "2026-02-20,Council (clawback),Surplus,,100.00,,,");
        assert_eq!(lines.len(), 16, "and a final line end");
    }
    use crate::entry::tests::{entry, payment_in, spend_body};
    use crate::entry::{Correction, ReceiptRef};
    use time::macros::date;
    use uuid::Uuid;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let check = |input: &str, expected: &str| assert_eq!(csv_cell(input), expected, "{input:?}");
        check("Sunrise Day Centre", "Sunrise Day Centre");
        check("Smith, Jo", "\"Smith, Jo\"");
        check("The \"Best\" Cafe", "\"The \"\"Best\"\" Cafe\"");
        check("line\nbreak", "\"line\nbreak\"");
        check("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
        check("+44 123", "'+44 123");
        check("@SUM(A1)", "'@SUM(A1)");
        check("-12.50", "-12.50");
        check("12.50", "12.50");
        check("", "");
    }

    #[test]
    fn a_statement_lists_every_transaction_of_the_period() {
        let mut receipted = spend_body(1_250);
        receipted.receipts = vec![ReceiptRef("a".repeat(64))];
        receipted.payee = "Smith, Jo".into();
        let correction = entry(
            20,
            EntryBody::Correction(Correction {
                corrects: EntryId(Uuid::from_u128(12)),
                replacement: Box::new(EntryBody::Spend(spend_body(900))),
                reason: String::new(),
            }),
        );
        let ledger = Ledger::from_entries([
            payment_in(10, 148_000),
            entry(11, EntryBody::Spend(receipted)),
            entry(12, EntryBody::Spend(spend_body(1_000))),
            correction,
        ])
        .unwrap();
        let rows = statement_rows(&ledger, &SupportPlan::default(), date!(2026 - 11 - 01), date!(2026 - 11 - 30));
        assert_eq!(rows.len(), 3);
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Date,Type,Who,Description,Plan line,Money in,Money out,Receipt,Council,Entry id");
        assert_eq!(
            lines[1],
            "2026-11-01,Payment in,Council,First payment,,1480.00,,,,00000000-0000-0000-0000-00000000000a"
        );
        assert!(lines[2].starts_with("2026-11-21,Spend,\"Smith, Jo\",,day-centre,,12.50,Yes,,"), "{}", lines[2]);
        assert!(
            lines[3].starts_with("2026-11-21,Spend,Sunrise Day Centre,,day-centre,,9.00,No,Corrected,"),
            "{}",
            lines[3]
        );
        assert_eq!(lines[4], "");
    }
}
