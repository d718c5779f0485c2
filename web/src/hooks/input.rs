//! A text input that shows a value the app holds, without taking the person's typing away.
//!
//! Yew writes a `value={…}` attribute into the DOM on *every* render in which the DOM's text
//! differs from it, so a controlled input whose text only reaches the app on Enter or `change`
//! loses what was typed whenever anything else re-renders its component: a worker's reply, a
//! sweep's progress. Such inputs are left uncontrolled instead, and this hook writes the app's
//! value into the element only when that value changes (and when the element appears).

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A [`NodeRef`] for an `<input>` given no `value` attribute: the element shows `value` from
/// its first render and again whenever `value` changes, and the person's typing in between.
#[hook]
pub fn use_synced_value(value: String) -> NodeRef {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(value, move |value| {
            if let Some(input) = node.cast::<HtmlInputElement>() {
                if input.value() != *value {
                    input.set_value(value);
                }
            }
        });
    }
    node
}
