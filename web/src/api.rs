//! The JavaScript API for documentation authors: `corelab.js` + `corelab_bg.wasm`.
//!
//! ```js
//! import init, { parse, info, dump, BpfObject, reloc, explain, guard } from "./corelab.js";
//! await init();
//! const btf = parse(bytes, "vmlinux");      // throws Error("vmlinux: offset 0x…: …")
//! const ext4 = Btf.parseSplit(ko, btf, "ext4.ko");  // a module's split BTF over it
//! const both = btf.withModule(ext4ko, "ext4.ko").withModule(bbrko, "tcp_bbr.ko");
//!                                           // merged as bpftool 7.8 merges; reloc searches vmlinux, then each
//! btf.info();                               // { content, types, kinds: [{kind, count}], features, minimum, … }
//! btf.find("task_struct");                  // [id, …]
//! btf.type(id);                             // { id, kind, name, size, lines: [[{text, link?}]] }
//! btf.dumpType(id);                         // bpftool's raw listing of one type
//! btf.dump();                               // the whole raw listing
//! btf.header();                             // vmlinux.h exactly as `bpftool btf dump file … format c`
//! btf.header({ profile: "bpftool-7.1", roots: ["task_struct"], helperTypes: true });
//! btf.layout("task_struct");                // pahole's layout text
//!
//! const obj = BpfObject.parse(objBytes, "prog.bpf.o");
//! obj.summary();                            // { programs, knobs, … }
//! reloc(obj, btf);                          // { rows: [{ index, program, insn, kind, access, outcome, before, after, … }], … }
//! explain(obj, btf, 3);                     // record 3: specs, candidates, values, libbpf's log
//! guard(obj, btf, { kernelRelease: "5.4.0", set: [["CONFIG_HZ", "250"]], hide: ["task_struct.__state"] });
//!                                           // { programs: [{ name, verdict, … }], flow, … }
//! reloc(obj, btf, { libbpf: "1.5" });       // as libbpf 1.5 relocates (default "1.7")
//! btf.free(); obj.free();
//! ```
//!
//! Results are plain JS objects (serde-wasm-bindgen of [`crate::dto`]); options objects are
//! optional and their fields too. Errors are thrown as `Error` with a one-line message.
//! An input unpacks to at most 256 MiB here (`corelab::input::Limits::MAX_UNPACKED` on
//! wasm32; the error says why): a tab's WebAssembly memory holds it and its parse.
//!
//! The `#[wasm_bindgen]` exports exist only with the `api` feature, which the `corelab` bin
//! is built with: the app's own wasm must not carry the engine.

mod options;

use serde::Serialize;
use wasm_bindgen::{JsError, JsValue};

#[cfg(feature = "api")]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::browser::now_ms;
use crate::session::header::HeaderRequest;
use crate::session::{self, whatif, Kernel, LoadedObject};

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

    /// This kernel with kernel module `bytes` (`.ko` or split BTF) opened over it, as a new
    /// `Btf`; on a `Btf` that is already modules, one more module of their kernel, merged
    /// with them as bpftool 7.8 merges (`bpftool -B VMLINUX btf dump file MOD1 file MOD2`).
    /// `reloc`, `explain` and `guard` against it search the kernel, then each module in
    /// order, as libbpf on a live kernel (`in [ext4]`).
    #[cfg_attr(feature = "api", wasm_bindgen(js_name = "withModule"))]
    pub fn with_module(&self, bytes: &[u8], name: Option<String>) -> Result<Btf, JsError> {
        let label = name.unwrap_or_else(|| "module".to_owned());
        Kernel::layer(&label, bytes, &self.kernel)
            .map(|kernel| Btf { kernel })
            .map_err(|e| {
                JsError::new(match &e {
                    session::LayerError::Parse(m) | session::LayerError::Merge(m) => m,
                })
            })
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

    /// The C header (`vmlinux.h`): options `{ profile, roots, helperTypes }`. libbpf's
    /// warnings, if any, go to the console as bpftool prints them on stderr.
    pub fn header(&self, options: JsValue) -> Result<String, JsError> {
        let o = options::Options::new(options, &["profile", "roots", "helperTypes"])?;
        let profile = o.string("profile")?;
        let roots = o.strings("roots")?;
        let req = HeaderRequest {
            profile: profile.as_deref().unwrap_or("bpftool"),
            roots: &roots,
            with_helpers: o.flag("helperTypes")?,
        };
        let (text, warnings) = self.kernel.header_text(req).map_err(|e| JsError::new(&e))?;
        for w in warnings {
            web_sys::console::warn_1(&w.into());
        }
        Ok(text)
    }

    /// The layout of a struct or union as pahole prints it (`pahole -C NAME`).
    pub fn layout(&self, name: &str) -> Result<String, JsError> {
        self.kernel.layout(name).map_err(|e| JsError::new(&e))
    }
}

