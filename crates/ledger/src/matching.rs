//! Pairing bank or card statement lines with logged entries.
//!
//! Each statement line is paired with at most one entry and each entry with at most one
//! line. A pair needs the same amount (to the penny, and the same direction) and dates
//! within a window; among several possibilities the best by date and payee similarity
//! wins. The result depends only on the inputs: ties are broken by line order and entry
//! id, never by chance.

use std::collections::HashMap;

use time::Date;

use crate::entry::{EntryBody, EntryId};
use crate::ledger::Ledger;
use crate::money::Money;

/// One line of an imported statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    pub date: Date,
    /// Signed: negative for money out of the account, positive for money in.
    pub amount: Money,
    /// The payee or merchant as the bank or card provider wrote it.
    pub description: String,
    #[doc(hidden)]
    pub reference: String,
}

/// A logged money entry, as the matcher sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerItem {
    pub id: EntryId,
    pub date: Date,
    /// Signed like statement lines: negative for money out.
    pub amount: Money,
    /// Who was paid or who paid.
    pub payee: String,
}

/// How close a pair must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchOptions {
    /// Statement and logged dates may differ by this many days (card payments often
    /// settle a day or two later).
    pub date_window_days: u32,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions { date_window_days: 3 }
    }
}

/// A proposed pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// Index of the statement line.
    pub line: usize,
    pub entry: EntryId,
    /// 0 to 100: how alike the dates and payees are.
    pub confidence: u8,
    /// Nothing else could have paired with either side, and the date or payee agrees: an
    /// officer need not check it.
    pub certain: bool,
}

/// Every proposed pair, and what is left on each side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matching {
    /// In statement line order.
    pub matches: Vec<Match>,
    /// Statement lines with no entry (indexes, in order): queries for the person.
    pub unmatched_lines: Vec<usize>,
    /// Entries with no statement line (in id order).
    pub unmatched_entries: Vec<EntryId>,
}

/// Every active money entry of a ledger, signed, for matching.
pub fn ledger_items(ledger: &Ledger) -> Vec<LedgerItem> {
    ledger
        .active()
        .into_iter()
        .map(|a| {
            let (date, amount) = a.movement();
            let payee = match a.body {
                EntryBody::Spend(s) => s.payee.clone(),
                EntryBody::Refund(r) => r.payee.clone(),
                EntryBody::PaymentIn(m) | EntryBody::Contribution(m) => m.reference.clone(),
                EntryBody::Clawback(c) => c.reason.clone(),
                EntryBody::Charge(c) => c.description.clone(),
                _ => String::new(),
            };
            LedgerItem { id: a.id(), date, amount, payee }
        })
        .collect()
}

/// Words banks add to descriptions that say nothing about the payee.
const NOISE: &[&str] = &[
    "card",
    "payment",
    "to",
    "from",
    "pos",
    "ltd",
    "limited",
    "the",
    "dd",
    "so",
    "fp",
    "bgc",
    "ref",
    "on",
    "and",
    "via",
    "purchase",
    "contactless",
];

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && !t.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|t| !NOISE.contains(&t.as_str()))
        .collect()
}

/// How much of the payee's name appears in the description, 0 to 100. Words match when
/// equal, or when one starts with the other and is at least 3 letters ("sunrise" and
/// "sunr").
fn similarity(payee: &[String], description: &[String]) -> u32 {
    if payee.is_empty() {
        return 0;
    }
    let alike = |a: &str, b: &str| a == b || (a.len().min(b.len()) >= 3 && (a.starts_with(b) || b.starts_with(a)));
    let found = payee.iter().filter(|p| description.iter().any(|d| alike(p, d))).count();
    (found * 100 / payee.len()) as u32
}

