// SPDX-License-Identifier: GPL-2.0
/* Tour 3 — Bitfields.
 *
 * A bitfield has no byte offset to patch. BPF_CORE_READ_BITFIELD_PROBED
 * asks for five facts about the field instead — its byte offset, the size
 * of the load that holds it, whether it is signed, and two shift amounts —
 * and extracts it with a load, a left shift and a right shift. Each fact is
 * a relocation (byte_off, byte_sz, signed, lshift_u64, rshift_u64).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(tcp_flags, struct sock *sk, int state)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 syn_data = BPF_CORE_READ_BITFIELD_PROBED(tp, syn_data);
	__u64 repair = BPF_CORE_READ_BITFIELD_PROBED(tp, repair);

	bpf_printk("state %d syn_data %llu repair %llu", state, syn_data, repair);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
