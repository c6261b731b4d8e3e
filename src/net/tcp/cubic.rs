//! CUBIC (RFC 9438) as Linux runs it (net/ipv4/tcp_cubic.c, its default
//! congestion control), HyStart included.
//!
//! After a loss the window is cut to β = 717/1024 of itself, and then grows
//! along a cubic curve of the time since the loss: fast while far below the
//! window where the loss happened (`W_max`), flat near it, then probing beyond
//! it ever faster. A connection that would have grown faster under Reno
//! (short RTTs) follows Reno's line instead ("TCP friendliness").
//!
//! Like Linux, CUBIC counts in packets (`snd_cwnd`), and the rest of the stack
//! in bytes: [`super::congestion`] converts with the MSS.
//!
//! Two choices of this model, both deterministic:
//! - Linux keeps the epoch in jiffies; here one jiffy is one millisecond
//!   (`CONFIG_HZ=1000`).
//! - K, the time the curve takes back to `W_max`, is an exact integer cube
//!   root; Linux's `cubic_root` is a table lookup plus one Newton step, within
//!   about 0.2% of it.

use super::reno::{cong_avoid_ai, slow_start};
use super::segment::SeqNumber;

/// β: the window keeps 717/1024 (≈ 0.7) of itself after a loss.
const BETA: u32 = 717;
const BETA_SCALE: u32 = 1024;
/// C = 41/1024·10 ≈ 0.4 (RFC 9438's C), as Linux scales it for a 100 ms RTT.
const BIC_SCALE: u64 = 41;
const CUBE_RTT_SCALE: u64 = BIC_SCALE * 10;
/// Time in the cubic function counts in 1/1024 s.
const BICTCP_HZ: u32 = 10;
/// 2^40 / (C·10): K = cbrt(CUBE_FACTOR · (W_max − cwnd)) in 1/1024 s.
const CUBE_FACTOR: u64 = (1 << (10 + 3 * BICTCP_HZ)) / (BIC_SCALE * 10);
/// Reno's growth as CUBIC estimates it: one packet per `cwnd · 15 / 8` ACKed
/// (3β / (1 − β) ... scaled by 8, Linux's `beta_scale`).
const FRIENDLY_SCALE: u32 = 8 * (BETA_SCALE + BETA) / 3 / (BETA_SCALE - BETA);
/// Microseconds per jiffy (HZ = 1000).
const US_PER_JIFFY: u64 = 1000;

/// HyStart looks for the end of slow start only from this window on.
const HYSTART_LOW_WINDOW: u32 = 16;
/// ACKs this close together belong to one train.
const HYSTART_ACK_DELTA_US: u64 = 2000;
/// RTT samples per round before the delay test speaks.
const HYSTART_MIN_SAMPLES: u8 = 8;
/// The delay test's margin over the minimum RTT: an eighth of it, within these.
const HYSTART_DELAY_MIN_US: u64 = 4000;
const HYSTART_DELAY_MAX_US: u64 = 16_000;
/// The burst size `hystart_ack_delay` allows for (`GSO_LEGACY_MAX_SIZE`).
const GSO_MAX_SIZE: u64 = 65_536;

/// One connection's CUBIC state (Linux's `struct bictcp`).
#[derive(Clone, Debug)]
pub struct Cubic {
    /// Grow cwnd by one packet per `cnt` packets ACKed.
    cnt: u32,
    /// W_max: the window at the last loss (lowered by fast convergence).
    last_max_cwnd: u32,
    /// The window and the time (µs) `cnt` was last computed for.
    last_cwnd: u32,
    last_time_us: u64,
    /// The curve's plateau, and K: when (1/1024 s after the epoch's start) it is reached.
    origin_point: u32,
    k: u32,
    /// The smallest RTT seen (µs), 0 before any.
    delay_min_us: u64,
    /// When the current epoch (growth since the last reduction) began, in ms.
    epoch_start_ms: Option<u64>,
    /// Packets ACKed in this epoch, and the window Reno would have by now.
    ack_cnt: u32,
    tcp_cwnd: u32,
    /// Packets ACKed towards the next increase (Linux's `snd_cwnd_cnt`).
    cwnd_cnt: u32,
    hystart: HyStart,
}

