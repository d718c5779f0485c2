//! `corelab`: the command-line front end over the `corelab` engine.
//!
//! Exit status: 0 on success, 1 on bad input (a one-line message on stderr naming the file,
//! the byte offset and the problem), 2 on usage errors (clap's own).

use corelab_cli::cmd;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// BTF and BPF CO-RE workbench.
#[derive(Parser, Debug)]
#[command(name = "corelab", version, about, max_term_width = 100)]
struct Cli {
    /// The kernel catalogue that `@BUILD` kernel arguments and `corelab catalog` read
    /// (default: catalog/debian.btfcat of the checkout, or debian.btfcat beside the binary).
    #[arg(long, global = true, value_name = "PATH")]
    catalog: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Raw listing of every type, as `bpftool btf dump file FILE`.
    Dump(cmd::dump::Args),
    /// What a file holds: kinds, features, and the oldest kernel/libbpf/bpftool that reads it.
    Info(cmd::info::Args),
    /// CO-RE relocations of a BPF object against a target BTF, as libbpf does them (1.7 by default, `--libbpf 1.5` on request).
    Reloc(cmd::reloc::Args),
    /// What the verifier does with each relocated program: loads (dead code removed) or rejects.
    Guard(cmd::guard::Args),
    /// One object against many kernels: which programs load where, every relocation's value.
    Matrix(cmd::matrix::Args),
    /// Minimal BTF for objects: what their relocations need from a kernel (= bpftool gen min_core_btf).
    Minimize(cmd::minimize::Args),
    /// The CO-RE records clang emits for BPF C access expressions, and libbpf's answer per kernel.
    Access(cmd::access::Args),
    /// A failed load's log mapped to instructions, relocations and source lines: cause and fix.
    ExplainLog(cmd::explain_log::Args),
    /// Types added, removed and changed between two BTFs, field by field.
    Diff(cmd::diff::Args),
    /// One struct or union's fields across several BTFs, following renames.
    History(cmd::history::Args),
    /// C header (vmlinux.h), byte-identical to `bpftool btf dump file FILE format c`.
    Header(cmd::header::Args),
    /// A struct's layout as pahole prints it: offsets, sizes, holes, padding, cache lines.
    Layout(cmd::layout::Args),
    /// The kernel catalogue: every Debian kernel build's BTF; list, get, where, verify.
    Catalog(cmd::catalog::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(p) = cli.catalog {
        corelab_cli::kernels::set_catalog_path(p);
    }
    let result = match cli.command {
        Command::Dump(a) => cmd::dump::run(a),
        Command::Info(a) => cmd::info::run(a),
        Command::Reloc(a) => cmd::reloc::run(a),
        Command::Guard(a) => cmd::guard::run(a),
        Command::Matrix(a) => cmd::matrix::run(a),
        Command::Minimize(a) => cmd::minimize::run(a),
        Command::Access(a) => cmd::access::run(a),
        Command::ExplainLog(a) => cmd::explain_log::run(a),
        Command::Diff(a) => cmd::diff::run(a),
        Command::History(a) => cmd::history::run(a),
        Command::Header(a) => cmd::header::run(a),
        Command::Layout(a) => cmd::layout::run(a),
        Command::Catalog(a) => cmd::catalog::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let _ = std::io::stdout().flush();
            if f.message.is_empty() {
                // Already reported.
            } else if f.file.is_empty() {
                eprintln!("corelab: {}", f.message);
            } else {
                eprintln!("corelab: {}: {}", f.file, f.message);
            }
            ExitCode::from(1)
        }
    }
}
