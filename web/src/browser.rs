//! The few browser facilities the app uses, behind plain functions: a clock, fetching with
//! progress, reading a user's file, the URL, and page-wide keyboard shortcuts.
//!
//! Bulk bytes stay JS typed arrays here: they go from the network or the file straight to
//! the worker without a copy through the app's wasm memory.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::KeyboardEvent;

/// Milliseconds since the page (or worker) started, from `performance.now()`.
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    Reflect::get(&global, &"performance".into())
        .ok()
        .and_then(|p| {
            let now = Reflect::get(&p, &"now".into()).ok()?;
            now.dyn_ref::<js_sys::Function>()?.call0(&p).ok()
        })
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

pub(crate) fn describe(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Fetches `url` (same origin), calling `progress(done, total)` with the bytes received so
/// far as they arrive. With `gunzip`, the body is gzip that the browser unpacks as it
/// downloads (its native inflate, overlapped with the transfer); progress still counts the
/// bytes on the wire, against the `Content-Length`.
pub async fn fetch_bytes(
    url: &str,
    progress: Rc<dyn Fn(u64, Option<u64>)>,
    gunzip: bool,
) -> Result<Uint8Array, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: {}", describe(e)))?
        .dyn_into()
        .map_err(describe)?;
    if !resp.ok() {
        return Err(format!(
            "{url}: HTTP {} {}",
            resp.status(),
            resp.status_text()
        ));
    }
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    let Some(body) = resp.body() else {
        return Ok(Uint8Array::new_with_length(0));
    };
    progress(0, total);
    // Counts the bytes on the wire as they pass, before any unpacking.
    let counted = Cell::new(0u64);
    let counter = {
        let progress = progress.clone();
        Closure::<dyn FnMut(JsValue, JsValue)>::new(move |chunk: JsValue, controller: JsValue| {
            let n = Reflect::get(&chunk, &"byteLength".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as u64;
            counted.set(counted.get() + n);
            progress(counted.get(), total);
            if let Ok(enqueue) = Reflect::get(&controller, &"enqueue".into()) {
                if let Some(f) = enqueue.dyn_ref::<js_sys::Function>() {
                    let _ = f.call1(&controller, &chunk);
                }
            }
        })
    };
    let transformer = js_sys::Object::new();
    Reflect::set(&transformer, &"transform".into(), counter.as_ref()).map_err(describe)?;
    let count = web_sys::TransformStream::new_with_transformer(&transformer).map_err(describe)?;
    let mut stream = body.pipe_through(&through(&count)?);
    if gunzip {
        // `DecompressionStream` by name: web-sys has it only behind its unstable-API flag.
        let ctor = Reflect::get(&js_sys::global(), &"DecompressionStream".into())
            .map_err(describe)?
            .dyn_into::<js_sys::Function>()
            .map_err(|_| "this browser cannot unpack gzip streams".to_owned())?;
        let inflate =
            Reflect::construct(&ctor, &js_sys::Array::of1(&"gzip".into())).map_err(describe)?;
        stream = stream.pipe_through(&through(&inflate)?);
    }
    let all = read_all(&stream).await.map_err(|e| format!("{url}: {e}"));
    drop(counter);
    all
}

/// A stream's `{ readable, writable }` pair, to pipe through.
fn through(stream: &JsValue) -> Result<web_sys::ReadableWritablePair, String> {
    let get = |k: &str| Reflect::get(stream, &k.into()).map_err(describe);
    let readable: web_sys::ReadableStream = get("readable")?.dyn_into().map_err(describe)?;
    let writable: web_sys::WritableStream = get("writable")?.dyn_into().map_err(describe)?;
    Ok(web_sys::ReadableWritablePair::new(&readable, &writable))
}

/// Every chunk of `stream`, joined by the browser: one `Response::arrayBuffer()` reads the
/// whole stream natively, where a loop of `read()` awaited from Rust paid a promise round
/// trip and a copy per chunk (an unpacked kernel is ~90 chunks of 64 KiB).
async fn read_all(stream: &web_sys::ReadableStream) -> Result<Uint8Array, String> {
    let whole = web_sys::Response::new_with_opt_readable_stream(Some(stream)).map_err(describe)?;
    let buffer = JsFuture::from(whole.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok(Uint8Array::new(&buffer))
}

/// Reads a file the user picked or dropped.
pub async fn read_file(file: &web_sys::File) -> Result<Uint8Array, String> {
    let buf = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{}: {}", file.name(), describe(e)))?;
    Ok(Uint8Array::new(&buf))
}

/// The page's query string (`?…`).
pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Writes `search` into the address bar: a new history entry when `push`, else in place.
pub fn set_location_search(search: &str, push: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if window.location().search().ok().as_deref() == Some(search) {
        return;
    }
    let Ok(history) = window.history() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let url = format!("{path}{search}");
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

/// Offers `text` as a file download named `file_name`: a Blob URL behind a transient
/// `<a download>` (a download is not a fetch, so `connect-src 'self'` does not stand in the
/// way; the URL is revoked once the click has been handled).
pub fn download_text(file_name: &str, text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence(&parts).map_err(describe)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(describe)?;
    let a: web_sys::HtmlElement = document
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|e| describe(e.into()))?;
    let set = |k: &str, v: &str| a.set_attribute(k, v).map_err(describe);
    set("href", &url)?;
    set("download", file_name)?;
    set("hidden", "")?;
    let body = document.body().ok_or("no body")?;
    body.append_child(&a).map_err(describe)?;
    a.click();
    a.remove();
    // Revoked after the click's navigation has started.
    wasm_bindgen_futures::spawn_local(async move {
        yew::platform::time::sleep(std::time::Duration::from_secs(10)).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

/// Puts `text` on the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    JsFuture::from(window.navigator().clipboard().write_text(text))
        .await
        .map(|_| ())
        .map_err(describe)
}

/// Calls `handler` with every key pressed on the page, except keys typed into a form field.
/// Returns the function that stops listening (a `use_effect` cleanup).
pub fn on_page_key(mut handler: impl FnMut(&KeyboardEvent) + 'static) -> impl FnOnce() {
    let on_key = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        let typing = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if !typing {
            handler(&e);
        }
    });
    let doc = web_sys::window().and_then(|w| w.document());
    if let Some(d) = &doc {
        let _ = d.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    }
    move || {
        if let Some(d) = &doc {
            let _ =
                d.remove_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        }
    }
}
