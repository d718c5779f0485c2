//! Every request and reply survives the trip through postcard, with real payloads: postcard
//! reads fields by position, so a field skipped on one side (a `skip_serializing_if`) or a
//! self-describing-only serde feature would fail here, not in the browser. Answers with bulk
//! go the way the worker sends them: bulk moved into blobs, the rest encoded.

use std::fmt::Debug;

use super::*;
use crate::dto::catalog::WhereOutcome;
use crate::dto::guard::WhatIf;
use crate::query::ask::{AcrossQuery, AskQuery, CompleteQuery};
use crate::query::catalog::{SelectQuery, WhereQuery};
use crate::query::kernel::{HeaderQuery, LayoutQuery, ListingQuery, TypeDetailQuery};
use crate::query::loadlog::LoadLogQuery;
use crate::query::object::{CompareQuery, ExplainQuery, GuardQuery, MatrixQuery, RelocQuery};
use crate::query::structs::StructsQuery;
use crate::session::tests::{data, kernel, session_with, whatif, K510, K618};
use crate::url::HeaderProfile;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T) {
    let bytes = encode(&value).unwrap();
    let back: T = decode(&bytes).unwrap();
    assert_eq!(back, value);
}

/// `reply` as the worker sends it and the app reads it (bulk moved into blobs, the rest
/// encoded) is `expected`.
fn crosses(mut reply: Reply, expected: &Reply) {
    let blobs = reply.take_blobs();
    let mut back: Reply = decode(&encode(&reply).unwrap()).unwrap();
    back.put_blobs(blobs);
    assert_eq!(&back, expected);
}

fn queries() -> Vec<AnyQuery> {
    let w = WhatIf {
        kernel_release: Some("5.4.0".into()),
        set: vec![("CONFIG_HZ".into(), "250".into())],
        hide: vec!["task_struct.__state".into()],
        libbpf: crate::dto::guard::LibbpfRelease::V1_5,
    };
    let reloc = RelocQuery {
        object: 2,
        kernel: 1,
        whatif: w.clone(),
    };
    vec![
        AnyQuery::TypeDetail(TypeDetailQuery { slot: 1, id: 42 }),
        AnyQuery::Listing(ListingQuery { slot: 1 }),
        AnyQuery::Header(HeaderQuery {
            slot: 1,
            profile: HeaderProfile::Bpftool71,
            roots: vec!["struct task_struct".into()],
            helpers: true,
        }),
        AnyQuery::Layout(LayoutQuery { slot: 1, id: 7 }),
        AnyQuery::Structs(StructsQuery { slot: 1 }),
        AnyQuery::Relocations(reloc.clone()),
        AnyQuery::Explain(ExplainQuery { reloc, idx: 3 }),
        AnyQuery::Guard(GuardQuery {
            object: 2,
            kernel: 1,
            whatif: w.clone(),
            prog: Some("handle_exec".into()),
        }),
        AnyQuery::Matrix(MatrixQuery {
            object: 2,
            kernels: vec![1, 3],
            whatif: w,
        }),
        AnyQuery::Compare(CompareQuery {
            kernels: vec![1, 3],
            name: "task_struct".into(),
        }),
        AnyQuery::Where(WhereQuery {
            path: "task_struct.__state".into(),
            shards: vec![],
        }),
        AnyQuery::Select(SelectQuery {
            selector: "@all".into(),
        }),
        AnyQuery::Ask(AskQuery {
            kernel: 1,
            text: "struct task_struct *t; BPF_CORE_READ(t, mm, exe_file)".into(),
        }),
        AnyQuery::Complete(CompleteQuery {
            kernel: 1,
            before: "struct task_struct *t; t->m".into(),
        }),
        // Compiled against 6.18 (slot 2), which has the field 5.10 (slot 1) lacks.
        AnyQuery::Across(AcrossQuery {
            local: 2,
            targets: vec![1, 2],
            text: "struct inode *i; i->i_atime_sec".into(),
        }),
        // The session's object slot (100): its real 5.10 log.
        AnyQuery::LoadLog(LoadLogQuery {
            object: 100,
            kernel: Some(1),
            log: guarding_log(),
        }),
    ]
}

