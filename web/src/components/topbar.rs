//! The top bar: product name, the kernel picker, file upload, and the view tabs.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::bundled;
use crate::components::file_button::FileButton;
use crate::state::{Action, Kernel, Source};
use crate::url::View;

/// Props of [`Topbar`].
#[derive(Properties, PartialEq, Debug)]
pub struct TopbarProps {
    /// The active kernel.
    pub kernel: Option<Kernel>,
    /// The active view.
    pub view: View,
    /// Whether a load is running.
    pub busy: bool,
    /// Receives a bundled kernel id.
    pub on_pick: Callback<String>,
    /// Receives an uploaded file.
    pub on_file: Callback<web_sys::File>,
    /// Receives view changes.
    pub on_action: Callback<Action>,
}

/// The top bar.
#[component]
pub fn Topbar(props: &TopbarProps) -> Html {
    let current = props.kernel.as_ref().map(|k| k.source.clone());
    let onchange = {
        let on_pick = props.on_pick.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let id = select.value();
            if !id.is_empty() {
                on_pick.emit(id);
            }
        })
    };
    let options = bundled::KERNELS.iter().map(|k| {
        let selected = current == Some(Source::Bundled(k.id.to_owned()));
        html! { <option value={k.id} {selected}>{ k.label() }</option> }
    });
    let upload_option = match &current {
        Some(Source::Upload(name)) => {
            html! { <option value="" selected=true>{ name.clone() }</option> }
        }
        None => {
            html! { <option value="" selected=true disabled=true>{ "Choose a kernel…" }</option> }
        }
        _ => html! {},
    };
    let tabs = props.kernel.as_ref().map(|_| {
        View::ALL
            .iter()
            .map(|&v| {
                let selected = v == props.view;
                let onclick = props
                    .on_action
                    .reform(move |_: MouseEvent| Action::ShowView(v));
                html! {
                    <button class={classes!("tab", selected.then_some("active"))} role="tab"
                        aria-selected={selected.to_string()} data-view={v.label()} {onclick}>
                        { tab_label(v) }
                    </button>
                }
            })
            .collect::<Html>()
    });
    html! {
        <header class="topbar">
            <a class="brand" href="./" title="corelab: BTF and CO-RE in your browser">
                <img src="icon.svg" alt="" width="20" height="20" />
                <span>{ "corelab" }</span>
            </a>
            <span class="area">{ "Kernel" }</span>
            <div class="kernel-picker">
                <select id="kernel-select" aria-label="Kernel" {onchange} disabled={props.busy}>
                    { upload_option }
                    { for options }
                </select>
                <FileButton on_file={props.on_file.clone()} id="file" label="Open file…" />
            </div>
            if let Some(tabs) = tabs {
                <nav class="tabs" role="tablist">{ tabs }</nav>
            }
        </header>
    }
}

fn tab_label(v: View) -> &'static str {
    match v {
        View::Summary => "Summary",
        View::Types => "Types",
        View::Listing => "Raw listing",
    }
}
