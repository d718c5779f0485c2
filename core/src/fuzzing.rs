//! The logic of the fuzz targets (`core/fuzz/`), as plain functions so the same code also
//! runs as property tests in `cargo test` (tests/it/fuzz.rs) on stable Rust.
//!
//! Each function feeds arbitrary bytes through one pipeline and asserts its invariants: no
//! panic, bounded work, and for successful parses, that every consumer copes with the
//! result. They return normally on any input; a panic is a bug.

use crate::btf::Btf;
use crate::ext::BtfExt;
use crate::input::load_btf;
use crate::object::Object;

/// BTF reader: content detection, parsing, then every consumer of the parsed types.
pub fn btf(data: &[u8]) {
    let Ok(loaded) = load_btf(data, None) else {
        return;
    };
    let btf = &loaded.btf;
    let mut sink = std::io::sink();
    crate::dump::write_raw(btf, &mut sink).expect("writing to a sink cannot fail");
    let _ = crate::info::Summary::of(btf);
    for id in btf.ids() {
        let _ = btf.resolve_size(id);
        let _ = btf.align_of(id);
        let _ = btf.skip_mods_and_typedefs(id);
    }
}

/// ELF object reader, `.BTF.ext`, kconfig layout, and every program's listing.
pub fn object(data: &[u8]) {
    let Ok(obj) = Object::parse(data) else { return };
    for (ci, c) in obj.code.iter().enumerate() {
        let mut i = 0;
        while i < c.insns.len() {
            i += crate::insn::disassemble(&c.insns, i).slots;
            let _ = obj.source_line(ci, i as u32);
        }
    }
    let _ = crate::kconfig::layout(&obj);
    guard_unrelocated(&obj);
}

/// `.BTF.ext` on its own, over a fixed small BTF whose strings it may reference.
pub fn btf_ext(data: &[u8]) {
    let mut b = crate::builder::BtfBuilder::new();
    b.int("int", 4, 1);
    for s in ["kprobe/x", ".text", "0:1", "0", "tp/y"] {
        b.add_str(s);
    }
    let btf = Btf::parse(&b.encode(&Default::default())).expect("the fixed BTF parses");
    if let Ok(ext) = BtfExt::parse(data, &btf) {
        let _ = ext.core_relo_count();
    }
}

/// CO-RE relocation of an object against its own BTF (every named root has at least itself
/// as a candidate, so every path of the engine runs), as each libbpf release does it, then the
/// invariants of the result.
pub fn reloc(data: &[u8]) {
    let Ok(obj) = Object::parse(data) else { return };
    let Some(btf) = obj.btf.as_ref() else { return };
    for libbpf in crate::libbpf::Libbpf::ALL {
        reloc_as(&obj, btf, libbpf);
    }
}

fn reloc_as(obj: &Object, btf: &Btf, libbpf: crate::libbpf::Libbpf) {
    let rel = crate::reloc::relocate(obj, &crate::reloc::Target::kernel(btf), libbpf);
    let records = obj.ext.as_ref().map_or(0, |e| e.core_relo_count());
    assert_eq!(rel.records.len(), records, "one report per record");
    assert!(rel.passes <= crate::reloc::MAX_PASSES);
    for (after, before) in rel.code.iter().zip(&obj.code) {
        assert_eq!(
            after.len(),
            before.insns.len(),
            "patching never resizes code"
        );
    }
    for r in &rel.records {
        let Some(res) = r.processed.as_ref().and_then(|p| p.resolution.as_ref()) else {
            continue;
        };
        let specs = res.local_spec.iter().chain(&res.target_spec);
        for spec in specs.chain(res.trials.iter().map(|t| &t.spec)) {
            assert!(spec.format().len() < 256, "libbpf's 256-byte buffer");
        }
    }
}

