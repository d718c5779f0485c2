// SPDX-License-Identifier: GPL-2.0
/* Guarding 11 — a helper writes the stack.
 *
 * An event starts zeroed on the stack; bpf_probe_read_kernel() fills one of
 * its fields, bpf_get_current_comm() another, and each is then tested. The
 * verifier knows the fields were zero only until the calls: the helpers'
 * first argument is memory they write (ARG_PTR_TO_UNINIT_MEM, its size in the
 * second argument), so after them the fields are unknown and both sides of
 * each test stay. A field no helper writes (flags) is still zero at its test,
 * and the branch it guards is dead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct event {
	__u32 pid;
	__u32 flags;
	__u64 ino;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("kprobe/vfs_open")
int BPF_KPROBE(probe_read_zeroed, const struct path *path, struct file *file)
{
	struct event e = {};
	struct inode *inode = BPF_CORE_READ(path, dentry, d_inode);

	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_kernel(&e.ino, sizeof(e.ino), &inode->i_ino);
	if (e.ino == 0)
		return 0;
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	if (e.comm[0] == '\0')
		return 0;
	if (e.flags)
		bpf_printk("never: flags is still zero");
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
