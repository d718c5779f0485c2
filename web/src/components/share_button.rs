//! "Share": the link to this view (everything is in the URL), and an embed snippet for
//! documentation pages when the view has a compact form.

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::url::{Embed, UrlState, View};

/// Props of [`ShareButton`].
#[derive(Properties, PartialEq, Debug)]
pub struct ShareButtonProps {
    /// The view's URL state.
    pub url: UrlState,
    /// An uploaded file is open (its bytes are not in the link).
    pub upload: bool,
}

/// The compact panel showing the same thing, if there is one.
pub fn embed_for(url: &UrlState) -> Option<Embed> {
    match url.view {
        View::Types if url.ty.is_some() => Some(Embed::Type),
        View::Summary => Some(Embed::Summary),
        View::Relocs => Some(Embed::Relocs),
        View::Flow | View::Graph => Some(Embed::Guard),
        View::Matrix => Some(Embed::Matrix),
        View::Compare if url.ty.is_some() => Some(Embed::Compare),
        View::Ask if !url.question.is_empty() => Some(Embed::Ask),
        _ => None,
    }
}

/// The page's address without its query string.
fn page() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// The share button and its popover.
#[component]
pub fn ShareButton(props: &ShareButtonProps) -> Html {
    let open = use_state(|| false);
    let copied = use_state(|| false);
    let mut link_state = props.url.clone();
    link_state.tour = None;
    let link = format!("{}{}", page(), link_state.format());
    let embed = embed_for(&props.url).map(|e| {
        let mut u = link_state.clone();
        u.embed = Some(e);
        format!("{}{}", page(), u.format())
    });
    let toggle = {
        let (open, copied, link) = (open.clone(), copied.clone(), link.clone());
        Callback::from(move |_: MouseEvent| {
            let now = !*open;
            open.set(now);
            copied.set(false);
            if now {
                // Copy right away where the browser lets us; the text stays selectable.
                if let Some(w) = web_sys::window() {
                    let p = w.navigator().clipboard().write_text(&link);
                    let copied = copied.clone();
                    spawn_local(async move {
                        if wasm_bindgen_futures::JsFuture::from(p).await.is_ok() {
                            copied.set(true);
                        }
                    });
                }
            }
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    html! {
        <div class="share">
            <button class="button small" id="share" onclick={toggle} aria-expanded={open.to_string()}>
                { "Share" }
            </button>
            if *open {
                <div class="share-pop" role="dialog" aria-label="Share this view">
                    <label for="share-link">{ if *copied { "Link (copied)" } else { "Link" } }</label>
                    <input id="share-link" readonly=true value={link.clone()} onfocus={select_all.clone()} />
                    if let Some(e) = embed {
                        <label for="share-embed">{ "Embed in a page" }</label>
                        <input id="share-embed" readonly=true onfocus={select_all}
                            value={format!("<iframe src=\"{e}\" width=\"720\" height=\"480\" loading=\"lazy\"></iframe>")} />
                    }
                    if props.upload {
                        <p class="hint">{ "Your uploaded file stays in this browser: the link opens the same view \
                            with bundled files only." }</p>
                    }
                </div>
            }
        </div>
    }
}
