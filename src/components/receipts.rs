//! Adding receipt photos to a spend, and showing them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_ledger::ReceiptRef;
use wasm_bindgen::JsCast;

use crate::app::use_wallet;
use crate::sync::SyncClient;
use crate::{browser, receipts};

/// A photo attached to the form.
#[derive(Clone, Debug, PartialEq)]
pub struct Attached {
    pub reference: ReceiptRef,
    pub url: String,
}

/// Two ways to add a photo (the camera, or a file already on the device), the photos
/// added so far, and a plain message when a file cannot be used.
#[component]
pub fn ReceiptPicker(receipts: RwSignal<Vec<Attached>>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let preparing = RwSignal::new(0u32);
    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let files: Vec<web_sys::File> =
            input.files().map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect()).unwrap_or_default();
        // Let the same file be chosen again later.
        input.set_value("");
        for file in files {
            preparing.update(|n| *n += 1);
            spawn_local(async move {
                match receipts::add(file).await {
                    Ok(receipt) => {
                        error.set(None);
                        if let Some(url) = receipt.object_url() {
                            receipts.update(|list| {
                                if !list.iter().any(|a| a.reference == receipt.reference) {
                                    list.push(Attached { reference: receipt.reference.clone(), url });
                                }
                            });
                        }
                    }
                    Err(problem) => error.set(Some(problem.to_string())),
                }
                preparing.update(|n| *n = n.saturating_sub(1));
            });
        }
    };
    view! {
        <fieldset class="field receipts" class:field--error=move || error.with(Option::is_some)>
            <legend>"Receipt photos"</legend>
            <p class="hint" id="receipt-hint">"Take a photo of the receipt or invoice, or choose one you already have. You can add more than one."</p>
            {move || error.get().map(|message| view! {
                <p class="field-error" id="receipt-error" role="alert"><span class="visually-hidden">"Error: "</span>{message}</p>
            })}
            <div class="file-choice">
                <label for="receipt-camera">"Take a photo"</label>
                <input type="file" id="receipt-camera" class="file-choice__input" accept="image/*" capture="environment"
                    aria-describedby="receipt-hint" on:change=on_files/>
            </div>
            <div class="file-choice">
                <label for="receipt-file">"Or choose a photo"</label>
                <input type="file" id="receipt-file" class="file-choice__input" accept="image/*" multiple
                    aria-describedby="receipt-hint" on:change=on_files/>
            </div>
            <p role="status" class="hint">{move || match preparing.get() {
                0 => String::new(),
                1 => "Making the photo smaller…".to_owned(),
                n => format!("Making {n} photos smaller…"),
            }}</p>
            <ul class="thumbnails">
                {move || receipts.get().into_iter().enumerate().map(|(i, attached)| {
                    let reference = attached.reference.clone();
                    view! {
                        <li>
                            <img src=attached.url.clone() alt=format!("Receipt photo {}", i + 1)/>
                            <button type="button" class="button button--secondary"
                                on:click=move |_| receipts.update(|list| list.retain(|a| a.reference != reference))>
                                {format!("Remove receipt photo {}", i + 1)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
    }
}

/// The photos of a saved spend, as thumbnails linking to the full size. A photo taken on
/// another phone is fetched from the council once and kept on this device; until that
/// phone has sent it, it is listed as added on another device.
#[component]
pub fn ReceiptGallery(references: Vec<ReceiptRef>) -> impl IntoView {
    let wallet = use_wallet();
    let loaded = RwSignal::new(None::<Vec<Option<String>>>);
    let wanted = references.clone();
    spawn_local(async move {
        let session = wallet.session.get_untracked().filter(|s| !s.local);
        let client = SyncClient::new(browser::api_base());
        let mut urls = Vec::with_capacity(wanted.len());
        for reference in &wanted {
            let mut receipt = receipts::load(reference).await;
            if let (None, Some(session)) = (&receipt, &session) {
                if let Ok(Some((content_type, bytes))) = client.download_receipt(session, reference).await {
                    receipt = receipts::keep(reference, &content_type, &bytes).await;
                    if receipt.is_some() {
                        let _ = receipts::mark_sent(session.account.account_id, std::slice::from_ref(reference)).await;
                    }
                }
            }
            urls.push(receipt.and_then(|r| r.object_url()));
        }
        loaded.set(Some(urls));
    });
    view! {
        <ul class="thumbnails">
            {move || loaded.get().map(|urls| urls.into_iter().enumerate().map(|(i, url)| {
                let label = format!("Receipt photo {}", i + 1);
                match url {
                    Some(url) => {
                        let full = url.clone();
                        view! {
                            <li><a href=full target="_blank" rel="noopener">
                                <img src=url alt=format!("{label} (opens full size)")/>
                            </a></li>
                        }.into_any()
                    }
                    None => view! {
                        <li><p>{format!("{label} was added on another device. It will show here once that device has sent it to the council.")}</p></li>
                    }.into_any(),
                }
            }).collect_view())}
        </ul>
    }
}
