//! The wire format of the council API, version 1 (`/api/v1`).
//!
//! Only two parts of Tally know it: the council server, which answers it, and the wallet's
//! sync client and the workspace's client, which call it. Everything else works with
//! ledger types.
//!
//! # Layout
//! One module per area, with the same names as the server's handlers and the workspace's
//! pages: [`sync`] (what devices exchange), [`staff`], [`accounts`], [`reviews`], [`money`],
//! [`statements`], [`safeguarding`], [`figures`], [`policy`], [`plans`], [`exports`], and
//! [`error`] (the one error shape). Every closed set is an enum (`snake_case` in JSON).
//! Everything is re-exported here.

pub mod accounts;
pub mod error;
pub mod exports;
pub mod figures;
pub mod money;
pub mod plans;
pub mod policy;
pub mod reviews;
pub mod safeguarding;
pub mod staff;
pub mod statements;
pub mod sync;

pub use accounts::*;
pub use error::*;
pub use exports::*;
pub use figures::*;
pub use money::*;
pub use plans::*;
pub use policy::*;
pub use reviews::*;
pub use safeguarding::*;
pub use staff::*;
pub use statements::*;
pub use sync::*;

/// For a form's choice from a closed set: the choice, or `None` when nothing (or something
/// not in the set) was chosen, so the server can say "Choose a role" beside the field
/// rather than refuse the whole form's shape.
pub fn chosen<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::Deserialize;
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}
