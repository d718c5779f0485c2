//! The engine as a wasm module: the JavaScript API for documentation authors
//! (`corelab_web::api`) and the app's worker entry (`workerHandle`). Built with the `api`
//! feature, which turns on their `#[wasm_bindgen]` exports.

pub use corelab_web::api::*;
pub use corelab_web::worker::worker_handle;

fn main() {
    console_error_panic_hook::set_once();
}
