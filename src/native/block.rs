//! Which loopback block a real run takes.
//!
//! A run's addresses are 127.b.h.x for one block b in 1..=250, h ≥ 1 per host (see
//! [`super::map::AddressMap::new`]). Its TCP sockets outlive it: the side that
//! closes first stays in TIME-WAIT for 60 s, holding its address and port. Every
//! process used to count blocks from 1, so a script run twice in a row, as two
//! processes, met the first run's TIME-WAIT on its own ports (EADDRINUSE).
//!
//! So a run takes a block where no socket of any kind exists: none of this
//! network namespace's sockets listed in `/proc/net/{tcp,udp,tcp6,udp6}` has
//! an address in 127.b.0.0/16 at either end. It then claims the block by binding a
//! UDP socket to 127.b.0.1:[`CLAIM_PORT`] (no script address is in 127.b.0.0/24), which
//! a second process choosing at the same moment cannot also bind, and which the
//! listing shows to every later scan while the run holds it. The search starts
//! at an offset taken from the process id and moves on by one with every run,
//! so processes running side by side seldom even try the same block.

use super::Refusal;
use socket2::{Domain, SockAddr, Socket, Type};
use std::io::{self, BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::atomic::{AtomicU32, Ordering};

/// Blocks a run may take: 127.1 to 127.250 (127.0.0.0/24 stays for whatever
/// else the machine runs).
pub const BLOCKS: std::ops::RangeInclusive<u8> = 1..=250;

/// The port of the claim socket on 127.b.0.1: fixed, so two claims of one block
/// collide, and outside Linux's ephemeral range (32768-60999), so no automatic
/// bind takes it first.
pub const CLAIM_PORT: u16 = 65535;

/// The socket tables of this network namespace, as the kernel lists them.
const SOCKET_TABLES: [&str; 4] = ["/proc/net/tcp", "/proc/net/udp", "/proc/net/tcp6", "/proc/net/udp6"];

/// Runs this process has started, so its successive runs start their search at
/// successive blocks.
static RUNS: AtomicU32 = AtomicU32::new(0);

/// A block held for one run: the claim socket is closed when this is dropped.
#[derive(Debug)]
pub struct BlockClaim {
    block: u8,
    _claim: Socket,
}

impl BlockClaim {
    pub fn block(&self) -> u8 {
        self.block
    }
}

/// Claims a block with no socket on it, searching from this process's next
/// starting point.
pub fn claim() -> Result<BlockClaim, Refusal> {
    // A multiplicative hash spreads neighbouring process ids over the blocks.
    let start = std::process::id().wrapping_mul(2_654_435_761) >> 8;
    let start = start.wrapping_add(RUNS.fetch_add(1, Ordering::Relaxed));
    let (block, socket) = search(start, &busy_blocks(), claim_block)?;
    Ok(BlockClaim { block, _claim: socket })
}

/// Tries every block once, from `start`, skipping those `busy` marks, until
/// `try_claim` holds one.
fn search<T>(
    start: u32,
    busy: &[bool; 256],
    mut try_claim: impl FnMut(u8) -> io::Result<T>,
) -> Result<(u8, T), Refusal> {
    let first = *BLOCKS.start();
    let count = u32::from(*BLOCKS.end() - first) + 1;
    for i in 0..count {
        let Ok(block) = u8::try_from(start.wrapping_add(i) % count + u32::from(first)) else { continue };
        if busy[usize::from(block)] {
            continue;
        }
        match try_claim(block) {
            Ok(claim) => return Ok((block, claim)),
            // Another run holds it (it claimed after our scan): try the next.
            Err(e) if e.raw_os_error() == Some(libc::EADDRINUSE) => continue,
            // Loopback itself is unusable (down, say): no block will do better.
            Err(e) => return Err(Refusal::LoopbackUnusable(e.to_string())),
        }
    }
    Err(Refusal::NoFreeBlock)
}

fn claim_block(block: u8) -> io::Result<Socket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, None)?;
    socket.bind(&SockAddr::from(SocketAddrV4::new(Ipv4Addr::new(127, block, 0, 1), CLAIM_PORT)))?;
    Ok(socket)
}