/// Guarding of an object's programs as compiled (no relocation), with a small budget.
fn guard_unrelocated(obj: &Object) {
    let code = obj.code.iter().map(|c| c.insns.clone()).collect();
    let mut input = crate::sim::GuardInput::new(obj, code, Vec::new());
    input.limits = crate::sim::Limits {
        max_steps: 20_000,
        max_pending: 1_024,
        max_states: 4_096,
    };
    if let Ok(layout) = crate::kconfig::layout(obj) {
        let image = vec![0u8; layout.size as usize];
        input.kconfig = Some((layout, image));
    }
    for r in crate::sim::guard(&input) {
        let _ = r.unreached_ranges();
    }
}

/// Header generation in every profile, and the layout of every struct/union, on any BTF that
/// parses. A header either completes or stops at an unsatisfiable cycle (bpftool's error);
/// output stays within a bound proportional to the types' declared sizes.
pub fn header(data: &[u8]) {
    let Ok(loaded) = load_btf(data, None) else {
        return;
    };
    let btf = &loaded.btf;
    for profile in crate::header::Profile::ALL {
        let opts = crate::header::Options {
            profile,
            roots: Vec::new(),
        };
        let (_text, _result) = crate::header::render(btf, &opts);
    }
    for id in btf.ids().take(64) {
        let opts = crate::header::Options {
            roots: vec![id],
            ..Default::default()
        };
        let _ = crate::header::render(btf, &opts);
        let _ = crate::layout::render(btf, id);
    }
}

/// The BTF writer: a parsed blob written in either byte order reads back with the same
/// types (the raw listing is identical), and writing that again gives the same bytes.
pub fn writer(data: &[u8]) {
    let Ok(loaded) = load_btf(data, None) else {
        return;
    };
    let btf = &loaded.btf;
    // The writer, like libbpf's `btf__add_str`, puts every empty name at offset 0, so a
    // name that reads as empty from another offset (listed `''`) comes back anonymous
    // (listed `'(anon)'`): the same type either way, so both listings spell it the latter.
    let listing = |b: &Btf| {
        let mut v = Vec::new();
        crate::dump::write_raw(b, &mut v).expect("writing to a Vec cannot fail");
        String::from_utf8_lossy(&v).replace("''", "'(anon)'")
    };
    let want = listing(btf);
    for endian in [crate::bytes::Endian::Little, crate::bytes::Endian::Big] {
        let opts = crate::btf_write::WriteOptions {
            endian,
            layout_section: btf.layout().is_some(),
        };
        let Ok(bytes) = crate::btf_write::write(btf, &opts) else {
            continue;
        };
        let again = Btf::parse(&bytes).expect("what the writer writes, the reader reads");
        assert_eq!(listing(&again), want, "round trip changed the types");
        let twice = crate::btf_write::write(&again, &opts).expect("second write");
        assert_eq!(twice, bytes, "writing is a fixed point");
    }
}

/// Guarding an object relocated against its own BTF, with a small budget: the simulation
/// terminates, and what it reports is consistent (live ranges within the program, every
/// reachable poison was seen).
pub fn guard(data: &[u8]) {
    let Ok(obj) = Object::parse(data) else { return };
    let Some(btf) = obj.btf.as_ref() else { return };
    let knobs = crate::pipeline::Knobs {
        libbpf: crate::libbpf::Libbpf::default(),
        kconfig: crate::kconfig::Settings {
            kernel_version: Some(0x06_12_00),
            ..Default::default()
        },
        set: Vec::new(),
        limits: Some(crate::sim::Limits {
            max_steps: 20_000,
            max_pending: 1_024,
            max_states: 4_096,
        }),
    };
    let Ok(a) = crate::pipeline::analyze(&obj, btf, &knobs) else {
        return;
    };
    for r in &a.programs {
        assert_eq!(r.exploration.seen.len(), r.linked.insns.len());
        for p in &r.poisoned {
            assert_eq!(p.reachable, r.exploration.seen[p.idx]);
        }
        for (s, e) in r.unreached_ranges() {
            assert!(s < e && e <= r.linked.insns.len());
        }
        // A walk cut short never claims dead code.
        if r.exploration.exhausted.is_some() {
            assert!(!r.verdict.coverage().unreached_is_dead(), "{:?}", r.verdict);
        }
        assert!(r.exploration.steps <= 20_000);
    }
}

