use super::*;
use crate::dto::{DocumentData, TypeIndexData};

/// Named types: 1 mm_struct (struct), 2 task_struct (struct), 3 task_struct (func),
/// 4 task_struct_ext (struct).
fn index() -> Shared<TypeIndex> {
    Shared::new(TypeIndex::new(TypeIndexData {
        names: "mm_struct\ntask_struct\ntask_struct\ntask_struct_ext\n".into(),
        ids: vec![1, 2, 3, 4],
        kinds: vec![4, 4, 12, 4],
    }))
}

fn loaded(w: &mut Workspace, generation: u32, source: Source) {
    w.apply(Action::StartLoad { source, generation });
    w.apply(Action::Loaded {
        generation,
        summary: Shared::new(KernelSummary::default()),
        index: index(),
        base_slot: None,
        timings: LoadTimings::default(),
    });
}

fn bundled(id: &str) -> Source {
    Source::Bundled(id.into())
}

fn detail(id: u32) -> Shared<TypeDetail> {
    Shared::new(TypeDetail {
        id,
        kind: "STRUCT".into(),
        name: String::new(),
        size: None,
        lines: Vec::new(),
    })
}

#[test]
fn a_shared_link_opens_its_type_once_the_kernel_is_in() {
    let url = UrlState::parse("?kernel=k61&type=task_struct");
    let mut w = Workspace::from_url(&url);
    assert_eq!(w.url().ty, Some(TypeRef::Name("task_struct".into())));
    loaded(&mut w, 1, bundled("k61"));
    assert_eq!(w.selected, Some(2), "the struct, not the func");
    assert_eq!(w.view, View::Types);
    assert_eq!(w.url(), url);
    assert_eq!(w.url().format(), "?kernel=k61&type=task_struct");
}

#[test]
fn progress_and_replies_of_a_replaced_load_are_dropped() {
    let mut w = Workspace::default();
    w.apply(Action::StartLoad {
        source: bundled("a"),
        generation: 1,
    });
    w.apply(Action::StartLoad {
        source: bundled("b"),
        generation: 2,
    });
    w.apply(Action::Progress {
        generation: 1,
        done: 5,
        total: Some(10),
    });
    assert_eq!(
        w.loading.as_ref().unwrap().phase,
        Phase::Fetching {
            done: 0,
            total: None
        }
    );
    w.apply(Action::LoadFailed {
        generation: 1,
        message: "late".into(),
    });
    assert!(w.error.is_none() && w.loading.is_some());
    w.apply(Action::Loaded {
        generation: 1,
        summary: Shared::new(KernelSummary::default()),
        index: index(),
        base_slot: None,
        timings: LoadTimings::default(),
    });
    assert!(w.kernel.is_none());
    w.apply(Action::Parsing { generation: 2 });
    assert_eq!(w.loading.as_ref().unwrap().phase, Phase::Parsing);
    w.apply(Action::LoadFailed {
        generation: 2,
        message: "x.btf: offset 0x0: bad".into(),
    });
    assert_eq!(w.error.as_deref(), Some("x.btf: offset 0x0: bad"));
    assert!(w.loading.is_none());
}

#[test]
fn replies_about_another_kernel_are_dropped() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(Action::Select(2));
    w.apply(Action::DetailArrived {
        slot: 7,
        detail: detail(2),
    });
    assert!(w.detail.is_none());
    w.apply(Action::DetailArrived {
        slot: 1,
        detail: detail(3),
    });
    assert!(w.detail.is_none(), "detail of a type no longer selected");
    w.apply(Action::DetailArrived {
        slot: 1,
        detail: detail(2),
    });
    assert_eq!(w.detail.as_ref().map(|d| d.id), Some(2));
    w.apply(Action::ListingArrived {
        slot: 0,
        document: Shared::default(),
    });
    assert!(w.listing.is_none());
}

#[test]
fn a_new_kernel_keeps_the_type_by_name() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(Action::Select(4));
    w.apply(Action::DetailArrived {
        slot: 1,
        detail: detail(4),
    });
    w.apply(Action::ShowView(View::Listing));
    w.apply(Action::ListingArrived {
        slot: 1,
        document: Shared::default(),
    });
    loaded(&mut w, 2, Source::Upload("vmlinux".into()));
    assert_eq!(w.selected, Some(4));
    assert!(w.detail.is_none() && w.listing.is_none());
    assert_eq!(w.url().kernel, None, "an upload cannot be named in a URL");
    assert_eq!(w.url().ty, Some(TypeRef::Name("task_struct_ext".into())));
}

