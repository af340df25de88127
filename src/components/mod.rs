//! Pieces the screens share.

pub mod explain;
pub mod field;
pub mod flags;
pub mod line_bars;
pub mod money_chart;
pub mod receipts;
pub mod spending_list;
pub mod sync_status;
