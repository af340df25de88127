//! Pieces the screens share.

pub mod explain;
pub mod flags;
pub mod line_bars;
pub mod money_chart;
pub mod receipts;
pub mod spending_list;
pub mod sync_status;

/// Form fields and the error summary, shared with the council workspace.
pub use tally_web::field;
