//! Progress of the load in flight: bytes fetched, then parsing.

use yew::prelude::*;

use crate::decimal::fixed;
use crate::state::{Loading, Phase};

/// Props of [`LoadStatus`].
#[derive(Properties, PartialEq, Debug)]
pub struct LoadStatusProps {
    /// The load, if one is running.
    pub loading: Option<Loading>,
}

fn mb(bytes: u64) -> String {
    format!("{} MB", fixed(bytes as f64 / 1e6, 1))
}

/// A thin progress bar with a caption.
#[component]
pub fn LoadStatus(props: &LoadStatusProps) -> Html {
    let Some(l) = &props.loading else {
        return html! {};
    };
    let (caption, fraction) = match l.phase {
        Phase::Fetching { done, total } => match total {
            Some(t) if t > 0 => (
                format!("Fetching {}: {} of {}", l.source.label(), mb(done), mb(t)),
                Some(done as f64 / t as f64),
            ),
            _ => (format!("Reading {}: {}", l.source.label(), mb(done)), None),
        },
        Phase::Parsing => (
            format!("Parsing {} in the engine worker…", l.source.label()),
            None,
        ),
    };
    let bar = match fraction {
        Some(f) => html! {
            <progress class="load-bar" max="1" value={fixed(f.clamp(0.0, 1.0), 3).to_string()} />
        },
        None => html! { <progress class="load-bar" /> },
    };
    html! {
        <div class="load-status" role="status" aria-live="polite">
            { bar }
            <span class="load-caption">{ caption }</span>
        </div>
    }
}
