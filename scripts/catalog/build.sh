#!/usr/bin/env bash
# Rebuilds the kernel catalogue from Debian's archive (run by hand, not in CI; the result is
# committed): fetch.py adds every new build's BTF and provenance, then `corelab catalog pack`
# writes catalog/debian.btfcat, taking builds no longer in the archive from the previous one.
#   scripts/catalog/build.sh [SCRATCH]     (default /tmp/corelab-catalog; ~5 GB while it runs)
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${1:-/tmp/corelab-catalog}
python3 scripts/catalog/fetch.py --scratch "$scratch"
cargo build --release -p corelab-cli --locked
prev=()
[ -f catalog/debian.btfcat ] && prev=(--previous catalog/debian.btfcat)
./target/release/corelab catalog pack --manifest catalog/builds.jsonl \
  --btf-dir "$scratch/btf" "${prev[@]}" -o "$scratch/debian.btfcat"
mv "$scratch/debian.btfcat" catalog/debian.btfcat
./target/release/corelab catalog verify
