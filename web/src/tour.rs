//! The Tour: one step per section of the BPF CO-RE reference guide. A step is a URL of the
//! playground (sample object, kernel, view, program or relocation, what-if settings) and a
//! short text saying what to look at — so a step is also a link anyone can share.

use crate::url::UrlState;

/// One step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The reference guide's section.
    pub section: &'static str,
    /// The step's title.
    pub title: &'static str,
    /// What to look at.
    pub text: &'static str,
    /// The view, as a query string.
    pub url: &'static str,
}

impl Step {
    /// The view this step opens (with the Tour itself at step `n`).
    pub fn state(&self, n: usize) -> UrlState {
        let mut u = UrlState::parse(self.url);
        u.tour = Some(n);
        u
    }
}

/// Every step, in order.
pub const STEPS: &[Step] = &[
    Step {
        section: "Reading kernel data",
        title: "One field, relocated",
        text: "BPF_CORE_READ(task, pid) compiles to a read at pid's offset in the vmlinux.h the \
               program was built against, and clang records what was read: struct task_struct, \
               member pid. The first row is that record, expanded: libbpf found task_struct in \
               5.10, matched pid, and rewrote the offset the program was compiled with. Pick \
               6.18 in the top bar: there pid sits where vmlinux.h said, and nothing changes.",
        url: "?obj=01_read_field&kernel=debian11-5.10.0-46-amd64&view=relocs&relo=0",
    },
    Step {
        section: "BPF_CORE_READ() chains",
        title: "One relocation per pointer hop",
        text: "A chain like BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name) is a \
               probe read per pointer hop, and a relocation per hop. f_path.dentry is one \
               relocation with a longer access path: a member of a member, no pointer in \
               between. Each row is relocated on its own.",
        url: "?obj=02_read_chain&kernel=debian11-5.10.0-46-amd64&view=relocs",
    },
    Step {
        section: "Reading bitfields",
        title: "Five facts about one bitfield",
        text: "A bitfield has no byte offset to patch. BPF_CORE_READ_BITFIELD_PROBED asks for \
               five relocations instead: the byte offset and size of the load holding it, \
               whether it is signed, and the left and right shifts that extract it.",
        url: "?obj=03_bitfields&kernel=debian12-6.1.0-50-amd64&view=relocs",
    },
    Step {
        section: "Field and type sizes",
        title: "Sizes are relocations too",
        text: "bpf_core_field_size() and bpf_core_type_size() compile to constants that libbpf \
               rewrites: task_struct's size changes with nearly every kernel build. The matrix \
               puts the values of every bundled kernel side by side.",
        url: "?obj=04_sizes&view=matrix",
    },
    Step {
        section: "Field, type and enum existence",
        title: "Does this kernel have it?",
        text: "bpf_core_field_exists(), bpf_core_type_exists() and \
               bpf_core_enum_value_exists() become 1 or 0 for the target kernel, and never \
               fail. On 5.10 all three are 0: bpf_cookie, struct bpf_dynptr and \
               BPF_FUNC_get_func_ip arrived later. Expand a row to see why no candidate matched.",
        url: "?obj=05_existence&kernel=debian11-5.10.0-46-amd64&view=relocs&relo=0",
    },
    Step {
        section: "Relocatable enums",
        title: "Enumerator values follow the kernel",
        text: "bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id) becomes this kernel's \
               value; the enum is generated from each kernel's configuration. The existence \
               check in front of it keeps the program loadable where the enumerator is missing.",
        url: "?obj=06_enum_values&kernel=host-6.18.44-fc-v657-amd64&view=relocs",
    },
    Step {
        section: "Kconfig extern variables",
        title: "LINUX_KERNEL_VERSION decides a branch",
        text: "__kconfig externs live in a read-only map the verifier sees as constants, so \
               comparing LINUX_KERNEL_VERSION is decided at load time and the other branch is \
               removed. Change the kernel version or CONFIG_BPF_SYSCALL in the what-if panel \
               and watch the dead code move.",
        url: "?obj=07_kconfig&kernel=debian11-5.10.0-46-amd64&view=flow",
    },
    Step {
        section: "Defining own CO-RE-relocatable types",
        title: "No vmlinux.h needed",
        text: "This program declares its own three-field task_struct with \
               preserve_access_index, at offsets that are wrong for every kernel. CO-RE matches \
               by name, not layout: libbpf finds the kernel's task_struct and writes the real \
               offsets of tgid and real_parent.",
        url: "?obj=08_own_types&kernel=debian11-5.10.0-46-amd64&view=relocs",
    },
    Step {
        section: "Handling incompatible changes: flavors",
        title: "task_struct.state became __state",
        text: "Two flavors of task_struct (___new with __state, ___old with state) both match \
               the kernel's task_struct: libbpf ignores the ___suffix. On 5.10 the old field \
               relocates and the new one is poisoned; on 6.1 it is the other way round. The \
               existence check decides which branch the verifier keeps.",
        url: "?obj=09_state_rename&kernel=debian11-5.10.0-46-amd64&view=relocs&relo=2",
    },
    Step {
        section: "Guarding potentially failing relocations",
        title: "A reachable poison: rejected",
        text: "atime_unguarded reads inode.i_atime_sec, which 5.10 does not have. libbpf \
               poisons the instruction instead of failing, and the verifier reaches it: \
               \"invalid func unknown#195896080\". The red row says which relocation, which \
               source line, and why.",
        url: "?obj=10_guarding&kernel=debian11-5.10.0-46-amd64&view=flow&prog=atime_unguarded",
    },
    Step {
        section: "Guarding potentially failing relocations",
        title: "A guarded poison: dead code",
        text: "atime_guarded checks bpf_core_field_exists() first. On 5.10 the check is the \
               constant 0, so the verifier follows one side only: the blocks holding the \
               poisoned reads are greyed out, and each decided branch names the relocation \
               that decided it. The program loads.",
        url: "?obj=10_guarding&kernel=debian11-5.10.0-46-amd64&view=graph&prog=atime_guarded",
    },
    Step {
        section: "Guarding potentially failing relocations",
        title: "The failed load's log, explained",
        text: "This is what libbpf printed when atime_unguarded failed to load on 5.10: \
               \"invalid func unknown#195896080\" at instruction 7. Read against the object, \
               the log names relocation #9, inode.i_atime_sec, poisoned because 5.10 calls \
               it i_atime, with the source line and the fix. Paste your own log here; the \
               instruction it names is marked in the Code and Guarding views.",
        url: "?obj=10_guarding&kernel=debian11-5.10.0-46-amd64&view=loadlog&log=\
               prog%20%27atime_unguarded%27%3A%20BPF%20program%20load%20failed%3A%20Invalid%20argum\
               ent%0Aprog%20%27atime_unguarded%27%3A%20--%20BEGIN%20PROG%20LOAD%20LOG%20--%0A0%3A%2\
               0R1%3Dctx%28%29%20R10%3Dfp0%0A%3B%20int%20BPF_KPROBE%28atime_unguarded%2C%20struct%2\
               0file%20%2Afile%29%20%40%2010_guarding.bpf.c%3A44%0A0%3A%20%2879%29%20r3%20%3D%20%2A\
               %28u64%20%2A%29%28r1%20%2B112%29%20%20%20%20%20%20%20%20%3B%20R1%3Dctx%28%29%20R3%3D\
               scalar%28%29%0A1%3A%20%28b7%29%20r1%20%3D%2032%20%20%20%20%20%20%20%20%20%20%20%20%2\
               0%20%20%20%20%20%20%20%20%20%20%3B%20R1%3D32%0A2%3A%20%280f%29%20r3%20%2B%3D%20r1%20\
               %20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%3B%20R1%3D32%20R3%3D\
               scalar%28%29%0A3%3A%20%28bf%29%20r1%20%3D%20r10%20%20%20%20%20%20%20%20%20%20%20%20%\
               20%20%20%20%20%20%20%20%20%20%3B%20R1%3Dfp0%20R10%3Dfp0%0A4%3A%20%2807%29%20r1%20%2B\
               %3D%20-8%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%3B%20R1%3\
               Dfp-8%0A%3B%20struct%20inode%20%2Ainode%20%3D%20BPF_CORE_READ%28file%2C%20f_inode%29\
               %3B%20%40%2010_guarding.bpf.c%3A46%0A5%3A%20%28b7%29%20r2%20%3D%208%20%20%20%20%20%2\
               0%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%20%3B%20R2%3D8%0A6%3A%20%2885%2\
               9%20call%20bpf_probe_read_kernel%23113%20%20%20%20%20%20%20%20%3B%20R0%3Dscalar%28%2\
               9%20fp-8%3Dmmmmmmmm%0A7%3A%20%3Cinvalid%20CO-RE%20relocation%3E%0Afailed%20to%20reso\
               lve%20CO-RE%20relocation%20%3Cbyte_off%3E%20%5B77%5D%20struct%20inode.i_atime_sec%20\
               %280%3A15%20%40%20offset%2088%29%0Aprocessed%208%20insns%20%28limit%201000000%29%20m\
               ax_states_per_insn%200%20total_states%200%20peak_states%200%20mark_read%200%0A--%20E\
               ND%20PROG%20LOAD%20LOG%20--%0Aprog%20%27atime_unguarded%27%3A%20failed%20to%20load%3\
               A%20-22",
    },
    Step {
        section: "Guarding potentially failing relocations",
        title: "What if the kernel lacked the field?",
        text: "6.18 has i_atime_sec, so both programs load there. Here the target is 6.18 with \
               inode.i_atime_sec hidden: the unguarded read is poisoned and reachable again. \
               Remove the hidden field, or hide another, in the what-if panel.",
        url: "?obj=10_guarding&kernel=host-6.18.44-fc-v657-amd64&view=flow&prog=atime_unguarded&hide=inode.i_atime_sec",
    },
    Step {
        section: "Putting it together",
        title: "One object, every kernel",
        text: "The matrix relocates and simulates the object against every bundled kernel at \
               once: which programs load where (and the first reason where not), and every \
               relocation's value per kernel. Click a cell to open that kernel.",
        url: "?obj=10_guarding&view=matrix",
    },
    Step {
        section: "Handling incompatible changes: flavors",
        title: "Ask before writing the code",
        text: "No object needed: type what the program would read. t->__state, compiled against \
               6.1's vmlinux.h, is one byte_off record, 0:1 on struct task_struct. Across the \
               bundled kernels it breaks: 5.10 calls the field state, so the read is poisoned \
               and the program is rejected there. The fix below the table reads it through a \
               task_struct___old flavor under bpf_core_field_exists guards, and was checked \
               on every kernel.",
        url: "?area=ask&kernel=debian12-6.1.0-50-amd64&q=struct%20task_struct%20%2At%3B%20t-%3E__state",
    },
    Step {
        section: "Why CO-RE is needed",
        title: "A struct across kernels",
        text: "struct inode's timestamps changed twice: i_atime (a timespec64) until 6.6, \
               __i_atime in 6.7–6.10, then i_atime_sec and i_atime_nsec. Fields added, removed \
               and moved are highlighted kernel by kernel — the changes CO-RE relocations \
               absorb.",
        url: "?type=inode&view=compare&kernel=host-6.18.44-fc-v657-amd64",
    },
];

#[cfg(test)]
mod tests;
