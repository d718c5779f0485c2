//! Embed mode (`?embed=type|summary|relocs|guard|matrix|compare|ask&…`): one compact panel for
//! documentation pages, all its state in the URL, with a link to open the full playground.

use yew::prelude::*;

use crate::components::ask_view::AskView;
use crate::components::compare_view::CompareView;
use crate::components::guard_view::GuardView;
use crate::components::matrix_view::MatrixView;
use crate::components::reloc_view::RelocView;
use crate::components::summary_view::SummaryView;
use crate::components::type_detail::TypeDetailView;
use crate::hooks::{use_embed_inbox, use_workspace};
use crate::url::Embed;

/// The embed panel.
#[component]
pub fn EmbedView() -> Html {
    // The embedding page may hand its own files (`crate::inbox`).
    use_embed_inbox();
    let s = &*use_workspace();
    let mut full = s.url();
    full.embed = None;
    let open = format!("./{}", full.format());
    let needs_object = matches!(s.embed, Some(Embed::Relocs | Embed::Guard | Embed::Matrix));
    let waiting = |what: &str| {
        let text = match (
            &s.error,
            s.kernel.loading.is_some() || s.object.loading.is_some(),
        ) {
            (Some(e), _) => e.clone(),
            (None, true) => "Loading…".to_owned(),
            (None, false) => format!(
                "Nothing to show: add {what} to the URL, or post a file from the embedding page."
            ),
        };
        html! { <p class="muted">{ text }</p> }
    };
    let body = match (s.embed, &s.kernel.kernel) {
        (None, _) => html! {},
        (Some(_), _) if needs_object && s.object.object.is_none() => waiting("obj=…"),
        (Some(Embed::Compare), _) => html! { <CompareView compact=true /> },
        (Some(Embed::Matrix), _) => html! { <MatrixView compact=true /> },
        (Some(_), None) => waiting("kernel=…"),
        (Some(Embed::Summary), Some(_)) => html! { <SummaryView compact=true /> },
        (Some(Embed::Type), Some(_)) => html! { <TypeDetailView compact=true /> },
        (Some(Embed::Relocs), Some(_)) => html! { <RelocView compact=true /> },
        (Some(Embed::Guard), Some(_)) => html! { <GuardView graph=false compact=true /> },
        (Some(Embed::Ask), Some(_)) => html! { <AskView compact=true /> },
    };
    let what = [
        s.object
            .object
            .as_ref()
            .map(|o| o.source.label().to_owned()),
        s.kernel
            .kernel
            .as_ref()
            .map(|k| k.source.label().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    html! {
        <div class="embed" id="embed">
            <div class="embed-bar">
                <span class="mono muted">{ what }</span>
                <span class="grow" />
                <a href={open} target="_blank" rel="noopener">{ "open in corelab ↗" }</a>
            </div>
            { body }
        </div>
    }
}