/// Which blocks have a socket on them now, in this network namespace. A table
/// that cannot be read (no IPv6, say) tells nothing; the claim still keeps two
/// live runs apart.
pub fn busy_blocks() -> [bool; 256] {
    let mut busy = [false; 256];
    for table in SOCKET_TABLES {
        let Ok(file) = std::fs::File::open(table) else { continue };
        // Line by line: the tables grow with the machine's sockets, and only one
        // line is held at a time.
        for line in BufReader::new(file).lines() {
            let Ok(line) = line else { break };
            for ip in socket_ends(&line) {
                let [a, b, _, _] = ip.octets();
                if a == 127 {
                    busy[usize::from(b)] = true;
                }
            }
        }
    }
    busy
}

/// The local and remote IPv4 addresses of one line of a /proc/net socket table
/// (`  0: 0200017F:1F90 0300017F:9C40 06 ...`), IPv4-mapped IPv6 ones included.
/// The header and anything unexpected give none.
fn socket_ends(line: &str) -> impl Iterator<Item = Ipv4Addr> + '_ {
    line.split_whitespace().skip(1).take(2).filter_map(|end| end.split_once(':').and_then(|(ip, _)| parse_ip(ip)))
}

/// The kernel prints each 32-bit word of an address as it lies in memory, read
/// as a host-order number (`%08X`): its bytes in memory order are the word's
/// native-endian bytes.
pub(super) fn parse_ip(hex: &str) -> Option<Ipv4Addr> {
    let word = |i: usize| hex.get(i * 8..i * 8 + 8).and_then(|w| u32::from_str_radix(w, 16).ok()).map(u32::to_ne_bytes);
    match hex.len() {
        8 => word(0).map(Ipv4Addr::from),
        32 => {
            let bytes: Vec<u8> = (0..4).map(word).collect::<Option<Vec<[u8; 4]>>>()?.concat();
            std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?).to_ipv4_mapped()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as this machine's kernel prints them, their words rebuilt from the
    /// address bytes so the test holds on either byte order.
    fn word(bytes: [u8; 4]) -> String {
        format!("{:08X}", u32::from_ne_bytes(bytes))
    }

    #[test]
    fn socket_tables_are_read_at_both_ends_and_in_both_families() {
        let tcp = format!(
            "   0: {}:1F90 {}:9C40 06 00000000:00000000 03:0000176D 00000000     0        0 0 3 0000000005480f75",
            word([127, 1, 0, 2]),
            word([127, 9, 0, 3])
        );
        assert_eq!(socket_ends(&tcp).collect::<Vec<_>>(), [Ipv4Addr::new(127, 1, 0, 2), Ipv4Addr::new(127, 9, 0, 3)]);
        let mapped = format!("{}{}{}{}", word([0; 4]), word([0; 4]), word([0, 0, 0xff, 0xff]), word([127, 7, 0, 2]));
        let v6 = format!("  1: {mapped}:0050 {}:0000 0A 0", "0".repeat(32));
        assert_eq!(socket_ends(&v6).collect::<Vec<_>>(), [Ipv4Addr::new(127, 7, 0, 2)]);
        let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
        assert_eq!(socket_ends(header).count(), 0);
        assert_eq!(socket_ends("   0: 7F:1 zz:2").count(), 0);
    }

    /// The search alone: no socket is opened (unit tests run outside the
    /// loopback-only namespace; tests/native.rs claims blocks inside one).
    #[test]
    fn the_search_skips_busy_and_claimed_blocks_and_wraps_around() {
        let in_use = || Err::<(), _>(io::Error::from_raw_os_error(libc::EADDRINUSE));
        let mut busy = [true; 256];
        assert_eq!(search(0, &busy, |_| Ok(())), Err(Refusal::NoFreeBlock));
        busy[3] = false;
        busy[200] = false;
        // From 249 (block 250) the search wraps to block 1 and finds 3.
        assert_eq!(search(249, &busy, |_| Ok(())), Ok((3, ())));
        // Block 3 claimed by another run between the scan and the bind: 200 is next.
        assert_eq!(search(249, &busy, |b| if b == 3 { in_use() } else { Ok(()) }), Ok((200, ())));
        assert_eq!(search(0, &busy, |_| in_use()), Err(Refusal::NoFreeBlock));
        let down = search(0, &busy, |_| Err::<(), _>(io::Error::from_raw_os_error(libc::EADDRNOTAVAIL)));
        assert!(matches!(down, Err(Refusal::LoopbackUnusable(_))), "{down:?}");
        // Every start lands in 1..=250.
        let free = [false; 256];
        for start in [0, 1, 249, 250, u32::MAX] {
            let (block, ()) = search(start, &free, |_| Ok(())).unwrap();
            assert!(BLOCKS.contains(&block), "{start} -> {block}");
        }
    }
}
