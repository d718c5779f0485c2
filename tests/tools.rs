//! Reference tools for differential tests: used when installed (CI installs them), skipped
//! with a note otherwise. `CORELAB_NO_TOOLS=1` disables them all.

use std::path::PathBuf;
use std::process::Command;

/// The path of `name` on `PATH` (or in /usr/sbin), if installed and not disabled.
pub fn find(name: &str) -> Option<PathBuf> {
    if std::env::var_os("CORELAB_NO_TOOLS").is_some_and(|v| v != "0") {
        return None;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// bpftool, if installed.
pub fn bpftool() -> Option<PathBuf> {
    find("bpftool")
}

/// A bpftool that merges several module BTFs (7.7+, e.g. sid's 7.8.0 with libbpf 1.8):
/// `CORELAB_BPFTOOL` if set, else the `bpftool` on `PATH` if it is recent enough.
pub fn bpftool_merging() -> Option<PathBuf> {
    if std::env::var_os("CORELAB_NO_TOOLS").is_some_and(|v| v != "0") {
        return None;
    }
    let candidate = match std::env::var_os("CORELAB_BPFTOOL") {
        Some(p) => Some(PathBuf::from(p)),
        None => bpftool(),
    }?;
    let out = Command::new(&candidate).arg("version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.split_whitespace().nth(1)?.trim_start_matches('v');
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next()?, parts.next()?);
    ((major, minor) >= (7, 7)).then_some(candidate)
}

/// Runs a command, returning (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, Vec<u8>, Vec<u8>) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (out.status.code().unwrap_or(-1), out.stdout, out.stderr)
}

/// Prints that a differential test was skipped because `tool` is missing.
pub fn skipped(test: &str, tool: &str) {
    eprintln!("note: {test}: {tool} not installed, differential part skipped");
}
