//! Access questions answered from the catalogue's where-index (`access::answer_from_index`)
//! equal libbpf's engine run on the rebuilt build, wherever the index decides a build: every
//! catalogue build, a list of questions covering each kind of record the fast path claims
//! (members through anonymous unions and by-value structs, arrays, typedef'd and enum
//! members, bitfields, pointer hops, field and type existence/size/offset/signedness, enum
//! values) and things some builds lack, in both libbpf releases. Each build is rebuilt once
//! and every question asked on it.

use corelab::access::{self, answer_from_index, answer_one, LocalObject, Question};
use std::collections::HashMap;

use corelab::btf::{essential_name, Btf, Kind};
use corelab::catalog::index::shard_of;
use corelab::catalog::{BuildIdx, Catalog, Fact, ShardSource};
use corelab::diff::fields_of;
use corelab::libbpf::Libbpf;
use corelab::reloc::Target;
use corelab_tests::access_diff::local_kernel;
use corelab_tests::data;

/// The questions, compiled against Debian 12's 6.1 (amd64).
const QUESTIONS: &[&str] = &[
    "struct sk_buff *skb; BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type)",
    "struct sk_buff *skb; BPF_CORE_READ_BITFIELD_PROBED(skb, cloned)",
    "struct sk_buff *skb; skb->len",
    "struct sk_buff *skb; BPF_CORE_READ(skb, dev, ifindex)",
    "struct sk_buff *skb; skb->tstamp",
    "struct sk_buff *skb; BPF_CORE_READ(skb, sk, __sk_common.skc_family)",
    "struct sk_buff *skb; bpf_core_field_signed(skb->len)",
    "struct sk_buff *skb; bpf_core_field_size(skb->cb)",
    "struct sock *sk; BPF_CORE_READ(sk, __sk_common.skc_dport)",
    "struct sock *sk; sk->sk_protocol",
    "struct sock *sk; BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type)",
    "struct task_struct *t; t->pid",
    "struct task_struct *t; t->__state",
    "struct task_struct *t; bpf_core_field_exists(t->__state)",
    "struct task_struct *t; BPF_CORE_READ(t, mm, exe_file)",
    "struct task_struct *t; BPF_CORE_READ(t, se.vruntime)",
    "struct task_struct *t; BPF_CORE_READ(t, comm[3])",
    "struct task_struct *t; t->comm[3]",
    "struct task_struct *t; bpf_core_field_size(t->comm)",
    "struct task_struct *t; bpf_core_field_offset(t->tgid)",
    "struct task_struct *t; bpf_core_field_signed(t->pid)",
    "struct task_struct *t; BPF_CORE_READ(t, real_parent, tgid)",
    "struct task_struct *t; BPF_CORE_READ(t, nsproxy, pid_ns_for_children, level)",
    "struct task_struct *t; BPF_CORE_READ(t, signal, rlim[1].rlim_cur)",
    "struct task_struct *t; BPF_CORE_READ(t, thread_info.flags)",
    "struct task_struct *t; BPF_CORE_READ_BITFIELD_PROBED(t, in_execve)",
    "struct task_struct *t; t->cpus_ptr",
    "struct file *f; BPF_CORE_READ(f, f_path.dentry, d_name.name)",
    "struct file *f; f->f_inode",
    "struct inode *i; i->i_ino",
    "struct inode *i; i->i_mode",
    "struct super_block *sb; sb->s_magic",
    "struct mm_struct *mm; mm->mmap_base",
    "struct page *p; p->flags",
    "struct pt_regs *r; r->di",
    "struct net_device *d; d->ifindex",
    "struct bpf_map *m; m->map_type",
    "struct bpf_map *m; BPF_CORE_READ(m, max_entries)",
    "struct bpf_prog *p; BPF_CORE_READ(p, aux, id)",
    "struct iphdr *ip; BPF_CORE_READ_BITFIELD_PROBED(ip, ihl)",
    "struct tcphdr *th; BPF_CORE_READ_BITFIELD_PROBED(th, syn)",
    "struct linux_binprm *b; BPF_CORE_READ(b, file, f_path.dentry)",
    "struct kiocb *k; k->ki_pos",
    "bpf_core_type_exists(struct bpf_ringbuf)",
    "bpf_core_type_size(struct task_struct)",
    "bpf_core_type_size(struct sk_buff)",
    "bpf_core_type_exists(struct trace_event_raw_sys_enter)",
    "bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF)",
    "bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_ringbuf_output)",
    "bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_USER_RINGBUF)",
    "bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_USER_RINGBUF)",
    "bpf_core_enum_value(enum perf_event_state, PERF_EVENT_STATE_DEAD)",
    "bpf_core_enum_value(enum netdev_tx, __NETDEV_TX_MIN)",
    "bpf_core_enum_value(enum io_uring_cmd_flags, IO_URING_F_NONBLOCK)",
    "bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_MAX)",
    "bpf_core_enum_value(enum netdev_priv_flags, IFF_BONDING)",
    "struct no_kernel_has_it { int x; }; bpf_core_type_exists(struct no_kernel_has_it)",
    // Last, two the index never decides: records of one root naming different members
    // (libbpf narrows the root's candidates from one record to the next, and the index may
    // merge same-named copies), and a type id.
    "struct task_struct *t; t->pid; t->tgid",
    "bpf_core_type_id_kernel(struct task_struct)",
];

