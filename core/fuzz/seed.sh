#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the test fixtures (corpus/ is git-ignored).
#   core/fuzz/seed.sh && cd core/fuzz && cargo +nightly fuzz run btf -- -max_total_time=600
set -euo pipefail
cd "$(dirname "$0")"
data=../../tests/data
mkdir -p corpus/btf corpus/object corpus/btf_ext corpus/header corpus/writer corpus/guard corpus/reloc corpus/dedup corpus/catalog corpus/access corpus/load_log
cp "$data"/probes/*.btf corpus/btf/
for f in "$data"/probes/*.o; do cp "$f" corpus/btf/; cp "$f" corpus/object/; done
for f in "$data"/oracle/obj/*.o.gz; do gunzip -c "$f" > "corpus/object/$(basename "$f" .gz)"; done
cp corpus/object/*.o corpus/reloc/
gunzip -c "$data"/modules/debian12-6.1.0-50-amd64-tcp_bbr.btf.gz > corpus/btf/tcp_bbr.btf
# Compressed layers: BTF behind gzip/xz, and content no layer may hold (refused on its head).
for f in "$data"/probes/*.btf; do gzip -9c "$f" > "corpus/btf/$(basename "$f").gz"; xz -c "$f" > "corpus/btf/$(basename "$f").xz"; break; done
head -c 4096 /dev/zero | gzip -9c > corpus/btf/zeros.gz
# .BTF.ext sections of the corpus objects.
for f in corpus/object/*.o; do
  llvm-objcopy-19 --dump-section .BTF.ext="corpus/btf_ext/$(basename "$f" .o).ext" "$f" /dev/null 2>/dev/null || true
done
echo "seeded: $(ls corpus/btf | wc -l) btf, $(ls corpus/object | wc -l) object, $(ls corpus/btf_ext | wc -l) btf_ext"
cp corpus/btf/* corpus/header/ && cp corpus/btf/* corpus/writer/ && cp corpus/btf/* corpus/dedup/
cp corpus/object/* corpus/guard/ && cp corpus/object/* corpus/reloc/
# Access questions: the README's examples and the fix snippets' shapes.
printf 'task_t *t\0BPF_CORE_READ(t, parent, comm[3])' > corpus/access/read_chain
printf 'struct task *t\0t->parent->in.b' > corpus/access/direct
printf 'struct task *t\0BPF_CORE_READ_BITFIELD_PROBED(t, sign)' > corpus/access/bitfield
printf 'bpf_core_enum_value(color_t, GREEN) + bpf_core_type_matches(struct slot___2)' > corpus/access/types
printf 'struct task___old { int state; } __attribute__((preserve_access_index));\0struct task *t\0int s; if (bpf_core_field_exists(t->state)) s = t->state; else s = ((struct task___old *)t)->state;' > corpus/access/flavor
# Load logs: the real and hand-written logs of tests/data/loadlog.
for f in "$data"/loadlog/logs/ptregs_arch*.gz; do gunzip -c "$f" > "corpus/load_log/$(basename "$f" .gz)"; done
cp "$data"/loadlog/hand/*.log corpus/load_log/
# The catalogue target's seeds (one per layer it feeds), written by a test.
# (run from the main workspace: core/fuzz is a workspace of its own)
(seeds="$PWD/corpus/catalog" && cd ../.. &&
  CORELAB_FUZZ_SEEDS="$seeds" cargo test -q -p corelab-tests --test it catalog_seeds_for_cargo_fuzz >/dev/null)
