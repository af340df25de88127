//! Receipt photos: made small in the browser, named by their SHA-256, kept in IndexedDB.
//!
//! A phone photo (12 megapixels, 5–10 MB) is decoded with `createImageBitmap` (off the main
//! thread in modern browsers), drawn at most 1600 pixels on its long side, and encoded as
//! JPEG with `canvas.toBlob` (also asynchronous), stepping the quality down until it is
//! about 200 KB or less. The page never blocks on it. The result is stored before the
//! spend is saved, so a photo taken with no signal is never lost; the spend refers to it
//! by hash, and the same photo is kept once.

use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, Query, TransactionMode};
use tally_ledger::{AccountId, ReceiptRef};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// About the size the council asked for: small enough to send on a poor connection,
/// clear enough to read.
pub const TARGET_BYTES: u32 = 200 * 1024;
/// The long side of a stored photo, in pixels: enough to read a till receipt.
const MAX_EDGE: u32 = 1600;
/// JPEG qualities tried in turn until the photo is small enough (not money: floats are
/// fine here).
const QUALITIES: [f64; 4] = [0.8, 0.65, 0.5, 0.35];
const DATABASE: &str = "tally-receipts";
/// Version 1: the photos. Version 2 adds which photos the council holds.
const DATABASE_VERSION: u32 = 2;
/// The photos: key the SHA-256, value the JPEG (or other image) Blob.
const STORE: &str = "receipts";
/// Which photos each account's council holds: key `"<account id>/<sha256>"`, value `true`.
/// A photo is sent only while its key is missing here.
const SENT_STORE: &str = "sent";

/// Why a photo could not be added. The form keeps everything else.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("That file is not a photo. Choose a photo of the receipt (for example a JPEG or PNG).")]
    NotAnImage,
    #[error("That photo could not be opened. Try taking it again, or choose another file.")]
    Unreadable,
    #[error(
        "This device could not keep the photo, perhaps because its storage is full. Free up some space and try again."
    )]
    Storage,
}

/// A receipt ready to attach: its name and its bytes as a Blob.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub reference: ReceiptRef,
    pub blob: web_sys::Blob,
}

impl Receipt {
    /// An address the page can show the photo from.
    pub fn object_url(&self) -> Option<String> {
        web_sys::Url::create_object_url_with_blob(&self.blob).ok()
    }

    pub fn size(&self) -> u32 {
        self.blob.size() as u32
    }
}

/// Makes a chosen or photographed file into a stored receipt.
pub async fn add(file: web_sys::File) -> Result<Receipt, ReceiptError> {
    if !file.type_().starts_with("image/") {
        return Err(ReceiptError::NotAnImage);
    }
    let blob = shrink(&file).await?;
    let reference = ReceiptRef(sha256_hex(&blob).await.ok_or(ReceiptError::Unreadable)?);
    let receipt = Receipt { reference, blob };
    store(&receipt).await.map_err(|_| ReceiptError::Storage)?;
    Ok(receipt)
}

async fn shrink(file: &web_sys::File) -> Result<web_sys::Blob, ReceiptError> {
    let window = web_sys::window().ok_or(ReceiptError::Unreadable)?;
    let decoding = window.create_image_bitmap_with_blob(file).map_err(|_| ReceiptError::Unreadable)?;
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(decoding).await.map_err(|_| ReceiptError::Unreadable)?.unchecked_into();
    let (width, height) = (bitmap.width(), bitmap.height());
    if width == 0 || height == 0 {
        return Err(ReceiptError::Unreadable);
    }
    let scale_to = |edge: u32| -> (u32, u32) {
        let long = width.max(height);
        if long <= edge {
            (width, height)
        } else {
            (
                (u64::from(width) * u64::from(edge) / u64::from(long)).max(1) as u32,
                (u64::from(height) * u64::from(edge) / u64::from(long)).max(1) as u32,
            )
        }
    };
    let document = window.document().ok_or(ReceiptError::Unreadable)?;
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").map_err(|_| ReceiptError::Unreadable)?.unchecked_into();
    let mut best: Option<web_sys::Blob> = None;
    'sizes: for edge in [MAX_EDGE, MAX_EDGE * 3 / 4, MAX_EDGE / 2] {
        let (w, h) = scale_to(edge);
        canvas.set_width(w);
        canvas.set_height(h);
        let context: web_sys::CanvasRenderingContext2d =
            canvas.get_context("2d").ok().flatten().ok_or(ReceiptError::Unreadable)?.unchecked_into();
        context
            .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, f64::from(w), f64::from(h))
            .map_err(|_| ReceiptError::Unreadable)?;
        for quality in QUALITIES {
            let blob = to_jpeg(&canvas, quality).await?;
            let small_enough = blob.size() <= f64::from(TARGET_BYTES);
            best = Some(blob);
            if small_enough {
                break 'sizes;
            }
        }
    }
    bitmap.close();
    canvas.set_width(0);
    canvas.set_height(0);
    best.ok_or(ReceiptError::Unreadable)
}