/// HyStart's round: it ends slow start when ACK trains stretch or RTTs grow.
#[derive(Clone, Debug)]
struct HyStart {
    found: bool,
    round_start_us: u64,
    /// The round ends when this is ACKed.
    end_seq: SeqNumber,
    last_ack_us: u64,
    /// The smallest RTT of this round's first samples.
    curr_rtt_us: u64,
    sample_cnt: u8,
}

/// What an ACK tells CUBIC besides how much it acknowledged.
#[derive(Clone, Copy, Debug)]
pub struct AckSample {
    pub now_us: u64,
    /// The round trip of the newest segment this ACK covers, unless it was
    /// retransmitted (Linux's `ca_rtt_us`, −1 then).
    pub rtt_us: Option<u64>,
    pub snd_una: SeqNumber,
    pub snd_nxt: SeqNumber,
    /// The smoothed RTT, for the pacing rate HyStart's ACK-train test allows for.
    pub srtt_us: Option<u64>,
}

impl Cubic {
    /// Linux's `cubictcp_init`: a fresh curve, HyStart's first round from `snd_nxt`.
    pub fn new(now_us: u64, snd_nxt: SeqNumber) -> Cubic {
        Cubic {
            cnt: 0,
            last_max_cwnd: 0,
            last_cwnd: 0,
            last_time_us: 0,
            origin_point: 0,
            k: 0,
            delay_min_us: 0,
            epoch_start_ms: None,
            ack_cnt: 0,
            tcp_cwnd: 0,
            cwnd_cnt: 0,
            hystart: HyStart::new(now_us, snd_nxt),
        }
    }

    /// `cubictcp_cwnd_event(CA_EVENT_TX_START)`: the application left the
    /// connection idle since `last_sent_us`; the epoch starts that much later
    /// (never after now), so the curve resumes where it stopped.
    pub fn on_tx_start(&mut self, now_us: u64, last_sent_us: u64) {
        let now_ms = now_us / US_PER_JIFFY;
        let idle_ms = now_ms.saturating_sub(last_sent_us / US_PER_JIFFY);
        if let Some(start) = self.epoch_start_ms.as_mut().filter(|_| idle_ms > 0) {
            *start = (*start + idle_ms).min(now_ms);
        }
    }

    /// Linux's `cubictcp_acked` (with `hystart_update`), for every ACK of new
    /// data: keeps the minimum RTT, and in slow start asks HyStart whether to
    /// stop it. Returns the new ssthresh (packets) when HyStart says so.
    pub fn acked(&mut self, sample: AckSample, cwnd: u32, ssthresh: u32, mss: u32) -> Option<u32> {
        let rtt = sample.rtt_us?;
        // Samples right after a reduction still carry its queue.
        if self.epoch_start_ms.is_some_and(|start| sample.now_us / US_PER_JIFFY < start + 1000) {
            return None;
        }
        let delay = rtt.max(1);
        if self.delay_min_us == 0 || self.delay_min_us > delay {
            self.delay_min_us = delay;
        }
        if self.hystart.found || cwnd >= ssthresh {
            return None;
        }
        self.hystart_update(sample, delay, cwnd, ssthresh, mss)
    }

