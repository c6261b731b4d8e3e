//! Inputs the fuzzers (fuzz/) once crashed on, replayed on every `cargo test`.
//! Add a file to tests/fuzz_regressions/ named `<target>-<what>.bin` for each
//! minimized crasher; the target is chosen by the name's prefix.

mod fuzz_harness;
use fuzz_harness::{packet_bytes, script_parser, url_fragment, world_commands};

#[test]
fn every_recorded_crasher_is_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/fuzz_regressions exists") {
        let path = entry.expect("readable entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let data = std::fs::read(&path).expect("readable crasher");
        match name.split('-').next() {
            Some("packet_bytes") => packet_bytes(&data),
            Some("script_parser") => script_parser(&data),
            Some("world_commands") => world_commands(&data),
            Some("url_fragment") => url_fragment(&data),
            _ => panic!("{name}: unknown fuzz target prefix"),
        }
        seen += 1;
    }
    assert!(seen > 0);
}
