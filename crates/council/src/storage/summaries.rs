//! Account summaries: what the council-wide pages read instead of every account's records
//! (`account_summary`, `review_item`, `account_day`; see migration 0005). Written whole for
//! one account at a time, in one transaction, by the summaries module of the workspace API.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::any::AnyRow;
use sqlx::Row;
use tally_ledger::AccountId;

use super::*;

/// One account's summary, as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    pub account_id: AccountId,
    pub council_id: String,
    /// The account's last record folded into it.
    pub seq: i64,
    /// The council's day it was worked out for (`YYYY-MM-DD`).
    pub computed_on: String,
    pub balance_pence: i64,
    pub surplus_pence: i64,
    pub open_flags: i64,
    pub last_synced_ms: Option<i64>,
    /// JSON list of sentences.
    pub exceptions: String,
    pub exception_count: i64,
    /// `,kind,kind,` (empty: `,`).
    pub exception_kinds: String,
    /// JSON list of `SafeguardingItem`.
    pub signals: String,
    pub signal_count: i64,
    /// JSON list of `QueryAnswer`.
    pub answers: String,
    pub answer_count: i64,
    pub unreadable: Option<String>,
}

/// A flagged spend waiting for a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewItemRow {
    pub entry_id: String,
    pub spent_on: String,
    pub amount_pence: i64,
    pub reference: String,
    /// `,rule,rule,`.
    pub rules: String,
    /// JSON `SpendView`.
    pub view: String,
}

/// An account's money and reviews on one day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayRow {
    pub day: String,
    pub paid_in: i64,
    pub contributions: i64,
    pub spent: i64,
    pub within_plan: i64,
    pub flags_raised: i64,
    pub recovered: i64,
    /// JSON list of whole days.
    pub review_days: String,
}

/// Everything kept about one account, written together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountDigest {
    pub summary: SummaryRow,
    pub reviews: Vec<ReviewItemRow>,
    pub days: Vec<DayRow>,
}

/// An account of the summaries list, with its name.
#[derive(Clone, Debug)]
pub struct ListedSummary {
    pub reference: String,
    pub person_name: String,
    pub summary: SummaryRow,
}

/// Which accounts a page of the list shows.
#[derive(Clone, Debug, Default)]
pub struct SummaryFilter {
    /// Lower case words in the name or reference.
    pub search: String,
    /// An exception kind the account must have.
    pub kind: Option<String>,
}

/// Which flagged spending a page of the review queue shows.
#[derive(Clone, Debug, Default)]
pub struct ReviewFilter {
    pub search: String,
    /// A rule the spend was flagged under (`snake_case`).
    pub rule: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub min_pence: Option<i64>,
    pub max_pence: Option<i64>,
}

/// Money and reviews of a council over a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeriodTotals {
    pub paid_in: i64,
    pub contributions: i64,
    pub spent: i64,
    pub within_plan: i64,
    pub flags_raised: i64,
    pub recovered: i64,
    /// Reviews closed in the period: (days taken, how many took that long), fewest days
    /// first.
    pub review_days: Vec<(i64, i64)>,
    /// First day of the month (`YYYY-MM-01`): (paid in and contributions, spent).
    pub months: Vec<(String, i64, i64)>,
}

fn day_from_row(r: &AnyRow) -> anyhow::Result<DayRow> {
    Ok(DayRow {
        day: r.try_get(0)?,
        paid_in: r.try_get(1)?,
        contributions: r.try_get(2)?,
        spent: r.try_get(3)?,
        within_plan: r.try_get(4)?,
        flags_raised: r.try_get(5)?,
        recovered: r.try_get(6)?,
        review_days: r.try_get(7)?,
    })
}

const SUMMARY_COLUMNS: &str = "s.account_id, s.council_id, s.seq, s.computed_on, s.balance_pence, s.surplus_pence, \
     s.open_flags, s.last_synced_ms, s.exceptions, s.exception_count, s.exception_kinds, s.signals, s.signal_count, \
     s.answers, s.answer_count, s.unreadable";

fn summary_from_row(row: &AnyRow, at: usize) -> anyhow::Result<SummaryRow> {
    Ok(SummaryRow {
        account_id: AccountId(parse_uuid(&row.try_get::<String, _>(at)?)?),
        council_id: row.try_get(at + 1)?,
        seq: row.try_get(at + 2)?,
        computed_on: row.try_get(at + 3)?,
        balance_pence: row.try_get(at + 4)?,
        surplus_pence: row.try_get(at + 5)?,
        open_flags: row.try_get(at + 6)?,
        last_synced_ms: row.try_get(at + 7)?,
        exceptions: row.try_get(at + 8)?,
        exception_count: row.try_get(at + 9)?,
        exception_kinds: row.try_get(at + 10)?,
        signals: row.try_get(at + 11)?,
        signal_count: row.try_get(at + 12)?,
        answers: row.try_get(at + 13)?,
        answer_count: row.try_get(at + 14)?,
        unreadable: row.try_get(at + 15)?,
    })
}

/// `%words%` for a `LIKE`, with the wildcards in `words` taken literally.
fn like(words: &str) -> String {
    let escaped = words.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// What put_digest reads of the summary it replaces.
struct KeptSummary {
    seq: i64,
    /// The marks the kept summary saw.
    marks_done: i64,
    listed_as: Vec<String>,
    search: String,
    /// The surplus it adds to the council's (none when unreadable).
    surplus: i64,
}

/// The counts of the accounts list an account is in: all ('') and each of its kinds of
/// exception; none when its records could not be read (the list leaves it out).
fn listed_as(exception_kinds: &str, readable: bool) -> Vec<String> {
    if !readable {
        return Vec::new();
    }
    std::iter::once(String::new())
        .chain(exception_kinds.split(',').filter(|k| !k.is_empty()).map(str::to_owned))
        .collect()
}

/// The words a search finds an account by: its name's and reference's runs of letters and
/// digits, in lower case, each once (at most 100 characters of a word are kept).
pub fn search_words(text: &str) -> Vec<String> {
    let words: BTreeSet<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(100).collect())
        .collect();
    words.into_iter().collect()
}

