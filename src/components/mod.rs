//! Pieces the screens share.

pub mod field;
pub mod spend_form;
pub mod spending_list;
pub mod sync_status;
