//! The Object and Guarding areas before an object is open: the bundled samples and a drop
//! zone for your own.

use yew::prelude::*;

use crate::components::file_button::FileButton;
use crate::hooks::use_loader;
use crate::samples;

/// Props of [`ObjectWelcome`].
#[derive(Properties, PartialEq, Debug)]
pub struct ObjectWelcomeProps {
    /// Whether a load is running.
    pub busy: bool,
}

/// What to open.
#[component]
pub fn ObjectWelcome(props: &ObjectWelcomeProps) -> Html {
    let loader = use_loader();
    let on_file = {
        let loader = loader.clone();
        Callback::from(move |f| loader.upload_object(f))
    };
    let cards = samples::SAMPLES.iter().map(|s| {
        let loader = loader.clone();
        let onclick = Callback::from(move |_: MouseEvent| loader.pick_sample(s.id.to_owned()));
        html! {
            <button class="kernel-card" data-sample={s.id} {onclick} disabled={props.busy}>
                <span class="kc-release">{ s.file_name() }</span>
                <span class="kc-meta">{ s.title }</span>
            </button>
        }
    });
    html! {
        <section class="welcome">
            <h1>{ "A BPF object against a kernel" }</h1>
            <p class="lede">
                { "Open a BPF object (clang -g -O2 -target bpf) to see its programs next to their \
                   C source, every CO-RE relocation as libbpf 1.7 (or 1.5) resolves it against the kernel \
                   picked above — candidates, values, poisons — and what the verifier keeps of \
                   each program. Nothing leaves this page." }
            </p>
            <h2>{ "Samples (one per section of the CO-RE reference guide)" }</h2>
            <div class="kernel-cards sample-cards">{ for cards }</div>
            <h2>{ "Or your own object" }</h2>
            <div class="drop-zone">
                <p>
                    { "Drop a .o anywhere on the page, or " }
                    <FileButton {on_file} id="object-file-start" label="choose one" class="inline" />
                    { "." }
                </p>
                <p class="hint">
                    { "An ELF BPF object with .BTF (and .BTF.ext for line info and CO-RE), either \
                       byte order, possibly gzip/xz/zstd-compressed." }
                </p>
            </div>
        </section>
    }
}
