//! Small pieces several views share: outcome and verdict badges, source lines.

use yew::prelude::*;

use crate::dto::object::SourceRef;

/// A relocation outcome as a colored badge.
pub fn outcome_badge(outcome: &str) -> Html {
    let text = match outcome {
        "skipped_autoload" => "skipped",
        "not_reached" => "not reached",
        o => o,
    };
    html! { <span class={classes!("outcome", format!("o-{outcome}"))}>{ text }</span> }
}

/// A program verdict as a colored badge.
pub fn verdict_badge(verdict: &str) -> Html {
    let text = match verdict {
        "loaded" => "loads",
        "rejected_poison" => "rejected: poison",
        "not_submitted" => "not submitted",
        "too_complex" => "rejected: too complex",
        v => v,
    };
    html! { <span class={classes!("verdict", format!("v-{verdict}"))}>{ text }</span> }
}

/// `file.c:12  the line`.
pub fn source_line(s: &SourceRef) -> Html {
    html! {
        <span class="src">
            <span class="src-pos">{ format!("{}:{}", s.file, s.line) }</span>
            <span class="src-text">{ s.text.clone() }</span>
        </span>
    }
}

/// The short form of a kernel id for column headers (`5.10.0-46 amd64`).
pub fn short_kernel(label: &str) -> String {
    match crate::bundled::find(label) {
        Some(k) => format!("{} {}", k.release, k.arch),
        None => label.to_owned(),
    }
}
