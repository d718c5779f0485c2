//! corelab's playground: a Yew app over the corelab engine, all in the browser.
//!
//! Two wasm files come from this crate:
//! - `app` (`src/bin/app.rs`): the UI. It never links the engine; it talks to the worker.
//! - `corelab` (`src/bin/corelab.rs`, built with the `api` feature): the engine with its
//!   JavaScript API (`api`) for documentation authors, which the app also runs in a module
//!   worker (`worker`).
//!
//! Layers, in the order data flows:
//! - [`session`]: the only module calling `corelab`; engine results → [`dto`] shapes.
//! - `worker` / `protocol` / `engine`: requests and replies between the app and the worker,
//!   bulk data in transferred typed arrays.
//! - [`state`]: the app state, a pure reducer; [`search`], [`document`], [`url`]: pure
//!   helpers it uses (all tested natively).
//! - `app` and `components`: the views, one component per file.
//!
//! Only the pure modules build natively (for tests); everything touching the browser is
//! `#[cfg(target_arch = "wasm32")]`, and so are the dependencies on Yew and web-sys.

// The pure part: builds and is tested natively.
pub mod arrows;
pub mod bundled;
pub mod decimal;
pub mod document;
pub mod dto;
pub mod graph;
pub mod inbox;
pub mod query;
pub mod samples;
pub mod search;
pub mod session;
pub mod shared;
pub mod state;
pub mod tour;
pub mod url;
pub mod views;

// The browser part: wasm only.
#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod catalog;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod engine;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
pub mod kernels;
pub mod protocol;
#[cfg(target_arch = "wasm32")]
pub mod worker;
