//! Same inputs and seed, same trace: twice natively, and natively against wasm32
//! (tests/browser.rs checks the browser build against the same digest).

/// The digest of `socklab::bench::reference_digest()`'s trace. When the model
/// changes on purpose, update this file with the value the failure prints.
const EXPECTED: &str = include_str!("reference_digest.txt");

#[test]
fn the_reference_run_is_identical_every_time_and_matches_the_recorded_digest() {
    let first = socklab::bench::reference_digest();
    assert_eq!(first, socklab::bench::reference_digest());
    assert_eq!(format!("{first:016x}"), EXPECTED.trim(), "the reference trace changed; new digest {first:016x}");
}
