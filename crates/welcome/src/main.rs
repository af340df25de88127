//! Tally's first screen, a build of its own: what a first-time visitor needs to pair their
//! phone, and nothing else, so it arrives quickly on a slow connection. Once paired (or
//! choosing to use Tally without a council), the person goes on to the whole wallet,
//! which from then on opens from its service worker.
//!
//! It writes the pairing where the wallet reads it (`tally.v2.sessions` in localStorage,
//! the council's answer as it came) and a cookie, `tally_wallet=1`, that tells the server
//! to send the whole wallet at `/` from now on.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_web::field::{ErrorSummary, PairingCodeField, TextField};

/// Where the wallet keeps its pairings (see the wallet's `store.rs`).
const SESSIONS_KEY: &str = "tally.v2.sessions";
/// Where the wallet keeps which person is shown.
const CURRENT_KEY: &str = "tally.v2.current";

fn main() {
    // Someone who already uses the wallet here (the cookie was lost): straight to it.
    let kept = storage().and_then(|s| s.get_item(SESSIONS_KEY).ok().flatten()).unwrap_or_default();
    if serde_json::from_str::<Vec<serde_json::Value>>(&kept).is_ok_and(|sessions| !sessions.is_empty()) {
        open_wallet("/");
        return;
    }
    mount_to_body(Welcome);
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Remembers that this browser uses the whole wallet, then goes to `path` in it.
fn open_wallet(path: &str) {
    use wasm_bindgen::JsCast;
    if let Some(document) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let _ = document.set_cookie("tally_wallet=1; Path=/; Max-Age=315360000; SameSite=Lax");
    }
    if let Some(location) = web_sys::window().map(|w| w.location()) {
        let _ = location.replace(path);
    }
}

/// Trades the code for this device's pairing: the council's answer, or what to tell the
/// person.
async fn pair(code: &str, label: String) -> Result<serde_json::Value, String> {
    let unreachable = || "Could not reach the council. Check this device is online, then try again.".to_owned();
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let body = serde_json::json!({ "code": code, "device_label": label, "held": [] });
    let response = reqwest::Client::new()
        .post(format!("{origin}/api/v1/pairings"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|_| unreachable())?;
    let status = response.status();
    let text = response.text().await.map_err(|_| unreachable())?;
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if status.is_success() {
        return Ok(answer);
    }
    // A refusal says why; the council's own trouble is "try again later".
    match answer["error"]["message"].as_str() {
        Some(message) if status.is_client_error() => Err(message.to_owned()),
        _ => Err(unreachable()),
    }
}

/// Keeps the pairing where the wallet reads it.
fn keep(answer: &serde_json::Value, logged_by: &str) -> Result<(), String> {
    let person = answer["account"]["person_name"].as_str().unwrap_or_default();
    let mut session = serde_json::json!({
        "device_id": answer["device_id"],
        "token": answer["token"],
        "account": answer["account"],
    });
    if !logged_by.is_empty() && logged_by != person {
        session["logged_by"] = serde_json::Value::from(logged_by);
    }
    let storage = storage().ok_or(
        "This browser does not let Tally keep anything. Allow it to store data for this site, then try again.",
    )?;
    let kept = storage
        .set_item(SESSIONS_KEY, &serde_json::Value::Array(vec![session]).to_string())
        .and_then(|()| storage.set_item(CURRENT_KEY, &answer["account"]["account_id"].to_string()));
    kept.map_err(|_| "This device's storage is full or switched off, so Tally could not keep the pairing. Free some space, then try again.".to_owned())
}

#[component]
fn Welcome() -> impl IntoView {
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    tally_web::browser::page_title("Connect to your council");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = code.get_untracked();
        if typed.trim().is_empty() {
            error.set(Some("Enter the pairing code your council gave you.".to_owned()));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let done = match pair(&typed, tally_web::browser::device_label()).await {
                Ok(answer) => keep(&answer, name.get_untracked().trim()),
                Err(message) => Err(message),
            };
            match done {
                Ok(()) => open_wallet("/"),
                Err(message) => {
                    error.set(Some(message));
                    busy.set(false);
                }
            }
        });
    };
    let errors = Signal::derive(move || error.get().map(|m| vec![("pairing-code", m)]).unwrap_or_default());
    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="app-header">
            <div class="app-header__inner">
                <p class="app-name">"Tally"</p>
            </div>
        </header>
        <main id="main" tabindex="-1">
            <h1>"Connect to your council"</h1>
            <p>"Tally keeps a record of how you spend your direct payment and sends it to your council. To start, enter the pairing code your council gave you."</p>
            <ErrorSummary errors=errors/>
            <form on:submit=submit novalidate>
                <PairingCodeField code error/>
                <TextField id="your-name" label="Your name (optional)"
                    hint="If you are a carer or helper, your name, so records show who logged them. Leave it empty if the payment is yours."
                    value=name error=Signal::derive(|| None::<String>) autocomplete="name"/>
                <button type="submit" class="button" aria-disabled=move || busy.get().then_some("true")>
                    {move || if busy.get() { "Connecting…" } else { "Connect this device" }}
                </button>
            </form>
            <h2>"No pairing code?"</h2>
            <p>"If you pay for your own care, or want to try Tally first, you can use it without a council. Everything stays on this device, and you can connect to a council later without losing anything."</p>
            <p><a href="/start-local" on:click=move |ev| {
                ev.prevent_default();
                open_wallet("/start-local");
            }>"Use Tally without a council"</a></p>
        </main>
    }
}
