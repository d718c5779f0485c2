#!/bin/bash
# The guard simulation on real programs nobody here wrote, measured against the kernel's
# verifier (issue 12). Run by hand, as root on a machine whose kernel loads BPF; nothing in the
# tests reads its output. Steps (all by default, or the ones named):
#
#   fetch     Debian's libbpf-tools, xdp-tools and libxdp1 for sid, trixie and bookworm
#             (../shared/tools/papt.sh; a private apt state under OUT/papt)
#   extract   the BPF objects: every skeleton object embedded in the libbpf-tools and
#             xdp-tools executables (found and sized by `corelab info`), and libxdp's
#             /usr/lib/*/bpf/*.o, as OUT/objs/SUITE__TOOL[__N].bpf.o
#   verdicts  the libbpf 1.5 oracle's verdict mode (it really loads every program) against
#             every public kernel (ORACLE/build/fixtures/*.btf) and crafted target
#             (ORACLE/targets/*.btf, ORACLE/build/targets/*.btf): OUT/verdicts/OBJ__TARGET.jsonl
#   guard     `corelab guard --json` on the same pairs, same kconfig and release:
#             OUT/guard/OBJ__TARGET.jsonl (and its wall time per pair)
#   compare   ../shared/checks/guard-compare.py over both directories, then compare.py:
#             undecided programs, steps against the verifier's processed instructions
#
# usage: scripts/realworld/run.sh OUT [STEP...]
# env:   ORACLE (default /work/oracle), SHARED (default ../shared), CORELAB (default
#        target/release/corelab), JOBS (default 2), SUITES (default "sid trixie bookworm"),
#        GUARD (output folder under OUT for the guard step, default guard), KSYMS (a BTF for
#        `guard --ksym-btf`: the oracle's libbpf resolves __ksym externs against the running
#        kernel, /sys/kernel/btf/vmlinux, whatever the target; corelab against the target
#        unless told), TARGETS (a folder of *.btf to use as the targets instead of the
#        oracle's, e.g. catalogue builds written by `corelab catalog get`)
set -euo pipefail
OUT=$(realpath -m "${1:?usage: run.sh OUT [STEP...]}"); shift
STEPS=${*:-fetch extract verdicts guard compare}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ORACLE=${ORACLE:-/work/oracle}
SHARED=$(realpath "${SHARED:-$ROOT/../shared}")
CORELAB=$(realpath "${CORELAB:-$ROOT/target/release/corelab}")
JOBS=${JOBS:-2}
SUITES=${SUITES:-sid trixie bookworm}
KCONFIG=$ORACLE/tools/kconfig.fixed
GUARD=${GUARD:-guard}
KSYMS=${KSYMS:-}
mkdir -p "$OUT"

