// SPDX-License-Identifier: GPL-2.0
/* Tour 8 — Your own type definitions, no vmlinux.h.
 *
 * CO-RE matches types by name and members by name, not by layout: a
 * program can declare just the fields it reads, at any offsets, as long as
 * the struct is marked preserve_access_index. libbpf finds the kernel's
 * task_struct and the real offsets of pid and real_parent.
 */
typedef int pid_t;

struct task_struct {
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

#define SEC(name) __attribute__((section(name), used))

static long (*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_probe_read_kernel)(void *dst, unsigned int size, const void *src) = (void *)113;

SEC("kprobe/do_nanosleep")
int own_types(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent;
	pid_t ppid;

	bpf_probe_read_kernel(&parent, sizeof(parent), &task->real_parent);
	bpf_probe_read_kernel(&ppid, sizeof(ppid), &parent->tgid);
	return ppid;
}

char LICENSE[] SEC("license") = "GPL";
