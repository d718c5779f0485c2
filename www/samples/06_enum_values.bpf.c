// SPDX-License-Identifier: GPL-2.0
/* Tour 6 — Enum values.
 *
 * Enumerator values are not stable across kernels: cgroup_subsys_id is
 * generated from the kernel's config. bpf_core_enum_value() becomes the
 * target kernel's value; guard it with bpf_core_enum_value_exists(), or it
 * is poisoned where the enumerator is missing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_nanosleep")
int cpu_cgroup(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int id = -1;

	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		id = bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id);
	if (id >= 0 && id < CGROUP_SUBSYS_COUNT) {
		struct css_set *cgroups = BPF_CORE_READ(task, cgroups);
		struct cgroup_subsys_state *css;

		bpf_core_read(&css, sizeof(css), &cgroups->subsys[id]);
		bpf_printk("cpu css %p (subsys id %d)", css, id);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
