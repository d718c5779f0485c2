//! The embed's inbox: files the embedding page posts to the iframe (the protocol and its
//! checks are [`crate::inbox`]), loaded as the user's own files would be, answered with
//! ready or error once the load is over.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;
use yew::prelude::*;

use super::{use_loader, use_workspace, Loader};
use crate::inbox::{self, FileKind, PostedFile};
use crate::state::{Source, Workspace};

/// A posted file being loaded.
struct Pending {
    file: PostedFile,
    /// Where to answer.
    origin: String,
    /// Its load has been seen under way.
    started: bool,
}

type Inbox = Rc<RefCell<Vec<Pending>>>;

fn field(o: &JsValue, name: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// The bytes of an `ArrayBuffer` or of any view of one (not copied).
fn bytes_of(v: &JsValue) -> Option<Uint8Array> {
    if let Some(b) = v.dyn_ref::<ArrayBuffer>() {
        return Some(Uint8Array::new(b));
    }
    if !ArrayBuffer::is_view(v) {
        return None;
    }
    let buffer = field(v, "buffer").dyn_into::<ArrayBuffer>().ok()?;
    let offset = field(v, "byteOffset").as_f64()? as u32;
    let len = field(v, "byteLength").as_f64()? as u32;
    Some(Uint8Array::new_with_byte_offset_and_length(
        &buffer, offset, len,
    ))
}

/// Posts `{type, kind, name, message}` to the parent, for `origin` only.
fn answer(kind: &str, name: &str, what: &str, message: Option<&str>, origin: &str) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let o = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    };
    set("type", &JsValue::from_str(what));
    set("kind", &JsValue::from_str(kind));
    set("name", &JsValue::from_str(name));
    set("message", &message.map_or(JsValue::NULL, JsValue::from_str));
    // An opaque origin ("null": a sandboxed or file: page) can only be answered with "*";
    // the answer says no more than the sender's own message.
    let target = if origin == "null" { "*" } else { origin };
    let _ = parent.post_message(&o, target);
}

/// Tells the parent the inbox listens (`origin`: to whom; the greeting holds no data).
fn hello(origin: &str) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let o = Object::new();
    let _ = Reflect::set(&o, &"type".into(), &JsValue::from_str(inbox::HELLO));
    let target = if origin == "null" { "*" } else { origin };
    let _ = parent.post_message(&o, target);
}

fn on_message(e: &MessageEvent, loader: &Loader, posted: &Inbox) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // The embedding page only: not another frame, window or opener.
    let parent = window.parent().ok().flatten();
    let from_parent = match (e.source(), parent) {
        (Some(src), Some(p)) => Object::is(&src, &p) && !Object::is(&p, &window),
        _ => false,
    };
    let data = e.data();
    let what = field(&data, "type").as_string();
    if !from_parent {
        return;
    }
    let origin = e.origin();
    // A page that missed the greeting (it listened late) asks for it again.
    if what.as_deref() == Some(inbox::HELLO) {
        return hello(&origin);
    }
    if what.as_deref() != Some(inbox::FILE) {
        return;
    }
    let kind = field(&data, "kind").as_string();
    let name = field(&data, "name").as_string();
    let bytes = bytes_of(&field(&data, "bytes"));
    let checked = inbox::check(
        kind.as_deref(),
        name.as_deref(),
        bytes.as_ref().map(|b| b.length()),
    );
    let (file, bytes) = match (checked, bytes) {
        (Ok(f), Some(b)) => (f, b),
        (Err(why), _) => {
            let (k, n) = (kind.unwrap_or_default(), name.unwrap_or_default());
            return answer(&k, &n, inbox::ERROR, Some(&why), &origin);
        }
        (Ok(f), None) => {
            let why = "bytes must be an ArrayBuffer or a typed array";
            return answer(f.kind.label(), &f.name, inbox::ERROR, Some(why), &origin);
        }
    };
    let parts = Array::of1(&bytes);
    let blob = match web_sys::File::new_with_u8_array_sequence(&parts, &file.name) {
        Ok(f) => f,
        Err(_) => {
            let why = "the browser could not make a file of the bytes";
            return answer(
                file.kind.label(),
                &file.name,
                inbox::ERROR,
                Some(why),
                &origin,
            );
        }
    };
    posted.borrow_mut().push(Pending {
        file: file.clone(),
        origin,
        started: false,
    });
    match file.kind {
        FileKind::Object => loader.upload_object(blob),
        FileKind::Btf => loader.upload_kernel(blob),
    }
}

/// Answers the posted files whose loads are over.
fn settle(posted: &Inbox, s: &Workspace) {
    posted.borrow_mut().retain_mut(|p| {
        let upload = Source::Upload(p.file.name.clone());
        let (loading, loaded) = match p.file.kind {
            FileKind::Object => (
                s.object.loading.as_ref().map(|l| &l.source),
                s.object.object.as_ref().map(|o| &o.source),
            ),
            FileKind::Btf => (
                s.kernel.loading.as_ref().map(|l| &l.source),
                s.kernel.kernel.as_ref().map(|k| &k.source),
            ),
        };
        if loading == Some(&upload) {
            p.started = true;
            return true;
        }
        if !p.started {
            return true;
        }
        let kind = p.file.kind.label();
        if loaded == Some(&upload) {
            answer(kind, &p.file.name, inbox::READY, None, &p.origin);
        } else {
            let why = s.error.as_deref().unwrap_or("the file did not load");
            answer(kind, &p.file.name, inbox::ERROR, Some(why), &p.origin);
        }
        false
    });
}

/// In embed mode, listens for files from the embedding page (and says hello to it), loads
/// them, and answers each once its load is over.
#[hook]
pub fn use_embed_inbox() {
    let s = use_workspace();
    let loader = use_loader();
    let posted: Inbox = use_mut_ref(Vec::new);
    let embed = s.embed.is_some();
    {
        let posted = posted.clone();
        use_effect_with(embed, move |&embed| {
            let window = web_sys::window();
            let listener = window.as_ref().filter(|_| embed).map(|w| {
                let cb = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                    on_message(&e, &loader, &posted)
                });
                let _ = w.add_event_listener_with_callback("message", cb.as_ref().unchecked_ref());
                // Framed: tell the parent it can post now.
                if w.parent()
                    .ok()
                    .flatten()
                    .is_some_and(|p| !Object::is(&p, w))
                {
                    hello("*");
                }
                cb
            });
            move || {
                if let (Some(w), Some(cb)) = (window, listener) {
                    let _ = w.remove_event_listener_with_callback(
                        "message",
                        cb.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    let progress = (
        s.kernel.loading.as_ref().map(|l| l.source.clone()),
        s.kernel.kernel.as_ref().map(|k| k.source.clone()),
        s.object.loading.as_ref().map(|l| l.source.clone()),
        s.object.object.as_ref().map(|o| o.source.clone()),
        s.error.clone(),
    );
    use_effect_with(progress, move |_| settle(&posted, &s));
}
