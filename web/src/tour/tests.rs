use super::*;
use crate::url::View;

#[test]
fn every_step_opens_a_bundled_sample_and_kernel() {
    for (n, step) in STEPS.iter().enumerate() {
        let u = step.state(n);
        assert_eq!(u.tour, Some(n));
        if let Some(o) = &u.object {
            assert!(crate::samples::find(o).is_some(), "step {n}: sample {o}");
        }
        if let Some(k) = &u.kernel {
            assert!(crate::bundled::find(k).is_some(), "step {n}: kernel {k}");
        }
        // Object views need an object; kernel views a kernel (the matrix brings its own).
        match u.view.area() {
            crate::url::Area::Kernel => assert!(u.kernel.is_some(), "step {n}"),
            crate::url::Area::Ask => assert!(!u.question.is_empty(), "step {n}: a question"),
            _ => assert!(u.object.is_some(), "step {n}"),
        }
        if u.view != View::Matrix && u.view.area() != crate::url::Area::Kernel {
            assert!(u.kernel.is_some(), "step {n}: a target kernel");
        }
        // A step's URL is a shareable link: it survives formatting.
        assert_eq!(UrlState::parse(&u.format()), u, "step {n}");
        assert!(!step.text.is_empty() && step.text.len() < 600, "step {n}");
    }
}

#[test]
fn the_guarding_steps_cover_both_programs_and_a_what_if() {
    let progs: Vec<String> = STEPS
        .iter()
        .enumerate()
        .filter_map(|(n, s)| s.state(n).prog)
        .collect();
    assert!(progs.contains(&"atime_unguarded".to_owned()));
    assert!(progs.contains(&"atime_guarded".to_owned()));
    assert!(STEPS
        .iter()
        .enumerate()
        .any(|(n, s)| !s.state(n).whatif.hide.is_empty()));
}

#[test]
fn the_failed_load_step_carries_a_log_that_fits_its_url() {
    let (n, step) = STEPS
        .iter()
        .enumerate()
        .find(|(_, s)| s.url.contains("view=loadlog"))
        .expect("a step for the failed load");
    let u = step.state(n);
    assert!(u.log.contains("-- BEGIN PROG LOAD LOG --"), "{}", u.log);
    assert!(u.log.contains("7: <invalid CO-RE relocation>"));
    assert!(u.log.len() <= crate::state::object::MAX_URL_LOG);
}
