use super::*;
use crate::document::Document;
use crate::dto::guard::WhatIf;
use crate::dto::{DocumentData, KernelSummary, TypeIndexData};
use crate::query::object::CompareQuery;
use crate::search::{KindFilter, TypeIndex};
use crate::shared::Shared;
use crate::url::{HeaderProfile, TypeRef};

/// Named types: 1 mm_struct (struct), 2 task_struct (struct), 3 task_struct (func),
/// 4 task_struct_ext (struct).
fn index() -> Shared<TypeIndex> {
    Shared::new(TypeIndex::new(TypeIndexData {
        names: "mm_struct\ntask_struct\ntask_struct\ntask_struct_ext\n".into(),
        ids: vec![1, 2, 3, 4],
        kinds: vec![4, 4, 12, 4],
    }))
}

fn start(w: &mut Workspace, generation: u32, source: Source) {
    w.apply(Action::Kernel(KernelAction::StartLoad {
        source,
        generation,
    }));
}

/// The engine parsed the kernel of load `generation` (its slot): the summary, no index yet.
fn parsed(w: &mut Workspace, generation: u32) {
    w.apply(Action::Kernel(KernelAction::Loaded {
        generation,
        slot: generation,
        summary: Shared::new(KernelSummary::default()),
        index: None,
        base_slot: None,
        timings: LoadTimings::default(),
    }));
}

/// A kernel loaded under `generation` (its slot), its index arriving afterwards.
fn loaded(w: &mut Workspace, generation: u32, source: Source) {
    start(w, generation, source);
    parsed(w, generation);
    w.apply(Action::Kernel(KernelAction::IndexArrived {
        slot: generation,
        index: index(),
    }));
}

fn bundled(id: &str) -> Source {
    Source::Bundled(id.into())
}

fn k(a: KernelAction) -> Action {
    Action::Kernel(a)
}

fn h(a: HeaderAction) -> Action {
    Action::Header(a)
}

fn o(a: ObjectAction) -> Action {
    Action::Object(a)
}

#[test]
fn a_shared_link_opens_its_type_once_the_index_is_in() {
    let url = UrlState::parse("?kernel=k61&type=task_struct");
    let mut w = Workspace::from_url(&url);
    assert_eq!(w.url().ty, Some(TypeRef::Name("task_struct".into())));
    start(&mut w, 1, bundled("k61"));
    parsed(&mut w, 1);
    // The summary is shown before the index exists; the URL keeps naming the type.
    assert_eq!(w.kernel.selected, None);
    assert_eq!(w.url(), url);
    w.apply(k(KernelAction::IndexArrived {
        slot: 1,
        index: index(),
    }));
    assert_eq!(w.kernel.selected, Some(2), "the struct, not the func");
    assert_eq!(w.view, View::Types);
    assert_eq!(w.url(), url);
    assert_eq!(w.url().format(), "?kernel=k61&type=task_struct");
}

#[test]
fn progress_and_reports_of_a_replaced_load_are_dropped() {
    let mut w = Workspace::default();
    start(&mut w, 1, bundled("a"));
    start(&mut w, 2, bundled("b"));
    w.apply(k(KernelAction::Progress {
        generation: 1,
        done: 5,
        total: Some(10),
    }));
    let phase = |w: &Workspace| w.kernel.loading.as_ref().unwrap().phase.clone();
    assert_eq!(
        phase(&w),
        Phase::Fetching {
            done: 0,
            total: None
        }
    );
    w.apply(k(KernelAction::LoadFailed {
        generation: 1,
        message: "late".into(),
    }));
    assert!(w.error.is_none() && w.kernel.loading.is_some());
    parsed(&mut w, 1);
    assert!(w.kernel.kernel.is_none());
    w.apply(k(KernelAction::Parsing { generation: 2 }));
    assert_eq!(phase(&w), Phase::Parsing);
    w.apply(k(KernelAction::LoadFailed {
        generation: 2,
        message: "x.btf: offset 0x0: bad".into(),
    }));
    assert_eq!(w.error.as_deref(), Some("x.btf: offset 0x0: bad"));
    assert!(w.kernel.loading.is_none());
}

#[test]
fn an_index_for_another_kernel_is_dropped() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    start(&mut w, 2, bundled("b"));
    parsed(&mut w, 2);
    w.apply(k(KernelAction::IndexArrived {
        slot: 1,
        index: index(),
    }));
    assert!(w.kernel.index().is_none());
}

