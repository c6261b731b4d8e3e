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

#[test]
fn a_trace_drained_in_pieces_is_the_trace_taken_at_once() {
    // drain_trace_into trades buffers with an empty sink and appends to a
    // non-empty one: either way every event comes once, in order.
    use socklab::net::*;
    use std::sync::Arc;
    fn run(drain_each_step: bool) -> Vec<TraceEvent> {
        let mut world = World::new(7);
        let a = world.add_host("a", &[Ipv4Addr::new(10, 0, 0, 1)]).unwrap();
        let b = world.add_host("b", &[Ipv4Addr::new(10, 0, 0, 2)]).unwrap();
        world.add_link(a, b, LinkConfig::default()).unwrap();
        let mut sink = Vec::new();
        let udp = SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Udp };
        world.call(b, udp.clone()).unwrap();
        world.call(a, udp).unwrap();
        world.call(b, SysCall::Bind { fd: 3, addr: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 9) }).unwrap();
        for i in 0..5u8 {
            let addr = Some(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 9));
            world.call(a, SysCall::SendTo { fd: 3, data: Arc::from(&[i][..]), addr }).unwrap();
            if drain_each_step {
                world.drain_trace_into(&mut sink);
            }
            while world.step_event() {
                if drain_each_step {
                    world.drain_trace_into(&mut sink);
                }
            }
        }
        if drain_each_step {
            assert_eq!(world.pending_trace_len(), 0);
            sink
        } else {
            world.take_trace()
        }
    }
    let whole = run(false);
    let pieces = run(true);
    assert!(whole.len() > 20, "{} events", whole.len());
    let ids = |t: &[TraceEvent]| t.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(&pieces), ids(&whole));
    assert_eq!(format!("{pieces:?}"), format!("{whole:?}"));
}
