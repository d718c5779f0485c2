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
