use std::rc::Rc;

use super::ask::{AcrossQuery, AskQuery};
use super::kernel::{HeaderQuery, LayoutQuery, ListingQuery, TypeDetailQuery};
use super::loadlog::LoadLogQuery;
use super::object::{ExplainQuery, GuardQuery, MatrixQuery, RelocQuery};
use super::structs::{Order, StructsQuery};
use super::*;
use crate::session::tests::{session_with, K510, K618};
use crate::state::{Action, AskAction, KernelAction, ObjectAction, Source, Workspace};
use crate::url::{HeaderProfile, UrlState};

fn value(n: u32) -> Rc<dyn Any> {
    Rc::new(n)
}

fn got(c: &mut QueryCache, key: &[u8]) -> Option<u32> {
    match c.get(key)? {
        Answer::Done(Ok(v)) => v.clone().downcast::<u32>().ok().map(|v| *v),
        _ => None,
    }
}

#[test]
fn answers_are_kept_by_key_and_the_least_recently_used_go() {
    let mut c = QueryCache::default();
    let k = |n: u8| vec![n];
    assert!(c.needs_asking(&k(1)));
    c.asked(k(1), "A", 2);
    assert!(!c.needs_asking(&k(1)), "asked once, not twice");
    assert!(matches!(c.get(&k(1)), Some(Answer::Pending(None))));
    c.part(&k(1), value(10));
    assert!(matches!(c.get(&k(1)), Some(Answer::Pending(Some(_)))));
    c.answered(&k(1), Ok(value(11)));
    assert_eq!(got(&mut c, &k(1)), Some(11));
    // A part arriving after the answer changes nothing.
    c.part(&k(1), value(12));
    assert_eq!(got(&mut c, &k(1)), Some(11));
    c.asked(k(2), "A", 2);
    c.answered(&k(2), Ok(value(2)));
    // Another kind does not count against A's limit.
    c.asked(k(9), "B", 1);
    c.answered(&k(9), Err("no".into()));
    // Key 1 was looked at after key 2 was asked: key 2 is the least recently used.
    assert_eq!(got(&mut c, &k(1)), Some(11));
    c.asked(k(3), "A", 2);
    c.answered(&k(3), Ok(value(3)));
    assert!(c.needs_asking(&k(2)), "dropped");
    assert_eq!(got(&mut c, &k(1)), Some(11));
    assert_eq!(got(&mut c, &k(3)), Some(3));
    assert!(matches!(c.get(&k(9)), Some(Answer::Done(Err(_)))));
    // An answer nobody asked for (the cache forgot the key) is not kept.
    c.answered(&k(7), Ok(value(7)));
    assert!(c.needs_asking(&k(7)));
    c.forget(&k(9));
    assert!(c.needs_asking(&k(9)));
    assert_eq!(c.len(), 2);
}

#[test]
fn a_late_answer_does_not_push_out_the_one_in_view() {
    let mut c = QueryCache::default();
    // The view asked 1, then its inputs changed and it asked 2 (and looks at it).
    c.asked(vec![1], "A", 1);
    c.asked(vec![2], "A", 1);
    c.answered(&[2], Ok(value(2)));
    assert_eq!(got(&mut c, &[2]), Some(2));
    // 1's answer arrives late: kept by key, it is the least recently looked at.
    c.answered(&[1], Ok(value(1)));
    assert_eq!(c.len(), 1);
    assert!(c.needs_asking(&[1]) && !c.needs_asking(&[2]));
}

#[test]
fn fetch_reads_the_cache() {
    let mut c = QueryCache::default();
    assert_eq!(Fetch::<u32>::from_answer(c.get(&[1])), None);
    c.asked(vec![1], "A", 1);
    assert_eq!(
        Fetch::<u32>::from_answer(c.get(&[1])),
        None,
        "nothing to show yet"
    );
    c.part(&[1], value(5));
    let f = Fetch::<u32>::from_answer(c.get(&[1])).unwrap();
    assert_eq!(f.shown().map(|v| **v), Some(5));
    assert!(f.waiting() && f.ready().is_none());
    c.answered(&[1], Ok(value(6)));
    let f = Fetch::<u32>::from_answer(c.get(&[1])).unwrap();
    assert_eq!(f.ready().map(|v| **v), Some(6));
    // The wrong type is nothing rather than a panic.
    assert_eq!(Fetch::<String>::from_answer(c.get(&[1])), None);
}

#[test]
fn keys_tell_kinds_and_inputs_apart() {
    let k = |q: AnyQuery| key(&q);
    let a = k(LayoutQuery { slot: 1, id: 2 }.wrap());
    let b = k(TypeDetailQuery { slot: 1, id: 2 }.wrap());
    assert_ne!(a, b, "same fields, different kinds");
    assert_ne!(a, k(LayoutQuery { slot: 1, id: 3 }.wrap()));
    assert_eq!(a, k(LayoutQuery { slot: 1, id: 2 }.wrap()));
    let q = LayoutQuery { slot: 1, id: 2 }.wrap();
    assert_eq!((q.kind(), q.keep()), ("Layout", LayoutQuery::KEEP));
}

