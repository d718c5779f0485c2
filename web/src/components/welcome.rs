//! The start page: the bundled kernels, the kernel catalogue's picker (on demand) and a
//! drop zone, before anything is loaded.

use yew::prelude::*;

use crate::bundled;
use crate::components::catalog_picker::CatalogPicker;
use crate::components::file_button::FileButton;
use crate::hooks::use_loader;

/// Props of [`Welcome`].
#[derive(Properties, PartialEq, Debug)]
pub struct WelcomeProps {
    /// Whether a load is running.
    pub busy: bool,
}

/// What to open first.
#[component]
pub fn Welcome(props: &WelcomeProps) -> Html {
    let loader = use_loader();
    let catalog = use_state(|| false);
    let on_file = {
        let loader = loader.clone();
        Callback::from(move |f| loader.upload_kernel(f))
    };
    let cards = bundled::KERNELS.iter().map(|k| {
        let loader = loader.clone();
        let onclick = Callback::from(move |_: MouseEvent| loader.pick_kernel(k.id.to_owned()));
        html! {
            <button class="kernel-card" data-kernel={k.id} {onclick} disabled={props.busy}>
                <span class="kc-release">{ k.release }</span>
                <span class="kc-meta">{ format!("{} · {}", k.distro, k.arch) }</span>
                <span class="kc-note">{ k.note }</span>
            </button>
        }
    });
    html! {
        <section class="welcome">
            <h1>{ "Kernel BTF, in your browser" }</h1>
            <p class="lede">
                { "Load a kernel's type information to search its 100k+ types, follow every \
                   reference, and read the raw listing exactly as " }
                <code>{ "bpftool btf dump file" }</code>{ " prints it. The engine runs here, \
                   in WebAssembly: files you open never leave this page." }
            </p>
            <h2>{ "Bundled kernels" }</h2>
            <div class="kernel-cards">{ for cards }</div>
            <h2>{ "Every Debian kernel build" }</h2>
            if *catalog {
                <CatalogPicker />
            } else {
                <p>
                    { "The kernel catalogue holds the BTF of every Debian kernel build with BTF —                        bullseye to sid, amd64, arm64, ppc64el, s390x, riscv64, loong64 and more;                        a build downloads only its own share of it. " }
                    <button class="button inline" id="catalog-browse" disabled={props.busy}
                        onclick={let c = catalog.clone(); move |_: MouseEvent| c.set(true)}>
                        { "Browse the catalogue" }
                    </button>
                </p>
            }
            <h2>{ "Or your own file" }</h2>
            <div class="drop-zone" id="drop">
                <p>
                    { "Drop a file anywhere on the page, or " }
                    <FileButton {on_file} id="file-start" label="choose one" class="inline" />
                    { "." }
                </p>
                <p class="hint">
                    { "Raw BTF (a copy of " }<code>{ "/sys/kernel/btf/vmlinux" }</code>
                    { "), a vmlinux or BPF object ELF with " }<code>{ ".BTF" }</code>
                    { ", the same gzip/xz/zstd-compressed, or a btfhub " }<code>{ ".btf.tar.xz" }</code>
                    { ". Recognised by content, not by name." }
                </p>
            </div>
        </section>
    }
}
