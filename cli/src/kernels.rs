//! Kernel arguments that name catalogue builds: `@BUILD` (one build's BTF, rebuilt from the
//! catalogue) and selections (`@all`, `@arm64`, `@bookworm`, `@bookworm/arm64`, `@6.1`,
//! `@debian12-6.1.0-5*-amd64`) where a verb takes several kernels.
//!
//! Every verb reads its kernels through [`crate::load::read`], which asks here for a path
//! starting with `@`; verbs that take several kernels expand selections with [`expand`]
//! first. The catalogue is found once per process: `--catalog PATH`, else
//! `$CORELAB_CATALOG`, else `catalog/debian.btfcat` in a directory above the binary or the
//! working directory (a checkout), else `debian.btfcat` next to the binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use corelab::catalog::{
    decode_shard, BuildIdx, Catalog, Materializer, Shard, ShardSource, WholeFile,
};

use crate::Failure;

/// The archive's file name.
pub const FILE_NAME: &str = "debian.btfcat";

static OVERRIDE: OnceLock<PathBuf> = OnceLock::new();
static LOADED: OnceLock<Result<Loaded, String>> = OnceLock::new();

/// A catalogue read once for the process (kept for its lifetime: the CLI is short-lived).
struct Loaded {
    path: PathBuf,
    catalog: Catalog<'static>,
    materializer: Mutex<Materializer<'static>>,
}

/// Sets `--catalog PATH` (before any kernel is read).
pub fn set_catalog_path(path: PathBuf) {
    let _ = OVERRIDE.set(path);
}

/// Where the catalogue is, by the rules of the module documentation.
pub fn catalog_path() -> Result<PathBuf, String> {
    if let Some(p) = OVERRIDE.get() {
        return Ok(p.clone());
    }
    if let Some(p) = std::env::var_os("CORELAB_CATALOG") {
        return Ok(PathBuf::from(p));
    }
    let mut starts = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            let beside = dir.join(FILE_NAME);
            if beside.is_file() {
                return Ok(beside);
            }
            starts.push(dir.to_path_buf());
        }
    }
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    for start in starts {
        for dir in start.ancestors() {
            let p = dir.join("catalog").join(FILE_NAME);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(format!(
        "no kernel catalogue found (looked for catalog/{FILE_NAME} above the binary and the working directory, and {FILE_NAME} next to the binary); give --catalog PATH"
    ))
}

fn loaded() -> Result<&'static Loaded, Failure> {
    LOADED
        .get_or_init(|| {
            let path = catalog_path()?;
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            let catalog = Catalog::parse(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            let head: &'static corelab::catalog::Head = Box::leak(Box::new(catalog.head.clone()));
            Ok(Loaded {
                path,
                catalog,
                materializer: Mutex::new(Materializer::new(head)),
            })
        })
        .as_ref()
        .map_err(|m| Failure::new("", m))
}

/// The catalogue, for `corelab catalog`.
pub fn catalog() -> Result<(&'static Catalog<'static>, &'static Path), Failure> {
    let l = loaded()?;
    Ok((&l.catalog, &l.path))
}

/// Whether a kernel argument names the catalogue.
pub fn is_catalog_ref(arg: &Path) -> bool {
    arg.as_os_str().as_encoded_bytes().first() == Some(&b'@')
}

/// The builds a `@…` argument names.
pub fn select(arg: &Path) -> Result<Vec<BuildIdx>, Failure> {
    let text = arg.to_string_lossy();
    let selector = text.strip_prefix('@').unwrap_or(&text);
    let l = loaded()?;
    l.catalog
        .select(selector)
        .map_err(|m| Failure::new(text.as_ref(), m))
}

/// Kernel arguments with selections replaced by one `@BUILD` per build they name.
pub fn expand(args: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        if !is_catalog_ref(a) {
            out.push(a.clone());
            continue;
        }
        let head = &loaded()?.catalog.head;
        for b in select(a)? {
            out.push(PathBuf::from(format!("@{}", head.build(b).name)));
        }
    }
    Ok(out)
}

/// The raw BTF of the one build `arg` names (checked against its sha256).
pub fn btf_bytes(arg: &Path) -> Result<Vec<u8>, Failure> {
    let builds = select(arg)?;
    let name = arg.display().to_string();
    let [b] = builds[..] else {
        return Err(Failure::new(
            name,
            format_args!(
                "names {} builds; this takes one kernel (a build id such as @{})",
                builds.len(),
                loaded()?.catalog.head.build(builds[0]).name
            ),
        ));
    };
    let l = loaded()?;
    let mut m = l.materializer.lock().unwrap_or_else(|e| e.into_inner());
    let file = WholeFile(catalog_file(l));
    m.btf(b, &mut { file })
        .map_err(|e| Failure::new(l.path.display().to_string(), e))
}

fn catalog_file(l: &Loaded) -> &'static [u8] {
    l.catalog.file()
}

/// The kernel release a catalogue build's `LINUX_KERNEL_VERSION` is: the upstream version
/// of its package (`6.1.176` for `6.1.176-1`), not the ABI name (`6.1.0-50`).
pub fn kernel_release(arg: &Path) -> Option<String> {
    let b = *select(arg).ok()?.first()?;
    loaded()
        .ok()?
        .catalog
        .head
        .build(b)
        .upstream_release()
        .map(str::to_owned)
}

/// The one catalogue build `arg` names (`@BUILD`), or `None` for a file or a selection of
/// several builds.
pub fn build_of(arg: &Path) -> Option<BuildIdx> {
    if !is_catalog_ref(arg) {
        return None;
    }
    match select(arg).ok()?[..] {
        [b] => Some(b),
        _ => None,
    }
}

/// The catalogue's where-index, each shard decoded the first time a query reads it.
#[derive(Debug)]
pub struct Shards {
    head: &'static corelab::catalog::Head,
    file: &'static [u8],
    decoded: HashMap<usize, Arc<Shard>>,
}

/// The catalogue's where-index.
pub fn shards() -> Result<Shards, Failure> {
    let l = loaded()?;
    Ok(Shards {
        head: &l.catalog.head,
        file: catalog_file(l),
        decoded: HashMap::new(),
    })
}

impl ShardSource for Shards {
    fn shard(&mut self, index: usize) -> corelab::Result<Arc<Shard>> {
        if let Some(s) = self.decoded.get(&index) {
            return Ok(s.clone());
        }
        let shard = Arc::new(decode_shard(self.head, index, &mut WholeFile(self.file))?);
        self.decoded.insert(index, shard.clone());
        Ok(shard)
    }

    fn count(&self) -> usize {
        self.head.shards.len()
    }
}
