//! The JS side of a message: the envelope `postMessage` carries and its typed-array blobs.

use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use super::{decode, encode};
use crate::dto::{DocumentData, TypeIndexData};

/// A message as it crosses `postMessage`.
#[derive(Debug)]
pub struct Envelope<T> {
    /// Pairs a reply with its request.
    pub id: u32,
    /// The request or reply.
    pub body: T,
    /// Bulk data (typed arrays).
    pub blobs: Vec<JsValue>,
}

impl<T: Serialize> Envelope<T> {
    /// The JS message and the list of buffers to transfer with it.
    pub fn pack(&self) -> Result<(JsValue, Array), String> {
        let msg = Object::new();
        let body = bytes_blob(&encode(&self.body)?);
        let blobs = Array::new();
        let transfer = Array::new();
        for b in std::iter::once(&body).chain(&self.blobs) {
            if let Ok(buf) = Reflect::get(b, &"buffer".into()) {
                transfer.push(&buf);
            }
        }
        for b in &self.blobs {
            blobs.push(b);
        }
        let set = |k: &str, v: &JsValue| Reflect::set(&msg, &k.into(), v).map(|_| ());
        set("id", &self.id.into())
            .and_then(|()| set("body", &body))
            .and_then(|()| set("blobs", &blobs))
            .map_err(|e| format!("{e:?}"))?;
        Ok((msg.into(), transfer))
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// Reads a message that arrived.
    pub fn unpack(msg: &JsValue) -> Result<Envelope<T>, String> {
        let get = |k: &str| Reflect::get(msg, &k.into()).map_err(|e| format!("{e:?}"));
        let id = get("id")?.as_f64().ok_or("message without id")? as u32;
        let body = get("body")?
            .dyn_into::<Uint8Array>()
            .map_err(|_| "message without a body")?;
        let body = decode(&body.to_vec())?;
        let blobs = get("blobs")?
            .dyn_into::<Array>()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        Ok(Envelope { id, body, blobs })
    }
}

/// A blob of bytes.
pub fn bytes_blob(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

/// A blob of 32-bit words.
pub fn words_blob(w: &[u32]) -> JsValue {
    Uint32Array::from(w).into()
}

/// Blob `i` as bytes (empty if missing or of the wrong type).
pub fn blob_bytes(blobs: &[JsValue], i: usize) -> Vec<u8> {
    blobs
        .get(i)
        .and_then(|b| b.dyn_ref::<Uint8Array>())
        .map(Uint8Array::to_vec)
        .unwrap_or_default()
}

/// Blob `i` as 32-bit words (empty if missing or of the wrong type).
pub fn blob_words(blobs: &[JsValue], i: usize) -> Vec<u32> {
    blobs
        .get(i)
        .and_then(|b| b.dyn_ref::<Uint32Array>())
        .map(Uint32Array::to_vec)
        .unwrap_or_default()
}

fn blob_string(blobs: &[JsValue], i: usize) -> String {
    String::from_utf8(blob_bytes(blobs, i))
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The blobs of a type index.
pub fn index_blobs(d: &TypeIndexData) -> Vec<JsValue> {
    vec![
        bytes_blob(d.names.as_bytes()),
        words_blob(&d.ids),
        bytes_blob(&d.kinds),
    ]
}

/// A type index from its blobs.
pub fn index_from_blobs(blobs: &[JsValue]) -> TypeIndexData {
    TypeIndexData {
        names: blob_string(blobs, 0),
        ids: blob_words(blobs, 1),
        kinds: blob_bytes(blobs, 2),
    }
}

/// The blobs of a document.
pub fn document_blobs(d: &DocumentData) -> Vec<JsValue> {
    vec![
        bytes_blob(d.text.as_bytes()),
        words_blob(&d.line_starts),
        words_blob(d.links.as_flattened()),
        words_blob(&d.anchors),
    ]
}

/// A document from its blobs.
pub fn document_from_blobs(blobs: &[JsValue]) -> DocumentData {
    let flat = blob_words(blobs, 2);
    DocumentData {
        text: blob_string(blobs, 0),
        line_starts: blob_words(blobs, 1),
        links: flat.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(),
        anchors: blob_words(blobs, 3),
    }
}