#[test]
fn answers_from_the_index_equal_the_engine_on_every_build() {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog/debian.btfcat");
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut cat = Catalog::parse(&bytes).unwrap();
    let local = local_kernel(&data::read("btf/debian12-6.1.0-50-amd64.btf.gz"));
    let mut questions: Vec<(Question<'_>, LocalObject)> = QUESTIONS
        .iter()
        .map(|text| {
            let mut q = Question::new(&local).unwrap();
            q.add(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            let obj = q.object().unwrap();
            (q, obj)
        })
        .collect();
    let n = cat.head.builds.len();
    let names: Vec<String> = cat.head.builds.iter().map(|b| b.name.clone()).collect();
    let builds: Vec<(u32, &str)> = (0..n).map(|i| (i as u32, names[i].as_str())).collect();
    let fast: Vec<_> = questions
        .iter_mut()
        .map(|(_, obj)| answer_from_index(obj, &builds, &mut cat).unwrap())
        .collect();
    let mut cat_shards = Catalog::parse(&bytes).unwrap();
    let (mut m, mut src) = cat.materializer();
    let (mut decided, mut compared) = (0usize, 0usize);
    let mut per_question = vec![0usize; QUESTIONS.len()];
    // Same-named copies the index cannot tell apart, and by-value members reaching them.
    let mut unseen = std::collections::BTreeSet::new();
    let mut reached_unseen = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let btf = Btf::parse(&m.btf(BuildIdx(i as u32), &mut src).unwrap()).unwrap();
        for (composite, t) in same_facts_different_members(&btf) {
            let shard = cat_shards.shard(shard_of(&t, cat_shards.count())).unwrap();
            if !shard.shows_several(&t, i as u32) {
                // An enum reached by value is read for its name and size only, which the
                // copies share.
                if let Some(holder) = holds_by_value(&btf, &t).filter(|_| composite) {
                    reached_unseen.push(format!("{t} in {holder} on {name}"));
                }
                unseen.insert(t);
            }
        }
        for (k, (q, obj)) in questions.iter().enumerate() {
            let Some(from_index) = &fast[k][i] else {
                continue;
            };
            decided += 1;
            per_question[k] += 1;
            for libbpf in [Libbpf::V1_7, Libbpf::V1_5] {
                let p = access::relocate_on(&obj.btf, &obj.records, &Target::kernel(&btf), libbpf);
                let engine = answer_one(q, obj, name, &btf, &p, libbpf);
                assert_eq!(
                    from_index, &engine,
                    "`{}` on {name} (libbpf {libbpf})",
                    QUESTIONS[k]
                );
                compared += 1;
            }
        }
    }
    // The index stores equal facts once: a second struct of the same name, kind and size
    // shows only where a member differs between them, and the fast path falls back on a
    // type the index shows several of. Copies that differ only in which members they have
    // do not show: reached through a by-value member, the fast path could read the wrong
    // copy, so none may be. (As a root, libbpf tries both copies; see the report below.)
    assert!(
        reached_unseen.is_empty(),
        "by-value members of copies the index merges: {reached_unseen:?}"
    );
    eprintln!("same-named copies the index cannot tell apart (roots only): {unseen:?}");
    let pairs = n * QUESTIONS.len();
    eprintln!(
        "index fast path: {decided} of {pairs} (question, build) pairs decided ({:.1}%), {compared} compared with the engine; per question: {per_question:?}",
        100.0 * decided as f64 / pairs as f64
    );
    // The list has questions the index cannot decide (a type id, fields missing on old
    // builds); most of it must be decided, or the fast path is not worth its place.
    assert!(decided * 2 > pairs, "{decided} of {pairs}");
    assert_eq!(
        per_question[QUESTIONS.len() - 2..],
        [0, 0],
        "two members of one root, and a type id, are never decided"
    );
}

/// Named structs, unions and enums of `btf` that share name, kind and size with another of
/// different members (or enumerators).
fn same_facts_different_members(btf: &Btf) -> Vec<(bool, String)> {
    let mut by_key: HashMap<(Kind, &str, u32), Vec<Vec<String>>> = HashMap::new();
    for id in btf.ids() {
        let t = btf.ty(id);
        if (t.kind().is_composite() || t.kind().is_any_enum()) && t.is_named() {
            let members = if t.kind().is_composite() {
                fields_of(btf, &t)
                    .into_iter()
                    .map(|f| format!("{} {} {} {}", f.path, f.bit_offset, f.bit_size, f.ty))
                    .collect()
            } else {
                t.enum_values()
                    .map(|v| format!("{} {}", v.name, v.raw()))
                    .collect()
            };
            by_key
                .entry((t.kind(), t.name(), t.size()))
                .or_default()
                .push(members);
        }
    }
    let mut out: Vec<(bool, String)> = by_key
        .into_iter()
        .filter(|(_, defs)| defs.iter().any(|d| d != &defs[0]))
        .map(|((kind, name, _), _)| (kind.is_composite(), name.to_owned()))
        .collect();
    out.sort();
    out
}

/// A struct or union of `btf` with a by-value member (through arrays, typedefs and
/// qualifiers) of the struct or union named `name`.
fn holds_by_value(btf: &Btf, name: &str) -> Option<String> {
    for id in btf.ids() {
        let t = btf.ty(id);
        if !t.kind().is_composite() {
            continue;
        }
        for m in t.members() {
            let mut inner = btf.skip_mods_and_typedefs(m.type_id);
            while inner.kind() == Kind::ARRAY {
                inner = btf.skip_mods_and_typedefs(inner.array().elem);
            }
            if (inner.kind().is_composite() || inner.kind().is_any_enum()) && inner.name() == name {
                return Some(if t.is_named() {
                    t.name().to_owned()
                } else {
                    format!("anonymous {}", id.0)
                });
            }
        }
    }
    None
}

/// The fast path looks a root up by its name; libbpf also takes types named with a flavour
/// suffix (`nf_conn___init` for `nf_conn`) as candidates, which live in other shards and
/// which the fast path does not look for. That gives the engine's answer only while such a
/// type can never be a second candidate that changes it: wherever a build has one, it has
/// the plain type too, of the same size (type records agree), and no member or enumerator
/// of the flavoured type has an essential name the plain type's members have (no field or
/// enumerator record matches both). Checked on every flavoured struct, union and enum name
/// of every build; a repacked catalogue that breaks it fails here.
#[test]
fn flavoured_type_names_never_change_an_answer() {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog/debian.btfcat");
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut cat = Catalog::parse(&bytes).unwrap();
    let builds = cat.head.builds.len() as u32;
    let aggregate = |facts: &[Fact]| -> Vec<(Kind, Option<u32>)> {
        facts
            .iter()
            .filter_map(|f| match f {
                Fact::Type { kind, size, .. } if kind.is_composite() || kind.is_any_enum() => {
                    Some((*kind, *size))
                }
                _ => None,
            })
            .collect()
    };
    let mut flavoured = Vec::new();
    for i in 0..cat.count() {
        let shard = cat.shard(i).unwrap();
        for name in shard.type_names() {
            if essential_name(name) != name {
                flavoured.push(name.to_owned());
            }
        }
    }
    let mut checked = 0;
    for name in &flavoured {
        let plain = essential_name(name);
        let f_shard = cat.shard(shard_of(name, cat.count())).unwrap();
        let p_shard = cat.shard(shard_of(plain, cat.count())).unwrap();
        for b in 0..builds {
            let f_types = aggregate(f_shard.type_facts(name, b));
            if f_types.is_empty() {
                continue;
            }
            let p_types = aggregate(p_shard.type_facts(plain, b));
            let where_ = format!("{name} on {}", cat.head.builds[b as usize].name);
            assert!(!p_types.is_empty(), "{where_}: no {plain} beside it");
            for (kind, size) in &f_types {
                assert!(
                    p_types.iter().all(|(k, s)| k != kind || s == size),
                    "{where_}: {kind:?} of size {size:?}, {plain} {p_types:?}"
                );
            }
            let plain_members: Vec<&str> = p_shard
                .member_paths(plain, b)
                .into_iter()
                .map(essential_name)
                .collect();
            for m in f_shard.member_paths(name, b) {
                assert!(
                    !plain_members.contains(&essential_name(m)),
                    "{where_}: member {m} is also {plain}'s"
                );
            }
            checked += 1;
        }
    }
    eprintln!("flavoured type names: {flavoured:?}, checked on {checked} (name, build) pairs");
}
