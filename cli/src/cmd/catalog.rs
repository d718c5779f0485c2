//! `corelab catalog list|get|where|verify|pack`: the kernel catalogue (every Debian kernel
//! build's BTF in one archive, `catalog/debian.btfcat`).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use corelab::catalog::archive::hex;
use corelab::catalog::pack::{pack, PackInput, PackOptions};
use corelab::catalog::{Build, BuildIdx, Catalog, Fact, Recipe, SegmentId, WhereAnswer};
use serde_json::{json, Value};

use crate::{kernels, load, Failure};

/// Arguments of `corelab catalog`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    verb: Verb,
}

#[derive(clap::Subcommand, Debug)]
enum Verb {
    /// Every build: id, release, architecture, suite, package and version, BTF sha256, types.
    List {
        /// Only the builds a selection names (`all`, `arm64`, `bookworm/arm64`, `6.1`, …).
        #[arg(value_name = "SELECTION")]
        select: Option<String>,
        /// JSON lines: one per build, then a summary with the archive's size.
        #[arg(long)]
        json: bool,
    },
    /// A build's raw BTF, byte-identical to the one in its package (sha256 checked).
    Get {
        /// The build id (`debian12-6.1.0-50-arm64`; a leading `@` is accepted).
        build: String,
        /// Output file.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Which builds have a type, member or enumerator: offset, size and type per build, in
    /// runs of builds that agree (answered from the index, no build is rebuilt).
    Where {
        /// `NAME`, `NAME.MEMBER…` (through by-value members), or an enumerator.
        #[arg(value_name = "NAME[.MEMBER…]")]
        path: String,
        /// JSON lines: one per run of builds, then a summary.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild every build and check its sha256 (and that the index agrees with its BTF on
    /// a sample of names).
    Verify,
    /// Build the archive from carved BTFs and their provenance (scripts/catalog/build.sh).
    Pack {
        /// Provenance, one JSON line per build (scripts/catalog/fetch.py's builds.jsonl).
        #[arg(long, value_name = "JSONL")]
        manifest: PathBuf,
        /// Directory of BUILD.btf files.
        #[arg(long, value_name = "DIR")]
        btf_dir: PathBuf,
        /// An earlier archive: builds whose BTF is not in the directory come from it.
        #[arg(long, value_name = "ARCHIVE")]
        previous: Option<PathBuf>,
        /// zstd level for the segments.
        #[arg(long, default_value_t = 19)]
        level: i32,
        /// Output archive.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// Runs `corelab catalog`.
pub fn run(a: Args) -> Result<(), Failure> {
    match a.verb {
        Verb::List { select, json } => list(select.as_deref(), json),
        Verb::Get { build, output } => get(&build, &output),
        Verb::Where { path, json } => where_is(&path, json),
        Verb::Verify => verify(),
        Verb::Pack {
            manifest,
            btf_dir,
            previous,
            level,
            output,
        } => pack_cmd(&manifest, &btf_dir, previous.as_deref(), level, &output),
    }
}

fn print(text: &str) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    load::stdout_result(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

fn list(select: Option<&str>, json: bool) -> Result<(), Failure> {
    let (cat, path) = kernels::catalog()?;
    let builds = match select {
        Some(s) => cat
            .select(s.strip_prefix('@').unwrap_or(s))
            .map_err(|m| Failure::new("", m))?,
        None => (0..cat.head.builds.len() as u32).map(BuildIdx).collect(),
    };
    let mut s = String::new();
    let archive_bytes = cat.head.file_len;
    if json {
        for &b in &builds {
            let _ = writeln!(s, "{}", build_json(cat, b)?);
        }
        let _ = writeln!(
            s,
            "{}",
            json!({"type": "summary", "builds": builds.len(), "archive_bytes": archive_bytes})
        );
    } else {
        let _ = writeln!(
            s,
            "{:<40} {:<8} {:<9} {:<24} {:>6} {:>9}",
            "BUILD", "ARCH", "SUITE", "VERSION", "TYPES", "TRANSFER"
        );
        for &b in &builds {
            let x = cat.head.build(b);
            let t = cat.head.transfer_for(b).map_err(|e| Failure::new("", e))?;
            let _ = writeln!(
                s,
                "{:<40} {:<8} {:<9} {:<24} {:>6} {:>6} KB",
                x.name,
                x.arch,
                x.suite,
                x.version,
                x.types,
                t / 1000
            );
        }
        let _ = writeln!(
            s,
            "{} builds; {} ({} bytes, {:.1} MiB; one build transfers at most {} KB)",
            builds.len(),
            path.display(),
            archive_bytes,
            archive_bytes as f64 / (1 << 20) as f64,
            builds
                .iter()
                .filter_map(|&b| cat.head.transfer_for(b).ok())
                .max()
                .unwrap_or(0)
                / 1000
        );
    }
    print(&s)
}

fn build_json(cat: &Catalog<'_>, b: BuildIdx) -> Result<Value, Failure> {
    let x = cat.head.build(b);
    let reference = match x.recipe {
        Recipe::Delta { reference, .. } => Some(cat.head.build(reference).name.clone()),
        Recipe::Whole(_) => None,
    };
    Ok(json!({
        "type": "build",
        "build": x.name,
        "release": x.release,
        "arch": x.arch,
        "suite": x.suite,
        "pocket": x.pocket,
        "flavour": x.flavour,
        "series": x.series(),
        "package": x.package,
        "version": x.version,
        "source": x.source,
        "deb_sha256": hex(&x.deb_sha256),
        "deb_size": x.deb_size,
        "btf_sha256": hex(&x.btf_sha256),
        "btf_size": x.btf_len,
        "types": x.types,
        "carved": x.carved,
        "reference": reference,
        "transfer_bytes": cat.head.transfer_for(b).map_err(|e| Failure::new("", e))?,
    }))
}

fn get(build: &str, output: &Path) -> Result<(), Failure> {
    let arg = format!("@{}", build.strip_prefix('@').unwrap_or(build));
    let bytes = kernels::btf_bytes(Path::new(&arg))?;
    std::fs::write(output, bytes).map_err(|e| Failure::new(output.display().to_string(), e))
}

fn where_is(path: &str, json: bool) -> Result<(), Failure> {
    let (cat, file) = kernels::catalog()?;
    let mut cat = Catalog::parse(cat.file()).map_err(|e| Failure::new("", e))?;
    let answer = cat
        .where_is(path)
        .map_err(|e| Failure::new(file.display().to_string(), e))?;
    let text = if json {
        where_json(&cat, &answer)
    } else {
        where_text(&cat, &answer)
    };
    print(&text)
}

fn fact_json(f: &Fact) -> Value {
    match f {
        Fact::Type {
            kind,
            size,
            spelling,
        } => json!({"what": "type", "kind": kind.lower_name(), "size": size, "spelling": spelling}),
        Fact::Member {
            bit_offset,
            bit_size,
            bitfield,
            ty,
        } => {
            let aligned = !bitfield && bit_offset % 8 == 0;
            json!({
                "what": "member",
                "offset": aligned.then_some(bit_offset / 8),
                "size": aligned.then_some(bit_size / 8),
                "bit_offset": bit_offset,
                "bit_size": bit_size,
                "bitfield": bitfield,
                "type": ty,
            })
        }
        Fact::Enumerator {
            value,
            signed,
            enum_name,
            size,
        } => json!({
            "what": "enumerator",
            "value": if *signed { json!(*value as i64) } else { json!(value) },
            "enum": enum_name,
            "size": size,
        }),
    }
}

fn run_builds<'c>(cat: &'c Catalog<'_>, first: u32, len: u32) -> Vec<&'c str> {
    (first..first + len)
        .map(|b| cat.head.build(BuildIdx(b)).name.as_str())
        .collect()
}

fn where_text(cat: &Catalog<'_>, a: &WhereAnswer) -> String {
    let mut s = String::new();
    let present: u32 = a
        .runs
        .iter()
        .filter(|r| !r.facts.is_empty())
        .map(|r| r.len)
        .sum();
    let distinct: std::collections::BTreeSet<&Vec<Fact>> = a
        .runs
        .iter()
        .filter(|r| !r.facts.is_empty())
        .map(|r| &*r.facts)
        .collect();
    let _ = writeln!(
        s,
        "{}: in {present} of {} builds, {} distinct answers, {} runs",
        a.path,
        cat.head.builds.len(),
        distinct.len(),
        a.runs.len()
    );
    for r in &a.runs {
        let names = run_builds(cat, r.first, r.len);
        let span = if names.len() == 1 {
            names[0].to_owned()
        } else {
            format!("{} … {}", names[0], names[names.len() - 1])
        };
        let what = if r.facts.is_empty() {
            "—".to_owned()
        } else {
            r.facts
                .iter()
                .map(Fact::describe)
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(s, "  {:<4} {span}\n       {what}", r.len);
    }
    s
}

fn where_json(cat: &Catalog<'_>, a: &WhereAnswer) -> String {
    let mut s = String::new();
    for r in &a.runs {
        let _ = writeln!(
            s,
            "{}",
            json!({
                "type": "run",
                "path": a.path,
                "exists": !r.facts.is_empty(),
                "facts": r.facts.iter().map(fact_json).collect::<Vec<_>>(),
                "builds": run_builds(cat, r.first, r.len),
            })
        );
    }
    let present: u32 = a
        .runs
        .iter()
        .filter(|r| !r.facts.is_empty())
        .map(|r| r.len)
        .sum();
    let _ = writeln!(
        s,
        "{}",
        json!({"type": "summary", "path": a.path, "builds": cat.head.builds.len(), "present": present, "runs": a.runs.len()})
    );
    s
}

fn verify() -> Result<(), Failure> {
    let (cat, path) = kernels::catalog()?;
    let file = path.display().to_string();
    let (mut m, mut src) = cat.materializer();
    let mut total = 0u64;
    for i in 0..cat.head.builds.len() {
        let b = BuildIdx(i as u32);
        let bytes = m.btf(b, &mut src).map_err(|e| Failure::new(&file, e))?;
        total += bytes.len() as u64;
    }
    print(&format!(
        "{}: {} builds rebuilt, {} bytes of BTF, every sha256 as recorded\n",
        file,
        cat.head.builds.len(),
        total
    ))
}

/// One line of builds.jsonl.
fn meta_of(v: &Value, line: usize, manifest: &str) -> Result<(Build, String), Failure> {
    let s = |k: &str| -> Result<String, Failure> {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Failure::new(manifest, format_args!("line {line}: no `{k}`")))
    };
    let digest = |k: &str| -> Result<[u8; 32], Failure> {
        let h = s(k)?;
        let mut out = [0u8; 32];
        if h.len() != 64 {
            return Err(Failure::new(
                manifest,
                format_args!("line {line}: `{k}` is not a sha256"),
            ));
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).map_err(|_| {
                Failure::new(manifest, format_args!("line {line}: `{k}` is not hex"))
            })?;
        }
        Ok(out)
    };
    let btf_sha = s("btf_sha256")?;
    Ok((
        Build {
            name: s("build")?,
            release: s("release")?,
            arch: s("arch")?,
            suite: s("suite")?,
            pocket: s("pocket")?,
            flavour: s("flavour")?,
            package: s("package")?,
            version: s("version")?,
            source: s("source")?,
            carved: s("carved")?,
            deb_sha256: digest("deb_sha256")?,
            deb_size: v.get("deb_size").and_then(Value::as_u64).unwrap_or(0),
            btf_sha256: digest("btf_sha256")?,
            btf_len: 0,
            types: 0,
            recipe: Recipe::Whole(SegmentId(0)),
        },
        btf_sha,
    ))
}

fn pack_cmd(
    manifest: &Path,
    btf_dir: &Path,
    previous: Option<&Path>,
    level: i32,
    output: &Path,
) -> Result<(), Failure> {
    let mname = manifest.display().to_string();
    let text = String::from_utf8_lossy(&load::read(manifest)?).into_owned();
    let prev_bytes = match previous {
        Some(p) => Some(load::read(p)?),
        None => None,
    };
    let prev = match &prev_bytes {
        Some(b) => Some(Catalog::parse(b).map_err(|e| {
            Failure::new(
                previous
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                e,
            )
        })?),
        None => None,
    };
    let mut inputs = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line)
            .map_err(|e| Failure::new(&mname, format_args!("line {}: {e}", i + 1)))?;
        let (meta, sha) = meta_of(&v, i + 1, &mname)?;
        let file = btf_dir.join(format!("{}.btf", meta.name));
        let btf = if file.is_file() {
            load::read(&file)?
        } else if let Some(b) = prev
            .as_ref()
            .and_then(|c| c.head.find(&meta.name).map(|b| (c, b)))
        {
            b.0.btf(b.1)
                .map_err(|e| Failure::new("previous archive", e))?
        } else {
            return Err(Failure::new(
                file.display().to_string(),
                "missing, and not in a previous archive",
            ));
        };
        if hex(&corelab::catalog::sha256(&btf)) != sha {
            return Err(Failure::new(
                file.display().to_string(),
                format_args!("sha256 differs from the manifest's {sha}"),
            ));
        }
        inputs.push(PackInput { meta, btf });
    }
    let compress = |data: &[u8]| -> Vec<u8> {
        let mut enc = zstd::bulk::Compressor::new(level).expect("zstd level");
        enc.long_distance_matching(true).expect("zstd option");
        enc.window_log(27).expect("zstd option");
        enc.compress(data).expect("zstd compresses in memory")
    };
    let mut log = |l: &str| eprintln!("{l}");
    let packed = pack(inputs, &PackOptions::default(), &compress, &mut log)
        .map_err(|e| Failure::new(&mname, e))?;
    // Check what was written: every build rebuilds to its sha256.
    let cat = Catalog::parse(&packed.bytes).map_err(|e| Failure::new("packed archive", e))?;
    let (mut m, mut src) = cat.materializer();
    for i in 0..cat.head.builds.len() {
        m.btf(BuildIdx(i as u32), &mut src)
            .map_err(|e| Failure::new("packed archive", e))?;
    }
    std::fs::write(output, &packed.bytes)
        .map_err(|e| Failure::new(output.display().to_string(), e))?;
    let max = packed.builds.iter().map(|b| b.transfer).max().unwrap_or(0);
    let whole = packed
        .builds
        .iter()
        .filter(|b| b.reference.is_none())
        .count();
    eprintln!(
        "{}: {} builds ({} whole, {} deltas), {} bytes ({:.2} MiB): head {} B, index {} B; one build transfers at most {} B",
        output.display(),
        packed.builds.len(),
        whole,
        packed.builds.len() - whole,
        packed.bytes.len(),
        packed.bytes.len() as f64 / (1 << 20) as f64,
        packed.head_len,
        packed.index_len,
        max
    );
    Ok(())
}
