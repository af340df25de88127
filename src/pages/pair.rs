//! Pairing: the person types the code their council gave them, and this device joins
//! their account.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_wallet;
use crate::browser;
use crate::components::field::{ErrorSummary, PairingCodeField, TextField};
use crate::store::Session;
use crate::sync::{SyncClient, SyncError};

#[component]
pub fn Pair() -> impl IntoView {
    let wallet = use_wallet();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let adding = wallet.sessions.with_untracked(|s| !s.is_empty());
    // Connecting records kept with no council: `?join=<local account id>`.
    let joining: Option<tally_ledger::AccountId> = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("join").and_then(|id| id.parse().ok()).map(tally_ledger::AccountId));
    let navigate = leptos_router::hooks::use_navigate();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

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
        let navigate = navigate.clone();
        spawn_local(async move {
            let client = SyncClient::new(browser::api_base());
            let held = wallet.sessions.with_untracked(|all| {
                all.iter()
                    .filter(|s| !s.local)
                    .map(|s| tally_api::HeldPairing { device_id: s.device_id, token: s.token.clone() })
                    .collect()
            });
            match client.pair(&typed, browser::device_label(), held).await {
                Ok(response) => {
                    error.set(None);
                    let logged_by = Some(name.get_untracked().trim().to_owned())
                        .filter(|n| !n.is_empty() && *n != response.account.person_name);
                    let session = Session {
                        device_id: response.device_id,
                        token: response.token,
                        account: response.account,
                        logged_by,
                        local: false,
                    };
                    match joining {
                        Some(local) => wallet.connect_local(local, session),
                        None => wallet.paired(session),
                    }
                    if adding {
                        navigate("/", Default::default());
                    }
                }
                Err(SyncError::Unreachable) => error
                    .set(Some("Could not reach the council. Check this device is online, then try again.".to_owned())),
                Err(SyncError::NotPaired(message)) | Err(SyncError::Refused(message)) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };

    let errors = Signal::derive(move || error.get().map(|m| vec![("pairing-code", m)]).unwrap_or_default());

    let heading = match (joining.is_some(), adding) {
        (true, _) => "Connect to your council",
        (false, true) => "Add a person to this device",
        (false, false) => "Connect to your council",
    };
    crate::app::page_title(heading);
    view! {
        <h1>{heading}</h1>
        <p>
            {if joining.is_some() {
                "Enter the pairing code your council gave you. Everything you logged on this device will be kept and sent to the council."
            } else if adding {
                "If you look after someone else's direct payment, enter the pairing code the council gave you for them. You can switch between people from the top of every screen."
            } else {
                "Tally keeps a record of how you spend your direct payment and sends it to your council. To start, enter the pairing code your council gave you."
            }}
        </p>
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
        {joining.is_none().then(|| view! {
            <h2>"No pairing code?"</h2>
            <p>"If you pay for your own care, or want to try Tally first, you can use it without a council. Everything stays on this device, and you can connect to a council later without losing anything."</p>
            <p><leptos_router::components::A href="/start-local">"Use Tally without a council"</leptos_router::components::A></p>
        })}
    }
}
