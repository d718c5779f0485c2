//! The kernel's BPF helpers, one table keyed by helper id: each helper's name, the Linux
//! release that introduced it, and what each of its arguments is, as the verifier reads them
//! from the helper's `bpf_func_proto` (`ARG_PTR_TO_UNINIT_MEM` + `ARG_CONST_SIZE`,
//! `ARG_PTR_TO_MEM | MEM_RDONLY`, map key/value, context, dynptr, callback, …).
//!
//! The simulation needs one fact from it: through which arguments a helper may write the
//! caller's stack, and how many bytes. Writable memory with a size argument forgets that many
//! bytes (the size's largest value); writable memory of a fixed size forgets that size; a
//! pointer whose size is not known here forgets the whole frame it points into. Read-only
//! memory, maps and the context change nothing the simulation tracks. Where this table is
//! unsure it says "writable": knowing less is always sound.
//!
//! Facts from the helpers' prototypes in the kernel (`include/uapi/linux/bpf.h` documents
//! each signature; `const` marks memory the helper only reads) and the release each id
//! appeared in (ids are assigned in release order).

use crate::btf::Btf;

/// What one helper argument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A number (flags, sizes, indices, values).
    Scalar,
    /// The program's context.
    Ctx,
    /// A map (`ARG_CONST_MAP_PTR`).
    Map,
    /// Memory the helper only reads (`MEM_RDONLY`, map keys and values); its size in
    /// argument N (1-based) when it has one.
    MemRead(Option<u8>),
    /// Memory the helper may write (`ARG_PTR_TO_UNINIT_MEM`, writable `ARG_PTR_TO_MEM`);
    /// its size in argument N (1-based).
    MemWrite(u8),
    /// Memory the helper writes, of a fixed size in bytes (`ARG_PTR_TO_LONG`,
    /// `MEM_FIXED_SIZE`).
    MemWriteFixed(u8),
    /// A `struct bpf_dynptr` the helper initialises or changes (16 bytes).
    Dynptr,
    /// A `struct bpf_dynptr` the helper only reads.
    DynptrRead,
    /// A callback function (`ARG_PTR_TO_FUNC`).
    Callback,
    /// The context passed to a callback (`ARG_PTR_TO_STACK_OR_NULL`): the callback may write
    /// through it.
    CallbackCtx,
    /// Another pointer (a kernel object, a socket, a map value with a timer or lock …): if it
    /// points into the stack, its size is not known here.
    Ptr,
}

/// One helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Helper {
    /// `enum bpf_func_id` value.
    pub id: u32,
    /// Name (`bpf_probe_read_kernel`).
    pub name: &'static str,
    /// The Linux release that introduced it (`5.5`).
    pub since: &'static str,
    /// Its arguments, r1 first.
    pub args: &'static [Arg],
}

impl Helper {
    /// Size of a `struct bpf_dynptr` on the stack.
    pub const DYNPTR_SIZE: u32 = 16;

    /// The argument in register `r` (1–5).
    pub fn arg(&self, r: u8) -> Option<Arg> {
        self.args.get(usize::from(r).checked_sub(1)?).copied()
    }
}

/// The helper with id `id`, if the table knows it.
pub fn helper(id: i32) -> Option<&'static Helper> {
    let h = HELPERS.get(usize::try_from(id).ok()?.checked_sub(1)?)?;
    (h.id as i32 == id).then_some(h)
}

/// Helper names as a target kernel spells them: its BTF's `enum bpf_func_id`
/// (`BPF_FUNC_probe_read_kernel = 113`), falling back to this table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelperNames {
    /// `(id, name)` from the target's `enum bpf_func_id`, sorted by id.
    from_target: Vec<(u32, String)>,
}

