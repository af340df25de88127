//! The one way the wallet reads and writes JSON: from and to text.
//!
//! `serde_json` makes a copy of a type's reading (or writing) code for each way it is
//! read: from text, from bytes, from a parsed `Value`. An entry read three ways was three
//! copies of the largest reading code in the app. So the wallet reads everything from text
//! (the council's answers as well, see `sync::client`) and writes everything as text, and
//! goes through text when it has a `Value` in hand (a record the council sent with fields
//! this version does not know, kept as it came: rare, and small).

use serde_json::Value;
use tally_ledger::Entry;

/// The entry a kept or pulled JSON value holds, if this version can read it.
pub fn entry_of(value: &Value) -> Option<Entry> {
    serde_json::from_str(&value.to_string()).ok()
}

/// The entry as JSON, to compare with what the council sent.
pub fn value_of(entry: &Entry) -> Option<Value> {
    serde_json::from_str(&serde_json::to_string(entry).ok()?).ok()
}
