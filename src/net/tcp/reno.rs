//! Reno's window growth as Linux's `tcp_cong.c` has it, counted in packets:
//! `tcp_slow_start` and `tcp_cong_avoid_ai`, which CUBIC shares, and
//! `tcp_reno_cong_avoid` and `tcp_reno_ssthresh` built on them.

/// Linux's `tcp_slow_start`: one packet of window per packet ACKed, not past
/// `ssthresh`. Returns the new cwnd and the ACKed packets left over, which
/// count in congestion avoidance.
pub fn slow_start(cwnd: u32, ssthresh: u32, acked: u32) -> (u32, u32) {
    let grown = cwnd.saturating_add(acked).min(ssthresh).max(cwnd);
    (grown, acked - (grown - cwnd))
}

/// Linux's `tcp_cong_avoid_ai`: one packet of window per `w` packets ACKed,
/// counted in `cwnd_cnt` (`snd_cwnd_cnt`). Returns the new cwnd.
pub fn cong_avoid_ai(cwnd: u32, w: u32, acked: u32, cwnd_cnt: &mut u32) -> u32 {
    let w = w.max(1);
    let mut cwnd = cwnd;
    // A count left from a larger w (cwnd fell since) earns its packet first.
    if *cwnd_cnt >= w {
        *cwnd_cnt = 0;
        cwnd = cwnd.saturating_add(1);
    }
    *cwnd_cnt = cwnd_cnt.saturating_add(acked);
    if *cwnd_cnt >= w {
        let more = *cwnd_cnt / w;
        *cwnd_cnt -= more * w;
        cwnd = cwnd.saturating_add(more);
    }
    cwnd
}

/// Reno (RFC 5681) as Linux runs it: slow start, then one packet of window
/// per window of packets ACKed.
#[derive(Clone, Debug, Default)]
pub struct Reno {
    /// Packets ACKed towards the next increase (`snd_cwnd_cnt`).
    cwnd_cnt: u32,
}

impl Reno {
    /// `tcp_reno_cong_avoid` for `acked` packets, cwnd-limited already
    /// checked. Windows in packets; returns the new cwnd.
    pub fn cong_avoid(&mut self, cwnd: u32, ssthresh: u32, acked: u32) -> u32 {
        let (mut cwnd, mut acked) = (cwnd, acked);
        if cwnd < ssthresh {
            (cwnd, acked) = slow_start(cwnd, ssthresh, acked);
            if acked == 0 {
                return cwnd;
            }
        }
        cong_avoid_ai(cwnd, cwnd, acked, &mut self.cwnd_cnt)
    }

    /// `tcp_reno_ssthresh`: half the window at the loss, at least two packets.
    pub fn ssthresh(cwnd: u32) -> u32 {
        (cwnd / 2).max(2)
    }

    /// A reduction starts counting over (`tcp_init_cwnd_reduction` and
    /// `tcp_enter_loss` clear `snd_cwnd_cnt`).
    pub fn restart_count(&mut self) {
        self.cwnd_cnt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_adds_every_packet_acked_up_to_ssthresh_and_hands_back_the_rest() {
        assert_eq!(slow_start(10, 100, 2), (12, 0));
        assert_eq!(slow_start(10, 11, 3), (11, 2));
        assert_eq!(slow_start(12, 11, 3), (12, 3), "past ssthresh already: nothing");
    }

    #[test]
    fn an_ack_of_two_packets_grows_slow_start_by_two() {
        // A delayed ACK covers two segments; RFC 3465's L = 1 SMSS would add
        // one, Linux adds both (tcp_slow_start counts pkts_acked).
        let mut reno = Reno::default();
        assert_eq!(reno.cong_avoid(10, u32::MAX, 2), 12);
        assert_eq!(reno.cong_avoid(12, 13, 2), 13, "only to ssthresh; the other packet starts the count");
        assert_eq!(reno.cwnd_cnt, 1);
    }

    #[test]
    fn congestion_avoidance_adds_one_packet_per_window_of_packets_acked() {
        let mut reno = Reno::default();
        let mut cwnd = 5;
        let mut seen = Vec::new();
        for _ in 0..6 {
            cwnd = reno.cong_avoid(cwnd, 5, 1);
            seen.push(cwnd);
        }
        // Five ACKed packets at cwnd 5 earn the sixth packet; the count restarts.
        assert_eq!(seen, [5, 5, 5, 5, 6, 6]);
        // Two-packet ACKs (delayed ACKs) reach a window of 6 in three.
        let grown: Vec<u32> = (0..3).map(|_| reno.cong_avoid(6, 5, 2)).collect();
        assert_eq!(grown, [6, 6, 7]);
    }

    #[test]
    fn ssthresh_is_half_the_window_but_never_below_two_packets() {
        assert_eq!(Reno::ssthresh(10), 5);
        assert_eq!(Reno::ssthresh(3), 2);
    }
}