    fn hystart_update(&mut self, s: AckSample, delay: u64, cwnd: u32, ssthresh: u32, mss: u32) -> Option<u32> {
        if s.snd_una > self.hystart.end_seq {
            self.hystart = HyStart::new(s.now_us, s.snd_nxt);
        }
        if cwnd < HYSTART_LOW_WINDOW {
            return None;
        }
        // ACK train: ACKs still coming back to back half a minimum RTT after
        // the round began mean the pipe is full.
        if s.now_us.saturating_sub(self.hystart.last_ack_us) <= HYSTART_ACK_DELTA_US {
            self.hystart.last_ack_us = s.now_us;
            // Without fq pacing (SK_PACING_NONE) the threshold is halved.
            let threshold = (self.delay_min_us + hystart_ack_delay(s.srtt_us, cwnd, ssthresh, mss)) >> 1;
            if s.now_us.saturating_sub(self.hystart.round_start_us) > threshold {
                self.hystart.found = true;
                return Some(cwnd);
            }
        }
        // Delay: the round's smallest of its first 8 RTTs is well above the minimum.
        self.hystart.curr_rtt_us = self.hystart.curr_rtt_us.min(delay);
        if self.hystart.sample_cnt < HYSTART_MIN_SAMPLES {
            self.hystart.sample_cnt += 1;
        } else {
            let margin = (self.delay_min_us >> 3).clamp(HYSTART_DELAY_MIN_US, HYSTART_DELAY_MAX_US);
            if self.hystart.curr_rtt_us > self.delay_min_us + margin {
                self.hystart.found = true;
                return Some(cwnd);
            }
        }
        None
    }

    /// Linux's `cubictcp_cong_avoid` for `acked` packets, cwnd-limited already
    /// checked: slow start up to ssthresh, then the curve. Returns the new cwnd.
    pub fn cong_avoid(&mut self, cwnd: u32, ssthresh: u32, acked: u32, now_us: u64) -> u32 {
        let (mut cwnd, mut acked) = (cwnd, acked);
        if cwnd < ssthresh {
            (cwnd, acked) = slow_start(cwnd, ssthresh, acked);
            if acked == 0 {
                return cwnd;
            }
        }
        self.update(cwnd, acked, now_us);
        cong_avoid_ai(cwnd, self.cnt, acked, &mut self.cwnd_cnt)
    }

    /// Linux's `bictcp_update`: how many ACKed packets earn one more packet of
    /// window (`cnt`), from the cubic curve and Reno's line.
    fn update(&mut self, cwnd: u32, acked: u32, now_us: u64) {
        self.ack_cnt = self.ack_cnt.saturating_add(acked);
        let since = now_us.saturating_sub(self.last_time_us);
        if self.last_cwnd == cwnd && since <= 1_000_000 / 32 {
            return;
        }
        // At most once a millisecond; a reduction (epoch reset) forces it.
        if !(self.epoch_start_ms.is_some() && since < 1000) {
            self.last_cwnd = cwnd;
            self.last_time_us = now_us;
            let now_ms = now_us / US_PER_JIFFY;
            let epoch_start = *self.epoch_start_ms.get_or_insert_with(|| {
                self.ack_cnt = acked;
                self.tcp_cwnd = cwnd;
                if self.last_max_cwnd <= cwnd {
                    self.k = 0;
                    self.origin_point = cwnd;
                } else {
                    self.k = cube_root(CUBE_FACTOR.saturating_mul(u64::from(self.last_max_cwnd - cwnd)));
                    self.origin_point = self.last_max_cwnd;
                }
                now_ms
            });
            // t: time since the epoch began plus one minimum RTT (where the
            // window will be when this ACK's data is ACKed), in 1/1024 s.
            let t_ms = now_ms.saturating_sub(epoch_start) + self.delay_min_us.div_ceil(US_PER_JIFFY);
            let t = (t_ms << BICTCP_HZ) / 1000;
            let k = u64::from(self.k);
            let offs = t.abs_diff(k);
            // C · (t − K)³, in packets.
            let delta = CUBE_RTT_SCALE.saturating_mul(offs.saturating_pow(3)) >> (10 + 3 * BICTCP_HZ);
            let delta = u32::try_from(delta).unwrap_or(u32::MAX);
            let target =
                if t < k { self.origin_point.saturating_sub(delta) } else { self.origin_point.saturating_add(delta) };
            self.cnt = if target > cwnd { cwnd / (target - cwnd) } else { cwnd.saturating_mul(100) };
            // Before the first loss the curve has no W_max to aim at: grow at
            // least 5% a round.
            if self.last_max_cwnd == 0 {
                self.cnt = self.cnt.min(20);
            }
        }
        // TCP friendliness: never slower than Reno would be (RFC 9438 §4.3).
        let per_packet = (cwnd * FRIENDLY_SCALE) >> 3;
        if per_packet > 0 {
            while self.ack_cnt > per_packet {
                self.ack_cnt -= per_packet;
                self.tcp_cwnd += 1;
            }
        }
        if self.tcp_cwnd > cwnd {
            let max_cnt = cwnd / (self.tcp_cwnd - cwnd);
            self.cnt = self.cnt.min(max_cnt);
        }
        // At most one packet per two ACKed: 1.5× a round.
        self.cnt = self.cnt.max(2);
    }

