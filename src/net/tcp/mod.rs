//! TCP: a sans-IO connection machine. Segments and timer expiries go in; segments,
//! state changes and timer deadlines come out. The world does all the moving.

pub mod congestion;
pub mod conn;
pub mod cubic;
pub mod delack;
pub mod rack;
pub mod recv_queue;
pub mod reno;
pub mod rtt;
pub mod sack;
pub mod segment;
pub mod send_queue;
pub mod socket;
pub mod state;
pub mod timers;
pub mod timestamps;
pub mod window;

use congestion::CongestionControl;
use serde::{Deserialize, Serialize};

/// Stack-wide TCP settings. Defaults follow Linux where a lesson can see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TcpConfig {
    /// `net.ipv4.tcp_syn_retries`: SYN retransmissions before ETIMEDOUT, beyond
    /// the linear ones.
    pub syn_retries: u32,
    /// `net.ipv4.tcp_syn_linear_timeouts` (Linux 6.5 on): the initial RTO is
    /// kept for this many SYN retransmissions before it starts doubling, and as
    /// many more are sent before ETIMEDOUT. 0 gives the older, purely
    /// exponential backoff.
    pub syn_linear_timeouts: u32,
    /// `net.ipv4.tcp_synack_retries`.
    pub synack_retries: u32,
    /// `net.ipv4.tcp_retries2`: data retransmissions before ETIMEDOUT.
    pub data_retries: u32,
    /// `net.ipv4.tcp_orphan_retries`: the retransmissions a connection its
    /// application closed gets. 0, Linux's default, means 8 while its RTO
    /// is below the maximum and none once it is (`tcp_orphan_retries`).
    #[serde(default)]
    pub orphan_retries: u32,
    pub rto_initial_us: u64,
    pub rto_min_us: u64,
    pub rto_max_us: u64,
    /// Maximum segment lifetime; TIME-WAIT lasts twice this (Linux: 60 s in all).
    pub msl_us: u64,
    /// How long an orphaned FIN-WAIT-2 waits for the peer's FIN.
    pub fin_timeout_us: u64,
    /// Initial congestion window in segments (RFC 6928, Linux: 10).
    pub initial_cwnd_segments: u32,
    /// ACKs as Linux sends them (quick-ACK mode, delayed ACKs, pingpong: see
    /// delack.rs). Off is the script's `option ack immediate`: every segment
    /// is acknowledged at once, as a route with `quickack 1` makes Linux do.
    pub delayed_ack: bool,
    /// The least delayed-ACK timeout (Linux's `TCP_ATO_MIN`, 40 ms).
    pub delayed_ack_us: u64,
    /// Nagle's algorithm, on by default as in Linux (`TCP_NODELAY` turns it off).
    pub nagle: bool,
    /// `net.ipv4.tcp_wmem[1]` (16384 on Linux): a socket's send buffer, in
    /// memory (data and the bookkeeping of its skbs, see
    /// [`send_queue::SKB_OVERHEAD`]), until its connection is established and
    /// sizes it for the initial window. The script's `tcp send_buffer N` sets
    /// this and the ceiling below to N, as `tcp_wmem` "4096 N N" does.
    pub send_buffer: usize,
    /// `net.ipv4.tcp_wmem[2]` (4 MiB on Linux 6.18): the most the send buffer
    /// grows to with the congestion window (`tcp_sndbuf_expand`).
    #[serde(default = "send_buffer_max_default")]
    pub send_buffer_max: usize,
    /// The application set SO_SNDBUF (Linux's SOCK_SNDBUF_LOCK): the buffer
    /// stays as set, twice the size asked.
    #[serde(default)]
    pub send_buffer_locked: bool,
    /// Bytes of data a socket's receive buffer holds: the room Linux's
    /// `tcp_full_space` gives, half its buffer (the 6.x default scaling
    /// ratio): `tcp_rmem[1]` 131072 holds 65536, as `SO_RCVBUF` 65536 does
    /// (Linux keeps twice the size asked for). The script's
    /// `tcp recv_buffer N` sets this room and the ceiling below to match it.
    pub recv_buffer: usize,
    /// `net.ipv4.tcp_rmem[2]` (32 MiB on Linux 6.18): the buffer receive
    /// autotuning may grow to, holding half as much data, and one of the
    /// sizes the window-scale shift is chosen for (10).
    pub recv_buffer_max: usize,
    /// `net.core.rmem_max` (Linux's default `SK_RMEM_MAX`, 212992): the
    /// largest `SO_RCVBUF` takes, and the other size `tcp_select_initial_window`
    /// chooses the scale shift for, so a small `tcp_rmem` still scales by 2.
    #[serde(default = "rmem_max_default")]
    pub rmem_max: usize,
    /// `net.core.wmem_max` (Linux's default `SK_WMEM_MAX`, 212992): the
    /// largest `SO_SNDBUF` takes.
    #[serde(default = "wmem_max_default")]
    pub wmem_max: usize,
    /// The application set SO_RCVBUF (Linux's SOCK_RCVBUF_LOCK): the buffer
    /// stays as set and the scale shift fits it alone.
    pub recv_buffer_locked: bool,
    /// RFC 7323 window scaling.
    pub window_scaling: bool,
    /// `net.ipv4.tcp_timestamps`: RFC 7323 timestamps offered and accepted
    /// (Linux: on).
    pub timestamps: bool,
    /// `net.ipv4.tcp_sack`: offer SACK (RFC 2018) in the SYN and use it when
    /// the peer offers it too. Linux's default is on.
    #[serde(default = "sack_default")]
    pub sack: bool,
    /// `net.ipv4.tcp_early_retrans` 3, Linux's default: a SACK connection
    /// that hears nothing for about two round trips after sending probes
    /// with one segment (tail loss probe, RFC 8985) instead of waiting for
    /// the RTO. 0 turns it off.
    #[serde(default = "tail_loss_probe_default")]
    pub tail_loss_probe: bool,
    /// `net.ipv4.tcp_frto` 2, Linux's default: after a retransmission
    /// timeout, the first ACK that moves `snd_una` lets two new segments go
    /// before any more retransmissions (F-RTO, RFC 5682), to learn whether
    /// the timeout was spurious. 0 turns it off.
    #[serde(default = "frto_default")]
    pub frto: bool,
    /// `net.ipv4.tcp_congestion_control`: the algorithm new connections use
    /// (CUBIC, as on Linux).
    pub congestion: CongestionControl,
}

