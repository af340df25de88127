//! The council sync client: the only part of the wallet that knows the wire format.

use serde::de::DeserializeOwned;
use tally_api::{
    AccountProfile, ErrorBody, PairRequest, PairResponse, PullResponse, PushResponse, ReceiptStored, ReceiptsMissing,
    ReceiptsQuery, MAX_RECEIPT_QUERY,
};
use tally_ledger::{Entry, ReceiptRef};

use crate::json;
use crate::store::Session;

/// Why a call to the council did not work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// No answer at all: no signal, or the council's server is down.
    #[error("Could not reach the council.")]
    Unreachable,
    /// The council no longer accepts this device.
    #[error("{0}")]
    NotPaired(String),
    /// The council answered with an error.
    #[error("{0}")]
    Refused(String),
}

/// Talks to one council server.
#[derive(Clone, Debug)]
pub struct SyncClient {
    base: String,
    http: reqwest::Client,
}

impl SyncClient {
    pub fn new(base: String) -> SyncClient {
        SyncClient { base, http: reqwest::Client::new() }
    }

    /// Trades a pairing code for a device token.
    /// Pairs with a code. `held` are the pairings this device already holds: paired again
    /// with one of those accounts, the new pairing carries on from the old one, so records
    /// made under it can still be sent.
    pub async fn pair(
        &self,
        code: &str,
        device_label: String,
        held: Vec<tally_api::HeldPairing>,
    ) -> Result<PairResponse, SyncError> {
        let request = PairRequest { code: code.to_owned(), device_label, held };
        let response = self.http.post(format!("{}/pairings", self.base)).json(&request).send().await;
        read(response).await
    }

    /// Sends entries; one result per entry, in order. A reply that does not line up with
    /// what was sent is treated as no reply, so no result is ever applied to the wrong
    /// record.
    pub async fn push(&self, session: &Session, entries: &[Entry]) -> Result<PushResponse, SyncError> {
        let body = serde_json::to_string(&PushBody { entries })
            .map_err(|_| SyncError::Refused("A record could not be prepared for sending.".to_owned()))?;
        let response = self
            .http
            .post(format!("{}/accounts/{}/entries", self.base, session.account.account_id))
            .bearer_auth(&session.token)
            .header(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static("application/json"))
            .body(body)
            .send()
            .await;
        let response: PushResponse = read(response).await?;
        if response.results.len() != entries.len() {
            return Err(SyncError::Unreachable);
        }
        Ok(response)
    }

    /// The council's current profile of the account: its support plan and policy, which
    /// change at the council.
    pub async fn profile(&self, session: &Session) -> Result<AccountProfile, SyncError> {
        let response = self
            .http
            .get(format!("{}/accounts/{}", self.base, session.account.account_id))
            .bearer_auth(&session.token)
            .send()
            .await;
        let profile: AccountProfile = read(response).await?;
        if profile.account_id != session.account.account_id {
            return Err(SyncError::Unreachable);
        }
        Ok(profile)
    }

    /// Fetches entries after the cursor. Entries of a kind this version of Tally does not
    /// know (a newer council) come back apart, as sent, to be kept aside: they never stop
    /// the pull.
    pub async fn pull(&self, session: &Session, after: i64) -> Result<PulledPage, SyncError> {
        let response = self
            .http
            .get(format!("{}/accounts/{}/entries?after={after}", self.base, session.account.account_id))
            .bearer_auth(&session.token)
            .send()
            .await;
        let page: PullResponse<serde_json::Value> = read(response).await?;
        Ok(PulledPage::from(page))
    }
}

impl SyncClient {
    fn receipt_url(&self, session: &Session, receipt: &ReceiptRef) -> String {
        format!("{}/accounts/{}/receipts/{}", self.base, session.account.account_id, receipt.0)
    }

    /// Of these photos, the ones the council does not hold yet.
    pub async fn missing_receipts(
        &self,
        session: &Session,
        receipts: &[ReceiptRef],
    ) -> Result<Vec<ReceiptRef>, SyncError> {
        let mut missing = Vec::new();
        for chunk in receipts.chunks(MAX_RECEIPT_QUERY) {
            let response = self
                .http
                .post(format!("{}/accounts/{}/receipts/missing", self.base, session.account.account_id))
                .bearer_auth(&session.token)
                .json(&ReceiptsQuery { receipts: chunk.to_vec() })
                .send()
                .await;
            let answer: ReceiptsMissing = read(response).await?;
            // Only names that were asked about: anything else is a muddled answer.
            if answer.missing.iter().any(|r| !chunk.contains(r)) {
                return Err(SyncError::Unreachable);
            }
            missing.extend(answer.missing);
        }
        Ok(missing)
    }