/// A parsed BPF object (ELF, possibly compressed).
#[cfg_attr(feature = "api", wasm_bindgen)]
#[derive(Debug)]
pub struct BpfObject {
    object: LoadedObject,
}

#[cfg_attr(feature = "api", wasm_bindgen)]
impl BpfObject {
    /// Parses `bytes`; `name` is used in error messages.
    pub fn parse(bytes: &[u8], name: Option<String>) -> Result<BpfObject, JsError> {
        let label = name.unwrap_or_else(|| "object".to_owned());
        LoadedObject::load(&label, bytes)
            .map(|object| BpfObject { object })
            .map_err(|e| JsError::new(&e))
    }

    /// Its programs, sections, maps and what-if knobs.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.object.summary())
    }
}

/// The relocation target: `btf` with what `whatif` hides, relocated against as its libbpf
/// release does.
fn target(btf: &Btf, whatif: &crate::dto::guard::WhatIf) -> Result<whatif::Target, JsError> {
    let mut t = whatif::hidden_copy(&btf.kernel, &whatif.hide).map_err(|e| JsError::new(&e))?;
    t.libbpf = whatif::libbpf(whatif.libbpf);
    Ok(t)
}

/// Every CO-RE relocation of `object` against `btf`, as libbpf resolves it. `whatif`:
/// optional `{ hide: ["task_struct.__state", "bpf_dynptr"], libbpf: "1.5" }` (libbpf's
/// release: `"1.7"`, the default, or `"1.5"`).
#[cfg_attr(feature = "api", wasm_bindgen)]
pub fn reloc(object: &BpfObject, btf: &Btf, whatif: JsValue) -> Result<JsValue, JsError> {
    let w = options::whatif(whatif)?;
    to_js(&session::relocation_table(
        &object.object,
        &target(btf, &w)?,
        now_ms,
    ))
}

/// The explanation of CO-RE record `index` (its position in `.BTF.ext`): local and target
/// specs, every candidate and why it matched or not, values, the patched instruction,
/// libbpf's log lines.
#[cfg_attr(feature = "api", wasm_bindgen)]
pub fn explain(
    object: &BpfObject,
    btf: &Btf,
    index: u32,
    whatif: JsValue,
) -> Result<JsValue, JsError> {
    let w = options::whatif(whatif)?;
    let e = session::explain_relocation(&object.object, &target(btf, &w)?, index)
        .map_err(|e| JsError::new(&e))?;
    to_js(&e)
}

/// The verifier's dead-code removal after relocation: every program's verdict (loads, or
/// rejected with the reachable poisoned instruction), and the flow of `program` (default:
/// the first). `whatif`: optional `{ kernelRelease, set: [[name, value]], hide, libbpf }`.
#[cfg_attr(feature = "api", wasm_bindgen)]
pub fn guard(
    object: &BpfObject,
    btf: &Btf,
    whatif: JsValue,
    program: Option<String>,
) -> Result<JsValue, JsError> {
    let w = options::whatif(whatif)?;
    let report = session::guard_report(
        &object.object,
        btf.kernel.label(),
        &target(btf, &w)?,
        &w,
        program.as_deref(),
        now_ms,
    )
    .map_err(|e| JsError::new(&e))?;
    to_js(&report)
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
