//! The Tour: a bar under the top bar with the current step's text, and previous/next (also
//! ← and → anywhere outside a text field). Each step opens its view through its URL.

use yew::prelude::*;

use crate::hooks::{use_dispatch, use_loader, use_workspace};
use crate::state::Action;
use crate::tour::STEPS;

/// Props of [`TourBar`].
#[derive(Properties, PartialEq, Debug)]
pub struct TourBarProps {
    /// The step shown.
    pub step: usize,
}

/// The Tour bar.
#[component]
pub fn TourBar(props: &TourBarProps) -> Html {
    let n = props.step.min(STEPS.len() - 1);
    let current = use_workspace().url();
    let on_action = use_dispatch();
    let loader = use_loader();
    let go = {
        let loader = loader.clone();
        move |to: usize| {
            let loader = loader.clone();
            Callback::from(move |_: MouseEvent| loader.navigate(STEPS[to].state(to)))
        }
    };
    // Entering the Tour (or a step by URL) opens the step's view once.
    {
        let loader = loader.clone();
        use_effect_with(n, move |&n| {
            let want = STEPS[n].state(n);
            let kernel_differs = want.kernel.is_some() && current.kernel != want.kernel;
            if current.object != want.object || current.view != want.view || kernel_differs {
                loader.navigate(want);
            }
        });
    }
    // ← and → step through, unless typing.
    {
        use_effect_with(n, move |&n| {
            crate::browser::on_page_key(move |e| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let to = match e.key().as_str() {
                    "ArrowRight" if n + 1 < STEPS.len() => n + 1,
                    "ArrowLeft" if n > 0 => n - 1,
                    _ => return,
                };
                e.prevent_default();
                loader.navigate(STEPS[to].state(to));
            })
        });
    }
    let step = &STEPS[n];
    let close = on_action.reform(|_: MouseEvent| Action::Tour(None));
    let dots = (0..STEPS.len()).map(|i| {
        let class = classes!("dot", (i == n).then_some("active"));
        html! {
            <button {class} onclick={go(i)} aria-label={format!("Step {}: {}", i + 1, STEPS[i].title)}
                aria-current={(i == n).then_some("step")} />
        }
    });
    html! {
        <section class="tour" id="tour" aria-label="Tour" data-step={(n + 1).to_string()}>
            <div class="tour-head">
                <span class="tour-count">{ format!("Tour {}/{}", n + 1, STEPS.len()) }</span>
                <span class="tour-section">{ step.section }</span>
                <h2 class="tour-title">{ step.title }</h2>
                <span class="grow" />
                <div class="dots">{ for dots }</div>
                <button class="button small" id="tour-prev" disabled={n == 0}
                    onclick={go(n.saturating_sub(1))} aria-label="Previous step">{ "← Prev" }</button>
                <button class="button small" id="tour-next" disabled={n + 1 >= STEPS.len()}
                    onclick={go((n + 1).min(STEPS.len() - 1))} aria-label="Next step">{ "Next →" }</button>
                <button class="link-button" onclick={close} aria-label="Close the tour">{ "×" }</button>
            </div>
            <p class="tour-text">{ step.text }</p>
        </section>
    }
}