/// Proposes one-to-one pairs between statement lines and ledger items.
pub fn match_statement(lines: &[StatementLine], items: &[LedgerItem], options: MatchOptions) -> Matching {
    let window = i64::from(options.date_window_days);
    // Items by amount, each bucket by date, so a line looks only at near dates.
    let mut by_amount: HashMap<Money, Vec<usize>> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        by_amount.entry(item.amount).or_default().push(index);
    }
    for bucket in by_amount.values_mut() {
        bucket.sort_by_key(|&i| (items[i].date, items[i].id));
    }
    let item_tokens: Vec<Vec<String>> = items.iter().map(|i| tokens(&i.payee)).collect();

    struct Candidate {
        score: u32,
        days: i64,
        line: usize,
        item: usize,
        similarity: u32,
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut per_line = vec![0u32; lines.len()];
    let mut per_item = vec![0u32; items.len()];
    for (line_index, line) in lines.iter().enumerate() {
        let Some(bucket) = by_amount.get(&line.amount) else { continue };
        let earliest = crate::date::add_days(line.date, -window);
        let start = bucket.partition_point(|&i| items[i].date < earliest);
        let description = tokens(&line.description);
        for &item in &bucket[start..] {
            let days = (items[item].date - line.date).whole_days().abs();
            if items[item].date > line.date && days > window {
                break;
            }
            let similarity = similarity(&item_tokens[item], &description);
            // Dates count for up to 50 points, payee likeness for up to 50.
            let score = (50 - (days * 50 / (window + 1)) as u32) + similarity / 2;
            candidates.push(Candidate { score, days, line: line_index, item, similarity });
            per_line[line_index] += 1;
            per_item[item] += 1;
        }
    }
    candidates.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.days.cmp(&b.days))
            .then(a.line.cmp(&b.line))
            .then(items[a.item].id.cmp(&items[b.item].id))
    });

    let mut line_taken = vec![false; lines.len()];
    let mut item_taken = vec![false; items.len()];
    let mut matches = Vec::new();
    for c in candidates {
        if line_taken[c.line] || item_taken[c.item] {
            continue;
        }
        line_taken[c.line] = true;
        item_taken[c.item] = true;
        let unique = per_line[c.line] == 1 && per_item[c.item] == 1;
        matches.push(Match {
            line: c.line,
            entry: items[c.item].id,
            confidence: c.score.min(100) as u8,
            certain: unique && (c.days == 0 || c.similarity >= 50),
        });
    }
    matches.sort_by_key(|m| m.line);
    let unmatched_lines = (0..lines.len()).filter(|&i| !line_taken[i]).collect();
    let mut unmatched_entries: Vec<EntryId> =
        (0..items.len()).filter(|&i| !item_taken[i]).map(|i| items[i].id).collect();
    unmatched_entries.sort();
    Matching { matches, unmatched_lines, unmatched_entries }
}

/// Several records proposed as making up one statement line together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Index of the statement line.
    pub line: usize,
    /// In date order (then id).
    pub entries: Vec<EntryId>,
}

/// How far apart a line and the records making it up may be: cash is spent in the weeks
/// after it is drawn; invoices are paid in the weeks after they are dated.
pub const SPLIT_WINDOW_DAYS: i64 = 31;
/// The records nearest a line by date that are looked at for it.
const SPLIT_CANDIDATES: usize = 12;
/// The most records one line is made up of.
const SPLIT_MOST: usize = 4;

