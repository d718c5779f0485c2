//! The JavaScript API for documentation authors: `corelab.js` + `corelab_bg.wasm`.
//!
//! ```js
//! import init, { parse, info, dump } from "./corelab.js";
//! await init();
//! const btf = parse(bytes, "vmlinux");      // throws Error("vmlinux: offset 0x…: …")
//! const ext4 = Btf.parseSplit(ko, btf, "ext4.ko");  // a module's split BTF over it
//! btf.info();                               // { content, types, kinds: [{kind, count}], features, minimum, … }
//! btf.find("task_struct");                  // [id, …]
//! btf.type(id);                             // { id, kind, name, size, lines: [[{text, link?}]] }
//! btf.dumpType(id);                         // bpftool's raw listing of one type
//! btf.dump();                               // the whole raw listing
//! btf.free();
//! ```
//!
//! Results are plain JS objects (serde-wasm-bindgen of [`crate::dto`]). Later rounds add
//! `header`, `reloc` and `guard` as more methods of [`Btf`] and more functions here.
//!
//! The `#[wasm_bindgen]` exports exist only with the `api` feature, which the `corelab` bin
//! is built with: the app's own wasm must not carry the engine.

use serde::Serialize;
use wasm_bindgen::{JsError, JsValue};

#[cfg(feature = "api")]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::session::Kernel;

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// A parsed BTF (raw, ELF, compressed: detected by content).
#[cfg_attr(feature = "api", wasm_bindgen)]
#[derive(Debug)]
pub struct Btf {
    kernel: Kernel,
}

#[cfg_attr(feature = "api", wasm_bindgen)]
impl Btf {
    /// Parses `bytes`; `name` is used in error messages.
    pub fn parse(bytes: &[u8], name: Option<String>) -> Result<Btf, JsError> {
        let label = name.unwrap_or_else(|| "input".to_owned());
        Kernel::load(&label, bytes, None)
            .map(|kernel| Btf { kernel })
            .map_err(|e| JsError::new(&e))
    }

    /// Parses `bytes` as split BTF (a kernel module's) over `base` (its vmlinux).
    #[cfg_attr(feature = "api", wasm_bindgen(js_name = "parseSplit"))]
    pub fn parse_split(bytes: &[u8], base: &Btf, name: Option<String>) -> Result<Btf, JsError> {
        let label = name.unwrap_or_else(|| "input".to_owned());
        Kernel::load(&label, bytes, Some(&base.kernel))
            .map(|kernel| Btf { kernel })
            .map_err(|e| JsError::new(&e))
    }

    /// What `corelab info` says: content, header, kinds, features, minimum releases.
    pub fn info(&self) -> Result<JsValue, JsError> {
        to_js(&self.kernel.summary())
    }

    /// Number of types the blob defines.
    #[cfg_attr(feature = "api", wasm_bindgen(getter))]
    pub fn types(&self) -> u32 {
        self.kernel.btf().own_type_count()
    }

    /// Ids of the types named exactly `name`.
    pub fn find(&self, name: &str) -> Vec<u32> {
        self.kernel.find(name)
    }

    /// One type as lines of spans, `{text, link?}` (links are type ids); `null` if no such id.
    #[cfg_attr(feature = "api", wasm_bindgen(js_name = "type"))]
    pub fn type_detail(&self, id: u32) -> Result<JsValue, JsError> {
        to_js(&self.kernel.type_detail(id))
    }

    /// bpftool's raw listing of one type; `undefined` if no such id.
    #[cfg_attr(feature = "api", wasm_bindgen(js_name = "dumpType"))]
    pub fn dump_type(&self, id: u32) -> Option<String> {
        let btf = self.kernel.btf();
        btf.type_by_id(corelab::btf::TypeId(id))?;
        Some(corelab::dump::type_to_string(btf, corelab::btf::TypeId(id)))
    }

    /// The whole raw listing (`bpftool btf dump file`).
    pub fn dump(&self) -> String {
        self.kernel.raw_listing_text()
    }
}

/// Parses `bytes` (see [`Btf::parse`]).
#[cfg_attr(feature = "api", wasm_bindgen)]
pub fn parse(bytes: &[u8], name: Option<String>) -> Result<Btf, JsError> {
    Btf::parse(bytes, name)
}

/// One call: what `corelab info` says about `bytes`.
#[cfg_attr(feature = "api", wasm_bindgen)]
pub fn info(bytes: &[u8]) -> Result<JsValue, JsError> {
    Btf::parse(bytes, None)?.info()
}

/// One call: the raw listing of `bytes`.
#[cfg_attr(feature = "api", wasm_bindgen)]
pub fn dump(bytes: &[u8]) -> Result<String, JsError> {
    Ok(Btf::parse(bytes, None)?.dump())
}

/// The engine's version.
#[cfg_attr(feature = "api", wasm_bindgen)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
