//! Tally, the direct payments wallet: a Leptos app rendered in the browser.
//!
//! # Layout
//! - [`app`]: the root component and the wallet's shared state.
//! - [`pages`]: one screen per file (pairing, home).
//! - [`components`]: pieces the screens share (sync status, spending form and list).
//! - [`lock`]: the optional PIN lock for shared phones.
//! - [`receipts`]: receipt photos made small in the browser and kept in IndexedDB.
//! - [`store`]: what the wallet keeps on the device, behind the [`store::LocalStore`] trait.
//! - [`sync`]: the council sync client: push what is waiting, pull what is new.
//! - [`browser`]: the few things only a browser gives (clock, random ids, online state).
//!
//! All money, balances and checks come from `tally-ledger`; this crate only shows them and
//! keeps them.

pub mod app;
pub mod browser;
pub mod components;
pub mod json;
pub mod lock;
pub mod pages;
pub mod receipts;
pub mod store;
pub mod sync;
