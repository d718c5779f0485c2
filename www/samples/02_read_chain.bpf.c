// SPDX-License-Identifier: GPL-2.0
/* Tour 2 — BPF_CORE_READ chains.
 *
 * BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name) is one
 * probe read per pointer hop, and one relocation per hop: task_struct.mm,
 * mm_struct.exe_file, file.f_path.dentry (a sub-struct: one access string
 * "0:N:M"), dentry.d_name.name. Each is relocated on its own.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_nanosleep")
int exe_name(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const unsigned char *name;
	char buf[32];

	name = BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(buf, sizeof(buf), name);

	/* The parent's tgid: two hops, the second through a pointer. */
	pid_t ppid = BPF_CORE_READ(task, real_parent, tgid);

	bpf_printk("%s (parent %d)", buf, ppid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
