//! The kernel catalogue's picker: every Debian kernel build, searched by words (`arm64
//! 6.1`, `trixie cloud`, `6.1.0-4`) and narrowed by chips (suite, series, architecture);
//! a click loads the build as the kernel (`kernel=@BUILD` in the URL), and every view then
//! works on it.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::decimal::fixed;
use crate::dto::catalog::{CatalogBuild, CatalogListing};
use crate::hooks::{use_catalog, use_loader, use_workspace};

/// Props of [`CatalogPicker`].
#[derive(Properties, PartialEq, Debug)]
pub struct CatalogPickerProps {
    /// Called after a build is picked (to close a panel).
    #[prop_or_default]
    pub on_pick: Callback<()>,
}

/// Toggles `word` in the query: appended if absent, removed if present.
fn toggle_word(query: &str, word: &str) -> String {
    let words: Vec<&str> = query.split_whitespace().collect();
    if words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        let rest: Vec<&str> = words
            .into_iter()
            .filter(|w| !w.eq_ignore_ascii_case(word))
            .collect();
        rest.join(" ")
    } else {
        let mut q = words.join(" ");
        if !q.is_empty() {
            q.push(' ');
        }
        q.push_str(word);
        q
    }
}

fn kb(bytes: u64) -> String {
    format!("{} KB", bytes.div_ceil(1000))
}

/// The catalogue: search box, chips, matching builds.
#[component]
pub fn CatalogPicker(props: &CatalogPickerProps) -> Html {
    let listing = use_catalog(true);
    let loader = use_loader();
    let s = use_workspace();
    let query = use_state(String::new);
    let current = s
        .kernel
        .loading
        .as_ref()
        .map(|l| l.source.label().to_owned())
        .or_else(|| {
            s.kernel
                .kernel
                .as_ref()
                .map(|k| k.source.label().to_owned())
        });
    let listing: &CatalogListing = match &listing {
        None => {
            return html! { <div class="catalog-picker busy">{ "Opening the kernel catalogue…" }</div> }
        }
        Some(Err(e)) => {
            return html! { <div class="catalog-picker error" role="alert">{ e.clone() }</div> }
        }
        Some(Ok(l)) => l,
    };
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            query.set(input.value());
        })
    };
    let chips = |title: &'static str, field: fn(&CatalogBuild) -> &str| {
        let chips = listing.values(field).into_iter().map(|v| {
            let on = query.split_whitespace().any(|w| w.eq_ignore_ascii_case(v));
            let onclick = {
                let (query, v) = (query.clone(), v.to_owned());
                Callback::from(move |_: MouseEvent| query.set(toggle_word(&query, &v)))
            };
            html! {
                <button class={classes!("chip", on.then_some("active"))} aria-pressed={on.to_string()}
                    data-chip={v.to_owned()} {onclick}>{ v.to_owned() }</button>
            }
        });
        html! {
            <div class="chip-row"><span class="chip-title">{ title }</span>{ for chips }</div>
        }
    };
    let matching = listing.matching(&query);
    let rows = matching.iter().map(|&i| {
        let b = &listing.builds[i as usize];
        let id = format!("@{}", b.name);
        let selected = current.as_deref() == Some(id.as_str());
        let onclick = {
            let (loader, on_pick, id) = (loader.clone(), props.on_pick.clone(), id.clone());
            Callback::from(move |_: MouseEvent| {
                loader.pick_kernel(id.clone());
                on_pick.emit(());
            })
        };
        html! {
            <li>
                <button class={classes!("catalog-build", selected.then_some("active"))}
                    data-build={b.name.clone()} {onclick}>
                    <span class="cb-name">{ b.name.clone() }</span>
                    <span class="cb-meta">{ format!("{} · {} · {}", b.suite, b.arch, b.version) }</span>
                    <span class="cb-size">{ format!("{} types · {}", b.types, kb(b.transfer())) }</span>
                </button>
            </li>
        }
    });
    html! {
        <div class="catalog-picker">
            <input id="catalog-search" type="search" value={(*query).clone()} {oninput}
                placeholder={format!("Search {} Debian kernel builds: arm64 6.1, trixie, cloud, 6.1.0-4…", listing.builds.len())}
                aria-label="Search the kernel catalogue" autocomplete="off" />
            { chips("suite", |b| &b.suite) }
            { chips("series", |b| &b.series) }
            { chips("arch", |b| &b.arch) }
            <p class="catalog-count">
                { format!("{} of {} builds", matching.len(), listing.builds.len()) }
                <span class="hint">{ format!(" · one build fetches its own segments only (≤ {}), the archive is {} MiB",
                    kb(listing.builds.iter().map(CatalogBuild::transfer).max().unwrap_or(0) + listing.head_bytes),
                    fixed(listing.archive_bytes as f64 / (1 << 20) as f64, 1)) }</span>
            </p>
            <ul class="catalog-list">{ for rows }</ul>
        </div>
    }
}
