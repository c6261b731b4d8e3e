//! Inputs the fuzzers (fuzz/) once crashed on, replayed on every `cargo test`.
//! Add a file to tests/fuzz_regressions/ named `<target>-<what>.bin` for each
//! minimized crasher; the target is chosen by the name's prefix.

use socklab::net::PacketId;

fn packet_bytes(data: &[u8]) {
    if let Ok(packet) = socklab::wire::from_bytes(data, PacketId(0)) {
        let bytes = socklab::wire::to_bytes(&packet).expect("a parsed packet serializes");
        assert_eq!(socklab::wire::from_bytes(&bytes, PacketId(0)).expect("our own bytes parse"), packet);
    }
}

fn script_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(script) = socklab::script::parse(&text) {
        let options = socklab::script::RunOptions {
            pending_bound_us: 5_000_000,
            idle_bound_us: 10_000_000,
            max_events: 20_000,
            ..Default::default()
        };
        let _ = socklab::script::run(&script, &options);
    }
}

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
            _ => panic!("{name}: unknown fuzz target prefix"),
        }
        seen += 1;
    }
    assert!(seen > 0);
}