#[test]
fn a_new_kernel_keeps_the_type_by_name() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(k(KernelAction::Select(4)));
    w.apply(Action::ShowView(View::Listing));
    loaded(&mut w, 2, Source::Upload("vmlinux".into()));
    assert_eq!(w.kernel.selected, Some(4));
    assert_eq!(w.url().kernel, None, "an upload cannot be named in a URL");
    assert_eq!(w.url().ty, Some(TypeRef::Name("task_struct_ext".into())));
}

#[test]
fn search_and_keyboard() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    let kn = |w: &Workspace| w.kernel.clone();
    assert_eq!(kn(&w).row_count(), 4);
    w.apply(k(KernelAction::SetQuery("task".into())));
    assert_eq!(w.kernel.search.hits.rows, [1, 2, 3]);
    w.apply(k(KernelAction::MoveCursor(10)));
    assert_eq!(w.kernel.search.cursor, 2);
    w.apply(k(KernelAction::MoveCursor(-1)));
    assert_eq!(kn(&w).cursor_id(), Some(3));
    w.apply(k(KernelAction::OpenCursor));
    assert_eq!((w.kernel.selected, w.view), (Some(3), View::Types));
    // The func shares the struct's name, so the URL names it by id.
    assert_eq!(w.url().ty, Some(TypeRef::Id(3)));
    w.apply(k(KernelAction::SetFilter(KindFilter::Struct)));
    assert_eq!(w.kernel.search.hits.rows, [1, 3]);
    assert_eq!(w.kernel.search.cursor, 0);
    w.apply(k(KernelAction::SetQuery("#77".into())));
    assert_eq!(kn(&w).row_count(), 1);
    assert_eq!(kn(&w).cursor_id(), Some(77));
    w.apply(k(KernelAction::SetQuery("nothing".into())));
    w.apply(k(KernelAction::MoveCursor(1)));
    assert_eq!((kn(&w).row_count(), kn(&w).cursor_id()), (0, None));
}

/// A listing: type 1 on line 0, type 2 on line 1.
fn listing() -> Document {
    Document::new(DocumentData {
        text: "[1] A\n[2] B\n\tx\n".into(),
        line_starts: vec![0, 6, 12],
        links: vec![],
        anchors: vec![u32::MAX, 0, 1],
    })
}

/// What the listing view does once it has its document and a jump is pending.
fn listing_resolves(w: &mut Workspace) {
    if let Some(id) = w.kernel.listing.jump {
        w.apply(k(KernelAction::ListingJumped(listing().anchor(id))));
    }
}

#[test]
fn listing_jumps_scroll_each_time() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(k(KernelAction::ShowInListing(2)));
    assert_eq!(w.view, View::Listing);
    listing_resolves(&mut w);
    let first = w.kernel.listing.scroll.unwrap();
    assert_eq!(first.line, 1);
    w.apply(k(KernelAction::ShowInListing(2)));
    listing_resolves(&mut w);
    let again = w.kernel.listing.scroll.unwrap();
    assert_eq!(again.line, 1);
    assert_ne!(first.nonce, again.nonce, "the same jump scrolls again");
    assert_eq!(w.kernel.selected, Some(2));
    w.apply(k(KernelAction::ShowInListing(9)));
    listing_resolves(&mut w);
    assert_eq!(
        (w.view, w.kernel.selected),
        (View::Types, Some(9)),
        "no anchor: the detail"
    );
    w.apply(k(KernelAction::ShowInListing(2)));
    listing_resolves(&mut w);
    w.apply(k(KernelAction::ListingScrolled(40)));
    assert_eq!(w.url().line, Some(41));
    assert_eq!(w.url().view, View::Listing);
    w.apply(Action::ShowView(View::Summary));
    assert_eq!(w.url().line, None);
}

#[test]
fn back_and_forward_apply_the_url() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(k(KernelAction::Select(1)));
    w.apply(Action::ApplyUrl(Box::new(UrlState::parse(
        "?kernel=a&type=task_struct_ext&q=ext",
    ))));
    assert_eq!(w.kernel.selected, Some(4));
    assert_eq!(w.kernel.search.hits.rows, [3]);
    w.apply(Action::ApplyUrl(Box::new(UrlState::parse("?kernel=a"))));
    assert_eq!((w.kernel.selected, w.view), (None, View::Summary));
    w.apply(Action::ApplyUrl(Box::new(UrlState::parse(
        "?kernel=a&view=listing&line=3",
    ))));
    assert_eq!(w.kernel.listing.scroll.map(|s| s.line), Some(2));
}

