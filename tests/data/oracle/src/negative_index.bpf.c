// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Negative access-string indices: the object before the one a pointer points
 * at (root index -1) and elements before a flexible array's start.  libbpf 1.5
 * and 1.7 relocate them (offsets wrap in 32 bits); libbpf's master after 1.7
 * rejects negative indices (5ca5801a).  Root-index offsets come out as huge
 * unsigned values, which an LDX cannot take (-ERANGE) and an ALU can. */
#include "common.h"

struct corpus_arrays {
	int hdr;
	int grid[3][4];
	struct {
		short lo;
		short hi;
	} pairs[5];
	char tail[8];
	int flex[];
} __pai;

SEC("kprobe/do_nanosleep")
int neg_root(struct pt_regs *ctx)
{
	struct corpus_arrays *a = (void *)PT_REGS_PARM1(ctx);
	struct task_struct *t = (void *)PT_REGS_PARM2(ctx);

	emit(0, BPF_CORE_READ(&a[-1], hdr));
	emit(1, BPF_CORE_READ(&t[-1], pid));
	emit(2, bpf_core_field_exists(a[-1].tail));
	return 0;
}

SEC("kprobe/do_nanosleep")
int neg_flex(struct pt_regs *ctx)
{
	struct corpus_arrays *a = (void *)PT_REGS_PARM1(ctx);

	emit(3, BPF_CORE_READ(a, flex[-2]));
	emit(4, bpf_core_field_exists(a->flex[-1]));
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(neg_direct, bool preempt, struct task_struct *prev)
{
	emit(5, prev[-1].pid);
	return 0;
}
