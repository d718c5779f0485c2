use super::*;

fn build(name: &str, arch: &str, suite: &str, series: &str, flavour: &str) -> CatalogBuild {
    CatalogBuild {
        name: name.into(),
        release: name.split_once('-').map_or("", |x| x.1).into(),
        arch: arch.into(),
        suite: suite.into(),
        series: series.into(),
        flavour: flavour.into(),
        version: format!("{series}.0-1"),
        types: 1,
        segments: vec![(100, 10), (200, 20)],
    }
}

fn listing() -> CatalogListing {
    CatalogListing {
        builds: vec![
            build(
                "debian12-6.1.0-50-amd64",
                "amd64",
                "bookworm",
                "6.1",
                "amd64",
            ),
            build(
                "debian12-6.1.0-50-arm64",
                "arm64",
                "bookworm",
                "6.1",
                "arm64",
            ),
            build(
                "debian12-6.1.0-50-cloud-arm64",
                "arm64",
                "bookworm",
                "6.1",
                "cloud-arm64",
            ),
            build("debian13-6.12.57-arm64", "arm64", "trixie", "6.12", "arm64"),
            build(
                "debian11-5.10.0-46-armmp",
                "armhf",
                "bullseye",
                "5.10",
                "armmp",
            ),
        ],
        ..CatalogListing::default()
    }
}

#[test]
fn words_that_name_a_field_must_equal_it() {
    let l = listing();
    // `6.1` is a series: 6.12 does not match it, though its id contains "6.1"; a cloud
    // flavour's architecture is still arm64.
    assert_eq!(l.matching("arm64 6.1"), vec![1, 2]);
    assert_eq!(l.matching("ARM64"), vec![1, 2, 3]);
    assert_eq!(l.matching("cloud-arm64"), vec![2]);
    assert_eq!(l.matching("bookworm"), vec![0, 1, 2]);
}

#[test]
fn other_words_search_the_id_and_version() {
    let l = listing();
    assert_eq!(l.matching("cloud"), vec![2]);
    assert_eq!(l.matching("debian13"), vec![3]);
    assert_eq!(l.matching("6.1.0-50 arm"), vec![1, 2]);
    assert_eq!(l.matching(""), vec![0, 1, 2, 3, 4]);
    assert!(l.matching("riscv64").is_empty());
}

#[test]
fn values_keep_catalogue_order() {
    let l = listing();
    assert_eq!(l.values(|b| &b.arch), vec!["amd64", "arm64", "armhf"]);
    assert_eq!(l.values(|b| &b.series), vec!["6.1", "6.12", "5.10"]);
    assert_eq!(
        l.find("@debian13-6.12.57-arm64").map(|b| b.transfer()),
        Some(30)
    );
}
