use super::*;

#[test]
fn the_example_link_parses() {
    let u = UrlState::parse("?kernel=debian12-6.1.0-50-amd64&type=task_struct");
    assert_eq!(u.kernel.as_deref(), Some("debian12-6.1.0-50-amd64"));
    assert_eq!(u.ty, Some(TypeRef::Name("task_struct".into())));
    assert_eq!(u.view, View::Types, "a type implies the type view");
    assert_eq!(
        u.format(),
        "?kernel=debian12-6.1.0-50-amd64&type=task_struct"
    );
}

#[test]
fn everything_round_trips() {
    let u = UrlState {
        kernel: Some("host-6.18.44-fc-v657-amd64".into()),
        ty: Some(TypeRef::Id(1234)),
        view: View::Listing,
        query: "sk buff&x=1".into(),
        filter: KindFilter::Struct,
        line: Some(200_001),
        embed: Some(Embed::Type),
        ..UrlState::default()
    };
    let s = u.format();
    assert_eq!(
        s,
        "?embed=type&kernel=host-6.18.44-fc-v657-amd64&view=listing&type=%231234&q=sk%20buff%26x%3D1&kind=struct&line=200001"
    );
    assert_eq!(UrlState::parse(&s), u);
    assert_eq!(UrlState::default().format(), "");
    assert_eq!(UrlState::parse(""), UrlState::default());
}

#[test]
fn bad_values_are_ignored() {
    let u = UrlState::parse("?view=nope&line=0&kind=blob&embed=x&type=%23abc&future=1&q=100%&x");
    assert_eq!(u.view, View::Summary);
    assert_eq!(u.line, None);
    assert_eq!(u.filter, KindFilter::All);
    assert_eq!(u.embed, None);
    assert_eq!(u.ty, None);
    assert_eq!(u.query, "100%");
    assert_eq!(UrlState::parse("?q=a+b%2Bc%zz").query, "a b+c%zz");
}

#[test]
fn summary_view_with_a_type_is_spelled_out() {
    let u = UrlState {
        ty: Some(TypeRef::Name("mm_struct".into())),
        view: View::Summary,
        ..UrlState::default()
    };
    assert_eq!(u.format(), "?view=summary&type=mm_struct");
    assert_eq!(UrlState::parse(&u.format()), u);
}

#[test]
fn object_views_and_what_ifs_round_trip() {
    let s = "?tour=10&obj=10_guarding&kernel=debian11-5.10.0-46-amd64&view=flow&prog=atime_unguarded\
             &relo=9&kv=6.1.0&set=CONFIG_HZ%3D250&set=min%3D-1&hide=inode.i_atime_sec&hide=bpf_dynptr";
    let u = UrlState::parse(s);
    assert_eq!(u.tour, Some(9), "1-based in the URL");
    assert_eq!(u.object.as_deref(), Some("10_guarding"));
    assert_eq!(u.view, View::Flow);
    assert_eq!(u.view.area(), Area::Guarding);
    assert_eq!(u.prog.as_deref(), Some("atime_unguarded"));
    assert_eq!(u.relo, Some(9));
    assert_eq!(u.whatif.kernel_release.as_deref(), Some("6.1.0"));
    assert_eq!(
        u.whatif.set,
        [
            ("CONFIG_HZ".to_owned(), "250".to_owned()),
            ("min".to_owned(), "-1".to_owned())
        ]
    );
    assert_eq!(u.whatif.hide, ["inode.i_atime_sec", "bpf_dynptr"]);
    assert_eq!(u.format(), s);
    assert_eq!(UrlState::parse(&u.format()), u);
}

