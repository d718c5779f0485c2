// SPDX-License-Identifier: GPL-2.0
/* Tour 4 — Sizes.
 *
 * bpf_core_field_size() and bpf_core_type_size() become constants that
 * libbpf rewrites for the target kernel: the size of task_struct changes
 * with almost every kernel build, comm[] has been 16 bytes for decades.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_nanosleep")
int sizes(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	char comm[16] = {};
	__u32 comm_size = bpf_core_field_size(task->comm);
	__u32 task_size = bpf_core_type_size(struct task_struct);
	__u32 pid_offset = bpf_core_field_offset(task->pid);

	/* The read size is relocated too: never read past the kernel's field. */
	if (comm_size > sizeof(comm))
		comm_size = sizeof(comm);
	bpf_core_read(comm, comm_size, &task->comm);
	bpf_printk("%s: task_struct is %u bytes, pid at %u", comm, task_size, pid_offset);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
