// SPDX-License-Identifier: GPL-2.0
/* Guarding 13 — a loop-heavy tracer.
 *
 * Bounded loops with early exits, over task ancestry and over a path copied
 * from user memory, and a switch on every character: the verifier walks each
 * iteration and keeps the states it has seen at the loop heads, pruning a path
 * once an earlier state covers it. The read-only globals decide some branches
 * (the what-if knobs flip them); the rest stay both ways.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define MAX_DEPTH 8
#define PATH_LEN 64

const volatile bool count_dots = false;
const volatile __u32 min_depth = 0;
const volatile pid_t target_tgid = 0;

struct stats {
	__u64 opens;
	__u64 slashes;
	__u64 dots;
	__u64 deep;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct stats);
} by_tgid SEC(".maps");

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(loop_tracer, int dfd, const char *filename)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct stats zero = {}, *s;
	char path[PATH_LEN];
	int depth = 0, i;
	long n;

	if (target_tgid && tgid != target_tgid)
		return 0;
	for (i = 0; i < MAX_DEPTH; i++) {
		struct task_struct *parent = BPF_CORE_READ(t, real_parent);

		if (!parent || parent == t)
			break;
		t = parent;
		depth++;
	}
	if (depth < min_depth)
		return 0;
	s = bpf_map_lookup_elem(&by_tgid, &tgid);
	if (!s) {
		bpf_map_update_elem(&by_tgid, &tgid, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&by_tgid, &tgid);
		if (!s)
			return 0;
	}
	__sync_fetch_and_add(&s->opens, 1);
	if (depth > 4)
		__sync_fetch_and_add(&s->deep, 1);
	n = bpf_probe_read_user_str(path, sizeof(path), filename);
	if (n <= 0)
		return 0;
	for (i = 0; i < PATH_LEN; i++) {
		if (i >= n)
			break;
		switch (path[i]) {
		case '\0':
			return 0;
		case '/':
			__sync_fetch_and_add(&s->slashes, 1);
			break;
		case '.':
			if (count_dots)
				__sync_fetch_and_add(&s->dots, 1);
			break;
		default:
			break;
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
