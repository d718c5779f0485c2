//! The address bar follows the state, and back/forward moves the state: the URL is the one
//! description of a view.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::loads::Loader;
use crate::browser;
use crate::url::{is_new_place, UrlState};

/// Writes `url` into the address bar whenever it changes: a history entry for a new place,
/// in place otherwise. After back/forward the address bar already shows the place, so
/// nothing is pushed.
#[hook]
pub fn use_url_sync(url: UrlState) {
    use_effect_with(url, |url| {
        let shown = UrlState::parse(&browser::location_search());
        browser::set_location_search(&url.format(), is_new_place(&shown, url));
    });
}

/// Back/forward: re-reads the URL and opens what it describes.
#[hook]
pub fn use_history(loader: Loader) {
    use_effect_with((), move |_| {
        let on_pop = Closure::<dyn FnMut()>::new(move || {
            loader.navigate(UrlState::parse(&browser::location_search()));
        });
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = &window {
                let _ = w.remove_event_listener_with_callback(
                    "popstate",
                    on_pop.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
