use super::*;
use crate::dto::{DocumentData, TypeIndexData};
use crate::url::Area;

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
        slot: generation,
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
        slot: 1,
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
        slot: 2,
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

fn object_summary(
    programs: &[&str],
    relocations: u32,
) -> Shared<crate::dto::object::ObjectSummary> {
    Shared::new(crate::dto::object::ObjectSummary {
        programs: programs
            .iter()
            .map(|p| crate::dto::object::ProgramInfo {
                name: (*p).to_owned(),
                sec: "kprobe/x".into(),
                subprog: false,
                autoload: true,
                code: 0,
                start: 0,
                len: 1,
            })
            .collect(),
        relocations,
        ..Default::default()
    })
}

fn with_object(w: &mut Workspace, generation: u32, id: &str, programs: &[&str]) {
    w.apply(Action::StartObject {
        source: bundled(id),
        generation,
    });
    w.apply(Action::ObjectLoaded {
        generation,
        summary: object_summary(programs, 10),
    });
}

#[test]
fn an_object_load_replaced_by_another_is_dropped() {
    let mut w = Workspace::default();
    w.apply(Action::StartObject {
        source: bundled("a"),
        generation: 5,
    });
    w.apply(Action::StartObject {
        source: bundled("b"),
        generation: 6,
    });
    assert_eq!(
        w.url().object.as_deref(),
        Some("b"),
        "the URL names what is coming"
    );
    w.apply(Action::ObjectLoaded {
        generation: 5,
        summary: object_summary(&["x"], 1),
    });
    assert!(w.object.is_none());
    w.apply(Action::ObjectFailed {
        generation: 5,
        message: "late".into(),
    });
    assert!(w.error.is_none());
    w.apply(Action::ObjectLoaded {
        generation: 6,
        summary: object_summary(&["x"], 1),
    });
    assert_eq!(w.object_slot(), Some(6));
    assert_eq!(w.url().object.as_deref(), Some("b"));
    w.apply(Action::StartObject {
        source: Source::Upload("mine.o".into()),
        generation: 7,
    });
    w.apply(Action::ObjectFailed {
        generation: 7,
        message: "mine.o: not an ELF".into(),
    });
    assert_eq!(w.error.as_deref(), Some("mine.o: not an ELF"));
    assert_eq!(w.object_slot(), Some(6), "the old object stays");
}

#[test]
fn results_are_kept_only_for_the_inputs_the_view_wants() {
    let mut w = Workspace::from_url(&UrlState::parse("?obj=o&kernel=k&view=relocs&relo=3"));
    assert_eq!(w.reloc_wanted(), None, "nothing loaded yet");
    loaded(&mut w, 1, bundled("k"));
    with_object(&mut w, 2, "o", &["p"]);
    let key = w.reloc_wanted().unwrap();
    assert_eq!((key.object, key.kernel), (2, 1));
    assert_eq!(w.explain_wanted().unwrap().idx, 3);
    assert_eq!(w.guard_wanted(), None, "not the guarding view");
    let table = |key: RelocKey| {
        Action::RelocArrived(Fetched {
            key,
            value: Ok(Shared::new(crate::dto::reloc::RelocTable::default())),
        })
    };
    // A reply for other what-if settings is stale.
    let mut stale = key.clone();
    stale.whatif.hide.push("task_struct".into());
    w.apply(table(stale));
    assert!(w.reloc.is_none());
    w.apply(table(key.clone()));
    assert!(w.reloc.is_some());
    // New settings: the stored table no longer matches what is wanted.
    w.apply(Action::SetWhatIf(WhatIf {
        kernel_release: Some("6.1.0".into()),
        ..WhatIf::default()
    }));
    assert_ne!(w.reloc.as_ref().map(|f| &f.key), w.reloc_wanted().as_ref());
    assert_eq!(w.url().whatif.kernel_release.as_deref(), Some("6.1.0"));
    // Guarding wants the program by name; the matrix ignores hiding.
    w.apply(Action::ShowArea(Area::Guarding));
    assert_eq!(w.view, View::Flow);
    w.apply(Action::SelectProgram("p".into()));
    assert_eq!(w.guard_wanted().unwrap().prog.as_deref(), Some("p"));
    w.apply(Action::SetWhatIf(WhatIf {
        hide: vec!["x".into()],
        ..WhatIf::default()
    }));
    w.apply(Action::ShowView(View::Matrix));
    assert!(w.matrix_wanted().unwrap().whatif.hide.is_empty());
}

