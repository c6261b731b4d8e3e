mod common;
use common::*;
use socklab::net::tcp::state::TcpState;
use socklab::net::*;

#[test]
fn handshake_data_and_four_way_close() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    assert_eq!(lab.segments(), vec!["client>[S]", "server>[S.]", "client>[.]"]);
    assert_eq!(lab.state(lab.client, c), Some(TcpState::Established));
    assert_eq!(lab.state(lab.server, a), Some(TcpState::Established));
    assert_eq!(lab.ok(lab.client, send(c, b"hello")), CallValue::Sent(5));
    lab.run();
    let got = lab.ok(lab.server, recv(a, 100));
    assert_eq!(data(&got), b"hello");
    lab.ok(lab.client, SysCall::Close { fd: c });
    lab.run_for(50_000);
    assert_eq!(lab.state(lab.server, a), Some(TcpState::CloseWait));
    assert_eq!(data(&lab.ok(lab.server, recv(a, 100))), b"");
    lab.ok(lab.server, SysCall::Close { fd: a });
    lab.run_for(50_000);
    println!("{:#?}", lab.segments());
    assert_eq!(
        lab.segments(),
        vec![
            "client>[S]",
            "server>[S.]",
            "client>[.]",
            "client>[P.]5",
            "server>[.]",
            "client>[F.]",
            "server>[.]",
            "server>[F.]",
            "client>[.]"
        ]
    );
    lab.run();
    assert!(lab.world.is_idle());
}
