//! Any bytes: parsing yields a packet or an error; a packet that parses
//! serializes again and parses back to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socklab::net::PacketId;

fuzz_target!(|data: &[u8]| {
    if let Ok(packet) = socklab::wire::from_bytes(data, PacketId(0)) {
        if let Ok(bytes) = socklab::wire::to_bytes(&packet) {
            let again = socklab::wire::from_bytes(&bytes, PacketId(0)).expect("our own bytes parse");
            assert_eq!(again, packet);
        }
    }
});
