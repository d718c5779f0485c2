//! The JS side of a message: the envelope `postMessage` carries and its typed-array blobs.

use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use super::{decode, encode};
use crate::query::Blob;

/// A message as it crosses `postMessage`.
#[derive(Debug)]
pub struct Envelope<T> {
    /// Pairs a reply with its request.
    pub id: u32,
    /// An early, incomplete answer (the whole one follows under the same id).
    pub part: bool,
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
            .and_then(|()| set("part", &self.part.into()))
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
        let part = get("part")?.as_bool().unwrap_or(false);
        let body = get("body")?
            .dyn_into::<Uint8Array>()
            .map_err(|_| "message without a body")?;
        let body = decode(&body.to_vec())?;
        let blobs = get("blobs")?
            .dyn_into::<Array>()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        Ok(Envelope {
            id,
            part,
            body,
            blobs,
        })
    }
}

/// A blob of bytes.
pub fn bytes_blob(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

/// Blobs as typed arrays (copied out of the wasm memory once, then transferred).
pub fn blobs_to_js(blobs: &[Blob]) -> Vec<JsValue> {
    blobs
        .iter()
        .map(|b| match b {
            Blob::Bytes(b) => bytes_blob(b),
            Blob::Words(w) => Uint32Array::from(w.as_slice()).into(),
        })
        .collect()
}

/// Typed arrays as blobs (anything else is an empty blob).
pub fn blobs_from_js(blobs: &[JsValue]) -> Vec<Blob> {
    blobs
        .iter()
        .map(|b| {
            if let Some(w) = b.dyn_ref::<Uint32Array>() {
                Blob::Words(w.to_vec())
            } else if let Some(b) = b.dyn_ref::<Uint8Array>() {
                Blob::Bytes(b.to_vec())
            } else {
                Blob::Bytes(Vec::new())
            }
        })
        .collect()
}

/// Blob `i` as bytes (empty if missing or of the wrong type).
pub fn blob_bytes(blobs: &[JsValue], i: usize) -> Vec<u8> {
    blobs
        .get(i)
        .and_then(|b| b.dyn_ref::<Uint8Array>())
        .map(Uint8Array::to_vec)
        .unwrap_or_default()
}