async fn to_jpeg(canvas: &web_sys::HtmlCanvasElement, quality: f64) -> Result<web_sys::Blob, ReceiptError> {
    let canvas = canvas.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let callback = wasm_bindgen::closure::Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if canvas
            .to_blob_with_type_and_encoder_options(callback.unchecked_ref(), "image/jpeg", &JsValue::from_f64(quality))
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    let blob = JsFuture::from(promise).await.map_err(|_| ReceiptError::Unreadable)?;
    blob.dyn_into::<web_sys::Blob>().map_err(|_| ReceiptError::Unreadable)
}

async fn sha256_hex(blob: &web_sys::Blob) -> Option<String> {
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let digest = JsFuture::from(subtle.digest_with_str_and_buffer_source("SHA-256", &buffer.unchecked_into()).ok()?)
        .await
        .ok()?;
    let bytes = js_sys::Uint8Array::new(&digest).to_vec();
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

async fn database() -> Result<Database, idb::Error> {
    let mut request = Factory::new()?.open(DATABASE, Some(DATABASE_VERSION))?;
    request.on_upgrade_needed(|event| {
        if let Ok(database) = event.database() {
            let names = database.store_names();
            for store in [STORE, SENT_STORE] {
                if !names.iter().any(|n| n == store) {
                    let _ = database.create_object_store(store, ObjectStoreParams::new());
                }
            }
        }
    });
    let mut database = request.await?;
    // A newer version of the app opening the database in another tab: let it.
    database.on_version_change(|event| {
        if let Ok(database) = event.database() {
            database.close();
        }
    });
    Ok(database)
}

async fn store(receipt: &Receipt) -> Result<(), idb::Error> {
    let database = database().await?;
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    let objects = transaction.object_store(STORE)?;
    objects.put(&receipt.blob, Some(&JsValue::from_str(&receipt.reference.0)))?.await?;
    transaction.commit()?.await?;
    database.close();
    Ok(())
}

/// Forgets receipt photos on this device.
pub async fn delete(references: &[ReceiptRef]) -> Result<(), ReceiptError> {
    let run = async {
        let database = database().await?;
        let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
        let objects = transaction.object_store(STORE)?;
        for reference in references {
            objects.delete(JsValue::from_str(&reference.0))?.await?;
        }
        transaction.commit()?.await?;
        database.close();
        Ok::<(), idb::Error>(())
    };
    run.await.map_err(|_| ReceiptError::Storage)
}

/// A stored receipt, if this device has it.
pub async fn load(reference: &ReceiptRef) -> Option<Receipt> {
    let database = database().await.ok()?;
    let transaction = database.transaction(&[STORE], TransactionMode::ReadOnly).ok()?;
    let value = transaction.object_store(STORE).ok()?.get(JsValue::from_str(&reference.0)).ok()?.await.ok()??;
    database.close();
    let blob = value.dyn_into::<web_sys::Blob>().ok()?;
    Some(Receipt { reference: reference.clone(), blob })
}

/// A photo's bytes and type, to send to the council.
pub async fn bytes(reference: &ReceiptRef) -> Option<(String, Vec<u8>)> {
    let receipt = load(reference).await?;
    let content_type = match receipt.blob.type_() {
        t if t.is_empty() => "image/jpeg".to_owned(),
        t => t,
    };
    let buffer = JsFuture::from(receipt.blob.array_buffer()).await.ok()?;
    Some((content_type, js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Keeps a photo fetched from the council, after checking it is the one named.
pub async fn keep(reference: &ReceiptRef, content_type: &str, bytes: &[u8]) -> Option<Receipt> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    if sha256_hex(&blob).await.as_deref() != Some(reference.0.as_str()) {
        return None;
    }
    let receipt = Receipt { reference: reference.clone(), blob };
    store(&receipt).await.ok()?;
    Some(receipt)
}

fn sent_key(account: AccountId, reference: &ReceiptRef) -> JsValue {
    JsValue::from_str(&format!("{account}/{}", reference.0))
}

/// Of these photos, the ones not yet known to be held by the account's council.
pub async fn not_sent(account: AccountId, references: &[ReceiptRef]) -> Result<Vec<ReceiptRef>, idb::Error> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let database = database().await?;
    let transaction = database.transaction(&[SENT_STORE], TransactionMode::ReadOnly)?;
    // One read of this account's keys.
    let range = crate::store::account_range(account)?;
    let keys = transaction.object_store(SENT_STORE)?.get_all_keys(Some(Query::KeyRange(range)), None)?.await?;
    database.close();
    let sent: std::collections::HashSet<String> = keys.iter().filter_map(JsValue::as_string).collect();
    Ok(references
        .iter()
        .filter(|r| !sent.contains(&sent_key(account, r).as_string().unwrap_or_default()))
        .cloned()
        .collect())
}

/// Notes that the account's council holds these photos.
pub async fn mark_sent(account: AccountId, references: &[ReceiptRef]) -> Result<(), idb::Error> {
    if references.is_empty() {
        return Ok(());
    }
    let database = database().await?;
    let transaction = database.transaction(&[SENT_STORE], TransactionMode::ReadWrite)?;
    let sent = transaction.object_store(SENT_STORE)?;
    for reference in references {
        sent.put(&JsValue::TRUE, Some(&sent_key(account, reference)))?.await?;
    }
    transaction.commit()?.await?;
    database.close();
    Ok(())
}