#[test]
fn an_object_implies_its_code_and_compare_lists_kernels() {
    let u = UrlState::parse("?obj=01_read_field");
    assert_eq!(u.view, View::Code);
    assert_eq!(u.format(), "?obj=01_read_field");
    let c = UrlState::parse("?type=inode&view=compare&cmp=a,b,");
    assert_eq!(c.compare, ["a", "b"]);
    assert_eq!(c.format(), "?view=compare&type=inode&cmp=a%2Cb");
    let e = UrlState::parse("?embed=guard&obj=x&prog=p");
    assert_eq!(e.embed, Some(Embed::Guard));
    assert_eq!(Embed::Guard.view(), View::Flow);
    // Bad values are dropped, not fatal.
    let b = UrlState::parse("?set=novalue&set==x&relo=-1&tour=0&hide=");
    assert!(b.whatif.set.is_empty() && b.whatif.hide.is_empty());
    assert_eq!((b.relo, b.tour), (None, None));
}

#[test]
fn every_view_belongs_to_one_area_and_round_trips() {
    for &v in View::ALL {
        assert!(v.area().views().any(|w| w == v), "{v:?}");
        assert_eq!(View::parse(v.label()), Some(v));
        let u = UrlState {
            view: v,
            ..UrlState::default()
        };
        assert_eq!(UrlState::parse(&u.format()).view, v);
    }
}

#[test]
fn header_and_layout_views_round_trip() {
    let s = "?kernel=debian11-5.10.0-46-amd64&view=header&type=task_struct\
             &profile=bpftool-7.1&root=task_struct&root=mm_struct&helpers=1&line=120";
    let u = UrlState::parse(s);
    assert_eq!(u.view, View::Header);
    assert_eq!(u.view.area(), Area::Kernel);
    assert_eq!(u.profile, HeaderProfile::Bpftool71);
    assert_eq!(u.roots, ["task_struct", "mm_struct"]);
    assert!(u.helpers);
    assert_eq!(u.line, Some(120));
    assert_eq!(u.format(), s);
    // Roots typed as one list split into one `root=` each; the default profile is left out.
    let c = UrlState::parse("?view=header&root=a,%20b+c&profile=bpftool&helpers=0");
    assert_eq!(c.roots, ["a", "b", "c"]);
    assert_eq!(c.profile, HeaderProfile::Bpftool);
    assert!(!c.helpers);
    assert_eq!(c.format(), "?view=header&root=a&root=b&root=c");
    assert_eq!(
        UrlState::parse("?profile=nope").profile,
        HeaderProfile::Bpftool
    );
    let l = UrlState::parse("?view=layout&type=task_struct");
    assert_eq!(l.view, View::Layout);
    assert_eq!(l.format(), "?view=layout&type=task_struct");
    for p in HeaderProfile::ALL {
        assert_eq!(HeaderProfile::parse(p.label()), Some(p));
    }
    assert_eq!(
        split_roots(" task_struct,,mm_struct  file "),
        ["task_struct", "mm_struct", "file"]
    );
    assert_eq!(
        split_roots("struct file, union  bpf_attr task_struct enum"),
        ["struct file", "union bpf_attr", "task_struct", "enum"]
    );
}

#[test]
fn a_new_place_is_a_history_entry_and_typing_is_not() {
    let at = |s: &str| UrlState::parse(s);
    let here = at("?kernel=k&type=task_struct");
    assert!(is_new_place(&here, &at("?kernel=k&type=mm_struct")));
    assert!(is_new_place(
        &here,
        &at("?kernel=k&view=header&type=task_struct")
    ));
    assert!(is_new_place(&at("?obj=a"), &at("?obj=a&prog=p")));
    // Typing, scrolling and knobs adjust the entry in place.
    assert!(!is_new_place(&here, &at("?kernel=k&type=task_struct&q=sk")));
    assert!(!is_new_place(
        &at("?kernel=k&view=listing&line=3"),
        &at("?kernel=k&view=listing&line=9")
    ));
    assert!(!is_new_place(
        &at("?obj=a&view=flow"),
        &at("?obj=a&view=flow&kv=5.4.0")
    ));
}

