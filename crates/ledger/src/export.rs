//! Statements as rows and as CSV: what a person sends as a financial return and what a
//! council's audit sheet lists, one line per transaction.

use time::Date;

use crate::date::iso_date;
use crate::entry::{Decision, EntryBody, EntryId};
use crate::ledger::{History, Ledger};
use crate::money::Money;
use crate::plan::SupportPlan;

/// One transaction of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRow {
    pub entry: EntryId,
    pub date: Date,
    /// "Spend", "Payment in", "Contribution", "Refund", "Clawback".
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
    let line_name = |id: &Option<crate::entry::PlanLineId>| {
        id.as_ref().map(|id| plan.any_line(id).map(|l| l.name.clone()).unwrap_or_else(|| id.0.clone())).unwrap_or_default()
    };
    let histories = ledger.histories();
    ledger
        .statement(from, to)
        .lines
        .iter()
        .map(|active| {
            let (kind, who, description, plan_line, receipt) = match active.body {
                EntryBody::Spend(s) => ("Spend", s.payee.clone(), s.note.clone(), line_name(&s.plan_line), Some(!s.receipts.is_empty())),
                EntryBody::PaymentIn(m) => ("Payment in", "Council".to_owned(), m.reference.clone(), String::new(), None),
                EntryBody::Contribution(m) => ("Contribution", "Client contribution".to_owned(), m.reference.clone(), String::new(), None),
                EntryBody::Refund(r) => ("Refund", r.payee.clone(), r.note.clone(), line_name(&r.plan_line), None),
                EntryBody::Clawback(c) => ("Clawback", "Council".to_owned(), c.reason.clone(), String::new(), None),
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
            let (money_in, money_out) = if active.amount.is_negative() { (None, Some(-active.amount)) } else { (Some(active.amount), None) };
            StatementRow { entry: active.id(), date: active.date, kind, who, description, plan_line, money_in, money_out, receipt, status }
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
        let money = |m: Option<Money>| m.map(Money::to_plain_string).unwrap_or_default();
        push_record(
            &mut out,
            [
                iso_date(row.date),
                row.kind.to_owned(),
                row.who.clone(),
                row.description.clone(),
                row.plan_line.clone(),
                money(row.money_in),
                money(row.money_out),
                match row.receipt {
                    Some(true) => "Yes".to_owned(),
                    Some(false) => "No".to_owned(),
                    None => String::new(),
                },
                row.status.clone(),
                row.entry.to_string(),
            ]
            .into_iter(),
        );
    }
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
            EntryBody::Correction(Correction { corrects: EntryId(Uuid::from_u128(12)), replacement: Box::new(EntryBody::Spend(spend_body(900))), reason: String::new() }),
        );
        let ledger = Ledger::from_entries([payment_in(10, 148_000), entry(11, EntryBody::Spend(receipted)), entry(12, EntryBody::Spend(spend_body(1_000))), correction]).unwrap();
        let rows = statement_rows(&ledger, &SupportPlan::default(), date!(2026 - 11 - 01), date!(2026 - 11 - 30));
        assert_eq!(rows.len(), 3);
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Date,Type,Who,Description,Plan line,Money in,Money out,Receipt,Council,Entry id");
        assert_eq!(lines[1], "2026-11-01,Payment in,Council,First payment,,1480.00,,,,00000000-0000-0000-0000-00000000000a");
        assert!(lines[2].starts_with("2026-11-21,Spend,\"Smith, Jo\",,day-centre,,12.50,Yes,,"), "{}", lines[2]);
        assert!(lines[3].starts_with("2026-11-21,Spend,Sunrise Day Centre,,day-centre,,9.00,No,Corrected,"), "{}", lines[3]);
        assert_eq!(lines[4], "");
    }
}
