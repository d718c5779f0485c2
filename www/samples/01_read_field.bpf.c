// SPDX-License-Identifier: GPL-2.0
/* Tour 1 — Reading a kernel field.
 *
 * BPF_CORE_READ(task, pid) compiles to a bpf_probe_read_kernel() of
 * &task->pid, and clang records *what* was read: "struct task_struct,
 * member pid" (a CO-RE relocation of kind byte_off). The offset in the
 * instruction is pid's offset in the vmlinux.h this was built against;
 * libbpf replaces it with pid's offset in the kernel it loads on.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_nanosleep")
int read_pid(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	pid_t pid = BPF_CORE_READ(task, pid);
	pid_t tgid = BPF_CORE_READ(task, tgid);

	bpf_printk("pid %d tgid %d", pid, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
