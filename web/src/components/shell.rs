//! The page: the top bar, the Tour bar, load progress, the error, and the main view (or the
//! start pages while nothing is loaded); a file dropped anywhere opens as a kernel in the
//! Kernel area and as an object in the others. In embed mode, one compact panel instead.

use yew::prelude::*;

use crate::components::embed_view::EmbedView;
use crate::components::error_banner::ErrorBanner;
use crate::components::load_status::LoadStatus;
use crate::components::object_welcome::ObjectWelcome;
use crate::components::topbar::Topbar;
use crate::components::tour_bar::TourBar;
use crate::components::welcome::Welcome;
use crate::hooks::{use_loader, use_workspace};
use crate::views::{Area, View};

/// The page.
#[component]
pub fn Shell() -> Html {
    let s = use_workspace();
    let loader = use_loader();
    let dragging = use_state(|| false);

    if s.embed.is_some() {
        return html! { <EmbedView /> };
    }

    // Dropping a file anywhere on the page loads it: as an object in the object areas,
    // as a kernel otherwise.
    let area = s.view.area();
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        // Moving between children fires too; only leaving the window has no related target.
        Callback::from(move |e: DragEvent| {
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let (loader, dragging) = (loader.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                if matches!(area, Area::Kernel | Area::Ask) {
                    loader.upload_kernel(f);
                } else {
                    loader.upload_object(f);
                }
            }
        })
    };

    let body = match (area, s.kernel.kernel.is_some(), s.object.object.is_some()) {
        // The comparison needs no kernel of its own: it loads the bundled ones; "Where is"
        // reads the catalogue's index.
        (Area::Kernel, _, _) if matches!(s.view, View::Compare | View::Where) => s.view.render(),
        (Area::Kernel, false, _) => html! { <Welcome busy={s.kernel.loading.is_some()} /> },
        (Area::Kernel, true, _) => s.view.render(),
        // A question is about the active kernel.
        (Area::Ask, false, _) => html! { <Welcome busy={s.kernel.loading.is_some()} /> },
        (Area::Ask, true, _) => s.view.render(),
        (_, _, false) => html! { <ObjectWelcome busy={s.object.loading.is_some()} /> },
        (_, _, true) => s.view.render(),
    };
    let drop_hint = if matches!(area, Area::Kernel | Area::Ask) {
        "Drop to open as a kernel BTF — the file stays in this browser"
    } else {
        "Drop to open as a BPF object — the file stays in this browser"
    };
    html! {
        <div class="app" {ondragover} {ondragleave} {ondrop}>
            if *dragging {
                <div class="drop-overlay" aria-hidden="true">
                    <span>{ drop_hint }</span>
                </div>
            }
            <Topbar />
            if let Some(step) = s.tour {
                <TourBar {step} />
            }
            <LoadStatus loading={s.kernel.loading.clone()} />
            <ErrorBanner error={s.error.clone()} />
            <main class="main">{ body }</main>
        </div>
    }
}
