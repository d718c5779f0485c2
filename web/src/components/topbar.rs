//! The top bar: product name, the three areas and the Tour, the kernel picker (the kernel
//! read in the Kernel area, the relocation target in the others), the object picker, the
//! current area's view tabs, and a share button; the kernel catalogue's picker opens under it.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::bundled;
use crate::components::catalog_picker::CatalogPicker;
use crate::components::file_button::FileButton;
use crate::components::share_button::ShareButton;
use crate::hooks::{use_dispatch, use_loader, use_workspace};
use crate::samples;
use crate::state::{Action, Source};
use crate::views::Area;

fn select_value(e: &Event) -> String {
    let select: HtmlSelectElement = e.target_unchecked_into();
    select.value()
}

/// The top bar.
#[component]
pub fn Topbar() -> Html {
    let s = &*use_workspace();
    let on_action = use_dispatch();
    let loader = use_loader();
    let area = s.view.area();
    let current = s
        .kernel
        .loading
        .as_ref()
        .map(|l| l.source.clone())
        .or_else(|| s.kernel.kernel.as_ref().map(|k| k.source.clone()));
    let on_kernel = {
        let loader = loader.clone();
        Callback::from(move |e: Event| {
            let id = select_value(&e);
            if !id.is_empty() {
                loader.pick_kernel(id);
            }
        })
    };
    let options = bundled::KERNELS.iter().map(|k| {
        let selected = current == Some(Source::Bundled(k.id.to_owned()));
        html! { <option value={k.id} {selected}>{ k.label() }</option> }
    });
    let catalog_open = use_state(|| false);
    let upload_option = match &current {
        Some(Source::Upload(name)) => {
            // Once loaded, the engine's name for it: modules merged are `ext4 + tcp_bbr`.
            let shown = match (&s.kernel.loading, &s.kernel.kernel) {
                (None, Some(k)) => k.summary.label.clone(),
                _ => name.clone(),
            };
            html! { <option value="" selected=true>{ shown }</option> }
        }
        Some(Source::Bundled(id)) if id.starts_with('@') => {
            html! { <option value={id.clone()} selected=true>{ id.clone() }</option> }
        }
        None => {
            html! { <option value="" selected=true disabled=true>{ "Choose a kernel…" }</option> }
        }
        _ => html! {},
    };

    let areas = Area::ALL.iter().map(|&a| {
        let active = a == area && s.tour.is_none();
        let onclick = on_action.reform(move |_: MouseEvent| Action::ShowArea(a));
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
        let onclick = on_action.reform(move |_: MouseEvent| Action::Tour(next));
        html! {
            <button class={classes!("area-tab", "tour-tab", tour_on.then_some("active"))} data-area="tour"
                aria-pressed={tour_on.to_string()} {onclick}>{ "Tour" }</button>
        }
    };

    let object_picker = matches!(area, Area::Object | Area::Guarding).then(|| {
        let current = s
            .object
            .loading
            .as_ref()
            .map(|l| l.source.clone())
            .or_else(|| s.object.object.as_ref().map(|o| o.source.clone()));
        let onchange = {
            let loader = loader.clone();
            Callback::from(move |e: Event| {
                let id = select_value(&e);
                if !id.is_empty() {
                    loader.pick_sample(id);
                }
            })
        };
        let on_object_file = {
            let loader = loader.clone();
            Callback::from(move |f| loader.upload_object(f))
        };
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
                <select id="object-select" {onchange} disabled={s.object.loading.is_some()}>
                    { upload }
                    { for options }
                </select>
                <FileButton on_file={on_object_file} id="object-file" label="Open object…" />
            </div>
        }
    });

    let tabs = area.views().map(|v| {
        let selected = v == s.view;
        let onclick = on_action.reform(move |_: MouseEvent| Action::ShowView(v));
        html! {
            <button class={classes!("tab", selected.then_some("active"))} role="tab"
                aria-selected={selected.to_string()} data-view={v.label()} {onclick}>
                { v.title() }
            </button>
        }
    });
    let on_file = Callback::from(move |f| loader.upload_kernel(f));
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
                    || matches!(s.object.object.as_ref().map(|o| &o.source), Some(Source::Upload(_)))} />
            </div>
            <div class="topbar-row">
                <div class="picker">
                    <label class="picker-label" for="kernel-select">{ kernel_label }</label>
                    <select id="kernel-select" onchange={on_kernel} disabled={s.kernel.loading.is_some()}>
                        { upload_option }
                        { for options }
                    </select>
                    <button id="catalog-open" class={classes!("button", (*catalog_open).then_some("active"))}
                        aria-expanded={catalog_open.to_string()}
                        title="Every Debian kernel build with BTF: search by suite, series, architecture"
                        onclick={let o = catalog_open.clone(); move |_: MouseEvent| o.set(!*o)}>
                        { "Catalogue…" }
                    </button>
                    <FileButton on_file={on_file} id="file"
                        label={if area == Area::Kernel { "Open file…" } else { "Open kernel…" }} />
                </div>
                { for object_picker }
                <nav class="tabs" role="tablist">{ for tabs }</nav>
            </div>
            if *catalog_open {
                <div class="catalog-panel">
                    <CatalogPicker on_pick={let o = catalog_open.clone(); Callback::from(move |()| o.set(false))} />
                </div>
            }
        </header>
    }
}