#[test]
fn search_and_keyboard() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    assert_eq!(w.row_count(), 4);
    w.apply(Action::SetQuery("task".into()));
    assert_eq!(w.search.hits.rows, [1, 2, 3]);
    w.apply(Action::MoveCursor(10));
    assert_eq!(w.search.cursor, 2);
    w.apply(Action::MoveCursor(-1));
    assert_eq!(w.cursor_id(), Some(3));
    w.apply(Action::OpenCursor);
    assert_eq!((w.selected, w.view), (Some(3), View::Types));
    // The func shares the struct's name, so the URL names it by id.
    assert_eq!(w.url().ty, Some(TypeRef::Id(3)));
    w.apply(Action::SetFilter(KindFilter::Struct));
    assert_eq!(w.search.hits.rows, [1, 3]);
    assert_eq!(w.search.cursor, 0);
    w.apply(Action::SetQuery("#77".into()));
    assert_eq!(w.row_count(), 1);
    assert_eq!(w.cursor_id(), Some(77));
    w.apply(Action::SetQuery("nothing".into()));
    w.apply(Action::MoveCursor(1));
    assert_eq!((w.row_count(), w.cursor_id()), (0, None));
}

fn listing() -> Shared<Document> {
    Shared::new(Document::new(DocumentData {
        text: "[1] A\n[2] B\n\tx\n".into(),
        line_starts: vec![0, 6, 12],
        links: vec![],
        anchors: vec![u32::MAX, 0, 1],
    }))
}

#[test]
fn listing_jumps_scroll_each_time() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(Action::ShowView(View::Listing));
    w.apply(Action::ListingArrived {
        slot: 1,
        document: listing(),
    });
    w.apply(Action::GoToType(2));
    let first = w.scroll.unwrap();
    assert_eq!(first.line, 1);
    w.apply(Action::GoToType(2));
    let again = w.scroll.unwrap();
    assert_eq!(again.line, 1);
    assert_ne!(first.nonce, again.nonce, "the same jump scrolls again");
    assert_eq!(w.selected, Some(2));
    w.apply(Action::GoToType(9));
    assert_eq!(
        (w.view, w.selected),
        (View::Types, Some(9)),
        "no anchor: the detail"
    );
    w.apply(Action::GoToType(2));
    w.apply(Action::Scrolled(40));
    assert_eq!(w.url().line, Some(41));
    assert_eq!(w.url().view, View::Listing);
    w.apply(Action::ShowView(View::Summary));
    assert_eq!(w.url().line, None);
}

#[test]
fn back_and_forward_apply_the_url() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(Action::Select(1));
    w.apply(Action::ApplyUrl(UrlState::parse(
        "?kernel=a&type=task_struct_ext&q=ext",
    )));
    assert_eq!(w.selected, Some(4));
    assert_eq!(w.search.hits.rows, [3]);
    w.apply(Action::ApplyUrl(UrlState::parse("?kernel=a")));
    assert_eq!((w.selected, w.view), (None, View::Summary));
    w.apply(Action::ApplyUrl(UrlState::parse(
        "?kernel=a&view=listing&line=3",
    )));
    assert_eq!(w.scroll.map(|s| s.line), Some(2));
}

#[test]
fn an_embed_url_stays_an_embed() {
    let url = UrlState::parse("?embed=type&kernel=a&type=mm_struct");
    let mut w = Workspace::from_url(&url);
    loaded(&mut w, 1, bundled("a"));
    assert_eq!(w.embed, Some(Embed::Type));
    assert_eq!(w.selected, Some(1));
    assert_eq!(w.url(), url);
}

#[test]
fn a_type_missing_from_the_new_kernel_is_said() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=a&type=folio"));
    loaded(&mut w, 1, bundled("a"));
    assert_eq!(w.selected, None);
    assert_eq!(w.error.as_deref(), Some("a: no type named folio"));
}

#[test]
fn modules_layer_over_the_kernel_not_over_each_other() {
    let mut w = Workspace::default();
    assert_eq!(w.base_for_split(), None);
    loaded(&mut w, 1, bundled("k"));
    assert_eq!(w.base_for_split(), Some(1));
    w.apply(Action::StartLoad {
        source: Source::Upload("ext4.ko".into()),
        generation: 2,
    });
    w.apply(Action::Loaded {
        generation: 2,
        summary: Shared::new(KernelSummary::default()),
        index: index(),
        base_slot: Some(1),
        timings: LoadTimings::default(),
    });
    assert_eq!(w.base_for_split(), Some(1));
}

#[test]
fn switching_kernels_keeps_the_view() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(Action::Select(4));
    w.apply(Action::ShowView(View::Summary));
    loaded(&mut w, 2, bundled("b"));
    assert_eq!((w.view, w.selected), (View::Summary, Some(4)));
}
