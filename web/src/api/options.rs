//! The options objects of the JS API, read field by field.
//!
//! Six fields in two shapes do not need a deserializer: serde-wasm-bindgen's, with its
//! `Unexpected` messages, brought Rust's float formatting into the engine's wasm (~5 KB
//! gzip'd) for these alone. Reading them here also words the errors for a JS caller.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsError, JsValue};

use corelab::libbpf::Libbpf;

use crate::dto::guard::WhatIf;
use crate::session::whatif::release;

/// An options object: `undefined` and `null` are an empty one.
pub struct Options {
    object: Option<Object>,
}

impl Options {
    /// Reads `value`, whose fields must be among `known` (a misspelt option, `root` for
    /// `roots`, is an error rather than silently ignored).
    pub fn new(value: JsValue, known: &[&str]) -> Result<Options, JsError> {
        if value.is_undefined() || value.is_null() {
            return Ok(Options { object: None });
        }
        let object = value
            .dyn_into::<Object>()
            .ok()
            .filter(|o| !Array::is_array(o))
            .ok_or_else(|| JsError::new("options: expected an object"))?;
        for key in Object::keys(&object).iter().filter_map(|k| k.as_string()) {
            if !known.contains(&key.as_str()) {
                return Err(JsError::new(&format!(
                    "options: unknown field `{key}`, expected one of {}",
                    known.join(", ")
                )));
            }
        }
        Ok(Options {
            object: Some(object),
        })
    }

    /// Field `key`, `None` when absent, `undefined` or `null`.
    fn field(&self, key: &str) -> Option<JsValue> {
        let v = Reflect::get(self.object.as_ref()?, &key.into()).ok()?;
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    /// A string field.
    pub fn string(&self, key: &str) -> Result<Option<String>, JsError> {
        self.field(key)
            .map(|v| v.as_string().ok_or_else(|| wrong(key, "a string")))
            .transpose()
    }

    /// A boolean field (absent: false).
    pub fn flag(&self, key: &str) -> Result<bool, JsError> {
        self.field(key).map_or(Ok(false), |v| {
            v.as_bool().ok_or_else(|| wrong(key, "true or false"))
        })
    }

    /// An array of strings (absent: empty).
    pub fn strings(&self, key: &str) -> Result<Vec<String>, JsError> {
        let Some(v) = self.field(key) else {
            return Ok(Vec::new());
        };
        let items: Array = v
            .dyn_into()
            .map_err(|_| wrong(key, "an array of strings"))?;
        items
            .iter()
            .map(|s| {
                s.as_string()
                    .ok_or_else(|| wrong(key, "an array of strings"))
            })
            .collect()
    }

    /// An array of `[name, value]` string pairs (absent: empty).
    pub fn pairs(&self, key: &str) -> Result<Vec<(String, String)>, JsError> {
        let Some(v) = self.field(key) else {
            return Ok(Vec::new());
        };
        let expected = "an array of [name, value] string pairs";
        let items: Array = v.dyn_into().map_err(|_| wrong(key, expected))?;
        items
            .iter()
            .map(|pair| {
                let pair: Array = pair.dyn_into().map_err(|_| wrong(key, expected))?;
                match (
                    pair.length(),
                    pair.get(0).as_string(),
                    pair.get(1).as_string(),
                ) {
                    (2, Some(name), Some(value)) => Ok((name, value)),
                    _ => Err(wrong(key, expected)),
                }
            })
            .collect()
    }
}

fn wrong(key: &str, expected: &str) -> JsError {
    JsError::new(&format!("options: `{key}` must be {expected}"))
}

/// The fields of [`WhatIf`] as JS spells them, and the libbpf release.
const WHATIF_FIELDS: [&str; 4] = ["kernelRelease", "set", "hide", "libbpf"];

/// What-if settings `{ kernelRelease, set: [[name, value]], hide, libbpf }`; `libbpf` is
/// `"1.5"` or `"1.7"` (the default).
pub fn whatif(value: JsValue) -> Result<WhatIf, JsError> {
    let o = Options::new(value, &WHATIF_FIELDS)?;
    let libbpf = match o.string("libbpf")? {
        Some(v) => v
            .parse()
            .map_err(|e: String| JsError::new(&format!("options: `libbpf`: {e}")))?,
        None => Libbpf::default(),
    };
    Ok(WhatIf {
        kernel_release: o.string("kernelRelease")?,
        set: o.pairs("set")?,
        hide: o.strings("hide")?,
        libbpf: release(libbpf),
    })
}
