//! Rendering linked text: a type link is a real `<a href>` (so it can be opened in a new tab
//! or copied), and a plain click navigates inside the app.

use yew::prelude::*;

use crate::dto::Span;
use crate::url::{TypeRef, UrlState};

/// What a link needs: the URL it modifies, and where plain clicks go.
#[derive(Clone, PartialEq, Debug)]
pub struct Linker {
    /// The current view's URL; a link replaces its type.
    pub base: UrlState,
    /// Receives the type id of a plain click.
    pub on_link: Callback<u32>,
}

impl Linker {
    /// The URL that shows type `id`.
    pub fn href(&self, id: u32) -> String {
        let mut u = self.base.clone();
        u.ty = Some(TypeRef::Id(id));
        u.line = None;
        match u.format() {
            s if s.is_empty() => "./".to_owned(),
            s => s,
        }
    }

    /// A link to type `id` showing `text`.
    pub fn link(&self, text: &str, id: u32, class: &'static str) -> Html {
        let on_link = self.on_link.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            if e.button() == 0 && !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key()) {
                e.prevent_default();
                on_link.emit(id);
            }
        });
        html! {
            <a class={class} href={self.href(id)} data-type-id={id.to_string()} {onclick}>{ text }</a>
        }
    }
}

/// One run of spans.
pub fn render_spans(spans: &[Span], linker: &Linker) -> Html {
    spans
        .iter()
        .map(|s| match s.link {
            Some(id) => linker.link(&s.text, id, "tref"),
            None => html! { { s.text.clone() } },
        })
        .collect()
}
