//! Statement and export: for a chosen period, the opening and closing balance and every
//! transaction — on screen, printable (the print stylesheet keeps only the statement) and as
//! a CSV file, which is what a council accepts as a financial return.

use leptos::prelude::*;
use tally_ledger::date::{iso_date, long_date, parse_iso_date};
use tally_ledger::export::{statement_rows, to_csv};
use time::Date;

use crate::app::{page_title, use_wallet};
use crate::browser;
use crate::components::field::TextField;

#[component]
pub fn Export() -> impl IntoView {
    page_title("Statement and export");
    let wallet = use_wallet();
    let today = browser::today();
    let first_of_month = today.replace_day(1).unwrap_or(today);
    let from = RwSignal::new(iso_date(first_of_month));
    let to = RwSignal::new(iso_date(today));
    let download_problem = RwSignal::new(None::<String>);

    let period = move || -> Result<(Date, Date), (Option<String>, Option<String>)> {
        let start = parse_iso_date(&from.get());
        let end = parse_iso_date(&to.get());
        match (start, end) {
            (Some(start), Some(end)) if end >= start => Ok((start, end)),
            (Some(_), Some(_)) => Err((None, Some("The end date must be on or after the start date.".to_owned()))),
            (start, end) => Err((
                start.is_none().then(|| "Enter the first day of the statement, for example 1 11 2026.".to_owned()),
                end.is_none().then(|| "Enter the last day of the statement, for example 30 11 2026.".to_owned()),
            )),
        }
    };
    let statement = Memo::new(move |_| {
        let (start, end) = period().ok()?;
        wallet.session.with(|s| {
            let s = s.as_ref()?;
            wallet.ledger.with(|ledger| {
                let summary = ledger.statement(start, end);
                let rows = statement_rows(ledger, &s.account.plan, start, end);
                Some((start, end, summary.opening, summary.money_in, summary.money_out, summary.closing, rows))
            })
        })
    });
    let heading = move || {
        let person = wallet.session.with(|s| s.as_ref().map(|s| s.account.person_name.clone()).unwrap_or_default());
        statement.with(|s| {
            s.as_ref()
                .map(|(start, end, ..)| format!("Statement for {person}, {} to {}", long_date(*start), long_date(*end)))
        })
    };
    let reference = move || {
        wallet.session.with(|s| {
            s.as_ref()
                .map(|s| format!("{} · account {}", s.account.council_name, s.account.reference))
                .unwrap_or_default()
        })
    };

    let save_csv = move |_| {
        let Some((start, end, .., rows)) = statement.get_untracked() else { return };
        let reference =
            wallet.session.with_untracked(|s| s.as_ref().map(|s| s.account.reference.clone()).unwrap_or_default());
        // The byte order mark lets spreadsheet programs read "£" and accents correctly.
        let text = format!("\u{FEFF}{}", to_csv(&rows));
        let name = format!("tally-{reference}-{}-to-{}.csv", iso_date(start), iso_date(end));
        download_problem.set(
            browser::save_file(&name, "text/csv;charset=utf-8", &text)
                .err()
                .map(|_| "This browser could not save the file. Try printing the statement instead.".to_owned()),
        );
    };
    let print = move |_| {
        let _ = window().print();
    };

    view! {
        <h1>"Statement and export"</h1>
        <p class="no-print">"Choose the dates. You can print the statement or save it as a spreadsheet file (CSV) to send to your council."</p>
        <form class="filters no-print" on:submit=|ev| ev.prevent_default() novalidate>
            <div class="filters__row">
                <TextField id="from" label="From" value=from input_type="date" error=Signal::derive(move || period().err().and_then(|e| e.0))/>
                <TextField id="to" label="To" value=to input_type="date" error=Signal::derive(move || period().err().and_then(|e| e.1))/>
            </div>
        </form>
        {move || statement.get().map(|(_, _, opening, money_in, money_out, closing, rows)| view! {
            <section class="statement" aria-labelledby="statement-heading">
                <h2 id="statement-heading">{heading}</h2>
                <p>{reference}</p>
                <dl class="summary-list">
                    <div class="summary-list__row"><dt>"Opening balance"</dt><dd>{opening.to_string()}</dd></div>
                    <div class="summary-list__row"><dt>"Money in"</dt><dd>{money_in.to_string()}</dd></div>
                    <div class="summary-list__row"><dt>"Money out"</dt><dd>{money_out.to_string()}</dd></div>
                    <div class="summary-list__row"><dt>"Closing balance"</dt><dd>{closing.to_string()}</dd></div>
                </dl>
                <div class="table-wrap" role="region" aria-label="Transactions" tabindex="0">
                    <table class="table">
                        <caption>{format!("{} transactions", rows.len())}</caption>
                        <thead><tr>
                            <th scope="col">"Date"</th><th scope="col">"Type"</th><th scope="col">"Who"</th>
                            <th scope="col">"Plan line"</th><th scope="col" class="num">"In"</th><th scope="col" class="num">"Out"</th>
                            <th scope="col">"Receipt"</th><th scope="col">"Council"</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! {
                                <tr>
                                    <td>{long_date(row.date)}</td>
                                    <td>{row.kind}</td>
                                    <td>{row.who}{(!row.description.is_empty()).then(|| format!(" — {}", row.description))}</td>
                                    <td>{row.plan_line}</td>
                                    <td class="num">{row.money_in.map(|m| m.to_string())}</td>
                                    <td class="num">{row.money_out.map(|m| m.to_string())}</td>
                                    <td>{row.receipt.map(|r| if r { "Yes" } else { "No" })}</td>
                                    <td>{row.status}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
        <div class="no-print button-row">
            <button type="button" class="button" on:click=save_csv>"Download CSV"</button>
            " "
            <button type="button" class="button button--secondary" on:click=print>"Print statement"</button>
        </div>
        {move || download_problem.get().map(|p| view! { <p role="alert" class="field-error">{p}</p> })}
    }
}