fn guarding_log() -> String {
    let gz = data(
        "loadlog/logs/sample_10_guarding.bpf__debian11-5.10.0-46-amd64__atime_unguarded.libbpf.log.gz",
    );
    let mut out = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
    out
}

#[test]
fn every_request_round_trips() {
    let mut requests = vec![
        Request::Load {
            slot: 1,
            label: "vmlinux".into(),
            base: Some(0),
            unpacked: vec!["gzip".into()],
        },
        Request::TypeIndex { slot: 1 },
        Request::LoadObject {
            slot: 2,
            label: "prog.bpf.o".into(),
        },
        Request::ObjectFile { slot: 2 },
        Request::Keep { slots: vec![1, 2] },
        Request::CatalogOpen,
        Request::CatalogLoad {
            slot: 3,
            build: "debian12-6.1.0-50-arm64".into(),
            offsets: vec![52061, 14_891_355],
        },
        Request::CatalogShards {
            shards: vec![0, 63],
        },
        Request::CatalogSweep {
            build: "debian12-6.1.0-50-arm64".into(),
            offsets: vec![14_891_355],
            job: SweepJob::Matrix {
                object: 2,
                whatif: whatif(),
            },
        },
    ];
    requests.extend(queries().into_iter().map(Request::Query));
    for r in requests {
        round_trip(r);
    }
}