/// Deduplication: the blob deduplicated on its own, and (read as split BTF over a small fixed
/// kernel) merged with itself as two modules, each with a small work budget. A result
/// accounts for every input type with a type of the result, never has more types than went
/// in, and reads and lists like any BTF.
pub fn dedup(data: &[u8]) {
    use crate::btf_dedup::{self, DedupError, Limits, Merged};
    let limits = Limits { max_work: 200_000 };
    let check = |m: &Merged, parts: &[&Btf]| {
        assert!(m.stats.types_out <= m.stats.types_in);
        for (k, p) in parts.iter().enumerate() {
            for id in p.own_ids() {
                let to = m.id(Some(k), id).expect("every type has a place");
                assert!(to.0 < m.btf.type_cnt());
            }
        }
        crate::dump::write_raw(&m.btf, &mut std::io::sink()).expect("a sink");
    };
    let allowed = |e: &DedupError| {
        matches!(
            e,
            DedupError::Unsupported { .. }
                | DedupError::ReferenceLoop { .. }
                | DedupError::WorkLimit { .. }
                | DedupError::TooManyTypes { .. }
        )
    };
    if let Ok(loaded) = load_btf(data, None) {
        match btf_dedup::dedup(&loaded.btf, &limits) {
            Ok(m) => check(&m, &[&loaded.btf]),
            Err(e) => assert!(allowed(&e), "{e}"),
        }
    }
    let base = std::sync::Arc::new(fuzz_kernel());
    if let Ok(loaded) = load_btf(data, Some(base.clone())) {
        let parts = [&loaded.btf, &loaded.btf];
        match btf_dedup::merge(Some(&base), &parts, &limits) {
            Ok(m) => check(&m, &parts),
            Err(e) => assert!(allowed(&e), "{e}"),
        }
    }
}

/// A small kernel for the access fuzz target, in three versions: `0` is the one questions
/// are compiled against; `1` lacks a field and renames another; `2` has two flavors of the
/// main struct (ambiguity) and an enum grown to 64 bits. It has what the question language
/// reaches: nested anonymous members, bitfields, arrays, a pointer to itself, typedefs of a
/// struct and of an anonymous enum, duplicated names (`___N` suffixes).
pub fn access_kernel(version: u8) -> Btf {
    use crate::builder::BtfBuilder;
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, 1);
    let uint = b.int("unsigned int", 4, 0);
    let ulong = b.int("long unsigned int", 8, 0);
    let chr = b.int("char", 1, 1);
    let idx = b.int("__ARRAY_SIZE_TYPE__", 4, 0);
    let comm = b.array(chr, idx, 16);
    let inner = b.struct_("inner", 8, &[("a", int, 0, 0), ("b", uint, 32, 0)]);
    let anon = b.union_("", 8, &[("u1", ulong, 0, 0), ("u2", int, 0, 0)]);
    let task = b.add_raw("task", crate::btf::Kind::STRUCT, true, 0, 64, vec![]);
    let task_ptr = b.ptr(task);
    let state = if version == 1 { "__state" } else { "state" };
    let mut members: Vec<(&str, crate::btf::TypeId, u32, u32)> = vec![
        (state, int, 0, 0),
        ("", anon, 64, 0),
        ("in", inner, 128, 0),
        ("flag", uint, 192, 3),
        ("sign", int, 195, 5),
        ("comm", comm, 256, 0),
        ("parent", task_ptr, 384, 0),
    ];
    if version == 1 {
        members.retain(|m| m.0 != "comm");
    }
    let mut trailer = Vec::new();
    for (n, t, off, bits) in &members {
        let name = b.add_str(n);
        trailer.extend([name, t.0, (bits << 24) | off]);
    }
    if let Some(raw) = b.raw_mut(task) {
        raw.info = (1 << 31) | (u32::from(crate::btf::Kind::STRUCT.0) << 24) | members.len() as u32;
        raw.trailer = trailer;
    }
    b.typedef("task_t", task);
    let e = if version == 2 {
        b.enum64("color", 8, false, &[("RED", 1), ("GREEN", 1 << 40)])
    } else {
        b.enum_("color", 4, false, &[("RED", 1), ("GREEN", 2), ("BLUE", 4)])
    };
    let anon_enum = b.enum_("", 4, true, &[("NEG", -1), ("POS", 1)]);
    b.typedef("sign_t", anon_enum);
    b.typedef("color_t", e);
    b.struct_("slot", 4, &[("x", int, 0, 0)]);
    b.struct_("slot", 8, &[("y", ulong, 0, 0)]);
    if version == 2 {
        b.struct_("task___v2", 8, &[("state", int, 32, 0)]);
    }
    Btf::parse(&b.encode(&Default::default())).expect("the fuzz kernel parses")
}

