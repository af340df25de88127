//! Safeguarding signals across the council's accounts, and what officers recorded about them.

use serde::{Deserialize, Serialize};

/// What an officer found when they looked at a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SafeguardingOutcome {
    NoConcern,
    Raised,
}

impl SafeguardingOutcome {
    /// As stored (`no_concern`).
    pub fn as_str(self) -> &'static str {
        match self {
            SafeguardingOutcome::NoConcern => "no_concern",
            SafeguardingOutcome::Raised => "raised",
        }
    }

    pub fn parse(text: &str) -> Option<SafeguardingOutcome> {
        [SafeguardingOutcome::NoConcern, SafeguardingOutcome::Raised].into_iter().find(|o| o.as_str() == text)
    }

    /// In words: "looked at, no concern".
    pub fn label(self) -> &'static str {
        match self {
            SafeguardingOutcome::NoConcern => "looked at, no concern",
            SafeguardingOutcome::Raised => "raised with the safeguarding team",
        }
    }
}

use crate::accounts::UnreadableAccount;

/// `GET /api/v1/council/safeguarding`: the ledger's safeguarding signals across the
/// council's accounts, with the figures behind each and what officers recorded. Never
/// shown to the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafeguardingList {
    pub items: Vec<SafeguardingItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafeguardingItem {
    pub reference: String,
    pub person_name: String,
    /// Stable: notes are kept under it.
    pub key: String,
    pub title: String,
    /// The figures, in words.
    pub figures: String,
    /// Newest first.
    pub notes: Vec<SafeguardingNoteView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafeguardingNoteView {
    pub outcome: SafeguardingOutcome,
    pub note: String,
    pub who: String,
    pub at_ms: i64,
}

/// `POST /api/v1/council/accounts/{reference}/safeguarding`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafeguardingNoteRequest {
    pub key: String,
    /// `None` until one is chosen.
    #[serde(default, deserialize_with = "crate::chosen")]
    pub outcome: Option<SafeguardingOutcome>,
    #[serde(default)]
    pub note: String,
}