#[test]
fn every_answer_round_trips_with_its_bulk() {
    let k = kernel(K618);
    round_trip(Reply::Loaded {
        report: LoadReport {
            summary: k.summary(),
            parse_ms: 12.5,
        },
    });
    // 10_guarding has optional fields both set and unset: source lines, jump targets,
    // decided branches, a poison, CO-RE records.
    let mut s = session_with("10_guarding", &[K510, K618]);
    let summary = s.object(100).unwrap().summary();
    round_trip(Reply::ObjectLoaded { summary });
    round_trip(Reply::ObjectFile);
    // The catalogue (core's sample archive): its listing, and a where-answer both before
    // the shard it needs is handed over and after.
    let archive = corelab::catalog::sample::sample_archive();
    let listing = s.catalog_open(&archive).unwrap();
    round_trip(Reply::Catalog {
        listing: listing.clone(),
    });
    let WhereOutcome::NeedShard(i) = s.catalog_where("task_struct.__state").unwrap() else {
        panic!("the first where-question needs a shard");
    };
    let (o, n) = listing.shards[i as usize];
    let mut s2 = session_with("10_guarding", &[K510]);
    s2.catalog_open(&archive).unwrap();
    s2.catalog_shards(&[(i, &archive[o as usize..(o + n) as usize])])
        .unwrap();
    round_trip(AnyReply::Where(
        s2.catalog_where("task_struct.__state").unwrap(),
    ));
    for q in queries() {
        // The session's slots: kernels 1 and 2, the object 100.
        let q = match q {
            AnyQuery::Relocations(r) => AnyQuery::Relocations(RelocQuery {
                object: 100,
                whatif: whatif(),
                ..r
            }),
            AnyQuery::Explain(_) => AnyQuery::Explain(ExplainQuery {
                reloc: RelocQuery {
                    object: 100,
                    kernel: 1,
                    whatif: whatif(),
                },
                idx: 0,
            }),
            AnyQuery::Guard(_) => AnyQuery::Guard(GuardQuery {
                object: 100,
                kernel: 1,
                whatif: whatif(),
                prog: None,
            }),
            AnyQuery::Matrix(_) => AnyQuery::Matrix(MatrixQuery {
                object: 100,
                kernels: vec![1, 2],
                whatif: whatif(),
            }),
            AnyQuery::Compare(c) => AnyQuery::Compare(CompareQuery {
                kernels: vec![1, 2],
                ..c
            }),
            AnyQuery::Header(_) => AnyQuery::Header(HeaderQuery {
                slot: 1,
                profile: HeaderProfile::Bpftool,
                roots: vec!["task_struct".into()],
                helpers: true,
            }),
            AnyQuery::TypeDetail(_) => AnyQuery::TypeDetail(TypeDetailQuery { slot: 1, id: 1 }),
            AnyQuery::Layout(l) => AnyQuery::Layout(LayoutQuery {
                id: s.kernel(1).unwrap().find("task_struct")[0],
                ..l
            }),
            other => other,
        };
        let mut run = || {
            q.run(&mut s, &mut |_| {})
                .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        };
        let (answer, expected) = (run(), run());
        crosses(
            Reply::Answer(Box::new(answer)),
            &Reply::Answer(Box::new(expected)),
        );
    }
    // An Ask sweep's table (its second pass checks the fix).
    let key = crate::dto::sweep::AskSweepKey {
        local: 1,
        text: "struct task_struct *t; t->mm".into(),
        builds: listing.builds.iter().map(|b| b.name.clone()).collect(),
    };
    round_trip(Request::AskSweepTable(crate::dto::sweep::AskSweepRequest {
        sweep: key.clone(),
    }));
    round_trip(Request::AskFromIndex(crate::dto::sweep::AskIndexRequest {
        sweep: key.clone(),
        fix: false,
    }));
    round_trip(Reply::AskIndex(s2.ask_from_index(&key, false).unwrap()));
    round_trip(Reply::AskIndex(crate::dto::sweep::AskIndexStep::Answered(
        vec![0, 3],
    )));
    let b0 = &listing.builds[0];
    let segs0: Vec<(u64, &[u8])> = b0
        .segments
        .iter()
        .map(|&(o, n)| (o, &archive[o as usize..(o + n) as usize]))
        .collect();
    let asked = SweepJob::Ask {
        sweep: key.clone(),
        index: 0,
        fix: false,
    };
    round_trip(Reply::Swept(
        s2.sweep_build(&b0.name, &segs0, &asked).unwrap(),
    ));
    let table = s2.ask_sweep_table(&key).unwrap();
    crosses(
        Reply::AskTable(Box::new(table.clone())),
        &Reply::AskTable(Box::new(table)),
    );
    // A sweep's steps: the segments a build still needs, and a build's column.
    round_trip(Reply::Swept(SweepStep::Need(vec![52061])));
    let b = &listing.builds[0];
    let segs: Vec<(u64, &[u8])> = b
        .segments
        .iter()
        .map(|&(o, n)| (o, &archive[o as usize..(o + n) as usize]))
        .collect();
    let job = SweepJob::Matrix {
        object: 100,
        whatif: whatif(),
    };
    let step = s.sweep_build(&b.name, &segs, &job).unwrap();
    assert!(matches!(step, SweepStep::Column(_)));
    round_trip(Reply::Swept(step));
    for r in [Reply::Index, Reply::Done] {
        round_trip(r);
    }
    round_trip(Reply::Failed {
        message: "no kernel loaded in slot 9".into(),
    });
}

#[test]
fn an_index_crosses_as_blobs() {
    let k = kernel(K510);
    let index = k.type_index();
    assert_eq!(index_from_blobs(index_blobs(index.clone())), index);
}

#[test]
fn a_truncated_message_is_an_error_not_a_panic() {
    let bytes = encode(&Request::Query(AnyQuery::Compare(CompareQuery {
        kernels: vec![1, 3],
        name: "task_struct".into(),
    })))
    .unwrap();
    for cut in 0..bytes.len() {
        assert!(decode::<Request>(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    // Raw kernel bytes are not a message either.
    assert!(decode::<Request>(&data("btf/debian11-5.10.0-46-amd64.btf.gz")).is_err());
}