#[test]
fn an_embed_url_stays_an_embed() {
    let url = UrlState::parse("?embed=type&kernel=a&type=mm_struct");
    let mut w = Workspace::from_url(&url);
    loaded(&mut w, 1, bundled("a"));
    assert_eq!(w.embed, Some(crate::url::Embed::Type));
    assert_eq!(w.kernel.selected, Some(1));
    assert_eq!(w.url(), url);
}

#[test]
fn a_type_missing_from_the_new_kernel_is_said() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=a&type=folio"));
    loaded(&mut w, 1, bundled("a"));
    assert_eq!(w.kernel.selected, None);
    assert_eq!(w.error.as_deref(), Some("a: no type named folio"));
}

#[test]
fn a_module_splits_over_the_kernel_and_the_next_merges_with_it() {
    let mut w = Workspace::default();
    assert_eq!(w.kernel.base_for_split(), None);
    loaded(&mut w, 1, bundled("k"));
    assert_eq!(w.kernel.base_for_split(), Some(1));
    start(&mut w, 2, Source::Upload("ext4.ko".into()));
    w.apply(k(KernelAction::Loaded {
        generation: 2,
        slot: 2,
        summary: Shared::new(KernelSummary::default()),
        index: Some(index()),
        base_slot: Some(1),
        timings: LoadTimings::default(),
    }));
    assert_eq!(w.kernel.base_for_split(), Some(1));
    // The next module is layered over this one's: the engine merges them over slot 1.
    assert_eq!(w.kernel.layer_over(), Some(2));
}

#[test]
fn switching_kernels_keeps_the_view() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("a"));
    w.apply(k(KernelAction::Select(4)));
    w.apply(Action::ShowView(View::Summary));
    loaded(&mut w, 2, bundled("b"));
    assert_eq!((w.view, w.kernel.selected), (View::Summary, Some(4)));
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
    w.apply(o(ObjectAction::Start {
        source: bundled(id),
        generation,
    }));
    w.apply(o(ObjectAction::Loaded {
        generation,
        summary: object_summary(programs, 10),
    }));
}

#[test]
fn an_object_load_replaced_by_another_is_dropped() {
    let mut w = Workspace::default();
    w.apply(o(ObjectAction::Start {
        source: bundled("a"),
        generation: 5,
    }));
    w.apply(o(ObjectAction::Start {
        source: bundled("b"),
        generation: 6,
    }));
    assert_eq!(
        w.url().object.as_deref(),
        Some("b"),
        "the URL names what is coming"
    );
    w.apply(o(ObjectAction::Loaded {
        generation: 5,
        summary: object_summary(&["x"], 1),
    }));
    assert!(w.object.object.is_none());
    w.apply(o(ObjectAction::Failed {
        generation: 5,
        message: "late".into(),
    }));
    assert!(w.error.is_none());
    w.apply(o(ObjectAction::Loaded {
        generation: 6,
        summary: object_summary(&["x"], 1),
    }));
    assert_eq!(w.object.slot(), Some(6));
    assert_eq!(w.url().object.as_deref(), Some("b"));
    w.apply(o(ObjectAction::Start {
        source: Source::Upload("mine.o".into()),
        generation: 7,
    }));
    w.apply(o(ObjectAction::Failed {
        generation: 7,
        message: "mine.o: not an ELF".into(),
    }));
    assert_eq!(w.error.as_deref(), Some("mine.o: not an ELF"));
    assert_eq!(w.object.slot(), Some(6), "the old object stays");
}

#[test]
fn what_if_settings_and_the_program_are_in_the_url() {
    let mut w = Workspace::from_url(&UrlState::parse("?obj=o&kernel=k&view=relocs&relo=3"));
    loaded(&mut w, 1, bundled("k"));
    with_object(&mut w, 2, "o", &["p"]);
    w.apply(o(ObjectAction::SetWhatIf(WhatIf {
        kernel_release: Some("6.1.0".into()),
        ..WhatIf::default()
    })));
    assert_eq!(w.url().whatif.kernel_release.as_deref(), Some("6.1.0"));
    w.apply(Action::ShowArea(Area::Guarding));
    assert_eq!(w.view, View::Flow);
    w.apply(o(ObjectAction::SelectProgram("p".into())));
    assert_eq!(
        w.url().format(),
        "?obj=o&kernel=k&view=flow&prog=p&relo=3&kv=6.1.0"
    );
}

