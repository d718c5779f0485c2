//! The top bar: product name, the three areas and the Tour, the kernel picker (the kernel
//! read in the Kernel area, the relocation target in the others), the object picker, the
//! current area's view tabs, and a share button.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::bundled;
use crate::components::file_button::FileButton;
use crate::components::share_button::ShareButton;
use crate::samples;
use crate::state::{Action, Source, Workspace};
use crate::url::Area;

/// Props of [`Topbar`].
#[derive(Properties, PartialEq, Debug)]
pub struct TopbarProps {
    /// The state.
    pub state: UseReducerHandle<Workspace>,
    /// Receives a bundled kernel id.
    pub on_pick: Callback<String>,
    /// Receives an uploaded kernel file.
    pub on_file: Callback<web_sys::File>,
    /// Receives a sample object id.
    pub on_sample: Callback<String>,
    /// Receives an uploaded object file.
    pub on_object_file: Callback<web_sys::File>,
    /// Receives view changes.
    pub on_action: Callback<Action>,
}

fn select_value(e: &Event) -> String {
    let select: HtmlSelectElement = e.target_unchecked_into();
    select.value()
}

/// The top bar.
#[component]
pub fn Topbar(props: &TopbarProps) -> Html {
    let s = &*props.state;
    let area = s.view.area();
    let current = s
        .loading
        .as_ref()
        .map(|l| l.source.clone())
        .or_else(|| s.kernel.as_ref().map(|k| k.source.clone()));
    let on_kernel = {
        let on_pick = props.on_pick.clone();
        Callback::from(move |e: Event| {
            let id = select_value(&e);
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

    let areas = Area::ALL.iter().map(|&a| {
        let active = a == area && s.tour.is_none();
        let onclick = props.on_action.reform(move |_: MouseEvent| Action::ShowArea(a));
        html! {
            <button class={classes!("area-tab", active.then_some("active"))} data-area={a.label().to_lowercase()}
                aria-pressed={active.to_string()} {onclick}>
                { a.label() }
            </button>
        }
    });
    let tour_on = s.tour.is_some();
    let tour = {
        let next = if tour_on { None } else { Some(0) };
        let onclick = props
            .on_action
            .reform(move |_: MouseEvent| Action::Tour(next));
        html! {
            <button class={classes!("area-tab", "tour-tab", tour_on.then_some("active"))} data-area="tour"
                aria-pressed={tour_on.to_string()} {onclick}>{ "Tour" }</button>
        }
    };

    let object_picker = (area != Area::Kernel).then(|| {
        let current = s
            .object_loading
            .as_ref()
            .map(|l| l.source.clone())
            .or_else(|| s.object.as_ref().map(|o| o.source.clone()));
        let on_sample = props.on_sample.clone();
        let onchange = Callback::from(move |e: Event| {
            let id = select_value(&e);
            if !id.is_empty() {
                on_sample.emit(id);
            }
        });
        let options = samples::SAMPLES.iter().map(|x| {
            let selected = current == Some(Source::Bundled(x.id.to_owned()));
            html! { <option value={x.id} {selected}>{ x.file_name() }</option> }
        });
        let upload = match &current {
            Some(Source::Upload(name)) => {
                html! { <option value="" selected=true>{ name.clone() }</option> }
            }
            None => html! { <option value="" selected=true disabled=true>{ "Choose an object…" }</option> },
            _ => html! {},
        };
        html! {
            <div class="picker">
                <label class="picker-label" for="object-select">{ "object" }</label>
                <select id="object-select" {onchange} disabled={s.object_loading.is_some()}>
                    { upload }
                    { for options }
                </select>
                <FileButton on_file={props.on_object_file.clone()} id="object-file" label="Open object…" />
            </div>
        }
    });

    let tabs = area.views().iter().map(|&v| {
        let selected = v == s.view;
        let onclick = props
            .on_action
            .reform(move |_: MouseEvent| Action::ShowView(v));
        html! {
            <button class={classes!("tab", selected.then_some("active"))} role="tab"
                aria-selected={selected.to_string()} data-view={v.label()} {onclick}>
                { v.title() }
            </button>
        }
    });
    let kernel_label = if area == Area::Kernel {
        "kernel"
    } else {
        "target"
    };
    html! {
        <header class="topbar">
            <div class="topbar-row">
                <a class="brand" href="./" title="corelab: BTF and CO-RE in your browser">
                    <img src="icon.svg" alt="" width="20" height="20" />
                    <span>{ "corelab" }</span>
                </a>
                <nav class="areas" aria-label="Areas">{ for areas }{ tour }</nav>
                <span class="grow" />
                <ShareButton url={s.url()} upload={matches!(current, Some(Source::Upload(_)))
                    || matches!(s.object.as_ref().map(|o| &o.source), Some(Source::Upload(_)))} />
            </div>
            <div class="topbar-row">
                <div class="picker">
                    <label class="picker-label" for="kernel-select">{ kernel_label }</label>
                    <select id="kernel-select" onchange={on_kernel} disabled={s.loading.is_some()}>
                        { upload_option }
                        { for options }
                    </select>
                    <FileButton on_file={props.on_file.clone()} id="file"
                        label={if area == Area::Kernel { "Open file…" } else { "Open kernel…" }} />
                </div>
                { for object_picker }
                <nav class="tabs" role="tablist">{ for tabs }</nav>
            </div>
        </header>
    }
}