    /// Linux's `cubictcp_recalc_ssthresh`, on a loss with a window of `cwnd`
    /// packets: the epoch ends; W_max is remembered — lower than `cwnd` when
    /// the window was already below the last W_max (fast convergence, leaving
    /// room to newer flows); the new ssthresh is β · cwnd. The count towards
    /// the next increase starts over, as the reduction clears it
    /// (`tcp_init_cwnd_reduction`, `tcp_enter_loss`).
    pub fn ssthresh(&mut self, cwnd: u32) -> u32 {
        self.epoch_start_ms = None;
        self.cwnd_cnt = 0;
        self.last_max_cwnd =
            if cwnd < self.last_max_cwnd { cwnd * (BETA_SCALE + BETA) / (2 * BETA_SCALE) } else { cwnd };
        (cwnd * BETA / BETA_SCALE).max(2)
    }

    /// Linux's `cubictcp_state(TCP_CA_Loss)`: a retransmission timeout forgets
    /// the curve, the minimum RTT and HyStart's round.
    pub fn on_loss(&mut self, now_us: u64, snd_nxt: SeqNumber) {
        *self = Cubic::new(now_us, snd_nxt);
    }
}

impl HyStart {
    /// Linux's `bictcp_hystart_reset`: a new round from now, ending at `snd_nxt`.
    fn new(now_us: u64, snd_nxt: SeqNumber) -> HyStart {
        HyStart {
            found: false,
            round_start_us: now_us,
            end_seq: snd_nxt,
            last_ack_us: now_us,
            curr_rtt_us: u64::MAX,
            sample_cnt: 0,
        }
    }
}

/// Linux's `hystart_ack_delay`: how late the ACK train may be stretched by the
/// sender's own bursts, at most 1 ms: a 64 KB burst at the pacing rate
/// (`tcp_update_pacing_rate`: 200% of cwnd per RTT below half ssthresh, else
/// 120%).
fn hystart_ack_delay(srtt_us: Option<u64>, cwnd: u32, ssthresh: u32, mss: u32) -> u64 {
    let Some(srtt) = srtt_us.filter(|s| *s > 0) else { return 0 };
    let ratio: u64 = if cwnd < ssthresh / 2 { 200 } else { 120 };
    let rate = u64::from(mss) * u64::from(cwnd) * ratio * 10_000 / srtt; // bytes per second
    if rate == 0 {
        return 1000;
    }
    (GSO_MAX_SIZE * 4 * 1_000_000 / rate).min(1000)
}

