// SPDX-License-Identifier: GPL-2.0
/* Tour 9 — A renamed field: task_struct.state became __state (5.14).
 *
 * Declare each shape as a "flavor" — the same struct name with a ___suffix.
 * libbpf ignores the suffix when it looks for candidates, so both flavors
 * match the kernel's task_struct, and each field relocation succeeds only
 * where the field exists. bpf_core_field_exists() picks the branch; the
 * verifier removes the other one, poisoned instruction included.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___new {
	unsigned int __state;
} __attribute__((preserve_access_index));

struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *task)
{
	struct task_struct___new *t_new = (void *)task;

	if (bpf_core_field_exists(t_new->__state))
		return BPF_CORE_READ(t_new, __state);
	return BPF_CORE_READ((struct task_struct___old *)task, state);
}

SEC("kprobe/do_nanosleep")
int state(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	bpf_printk("state %ld", task_state(task));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
