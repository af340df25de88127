//! The few things only a browser gives: its clock (in the person's time zone), whether it
//! has a network, the page's title, and saving a file.

use time::{Date, Month, OffsetDateTime};

/// Now, from the browser's clock.
pub fn now() -> OffsetDateTime {
    let ms = js_sys::Date::now() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Today's date where the person is (their device's time zone).
pub fn today() -> Date {
    let d = js_sys::Date::new_0();
    let month = Month::try_from(d.get_month() as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(d.get_full_year() as i32, month, d.get_date() as u8).unwrap_or_else(|_| now().date())
}

/// Whether the browser believes it has a network connection.
pub fn online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// Sets the browser tab's title: "History — Tally".
pub fn page_title(title: &str) {
    leptos::prelude::document().set_title(&format!("{title} — Tally"));
}

/// Offers `text` to the person as a file to save.
pub fn save_file(filename: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    save_parts(filename, mime, js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text)))
}

/// Offers bytes, exactly as they are, as a file to save.
pub fn save_bytes(filename: &str, mime: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    save_parts(filename, mime, js_sys::Array::of1(&js_sys::Uint8Array::from(bytes)))
}

fn save_parts(filename: &str, mime: &str, parts: js_sys::Array) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = leptos::prelude::document().create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(filename);
    link.click();
    web_sys::Url::revoke_object_url(&url)
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