/// The access question pipeline on arbitrary text (parts split at NUL bytes): parse and
/// synthesise against [`access_kernel`] `0`; for what compiles, the object BTF, libbpf's
/// result on all three versions (in either libbpf release), the answer across them and its
/// fix. Errors point inside
/// their part.
pub fn access(data: &[u8]) {
    use std::sync::Arc;
    let data = &data[..data.len().min(4096)];
    let text = String::from_utf8_lossy(data);
    let local = crate::access::Local::new(
        Arc::new(access_kernel(0)),
        crate::header::Profile::default(),
    );
    let Ok(mut q) = crate::access::Question::new(&local) else {
        return;
    };
    for part in text.split('\0').take(8) {
        if let Err(e) = q.add(part) {
            assert!(e.error.offset <= part.len(), "error offset inside its part");
            let _ = e.error.describe(part);
        }
    }
    let Ok(obj) = q.object() else { return };
    let targets: Vec<Btf> = (0..3).map(access_kernel).collect();
    let named: Vec<(String, &Btf)> = targets
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("v{i}"), b))
        .collect();
    // Both libbpf releases, picked by the input's length.
    let libbpf = crate::libbpf::Libbpf::ALL[data.len() % 2];
    let processed: Vec<_> = targets
        .iter()
        .map(|t| {
            let target = crate::reloc::Target::kernel(t);
            crate::access::relocate_on(&obj.btf, &obj.records, &target, libbpf)
        })
        .collect();
    for p in &processed {
        assert_eq!(p.len(), obj.records.len(), "one result per record");
    }
    let answer = crate::access::answer(&q, &obj, &named, &processed, libbpf);
    assert_eq!(answer.runs.len(), obj.records.len());
    let _ = crate::access::fix(&q, &obj, &answer, &named);
}

/// The load-log reader on arbitrary text, explained against `object` (with and without its
/// own BTF as the target): every position it reports lies in a program of the object.
pub fn load_log(object: &[u8], data: &[u8]) {
    let text = String::from_utf8_lossy(&data[..data.len().min(1 << 16)]);
    let log = crate::loadlog::parse(&text);
    let Ok(obj) = Object::parse(object) else {
        return;
    };
    let Some(btf) = obj.btf.as_ref() else { return };
    for target in [None, Some(btf)] {
        let opts = crate::loadlog::Options {
            target,
            ..Default::default()
        };
        let ex = crate::loadlog::explain(&obj, &log, &opts);
        for p in &ex.progs {
            for f in &p.findings {
                if let Some(at) = &f.place {
                    assert!(obj.programs.iter().any(|q| q.name == at.func));
                }
            }
        }
    }
}

/// A small kernel for split inputs: a few of each kind modules refer to.
fn fuzz_kernel() -> Btf {
    let mut b = crate::builder::BtfBuilder::new();
    let int = b.int("int", 4, 1);
    let long = b.int("long", 8, 1);
    let fwd = b.fwd("task", false);
    let p = b.ptr(fwd);
    let s = b.struct_("list", 16, &[("next", p, 0, 0), ("n", long, 64, 0)]);
    b.typedef("u32", int);
    b.enum_("E", 4, false, &[("A", 0), ("B", 1)]);
    b.ptr(s);
    Btf::parse(&b.encode(&Default::default())).expect("the fixed kernel parses")
}

