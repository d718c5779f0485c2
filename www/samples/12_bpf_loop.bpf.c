// SPDX-License-Identifier: GPL-2.0
/* Guarding 12 — a callback through bpf_loop.
 *
 * bpf_loop() calls visit() up to 16 times; the verifier walks visit() as a
 * function of its own, with the loop index unknown. The callback writes
 * through its context, a struct on the caller's stack: after bpf_loop()
 * returns, the caller knows nothing of what the struct holds, so both sides
 * of the test of c.found stay, although it was zero before the call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct walk {
	struct task_struct *task;
	__u64 sum;
	__u32 found;
	__u32 depth;
};

static long visit(__u32 i, struct walk *w)
{
	struct task_struct *t = w->task;

	if (!t)
		return 1;
	if (BPF_CORE_READ(t, pid) == 1) {
		w->found = 1;
		return 1;
	}
	w->sum += BPF_CORE_READ(t, tgid);
	w->depth = i;
	w->task = BPF_CORE_READ(t, real_parent);
	return 0;
}

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(loop_callback)
{
	struct walk w = { .task = (struct task_struct *)bpf_get_current_task() };

	bpf_loop(16, visit, &w, 0);
	if (w.found)
		bpf_printk("init is an ancestor, %u levels up (tgid sum %llu)", w.depth, w.sum);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
