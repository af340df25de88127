//! What the wallets call, each with a device token: pairing with a code, the account's
//! profile, pushing and pulling records, and receipt photos. Every route but pairing starts
//! with [`DeviceAccount`](super::DeviceAccount): the device, and its right to the account
//! in the address, checked before anything else is read.

mod entries;
mod pairings;
mod profile;
mod receipts;

use super::Routes;

/// Every route the wallets use.
pub(super) fn routes() -> Routes {
    Routes::default()
        .merge(pairings::routes())
        .merge(profile::routes())
        .merge(entries::routes())
        .merge(receipts::routes())
}

pub(crate) use receipts::checked_name as checked_receipt_name;