# The kernel release LINUX_KERNEL_VERSION sees for a target (the oracle's run_all.sh rule):
# the first x.y.z in its name, else a fixed value per crafted target.
release_for() {
	case "$1" in
	old_kernel) echo 5.4.0 ;;
	moved_resized) echo 7.0.0 ;;
	*) if [[ $1 =~ ([0-9]+\.[0-9]+\.[0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo 6.18.0; fi ;;
	esac
}

targets() {
	if [ -n "${TARGETS:-}" ]; then
		ls "$TARGETS"/*.btf
		return
	fi
	for t in "$ORACLE"/build/fixtures/*.btf "$ORACLE"/targets/*.btf "$ORACLE"/build/targets/*.btf; do
		[ -e "$t" ] && echo "$t"
	done
}

step_fetch() {
	for s in $SUITES; do
		mkdir -p "$OUT/debs/$s"
		(cd "$OUT/debs/$s" && PAPT_ROOT=$OUT/papt "$SHARED/tools/papt.sh" "$s" amd64 update >/dev/null &&
			PAPT_ROOT=$OUT/papt "$SHARED/tools/papt.sh" "$s" amd64 download libbpf-tools xdp-tools libxdp1)
	done
}

step_extract() {
	rm -rf "$OUT/objs" "$OUT/root"
	mkdir -p "$OUT/objs"
	for s in $SUITES; do
		mkdir -p "$OUT/root/$s"
		for d in "$OUT/debs/$s"/*.deb; do dpkg-deb -x "$d" "$OUT/root/$s"; done
		for exe in "$OUT/root/$s"/usr/sbin/* "$OUT/root/$s"/usr/bin/*; do
			[ -f "$exe" ] || continue
			tool=$(basename "$exe")
			# "  at offset 0x1234, 5678 bytes" per embedded object.
			"$CORELAB" info "$exe" 2>/dev/null | sed -n 's/^  at offset \(0x[0-9a-f]*\), \([0-9]*\) bytes$/\1 \2/p' |
				awk '{print NR, $1, $2}' | while read -r n off len; do
				name=${s}__$tool
				[ "$n" -gt 1 ] && name=${name}__$n
				python3 - "$exe" "$off" "$len" "$OUT/objs/$name.bpf.o" <<'PY'
import sys
src, off, n, dst = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3]), sys.argv[4]
with open(src, "rb") as f:
    f.seek(off)
    data = f.read(n)
open(dst, "wb").write(data)
PY
			done
		done
		for o in "$OUT/root/$s"/usr/lib/*/bpf/*.o; do
			[ -f "$o" ] && cp "$o" "$OUT/objs/${s}__libxdp_$(basename "$o" .o).bpf.o"
		done
	done
	echo "$(ls "$OUT/objs" | wc -l) objects in $OUT/objs"
}

# Runs one command line per pair (OBJ TARGET) through xargs, JOBS at a time.
pairs() {
	for t in $(targets); do
		for o in "$OUT"/objs/*.bpf.o; do echo "$o $t"; done
	done
}

step_verdicts() {
	rm -rf "$OUT/verdicts"; mkdir -p "$OUT/verdicts"
	pairs | xargs -P "$JOBS" -L 1 bash -c '
		o=$0; t=$1; name=$(basename "$t" .btf); rel=$('"$(declare -f release_for)"'; release_for "$name")
		nice '"$ORACLE"'/build/core-oracle-libbpf1.5 --externs --kconfig '"$KCONFIG"' --uname-release "$rel" \
			--verdicts --no-relos --fix-maps --object-name "$(basename "$o")" --target-name "$name" "$o" "$t" \
			> '"$OUT"'/verdicts/$(basename "$o" .bpf.o)__$name.jsonl 2>/dev/null || true'
	echo "$(ls "$OUT/verdicts" | wc -l) verdict files"
}

step_guard() {
	rm -rf "$OUT/$GUARD"; mkdir -p "$OUT/$GUARD"
	pairs | xargs -P "$JOBS" -L 1 bash -c '
		o=$0; t=$1; name=$(basename "$t" .btf); rel=$('"$(declare -f release_for)"'; release_for "$name")
		base='"$OUT/$GUARD"'/$(basename "$o" .bpf.o)__$name
		start=$(date +%s%N)
		'"$CORELAB"' guard "$o" --target "$t" --kconfig '"$KCONFIG"' --kernel-release "$rel" --json \
			'"${KSYMS:+--ksym-btf $KSYMS}"' > "$base.jsonl" 2> "$base.err" || true
		echo $(( ($(date +%s%N) - start) / 1000 )) > "$base.us"'
	echo "$(ls "$OUT/$GUARD"/*.jsonl | wc -l) guard files"
}

step_compare() {
	python3 "$SHARED/checks/guard-compare.py" --dirs "$OUT/verdicts" "$OUT/$GUARD" | tee "$OUT/$GUARD-compare.txt"
	python3 "$HERE/compare.py" "$OUT/verdicts" "$OUT/$GUARD" | tee "$OUT/$GUARD-report.txt"
}

for s in $STEPS; do "step_$s"; done
