#!/usr/bin/env bash
# Regenerates tests/data/modules/merged/: real Debian module BTFs and bpftool 7.8.0's output
# for several modules merged over their kernel (`bpftool -B VMLINUX btf dump file M1 file M2
# … [format c]`). These are references (bpftool's bytes): UPDATE_GOLDEN never touches them,
# this script does, by hand.
#
#   scripts/merged-references.sh BPFTOOL_7_8 DEB_6_1_DIR DEB_6_12_S390X_DIR
#
# BPFTOOL_7_8: sid's bpftool 7.8.0 (libbpf 1.8), e.g. installed with ../shared/tools/setup_bpftool.sh.
# DEB_*_DIR: the unpacked packages (dpkg-deb -x) the kernels of tests/data/btf come from:
#   linux-image-6.1.0-50-amd64-unsigned 6.1.176-1 (bookworm, amd64)
#   linux-image-6.12.107+deb13-s390x 6.12.107-1 (trixie, s390x; modules are .ko.xz)
# Needs llvm-objcopy (the .BTF sections), xz, gzip and diff.
#
# Per case: NAME.raw.txt.gz (the listing) and NAME.h.diff.gz (the header, as a `diff -U0`
# against bpftool 7.8.0's header of the kernel alone, tests/data/headers/bpftool-7.8.0/; the
# tests apply it, so the reference stays bpftool's bytes while the repository keeps 2% of
# them). cases.txt lists each case: name, kernel, module files.
set -euo pipefail
cd "$(dirname "$0")/.."
bpftool=$1 deb61=$2 deb612=$3
out=tests/data/modules/merged
mods=tests/data/modules
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

k61=debian12-6.1.0-50-amd64
k612=debian13-6.12.107-s390x
m61=$deb61/lib/modules/6.1.0-50-amd64/kernel
m612=$deb612/usr/lib/modules/6.12.107+deb13-s390x/kernel

# The .BTF section of a module, gzip'd into tests/data/modules/ as KERNEL-NAME.btf.gz.
extract() { # KERNEL MODULE_FILE NAME
  local ko=$2
  case "$ko" in *.xz) xz -dc "$ko" > "$tmp/m.ko"; ko=$tmp/m.ko ;; esac
  llvm-objcopy --dump-section ".BTF=$tmp/m.btf" "$ko" /dev/null
  gzip -9n < "$tmp/m.btf" > "$mods/$1-$3.btf.gz"
}
for m in net/netfilter/nf_conntrack net/netfilter/nf_nat net/netfilter/nf_tables \
  sound/core/snd sound/core/snd-pcm sound/core/snd-timer sound/core/snd-hwdep \
  sound/core/snd-rawmidi sound/core/snd-seq-device sound/hda/snd-hda-core; do
  extract $k61 "$m61/$m.ko" "$(basename $m)"
done
for m in net/netfilter/nf_conntrack net/netfilter/nf_nat net/netfilter/nf_tables \
  fs/ext4/ext4 fs/jbd2/jbd2 fs/mbcache; do
  extract $k612 "$m612/$m.ko.xz" "$(basename $m)"
done
# One module as Debian ships it (xz-compressed ELF): corelab reads it directly.
cp "$m612/net/netfilter/nf_nat.ko.xz" "$mods/$k612-nf_nat.ko.xz"

cat > "$out/cases.txt" <<EOF
# name kernel module... (files in tests/data/modules/; bpftool -B kernel btf dump file M1 file M2 …)
$k61+ext4+tcp_bbr $k61 $k61-ext4.btf.gz $k61-tcp_bbr.btf.gz
$k61+nf_conntrack+nf_nat+nf_tables $k61 $k61-nf_conntrack.btf.gz $k61-nf_nat.btf.gz $k61-nf_tables.btf.gz
$k61+nf_tables+nf_nat+nf_conntrack $k61 $k61-nf_tables.btf.gz $k61-nf_nat.btf.gz $k61-nf_conntrack.btf.gz
$k61+nf_nat+nf_nat $k61 $k61-nf_nat.btf.gz $k61-nf_nat.btf.gz
$k61+snd+7 $k61 $k61-snd.btf.gz $k61-snd-pcm.btf.gz $k61-snd-timer.btf.gz $k61-snd-hwdep.btf.gz $k61-snd-rawmidi.btf.gz $k61-snd-seq-device.btf.gz $k61-snd-hda-core.btf.gz
$k612+nf_conntrack+nf_nat+nf_tables $k612 $k612-nf_conntrack.btf.gz $k612-nf_nat.ko.xz $k612-nf_tables.btf.gz
$k612+ext4+jbd2+mbcache $k612 $k612-ext4.btf.gz $k612-jbd2.btf.gz $k612-mbcache.btf.gz
$k612+nf_tables $k612 $k612-nf_tables.btf.gz
EOF

# Files bpftool can read: gunzipped, and the .ko.xz unpacked.
plain() { # FILE_IN_tests/data/modules
  local f=$mods/$1 p=$tmp/plain-$1
  case "$1" in
    *.gz) gunzip -c "$f" > "${p%.gz}"; echo "${p%.gz}" ;;
    *.xz) xz -dc "$f" > "${p%.xz}"; echo "${p%.xz}" ;;
    *) echo "$f" ;;
  esac
}
grep -v '^#' "$out/cases.txt" | while read -r name kernel files; do
  gunzip -c "tests/data/btf/$kernel.btf.gz" > "$tmp/base.btf"
  args=()
  for f in $files; do args+=(file "$(plain "$f")"); done
  "$bpftool" -B "$tmp/base.btf" btf dump "${args[@]}" | gzip -9n > "$out/$name.raw.txt.gz"
  "$bpftool" -B "$tmp/base.btf" btf dump "${args[@]}" format c > "$tmp/merged.h"
  gunzip -c "tests/data/headers/bpftool-7.8.0/$kernel.h.gz" > "$tmp/kernel.h"
  # diff exits 1 when the files differ.
  diff -U0 "$tmp/kernel.h" "$tmp/merged.h" | gzip -9n > "$out/$name.h.diff.gz" || true
  echo "$name: $(gunzip -c "$out/$name.raw.txt.gz" | grep -c '^\[') types"
done
