//! The app's effects, as named hooks: [`use_query`] (a view asks the engine), the
//! [`Loader`] (kernels and objects), the URL kept in step ([`use_url_sync`],
//! [`use_history`]), text inputs that keep what is typed ([`use_synced_value`]), and the
//! workspace for every component ([`use_workspace`]).

mod catalog;
mod inbox;
mod input;
mod loads;
mod query;
mod sweep;
mod url;

use yew::prelude::*;

pub use catalog::use_catalog;
pub use inbox::use_embed_inbox;
pub use input::use_synced_value;
pub use loads::{use_kernel_slots, Loader};
pub use query::{use_query, Queries, QueryProvider};
pub use sweep::{use_ask_sweep, use_matrix_sweep, AskSweepState, SweepState};
pub use url::{use_history, use_url_sync};

use crate::state::{Action, Workspace};

/// The app's state (provided by the App).
#[hook]
pub fn use_workspace() -> UseReducerHandle<Workspace> {
    use_context::<UseReducerHandle<Workspace>>().expect("the App provides the workspace")
}

/// A callback applying actions to the app's state.
#[hook]
pub fn use_dispatch() -> Callback<Action> {
    let ws = use_workspace();
    let dispatcher = ws.dispatcher();
    // One callback for the component's life: props compare equal across renders.
    (*use_memo((), move |_| {
        Callback::from(move |a: Action| dispatcher.dispatch(a))
    }))
    .clone()
}

/// The loader (provided by the App).
#[hook]
pub fn use_loader() -> Loader {
    use_context::<Loader>().expect("the App provides the loader")
}