    /// Sends one photo. Done when the council says it holds it.
    pub async fn upload_receipt(
        &self,
        session: &Session,
        receipt: &ReceiptRef,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(), SyncError> {
        let response = self
            .http
            .put(self.receipt_url(session, receipt))
            .bearer_auth(&session.token)
            .header("Content-Type", content_type)
            .body(bytes)
            .send()
            .await;
        let stored: ReceiptStored = read(response).await?;
        if stored.receipt != *receipt || !stored.status.is_held_by_council() {
            return Err(SyncError::Unreachable);
        }
        Ok(())
    }

    /// Fetches a photo another device sent: its type and bytes, or `None` when the
    /// council does not have it (yet).
    pub async fn download_receipt(
        &self,
        session: &Session,
        receipt: &ReceiptRef,
    ) -> Result<Option<(String, Vec<u8>)>, SyncError> {
        let response = self.http.get(self.receipt_url(session, receipt)).bearer_auth(&session.token).send().await;
        let response = response.map_err(|_| SyncError::Unreachable)?;
        if response.status().as_u16() == 404 {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("image/jpeg").to_owned();
        let bytes = response.bytes().await.map_err(|_| SyncError::Unreachable)?;
        Ok(Some((content_type, bytes.to_vec())))
    }
}

/// A `tally_api::PushRequest` with the entries written straight into it: the wallet writes
/// an entry one way only, the way it stores it (see `crate::json`).
#[derive(serde::Serialize)]
struct PushBody<'a> {
    entries: &'a [Entry],
}

/// One page of a pull, read.
#[derive(Clone, Debug, PartialEq)]
pub struct PulledPage {
    /// Each entry read, with the council's JSON when it carried fields this version does
    /// not know (so they are kept, not dropped).
    pub entries: Vec<(Entry, Option<serde_json::Value>)>,
    /// Entries this version cannot read, as the council sent them.
    pub unreadable: Vec<serde_json::Value>,
    pub cursor: i64,
    pub more: bool,
}

impl From<PullResponse<serde_json::Value>> for PulledPage {
    fn from(page: PullResponse<serde_json::Value>) -> PulledPage {
        let (mut entries, mut unreadable) = (Vec::new(), Vec::new());
        for value in page.entries {
            match json::entry_of(&value) {
                Some(entry) => {
                    let complete = json::value_of(&entry).is_some_and(|read| read == value);
                    entries.push((entry, (!complete).then_some(value)));
                }
                None => unreadable.push(value),
            }
        }
        PulledPage { entries, unreadable, cursor: page.cursor, more: page.more }
    }
}

/// Reads an answer. No answer, a cut-off answer and the council's own server errors (5xx)
/// are all "try again later"; only a clear refusal (4xx) is reported as one.
async fn read<T: DeserializeOwned>(response: reqwest::Result<reqwest::Response>) -> Result<T, SyncError> {
    let response = response.map_err(|_| SyncError::Unreachable)?;
    if response.status().is_success() {
        return json_of(response).await.ok_or(SyncError::Unreachable);
    }
    Err(failure(response).await)
}

/// An answer's body read as JSON, from its text (see `crate::json`); `None` when it is cut
/// off or is not what was expected.
async fn json_of<T: DeserializeOwned>(response: reqwest::Response) -> Option<T> {
    serde_json::from_str(&response.text().await.ok()?).ok()
}

/// What an answer that is not a success means (read as both apps read the API's errors):
/// a server failure, or something in between answering, is "try again later".
async fn failure(response: reqwest::Response) -> SyncError {
    let status = response.status().as_u16();
    match tally_web::Problem::from_answer(status, json_of::<ErrorBody>(response).await) {
        tally_web::Problem::SignedOut(message) => SyncError::NotPaired(message),
        tally_web::Problem::Refused { message, .. } => SyncError::Refused(message),
        tally_web::Problem::Offline | tally_web::Problem::Failed(_) => SyncError::Unreachable,
    }
}

#[cfg(test)]
mod tests {
    use tally_api::PushRequest;
    use tally_ledger::{AccountId, Author, EntryBody, EntryId, Money, Spend};
    use time::macros::{date, datetime};
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_push_is_the_request_the_council_reads() {
        let spend = Spend::new(date!(2026 - 11 - 22), Money::from_pence(1250), "Corner shop", None);
        let entry = Entry {
            id: EntryId(Uuid::from_u128(9)),
            account: AccountId(Uuid::from_u128(1)),
            author: Author { name: "Sam".into(), device: None, device_seq: Some(3) },
            recorded_at: datetime!(2026-11-22 10:15:30.5 UTC),
            body: EntryBody::Spend(spend),
        };
        let sent = serde_json::to_string(&PushBody { entries: std::slice::from_ref(&entry) }).unwrap();
        let read: PushRequest = serde_json::from_str(&sent).unwrap();
        assert_eq!(read.entries.len(), 1);
        assert_eq!(json::entry_of(&read.entries[0]), Some(entry.clone()));
        assert_eq!(json::value_of(&entry), Some(read.entries[0].clone()));
        assert_eq!(read.entries[0]["recorded_at"], "2026-11-22T10:15:30.5Z");
        assert_eq!(read.entries[0]["body"]["date"], "2026-11-22");
    }
}