/// A TCP setting one host holds apart from the stack-wide [`TcpConfig`], as
/// Linux keeps these sysctls per network namespace (`host NAME tcp_timestamps 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostTcpSetting {
    /// `net.ipv4.tcp_timestamps`.
    Timestamps(bool),
    /// `net.ipv4.tcp_sack`.
    Sack(bool),
    /// `net.ipv4.tcp_early_retrans`: on (3 or 4) sends tail loss probes.
    EarlyRetrans(bool),
    /// `net.ipv4.tcp_frto`: on (1 or 2) probes with new data after a timeout.
    Frto(bool),
}

impl HostTcpSetting {
    pub fn apply(&self, cfg: &mut TcpConfig) {
        match *self {
            HostTcpSetting::Timestamps(on) => cfg.timestamps = on,
            HostTcpSetting::Sack(on) => cfg.sack = on,
            HostTcpSetting::EarlyRetrans(on) => cfg.tail_loss_probe = on,
            HostTcpSetting::Frto(on) => cfg.frto = on,
        }
    }
}

/// Two settings of a [`TcpConfig`] that cannot hold together. The script
/// language refuses them where they are written; the core, handed one anyway,
/// still never panics (the ceiling `rto_max` wins, as Linux's `tcp_bound_rto`
/// applies it last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TcpConfigConflict {
    /// No retransmission timeout can be at least `rto_min` and at most `rto_max`.
    RtoMinAboveMax { rto_min_us: u64, rto_max_us: u64 },
    /// The first timeout is already past the ceiling its backoff may reach.
    RtoInitialAboveMax { rto_initial_us: u64, rto_max_us: u64 },
}

impl TcpConfig {
    /// The most data the receive buffer may come to hold: what it holds when
    /// SO_RCVBUF fixed it, otherwise half of `tcp_rmem[2]` (or the buffer
    /// itself, when a script set it larger).
    pub fn recv_buffer_limit(&self) -> usize {
        if self.recv_buffer_locked {
            self.recv_buffer
        } else {
            self.recv_buffer.max(self.recv_buffer_max / 2)
        }
    }

    /// The script's `tcp recv_buffer N`: every connection's receive buffer
    /// holds `bytes` of data and autotuning does not grow it, as the
    /// namespace's `tcp_rmem` "4096 2N 2N" makes Linux do (its buffers count
    /// twice their data, as `SO_RCVBUF` N gives 2N).
    pub fn set_recv_buffer(&mut self, bytes: usize) {
        self.recv_buffer = bytes;
        self.recv_buffer_max = bytes.saturating_mul(2);
    }

    /// The receive window's scale shift (`tcp_select_initial_window`): it
    /// fits the largest the buffer may become, `tcp_rmem[2]` or
    /// `net.core.rmem_max`, whichever is larger, unless `SO_RCVBUF` fixed the
    /// buffer (then `window_clamp` is its room, and the shift fits that).
    pub fn recv_scale_shift(&self) -> u8 {
        if !self.window_scaling {
            return 0;
        }
        let space = if self.recv_buffer_locked {
            self.recv_buffer
        } else {
            self.recv_buffer.max(self.recv_buffer_max).max(self.rmem_max)
        };
        window::scale_shift(space)
    }

