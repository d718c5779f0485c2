// SPDX-License-Identifier: GPL-2.0
/* Tour 5 — Does the kernel have it?
 *
 * bpf_core_field_exists, bpf_core_type_exists and
 * bpf_core_enum_value_exists become 1 or 0 for the target kernel. They
 * never fail: a missing field, type or enumerator just gives 0, and the
 * verifier then sees a constant condition and drops the dead branch.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_nanosleep")
int existence(void *ctx)
{
	/* union bpf_attr gained link_create.perf_event.bpf_cookie in 5.15. */
	int has_cookie = bpf_core_field_exists(union bpf_attr, link_create.perf_event.bpf_cookie);
	/* struct bpf_dynptr arrived in 5.19. */
	int has_dynptr = bpf_core_type_exists(struct bpf_dynptr);
	/* The bpf_get_func_ip() helper arrived in 5.15. */
	int has_func_ip = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_ip);

	bpf_printk("cookie %d dynptr %d func_ip %d", has_cookie, has_dynptr, has_func_ip);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
