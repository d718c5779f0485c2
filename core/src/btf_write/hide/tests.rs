use super::*;
use crate::btf::IntEncoding;
use crate::builder::{BtfBuilder, EncodeOptions, MemberSpec};
use crate::bytes::Endian;

/// `struct task { int pid; long state; union { int a; int deep; }; }`, `enum e { A, B, C }`,
/// a tag on `task.state`, and a `typedef struct task task_t`.
fn sample(endian: Endian) -> Btf {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, IntEncoding::SIGNED);
    let long = b.int("long", 8, IntEncoding::SIGNED);
    let anon = b.union_("", 4, &[("a", int, 0, 0), ("deep", int, 0, 0)]);
    let members: [MemberSpec<'_>; 3] = [
        ("pid", int, 0, 0),
        ("state", long, 64, 0),
        ("", anon, 128, 0),
    ];
    let task = b.struct_("task", 24, &members);
    b.typedef("task_t", task);
    b.enum_("e", 4, false, &[("A", 0), ("B", 1), ("C", 2)]);
    b.decl_tag("tagged", task, 1);
    Btf::parse(&b.encode(&EncodeOptions {
        endian,
        ..EncodeOptions::default()
    }))
    .unwrap()
}

fn member_names(btf: &Btf, id: TypeId) -> Vec<String> {
    btf.ty(id).members().map(|m| m.name.to_owned()).collect()
}

fn run(btf: &Btf, what: &[&str]) -> (Btf, Vec<u32>) {
    let reqs: Vec<Hide> = what.iter().map(|w| Hide::parse(w).unwrap()).collect();
    let h = hide(btf, &reqs, &WriteOptions::like(btf)).unwrap();
    (Btf::parse(&h.written.bytes).unwrap(), h.hits)
}

#[test]
fn parse_reads_types_and_members() {
    assert_eq!(Hide::parse(" task "), Some(Hide::Type("task".into())));
    assert_eq!(Hide::parse("struct task"), Some(Hide::Type("task".into())));
    assert_eq!(
        Hide::parse("task.state"),
        Some(Hide::Member {
            owner: "task".into(),
            member: "state".into()
        })
    );
    assert_eq!(Hide::parse(""), None);
    assert_eq!(Hide::parse("task."), None);
    assert_eq!(Hide::parse(".x"), None);
    assert_eq!(Hide::parse("task.state").unwrap().to_string(), "task.state");
}

#[test]
fn a_hidden_member_is_gone_and_the_rest_stays_put() {
    for endian in [Endian::Little, Endian::Big] {
        let btf = sample(endian);
        let task = btf.find_by_name("task").next().unwrap();
        let (out, hits) = run(&btf, &["task.pid"]);
        assert_eq!(hits, [1]);
        assert_eq!(out.type_cnt(), btf.type_cnt(), "same ids");
        assert_eq!(out.endian(), endian);
        assert_eq!(member_names(&out, task), ["state", ""]);
        let state = out.ty(task).members().next().unwrap();
        assert_eq!(state.bit_offset, 64, "offsets unchanged");
        assert_eq!(out.ty(task).vlen(), 2);
    }
}

#[test]
fn a_member_of_an_anonymous_union_is_dropped_there() {
    let btf = sample(Endian::Little);
    let (out, hits) = run(&btf, &["task.deep"]);
    assert_eq!(hits, [1]);
    let task = out.find_by_name("task").next().unwrap();
    let anon = out.ty(task).members().nth(2).unwrap().type_id;
    assert_eq!(member_names(&out, anon), ["a"]);
    assert_eq!(member_names(&out, task), ["pid", "state", ""]);
}

#[test]
fn a_hidden_type_cannot_be_found_by_its_name() {
    let btf = sample(Endian::Little);
    let task = btf.find_by_name("task").next().unwrap();
    let (out, hits) = run(&btf, &["struct task"]);
    assert_eq!(hits, [1]);
    assert_eq!(out.find_by_name("task").count(), 0);
    assert_eq!(out.find_by_essential_name("task").count(), 0);
    assert_eq!(out.ty(task).name(), "task__hidden");
    // What referred to it still does.
    let td = out.find_by_name("task_t").next().unwrap();
    assert_eq!(out.ty(td).type_id(), task);
}

#[test]
fn an_enumerator_can_be_hidden() {
    let btf = sample(Endian::Little);
    let (out, hits) = run(&btf, &["e.B"]);
    assert_eq!(hits, [1]);
    let e = out.find_by_name("e").next().unwrap();
    let names: Vec<&str> = out.ty(e).enum_values().map(|v| v.name).collect();
    assert_eq!(names, ["A", "C"]);
    let values: Vec<u64> = out.ty(e).enum_values().map(|v| v.raw()).collect();
    assert_eq!(values, [0, 2]);
}

#[test]
fn a_tag_follows_its_member_or_moves_to_the_type() {
    let btf = sample(Endian::Little);
    let tag = |b: &Btf| {
        let id = b.find_by_name("tagged").next().unwrap();
        b.ty(id).decl_tag_component()
    };
    assert_eq!(tag(&btf), 1);
    assert_eq!(tag(&run(&btf, &["task.pid"]).0), 0, "state moved up one");
    assert_eq!(tag(&run(&btf, &["task.state"]).0), -1, "its member is gone");
}

#[test]
fn nothing_matched_is_a_zero_not_an_error() {
    let btf = sample(Endian::Little);
    let (out, hits) = run(&btf, &["nosuch", "task.nosuch", "task.pid"]);
    assert_eq!(hits, [0, 0, 1]);
    let mut a = Vec::new();
    crate::dump::write_raw(&out, &mut a).unwrap();
    assert!(String::from_utf8(a)
        .unwrap()
        .contains("STRUCT 'task' size=24 vlen=2"));
}

#[test]
fn hiding_nothing_writes_the_same_types() {
    let btf = sample(Endian::Big);
    let (out, hits) = run(&btf, &[]);
    assert!(hits.is_empty());
    let listing = |b: &Btf| {
        let mut v = Vec::new();
        crate::dump::write_raw(b, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    };
    assert_eq!(listing(&out), listing(&btf));
}