    /// The first pair of settings that contradict each other, if any.
    pub fn conflict(&self) -> Option<TcpConfigConflict> {
        if self.rto_min_us > self.rto_max_us {
            return Some(TcpConfigConflict::RtoMinAboveMax {
                rto_min_us: self.rto_min_us,
                rto_max_us: self.rto_max_us,
            });
        }
        if self.rto_initial_us > self.rto_max_us {
            return Some(TcpConfigConflict::RtoInitialAboveMax {
                rto_initial_us: self.rto_initial_us,
                rto_max_us: self.rto_max_us,
            });
        }
        None
    }
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            syn_retries: 6,
            syn_linear_timeouts: 4,
            synack_retries: 5,
            data_retries: 15,
            orphan_retries: 0,
            rto_initial_us: 1_000_000,
            rto_min_us: 200_000,
            rto_max_us: 120_000_000,
            msl_us: 30_000_000,
            fin_timeout_us: 60_000_000,
            initial_cwnd_segments: 10,
            delayed_ack: true,
            delayed_ack_us: delack::ATO_MIN_US,
            nagle: true,
            send_buffer: 16_384,
            send_buffer_max: send_buffer_max_default(),
            send_buffer_locked: false,
            recv_buffer: 65_536,
            recv_buffer_max: 33_554_432,
            rmem_max: 212_992,
            wmem_max: 212_992,
            recv_buffer_locked: false,
            window_scaling: true,
            timestamps: true,
            sack: true,
            tail_loss_probe: true,
            frto: true,
            congestion: CongestionControl::default(),
        }
    }
}

fn tail_loss_probe_default() -> bool {
    true
}

fn frto_default() -> bool {
    true
}

fn sack_default() -> bool {
    TcpConfig::default().sack
}

fn rmem_max_default() -> usize {
    TcpConfig::default().rmem_max
}

fn wmem_max_default() -> usize {
    TcpConfig::default().wmem_max
}

/// Linux 6.18's `tcp_wmem[2]`.
fn send_buffer_max_default() -> usize {
    4 << 20
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_shift_fits_the_larger_of_tcp_rmem_max_and_rmem_max() {
        // Linux 6.18's SYNs: default sysctls, wscale 10 (tcp_rmem[2] 32 MiB).
        assert_eq!(TcpConfig::default().recv_scale_shift(), 10);
        // `tcp recv_buffer 4096` is tcp_rmem "4096 8192 8192": rmem_max
        // decides, 212992 → 2; with this host's 4194304 the kernel said 7.
        let mut small = TcpConfig::default();
        small.set_recv_buffer(4096);
        assert_eq!((small.recv_buffer, small.recv_buffer_max, small.recv_buffer_limit()), (4096, 8192, 4096));
        assert_eq!(small.recv_scale_shift(), 2);
        assert_eq!(TcpConfig { rmem_max: 4_194_304, ..small.clone() }.recv_scale_shift(), 7);
        // A million bytes of data (tcp_rmem[2] 2000000): shift 5, and 7 again
        // under the host's rmem_max, as the kernel's slow_start SYN showed.
        let mut large = TcpConfig::default();
        large.set_recv_buffer(1_000_000);
        assert_eq!(large.recv_scale_shift(), 5);
        assert_eq!(TcpConfig { rmem_max: 4_194_304, ..large }.recv_scale_shift(), 7);
        // SO_RCVBUF 4096 before listen: window_clamp is its room, shift 0
        // (zero_window's SYN-ACK); no scaling at all when it is off.
        assert_eq!(TcpConfig { recv_buffer_locked: true, ..small.clone() }.recv_scale_shift(), 0);
        assert_eq!(TcpConfig { window_scaling: false, ..TcpConfig::default() }.recv_scale_shift(), 0);
    }

    #[test]
    fn the_defaults_agree_and_a_ceiling_below_the_floor_does_not() {
        assert_eq!(TcpConfig::default().conflict(), None);
        let cfg = TcpConfig { rto_max_us: 100_000, ..TcpConfig::default() };
        assert_eq!(
            cfg.conflict(),
            Some(TcpConfigConflict::RtoMinAboveMax { rto_min_us: 200_000, rto_max_us: 100_000 })
        );
        let cfg = TcpConfig { rto_min_us: 50_000, rto_max_us: 500_000, ..TcpConfig::default() };
        assert_eq!(
            cfg.conflict(),
            Some(TcpConfigConflict::RtoInitialAboveMax { rto_initial_us: 1_000_000, rto_max_us: 500_000 })
        );
    }
}