#[test]
fn a_new_object_keeps_the_program_only_if_it_has_it() {
    let mut w = Workspace::from_url(&UrlState::parse("?obj=a&prog=p&relo=30"));
    with_object(&mut w, 1, "a", &["p", "q"]);
    assert_eq!(w.object.prog.as_deref(), Some("p"));
    assert_eq!(w.object.relo, None, "only 10 relocations");
    with_object(&mut w, 2, "b", &["q"]);
    assert_eq!(w.object.prog, None);
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
    w.apply(k(KernelAction::CompareType("task_struct".into())));
    assert_eq!(w.view, View::Compare);
    let q = CompareQuery::of(&w, &[7, 8]).unwrap();
    assert_eq!(q.name, "task_struct");
    assert_eq!(
        CompareQuery::kernel_ids(&w).len(),
        crate::bundled::KERNELS.len()
    );
    loaded(&mut w, 1, bundled("k"));
    assert_eq!(w.kernel.selected, Some(2));
    assert_eq!(w.kernel.selected_name().as_deref(), Some("task_struct"));
    w.apply(k(KernelAction::SetCompareKernels(vec![
        "a".into(),
        "b".into(),
    ])));
    assert_eq!(CompareQuery::kernel_ids(&w), ["a", "b"]);
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=compare&type=task_struct&cmp=a%2Cb"
    );
}

#[test]
fn the_url_of_a_tour_step_applies() {
    let step = &crate::tour::STEPS[9];
    let mut w = Workspace::default();
    w.apply(Action::ApplyUrl(Box::new(step.state(9))));
    assert_eq!(w.tour, Some(9));
    assert_eq!(w.view, View::Flow);
    assert_eq!(w.object.prog.as_deref(), Some("atime_unguarded"));
    assert_eq!(w.url().tour, Some(9));
}

/// A header defining type 1 on line 1 and type 2 on line 3 (0-based), type 4 not at all.
fn header() -> Document {
    Document::new(DocumentData {
        text: "#ifndef X\nstruct mm_struct {};\n\nstruct task_struct {};\n".into(),
        line_starts: vec![0, 10, 31, 32],
        links: vec![],
        anchors: vec![u32::MAX, 1, 3, u32::MAX, u32::MAX],
    })
}

/// What the header view does once it has the whole header.
fn header_arrives(w: &mut Workspace) {
    if let Some(a) = w.header.on_document(&header(), w.kernel.selected) {
        w.apply(h(a));
    }
}

#[test]
fn header_settings_are_in_the_url() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=k&view=header"));
    loaded(&mut w, 1, bundled("k"));
    w.apply(h(HeaderAction::SetProfile(HeaderProfile::Bpftool71)));
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=header&profile=bpftool-7.1"
    );
    // Roots: helpers only count with roots, and are in the URL.
    w.apply(h(HeaderAction::SetRoots {
        roots: vec!["task_struct".into()],
        helpers: true,
    }));
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=header&profile=bpftool-7.1&root=task_struct&helpers=1"
    );
}

#[test]
fn header_jumps_to_a_type_before_and_after_it_is_generated() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("k"));
    // "See in vmlinux.h" from the detail, before the header exists: jump on arrival.
    w.apply(k(KernelAction::Select(2)));
    w.apply(h(HeaderAction::GoToType(2)));
    assert_eq!(w.view, View::Header);
    assert_eq!(w.header.position.scroll, None);
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll.map(|s| s.line), Some(3));
    assert_eq!(w.url().line, Some(4), "1-based in the URL");
    assert_eq!(
        w.url().format(),
        "?kernel=k&view=header&type=task_struct&line=4"
    );
    // Once there, the header's arrival (another look at it) moves nothing.
    let before = w.header.position.clone();
    header_arrives(&mut w);
    assert_eq!(w.header.position, before);
    // A link inside the header: jump at once, the type selected.
    w.apply(h(HeaderAction::GoToType(1)));
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll.map(|s| s.line), Some(1));
    assert_eq!(w.kernel.selected, Some(1));
    let nonce = w.header.position.scroll.unwrap().nonce;
    w.apply(h(HeaderAction::GoToType(1)));
    header_arrives(&mut w);
    assert_ne!(
        w.header.position.scroll.unwrap().nonce,
        nonce,
        "the same jump scrolls again"
    );
    // A type the header does not define is said, and nothing moves.
    w.apply(h(HeaderAction::GoToType(4)));
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll.map(|s| s.line), Some(1));
    assert!(w
        .error
        .as_deref()
        .unwrap()
        .contains("task_struct_ext is not in this header"));
    w.apply(h(HeaderAction::GoToLine(0)));
    w.apply(h(HeaderAction::Scrolled(2)));
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
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll.map(|s| s.line), Some(2));
    // Back to a URL naming a type and no line: its definition.
    w.apply(Action::ApplyUrl(Box::new(UrlState::parse(
        "?kernel=k&view=header&type=task_struct&profile=unsorted",
    ))));
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll.map(|s| s.line), Some(3));
    assert_eq!(w.header.profile, HeaderProfile::Unsorted);
}