impl HelperNames {
    /// The names of `btf`'s `enum bpf_func_id`, when it has one.
    pub fn from_btf(btf: &Btf) -> HelperNames {
        let mut from_target: Vec<(u32, String)> = btf
            .find_by_name("bpf_func_id")
            .map(|id| btf.ty(id))
            .filter(|t| t.kind().is_any_enum())
            .take(1)
            .flat_map(|t| {
                t.enum_values()
                    .filter_map(|v| {
                        let n = v.name.strip_prefix("BPF_FUNC_")?;
                        (n != "unspec" && !n.starts_with("__")).then(|| (v.lo, format!("bpf_{n}")))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        from_target.sort();
        from_target.dedup_by_key(|(id, _)| *id);
        HelperNames { from_target }
    }

    /// Whether the target's BTF listed its helpers.
    pub fn has_target_list(&self) -> bool {
        !self.from_target.is_empty()
    }

    /// The name of helper `id`: the target's, else this table's.
    pub fn name(&self, id: i32) -> Option<&str> {
        u32::try_from(id)
            .ok()
            .and_then(|id| {
                self.from_target
                    .binary_search_by_key(&id, |(k, _)| *k)
                    .ok()
                    .map(|at| self.from_target[at].1.as_str())
            })
            .or_else(|| helper(id).map(|h| h.name))
    }

    /// Whether the target kernel has helper `id` (`None`: its BTF does not say).
    pub fn target_has(&self, id: i32) -> Option<bool> {
        let id = u32::try_from(id).ok()?;
        self.has_target_list().then(|| {
            self.from_target
                .binary_search_by_key(&id, |(k, _)| *k)
                .is_ok()
        })
    }
}

const fn h(id: u32, name: &'static str, since: &'static str, args: &'static [Arg]) -> Helper {
    Helper {
        id,
        name,
        since,
        args,
    }
}

use Arg::*;

/// Every helper of Linux 6.18, by id (index = id − 1).
static HELPERS: [Helper; 211] = [
    h(1, "bpf_map_lookup_elem", "3.19", &[Map, MemRead(None)]),
    h(
        2,
        "bpf_map_update_elem",
        "3.19",
        &[Map, MemRead(None), MemRead(None), Scalar],
    ),
    h(3, "bpf_map_delete_elem", "3.19", &[Map, MemRead(None)]),
    h(
        4,
        "bpf_probe_read",
        "4.1",
        &[MemWrite(2), Scalar, MemRead(None)],
    ),
    h(5, "bpf_ktime_get_ns", "4.1", &[]),
    h(6, "bpf_trace_printk", "4.1", &[MemRead(Some(2)), Scalar]),
    h(7, "bpf_get_prandom_u32", "4.1", &[]),
    h(8, "bpf_get_smp_processor_id", "4.1", &[]),
    h(
        9,
        "bpf_skb_store_bytes",
        "4.1",
        &[Ctx, Scalar, MemRead(Some(4)), Scalar, Scalar],
    ),
    h(
        10,
        "bpf_l3_csum_replace",
        "4.1",
        &[Ctx, Scalar, Scalar, Scalar, Scalar],
    ),
    h(
        11,
        "bpf_l4_csum_replace",
        "4.1",
        &[Ctx, Scalar, Scalar, Scalar, Scalar],
    ),
    h(12, "bpf_tail_call", "4.2", &[Ctx, Map, Scalar]),
    h(13, "bpf_clone_redirect", "4.2", &[Ctx, Scalar, Scalar]),
    h(14, "bpf_get_current_pid_tgid", "4.2", &[]),
    h(15, "bpf_get_current_uid_gid", "4.2", &[]),
    h(16, "bpf_get_current_comm", "4.2", &[MemWrite(2), Scalar]),
    h(17, "bpf_get_cgroup_classid", "4.3", &[Ctx]),
    h(18, "bpf_skb_vlan_push", "4.3", &[Ctx, Scalar, Scalar]),
    h(19, "bpf_skb_vlan_pop", "4.3", &[Ctx]),
    h(
        20,
        "bpf_skb_get_tunnel_key",
        "4.3",
        &[Ctx, MemWrite(3), Scalar, Scalar],
    ),
    h(
        21,
        "bpf_skb_set_tunnel_key",
        "4.3",
        &[Ctx, MemWrite(3), Scalar, Scalar],
    ),
    h(22, "bpf_perf_event_read", "4.3", &[Map, Scalar]),
    h(23, "bpf_redirect", "4.4", &[Scalar, Scalar]),
    h(24, "bpf_get_route_realm", "4.4", &[Ctx]),
    h(
        25,
        "bpf_perf_event_output",
        "4.4",
        &[Ctx, Map, Scalar, MemRead(Some(5)), Scalar],
    ),
    h(
        26,
        "bpf_skb_load_bytes",
        "4.5",
        &[MemRead(None), Scalar, MemWrite(4), Scalar],
    ),
    h(27, "bpf_get_stackid", "4.6", &[Ctx, Map, Scalar]),
    h(
        28,
        "bpf_csum_diff",
        "4.6",
        &[MemWrite(2), Scalar, MemWrite(4), Scalar, Scalar],
    ),
    h(
        29,
        "bpf_skb_get_tunnel_opt",
        "4.6",
        &[Ctx, MemWrite(3), Scalar],
    ),
    h(
        30,
        "bpf_skb_set_tunnel_opt",
        "4.6",
        &[Ctx, MemWrite(3), Scalar],
    ),
    h(31, "bpf_skb_change_proto", "4.8", &[Ctx, Scalar, Scalar]),
    h(32, "bpf_skb_change_type", "4.8", &[Ctx, Scalar]),
    h(33, "bpf_skb_under_cgroup", "4.8", &[Ctx, Map, Scalar]),
    h(34, "bpf_get_hash_recalc", "4.8", &[Ctx]),
    h(35, "bpf_get_current_task", "4.8", &[]),
    h(
        36,
        "bpf_probe_write_user",
        "4.8",
        &[Ptr, MemRead(Some(3)), Scalar],
    ),
    h(37, "bpf_current_task_under_cgroup", "4.9", &[Map, Scalar]),
    h(38, "bpf_skb_change_tail", "4.9", &[Ctx, Scalar, Scalar]),
    h(39, "bpf_skb_pull_data", "4.9", &[Ctx, Scalar]),
    h(40, "bpf_csum_update", "4.9", &[Ctx, Scalar]),
    h(41, "bpf_set_hash_invalid", "4.9", &[Ctx]),
    h(42, "bpf_get_numa_node_id", "4.10", &[]),
    h(43, "bpf_skb_change_head", "4.10", &[Ctx, Scalar, Scalar]),
    h(44, "bpf_xdp_adjust_head", "4.10", &[Ctx, Scalar]),
    h(
        45,
        "bpf_probe_read_str",
        "4.11",
        &[MemWrite(2), Scalar, MemRead(None)],
    ),
    h(46, "bpf_get_socket_cookie", "4.12", &[Ctx]),
    h(47, "bpf_get_socket_uid", "4.12", &[Ctx]),
    h(48, "bpf_set_hash", "4.13", &[Ctx, Scalar]),
    h(
        49,
        "bpf_setsockopt",
        "4.13",
        &[Ptr, Scalar, Scalar, MemWrite(5), Scalar],
    ),
    h(
        50,
        "bpf_skb_adjust_room",
        "4.13",
        &[Ctx, Scalar, Scalar, Scalar],
    ),
    h(51, "bpf_redirect_map", "4.14", &[Map, Scalar, Scalar]),
    h(
        52,
        "bpf_sk_redirect_map",
        "4.14",
        &[Ctx, Map, Scalar, Scalar],
    ),
    h(
        53,
        "bpf_sock_map_update",
        "4.14",
        &[Ctx, Map, MemRead(None), Scalar],
    ),
    h(54, "bpf_xdp_adjust_meta", "4.15", &[Ctx, Scalar]),
    h(
        55,
        "bpf_perf_event_read_value",
        "4.15",
        &[Map, Scalar, MemWrite(4), Scalar],
    ),
    h(
        56,
        "bpf_perf_prog_read_value",
        "4.15",
        &[Ctx, MemWrite(3), Scalar],
    ),
    h(
        57,
        "bpf_getsockopt",
        "4.15",
        &[Ptr, Scalar, Scalar, MemWrite(5), Scalar],
    ),
    h(58, "bpf_override_return", "4.16", &[Ctx, Scalar]),
    h(59, "bpf_sock_ops_cb_flags_set", "4.16", &[Ptr, Scalar]),
    h(
        60,
        "bpf_msg_redirect_map",
        "4.17",
        &[Ctx, Map, Scalar, Scalar],
    ),
    h(61, "bpf_msg_apply_bytes", "4.17", &[Ctx, Scalar]),
    h(62, "bpf_msg_cork_bytes", "4.17", &[Ctx, Scalar]),
    h(
        63,
        "bpf_msg_pull_data",
        "4.17",
        &[Ctx, Scalar, Scalar, Scalar],
    ),
    h(64, "bpf_bind", "4.17", &[Ctx, MemWrite(3), Scalar]),
    h(65, "bpf_xdp_adjust_tail", "4.18", &[Ctx, Scalar]),
    h(
        66,
        "bpf_skb_get_xfrm_state",
        "4.18",
        &[Ctx, Scalar, MemWrite(4), Scalar, Scalar],
    ),
    h(
        67,
        "bpf_get_stack",
        "4.18",
        &[Ctx, MemWrite(3), Scalar, Scalar],
    ),
    h(
        68,
        "bpf_skb_load_bytes_relative",
        "4.18",
        &[MemRead(None), Scalar, MemWrite(4), Scalar, Scalar],
    ),
    h(
        69,
        "bpf_fib_lookup",
        "4.18",
        &[Ctx, MemWrite(3), Scalar, Scalar],
    ),
    h(
        70,
        "bpf_sock_hash_update",
        "4.18",
        &[Ctx, Map, MemRead(None), Scalar],
    ),
    h(
        71,
        "bpf_msg_redirect_hash",
        "4.18",
        &[Ctx, Map, MemRead(None), Scalar],
    ),
    h(
        72,
        "bpf_sk_redirect_hash",
        "4.18",
        &[Ctx, Map, MemRead(None), Scalar],
    ),
    h(
        73,
        "bpf_lwt_push_encap",
        "4.18",
        &[Ctx, Scalar, MemWrite(4), Scalar],
    ),
    h(
        74,
        "bpf_lwt_seg6_store_bytes",
        "4.18",
        &[Ctx, Scalar, MemRead(Some(4)), Scalar],
    ),
    h(
        75,
        "bpf_lwt_seg6_adjust_srh",
        "4.18",
        &[Ctx, Scalar, Scalar],
    ),
    h(
        76,
        "bpf_lwt_seg6_action",
        "4.18",
        &[Ctx, Scalar, MemWrite(4), Scalar],
    ),
    h(77, "bpf_rc_repeat", "4.18", &[Ctx]),
    h(78, "bpf_rc_keydown", "4.18", &[Ctx, Scalar, Scalar, Scalar]),
    h(79, "bpf_skb_cgroup_id", "4.18", &[Ctx]),
    h(80, "bpf_get_current_cgroup_id", "4.18", &[]),
    h(81, "bpf_get_local_storage", "4.19", &[Map, Scalar]),
    h(
        82,
        "bpf_sk_select_reuseport",
        "4.19",
        &[Ctx, Map, Ptr, Scalar],
    ),
    h(83, "bpf_skb_ancestor_cgroup_id", "4.19", &[Ctx, Scalar]),
    h(
        84,
        "bpf_sk_lookup_tcp",
        "4.20",
        &[Ctx, MemWrite(3), Scalar, Scalar, Scalar],
    ),
    h(
        85,
        "bpf_sk_lookup_udp",
        "4.20",
        &[Ctx, MemWrite(3), Scalar, Scalar, Scalar],
    ),
    h(86, "bpf_sk_release", "4.20", &[Ptr]),
    h(
        87,
        "bpf_map_push_elem",
        "4.20",
        &[Map, MemRead(None), Scalar],
    ),
    h(88, "bpf_map_pop_elem", "4.20", &[Map, Ptr]),
    h(89, "bpf_map_peek_elem", "4.20", &[Map, Ptr]),
    h(
        90,
        "bpf_msg_push_data",
        "4.20",
        &[Ctx, Scalar, Scalar, Scalar],
    ),
    h(
        91,
        "bpf_msg_pop_data",
        "5.0",
        &[Ctx, Scalar, Scalar, Scalar],
    ),
    h(92, "bpf_rc_pointer_rel", "5.0", &[Ctx, Scalar, Scalar]),
    h(93, "bpf_spin_lock", "5.1", &[Ptr]),
    h(94, "bpf_spin_unlock", "5.1", &[Ptr]),
    h(95, "bpf_sk_fullsock", "5.1", &[Ptr]),
    h(96, "bpf_tcp_sock", "5.1", &[Ptr]),
    h(97, "bpf_skb_ecn_set_ce", "5.1", &[Ctx]),
    h(98, "bpf_get_listener_sock", "5.1", &[Ptr]),
    h(
        99,
        "bpf_skc_lookup_tcp",
        "5.2",
        &[Ctx, MemWrite(3), Scalar, Scalar, Scalar],
    ),
    h(
        100,
        "bpf_tcp_check_syncookie",
        "5.2",
        &[Ptr, MemWrite(3), Scalar, MemWrite(5), Scalar],
    ),
    h(
        101,
        "bpf_sysctl_get_name",
        "5.2",
        &[Ctx, MemWrite(3), Scalar, Scalar],
    ),
    h(
        102,
        "bpf_sysctl_get_current_value",
        "5.2",
        &[Ctx, MemWrite(3), Scalar],
    ),
    h(
        103,
        "bpf_sysctl_get_new_value",
        "5.2",
        &[Ctx, MemWrite(3), Scalar],
    ),
    h(
        104,
        "bpf_sysctl_set_new_value",
        "5.2",
        &[Ctx, MemRead(Some(3)), Scalar],
    ),
    h(
        105,
        "bpf_strtol",
        "5.2",
        &[MemRead(Some(2)), Scalar, Scalar, MemWriteFixed(8)],
    ),
    h(
        106,
        "bpf_strtoul",
        "5.2",
        &[MemRead(Some(2)), Scalar, Scalar, MemWriteFixed(8)],
    ),
    h(
        107,
        "bpf_sk_storage_get",
        "5.2",
        &[Map, Ptr, MemRead(None), Scalar],
    ),
    h(108, "bpf_sk_storage_delete", "5.2", &[Map, Ptr]),
    h(109, "bpf_send_signal", "5.3", &[Scalar]),
    h(
        110,
        "bpf_tcp_gen_syncookie",
        "5.3",
        &[Ptr, MemWrite(3), Scalar, MemWrite(5), Scalar],
    ),
    h(
        111,
        "bpf_skb_output",
        "5.5",
        &[Ctx, Map, Scalar, MemRead(Some(5)), Scalar],
    ),
    h(
        112,
        "bpf_probe_read_user",
        "5.5",
        &[MemWrite(2), Scalar, MemRead(None)],
    ),
    h(
        113,
        "bpf_probe_read_kernel",
        "5.5",
        &[MemWrite(2), Scalar, MemRead(None)],
    ),
    h(
        114,
        "bpf_probe_read_user_str",
        "5.5",
        &[MemWrite(2), Scalar, MemRead(None)],
    ),
    h(
        115,
        "bpf_probe_read_kernel_str",
        "5.5",
        &[MemWrite(2), Scalar, MemRead(None)],
    ),
    h(116, "bpf_tcp_send_ack", "5.5", &[Ptr, Scalar]),
    h(117, "bpf_send_signal_thread", "5.5", &[Scalar]),
    h(118, "bpf_jiffies64", "5.5", &[]),
    h(
        119,
        "bpf_read_branch_records",
        "5.6",
        &[Ctx, MemWrite(3), Scalar, Scalar],
    ),
    h(
        120,
        "bpf_get_ns_current_pid_tgid",
        "5.6",
        &[Scalar, Scalar, MemWrite(4), Scalar],
    ),
    h(
        121,
        "bpf_xdp_output",
        "5.6",
        &[Ctx, Map, Scalar, MemRead(Some(5)), Scalar],
    ),
    h(122, "bpf_get_netns_cookie", "5.7", &[Ctx]),
    h(123, "bpf_get_current_ancestor_cgroup_id", "5.7", &[Scalar]),
    h(124, "bpf_sk_assign", "5.7", &[Ctx, Ptr, Scalar]),
    h(125, "bpf_ktime_get_boot_ns", "5.8", &[]),
    h(
        126,
        "bpf_seq_printf",
        "5.8",
        &[Ptr, MemRead(Some(3)), Scalar, MemRead(Some(5)), Scalar],
    ),
    h(
        127,
        "bpf_seq_write",
        "5.8",
        &[Ptr, MemRead(Some(3)), Scalar],
    ),
    h(128, "bpf_sk_cgroup_id", "5.8", &[Ptr]),
    h(129, "bpf_sk_ancestor_cgroup_id", "5.8", &[Ptr, Scalar]),
    h(
        130,
        "bpf_ringbuf_output",
        "5.8",
        &[Map, MemRead(Some(3)), Scalar, Scalar],
    ),
    h(131, "bpf_ringbuf_reserve", "5.8", &[Map, Scalar, Scalar]),
    h(132, "bpf_ringbuf_submit", "5.8", &[Ptr, Scalar]),
    h(133, "bpf_ringbuf_discard", "5.8", &[Ptr, Scalar]),
    h(134, "bpf_ringbuf_query", "5.8", &[Map, Scalar]),
    h(135, "bpf_csum_level", "5.8", &[Ctx, Scalar]),
    h(136, "bpf_skc_to_tcp6_sock", "5.9", &[Ptr]),
    h(137, "bpf_skc_to_tcp_sock", "5.9", &[Ptr]),
    h(138, "bpf_skc_to_tcp_timewait_sock", "5.9", &[Ptr]),
    h(139, "bpf_skc_to_tcp_request_sock", "5.9", &[Ptr]),
    h(140, "bpf_skc_to_udp6_sock", "5.9", &[Ptr]),
    h(
        141,
        "bpf_get_task_stack",
        "5.9",
        &[Ptr, MemWrite(3), Scalar, Scalar],
    ),
    h(
        142,
        "bpf_load_hdr_opt",
        "5.10",
        &[Ctx, MemWrite(3), Scalar, Scalar],
    ),
    h(
        143,
        "bpf_store_hdr_opt",
        "5.10",
        &[Ctx, MemRead(Some(3)), Scalar, Scalar],
    ),
    h(144, "bpf_reserve_hdr_opt", "5.10", &[Ctx, Scalar, Scalar]),
    h(
        145,
        "bpf_inode_storage_get",
        "5.10",
        &[Map, Ptr, MemRead(None), Scalar],
    ),
    h(146, "bpf_inode_storage_delete", "5.10", &[Map, Ptr]),
    h(147, "bpf_d_path", "5.10", &[Ptr, MemWrite(3), Scalar]),
    h(
        148,
        "bpf_copy_from_user",
        "5.10",
        &[MemWrite(2), Scalar, MemRead(None)],
    ),
    h(
        149,
        "bpf_snprintf_btf",
        "5.10",
        &[MemWrite(2), Scalar, MemWrite(4), Scalar, Scalar],
    ),
    h(
        150,
        "bpf_seq_printf_btf",
        "5.10",
        &[Ptr, MemWrite(3), Scalar, Scalar],
    ),
    h(151, "bpf_skb_cgroup_classid", "5.10", &[Ctx]),
    h(
        152,
        "bpf_redirect_neigh",
        "5.10",
        &[Scalar, MemWrite(3), Scalar, Scalar],
    ),
    h(153, "bpf_per_cpu_ptr", "5.10", &[MemRead(None), Scalar]),
    h(154, "bpf_this_cpu_ptr", "5.10", &[MemRead(None)]),
    h(155, "bpf_redirect_peer", "5.10", &[Scalar, Scalar]),
    h(
        156,
        "bpf_task_storage_get",
        "5.11",
        &[Map, Ptr, MemRead(None), Scalar],
    ),
    h(157, "bpf_task_storage_delete", "5.11", &[Map, Ptr]),
    h(158, "bpf_get_current_task_btf", "5.11", &[]),
    h(159, "bpf_bprm_opts_set", "5.11", &[Ptr, Scalar]),
    h(160, "bpf_ktime_get_coarse_ns", "5.11", &[]),
    h(
        161,
        "bpf_ima_inode_hash",
        "5.11",
        &[Ptr, MemWrite(3), Scalar],
    ),
    h(162, "bpf_sock_from_file", "5.11", &[Ptr]),
    h(
        163,
        "bpf_check_mtu",
        "5.12",
        &[Ctx, Scalar, MemWrite(4), Scalar, Scalar],
    ),
    h(
        164,
        "bpf_for_each_map_elem",
        "5.13",
        &[Map, Callback, CallbackCtx, Scalar],
    ),
    h(
        165,
        "bpf_snprintf",
        "5.13",
        &[MemWrite(2), Scalar, MemRead(None), MemRead(Some(5)), Scalar],
    ),
    h(166, "bpf_sys_bpf", "5.14", &[Scalar, MemWrite(3), Scalar]),
    h(
        167,
        "bpf_btf_find_by_name_kind",
        "5.14",
        &[MemWrite(2), Scalar, Scalar, Scalar],
    ),
    h(168, "bpf_sys_close", "5.14", &[Scalar]),
    h(169, "bpf_timer_init", "5.15", &[Ptr, Map, Scalar]),
    h(170, "bpf_timer_set_callback", "5.15", &[Ptr, Callback]),
    h(171, "bpf_timer_start", "5.15", &[Ptr, Scalar, Scalar]),
    h(172, "bpf_timer_cancel", "5.15", &[Ptr]),
    h(173, "bpf_get_func_ip", "5.15", &[Ctx]),
    h(174, "bpf_get_attach_cookie", "5.15", &[Ctx]),
    h(175, "bpf_task_pt_regs", "5.15", &[Ptr]),
    h(
        176,
        "bpf_get_branch_snapshot",
        "5.16",
        &[MemWrite(2), Scalar, Scalar],
    ),
    h(
        177,
        "bpf_trace_vprintk",
        "5.16",
        &[MemRead(Some(2)), Scalar, MemRead(Some(4)), Scalar],
    ),
    h(178, "bpf_skc_to_unix_sock", "5.16", &[Ptr]),
    h(
        179,
        "bpf_kallsyms_lookup_name",
        "5.16",
        &[MemRead(Some(2)), Scalar, Scalar, MemWriteFixed(8)],
    ),
    h(
        180,
        "bpf_find_vma",
        "5.17",
        &[Ptr, Scalar, Callback, CallbackCtx, Scalar],
    ),
    h(
        181,
        "bpf_loop",
        "5.17",
        &[Scalar, Callback, CallbackCtx, Scalar],
    ),
    h(
        182,
        "bpf_strncmp",
        "5.17",
        &[MemRead(Some(2)), Scalar, MemRead(None)],
    ),
    h(
        183,
        "bpf_get_func_arg",
        "5.17",
        &[Ctx, Scalar, MemWriteFixed(8)],
    ),
    h(184, "bpf_get_func_ret", "5.17", &[Ctx, MemWriteFixed(8)]),
    h(185, "bpf_get_func_arg_cnt", "5.17", &[Ctx]),
    h(186, "bpf_get_retval", "5.18", &[]),
    h(187, "bpf_set_retval", "5.18", &[Scalar]),
    h(188, "bpf_xdp_get_buff_len", "5.18", &[Ctx]),
    h(
        189,
        "bpf_xdp_load_bytes",
        "5.18",
        &[Ctx, Scalar, MemWrite(4), Scalar],
    ),
    h(
        190,
        "bpf_xdp_store_bytes",
        "5.18",
        &[Ctx, Scalar, MemWrite(4), Scalar],
    ),
    h(
        191,
        "bpf_copy_from_user_task",
        "5.18",
        &[MemWrite(2), Scalar, MemRead(None), Ptr, Scalar],
    ),
    h(192, "bpf_skb_set_tstamp", "5.18", &[Ctx, Scalar, Scalar]),
    h(
        193,
        "bpf_ima_file_hash",
        "5.18",
        &[Ptr, MemWrite(3), Scalar],
    ),
    h(194, "bpf_kptr_xchg", "5.19", &[Ptr, Ptr]),
    h(
        195,
        "bpf_map_lookup_percpu_elem",
        "5.19",
        &[Map, MemRead(None), Scalar],
    ),
    h(196, "bpf_skc_to_mptcp_sock", "5.19", &[Ptr]),
    h(
        197,
        "bpf_dynptr_from_mem",
        "5.19",
        &[MemWrite(2), Scalar, Scalar, Dynptr],
    ),
    h(
        198,
        "bpf_ringbuf_reserve_dynptr",
        "5.19",
        &[Map, Scalar, Scalar, Dynptr],
    ),
    h(199, "bpf_ringbuf_submit_dynptr", "5.19", &[Dynptr, Scalar]),
    h(200, "bpf_ringbuf_discard_dynptr", "5.19", &[Dynptr, Scalar]),
    h(
        201,
        "bpf_dynptr_read",
        "5.19",
        &[MemWrite(2), Scalar, DynptrRead, Scalar, Scalar],
    ),
    h(
        202,
        "bpf_dynptr_write",
        "5.19",
        &[DynptrRead, Scalar, MemWrite(4), Scalar, Scalar],
    ),
    h(
        203,
        "bpf_dynptr_data",
        "5.19",
        &[DynptrRead, Scalar, Scalar],
    ),
    h(
        204,
        "bpf_tcp_raw_gen_syncookie_ipv4",
        "6.0",
        &[Ptr, MemWrite(3), Scalar],
    ),
    h(
        205,
        "bpf_tcp_raw_gen_syncookie_ipv6",
        "6.0",
        &[Ptr, MemWrite(3), Scalar],
    ),
    h(206, "bpf_tcp_raw_check_syncookie_ipv4", "6.0", &[Ptr, Ptr]),
    h(207, "bpf_tcp_raw_check_syncookie_ipv6", "6.0", &[Ptr, Ptr]),
    h(208, "bpf_ktime_get_tai_ns", "6.1", &[]),
    h(
        209,
        "bpf_user_ringbuf_drain",
        "6.1",
        &[Map, Callback, Ctx, Scalar],
    ),
    h(
        210,
        "bpf_cgrp_storage_get",
        "6.2",
        &[Map, Ptr, MemRead(None), Scalar],
    ),
    h(211, "bpf_cgrp_storage_delete", "6.2", &[Map, Ptr]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_keyed_by_id_in_order() {
        for (i, h) in HELPERS.iter().enumerate() {
            assert_eq!(h.id as usize, i + 1, "{}", h.name);
            for a in h.args {
                if let MemWrite(n) | MemRead(Some(n)) = a {
                    assert_eq!(h.arg(*n), Some(Scalar), "{}: size argument {n}", h.name);
                }
            }
        }
        assert_eq!(helper(113).map(|h| h.name), Some("bpf_probe_read_kernel"));
        assert_eq!(helper(0), None);
        assert_eq!(helper(212), None);
        assert_eq!(helper(-1), None);
    }

    #[test]
    fn writes_follow_the_prototypes() {
        let probe = helper(113).unwrap();
        assert_eq!(probe.args, &[MemWrite(2), Scalar, MemRead(None)]);
        // bpf_map_lookup_elem only reads its key; bpf_loop's context is the callback's.
        assert_eq!(helper(1).unwrap().arg(2), Some(MemRead(None)));
        assert_eq!(helper(181).unwrap().arg(2), Some(Callback));
        assert_eq!(helper(181).unwrap().arg(3), Some(CallbackCtx));
        // bpf_perf_event_output's data is MEM_RDONLY although its C declaration has no const.
        assert_eq!(helper(25).unwrap().arg(4), Some(MemRead(Some(5))));
    }
}
