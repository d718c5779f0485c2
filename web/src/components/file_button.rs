//! A button that opens the file picker (a styled label over a hidden file input).

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`FileButton`].
#[derive(Properties, PartialEq, Debug)]
pub struct FileButtonProps {
    /// Receives the picked file.
    pub on_file: Callback<web_sys::File>,
    /// The input's id (the e2e tests upload through `#file`).
    #[prop_or(AttrValue::Static("file"))]
    pub id: AttrValue,
    /// The button text.
    #[prop_or(AttrValue::Static("Open file…"))]
    pub label: AttrValue,
    /// Extra classes.
    #[prop_or_default]
    pub class: Classes,
}

/// Opens a file and hands it over.
#[component]
pub fn FileButton(props: &FileButtonProps) -> Html {
    let onchange = {
        let on_file = props.on_file.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|f| f.get(0)) {
                on_file.emit(f);
            }
            // Picking the same file again must fire `change` again.
            input.set_value("");
        })
    };
    html! {
        <label class={classes!("button", props.class.clone())}>
            { props.label.clone() }
            <input id={props.id.clone()} type="file" class="visually-hidden" {onchange} />
        </label>
    }
}
