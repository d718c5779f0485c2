//! Embed mode (`?embed=type|summary&kernel=…`): one compact panel for documentation pages,
//! with a link to open the full playground.

use yew::prelude::*;

use crate::components::summary_view::SummaryView;
use crate::components::type_detail::TypeDetailView;
use crate::state::{Action, Workspace};
use crate::url::Embed;

/// Props of [`EmbedView`].
#[derive(Properties, PartialEq, Debug)]
pub struct EmbedViewProps {
    /// The whole state (an embed shows a slice of it).
    pub state: UseReducerHandle<Workspace>,
    /// Receives navigation.
    pub on_action: Callback<Action>,
}

/// The embed panel.
#[component]
pub fn EmbedView(props: &EmbedViewProps) -> Html {
    let s = &*props.state;
    let mut full = s.url();
    full.embed = None;
    let open = format!("./{}", full.format());
    let body = match (&s.kernel, s.embed) {
        (_, None) => html! {},
        (None, _) => {
            let text = match (&s.loading, &s.error) {
                (_, Some(e)) => e.clone(),
                (Some(l), _) => format!("Loading {}…", l.source.label()),
                (None, None) => "No kernel: add kernel=… to the URL.".to_owned(),
            };
            html! { <p class="muted">{ text }</p> }
        }
        (Some(k), Some(Embed::Summary)) => {
            html! { <SummaryView kernel={k.clone()} compact=true /> }
        }
        (Some(_), Some(Embed::Type)) => html! {
            <TypeDetailView detail={s.detail.clone()} selected={s.selected} url={s.url()}
                on_action={props.on_action.clone()} compact=true />
        },
    };
    let kernel = s
        .kernel
        .as_ref()
        .map(|k| k.source.label().to_owned())
        .unwrap_or_default();
    html! {
        <div class="embed" id="embed">
            <div class="embed-bar">
                <span class="mono muted">{ kernel }</span>
                <span class="grow" />
                <a href={open} target="_blank" rel="noopener">{ "open in corelab ↗" }</a>
            </div>
            { body }
        </div>
    }
}
