//! Retention: a direct payment's account is kept whole for the council's retention period
//! after it ended (its policy, in years), then anonymised. The server does it on its
//! regular round; the council's figures do not change (see
//! [`crate::storage::Storage::anonymise_account`]).

use time::Date;

use crate::storage::{Actor, AuditEvent};
use crate::AppState;

/// How many accounts one round anonymises per council (the rest wait for the next round).
const PER_ROUND: i64 = 200;

/// Anonymises every account whose retention period has passed on `today`; how many.
pub async fn apply(state: &AppState, today: Date, now_ms: i64) -> anyhow::Result<usize> {
    let storage = &state.storage;
    let mut done = 0;
    for council_id in storage.council_ids().await? {
        let years = storage.council_policy(&council_id).await?.retention_years;
        let cutoff = tally_ledger::date::iso_date(tally_ledger::date::add_months(today, -12 * i64::from(years)));
        let detail = format!("its direct payment ended more than {years} years ago (the council's retention period)");
        for row in storage.accounts_past_retention(&council_id, &cutoff, PER_ROUND).await? {
            // Its summary is brought up to date first: it keeps the figures from now on.
            crate::api::summaries::refresh(state, &row).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let account = row.account_id;
            let event = AuditEvent {
                council_id: Some(&council_id),
                account_id: Some(account),
                actor: Actor::Server,
                ..AuditEvent::server("account anonymised", &detail)
            };
            if storage.anonymise_account(account, &cutoff, &event, now_ms).await? {
                done += 1;
            }
        }
    }
    Ok(done)
}