/// Replaces an account's search words.
pub(super) async fn put_words(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    council_id: &str,
    account: &str,
    search: &str,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM account_word WHERE account_id = $1").bind(account).execute(&mut **tx).await?;
    let head = "INSERT INTO account_word (council_id, word, account_id)";
    insert_rows(tx, head, 3, "", &search_words(search), |query, word| {
        query.bind(council_id.to_owned()).bind(word.clone()).bind(account.to_owned())
    })
    .await
}

/// A value a filter binds.
#[derive(Clone, Debug)]
enum Bound {
    Text(String),
    Number(i64),
}

/// A filter's conditions: SQL (`$n` placeholders numbered from where it starts) and the
/// values to bind, in order.
struct Conditions {
    sql: String,
    values: Vec<Bound>,
    next: usize,
}

impl Conditions {
    fn starting_at(next: usize) -> Conditions {
        Conditions { sql: String::new(), values: Vec::new(), next }
    }

    /// Adds `sql`, each `$?` in it standing for the next of `values`.
    fn add(&mut self, sql: &str, values: Vec<Bound>) {
        let mut parts = sql.split("$?");
        self.sql.push_str(parts.next().unwrap_or_default());
        for part in parts {
            self.sql.push_str(&format!("${}", self.next));
            self.next += 1;
            self.sql.push_str(part);
        }
        self.values.extend(values);
    }

    fn bind<'q>(
        &self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for value in &self.values {
            query = match value {
                Bound::Text(text) => query.bind(text.clone()),
                Bound::Number(number) => query.bind(*number),
            };
        }
        query
    }
}

fn summary_conditions(filter: &SummaryFilter, next: usize) -> Conditions {
    let mut c = Conditions::starting_at(next);
    let words = search_words(&filter.search);
    if words.is_empty() && !filter.search.is_empty() {
        // Only punctuation: looked for as it is.
        c.add(" AND s.search LIKE $? ESCAPE '\\'", vec![Bound::Text(like(&filter.search))]);
    }
    // Each word starts a word of the name or reference. The accounts are found through
    // the longest word (the fewest accounts share it: "100042" rather than "dp"); each of
    // the others is then looked up for those accounts alone.
    let mut words = words;
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    for (n, word) in words.into_iter().enumerate() {
        let end = format!("{word}\u{10FFFF}");
        let sql = if n == 0 {
            " AND s.account_id IN (SELECT w.account_id FROM account_word w WHERE w.council_id = $1 \
             AND w.word >= $? AND w.word < $?)"
        } else {
            " AND EXISTS (SELECT 1 FROM account_word w WHERE w.account_id = s.account_id \
             AND w.word >= $? AND w.word < $?)"
        };
        c.add(sql, vec![Bound::Text(word), Bound::Text(end)]);
    }
    if let Some(kind) = &filter.kind {
        c.add(" AND s.exception_kinds LIKE $?", vec![Bound::Text(format!("%,{kind},%"))]);
    }
    c
}

/// The council's column as the accounts list compares it. When searching by words, as an
/// expression, so that the database reads the few accounts the words' index finds rather
/// than every account of the council in the list's order, checking each.
fn council_column(filter: &SummaryFilter) -> &'static str {
    if search_words(&filter.search).is_empty() {
        "s.council_id"
    } else {
        "s.council_id || ''"
    }
}

/// An amount range holding at most this many waiting spends is read through the amounts'
/// index and put in the queue's order (a page then reads at most this many); a wider one
/// in the queue's order, where a page finds its spends within a few thousand.
const FEW_IN_RANGE: i64 = 2_000;

/// The review queue counts up to this many exactly; past it, it says "more than".
pub const REVIEW_COUNT_CAP: i64 = 1_000;

/// What a page of the review queue reads, and the table its order is read from: with a
/// rule, the rule's rows in the queue's order (`q`), joined to the spends; otherwise the
/// spends themselves. The accounts are joined only when searching by name or reference.
fn review_from(filter: &ReviewFilter, by_amount: &str) -> String {
    let mut from = if filter.rule.is_some() {
        "review_rule q JOIN review_item r ON r.account_id = q.account_id AND r.entry_id = q.entry_id".to_owned()
    } else {
        format!("review_item r{by_amount}")
    };
    if !filter.search.is_empty() {
        from.push_str(" JOIN account a ON a.account_id = r.account_id");
    }
    from
}

/// The alias of the table the queue's order is read from (see [`review_from`]).
fn queue_order(filter: &ReviewFilter) -> &'static str {
    if filter.rule.is_some() {
        "q"
    } else {
        "r"
    }
}

fn review_conditions(filter: &ReviewFilter, next: usize) -> Conditions {
    let mut c = Conditions::starting_at(next);
    if !filter.search.is_empty() {
        let words = like(&filter.search);
        c.add(
            " AND (LOWER(a.person_name) LIKE $? ESCAPE '\\' OR LOWER(a.reference) LIKE $? ESCAPE '\\' \
             OR LOWER(r.view) LIKE $? ESCAPE '\\')",
            vec![Bound::Text(words.clone()), Bound::Text(words.clone()), Bound::Text(words)],
        );
    }
    let q = queue_order(filter);
    if let Some(rule) = &filter.rule {
        c.add(" AND q.rule = $?", vec![Bound::Text(rule.clone())]);
    }
    if let Some(from) = &filter.from {
        c.add(&format!(" AND {q}.spent_on >= $?"), vec![Bound::Text(from.clone())]);
    }
    if let Some(to) = &filter.to {
        c.add(&format!(" AND {q}.spent_on <= $?"), vec![Bound::Text(to.clone())]);
    }
    if let Some(min) = filter.min_pence {
        c.add(" AND r.amount_pence >= $?", vec![Bound::Number(min)]);
    }
    if let Some(max) = filter.max_pence {
        c.add(" AND r.amount_pence <= $?", vec![Bound::Number(max)]);
    }
    c
}