#[test]
fn a_new_object_keeps_the_program_only_if_it_has_it() {
    let mut w = Workspace::from_url(&UrlState::parse("?obj=a&prog=p&relo=30"));
    with_object(&mut w, 1, "a", &["p", "q"]);
    assert_eq!(w.prog.as_deref(), Some("p"));
    assert_eq!(w.relo, None, "only 10 relocations");
    with_object(&mut w, 2, "b", &["q"]);
    assert_eq!(w.prog, None);
}

#[test]
fn areas_remember_their_last_view() {
    let mut w = Workspace::default();
    w.apply(Action::ShowView(View::Listing));
    w.apply(Action::ShowArea(Area::Object));
    assert_eq!(w.view, View::Code);
    w.apply(Action::ShowView(View::Matrix));
    w.apply(Action::ShowArea(Area::Kernel));
    assert_eq!(w.view, View::Listing);
    w.apply(Action::ShowArea(Area::Object));
    assert_eq!(w.view, View::Matrix);
}

#[test]
fn compare_names_a_type_before_and_after_the_kernel_arrives() {
    let mut w = Workspace::default();
    w.apply(Action::CompareType("task_struct".into()));
    assert_eq!(w.view, View::Compare);
    let key = w.compare_wanted().unwrap();
    assert_eq!(key.name, "task_struct");
    assert_eq!(key.kernels.len(), crate::bundled::KERNELS.len());
    loaded(&mut w, 1, bundled("k"));
    assert_eq!(w.selected, Some(2));
    assert_eq!(w.compare_name().as_deref(), Some("task_struct"));
    w.apply(Action::SetCompareKernels(vec!["a".into(), "b".into()]));
    assert_eq!(w.compare_wanted().unwrap().kernels, ["a", "b"]);
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=compare&type=task_struct&cmp=a%2Cb"
    );
}

#[test]
fn the_url_of_a_tour_step_applies() {
    let step = &crate::tour::STEPS[9];
    let mut w = Workspace::default();
    w.apply(Action::ApplyUrl(step.state(9)));
    assert_eq!(w.tour, Some(9));
    assert_eq!(w.view, View::Flow);
    assert_eq!(w.prog.as_deref(), Some("atime_unguarded"));
    assert_eq!(w.url().tour, Some(9));
}

/// A header defining type 2 on line 3 (0-based 2) and type 1 on line 1, type 4 not at all.
fn header(key: HeaderKey) -> Action {
    let document = Shared::new(Document::new(DocumentData {
        text: "#ifndef X\nstruct mm_struct {};\n\nstruct task_struct {};\n".into(),
        line_starts: vec![0, 10, 31, 32],
        links: vec![],
        anchors: vec![u32::MAX, 1, 3, u32::MAX, u32::MAX],
    }));
    Action::HeaderArrived(Fetched {
        key,
        value: Ok(Shared::new(GeneratedHeader {
            document,
            warnings: Vec::new(),
            engine_ms: 1.0,
            total_ms: 2.0,
        })),
    })
}

#[test]
fn the_header_is_generated_once_per_inputs_and_kept_across_views() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=k&view=header"));
    assert_eq!(w.header_wanted(), None, "no kernel yet");
    loaded(&mut w, 1, bundled("k"));
    let key = w.header_wanted().unwrap();
    assert_eq!(
        key,
        HeaderKey {
            slot: 1,
            profile: HeaderProfile::Bpftool,
            roots: Vec::new(),
            helpers: false,
        }
    );
    // Leaving the view while it is generated: it is kept anyway.
    w.apply(Action::ShowView(View::Types));
    assert_eq!(w.header_wanted(), None);
    w.apply(header(key.clone()));
    w.apply(Action::ShowView(View::Header));
    assert_eq!(
        w.header_wanted(),
        None,
        "switching back does not regenerate"
    );
    assert!(w.header_shown().is_some());
    // Another profile wants another header; a late reply for the old one is dropped.
    w.apply(Action::SetHeaderProfile(HeaderProfile::Bpftool71));
    assert!(w.header_shown().is_none());
    let k71 = w.header_wanted().unwrap();
    assert_eq!(k71.profile, HeaderProfile::Bpftool71);
    w.apply(header(key.clone()));
    assert!(w.header_shown().is_none(), "stale profile dropped");
    w.apply(header(k71));
    assert!(w.header_shown().is_some());
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=header&profile=bpftool-7.1"
    );
    // Roots: helpers only count with roots, and are in the URL.
    w.apply(Action::SetHeaderRoots {
        roots: vec!["task_struct".into()],
        helpers: true,
    });
    let rooted = w.header_wanted().unwrap();
    assert_eq!((rooted.roots.len(), rooted.helpers), (1, true));
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=header&profile=bpftool-7.1&root=task_struct&helpers=1"
    );
    w.apply(Action::SetHeaderRoots {
        roots: Vec::new(),
        helpers: true,
    });
    assert!(!w.header_key().unwrap().helpers);
    assert_eq!(
        w.header_wanted(),
        None,
        "the same as the whole header generated before"
    );
    // A new kernel drops the old kernel's header.
    loaded(&mut w, 2, bundled("k2"));
    assert!(w.header.fetched.is_none());
    assert_eq!(w.header_wanted().unwrap().slot, 2);
}

