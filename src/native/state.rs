//! TCP states as the kernel reports them, so `expect state` is the kernel's
//! word on real sockets.
//!
//! An open socket's state comes from `getsockopt(TCP_INFO)` (`tcp_get_info`
//! fills `tcpi_state` from `sk_state`). A socket the script has closed has no
//! descriptor left, yet the kernel keeps the connection (FIN-WAIT-2, LAST-ACK,
//! TIME-WAIT...): its state is read from `/proc/net/tcp` by its two ends, as
//! `ss` shows it (`get_tcp4_sock`, `get_timewait4_sock`); a connection the
//! kernel no longer lists is CLOSED.

use super::block::parse_ip;
use crate::net::tcp::state::TcpState;
use crate::net::SocketAddrV4;
use socket2::Socket;
use std::io::{self, BufRead, BufReader};
use std::os::fd::AsRawFd;

/// The kernel's `enum tcp_state` (include/net/tcp_states.h) in the model's words.
pub fn from_kernel(state: u8) -> Option<TcpState> {
    Some(match state {
        1 => TcpState::Established,
        2 => TcpState::SynSent,
        // 12 is TCP_NEW_SYN_RECV, the request socket a listener keeps for a
        // half-open connection: SYN-RECEIVED in RFC 9293's words.
        3 | 12 => TcpState::SynReceived,
        4 => TcpState::FinWait1,
        5 => TcpState::FinWait2,
        6 => TcpState::TimeWait,
        7 => TcpState::Closed,
        8 => TcpState::CloseWait,
        9 => TcpState::LastAck,
        10 => TcpState::Listen,
        11 => TcpState::Closing,
        _ => return None,
    })
}

/// An open TCP socket's state, from `TCP_INFO`.
pub fn of_socket(socket: &Socket) -> io::Result<TcpState> {
    let info = tcp_info(socket)?;
    from_kernel(info.tcpi_state).ok_or_else(|| io::Error::other(format!("unknown tcpi_state {}", info.tcpi_state)))
}

/// What `getsockopt(TCP_INFO)` says of an open TCP socket (`tcp_get_info`).
pub fn tcp_info(socket: &Socket) -> io::Result<libc::tcp_info> {
    // SAFETY: tcp_info is plain old data; all zeroes is a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes into `info` and updates `len`.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(info)
}

/// The state of the connection between `local` and `peer` (real addresses),
/// as the table of this thread's namespace lists it (`/proc/thread-self/net/tcp`:
/// `/proc/net` is the process's, and a host's namespace is entered by this
/// thread alone, see [`super::links`]); CLOSED when it is not listed.
pub fn of_connection(local: SocketAddrV4, peer: SocketAddrV4) -> io::Result<TcpState> {
    let file = std::fs::File::open("/proc/thread-self/net/tcp")?;
    for line in BufReader::new(file).lines() {
        if let Some((l, p, st)) = parse_line(&line?) {
            if l == local && p == peer {
                return from_kernel(st).ok_or_else(|| io::Error::other(format!("unknown state {st:02X}")));
            }
        }
    }
    Ok(TcpState::Closed)
}

/// `  0: 0201017F:1F90 0202017F:9C40 06 ...`: both ends and the state; the
/// header and anything unexpected give nothing.
fn parse_line(line: &str) -> Option<(SocketAddrV4, SocketAddrV4, u8)> {
    let mut fields = line.split_whitespace().skip(1);
    let end = |f: &str| {
        let (ip, port) = f.split_once(':')?;
        Some(SocketAddrV4::new(parse_ip(ip)?, u16::from_str_radix(port, 16).ok()?))
    };
    let local = end(fields.next()?)?;
    let peer = end(fields.next()?)?;
    let state = u8::from_str_radix(fields.next()?, 16).ok()?;
    Some((local, peer, state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Ipv4Addr;

    #[test]
    fn a_proc_net_tcp_line_gives_both_ends_and_the_state() {
        let word = |b: [u8; 4]| format!("{:08X}", u32::from_ne_bytes(b));
        let line = format!(
            "   3: {}:0050 {}:9C40 06 00000000:00000000 03:0000176D 00000000     0        0 0 3 0000000005480f75",
            word([127, 1, 1, 2]),
            word([127, 1, 2, 2])
        );
        let (l, p, st) = parse_line(&line).unwrap();
        assert_eq!(l, SocketAddrV4::new(Ipv4Addr::new(127, 1, 1, 2), 80));
        assert_eq!(p, SocketAddrV4::new(Ipv4Addr::new(127, 1, 2, 2), 40000));
        assert_eq!(from_kernel(st), Some(TcpState::TimeWait));
        assert!(parse_line("  sl  local_address rem_address   st tx_queue").is_none());
        assert_eq!(from_kernel(0), None);
        assert_eq!(from_kernel(12), Some(TcpState::SynReceived));
    }
}
