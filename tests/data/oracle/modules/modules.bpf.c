// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* CO-RE candidates from kernel modules: libbpf searches a live kernel's module
 * BTFs (/sys/kernel/btf/MODULE) for a local type vmlinux has no candidate for,
 * module after module.  ext4 and tcp_bbr are modules in Debian's kernels; their
 * types are declared here under a ___m flavor (vmlinux.h of a kernel with ext4
 * built in has them already).  task_struct is found in vmlinux, so modules are
 * not searched for it; corpus_nowhere is in no BTF. */
#include "common.h"

struct ext4_extent_header___m {
	__u16 eh_magic;
	__u16 eh_entries;
	__u16 eh_max;
	__u16 eh_depth;
	__u32 eh_generation;
} __pai;

struct ext4_dir_entry_2___m {
	__u32 inode;
	__u16 rec_len;
	__u8 name_len;
	__u8 file_type;
	char name[255];
} __pai;

struct bbr___m {
	u32 min_rtt_us;
	u32 min_rtt_stamp;
	u32 probe_rtt_done_stamp;
	u32 mode : 3, prev_ca_state : 3, packet_conservation : 1;
	u32 lt_bw;
} __pai;

enum ext4_li_mode___m {
	EXT4_LI_MODE_PREFETCH_BBITMAP___m,
	EXT4_LI_MODE_ITABLE___m,
};

struct corpus_nowhere { int x; } __pai;

SEC("kprobe/ext4_ext_check_inode")
int ext4_reads(struct pt_regs *ctx)
{
	struct ext4_extent_header___m *eh = (void *)PT_REGS_PARM1(ctx);
	struct ext4_dir_entry_2___m *de = (void *)PT_REGS_PARM2(ctx);

	emit(0, BPF_CORE_READ(eh, eh_depth));
	emit(1, bpf_core_field_exists(eh->eh_generation));
	emit(2, bpf_core_type_id_kernel(struct ext4_extent_header___m));
	emit(3, bpf_core_type_size(struct ext4_dir_entry_2___m));
	emit(4, BPF_CORE_READ(de, name[3]));
	emit(5, bpf_core_enum_value(enum ext4_li_mode___m, EXT4_LI_MODE_ITABLE___m));
	emit(6, bpf_core_enum_value_exists(enum ext4_li_mode___m, EXT4_LI_MODE_ITABLE___m));
	return 0;
}

SEC("kprobe/bbr_main")
int bbr_reads(struct pt_regs *ctx)
{
	struct bbr___m *b = (void *)PT_REGS_PARM1(ctx);
	struct task_struct *t = (void *)bpf_get_current_task();
	struct corpus_nowhere *n = (void *)PT_REGS_PARM2(ctx);

	emit(7, BPF_CORE_READ(b, lt_bw));
	emit(8, BPF_CORE_READ_BITFIELD_PROBED(b, mode));
	emit(9, bpf_core_type_id_kernel(struct bbr___m));
	emit(10, BPF_CORE_READ(t, pid));
	emit(11, bpf_core_field_exists(n->x));
	emit(12, bpf_core_type_exists(struct bbr___m));
	return 0;
}