#[test]
fn header_jumps_to_a_type_before_and_after_it_is_generated() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("k"));
    // "See in vmlinux.h" from the detail, before the header exists: jump on arrival.
    w.apply(Action::Select(2));
    w.apply(Action::HeaderGoToType(2));
    assert_eq!(w.view, View::Header);
    assert_eq!(w.header.scroll, None);
    let key = w.header_wanted().unwrap();
    w.apply(header(key));
    assert_eq!(w.header.scroll.map(|s| s.line), Some(3));
    assert_eq!(w.url().line, Some(4), "1-based in the URL");
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=header&type=task_struct&line=4"
    );
    // A link inside the header: jump at once, the type selected.
    w.apply(Action::HeaderGoToType(1));
    assert_eq!(w.header.scroll.map(|s| s.line), Some(1));
    assert_eq!(w.selected, Some(1));
    let nonce = w.header.scroll.unwrap().nonce;
    w.apply(Action::HeaderGoToType(1));
    assert_ne!(
        w.header.scroll.unwrap().nonce,
        nonce,
        "the same jump scrolls again"
    );
    // A type the header does not define is said, and nothing moves.
    w.apply(Action::HeaderGoToType(4));
    assert_eq!(w.header.scroll.map(|s| s.line), Some(1));
    assert!(w
        .error
        .as_deref()
        .unwrap()
        .contains("task_struct_ext is not in this header"));
    w.apply(Action::HeaderGoToLine(0));
    w.apply(Action::HeaderScrolled(2));
    assert_eq!(w.url().line, Some(3));
    // The listing keeps its own line.
    w.apply(Action::ShowView(View::Listing));
    assert_eq!(w.url().line, None);
}

#[test]
fn a_header_url_scrolls_to_its_line_or_type_once_generated() {
    let url = UrlState::parse("?kernel=k&view=header&line=3&profile=unsorted");
    let mut w = Workspace::from_url(&url);
    loaded(&mut w, 1, bundled("k"));
    assert_eq!(w.url(), url);
    let key = w.header_wanted().unwrap();
    assert_eq!(key.profile, HeaderProfile::Unsorted);
    w.apply(header(key));
    assert_eq!(w.header.scroll.map(|s| s.line), Some(2));
    // Back to a URL naming a type and no line: its definition.
    w.apply(Action::ApplyUrl(UrlState::parse(
        "?kernel=k&view=header&type=task_struct&profile=unsorted",
    )));
    assert_eq!(w.header.scroll.map(|s| s.line), Some(3));
    assert_eq!(w.header.profile, HeaderProfile::Unsorted);
}

#[test]
fn the_layout_view_wants_the_selected_struct() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=k&view=layout&type=task_struct"));
    loaded(&mut w, 1, bundled("k"));
    let key = w.layout_wanted().unwrap();
    assert_eq!(key, LayoutKey { slot: 1, id: 2 });
    let text = |key| {
        Action::LayoutArrived(Fetched {
            key,
            value: Ok(Shared::new("struct task_struct {\n};\n".to_owned())),
        })
    };
    w.apply(text(LayoutKey { slot: 1, id: 1 }));
    assert!(w.layout.is_none(), "another type's");
    w.apply(text(key));
    assert!(w.layout.is_some());
    assert_eq!(w.url().format(), "?kernel=k&view=layout&type=task_struct");
    w.apply(Action::ShowView(View::Types));
    assert_eq!(w.layout_wanted(), None);
}
