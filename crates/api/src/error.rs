//! The one error shape every API answer uses.

use serde::{Deserialize, Serialize};

/// What kind of refusal or failure an error is: one per status the API answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    /// A form with problems, each named in `fields`.
    Invalid,
    Unauthorized,
    Forbidden,
    NotFound,
    /// The address exists but does not answer this method (the `Allow` header lists those it does).
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    /// An account's records could not be read.
    Unreadable,
    Internal,
}

/// Every error the API returns has this shape, with a message a person can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `not_found`.
    pub code: ErrorCode,
    /// A plain-English sentence (for a form, its problems one per line).
    pub message: String,
    /// For a form: each field's problem, so it can be shown beside the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// One field of a form and what is wrong with it, in plain English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// How the message to a phone whose direct payment ended begins: the wallet shows it on
/// its own, as what happened, not as a problem with sending.
pub const DIRECT_PAYMENT_ENDED: &str = "Your direct payment from ";