#[test]
fn a_header_link_naming_a_type_jumps_once_the_index_names_it() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=k&view=header&type=task_struct"));
    start(&mut w, 1, bundled("k"));
    parsed(&mut w, 1);
    // The header is there before the index: no type to show yet.
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll, None);
    w.apply(k(KernelAction::IndexArrived {
        slot: 1,
        index: index(),
    }));
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll.map(|s| s.line), Some(3));
}

#[test]
fn opening_the_header_shows_the_selected_type() {
    let mut w = Workspace::default();
    loaded(&mut w, 1, bundled("k"));
    w.apply(k(KernelAction::Select(2)));
    w.apply(Action::ShowView(View::Header));
    header_arrives(&mut w);
    assert_eq!(w.header.position.scroll.map(|s| s.line), Some(3));
}

#[test]
fn the_layout_view_is_about_the_selected_struct() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=k&view=layout&type=task_struct"));
    loaded(&mut w, 1, bundled("k"));
    assert_eq!(
        crate::query::kernel::LayoutQuery::of(&w),
        Some(crate::query::kernel::LayoutQuery { slot: 1, id: 2 })
    );
    assert_eq!(w.url().format(), "?kernel=k&view=layout&type=task_struct");
}

#[test]
fn the_question_lives_in_the_url_of_the_ask_area_and_keeps_the_search() {
    let mut w = Workspace::from_url(&UrlState::parse("?kernel=k&q=sk_buff"));
    assert_eq!(w.kernel.search.query, "sk_buff");
    w.apply(Action::ShowArea(Area::Ask));
    assert_eq!(w.view, View::Ask);
    w.apply(Action::Ask(AskAction::Ask(
        "struct sock *sk; sk->sk_err".into(),
    )));
    let u = w.url();
    assert_eq!(u.question, "struct sock *sk; sk->sk_err");
    assert_eq!(u.query, "", "the search is not written in the Ask area");
    assert!(
        u.format().contains("area=ask&q=struct%20sock"),
        "{}",
        u.format()
    );
    // Back to the Kernel area: the search is there, the question is not in its URL.
    w.apply(Action::ShowArea(Area::Kernel));
    let u = w.url();
    assert_eq!((u.query.as_str(), u.question.as_str()), ("sk_buff", ""));
    // A URL of the Ask area (back, forward) brings its question and leaves the search.
    w.apply(Action::ApplyUrl(Box::new(UrlState::parse(
        "?kernel=k&area=ask&q=t-%3Emm",
    ))));
    assert_eq!(w.ask.question, "t->mm");
    assert_eq!(w.kernel.search.query, "sk_buff");
    // Another area's URL keeps the question for when the user comes back.
    w.apply(Action::ApplyUrl(Box::new(UrlState::parse(
        "?kernel=k&view=types",
    ))));
    assert_eq!(w.ask.question, "t->mm");
}

#[test]
fn the_where_question_lives_in_the_url() {
    let mut w = Workspace::default();
    w.apply(Action::ShowView(View::Where));
    w.apply(Action::Catalog(crate::state::CatalogAction::Ask(
        "  task_struct.__state ".into(),
    )));
    assert_eq!(w.catalog.path, "task_struct.__state");
    let u = w.url();
    assert_eq!(u.where_path, "task_struct.__state");
    assert_eq!(Workspace::from_url(&u).catalog, w.catalog);
    assert_eq!(
        crate::query::catalog::WhereQuery::of(&w, &[3]).map(|q| q.shards),
        Some(vec![3])
    );
    assert_eq!(
        crate::query::catalog::WhereQuery::of(&Workspace::default(), &[]),
        None
    );
}

#[test]
fn the_matrix_selection_lives_in_the_url_and_makes_the_sweep_job() {
    let mut w = Workspace::default();
    w.apply(Action::ShowView(View::Matrix));
    w.apply(Action::Catalog(crate::state::CatalogAction::Select(
        " @bookworm/ppc64el ".into(),
    )));
    assert_eq!(w.catalog.selection, "bookworm/ppc64el");
    let u = w.url();
    assert_eq!(u.selection, "bookworm/ppc64el");
    assert_eq!(Workspace::from_url(&u).catalog, w.catalog);
    // No object: nothing to sweep.
    assert_eq!(crate::query::sweep::matrix_job(&w), None);
    w.apply(Action::Catalog(crate::state::CatalogAction::Select(
        String::new(),
    )));
    assert_eq!(w.url().selection, "");
}
