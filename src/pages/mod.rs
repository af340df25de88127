//! One screen per file.

pub mod device;
pub mod entry;
pub mod export;
pub mod help;
pub mod history;
pub mod home;
pub mod local;
pub mod log;
pub mod money_in;
pub mod pair;
pub mod plan;
pub mod query;
