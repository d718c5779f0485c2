//! The engine as a wasm module: the JavaScript API for documentation authors
//! (`corelab_web::api`) and the app's worker entry (`workerHandle`). Built with the `api`
//! feature, which turns on their `#[wasm_bindgen]` exports.

#[cfg(target_arch = "wasm32")]
pub use corelab_web::api::*;
#[cfg(target_arch = "wasm32")]
pub use corelab_web::worker::worker_handle;

fn main() {
    #[cfg(target_arch = "wasm32")]
    console_error_panic_hook::set_once();
}