/// Proposes, for lines no single record matches, two to four records (same direction, not
/// matched elsewhere) whose amounts add up to the line's exactly: a cash withdrawal and
/// the cash spends logged after it, one payment and the invoices it covers. Each record is
/// proposed for one line at most; among several sets the fewest records, then the nearest
/// dates, win. Lines are taken in order. Work is bounded: the 12 records nearest each line.
pub fn propose_splits(lines: &[StatementLine], items: &[LedgerItem]) -> Vec<Split> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (items[i].date, items[i].id));
    let mut taken = vec![false; items.len()];
    let mut splits = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let earliest = crate::date::add_days(line.date, -SPLIT_WINDOW_DAYS);
        let start = order.partition_point(|&i| items[i].date < earliest);
        let mut near: Vec<(i64, usize)> = order[start..]
            .iter()
            .take_while(|&&i| (items[i].date - line.date).whole_days() <= SPLIT_WINDOW_DAYS)
            .filter(|&&i| {
                let amount = items[i].amount;
                !taken[i]
                    && amount.is_negative() == line.amount.is_negative()
                    && amount != Money::ZERO
                    && amount.abs() < line.amount.abs()
            })
            .map(|&i| ((items[i].date - line.date).whole_days().abs(), i))
            .collect();
        near.sort_by_key(|&(days, i)| (days, items[i].id));
        near.truncate(SPLIT_CANDIDATES);
        let pence: Vec<Option<i64>> = near.iter().map(|&(_, i)| items[i].amount.pence()).collect();
        let Some(target) = line.amount.pence() else { continue };
        // The best set: fewest records, then least total distance in days (the candidates
        // are in distance order, so the first set found of a size is near the best).
        let mut best: Option<(i64, Vec<usize>)> = None;
        for size in 2..=SPLIT_MOST.min(near.len()) {
            let mut chosen: Vec<usize> = (0..size).collect();
            loop {
                let sum = chosen.iter().try_fold(0i64, |sum, &c| pence[c].and_then(|p| sum.checked_add(p)));
                if sum == Some(target) {
                    let days: i64 = chosen.iter().map(|&c| near[c].0).sum();
                    if best.as_ref().is_none_or(|(d, _)| days < *d) {
                        best = Some((days, chosen.clone()));
                    }
                }
                // The next set of `size` of the candidates, in lexicographic order.
                let Some(at) = (0..size).rev().find(|&k| chosen[k] < near.len() - size + k) else { break };
                chosen[at] += 1;
                for k in at + 1..size {
                    chosen[k] = chosen[k - 1] + 1;
                }
            }
            if best.is_some() {
                break;
            }
        }
        if let Some((_, chosen)) = best {
            let mut entries: Vec<usize> = chosen.iter().map(|&c| near[c].1).collect();
            for &i in &entries {
                taken[i] = true;
            }
            entries.sort_by_key(|&i| (items[i].date, items[i].id));
            splits.push(Split { line: index, entries: entries.into_iter().map(|i| items[i].id).collect() });
        }
    }
    splits
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use uuid::Uuid;

    fn line(date: Date, pence: i64, description: &str) -> StatementLine {
        StatementLine {
            date,
            amount: Money::from_pence(pence),
            description: description.into(),
            reference: String::new(),
        }
    }

    fn item(n: u128, date: Date, pence: i64, payee: &str) -> LedgerItem {
        LedgerItem { id: EntryId(Uuid::from_u128(n)), date, amount: Money::from_pence(pence), payee: payee.into() }
    }

    fn pairs(result: &Matching) -> Vec<(usize, u128, bool)> {
        result.matches.iter().map(|m| (m.line, m.entry.0.as_u128(), m.certain)).collect()
    }

    #[test]
    fn similarity_ignores_bank_noise_and_accepts_abbreviations() {
        let check = |payee: &str, description: &str, expected: u32| {
            assert_eq!(similarity(&tokens(payee), &tokens(description)), expected, "{payee} ~ {description}");
        };
        check("Sunrise Day Centre", "CARD PAYMENT TO SUNRISE DAY CENTRE ON 21-11", 100);
        check("Sunrise Day Centre", "SUNRISE DAY CTR", 66);
        check("Ace Care Agency Ltd", "ACE CARE", 66);
        check("City Taxis", "TESCO STORES 2231", 0);
        check("", "ANYTHING", 0);
    }

    #[test]
    fn pairs_by_amount_date_and_payee() {
        let lines = vec![
            line(date!(2026 - 11 - 22), -1_250, "SUNRISE DAY CENTRE"),
            line(date!(2026 - 11 - 23), -750, "CITY TAXIS LTD"),
            line(date!(2026 - 11 - 25), -999, "UNKNOWN SHOP"),
            line(date!(2026 - 11 - 01), 148_000, "DEMO BOROUGH COUNCIL"),
        ];
        let items = vec![
            item(1, date!(2026 - 11 - 21), -1_250, "Sunrise Day Centre"),
            item(2, date!(2026 - 11 - 23), -750, "City Taxis"),
            item(3, date!(2026 - 11 - 20), -4_000, "Ace Care"),
            item(4, date!(2026 - 11 - 01), 148_000, "First payment"),
        ];
        let result = match_statement(&lines, &items, MatchOptions::default());
        assert_eq!(pairs(&result), vec![(0, 1, true), (1, 2, true), (3, 4, true)]);
        assert_eq!(result.unmatched_lines, vec![2]);
        assert_eq!(result.unmatched_entries, vec![EntryId(Uuid::from_u128(3))]);
        assert!(result.matches[1].confidence > result.matches[0].confidence, "same day beats a day apart");
    }

    #[test]
    fn never_pairs_across_amounts_directions_or_outside_the_window() {
        let lines = vec![
            line(date!(2026 - 11 - 22), -1_250, "X"),
            line(date!(2026 - 11 - 22), 1_250, "X"),
            line(date!(2026 - 11 - 10), -500, "X"),
        ];
        let items = vec![
            item(1, date!(2026 - 11 - 22), -1_251, "X"),
            item(2, date!(2026 - 11 - 22), -1_250, "Y"),
            item(3, date!(2026 - 11 - 14), -500, "X"),
        ];
        let result = match_statement(&lines, &items, MatchOptions::default());
        assert_eq!(pairs(&result), vec![(0, 2, true)]);
        assert_eq!(result.unmatched_lines, vec![1, 2]);
    }

    #[test]
    fn identical_weekly_payments_pair_by_date_and_are_not_certain_when_ambiguous() {
        // A personal assistant paid the same amount every week; the bank shows each a day
        // late. Each line has only one entry within the window, so each pair is certain.
        let lines: Vec<_> =
            (0..4).map(|w| line(date!(2026 - 11 - 03) + time::Duration::weeks(w), -24_000, "J SMITH")).collect();
        let items: Vec<_> = (0..4)
            .map(|w| item(10 + w as u128, date!(2026 - 11 - 02) + time::Duration::weeks(w), -24_000, "Jo Smith"))
            .collect();
        let result = match_statement(&lines, &items, MatchOptions::default());
        assert_eq!(pairs(&result), vec![(0, 10, true), (1, 11, true), (2, 12, true), (3, 13, true)]);
        // Two lines that could each be either of two entries: paired, but not certain.
        let twins = vec![line(date!(2026 - 11 - 03), -500, "SHOP"), line(date!(2026 - 11 - 03), -500, "SHOP")];
        let two = vec![item(1, date!(2026 - 11 - 03), -500, "Shop"), item(2, date!(2026 - 11 - 03), -500, "Shop")];
        let result = match_statement(&twins, &two, MatchOptions::default());
        assert_eq!(pairs(&result), vec![(0, 1, false), (1, 2, false)]);
    }

    #[test]
    fn cash_drawn_and_spent_in_several_payments_is_proposed_as_one() {
        let lines = vec![
            line(date!(2026 - 11 - 02), -10_000, "CASH WITHDRAWAL ATM"),
            line(date!(2026 - 11 - 20), -30_000, "ACE CARE AGENCY INVOICES 11/12"),
            line(date!(2026 - 11 - 25), -999, "NOTHING ADDS UP"),
        ];
        let items = vec![
            item(1, date!(2026 - 11 - 03), -2_500, "Window cleaner"),
            item(2, date!(2026 - 11 - 05), -4_000, "Hairdresser"),
            item(3, date!(2026 - 11 - 09), -3_500, "Taxi"),
            item(4, date!(2026 - 11 - 10), -2_000, "Bus"),
            item(5, date!(2026 - 11 - 01), -18_000, "Ace Care Agency invoice 11"),
            item(6, date!(2026 - 11 - 15), -12_000, "Ace Care Agency invoice 12"),
            item(7, date!(2026 - 11 - 21), 10_000, "Refund"),
            item(8, date!(2026 - 12 - 30), -500, "Far too late"),
        ];
        let splits = propose_splits(&lines, &items);
        let ids = |s: &Split| s.entries.iter().map(|e| e.0.as_u128()).collect::<Vec<_>>();
        assert_eq!(splits.len(), 2, "{splits:?}");
        assert_eq!((splits[0].line, ids(&splits[0])), (0, vec![1, 2, 3]), "2,500 + 4,000 + 3,500 make 10,000");
        assert_eq!((splits[1].line, ids(&splits[1])), (1, vec![5, 6]));
        // Work is bounded whatever the records: 300 small spends against 300 lines.
        let many_lines: Vec<_> = (0..300).map(|_| line(date!(2026 - 11 - 15), -100_001, "X")).collect();
        let many: Vec<_> = (0..300).map(|n| item(n, date!(2026 - 11 - 15), -(n as i64 + 1), "Y")).collect();
        assert!(propose_splits(&many_lines, &many).is_empty());
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_of_entries() {
        let lines = vec![line(date!(2026 - 11 - 03), -500, "SHOP A"), line(date!(2026 - 11 - 04), -500, "SHOP B")];
        let mut items = vec![
            item(1, date!(2026 - 11 - 03), -500, "Shop B"),
            item(2, date!(2026 - 11 - 04), -500, "Shop A"),
            item(3, date!(2026 - 11 - 03), -500, "Shop A"),
        ];
        let first = match_statement(&lines, &items, MatchOptions::default());
        items.reverse();
        assert_eq!(match_statement(&lines, &items, MatchOptions::default()), first);
        assert_eq!(pairs(&first), vec![(0, 3, false), (1, 1, false)]);
    }
}
