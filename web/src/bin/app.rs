//! The playground UI: mounts the Yew app on `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<corelab_web::app::App>::new().render();
}
