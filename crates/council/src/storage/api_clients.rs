//! API clients: a council's finance system with a client id and secret. Each acts through
//! a staff row of its own (no password; its email `api-client:<client_id>` is not an email
//! address, so no person can have it or sign in with it), so its changes and audit lines
//! name it like a member of staff. Staff lists and staff actions leave these rows out.

use sqlx::Row;
use tally_api::{ApiScope, Role};

use super::*;

/// The prefix of an API client's staff row's email (see the module's note).
pub const API_CLIENT_EMAIL_PREFIX: &str = "api-client:";

/// An API client to create.
pub struct NewApiClientRow<'a> {
    pub client_id: &'a str,
    pub staff_id: &'a str,
    pub council_id: &'a str,
    pub name: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a [ApiScope],
    pub created_by: &'a str,
}

/// An API client as kept.
#[derive(Clone, Debug)]
pub struct ApiClientRow {
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub created_by: String,
    pub created_at_ms: i64,
    pub last_used_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// A client that is not revoked, found by its id, to check a call's secret.
pub struct ApiCaller {
    pub staff: StaffRow,
    pub secret_hash: String,
    pub scopes: Vec<ApiScope>,
}

fn scopes_text(scopes: &[ApiScope]) -> String {
    let mut text = String::from(",");
    for scope in ApiScope::ALL.into_iter().filter(|s| scopes.contains(s)) {
        text.push_str(scope.as_str());
        text.push(',');
    }
    text
}

fn scopes_of(text: &str) -> Vec<ApiScope> {
    text.split(',').filter_map(ApiScope::parse).collect()
}

impl Storage {
    /// Creates an API client with its staff row and its audit line, in one transaction.
    pub async fn create_api_client(
        &self,
        new: &NewApiClientRow<'_>,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        // Only recording money in changes anything; the other scopes read.
        let role = if new.scopes.contains(&ApiScope::MoneyIn) { Role::FinanceOfficer } else { Role::Auditor };
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO staff (staff_id, council_id, email, display_name, role, password_hash, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, '', $6)",
        )
        .bind(new.staff_id)
        .bind(new.council_id)
        .bind(format!("{API_CLIENT_EMAIL_PREFIX}{}", new.client_id))
        .bind(new.name)
        .bind(role.as_str())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO api_client (client_id, staff_id, council_id, secret_hash, scopes, created_by, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new.client_id)
        .bind(new.staff_id)
        .bind(new.council_id)
        .bind(new.secret_hash)
        .bind(scopes_text(new.scopes))
        .bind(new.created_by)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The council's API clients, newest first (revoked ones too, for the record).
    pub async fn api_clients_of(&self, council_id: &str) -> anyhow::Result<Vec<ApiClientRow>> {
        let rows = sqlx::query(
            "SELECT k.client_id, s.display_name, k.scopes, c.display_name, k.created_at_ms, k.last_used_ms, k.revoked_at_ms \
             FROM api_client k JOIN staff s ON s.staff_id = k.staff_id JOIN staff c ON c.staff_id = k.created_by \
             WHERE k.council_id = $1 ORDER BY k.created_at_ms DESC, k.client_id LIMIT 500",
        )
        .bind(council_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ApiClientRow {
                    client_id: row.try_get(0)?,
                    name: row.try_get(1)?,
                    scopes: scopes_of(&row.try_get::<String, _>(2)?),
                    created_by: row.try_get(3)?,
                    created_at_ms: row.try_get(4)?,
                    last_used_ms: row.try_get(5)?,
                    revoked_at_ms: row.try_get(6)?,
                })
            })
            .collect()
    }

    /// A client that still has access, to check a call against.
    pub async fn api_caller(&self, client_id: &str) -> anyhow::Result<Option<ApiCaller>> {
        let row = sqlx::query(
            "SELECT s.staff_id, s.council_id, s.email, s.display_name, s.role, s.password_hash, k.secret_hash, k.scopes \
             FROM api_client k JOIN staff s ON s.staff_id = k.staff_id \
             WHERE k.client_id = $1 AND k.revoked_at_ms IS NULL AND s.disabled_at_ms IS NULL",
        )
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let secret_hash: String = row.try_get(6)?;
        let scopes = scopes_of(&row.try_get::<String, _>(7)?);
        Ok(Some(ApiCaller { staff: staff_from_row(row)?, secret_hash, scopes }))
    }

    /// Notes a client's call: when it was last used, and the call's audit line.
    pub async fn api_call(&self, client_id: &str, audit: &AuditEvent<'_>, now_ms: i64) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE api_client SET last_used_ms = $1 WHERE client_id = $2")
            .bind(now_ms)
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes a council's API client: its secret stops working at once. `None` when the
    /// council has no such client with access; otherwise its name.
    pub async fn revoke_api_client(
        &self,
        council_id: &str,
        client_id: &str,
        audit: &AuditEvent<'_>,
        now_ms: i64,
    ) -> anyhow::Result<Option<String>> {
        let mut tx = self.pool.begin().await?;
        let staff_id: Option<String> = sqlx::query_scalar(
            "SELECT staff_id FROM api_client WHERE client_id = $1 AND council_id = $2 AND revoked_at_ms IS NULL",
        )
        .bind(client_id)
        .bind(council_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(staff_id) = staff_id else { return Ok(None) };
        sqlx::query("UPDATE api_client SET revoked_at_ms = $1 WHERE client_id = $2")
            .bind(now_ms)
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE staff SET disabled_at_ms = $1 WHERE staff_id = $2")
            .bind(now_ms)
            .bind(&staff_id)
            .execute(&mut *tx)
            .await?;
        let name: String = sqlx::query_scalar("SELECT display_name FROM staff WHERE staff_id = $1")
            .bind(&staff_id)
            .fetch_one(&mut *tx)
            .await?;
        append_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(Some(name))
    }
}
