// SPDX-License-Identifier: GPL-2.0
/* Tour 7 — Kconfig externs.
 *
 * __kconfig externs are filled by libbpf from the running kernel's
 * configuration and release, into a read-only map the verifier can read:
 * a comparison with LINUX_KERNEL_VERSION or a CONFIG_ value is constant,
 * and the branch the kernel cannot take is removed. __weak externs default
 * to zero when the option is missing.
 *
 * A const volatile global is the loader's knob: set before load (through the
 * skeleton's rodata), then frozen — a constant for the verifier too.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern u32 LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig __weak;

const volatile bool verbose = false;

SEC("kprobe/do_nanosleep")
int kconfig(void *ctx)
{
	if (LINUX_KERNEL_VERSION >= KERNEL_VERSION(6, 0, 0))
		bpf_printk("a 6.x kernel, HZ=%d", CONFIG_HZ);
	else
		bpf_printk("an older kernel, HZ=%d", CONFIG_HZ);

	if (!CONFIG_BPF_SYSCALL)
		bpf_printk("never on a kernel running BPF");
	if (verbose)
		bpf_printk("verbose: the loader asked for it");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
