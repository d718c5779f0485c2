//! Every request and reply survives the trip through postcard, with real payloads: postcard
//! reads fields by position, so a field skipped on one side (a `skip_serializing_if`) or a
//! self-describing-only serde feature would fail here, not in the browser.

use std::fmt::Debug;

use super::*;
use crate::session::tests::{data, kernel, session_with, whatif, K510, K618};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T) {
    let bytes = encode(&value).unwrap();
    let back: T = decode(&bytes).unwrap();
    assert_eq!(back, value);
}

#[test]
fn every_request_round_trips() {
    let w = WhatIf {
        kernel_release: Some("5.4.0".into()),
        set: vec![("CONFIG_HZ".into(), "250".into())],
        hide: vec!["task_struct.__state".into()],
    };
    let requests = [
        Request::Load {
            slot: 1,
            label: "vmlinux".into(),
            base: Some(0),
            index: true,
        },
        Request::TypeIndex { slot: 1 },
        Request::LoadObject {
            slot: 2,
            label: "prog.bpf.o".into(),
        },
        Request::Relocate {
            object: 2,
            kernel: 1,
            whatif: WhatIf::default(),
        },
        Request::Explain {
            object: 2,
            kernel: 1,
            whatif: w.clone(),
            idx: 3,
        },
        Request::Guard {
            object: 2,
            kernel: 1,
            whatif: w.clone(),
            prog: Some("handle_exec".into()),
        },
        Request::Matrix {
            object: 2,
            kernels: vec![1, 3],
            whatif: w,
        },
        Request::Compare {
            kernels: vec![1, 3],
            name: "task_struct".into(),
        },
        Request::TypeDetail { slot: 1, id: 42 },
        Request::RawListing { slot: 1 },
        Request::Header {
            slot: 1,
            profile: "bpftool-7.1".into(),
            roots: vec!["struct task_struct".into()],
            helpers: true,
        },
        Request::Layout {
            slot: 1,
            name: "task_struct".into(),
        },
        Request::Keep { slots: vec![1, 2] },
    ];
    for r in requests {
        round_trip(r);
    }
}

#[test]
fn replies_with_real_payloads_round_trip() {
    let k = kernel(K618);
    round_trip(Reply::Loaded {
        report: LoadReport {
            summary: k.summary(),
            parse_ms: 12.5,
            index_ms: 3.25,
        },
    });
    round_trip(Reply::TypeDetail {
        detail: k.type_detail(1),
    });
    round_trip(Reply::TypeDetail { detail: None });

    // 10_guarding has optional fields both set and unset: source lines, jump targets,
    // decided branches, a poison, CO-RE records.
    let mut s = session_with("10_guarding", &[K510, K618]);
    let summary = s.object(100).unwrap().summary();
    round_trip(Reply::ObjectLoaded { summary });
    let table = s.relocate(100, 1, &whatif()).unwrap();
    assert!(!table.rows.is_empty());
    round_trip(Reply::Relocated { table });
    let explanation = s.explain(100, 1, &whatif(), 0).unwrap();
    round_trip(Reply::Explained { explanation });
    let report = s.guard(100, 1, &whatif(), None).unwrap();
    round_trip(Reply::Guarded { report });
    let table = s.matrix(100, &[1, 2], &whatif()).unwrap();
    round_trip(Reply::Matrix { table });
    let table = s.compare(&[1, 2], "task_struct").unwrap();
    round_trip(Reply::Compared { table });
    round_trip(Reply::Header {
        profile: "bpftool".into(),
        warnings: vec!["libbpf: warning".into()],
        ms: 41.0,
    });
    round_trip(Reply::Layout {
        text: k.layout("task_struct").unwrap(),
    });
    for r in [Reply::Index, Reply::Document, Reply::Done] {
        round_trip(r);
    }
    round_trip(Reply::Failed {
        message: "no kernel loaded in slot 9".into(),
    });
}

#[test]
fn a_truncated_message_is_an_error_not_a_panic() {
    let bytes = encode(&Request::Compare {
        kernels: vec![1, 3],
        name: "task_struct".into(),
    })
    .unwrap();
    for cut in 0..bytes.len() {
        assert!(decode::<Request>(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    // Raw kernel bytes are not a message either.
    assert!(decode::<Request>(&data("btf/debian11-5.10.0-46-amd64.btf.gz")).is_err());
}
