//! What Tally's two browser apps share: the wallet (a person's phone) and the council
//! workspace (council staff) depend on this crate, never on each other.
//!
//! # Layout
//! - [`field`]: form fields with their label, hint and error, and the error summary above
//!   a form (the GOV.UK pattern).
//! - [`browser`]: the browser's clock and network state, the page title, saving a file.
//! - [`problem`]: the one reading of the API's error shape into what a screen shows.

pub mod browser;
pub mod field;
pub mod problem;

pub use browser::page_title;
pub use problem::Problem;
