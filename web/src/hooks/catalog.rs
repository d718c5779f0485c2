//! [`use_catalog`]: the kernel catalogue's builds for a view, its head fetched and opened
//! in the engine the first time any view asks.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_loader;
use crate::dto::catalog::CatalogListing;
use crate::shared::Shared;

/// The catalogue's builds once `wanted` (`None` while they come, or while not wanted).
#[hook]
pub fn use_catalog(wanted: bool) -> Option<Result<Shared<CatalogListing>, String>> {
    let loader = use_loader();
    let got = use_state(|| None::<Result<Shared<CatalogListing>, String>>);
    {
        let got = got.clone();
        use_effect_with(wanted, move |&wanted| {
            if wanted {
                spawn_local(async move { got.set(Some(loader.catalog().await)) });
            }
        });
    }
    (*got).clone()
}
