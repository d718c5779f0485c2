#!/usr/bin/env bash
# Wall time and peak memory of `corelab header` against `bpftool btf dump file X format c` on
# the unpacked 6.18 kernel BTF, in the same run (the budget: at most half of bpftool 7.1's wall
# time, and no more peak memory).
#   scripts/bench-header.sh [RUNS]        needs hyperfine and bpftool; RUNS defaults to 20
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
for tool in hyperfine bpftool; do
  command -v "$tool" >/dev/null || { echo "bench-header: $tool not installed" >&2; exit 2; }
done
cargo build --release -q -p corelab-cli
bin=$PWD/target/release/corelab
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
btf=$tmp/vmlinux-6.18.btf
gunzip -c tests/data/btf/host-6.18.44-fc-v657-amd64.btf.gz > "$btf"

# Same bytes first: the 7.1 profile is bpftool 7.1's output.
"$bin" header "$btf" --profile bpftool-7.1 | cmp -s - <(bpftool btf dump file "$btf" format c) \
  || echo "warning: corelab --profile bpftool-7.1 differs from the installed bpftool" >&2

hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/h.json" \
  -n "corelab header (default: bpftool 7.8 order)" "$bin header $btf" \
  -n "corelab header --profile bpftool-7.1" "$bin header $btf --profile bpftool-7.1" \
  -n "bpftool btf dump file X format c" "bpftool btf dump file $btf format c"

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
echo
echo "peak RSS (KiB), best of 3:"
for cmd in "$bin header $btf" "$bin header $btf --profile bpftool-7.1" "bpftool btf dump file $btf format c"; do
  best=
  for _ in 1 2 3; do
    kb=$(peak $cmd)
    if [[ -z $best || $kb -lt $best ]]; then best=$kb; fi
  done
  printf '  %8s  %s\n' "$best" "${cmd//$tmp\//}"
done

python3 - "$tmp/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bp = r[2]["mean"]
print()
for x in r[:2]:
    print(f"  {x['command']}: {x['mean']*1000:.1f} ms, bpftool/corelab = {bp / x['mean']:.2f}x")
print(f"  bpftool: {bp*1000:.1f} ms")
PY
