//! The playground UI: mounts the Yew app on `<body>`. (Only the wasm build is the app; a
//! native build of this bin, made by `cargo test --workspace`, does nothing.)

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        console_error_panic_hook::set_once();
        yew::Renderer::<corelab_web::app::App>::new().render();
    }
}