#[test]
fn the_libbpf_release_round_trips_and_the_default_is_left_out() {
    use crate::dto::guard::LibbpfRelease;
    let s = "?obj=04_sizes&kernel=debian12-6.1.0-50-amd64&view=relocs&libbpf=1.5";
    let u = UrlState::parse(s);
    assert_eq!(u.whatif.libbpf, LibbpfRelease::V1_5);
    assert!(!u.whatif.is_empty(), "a what-if the panel shows");
    assert_eq!(u.format(), s);
    // 1.7 is the default: spelled out or not, the same state, and written without it.
    let d = UrlState::parse("?obj=04_sizes&libbpf=1.7");
    assert_eq!(d.whatif.libbpf, LibbpfRelease::V1_7);
    assert_eq!(d, UrlState::parse("?obj=04_sizes"));
    assert_eq!(d.format(), "?obj=04_sizes");
    // An unknown release is the default, as every bad value is ignored.
    assert_eq!(
        UrlState::parse("?libbpf=1.6").whatif.libbpf,
        LibbpfRelease::V1_7
    );
    // Choosing a release adjusts the place; it is not a new history entry.
    assert!(!is_new_place(
        &d,
        &UrlState::parse("?obj=04_sizes&libbpf=1.5")
    ));
}

#[test]
fn the_ask_area_is_named_by_area_and_q_is_its_question() {
    let u = UrlState::parse(
        "?area=ask&kernel=debian12-6.1.0-50-amd64&q=struct%20task_struct%20%2At%3B%20t-%3E__state",
    );
    assert_eq!(u.view, View::Ask);
    assert_eq!(u.question, "struct task_struct *t; t->__state");
    assert_eq!(u.query, "", "q= is not the type list's search here");
    assert_eq!(
        u.format(),
        "?kernel=debian12-6.1.0-50-amd64&area=ask&q=struct%20task_struct%20%2At%3B%20t-%3E__state"
    );
    assert_eq!(UrlState::parse(&u.format()), u);
    // view=ask says the same; elsewhere q= stays the search.
    assert_eq!(UrlState::parse("?view=ask&q=x").question, "x");
    assert_eq!(UrlState::parse("?view=types&q=x").query, "x");
    assert_eq!(UrlState::parse("?area=nope&q=x").view, View::Summary);
    // The embed.
    let e = UrlState::parse("?embed=ask&kernel=k&q=t-%3Emm");
    assert_eq!(e.embed, Some(Embed::Ask));
    assert_eq!(e.embed.map(Embed::view), Some(View::Ask));
    assert_eq!((e.question.as_str(), e.query.as_str()), ("t->mm", ""));
}

#[test]
fn catalogue_builds_and_where_questions_round_trip() {
    let s = "?kernel=@debian12-6.1.0-50-arm64&view=where&where=task_struct.se.vruntime";
    let u = UrlState::parse(s);
    assert_eq!(u.kernel.as_deref(), Some("@debian12-6.1.0-50-arm64"));
    assert_eq!(u.view, View::Where);
    assert_eq!(u.where_path, "task_struct.se.vruntime");
    assert_eq!(u.format(), s, "`@` is written as is");
    // Percent-encoded by another tool, it reads the same.
    let other = UrlState::parse(
        "?kernel=%40debian12-6.1.0-50-arm64&view=where&where=task_struct.se.vruntime",
    );
    assert_eq!(other, u);
    // A new question is a new place in the history.
    let mut next = u.clone();
    next.where_path = "task_struct.__state".into();
    assert!(is_new_place(&u, &next));
}

#[test]
fn a_catalogue_selection_round_trips() {
    let u = UrlState::parse("?obj=10_guarding&view=matrix&sel=@bookworm/ppc64el");
    assert_eq!(u.selection, "bookworm/ppc64el");
    assert_eq!(u.view, View::Matrix);
    let s = u.format();
    assert_eq!(s, "?obj=10_guarding&view=matrix&sel=bookworm%2Fppc64el");
    assert_eq!(UrlState::parse(&s), u);
    let mut all = u.clone();
    all.selection = "all".into();
    assert!(is_new_place(&u, &all), "another selection is another place");
}
