//! What the wallet and the council exchange: pairing, the account profile, push and pull
//! of records, receipt photos, and the limits on each.

use serde::{Deserialize, Serialize};
use tally_ledger::{AccountId, CouncilPolicy, DeviceId, Entry, ReceiptRef, SupportPlan};

/// The most entries one push may carry; a bigger batch is refused before it is read.
pub const MAX_PUSH_ENTRIES: usize = 500;

/// The largest request body the API reads, in bytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The most entries one pull returns; ask again from the returned cursor for more.
pub const MAX_PULL_ENTRIES: usize = 1000;

/// `GET /api/v1/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// `POST /api/v1/pairings`: trade a one-time pairing code for a device token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairRequest {
    pub code: String,
    /// How the device describes itself ("Phone", "Chromium on Linux"), for the council's
    /// list of devices.
    #[serde(default)]
    pub device_label: String,
    /// The pairings this device already holds (its id and token for each), so that when it
    /// is paired again with an account it held, the new pairing carries on from the old
    /// one: records made under the old pairing can still be sent. Pairings of other
    /// accounts, unknown ones and wrong tokens are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<HeldPairing>,
}

/// A pairing a device holds: proof that it is the device with that id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldPairing {
    pub device_id: DeviceId,
    pub token: String,
}

/// The most held pairings a pairing request may name (a carer's phone holds a few).
pub const MAX_HELD_PAIRINGS: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairResponse {
    pub device_id: DeviceId,
    /// Sent as `Authorization: Bearer <token>`. Reads and writes this one account only.
    pub token: String,
    pub account: AccountProfile,
}

/// `GET /api/v1/accounts/{account_id}`: whose account it is, their support plan and their
/// council's policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountProfile {
    pub account_id: AccountId,
    /// The council's reference for the account ("DP-000001").
    pub reference: String,
    pub person_name: String,
    pub council_name: String,
    pub plan: SupportPlan,
    pub policy: CouncilPolicy,
}

/// `POST /api/v1/accounts/{account_id}/entries`. Entries are read one by one, so a malformed
/// entry is refused on its own and the rest of the batch is still stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Entry>))]
    pub entries: Vec<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One result per entry sent, in the same order.
    pub results: Vec<PushResult>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    /// The entry's id, when it could be read.
    pub entry_id: Option<String>,
    pub status: PushStatus,
    /// Why it was refused, in plain English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    /// Stored now.
    Stored,
    /// The same entry was stored before; nothing changed.
    AlreadyStored,
    /// Not stored; see the message. Sending it again will not help.
    Refused,
}

impl PushStatus {
    /// Whether the council holds the entry, so the device may drop it from its outbox.
    pub fn is_held_by_council(self) -> bool {
        matches!(self, PushStatus::Stored | PushStatus::AlreadyStored)
    }
}

/// `GET /api/v1/accounts/{account_id}/entries?after=<cursor>`.
///
/// Generic over the entry so a client can read each entry on its own (`serde_json::Value`)
/// and keep aside the kinds it does not know rather than fail the whole page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse<E = Entry> {
    pub entries: Vec<E>,
    /// Pass as `after` next time. Opaque to clients.
    pub cursor: i64,
    /// Whether more entries are waiting after this page.
    pub more: bool,
}

/// The largest receipt photo the council keeps, in bytes. The wallet makes photos about
/// 200 KB; this leaves room for a clear photo of a long invoice.
pub const MAX_RECEIPT_BYTES: usize = 1024 * 1024;

/// The most receipt names one `receipts/missing` question may carry.
pub const MAX_RECEIPT_QUERY: usize = 500;

/// The kinds of file the council keeps as receipt photos, by their `Content-Type`.
pub const RECEIPT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// `POST /api/v1/accounts/{account_id}/receipts/missing`: which of these photos (named by
/// the SHA-256 of their bytes, 64 lower-case hex digits) the council does not hold yet.
/// A device sends only those, so each photo crosses the network once, and an upload cut
/// off half way resumes with the photos still missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptsQuery {
    pub receipts: Vec<ReceiptRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptsMissing {
    /// The ones asked about that the council does not hold, in the order asked.
    pub missing: Vec<ReceiptRef>,
}

/// `PUT /api/v1/accounts/{account_id}/receipts/{sha256}` with the photo's bytes as the
/// body and its `Content-Type`. The council checks the bytes hash to the name, the size
/// and the type. Sending a photo it holds already changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptStored {
    pub receipt: ReceiptRef,
    pub status: PushStatus,
    pub size_bytes: u64,
}
