// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Direct loads (LDX) of whole arrays and of array elements that are arrays
 * themselves: the access is a FIELD_BYTE_OFFSET relocation whose remembered
 * size differs by libbpf release.  1.5 takes the whole array (task_struct.comm:
 * 16 bytes, grid[1]: 16 bytes); 1.6 and later one innermost element (1, 4).
 * A load narrower than the array then fails 1.5's memory-size check, or its
 * size adjustment is refused where the array's length changed
 * (moved_resized: comm 16 -> 32, grid [3][4] -> [2][3]), while 1.7 patches. */
#include "common.h"

struct corpus_arrays {
	int hdr;
	int grid[3][4];
	struct {
		short lo;
		short hi;
	} pairs[5];
	char tail[8];
	int flex[];
} __pai;

SEC("tp_btf/sched_switch")
int BPF_PROG(comm_words, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	emit(0, *(u64 *)&next->comm);
	emit(1, *(u32 *)&prev->comm);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(grid_rows, bool preempt, struct task_struct *prev)
{
	struct corpus_arrays *a = (void *)prev;

	emit(2, *(u32 *)&a->grid[1]);
	emit(3, *(u64 *)&a->tail);
	emit(4, *(u32 *)&a->pairs[2]);
	emit(5, a->grid[2][3]);
	return 0;
}
