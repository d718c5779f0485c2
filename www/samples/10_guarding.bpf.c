// SPDX-License-Identifier: GPL-2.0
/* Tour 10 — Guarding relocations.
 *
 * inode timestamps changed twice: a struct timespec64 i_atime (to 6.6), a
 * hidden __i_atime (6.7-6.10), then i_atime_sec/i_atime_nsec (6.11). A
 * read of a field the kernel lacks is poisoned: libbpf writes
 * "call 0xbad2310" over the instruction, and the load fails if the
 * verifier can reach it ("invalid func unknown#195896080").
 *
 * atime_guarded checks existence first, so on each kernel only the branch
 * that matches survives. atime_unguarded reads i_atime_sec directly: it
 * loads on 6.12+ and is rejected on 5.10 and 6.1 — see the Guarding view.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct inode___old {
	struct timespec64 i_atime;
} __attribute__((preserve_access_index));

struct inode___mid {
	struct timespec64 __i_atime;
} __attribute__((preserve_access_index));

SEC("kprobe/vfs_read")
int BPF_KPROBE(atime_guarded, struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__s64 sec;

	if (bpf_core_field_exists(inode->i_atime_sec))
		sec = BPF_CORE_READ(inode, i_atime_sec);
	else if (bpf_core_field_exists(((struct inode___mid *)inode)->__i_atime))
		sec = BPF_CORE_READ((struct inode___mid *)inode, __i_atime.tv_sec);
	else
		sec = BPF_CORE_READ((struct inode___old *)inode, i_atime.tv_sec);
	bpf_printk("atime %lld", sec);
	return 0;
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(atime_unguarded, struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	bpf_printk("atime %lld", BPF_CORE_READ(inode, i_atime_sec));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
