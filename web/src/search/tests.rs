use std::path::PathBuf;

use super::*;

/// An index over `(name, kind)`, ids counting from 1 in the given (already sorted) order.
fn index(entries: &[(&str, u8)]) -> TypeIndex {
    let mut d = TypeIndexData::default();
    for (i, (name, kind)) in entries.iter().enumerate() {
        d.names.push_str(name);
        d.names.push('\n');
        d.ids.push(i as u32 + 1);
        d.kinds.push(*kind);
    }
    TypeIndex::new(d)
}

fn names(ix: &TypeIndex, hits: &Hits) -> Vec<String> {
    hits.rows
        .iter()
        .map(|&e| ix.name(e as usize).to_owned())
        .collect()
}

fn sample() -> TypeIndex {
    index(&[
        ("mm_struct", 4),
        ("mmap_lock", 12),
        ("task_struct", 4),
        ("task_struct", 12),
        ("task_struct_ext", 4),
        ("Task_Struct_Helper", 8),
        ("thread_struct", 4),
    ])
}

#[test]
fn exact_then_prefix_then_substring() {
    let ix = sample();
    let h = ix.search("task_struct", KindFilter::All, None);
    assert_eq!(
        names(&ix, &h),
        [
            "task_struct",
            "task_struct",
            "task_struct_ext",
            "Task_Struct_Helper"
        ]
    );
    let h = ix.search("struct", KindFilter::All, None);
    assert_eq!(
        names(&ix, &h),
        [
            "mm_struct",
            "task_struct",
            "task_struct",
            "task_struct_ext",
            "Task_Struct_Helper",
            "thread_struct"
        ]
    );
    let h = ix.search("  MM ", KindFilter::All, None);
    assert_eq!(names(&ix, &h), ["mm_struct", "mmap_lock"]);
}

#[test]
fn kind_filter_narrows() {
    let ix = sample();
    let h = ix.search("task", KindFilter::Func, None);
    assert_eq!(h.rows, [3]);
    let h = ix.search("", KindFilter::Struct, None);
    assert_eq!(h.rows.len(), 4);
    let h = ix.search("", KindFilter::All, None);
    assert_eq!(h.rows.len(), ix.len());
}

#[test]
fn an_id_query_names_the_type() {
    let ix = sample();
    for q in ["#42", "[42]", "42"] {
        let h = ix.search(q, KindFilter::All, None);
        assert_eq!((h.id, h.rows.len()), (Some(42), 0), "{q}");
    }
    assert_eq!(ix.search("#4x", KindFilter::All, None).id, None);
}

#[test]
fn resolve_prefers_the_kind_first_in_the_index() {
    let ix = sample();
    assert_eq!(ix.resolve("task_struct"), Some(3));
    assert_eq!(ix.resolve("Task_Struct_Helper"), Some(6));
    // Case matters for a name in a URL.
    assert_eq!(ix.resolve("TASK_STRUCT"), None);
    assert_eq!(ix.resolve("nope"), None);
    assert_eq!(ix.entry_of(4), Some(3));
    assert_eq!(ix.entry_of(99), None);
}

#[test]
fn inconsistent_data_is_trimmed_not_trusted() {
    let ix = TypeIndex::new(TypeIndexData {
        names: "a\nb\nc\n".into(),
        ids: vec![1, 2],
        kinds: vec![4, 4, 4],
    });
    assert_eq!(ix.len(), 2);
    assert_eq!(ix.search("c", KindFilter::All, None).rows.len(), 0);
    assert_eq!(ix.name(1), "b");
    let empty = TypeIndex::new(TypeIndexData::default());
    assert!(empty.search("x", KindFilter::All, None).rows.is_empty());
}

fn real_index() -> TypeIndex {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/btf/debian12-6.1.0-50-amd64.btf.gz");
    let k = crate::session::Kernel::load("6.1", &std::fs::read(p).unwrap(), None).unwrap();
    TypeIndex::new(k.type_index())
}

#[test]
fn narrowing_a_previous_result_gives_what_a_full_scan_gives() {
    let ix = real_index();
    for filter in [KindFilter::All, KindFilter::Struct, KindFilter::Func] {
        let mut prev: Option<Hits> = None;
        for q in [
            "t",
            "ta",
            "tas",
            "task",
            "task_",
            "task_s",
            "task_st",
            "task_struct",
        ] {
            let full = ix.search(q, filter, None);
            let incr = ix.search(q, filter, prev.as_ref());
            assert_eq!(full, incr, "{q} {filter:?}");
            prev = Some(incr);
        }
    }
    let h = ix.search("task_struct", KindFilter::All, None);
    assert_eq!(ix.name(h.rows[0] as usize), "task_struct");
    assert_eq!(ix.kind(h.rows[0] as usize), 4);
}

#[test]
fn every_hit_contains_the_query_and_none_is_missed() {
    let ix = real_index();
    for q in ["sk_buff", "bpf_", "xdp", "_rcu", "z"] {
        let h = ix.search(q, KindFilter::All, None);
        let want = (0..ix.len())
            .filter(|&e| ix.name(e).to_ascii_lowercase().contains(q))
            .count();
        assert_eq!(h.rows.len(), want, "{q}");
        let mut seen = std::collections::HashSet::new();
        assert!(
            h.rows.iter().all(|e| seen.insert(*e)),
            "duplicate hit for {q}"
        );
    }
}
