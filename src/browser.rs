//! The clock, random ids and network state, as the browser gives them. Nothing else in the
//! wallet reads the clock or draws random numbers, and the ledger never does.

use tally_ledger::EntryId;
use time::{Date, Month, OffsetDateTime};
use uuid::Uuid;

/// Now, from the browser's clock.
pub fn now() -> OffsetDateTime {
    let ms = js_sys::Date::now() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Today's date where the person is (their device's time zone).
pub fn today() -> Date {
    let d = js_sys::Date::new_0();
    let month = Month::try_from(d.get_month() as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(d.get_full_year() as i32, month, d.get_date() as u8)
        .unwrap_or_else(|_| now().date())
}

/// The local time of day as "10:42".
pub fn clock_time(at: OffsetDateTime) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64((at.unix_timestamp_nanos() / 1_000_000) as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// A new UUID v7: the time now and 80 random bits from the browser's crypto.
pub fn new_uuid_v7() -> Uuid {
    let mut random = [0u8; 10];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut random);
    }
    if random == [0u8; 10] {
        // No crypto (very old browser): fall back to Math.random, still unique enough
        // combined with the millisecond clock.
        for byte in random.iter_mut() {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid::Builder::from_unix_timestamp_millis(js_sys::Date::now() as u64, &random).into_uuid()
}

pub fn new_entry_id() -> EntryId {
    EntryId(new_uuid_v7())
}

/// Whether the browser believes it has a network connection.
pub fn online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// The address of the council API on the server that served the app.
pub fn api_base() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    format!("{origin}/api/v1")
}

/// A short description of this device for the council's list ("Mobile browser").
pub fn device_label() -> String {
    let agent = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
    let kind = if agent.contains("Mobile") { "Mobile browser" } else { "Browser" };
    let name = ["Firefox", "Edg", "Chrome", "Safari"]
        .into_iter()
        .find(|n| agent.contains(n))
        .map(|n| if n == "Edg" { "Edge" } else { n })
        .unwrap_or("web");
    format!("{kind} ({name})")
}