/// The kernel catalogue archive. The first byte picks the layer the rest is fed to, so that
/// checksums and compression do not hide the decoders behind them:
/// 0 the archive file (preamble, head checksum, head, then every build rebuilt and every
/// shard decoded), 1 a decompressed head, 2 a delta over a fixed reference build, 3 an index
/// shard of a five-build catalogue and where-queries over it.
pub fn catalog(data: &[u8]) {
    use crate::catalog::{self, sample};
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => {
            let Ok(mut cat) = catalog::Catalog::parse(rest) else {
                return;
            };
            let (mut m, mut src) = cat.materializer();
            for i in 0..cat.head.builds.len().min(16) {
                let _ = m.btf(catalog::BuildIdx(i as u32), &mut src);
            }
            drop(m);
            for q in ["task_struct.se.vruntime", "u32", "BPF_MAP_TYPE_HASH"] {
                let _ = cat.where_is(q);
            }
        }
        1 => {
            if let Ok(head) = catalog::archive::decode_head(rest, 8, u64::MAX >> 1, 64) {
                for i in 0..head.builds.len() {
                    let b = catalog::BuildIdx(i as u32);
                    let _ = head.chain(b);
                    let _ = head.transfer_for(b);
                }
                let _ = catalog::select(&head, "amd64/bookworm");
            }
        }
        2 => {
            let reference = sample::kernel(1, 0, crate::bytes::Endian::Little);
            let reference = catalog::raw_btf(&reference).expect("the sample is structured");
            if let Ok(bytes) = catalog::apply_delta(&reference, rest) {
                let _ = Btf::parse(&bytes);
            }
        }
        _ => {
            let Ok(shard) = catalog::Shard::parse(rest, 5) else {
                return;
            };
            let mut one = OneShard(std::sync::Arc::new(shard));
            for q in [
                "task_struct.__state",
                "task_struct.se.vruntime",
                "u32",
                "x.y.z",
            ] {
                let _ = catalog::where_is(q, &mut one);
            }
        }
    }
}

/// Every shard index answers with the same shard.
struct OneShard(std::sync::Arc<crate::catalog::Shard>);

impl crate::catalog::ShardSource for OneShard {
    fn shard(&mut self, _: usize) -> crate::Result<std::sync::Arc<crate::catalog::Shard>> {
        Ok(self.0.clone())
    }
    fn count(&self) -> usize {
        1
    }
}

/// Seeds for [`catalog`], one per mode: the sample archive, its head, a delta of it, a shard.
pub fn catalog_seeds() -> Vec<Vec<u8>> {
    use crate::catalog::{self, sample};
    let archive = sample::sample_archive();
    let cat = catalog::Catalog::parse(&archive).expect("the sample parses");
    let mut seeds = vec![[&[0u8][..], &archive].concat()];
    let raw = |s: catalog::SegmentId| {
        let seg = cat.head.segments[s.0 as usize];
        crate::input::compress::decompress(
            crate::input::compress::Layer::Zstd,
            &archive[seg.range().start as usize..seg.range().end as usize],
            1 << 24,
            &|_| true,
        )
        .expect("the sample's segments decompress")
    };
    let head = &archive[catalog::archive::PREAMBLE_LEN as usize..cat.head.head_end as usize];
    let head = crate::input::compress::decompress(
        crate::input::compress::Layer::Zstd,
        head,
        1 << 24,
        &|_| true,
    )
    .expect("the sample's head decompresses");
    seeds.push([&[1u8][..], &head].concat());
    let (a, b) = (
        sample::kernel(1, 0, crate::bytes::Endian::Little),
        sample::kernel(3, 0, crate::bytes::Endian::Little),
    );
    let (ra, rb) = (
        catalog::raw_btf(&a).expect("structured"),
        catalog::raw_btf(&b).expect("structured"),
    );
    seeds.push(
        [
            &[2u8][..],
            &catalog::encode_delta(&ra, &rb).expect("encodes"),
        ]
        .concat(),
    );
    for s in &cat.head.shards {
        let shard = raw(*s);
        if shard.len() > 16 {
            seeds.push([&[3u8][..], &shard].concat());
        }
    }
    seeds
}