#[test]
fn queries_come_from_the_state_once_their_inputs_are_loaded() {
    let url = UrlState::parse("?obj=o&kernel=k&view=relocs&relo=3&profile=bpftool-7.1");
    let mut w = Workspace::from_url(&url);
    assert_eq!(RelocQuery::of(&w), None, "nothing loaded yet");
    assert_eq!(HeaderQuery::of(&w), None);
    w.apply(Action::Kernel(KernelAction::StartLoad {
        source: Source::Bundled("k".into()),
        generation: 1,
    }));
    w.apply(Action::Kernel(KernelAction::Loaded {
        generation: 1,
        slot: 1,
        summary: Default::default(),
        index: None,
        base_slot: None,
        timings: Default::default(),
    }));
    w.apply(Action::Object(ObjectAction::Start {
        source: Source::Bundled("o".into()),
        generation: 2,
    }));
    w.apply(Action::Object(ObjectAction::Loaded {
        generation: 2,
        summary: crate::shared::Shared::new(crate::dto::object::ObjectSummary {
            relocations: 10,
            ..Default::default()
        }),
    }));
    let r = RelocQuery::of(&w).unwrap();
    assert_eq!((r.object, r.kernel), (2, 1));
    assert_eq!(ExplainQuery::of(&w).unwrap().idx, 3);
    assert_eq!(GuardQuery::of(&w).unwrap().prog, None);
    let h = HeaderQuery::of(&w).unwrap();
    assert_eq!((h.slot, h.profile), (1, HeaderProfile::Bpftool71));
    assert_eq!(ListingQuery::of(&w), Some(ListingQuery { slot: 1 }));
    assert_eq!(StructsQuery::of(&w), Some(StructsQuery { slot: 1 }));
    assert_eq!(LayoutQuery::of(&w), None, "no type selected");
    // The matrix: every bundled kernel; hiding does not apply to it.
    w.apply(Action::Object(ObjectAction::SetWhatIf(
        crate::dto::guard::WhatIf {
            hide: vec!["x".into()],
            kernel_release: Some("6.1.0".into()),
            ..Default::default()
        },
    )));
    let m = MatrixQuery::of(&w, &[5, 6]).unwrap();
    assert_eq!(
        m.kernels,
        [5, 6],
        "the active kernel is bundled: no extra column"
    );
    assert!(m.whatif.hide.is_empty() && m.whatif.kernel_release.is_some());
    assert_eq!(RelocQuery::of(&w).unwrap().whatif.hide, ["x"]);
    // A failed load's log: asked once there is one, on the active kernel.
    assert_eq!(LoadLogQuery::of(&w), None, "no log pasted");
    w.apply(Action::Object(ObjectAction::SetLog("0: (85) call".into())));
    let l = LoadLogQuery::of(&w).unwrap();
    assert_eq!((l.object, l.kernel), (2, Some(1)));
    // The Ask area: the records as soon as there is a kernel, the answer across kernels
    // once there is a question.
    assert_eq!(AskQuery::of(&w).map(|q| q.kernel), Some(1));
    assert_eq!(AcrossQuery::of(&w, &[5, 6]), None, "no question");
    w.apply(Action::Ask(AskAction::Ask(
        "struct sock *sk; sk->sk_err".into(),
    )));
    let a = AcrossQuery::of(&w, &[5, 6]).unwrap();
    assert_eq!((a.local, a.targets.as_slice()), (1, &[5, 6][..]));
    assert_eq!(AcrossQuery::of(&w, &[]), None, "no kernels yet");
}

#[test]
fn the_structs_of_a_kernel_are_its_named_structs_and_unions() {
    let mut s = session_with("10_guarding", &[K510, K618]);
    let t = StructsQuery { slot: 1 }.run(&mut s, &mut |_| {}).unwrap();
    let k = s.kernel(1).unwrap();
    let task = t.rows.iter().find(|r| r.name == "task_struct").unwrap();
    assert_eq!(task.id, k.find("task_struct")[0]);
    assert!(
        !task.union && task.size == 9408 && task.holes == 14,
        "{task:?}"
    );
    assert!(task.wasted > 0);
    let attr = t.rows.iter().find(|r| r.name == "bpf_attr").unwrap();
    assert!(attr.union && attr.holes == 0);
    assert!(t.rows.iter().all(|r| !r.name.is_empty()));
    assert!(t.rows.windows(2).all(|w| w[0].id < w[1].id));
    assert!(StructsQuery { slot: 9 }.run(&mut s, &mut |_| {}).is_err());
    // The list: filtered by part of a name, sorted.
    let names = |rows: Vec<u32>| -> Vec<String> {
        rows.iter()
            .map(|&i| t.rows[i as usize].name.clone())
            .collect()
    };
    let tasks = names(t.select("TASK_STRUCT", Order::Name));
    assert!(tasks.contains(&"task_struct".to_owned()));
    assert!(tasks.iter().all(|n| n.contains("task_struct")));
    assert!(tasks.windows(2).all(|w| w[0] <= w[1]));
    let by_holes = t.select("", Order::Holes);
    assert_eq!(by_holes.len(), t.rows.len());
    let holes: Vec<u32> = by_holes.iter().map(|&i| t.rows[i as usize].holes).collect();
    assert!(holes.windows(2).all(|w| w[0] >= w[1]) && holes[0] > 10);
    let sizes = t.select("", Order::Size);
    assert!(t.rows[sizes[0] as usize].size >= t.rows[sizes[1] as usize].size);
}
