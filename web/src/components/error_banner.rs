//! The last error, one line, dismissable.

use yew::prelude::*;

use crate::hooks::use_dispatch;
use crate::state::Action;

/// Props of [`ErrorBanner`].
#[derive(Properties, PartialEq, Debug)]
pub struct ErrorBannerProps {
    /// The message, if any.
    pub error: Option<String>,
}

/// Shows an error until dismissed.
#[component]
pub fn ErrorBanner(props: &ErrorBannerProps) -> Html {
    let on_action = use_dispatch();
    let Some(msg) = &props.error else {
        return html! {};
    };
    let dismiss = on_action.reform(|_: MouseEvent| Action::DismissError);
    html! {
        <div class="error-banner" role="alert">
            <span class="error-text">{ msg }</span>
            <button class="link-button" onclick={dismiss} aria-label="Dismiss">{ "×" }</button>
        </div>
    }
}
