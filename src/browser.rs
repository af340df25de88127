//! The clock, random ids and network state, as the browser gives them. Nothing else in the
//! wallet reads the clock or draws random numbers, and the ledger never does.

use tally_ledger::EntryId;
use time::OffsetDateTime;
use uuid::Uuid;

pub use tally_web::browser::{now, online, save_bytes, save_file, today};

/// The local time of day as "10:42".
pub fn clock_time(at: OffsetDateTime) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64((at.unix_timestamp_nanos() / 1_000_000) as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// When a record was made, as people read it here: "3 March 2026 at 14:05".
pub fn recorded_when(entry: &tally_ledger::Entry) -> String {
    format!("{} at {}", tally_ledger::date::long_date(entry.recorded_at.date()), clock_time(entry.recorded_at))
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

/// The address of the council API on the server that served the app.
pub fn api_base() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    format!("{origin}/api/v1")
}

pub use tally_web::browser::device_label;

/// A named moment on the page's performance timeline (read by the benchmarks).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Records how long something took since the mark `started_at` as a measure on the
/// page's performance timeline (`performance.getEntriesByName(name)`): the benchmarks read
/// it there.
pub fn measure(name: &str, started_at: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.measure_with_start_mark(name, started_at);
    }
}

/// Asks the browser to keep Tally's data even when the device runs short of space (it
/// may otherwise clear it). `Some(true)` when it agreed.
pub async fn ask_persistent_storage() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    let ask = async {
        let already = wasm_bindgen_futures::JsFuture::from(storage.persisted().ok()?).await.ok()?.as_bool()?;
        if already {
            return Some(true);
        }
        wasm_bindgen_futures::JsFuture::from(storage.persist().ok()?).await.ok()?.as_bool()
    };
    ask.await
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function register_service_worker(onUpdateReady) {
  // This browser uses the whole wallet now: the server sends it at / (not the small first
  // screen a first-time visitor gets).
  document.cookie = "tally_wallet=1; Path=/; Max-Age=315360000; SameSite=Lax";
  if (!("serviceWorker" in navigator)) return;
  // After the page has loaded and gone idle: the first screen comes first.
  const idle = (go) => ("requestIdleCallback" in window ? requestIdleCallback(go, { timeout: 5000 }) : setTimeout(go, 1000));
  const loaded = new Promise((done) => {
    if (document.readyState === "complete") done();
    else window.addEventListener("load", () => done(), { once: true });
  });
  loaded.then(() => new Promise((done) => idle(done))).then(() => navigator.serviceWorker.register("/sw.js")).then((registration) => {
    const check = () => {
      if (registration.waiting && navigator.serviceWorker.controller) onUpdateReady();
    };
    check();
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      if (worker) worker.addEventListener("statechange", () => { if (worker.state === "installed") check(); });
    });
  }).catch(() => {});
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (window.__tallyUpdating && !reloading) { reloading = true; location.reload(); }
  });
}
export function apply_update() {
  window.__tallyUpdating = true;
  navigator.serviceWorker.getRegistration().then((r) => { if (r && r.waiting) r.waiting.postMessage("tally:update"); });
}
"#)]
extern "C" {
    /// Registers the service worker (`public/sw.js`) that keeps the app for offline use, and
    /// remembers (a cookie) that this browser uses the whole wallet, not the first screen;
    /// calls `on_update_ready` when a new version has been fetched and is waiting.
    #[wasm_bindgen::prelude::wasm_bindgen(js_name = register_service_worker)]
    fn register_service_worker_js(on_update_ready: &wasm_bindgen::JsValue);
    /// Lets the waiting version take over; the page reloads into it.
    #[wasm_bindgen::prelude::wasm_bindgen(js_name = apply_update)]
    pub fn apply_update();
}

/// See [`register_service_worker_js`].
pub fn register_service_worker(on_update_ready: impl FnMut() + 'static) {
    let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(on_update_ready);
    register_service_worker_js(callback.as_ref());
    // Lives as long as the page.
    callback.forget();
}

/// Shows `count` on the installed app's icon (the Badging API), or clears it at zero,
/// where the browser has it; elsewhere it does nothing.
pub fn set_app_badge(count: usize) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let name = if count > 0 { "setAppBadge" } else { "clearAppBadge" };
    let Ok(function) = js_sys::Reflect::get(&navigator, &wasm_bindgen::JsValue::from_str(name)) else {
        return;
    };
    let Some(function) = function.dyn_ref::<js_sys::Function>() else {
        return;
    };
    let called = match count {
        0 => function.call0(&navigator),
        n => function.call1(&navigator, &wasm_bindgen::JsValue::from_f64(n as f64)),
    };
    // A promise; a refusal (no permission to show badges) changes nothing for the person.
    if let Ok(promise) = called.and_then(|p| p.dyn_into::<js_sys::Promise>()) {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}
