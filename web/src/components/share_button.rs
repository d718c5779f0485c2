//! "Share": the link to this view (everything is in the URL), and embed snippets for
//! documentation pages when the view has a compact form: the iframe, and the iframe handed
//! the page's own file by `postMessage` (`crate::inbox`).

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
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

/// The snippet that embeds `src` and hands it the page's own object (`crate::inbox`): the
/// iframe says hello when it listens, the page posts the bytes, the iframe answers ready
/// or error.
fn own_file_snippet(src: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!(
        r#"<iframe id="corelab-embed" src="{src}" width="720" height="480"></iframe>
<script type="module">
  // Hand the embed your own file: data only, parsed like a file opened in the playground.
  const frame = document.getElementById("corelab-embed");
  addEventListener("message", async (e) => {{
    if (e.source !== frame.contentWindow) return;
    if (e.data.type === "corelab:hello") {{
      const bytes = await (await fetch("my_prog.bpf.o")).arrayBuffer();
      // kind: "object" (a BPF object) or "btf" (a kernel's BTF)
      frame.contentWindow.postMessage({{ type: "corelab:file", kind: "object", name: "my_prog.bpf.o", bytes }}, "{origin}", [bytes]);
    }} else if (e.data.type === "corelab:error") {{
      console.error(`corelab: ${{e.data.name}}: ${{e.data.message}}`);
    }} // "corelab:ready": it is shown
  }});
</script>"#
    )
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
    let select_text = Callback::from(|e: FocusEvent| {
        let area: HtmlTextAreaElement = e.target_unchecked_into();
        area.select();
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
                        <input id="share-embed" readonly=true onfocus={select_all.clone()}
                            value={format!("<iframe src=\"{e}\" width=\"720\" height=\"480\" loading=\"lazy\"></iframe>")} />
                        <label for="share-own">{ "Embed with your own file (the page posts its bytes to the embed)" }</label>
                        <textarea id="share-own" class="mono" readonly=true rows="6" onfocus={select_text}
                            value={own_file_snippet(&e)} />
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