impl Storage {
    /// Accounts of a council (or of every council, `None`) whose summary is missing or out
    /// of date on `today`, at most `limit`. Read through indexes, so asking costs the same
    /// whatever the caseload: a summary is marked (`stale`) in the transaction that stores
    /// its account's records or changes what it depends on, and one worked out on an
    /// earlier day is found by its day. Accounts with no summary yet are looked for only
    /// when the council has more accounts than summaries.
    pub async fn stale_summaries(
        &self,
        council_id: Option<&str>,
        today: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<AccountRow>> {
        let council = if council_id.is_some() { "s.council_id = $3" } else { "$3 = $3" };
        let select = "SELECT a.account_id, a.reference, a.person_name, c.name FROM account_summary s \
             JOIN account a ON a.account_id = s.account_id JOIN council c ON c.council_id = a.council_id";
        let mut found: Vec<AccountRow> = Vec::new();
        for condition in ["s.stale > s.marks_done AND $1 = $1", "s.computed_on < $1"] {
            let wanted = limit - found.len() as i64;
            if wanted <= 0 {
                break;
            }
            // An anonymised account's summary is frozen: its records are gone, its figures stay.
            let rows = sqlx::query(&format!(
                "{select} WHERE {council} AND {condition} AND a.anonymised_at_ms IS NULL ORDER BY s.account_id LIMIT $2"
            ))
            .bind(today)
            .bind(wanted)
            .bind(council_id.unwrap_or(""))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                let row = account_from_row(row)?;
                if !found.iter().any(|f| f.account_id == row.account_id) {
                    found.push(row);
                }
            }
        }
        let wanted = limit - found.len() as i64;
        if wanted > 0 && self.accounts_without_summary(council_id).await? {
            let council = if council_id.is_some() { "a.council_id = $2" } else { "$2 = $2" };
            let rows = sqlx::query(&format!(
                "SELECT a.account_id, a.reference, a.person_name, c.name FROM account a \
                 JOIN council c ON c.council_id = a.council_id \
                 WHERE {council} AND a.anonymised_at_ms IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM account_summary s WHERE s.account_id = a.account_id) \
                 ORDER BY a.account_id LIMIT $1"
            ))
            .bind(wanted)
            .bind(council_id.unwrap_or(""))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                found.push(account_from_row(row)?);
            }
        }
        Ok(found)
    }

    /// Whether some account (of a council, or of any) has no summary yet: the accounts
    /// opened and those with a summary, as kept.
    async fn accounts_without_summary(&self, council_id: Option<&str>) -> anyhow::Result<bool> {
        let behind: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(opened - accounts), 0) AS BIGINT) FROM council_total \
             WHERE council_id = $1 OR $1 = ''",
        )
        .bind(council_id.unwrap_or(""))
        .fetch_one(&self.pool)
        .await?;
        Ok(behind > 0)
    }

    /// How many marks an account's summary has been given (0 when it has none): read before
    /// its records are, and given to [`Storage::put_digest`], so a mark made meanwhile stays.
    pub async fn summary_marks(&self, account_id: AccountId) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT stale FROM account_summary WHERE account_id = $1")
            .bind(account_id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .unwrap_or(0))
    }

    /// Keeps one account's summary, review items and days, replacing what was kept, unless
    /// what is kept was worked out from later records; the council's days take the change
    /// (what the account's days gained, less what they lost). One account at a time: the
    /// account's row is locked first, as a push does.
    pub async fn put_digest(&self, digest: &AccountDigest, marks_seen: i64) -> anyhow::Result<()> {
        let s = &digest.summary;
        let account = s.account_id.to_string();
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE account SET last_seq = last_seq WHERE account_id = $1 RETURNING last_seq, person_name, reference",
        )
        .bind(&account)
        .fetch_one(&mut *tx)
        .await?;
        let (last_seq, person_name, reference): (i64, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let kept = sqlx::query(
            "SELECT seq, marks_done, exception_kinds, unreadable, search, surplus_pence FROM account_summary \
             WHERE account_id = $1",
        )
        .bind(&account)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| {
            anyhow::Ok(KeptSummary {
                seq: row.try_get(0)?,
                marks_done: row.try_get(1)?,
                listed_as: listed_as(&row.try_get::<String, _>(2)?, row.try_get::<Option<String>, _>(3)?.is_none()),
                search: row.try_get(4)?,
                surplus: if row.try_get::<Option<String>, _>(3)?.is_none() { row.try_get(5)? } else { 0 },
            })
        })
        .transpose()?;
        // One kept already that saw later records or more marks is newer than this one.
        if kept.as_ref().is_some_and(|kept| kept.seq > s.seq || kept.marks_done > marks_seen) {
            return Ok(());
        }
        // The marks this one saw; one fewer when records came after its records were read
        // (their push may have found no summary to mark), so it stays out of date.
        let marks_done = marks_seen - i64::from(last_seq > s.seq);
        let search = format!("{} {}", person_name.to_lowercase(), reference.to_lowercase());
        // In place, never touching `stale` once the row is there: a mark made meanwhile
        // (waiting on this row, or made already) stays.
        sqlx::query(
            "INSERT INTO account_summary (account_id, council_id, seq, computed_on, stale, marks_done, balance_pence, \
             surplus_pence, open_flags, last_synced_ms, exceptions, exception_count, exception_kinds, signals, \
             signal_count, answers, answer_count, unreadable, reference, search) VALUES ($1, $2, $3, $4, $20, $17, $5, \
             $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $18, $19) \
             ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq, computed_on = excluded.computed_on, \
             marks_done = excluded.marks_done, balance_pence = excluded.balance_pence, \
             surplus_pence = excluded.surplus_pence, open_flags = excluded.open_flags, \
             last_synced_ms = excluded.last_synced_ms, exceptions = excluded.exceptions, \
             exception_count = excluded.exception_count, exception_kinds = excluded.exception_kinds, \
             signals = excluded.signals, signal_count = excluded.signal_count, answers = excluded.answers, \
             answer_count = excluded.answer_count, unreadable = excluded.unreadable, reference = excluded.reference, \
             search = excluded.search",
        )
        .bind(&account)
        .bind(&s.council_id)
        .bind(s.seq)
        .bind(&s.computed_on)
        .bind(s.balance_pence)
        .bind(s.surplus_pence)
        .bind(s.open_flags)
        .bind(s.last_synced_ms)
        .bind(&s.exceptions)
        .bind(s.exception_count)
        .bind(&s.exception_kinds)
        .bind(&s.signals)
        .bind(s.signal_count)
        .bind(&s.answers)
        .bind(s.answer_count)
        .bind(s.unreadable.clone())
        .bind(marks_done)
        .bind(&reference)
        .bind(&search)
        .bind(marks_seen.max(0))
        .execute(&mut *tx)
        .await?;
        if kept.as_ref().is_none_or(|kept| kept.search != search) {
            put_words(&mut tx, &s.council_id, &account, &search).await?;
        }
        sqlx::query("DELETE FROM review_item WHERE account_id = $1").bind(&account).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM review_rule WHERE account_id = $1").bind(&account).execute(&mut *tx).await?;
        let by_rule: Vec<(&str, &ReviewItemRow)> = digest
            .reviews
            .iter()
            .flat_map(|r| r.rules.split(',').filter(|rule| !rule.is_empty()).map(move |rule| (rule, r)))
            .collect();
        let head = "INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)";
        insert_rows(&mut tx, head, 6, "", &by_rule, |query, (rule, r)| {
            query
                .bind(s.council_id.clone())
                .bind((*rule).to_owned())
                .bind(r.spent_on.clone())
                .bind(r.reference.clone())
                .bind(r.entry_id.clone())
                .bind(account.clone())
        })
        .await?;
        let head =
            "INSERT INTO review_item (account_id, entry_id, council_id, spent_on, amount_pence, reference, rules, view)";
        insert_rows(&mut tx, head, 8, "", &digest.reviews, |query, r| {
            query
                .bind(account.clone())
                .bind(r.entry_id.clone())
                .bind(s.council_id.clone())
                .bind(r.spent_on.clone())
                .bind(r.amount_pence)
                .bind(r.reference.clone())
                .bind(r.rules.clone())
                .bind(r.view.clone())
        })
        .await?;

        // The account's days: what changed since they were last kept.
        let old: Vec<DayRow> = sqlx::query(
            "SELECT day, paid_in, contributions, spent, within_plan, flags_raised, recovered, review_days \
             FROM account_day WHERE account_id = $1",
        )
        .bind(&account)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(day_from_row)
        .collect::<anyhow::Result<_>>()?;
        let old: HashMap<&str, &DayRow> = old.iter().map(|d| (d.day.as_str(), d)).collect();
        let new: HashMap<&str, &DayRow> = digest.days.iter().map(|d| (d.day.as_str(), d)).collect();
        let empty = DayRow { review_days: "[]".to_owned(), ..DayRow::default() };
        let mut changes: Vec<DayRow> = Vec::new();
        // In key order, as every server writes them, so two never wait on each other.
        let mut reviews: BTreeMap<(String, i64), i64> = BTreeMap::new();
        let days: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
        let mut gone: Vec<String> = Vec::new();
        let mut changed: Vec<&DayRow> = Vec::new();
        for day in days {
            let (was, is) = (old.get(day).copied().unwrap_or(&empty), new.get(day).copied().unwrap_or(&empty));
            if was == is && old.contains_key(day) == new.contains_key(day) {
                continue;
            }
            match new.get(day) {
                Some(row) => changed.push(row),
                None => gone.push(day.to_owned()),
            }
            changes.push(DayRow {
                day: day.to_owned(),
                paid_in: is.paid_in - was.paid_in,
                contributions: is.contributions - was.contributions,
                spent: is.spent - was.spent,
                within_plan: is.within_plan - was.within_plan,
                flags_raised: is.flags_raised - was.flags_raised,
                recovered: is.recovered - was.recovered,
                review_days: String::new(),
            });
            for (took, sign) in serde_json::from_str::<Vec<i64>>(&was.review_days)?
                .into_iter()
                .map(|t| (t, -1))
                .chain(serde_json::from_str::<Vec<i64>>(&is.review_days)?.into_iter().map(|t| (t, 1)))
            {
                *reviews.entry((day.to_owned(), took)).or_default() += sign;
            }
        }
        for chunk in gone.chunks(IDS_PER_STATEMENT) {
            let sql =
                format!("DELETE FROM account_day WHERE account_id = $1 AND day IN ({})", placeholders(2, chunk.len()));
            let mut query = sqlx::query(&sql).bind(account.clone());
            for day in chunk {
                query = query.bind(day.clone());
            }
            query.execute(&mut *tx).await?;
        }
        insert_rows(
            &mut tx,
            "INSERT INTO account_day (account_id, day, council_id, paid_in, contributions, spent, within_plan, \
             flags_raised, recovered, review_days)",
            10,
            "ON CONFLICT (account_id, day) DO UPDATE SET paid_in = excluded.paid_in, \
             contributions = excluded.contributions, spent = excluded.spent, within_plan = excluded.within_plan, \
             flags_raised = excluded.flags_raised, recovered = excluded.recovered, review_days = excluded.review_days",
            &changed,
            |query, d| {
                query
                    .bind(account.clone())
                    .bind(d.day.clone())
                    .bind(s.council_id.clone())
                    .bind(d.paid_in)
                    .bind(d.contributions)
                    .bind(d.spent)
                    .bind(d.within_plan)
                    .bind(d.flags_raised)
                    .bind(d.recovered)
                    .bind(d.review_days.clone())
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO council_day (council_id, day, paid_in, contributions, spent, within_plan, flags_raised, recovered)",
            8,
            "ON CONFLICT (council_id, day) DO UPDATE SET paid_in = council_day.paid_in + excluded.paid_in, \
             contributions = council_day.contributions + excluded.contributions, \
             spent = council_day.spent + excluded.spent, within_plan = council_day.within_plan + excluded.within_plan, \
             flags_raised = council_day.flags_raised + excluded.flags_raised, \
             recovered = council_day.recovered + excluded.recovered",
            &changes,
            |query, d| {
                query
                    .bind(s.council_id.clone())
                    .bind(d.day.clone())
                    .bind(d.paid_in)
                    .bind(d.contributions)
                    .bind(d.spent)
                    .bind(d.within_plan)
                    .bind(d.flags_raised)
                    .bind(d.recovered)
            },
        )
        .await?;
        let reviews: Vec<((String, i64), i64)> = reviews.into_iter().filter(|(_, n)| *n != 0).collect();
        insert_rows(
            &mut tx,
            "INSERT INTO council_review_day (council_id, day, took_days, reviews)",
            4,
            "ON CONFLICT (council_id, day, took_days) DO UPDATE SET reviews = council_review_day.reviews + excluded.reviews",
            &reviews,
            |query, ((day, took), n)| query.bind(s.council_id.clone()).bind(day.clone()).bind(*took).bind(*n),
        )
        .await?;
        // The council's people and surplus, then the list's counts (in all, and per kind of
        // exception): what this account changed.
        let surplus = if s.unreadable.is_none() { s.surplus_pence } else { 0 };
        let (new_account, old_surplus) = kept.as_ref().map_or((1, 0), |kept| (0, kept.surplus));
        if new_account != 0 || surplus != old_surplus {
            sqlx::query(
                "INSERT INTO council_total (council_id, accounts, surplus_pence) VALUES ($1, $2, $3) \
                 ON CONFLICT (council_id) DO UPDATE SET accounts = council_total.accounts + excluded.accounts, \
                 surplus_pence = council_total.surplus_pence + excluded.surplus_pence",
            )
            .bind(&s.council_id)
            .bind(new_account)
            .bind(surplus - old_surplus)
            .execute(&mut *tx)
            .await?;
        }
        let was = kept.map(|kept| kept.listed_as).unwrap_or_default();
        let is = listed_as(&s.exception_kinds, s.unreadable.is_none());
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for kind in &was {
            *counts.entry(kind.as_str()).or_default() -= 1;
        }
        for kind in &is {
            *counts.entry(kind.as_str()).or_default() += 1;
        }
        // In the order of the key, as every server does, so two never wait on each other.
        for (kind, change) in counts.into_iter().filter(|(_, n)| *n != 0) {
            sqlx::query(
                "INSERT INTO council_list_count (council_id, kind, accounts) VALUES ($1, $2, $3) \
                 ON CONFLICT (council_id, kind) DO UPDATE SET accounts = council_list_count.accounts + excluded.accounts",
            )
            .bind(&s.council_id)
            .bind(kind)
            .bind(change)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// For the tests and for checking a server: accounts whose kept search words are not
    /// the words of their name and reference, by reference.
    pub async fn word_mismatches(&self, council_id: &str) -> anyhow::Result<Vec<String>> {
        let mut kept: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in
            sqlx::query("SELECT account_id, word FROM account_word WHERE council_id = $1 ORDER BY account_id, word")
                .bind(council_id)
                .fetch_all(&self.pool)
                .await?
        {
            kept.entry(row.try_get(0)?).or_default().push(row.try_get(1)?);
        }
        let mut differ = Vec::new();
        for row in sqlx::query(
            "SELECT a.account_id, a.reference, a.person_name FROM account_summary s \
             JOIN account a ON a.account_id = s.account_id WHERE s.council_id = $1",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?
        {
            let (account, reference, name): (String, String, String) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            if kept.get(&account).cloned().unwrap_or_default() != search_words(&format!("{name} {reference}")) {
                differ.push(reference);
            }
        }
        Ok(differ)
    }

    /// For the tests and for checking a server: flagged spends whose rules are not the
    /// rows kept for the queue's rule filter (`review_rule`), by entry.
    pub async fn rule_mismatches(&self, council_id: &str) -> anyhow::Result<Vec<String>> {
        let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
        for row in sqlx::query("SELECT entry_id, rules FROM review_item WHERE council_id = $1")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?
        {
            let (entry, rules): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            wanted.extend(rules.split(',').filter(|r| !r.is_empty()).map(|r| (entry.clone(), r.to_owned())));
        }
        let mut kept: BTreeSet<(String, String)> = BTreeSet::new();
        for row in sqlx::query("SELECT entry_id, rule FROM review_rule WHERE council_id = $1")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?
        {
            kept.insert((row.try_get(0)?, row.try_get(1)?));
        }
        Ok(wanted.symmetric_difference(&kept).map(|(entry, rule)| format!("{entry}: {rule}")).collect())
    }

    /// For the tests and for checking a server: the list's kept counts that differ from
    /// counting the summaries, as (kind, kept, counted).
    pub async fn list_count_mismatches(&self, council_id: &str) -> anyhow::Result<Vec<(String, i64, i64)>> {
        let kept: BTreeMap<String, i64> =
            sqlx::query("SELECT kind, accounts FROM council_list_count WHERE council_id = $1")
                .bind(council_id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| anyhow::Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<anyhow::Result<_>>()?;
        let mut counted: BTreeMap<String, i64> = BTreeMap::new();
        let rows = sqlx::query("SELECT exception_kinds, unreadable FROM account_summary WHERE council_id = $1")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            for kind in listed_as(&row.try_get::<String, _>(0)?, row.try_get::<Option<String>, _>(1)?.is_none()) {
                *counted.entry(kind).or_default() += 1;
            }
        }
        let mut kept = kept;
        if let Some(row) =
            sqlx::query("SELECT accounts, surplus_pence, opened FROM council_total WHERE council_id = $1")
                .bind(council_id)
                .fetch_optional(&self.pool)
                .await?
        {
            kept.insert("(people)".to_owned(), row.try_get(0)?);
            kept.insert("(surplus)".to_owned(), row.try_get(1)?);
            kept.insert("(opened)".to_owned(), row.try_get(2)?);
        }
        let opened: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account WHERE council_id = $1")
            .bind(council_id)
            .fetch_one(&self.pool)
            .await?;
        if opened > 0 {
            counted.insert("(opened)".to_owned(), opened);
        }
        let totals = sqlx::query(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN unreadable IS NULL THEN surplus_pence ELSE 0 END), 0) AS BIGINT) \
             FROM account_summary WHERE council_id = $1",
        )
        .bind(council_id)
        .fetch_one(&self.pool)
        .await?;
        let (people, surplus): (i64, i64) = (totals.try_get(0)?, totals.try_get(1)?);
        if people > 0 {
            counted.insert("(people)".to_owned(), people);
            counted.insert("(surplus)".to_owned(), surplus);
        }
        let kinds: BTreeSet<&String> = kept.keys().chain(counted.keys()).collect();
        Ok(kinds
            .into_iter()
            .filter_map(|kind| {
                let (k, c) = (kept.get(kind).copied().unwrap_or(0), counted.get(kind).copied().unwrap_or(0));
                (k != c).then(|| (kind.clone(), k, c))
            })
            .collect())
    }

    /// Days where the council's kept totals are not the sum of its accounts' days (for the
    /// tests and for checking a server): empty when they agree.
    pub async fn council_day_mismatches(&self, council_id: &str) -> anyhow::Result<Vec<String>> {
        let summed = sqlx::query(
            "SELECT day, CAST(SUM(paid_in) AS BIGINT), CAST(SUM(contributions) AS BIGINT), CAST(SUM(spent) AS BIGINT), \
             CAST(SUM(within_plan) AS BIGINT), CAST(SUM(flags_raised) AS BIGINT), CAST(SUM(recovered) AS BIGINT) \
             FROM account_day WHERE council_id = $1 GROUP BY day",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        let kept = sqlx::query(
            "SELECT day, paid_in, contributions, spent, within_plan, flags_raised, recovered FROM council_day \
             WHERE council_id = $1",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        let figures = |row: &AnyRow| -> anyhow::Result<(String, [i64; 6])> {
            Ok((
                row.try_get(0)?,
                [row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?, row.try_get(5)?, row.try_get(6)?],
            ))
        };
        let summed: HashMap<String, [i64; 6]> = summed.iter().map(figures).collect::<anyhow::Result<_>>()?;
        let kept: HashMap<String, [i64; 6]> = kept.iter().map(figures).collect::<anyhow::Result<_>>()?;
        let mut differ = Vec::new();
        for day in summed.keys().chain(kept.keys()).collect::<BTreeSet<_>>() {
            let (a, b) = (summed.get(day).copied().unwrap_or_default(), kept.get(day).copied().unwrap_or_default());
            if a != b {
                differ.push(format!("{day}: accounts add up to {a:?}, the council keeps {b:?}"));
            }
        }
        let mut histogram: HashMap<(String, i64), i64> = HashMap::new();
        for list in
            sqlx::query("SELECT day, review_days FROM account_day WHERE council_id = $1 AND review_days <> '[]'")
                .bind(council_id)
                .fetch_all(&self.pool)
                .await?
        {
            let day: String = list.try_get(0)?;
            for took in serde_json::from_str::<Vec<i64>>(&list.try_get::<String, _>(1)?)? {
                *histogram.entry((day.clone(), took)).or_default() += 1;
            }
        }
        let kept_reviews: HashMap<(String, i64), i64> = sqlx::query(
            "SELECT day, took_days, reviews FROM council_review_day WHERE council_id = $1 AND reviews <> 0",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok(((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?)))
        .collect::<anyhow::Result<_>>()?;
        if histogram != kept_reviews {
            differ
                .push(format!("reviews closed: accounts add up to {histogram:?}, the council keeps {kept_reviews:?}"));
        }
        Ok(differ)
    }

    /// [`mark_stale`] on its own (tests, and changes made outside a request).
    pub async fn mark_summary_stale(&self, account_id: AccountId) -> anyhow::Result<()> {
        mark_stale(&mut *self.pool.acquire().await?, account_id).await
    }

    /// Every kept digest of a council's accounts, for checking them against the records.
    pub async fn digests(&self, council_id: &str) -> anyhow::Result<Vec<AccountDigest>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM account_summary s WHERE s.council_id = $1 ORDER BY s.account_id"
        ))
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let summary = summary_from_row(&row, 0)?;
            let account = summary.account_id.to_string();
            let reviews = sqlx::query(
                "SELECT entry_id, spent_on, amount_pence, reference, rules, view FROM review_item \
                 WHERE account_id = $1 ORDER BY entry_id",
            )
            .bind(&account)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r: AnyRow| {
                Ok(ReviewItemRow {
                    entry_id: r.try_get(0)?,
                    spent_on: r.try_get(1)?,
                    amount_pence: r.try_get(2)?,
                    reference: r.try_get(3)?,
                    rules: r.try_get(4)?,
                    view: r.try_get(5)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
            let days = sqlx::query(
                "SELECT day, paid_in, contributions, spent, within_plan, flags_raised, recovered, review_days \
                 FROM account_day WHERE account_id = $1 ORDER BY day",
            )
            .bind(&account)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r: AnyRow| {
                Ok(DayRow {
                    day: r.try_get(0)?,
                    paid_in: r.try_get(1)?,
                    contributions: r.try_get(2)?,
                    spent: r.try_get(3)?,
                    within_plan: r.try_get(4)?,
                    flags_raised: r.try_get(5)?,
                    recovered: r.try_get(6)?,
                    review_days: r.try_get(7)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
            out.push(AccountDigest { summary, reviews, days });
        }
        Ok(out)
    }

    /// A page of a council's accounts, exceptions first (most first), then by reference;
    /// after the account `after` names (its exception count and reference).
    pub async fn summary_page(
        &self,
        council_id: &str,
        filter: &SummaryFilter,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> anyhow::Result<Vec<ListedSummary>> {
        let mut c = summary_conditions(filter, 3);
        if let Some((count, reference)) = after {
            c.add(
                " AND s.exception_count <= $? AND (s.exception_count < $? OR (s.exception_count = $? AND s.reference > $?))",
                vec![Bound::Number(count), Bound::Number(count), Bound::Number(count), Bound::Text(reference.to_owned())],
            );
        }
        let sql = format!(
            "SELECT a.reference, a.person_name, {SUMMARY_COLUMNS} FROM account_summary s \
             JOIN account a ON a.account_id = s.account_id \
             WHERE {} = $1 AND s.unreadable IS NULL{} \
             ORDER BY s.exception_count DESC, s.reference LIMIT $2",
            council_column(filter),
            c.sql
        );
        let query = sqlx::query(&sql).bind(council_id).bind(limit);
        let rows = c.bind(query).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(ListedSummary {
                    reference: row.try_get(0)?,
                    person_name: row.try_get(1)?,
                    summary: summary_from_row(row, 2)?,
                })
            })
            .collect()
    }

    /// How many of a council's readable accounts a filter finds.
    pub async fn summary_count(&self, council_id: &str, filter: &SummaryFilter) -> anyhow::Result<i64> {
        if filter.search.is_empty() {
            // Kept as the summaries are: no counting.
            let kept: Option<i64> =
                sqlx::query_scalar("SELECT accounts FROM council_list_count WHERE council_id = $1 AND kind = $2")
                    .bind(council_id)
                    .bind(filter.kind.clone().unwrap_or_default())
                    .fetch_optional(&self.pool)
                    .await?;
            return Ok(kept.unwrap_or(0));
        }
        let c = summary_conditions(filter, 2);
        let sql = format!(
            "SELECT COUNT(*) FROM account_summary s WHERE {} = $1 AND s.unreadable IS NULL{}",
            council_column(filter),
            c.sql
        );
        let query = sqlx::query(&sql).bind(council_id);
        let row = c.bind(query).fetch_one(&self.pool).await?;
        Ok(row.try_get(0)?)
    }

    /// A council's accounts whose records could not be read: (reference, name, reason).
    pub async fn unreadable_accounts(&self, council_id: &str) -> anyhow::Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT a.reference, a.person_name, s.unreadable FROM account_summary s \
             JOIN account a ON a.account_id = s.account_id \
             WHERE s.council_id = $1 AND s.unreadable IS NOT NULL ORDER BY a.reference",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r: AnyRow| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
    }

    /// The safeguarding signals of a council's accounts (JSON lists, one per account).
    pub async fn signal_lists(&self, council_id: &str) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT s.signals FROM account_summary s JOIN account a ON a.account_id = s.account_id \
             WHERE s.council_id = $1 AND s.signal_count > 0 ORDER BY a.reference",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Answers to statement questions waiting for an officer (JSON lists, one per account).
    pub async fn answer_lists(&self, council_id: &str) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT s.answers FROM account_summary s WHERE s.council_id = $1 AND s.answer_count > 0")
            .bind(council_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A page of the review queue, oldest spending first; after the spend `after` names
    /// (its date, reference and id). The spends as JSON `SpendView`s.
    /// A page of the review queue (see [`Storage::review_page`]) and how many spends the
    /// filter finds (see [`Storage::review_count`]).
    pub async fn review_list(
        &self,
        council_id: &str,
        filter: &ReviewFilter,
        after: Option<(&str, &str, &str)>,
        limit: i64,
    ) -> anyhow::Result<(Vec<String>, i64)> {
        let in_range = self.in_amount_range(council_id, filter).await?;
        let page = self.review_page(council_id, filter, after, limit, in_range).await?;
        Ok((page, self.review_count(council_id, filter, in_range).await?))
    }

    async fn review_page(
        &self,
        council_id: &str,
        filter: &ReviewFilter,
        after: Option<(&str, &str, &str)>,
        limit: i64,
        in_range: Option<i64>,
    ) -> anyhow::Result<Vec<String>> {
        let by_amount = self.amount_hint(in_range);
        let mut c = review_conditions(filter, 3);
        if let Some((date, reference, entry)) = after {
            let (date, reference, entry) = (date.to_owned(), reference.to_owned(), entry.to_owned());
            // The first condition alone lets the database start reading the index at the
            // cursor's day rather than at the council's first.
            let q = queue_order(filter);
            c.add(
                &format!(
                    " AND {q}.spent_on >= $? AND ({q}.spent_on > $? OR ({q}.spent_on = $? AND ({q}.reference > $? OR ({q}.reference = $? AND {q}.entry_id > $?))))"
                ),
                vec![
                    Bound::Text(date.clone()),
                    Bound::Text(date.clone()),
                    Bound::Text(date),
                    Bound::Text(reference.clone()),
                    Bound::Text(reference),
                    Bound::Text(entry),
                ],
            );
        }
        let sql = format!(
            "SELECT r.view FROM {} WHERE {q}.council_id = $1{} ORDER BY {q}.spent_on, {q}.reference, {q}.entry_id LIMIT $2",
            review_from(filter, by_amount),
            c.sql,
            q = queue_order(filter)
        );
        let query = sqlx::query(&sql).bind(council_id).bind(limit);
        let rows = c.bind(query).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// For a queue filtered by amount (and not by rule): how many waiting spends are in the
    /// range, counted through the amounts' index up to one past [`FEW_IN_RANGE`].
    async fn in_amount_range(&self, council_id: &str, filter: &ReviewFilter) -> anyhow::Result<Option<i64>> {
        if filter.rule.is_some() || (filter.min_pence.is_none() && filter.max_pence.is_none()) {
            return Ok(None);
        }
        let found: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM review_item WHERE council_id = $1 AND amount_pence >= $2 \
             AND amount_pence <= $3 LIMIT {}) counted",
            FEW_IN_RANGE + 1
        ))
        .bind(council_id)
        .bind(filter.min_pence.unwrap_or(i64::MIN))
        .bind(filter.max_pence.unwrap_or(i64::MAX))
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(found))
    }

    /// How to read a queue filtered by amount: when few spends are in the range, by amount
    /// (then put in the queue's order) rather than in the queue's order, where a rare amount
    /// would be looked for through the whole queue. Postgres chooses the index from its
    /// statistics; SQLite is told.
    fn amount_hint(&self, in_range: Option<i64>) -> &'static str {
        match (self.backend, in_range) {
            (Backend::Sqlite, Some(found)) if found <= FEW_IN_RANGE => " INDEXED BY review_item_amount",
            // Many: found within a few thousand entries of the queue's order, not by reading
            // the whole range and sorting it.
            (Backend::Sqlite, Some(_)) => " INDEXED BY review_item_queue",
            _ => "",
        }
    }

    /// How many flagged spends a review filter finds.
    async fn review_count(
        &self,
        council_id: &str,
        filter: &ReviewFilter,
        in_range: Option<i64>,
    ) -> anyhow::Result<i64> {
        // Filtered by amount alone: the range's count is the answer.
        if let Some(found) =
            in_range.filter(|_| filter.search.is_empty() && filter.from.is_none() && filter.to.is_none())
        {
            return Ok(found.min(REVIEW_COUNT_CAP + 1));
        }
        let by_amount = self.amount_hint(in_range);
        let c = review_conditions(filter, 2);
        // By rule (and dates) alone, the rule's rows are counted without reading the spends.
        let from = if filter.rule.is_some()
            && filter.search.is_empty()
            && filter.min_pence.is_none()
            && filter.max_pence.is_none()
        {
            "review_rule q".to_owned()
        } else {
            review_from(filter, by_amount)
        };
        // Counted up to one past the most a page says exactly, so counting costs the same at
        // 60,000 flagged spends as at 1,000.
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {} WHERE {}.council_id = $1{} LIMIT {}) counted",
            from,
            queue_order(filter),
            c.sql,
            REVIEW_COUNT_CAP + 1
        );
        let query = sqlx::query(&sql).bind(council_id);
        let row = c.bind(query).fetch_one(&self.pool).await?;
        Ok(row.try_get(0)?)
    }

    /// A council's money and reviews from `from` to `to` (`YYYY-MM-DD`, both included),
    /// from its kept days: a row a day, whatever the caseload.
    pub async fn period_totals(&self, council_id: &str, from: &str, to: &str) -> anyhow::Result<PeriodTotals> {
        let rows = sqlx::query(
            "SELECT day, paid_in, contributions, spent, within_plan, flags_raised, recovered FROM council_day \
             WHERE council_id = $1 AND day >= $2 AND day <= $3 ORDER BY day",
        )
        .bind(council_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut totals = PeriodTotals::default();
        let mut months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for row in rows {
            let day: String = row.try_get(0)?;
            let (paid_in, contributions, spent): (i64, i64, i64) = (row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
            totals.paid_in += paid_in;
            totals.contributions += contributions;
            totals.spent += spent;
            totals.within_plan += row.try_get::<i64, _>(4)?;
            totals.flags_raised += row.try_get::<i64, _>(5)?;
            totals.recovered += row.try_get::<i64, _>(6)?;
            let month = months.entry(format!("{}-01", day.get(..7).unwrap_or(&day))).or_default();
            month.0 += paid_in + contributions;
            month.1 += spent;
        }
        totals.months =
            months.into_iter().filter(|(_, (p, s))| *p != 0 || *s != 0).map(|(m, (p, s))| (m, p, s)).collect();
        let reviews = sqlx::query(
            "SELECT took_days, CAST(SUM(reviews) AS BIGINT) FROM council_review_day \
             WHERE council_id = $1 AND day >= $2 AND day <= $3 GROUP BY took_days ORDER BY took_days",
        )
        .bind(council_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for row in reviews {
            let (took, n): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            if n > 0 {
                totals.review_days.push((took, n));
            }
        }
        Ok(totals)
    }

    /// A council's people on direct payments, and the surplus they hold now.
    pub async fn council_totals(&self, council_id: &str) -> anyhow::Result<(i64, i64)> {
        // The accounts opened, and the surplus as the summaries hold it.
        let kept = sqlx::query("SELECT opened, surplus_pence FROM council_total WHERE council_id = $1")
            .bind(council_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match kept {
            Some(row) => (row.try_get(0)?, row.try_get(1)?),
            None => (0, 0),
        })
    }
}

/// Something besides the account's records changed (its plan, a statement, a note): its
/// summary is worked out again before it is next shown. Inside the change's transaction.
pub(crate) async fn mark_stale(conn: &mut sqlx::AnyConnection, account_id: AccountId) -> anyhow::Result<()> {
    sqlx::query("UPDATE account_summary SET stale = stale + 1 WHERE account_id = $1")
        .bind(account_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The migrations that fill the queue's rule rows and the list's counts name every
    /// rule and every kind of exception.
    #[test]
    fn the_migrations_name_every_rule_and_kind() {
        for migration in [
            include_str!("../../migrations/sqlite/0010_review_rules.sql"),
            include_str!("../../migrations/postgres/0010_review_rules.sql"),
        ] {
            for rule in tally_ledger::Rule::ALL {
                assert!(migration.contains(&format!("'{}'", rule.as_str())), "{}", rule.as_str());
            }
        }
        // And the one that counts the accounts list, every kind of exception.
        for migration in [
            include_str!("../../migrations/sqlite/0008_list_counts_and_words.sql").to_owned()
                + include_str!("../../migrations/sqlite/0020_life_of_a_direct_payment.sql"),
            include_str!("../../migrations/postgres/0008_list_counts_and_words.sql").to_owned()
                + include_str!("../../migrations/postgres/0020_life_of_a_direct_payment.sql"),
        ] {
            for kind in tally_api::ExceptionKind::ALL {
                assert!(migration.contains(&format!("'{}'", kind.as_str())), "{}", kind.as_str());
            }
        }
    }

    #[test]
    fn an_account_is_found_by_the_start_of_each_word() {
        assert_eq!(search_words("Mary O'Neil-Smith dp-000123"), ["000123", "dp", "mary", "neil", "o", "smith"]);
        assert_eq!(search_words("ÉLODIE  élodie"), ["élodie"]);
        assert!(search_words(" -- ").is_empty());
    }

    /// Summaries kept before the words were get them as they are next worked out: the
    /// migration empties their words searched and marks them (as here).
    #[tokio::test]
    async fn summaries_kept_before_the_words_get_them_when_worked_out() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("tally.db").display());
        let storage = Storage::open(&url).await.unwrap();
        crate::seed::ensure_demo(&storage).await.unwrap();
        let state = crate::AppState::new(storage.clone());
        crate::api::summaries::catch_up(&state).await.unwrap();
        let council = storage.council_id_by_name(crate::seed::DEMO_COUNCIL).await.unwrap().unwrap();
        assert!(storage.word_mismatches(&council).await.unwrap().is_empty());
        sqlx::query("DELETE FROM account_word").execute(&storage.pool).await.unwrap();
        sqlx::query("UPDATE account_summary SET search = '', stale = stale + 1").execute(&storage.pool).await.unwrap();
        assert_eq!(storage.word_mismatches(&council).await.unwrap().len(), 2);
        crate::api::summaries::catch_up(&state).await.unwrap();
        assert!(storage.word_mismatches(&council).await.unwrap().is_empty());
    }
}
