#!/usr/bin/env bash
# Measures the corelab CLI against bpftool and libbpf in the same run, on the same files:
#   - vmlinux.h generation (corelab header vs bpftool btf dump file X format c), 6.18 and 5.10
#   - raw listing (corelab dump vs bpftool btf dump file X)
#   - relocation (corelab minimize vs bpftool gen min_core_btf: both relocate every CO-RE
#     record of the objects with their CO-RE engine — libbpf's, linked into bpftool — and
#     write the minimal BTF), and corelab reloc / guard of the largest object
#   - with CORELAB_BPFTOOL naming a bpftool 7.7+ (sid's 7.8): three modules merged over their
#     kernel, listing and header (corelab dump/header M1 M2 M3 --base K vs bpftool -B K btf dump
#     file M1 file M2 file M3)
# Prints wall-time means (hyperfine), ratios, and peak RSS (GNU time, median of 9 runs). Needs bpftool and
# hyperfine (scripts/setup.sh tools); the figures in README.md come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench.sh: hyperfine not installed (apt-get install hyperfine)"; exit 1; }
command -v bpftool >/dev/null || { echo "bench.sh: bpftool not installed"; exit 1; }
cargo build -q --release -p corelab-cli
bin=target/release/corelab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for k in host-6.18.44-fc-v657-amd64 debian11-5.10.0-46-amd64; do
  gunzip -c "tests/data/btf/$k.btf.gz" > "$tmp/$k.btf"
done
mkdir -p "$tmp/obj"
for o in tests/data/oracle/obj/*.o.gz; do gunzip -c "$o" > "$tmp/obj/$(basename "$o" .gz)"; done
# The objects bpftool's min_core_btf accepts (it refuses objects whose relocation fails).
objs=()
for o in "$tmp"/obj/*.o; do
  bpftool gen min_core_btf "$tmp/host-6.18.44-fc-v657-amd64.btf" "$tmp/x.btf" "$o" >/dev/null 2>&1 && objs+=("$o")
done
k618=$tmp/host-6.18.44-fc-v657-amd64.btf
k510=$tmp/debian11-5.10.0-46-amd64.btf

mean() { # hyperfine JSON → mean seconds of command $2
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(r[int(sys.argv[2])]['mean'])" "$1" "$2"
}
rss() { # peak RSS in KiB of a command: the median of 9 runs (one run varies by ±2%)
  for _ in 1 2 3 4 5 6 7 8 9; do
    /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
  done | sort -n | sed -n 5p
}
compare() { # label, ours, theirs
  local label=$1 ours=$2 theirs=$3
  hyperfine -N --warmup 2 --runs "${RUNS:-10}" --export-json "$tmp/h.json" "$ours" "$theirs" >/dev/null 2>&1 \
    || hyperfine --warmup 2 --runs "${RUNS:-10}" --export-json "$tmp/h.json" "$ours > /dev/null" "$theirs > /dev/null" >/dev/null
  local a b
  a=$(mean "$tmp/h.json" 0)
  b=$(mean "$tmp/h.json" 1)
  # shellcheck disable=SC2086
  local ra rb
  ra=$(rss $ours)
  rb=$(rss $theirs)
  python3 -c "
import sys
a,b,ra,rb=float(sys.argv[2]),float(sys.argv[3]),int(sys.argv[4]),int(sys.argv[5])
print(f'{sys.argv[1]:<40} corelab {a*1000:8.1f} ms {ra/1024:7.1f} MiB | reference {b*1000:8.1f} ms {rb/1024:7.1f} MiB | time ratio {a/b:5.2f}  memory ratio {ra/rb:5.2f}')
" "$label" "$a" "$b" "$ra" "$rb"
}
echo "corelab $(git rev-parse --short HEAD) vs $(bpftool version | head -1), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
compare "vmlinux.h 6.18 (default profile)" "$bin header $k618" "bpftool btf dump file $k618 format c"
compare "vmlinux.h 6.18 (bpftool-7.1 profile)" "$bin header $k618 --profile bpftool-7.1" "bpftool btf dump file $k618 format c"
compare "vmlinux.h 5.10 (bpftool-7.1 profile)" "$bin header $k510 --profile bpftool-7.1" "bpftool btf dump file $k510 format c"
compare "raw listing 6.18" "$bin dump $k618" "bpftool btf dump file $k618"
compare "min_core_btf, ${#objs[@]} objects, 6.18" "$bin minimize ${objs[*]} --target $k618 -o $tmp/o.btf" \
  "bpftool gen min_core_btf $k618 $tmp/b.btf ${objs[*]}"
# Several modules merged over their kernel needs bpftool 7.7+ (CORELAB_BPFTOOL=…/bpftool-7.8).
if [ -n "${CORELAB_BPFTOOL:-}" ]; then
  k61=debian12-6.1.0-50-amd64
  gunzip -c "tests/data/btf/$k61.btf.gz" > "$tmp/$k61.btf"
  mods=() files=()
  for m in nf_conntrack nf_nat nf_tables; do
    gunzip -c "tests/data/modules/$k61-$m.btf.gz" > "$tmp/$m.btf"
    mods+=("$tmp/$m.btf") files+=(file "$tmp/$m.btf")
  done
  compare "6.1 + 3 modules merged, listing" "$bin dump ${mods[*]} --base $tmp/$k61.btf" \
    "$CORELAB_BPFTOOL -B $tmp/$k61.btf btf dump ${files[*]}"
  compare "6.1 + 3 modules merged, header" "$bin header -p bpftool-7.8 ${mods[*]} --base $tmp/$k61.btf" \
    "$CORELAB_BPFTOOL -B $tmp/$k61.btf btf dump ${files[*]} format c"
fi
echo
echo "corelab alone:"
hyperfine -N --warmup 2 --runs "${RUNS:-10}" \
  "$bin reloc $tmp/obj/tcpstates.o --target $k618" \
  "$bin guard $tmp/obj/tcpstates.o --target $k618 --kernel-release 6.18.44" \
  "$bin info $k618" 2>/dev/null | grep -E "Benchmark|Time"
echo
echo "minimal BTF sizes (same objects): corelab $(stat -c %s "$tmp/o.btf") bytes, bpftool $(stat -c %s "$tmp/b.btf") bytes"
