// SPDX-License-Identifier: GPL-2.0
/* Poisoned instructions of the three kinds libbpf writes: a weak kfunc the kernel lacks
 * (call 2002000000+N), a CO-RE relocation without a match (call 0xbad2310), and, with the
 * map's autocreate turned off by user space, a map load (call 2001000000+N). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

extern void bpf_corelab_no_such_kfunc(void) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

struct task_struct___nope {
	int corelab_no_such_field;
} __attribute__((preserve_access_index));

SEC("tp/syscalls/sys_enter_nanosleep")
int call_missing_kfunc(void *ctx)
{
	bpf_corelab_no_such_kfunc();
	return 0;
}

SEC("tp/syscalls/sys_enter_clock_nanosleep")
int count(void *ctx)
{
	u32 k = 0;
	u64 *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		*v += 1;
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int read_missing(void *ctx)
{
	struct task_struct___nope *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, corelab_no_such_field);
}

char LICENSE[] SEC("license") = "GPL";