/// ⌊∛a⌋.
fn cube_root(a: u64) -> u32 {
    // The root of a u64 is below 2^22: a binary search of 22 steps.
    let (mut lo, mut hi) = (0u64, 1u64 << 22);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if mid.checked_pow(3).is_some_and(|cube| cube <= a) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    #[test]
    fn the_constants_are_linuxs() {
        // tcp_cubic.c's cubictcp_register computes these at load time.
        assert_eq!(FRIENDLY_SCALE, 15);
        assert_eq!(CUBE_RTT_SCALE, 410);
        assert_eq!(CUBE_FACTOR, 2_681_735_677);
    }

    #[test]
    fn cube_roots_are_exact_floors() {
        for (a, r) in [(0, 0), (1, 1), (7, 1), (8, 2), (26, 2), (27, 3), (1 << 30, 1 << 10), (u64::MAX, 2_642_245)] {
            assert_eq!(cube_root(a), r, "cbrt {a}");
        }
    }

    #[test]
    fn a_loss_keeps_seven_tenths_and_remembers_the_window_with_fast_convergence() {
        let mut c = Cubic::new(0, seq(0));
        // First loss at 100 packets: ssthresh ⌊100·717/1024⌋ = 70, W_max 100.
        assert_eq!(c.ssthresh(100), 70);
        assert_eq!(c.last_max_cwnd, 100);
        // A second loss below W_max (at 80): W_max = 80·(1024+717)/2048 = 68
        // (fast convergence), ssthresh ⌊80·0.7⌋ = 56.
        assert_eq!(c.ssthresh(80), 56);
        assert_eq!(c.last_max_cwnd, 68);
        // Never below two packets.
        assert_eq!(c.ssthresh(2), 2);
    }

    #[test]
    fn after_a_loss_the_window_climbs_back_to_w_max_in_k_seconds_and_flattens_there() {
        // W_max 100, cut to 70 at t = 0, RTT 100 ms: K = ∛(CUBE_FACTOR · 30)
        // = ∛80 452 070 310 = 4316 (1/1024 s) ≈ 4.2 s, RFC 9438's
        // ∛(W_max·(1−β)/C) = ∛(30/0.4) ≈ 4.22 s.
        let mut c = Cubic::new(0, seq(0));
        c.delay_min_us = 100_000;
        c.epoch_start_ms = Some(0);
        assert_eq!(c.ssthresh(100), 70);
        let (mut cwnd, mut now) = (70u32, 1_000_000u64);
        c.cong_avoid(cwnd, 70, 1, now);
        assert_eq!(c.k, 4316);
        assert_eq!(c.origin_point, 100);
        // One round of ACKs every 100 ms, a full window each.
        let mut at = Vec::new();
        while now < 12_000_000 {
            let round = cwnd;
            for _ in 0..round {
                cwnd = c.cong_avoid(cwnd, 70, 1, now);
            }
            now += 100_000;
            if now % 1_000_000 == 0 {
                at.push(cwnd);
            }
        }
        // Steep at first, flat around W_max near K ≈ 4.2 s, then probing faster:
        // each whole second t after the loss, cwnd is within 3% of RFC 9438's
        // W(t) = C·(t + RTT − K)³ + W_max (the target one RTT ahead).
        let expected_curve = |t: f64| 0.4 * (t + 0.1 - 4316.0 / 1024.0).powi(3) + 100.0;
        for (i, w) in at.iter().enumerate() {
            let t = (i + 1) as f64;
            let want = expected_curve(t);
            assert!((f64::from(*w) - want).abs() <= want * 0.03 + 1.0, "t={t} s: cwnd {w}, curve {want:.1}; {at:?}");
        }
        assert!(at[2..5].iter().all(|w| (99..=101).contains(w)), "flat near W_max: {at:?}");
        assert!(at[10] > 200, "probing past W_max ever faster: {at:?}");
    }

    #[test]
    fn an_idle_sender_moves_its_epoch_on_by_the_silence_never_past_now() {
        let mut c = Cubic::new(0, seq(0));
        // No epoch yet (slow start): nothing to move.
        c.on_tx_start(5_000_000, 1_000_000);
        assert_eq!(c.epoch_start_ms, None);
        // An epoch from 2 s; data left last at 3 s, and again at 3.25 s:
        // the 250 ms of silence do not count towards the curve.
        c.epoch_start_ms = Some(2_000);
        c.on_tx_start(3_250_000, 3_000_000);
        assert_eq!(c.epoch_start_ms, Some(2_250));
        // An epoch an ACK began after the last data left moves no later than now.
        c.epoch_start_ms = Some(3_500);
        c.on_tx_start(4_000_000, 3_250_000);
        assert_eq!(c.epoch_start_ms, Some(4_000));
    }

    #[test]
    fn slow_start_counts_packets_and_stops_at_ssthresh_handing_the_rest_on() {
        let mut c = Cubic::new(0, seq(0));
        // 10 → 12 on an ACK of two packets (Linux's tcp_slow_start, no L = 1 limit).
        assert_eq!(c.cong_avoid(10, 100, 2, 0), 12);
        // 3 packets ACKed with 1 to go to ssthresh 13: 13, and the 2 left over
        // count on the curve, which before any loss asks 20 per packet.
        assert_eq!(c.cong_avoid(12, 13, 3, 0), 13);
        assert_eq!((c.cnt, c.cwnd_cnt), (20, 2));
    }

    #[test]
    fn hystart_ends_slow_start_when_the_rtt_grows_by_an_eighth_of_its_minimum() {
        // Minimum RTT 40 ms; a round whose first eight samples all exceed
        // 40 + max(4, 40/8 = 5) = 45 ms ends slow start at the current window.
        let mut c = Cubic::new(0, seq(0));
        let srtt = Some(40_000);
        let at = |now_us, rtt: u64, una: u32| AckSample {
            now_us,
            rtt_us: Some(rtt),
            snd_una: seq(una),
            snd_nxt: seq(una + 100_000),
            srtt_us: srtt,
        };
        // First round: the minimum is learnt (ACKs 3 ms apart: no train).
        assert_eq!(c.acked(at(40_000, 40_000, 1), 20, u32::MAX, 1000), None);
        let mut now = 40_000;
        let mut una = 200_000;
        for rtt in [46_000; 8] {
            now += 3_000;
            una += 1000;
            assert_eq!(c.acked(at(now, rtt, una), 20, u32::MAX, 1000), None, "still sampling");
        }
        now += 3_000;
        assert_eq!(c.acked(at(now, 46_000, una + 1000), 20, u32::MAX, 1000), Some(20));
        // Found: no more asking in this slow start.
        assert_eq!(c.acked(at(now + 3000, 90_000, una + 2000), 20, u32::MAX, 1000), None);
    }

    #[test]
    fn hystart_ends_slow_start_when_an_ack_train_outlasts_half_the_minimum_rtt() {
        // Minimum RTT 10 ms, no pacing rate known: the threshold is 5 ms. ACKs
        // arriving 1 ms apart from the round's start (the first, at 1 ms) pass
        // it with the 7th, at 7 ms.
        let mut c = Cubic::new(0, seq(0));
        c.delay_min_us = 10_000;
        let mut found = None;
        for i in 1..=10u64 {
            let s = AckSample {
                now_us: i * 1000,
                rtt_us: Some(10_000),
                snd_una: seq(i as u32),
                snd_nxt: seq(1000),
                srtt_us: None,
            };
            if let Some(ss) = c.acked(s, 32, u32::MAX, 1000) {
                found = Some((i, ss));
                break;
            }
        }
        assert_eq!(found, Some((7, 32)));
    }

    #[test]
    fn below_sixteen_packets_hystart_does_not_look() {
        let mut c = Cubic::new(0, seq(0));
        c.delay_min_us = 10_000;
        for i in 1..=40u64 {
            let s = AckSample {
                now_us: i * 1000,
                rtt_us: Some(30_000),
                snd_una: seq(i as u32),
                snd_nxt: seq(1000),
                srtt_us: None,
            };
            assert_eq!(c.acked(s, 15, u32::MAX, 1000), None);
        }
    }
}
