//! Congestion control: how much a connection may have in flight (cwnd), and how
//! that changes as ACKs and losses arrive.
//!
//! The split follows Linux's: loss detection and recovery (SACK or duplicate
//! ACKs, fast retransmit, proportional rate reduction, the RTO's collapse to
//! one segment, the cwnd-limited test) are the stack's (net/ipv4/tcp_input.c, tcp_output.c);
//! how cwnd grows and where ssthresh lands after a loss are the algorithm's
//! (`struct tcp_congestion_ops`: `cong_avoid` and `ssthresh`): Reno, here, and
//! CUBIC ([`super::cubic`]), chosen per socket with `TCP_CONGESTION`.

use super::cubic::{AckSample, Cubic};
use super::reno::Reno;
use super::segment::SeqNumber;
use serde::{Deserialize, Serialize};

/// Linux's "infinite" initial slow-start threshold.
pub const SSTHRESH_INFINITE: u32 = i32::MAX as u32;

/// Why cwnd or ssthresh changed: the rule the connection followed, carried
/// in the trace so the page says it without guessing it from the numbers.
/// When one input changes the window by more than one rule (an ACK that
/// undoes a cut and then grows the window), the later variant in this order
/// is the one given: it is the one that explains the new values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CwndChange {
    /// Congestion avoidance grew cwnd (Reno: about one MSS a round trip;
    /// CUBIC: along its curve from the window of the last loss).
    Avoidance,
    /// Slow start grew cwnd by what the ACK delivered: one MSS for each
    /// segment acknowledged, so it doubles every round trip.
    SlowStart,
    /// During a recovery, cwnd set ACK by ACK from what has left the network
    /// (proportional rate reduction, RFC 6937).
    Recovery,
    /// Recovery ended (everything sent before the loss acknowledged): cwnd
    /// continues from ssthresh.
    RecoveryEnd,
    /// HyStart ended slow start early (`hystart_update`): ssthresh set to cwnd.
    HyStart,
    /// cwnd went unused for an RTO (`tcp_cwnd_application_limited`): halfway
    /// down to what was used.
    AppLimited,
    /// Nothing sent for longer than an RTO (`tcp_cwnd_restart`): the restart window.
    IdleRestart,
    /// The handshake completed: the initial window (`tcp_init_transfer`).
    Start,
    /// Loss found without a timeout by SACK: ssthresh from the algorithm,
    /// and recovery begins, cwnd following proportional rate reduction.
    FastRecovery,
    /// Duplicate ACKs on a connection without SACK proved the first
    /// unacknowledged segment lost: Linux counts each duplicate as a SACKed
    /// segment (`tcp_add_reno_sack`), and at the third (`tp->reordering`)
    /// marks the head lost (`tcp_newreno_mark_lost`); ssthresh from the
    /// algorithm, and recovery begins, cwnd following proportional rate
    /// reduction as with SACK.
    DupAckRecovery,
    /// A tail loss probe repaired a loss (`tcp_process_tlp_ack`): cwnd and
    /// ssthresh down at once.
    ProbeRepair,
    /// The retransmission timer expired (`tcp_enter_loss`): cwnd one segment.
    Timeout,
    /// A cut proved needless and undone (`tcp_undo_cwnd_reduction`).
    Undo(Undone),
}

/// Which cut an undo takes back, and what proved it needless.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Undone {
    /// A timeout's: an ACK echoes a timestamp from before the first resend,
    /// so the original arrived (Eifel detection, `tcp_packet_delayed`).
    TimeoutByTimestamp,
    /// A timeout's: an ACK covers data that was never sent again (F-RTO).
    TimeoutByFrto,
    /// A fast recovery's: an ACK echoes a timestamp from before its resend.
    RecoveryByTimestamp,
    /// A fast recovery's: D-SACK blocks reported every resend arrived twice,
    /// so the originals had only been overtaken.
    RecoveryByDsack,
}

/// A congestion control by the name `TCP_CONGESTION` gives it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CongestionControl {
    /// RFC 5681's growth and halving: the textbook's.
    Reno,
    /// RFC 9438, Linux's default, and so ours.
    #[default]
    Cubic,
}

impl CongestionControl {
    pub const ALL: [CongestionControl; 2] = [CongestionControl::Reno, CongestionControl::Cubic];

    /// The name Linux knows it by (`/proc/sys/net/ipv4/tcp_available_congestion_control`).
    pub fn name(self) -> &'static str {
        match self {
            CongestionControl::Reno => "reno",
            CongestionControl::Cubic => "cubic",
        }
    }

    pub fn from_name(name: &str) -> Option<CongestionControl> {
        CongestionControl::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The algorithm-specific part (Linux's `tcp_congestion_ops`).
#[derive(Clone, Debug)]
enum Algorithm {
    Reno(Reno),
    Cubic(Box<Cubic>),
}

impl Algorithm {
    fn new(control: CongestionControl, now: u64, snd_nxt: SeqNumber) -> Algorithm {
        match control {
            CongestionControl::Reno => Algorithm::Reno(Reno::default()),
            CongestionControl::Cubic => Algorithm::Cubic(Box::new(Cubic::new(now, snd_nxt))),
        }
    }

    fn control(&self) -> CongestionControl {
        match self {
            Algorithm::Reno(_) => CongestionControl::Reno,
            Algorithm::Cubic(_) => CongestionControl::Cubic,
        }
    }

    /// Linux's `ssthresh`, on a loss with a window of `cwnd` bytes: Reno
    /// halves it (`tcp_reno_ssthresh`: the window, where RFC 5681 halves the
    /// flight), CUBIC keeps β · cwnd; both in whole packets.
    fn ssthresh(&mut self, cwnd: u32, mss: u32) -> u32 {
        // Every reduction starts the count towards the next increase over
        // (tcp_init_cwnd_reduction and tcp_enter_loss clear snd_cwnd_cnt).
        let packets = match self {
            Algorithm::Reno(reno) => {
                reno.restart_count();
                Reno::ssthresh(cwnd / mss)
            }
            Algorithm::Cubic(cubic) => cubic.ssthresh(cwnd / mss),
        };
        packets.saturating_mul(mss)
    }
}

/// One ACK that moved `snd_una` forward, as congestion control sees it.
#[derive(Clone, Copy, Debug)]
pub struct NewAck {
    pub ack: SeqNumber,
    /// Sequence numbers newly acknowledged, and how many of them are data bytes.
    pub acked: u32,
    pub data_acked: u32,
    /// The packets the ACK newly delivered (Linux's `acked_sacked`, what
    /// slow start and congestion avoidance count): those it acknowledges
    /// that no SACK delivered before, and those its SACK blocks deliver for
    /// the first time.
    pub packets_delivered: u32,
    pub now: u64,
    pub snd_nxt: SeqNumber,
    pub srtt_us: Option<u64>,
    /// The round trip of the newest segment the ACK covers (Linux's `ca_rtt_us`,
    /// see [`super::rtt::RttEstimator::on_ack`]): CUBIC's HyStart sample.
    pub ca_rtt_us: Option<u64>,
    /// The ACK ends fast recovery and proves it needless
    /// (`tcp_try_undo_recovery`): cwnd and ssthresh as they were before it.
    pub undoes: Option<((u32, u32), Undone)>,
}

#[derive(Clone, Debug)]
pub struct Congestion {
    cwnd: u32,
    ssthresh: u32,
    /// Fast recovery, while it lasts: the caller sets cwnd ACK by ACK
    /// ([`super::sack::Prr`]) and resends what is lost.
    recovery: Option<Recovery>,
    /// cwnd grows only while the sender uses it (RFC 7661, Linux's
    /// `tcp_is_cwnd_limited`): the most bytes in flight in the current window,
    /// whether sending stopped at cwnd in it, and the sequence that ends it.
    /// Without this, a chat that keeps one small segment in flight grew cwnd by
    /// every byte acknowledged, without bound.
    max_flight: u32,
    cwnd_limited: bool,
    /// RFC 2861's bookkeeping (`snd_cwnd_used`, `snd_cwnd_stamp`): the most
    /// in flight while cwnd was not the limit, and when cwnd last proved
    /// itself (an ACK that may grow it, a round that filled it, a restart).
    cwnd_used: u32,
    cwnd_stamp: u64,
    usage_end: SeqNumber,
    /// After a retransmission timeout, until `high` is acknowledged (Linux's
    /// `TCP_CA_Loss` with `high_seq`).
    loss: Option<LossEpisode>,
    algorithm: Algorithm,
    /// Why cwnd or ssthresh last changed, since the connection's owner last
    /// took it ([`Congestion::take_change`]).
    change: Option<CwndChange>,
}

/// A fast recovery (Linux's `TCP_CA_Recovery`) started with `high`
/// (`high_seq`) the highest sequence sent. It ends once an ACK passes `high`;
/// one that reaches `high` exactly ends it too, unless `held_at_high`: a
/// connection without SACK holds the recovery until something above is
/// acknowledged (`tcp_try_undo_recovery`, after RFC 6582), since duplicate
/// ACKs of data sent during it could otherwise start a false fast retransmit.
/// `undone`: an ACK of `high` exactly proved the cut needless while the
/// recovery held (`tcp_try_undo_recovery` undoes, clears `undo_marker` and
/// returns early): the rate reduction goes on from the window restored, and
/// the recovery's end leaves cwnd where that took it.
/// `prior`: cwnd and ssthresh before the cut (`prior_cwnd`,
/// `prior_ssthresh`), which a timeout in the middle of the recovery keeps
/// for its own undo (`tcp_enter_loss` sets them only from Open or Disorder).
#[derive(Clone, Copy, Debug)]
struct Recovery {
    high: SeqNumber,
    held_at_high: bool,
    undone: bool,
    prior: (u32, u32),
}

impl Recovery {
    fn ended_by(self, ack: SeqNumber) -> bool {
        ack > self.high || (ack == self.high && !self.held_at_high)
    }
}

/// A timeout's loss episode: it ends when `high` (`snd_max` at the timeout)
/// is acknowledged; `una` is where `snd_una` stood at the timeout.
#[derive(Clone, Copy, Debug)]
struct LossEpisode {
    high: SeqNumber,
    una: SeqNumber,
    /// cwnd and ssthresh before the cut (`prior_cwnd`, `prior_ssthresh`),
    /// for an undo should the timeout prove spurious.
    prior: Option<(u32, u32)>,
}

impl Congestion {
    /// Before the handshake: no window until [`Congestion::start`].
    pub fn new(iss: SeqNumber, control: CongestionControl) -> Congestion {
        Congestion {
            cwnd: 0,
            ssthresh: SSTHRESH_INFINITE,
            recovery: None,
            max_flight: 0,
            cwnd_limited: false,
            cwnd_used: 0,
            cwnd_stamp: 0,
            usage_end: iss,
            loss: None,
            algorithm: Algorithm::new(control, 0, iss),
            change: None,
        }
    }

    /// Records why the window changed; of several since the last take, the
    /// one that explains the new values ([`CwndChange`]'s order).
    pub fn note(&mut self, change: CwndChange) {
        self.change = self.change.max(Some(change));
    }

    /// Why cwnd or ssthresh changed since the last take, and forgets it.
    pub fn take_change(&mut self) -> Option<CwndChange> {
        self.change.take()
    }

    pub fn cwnd(&self) -> u32 {
        self.cwnd
    }

    pub fn ssthresh(&self) -> u32 {
        self.ssthresh
    }

    pub fn control(&self) -> CongestionControl {
        self.algorithm.control()
    }

    /// The MSS is known (the peer's SYN): the initial window, RFC 6928's
    /// `segments` × MSS (Linux's `tcp_init_cwnd`), and the algorithm starts
    /// (`tcp_init_congestion_control`) at `now`, its first round ending at `snd_nxt`.
    pub fn start(&mut self, segments: u32, mss: u32, now: u64, snd_nxt: SeqNumber) {
        self.cwnd = segments.max(1) * mss;
        self.cwnd_stamp = now;
        self.cwnd_used = 0;
        self.note(CwndChange::Start);
        match &mut self.algorithm {
            // Restarted in its own box: one allocation per connection, not two.
            Algorithm::Cubic(cubic) => **cubic = Cubic::new(now, snd_nxt),
            Algorithm::Reno(reno) => *reno = Reno::default(),
        }
    }

    /// `setsockopt(TCP_CONGESTION)`: another algorithm from now on, started
    /// afresh as `tcp_reinit_congestion_control` does; cwnd and ssthresh stay.
    pub fn set_control(&mut self, control: CongestionControl, now: u64, snd_nxt: SeqNumber) {
        if control != self.control() {
            self.algorithm = Algorithm::new(control, now, snd_nxt);
        }
    }

    /// An ACK that moved `snd_una` forward. In fast recovery, an ACK that
    /// does not end it is partial: the rate reduction sets cwnd; one that
    /// ends it sets cwnd to ssthresh (`tcp_end_cwnd_reduction`), and the
    /// window grows from there by what this ACK delivered.
    pub fn on_new_ack(&mut self, a: NewAck, mss: u32) {
        if self.loss.is_some_and(|loss| a.ack >= loss.high) {
            self.loss = None;
        }
        let rtt_us = a.ca_rtt_us;
        if let Algorithm::Cubic(cubic) = &mut self.algorithm {
            // Linux's pkts_acked hook (`cubictcp_acked`): HyStart may end slow start.
            let sample = AckSample { now_us: a.now, rtt_us, snd_una: a.ack, snd_nxt: a.snd_nxt, srtt_us: a.srtt_us };
            if let Some(ssthresh) = cubic.acked(sample, self.cwnd / mss, self.ssthresh / mss, mss) {
                self.ssthresh = ssthresh.saturating_mul(mss);
                self.note(CwndChange::HyStart);
            }
        }
        match self.recovery {
            Some(recovery) if !recovery.ended_by(a.ack) => {
                if let Some((prior, proof)) = a.undoes {
                    self.restore(prior, proof);
                    self.recovery = Some(Recovery { undone: true, ..recovery });
                }
            }
            Some(recovery) => {
                // tcp_end_cwnd_reduction: down to ssthresh, unless an undo
                // came first.
                if !recovery.undone && self.ssthresh < SSTHRESH_INFINITE {
                    self.cwnd = self.ssthresh.max(mss);
                }
                self.note(CwndChange::RecoveryEnd);
                if let Some((prior, proof)) = a.undoes {
                    // tcp_fastretrans_alert undoes the reduction before
                    // tcp_cong_control runs, so this ACK's growth starts
                    // from the window restored.
                    self.undo_recovery(prior, proof);
                }
                self.recovery = None;
                // tcp_fastretrans_alert ended the reduction (the state is
                // Open again), so tcp_cong_control grows cwnd by what this
                // ACK delivered, as after any other ACK.
                self.cong_avoid(&a, mss);
            }
            None => self.cong_avoid(&a, mss),
        }
    }

    /// `tcp_cong_avoid` for what the ACK `a` newly delivered, if the sender
    /// was limited by cwnd (`tcp_is_cwnd_limited`).
    fn cong_avoid(&mut self, a: &NewAck, mss: u32) {
        // tcp_cong_avoid: the window proved itself, grown or not.
        self.cwnd_stamp = a.now;
        if !self.is_cwnd_limited() {
            return;
        }
        // Linux counts packets: a segment smaller than the MSS is one.
        let packets = a.packets_delivered;
        let (cwnd, ssthresh) = (self.cwnd / mss, self.ssthresh / mss);
        let grown = match &mut self.algorithm {
            Algorithm::Reno(reno) => reno.cong_avoid(cwnd, ssthresh, packets),
            Algorithm::Cubic(cubic) => cubic.cong_avoid(cwnd, ssthresh, packets, a.now),
        };
        let grown = grown.saturating_mul(mss);
        if grown != self.cwnd {
            self.note(if cwnd < ssthresh { CwndChange::SlowStart } else { CwndChange::Avoidance });
        }
        self.cwnd = grown;
    }

    /// A loss found without a timeout (Linux's `tcp_enter_recovery`,
    /// `tcp_init_cwnd_reduction`): ssthresh from the algorithm for the window
    /// of now, and recovery lasts until `snd_max` is acknowledged, or passed
    /// when the connection has no SACK (see [`Recovery`]). cwnd is left to
    /// the caller's rate reduction.
    pub fn enter_recovery(&mut self, snd_max: SeqNumber, mss: u32, without_sack: bool) {
        let prior = (self.cwnd, self.current_ssthresh(mss));
        self.ssthresh = self.algorithm.ssthresh(self.cwnd, mss);
        self.recovery = Some(Recovery { high: snd_max, held_at_high: without_sack, undone: false, prior });
        self.note(if without_sack { CwndChange::DupAckRecovery } else { CwndChange::FastRecovery });
    }

    /// A tail loss probe repaired a loss (`tcp_process_tlp_ack`): ssthresh
    /// from the algorithm, as on entering recovery, and cwnd down to it at
    /// once (`tcp_init_cwnd_reduction`, then `tcp_end_cwnd_reduction`).
    pub fn reduce_once(&mut self, mss: u32) {
        self.ssthresh = self.algorithm.ssthresh(self.cwnd, mss);
        self.cwnd = self.ssthresh;
        self.note(CwndChange::ProbeRepair);
    }

    /// Whether fast recovery is going on.
    pub fn in_recovery(&self) -> bool {
        self.recovery.is_some()
    }

    /// Where fast recovery ends (`high_seq`), while it lasts.
    pub fn recovery_point(&self) -> Option<SeqNumber> {
        self.recovery.map(|recovery| recovery.high)
    }

    /// `tcp_current_ssthresh`: outside a reduction, at least three quarters
    /// of cwnd, the ssthresh an undo returns to. Linux counts in packets and
    /// rounds each quarter down: a cwnd of 3 gives 1 (1 + 0), not 2.25.
    pub fn current_ssthresh(&self, mss: u32) -> u32 {
        if self.in_recovery() {
            return self.ssthresh;
        }
        let mss = mss.max(1);
        let packets = self.cwnd / mss;
        self.ssthresh.max(((packets >> 1) + (packets >> 2)).saturating_mul(mss))
    }

    /// `tcp_cwnd_restart` (RFC 2861 §2, RFC 5681 §4.1): a sender that sent
    /// nothing for longer than an RTO (`idle_us` > `rto_us`) no longer knows
    /// the path, so cwnd halves for each RTO of the silence, down to at most
    /// the initial window of `initial` segments, and ssthresh keeps three
    /// quarters of the old cwnd (`tcp_current_ssthresh`), where slow start
    /// will stop. Linux counts in packets, so the halving does too. True
    /// when cwnd or ssthresh changed.
    pub fn restart_after_idle(&mut self, now: u64, idle_us: u64, rto_us: u64, initial: u32, mss: u32) -> bool {
        let before = (self.cwnd, self.ssthresh);
        self.cwnd_stamp = now;
        self.cwnd_used = 0;
        self.ssthresh = self.current_ssthresh(mss);
        let mss = mss.max(1);
        let packets = self.cwnd / mss;
        let restart = initial.max(1).min(packets);
        let mut cwnd = packets;
        let mut left = idle_us;
        while left > rto_us.max(1) && cwnd > restart {
            left -= rto_us.max(1);
            cwnd >>= 1;
        }
        let cwnd = cwnd.max(restart);
        if cwnd != packets {
            self.cwnd = cwnd * mss;
        }
        let changed = before != (self.cwnd, self.ssthresh);
        if changed {
            self.note(CwndChange::IdleRestart);
        }
        changed
    }

    /// `CA_EVENT_TX_START`: data leaves with nothing in flight, the last
    /// having left at `last_sent_us`. CUBIC moves its epoch on by the
    /// silence, so its curve does not count time nothing was sent.
    pub fn on_tx_start(&mut self, now_us: u64, last_sent_us: u64) {
        if let Algorithm::Cubic(cubic) = &mut self.algorithm {
            cubic.on_tx_start(now_us, last_sent_us);
        }
    }

    /// Fast recovery proved needless (`tcp_undo_cwnd_reduction`, with
    /// `tcp_reno_undo_cwnd`): cwnd and ssthresh return to at least what they
    /// were before it, and recovery, if still on, is over.
    pub fn undo_recovery(&mut self, prior: (u32, u32), proof: Undone) {
        self.restore(prior, proof);
        self.recovery = None;
    }

    /// `tcp_undo_cwnd_reduction`: cwnd and ssthresh back to at least what
    /// they were before the cut.
    fn restore(&mut self, (cwnd, ssthresh): (u32, u32), proof: Undone) {
        self.note(CwndChange::Undo(proof));
        self.cwnd = self.cwnd.max(cwnd);
        self.ssthresh = self.ssthresh.max(ssthresh);
    }

    /// After a retransmission timeout, the `snd_max` of that moment, until it
    /// is acknowledged (Linux's `TCP_CA_Loss` and its `high_seq`).
    pub fn loss_high(&self) -> Option<SeqNumber> {
        self.loss.map(|loss| loss.high)
    }

    /// cwnd during fast recovery, as the rate reduction sets it.
    pub fn set_recovery_cwnd(&mut self, cwnd: u32) {
        if self.recovery.is_some() && cwnd != self.cwnd {
            self.cwnd = cwnd;
            self.note(CwndChange::Recovery);
        }
    }

    /// The retransmission timer fired at `now` with data outstanding from
    /// `snd_una` to `snd_max` (Linux's `tcp_enter_loss`): cwnd down to one
    /// segment, any recovery abandoned, and the algorithm starts over
    /// (`tcp_set_ca_state(TCP_CA_Loss)`). ssthresh comes from the algorithm
    /// unless it was already cut for this window of data: in recovery, or
    /// at an earlier timeout with nothing acknowledged since. A partition
    /// that outlasts several timeouts therefore keeps the ssthresh of the
    /// first, where RFC 5681 §3.1 would halve a one-segment flight again.
    pub fn on_retransmit_timeout(&mut self, mss: u32, now: u64, snd_una: SeqNumber, snd_max: SeqNumber) {
        let cut_already = match (self.recovery, self.loss) {
            (Some(recovery), _) => recovery.high > snd_una,
            (None, Some(loss)) => loss.high > snd_una && loss.una == snd_una,
            (None, None) => false,
        };
        // A timeout in the middle of a recovery keeps the recovery's prior
        // window for an undo; one after an earlier timeout, that one's.
        let recovery_prior = self.recovery.filter(|recovery| !recovery.undone).map(|recovery| recovery.prior);
        let mut prior = self.loss.and_then(|loss| loss.prior).or(recovery_prior);
        if !cut_already {
            prior = Some((self.cwnd, self.current_ssthresh(mss)));
            self.ssthresh = self.algorithm.ssthresh(self.cwnd, mss);
        }
        self.loss = Some(LossEpisode { high: snd_max, una: snd_una, prior });
        self.cwnd = mss;
        self.cwnd_stamp = now;
        self.note(CwndChange::Timeout);
        match &mut self.algorithm {
            Algorithm::Reno(reno) => reno.restart_count(),
            Algorithm::Cubic(cubic) => cubic.on_loss(now, snd_max),
        }
        self.recovery = None;
    }

    /// The timeout proved spurious (`tcp_try_undo_loss`, then
    /// `tcp_undo_cwnd_reduction`): cwnd and ssthresh return to at least
    /// what they were before it, and the loss episode is over, unless it
    /// `lasts` (a connection without SACK keeps it until its high point is
    /// passed), with nothing left to undo.
    pub fn undo_loss(&mut self, proof: Undone, lasts: bool) {
        let prior = if lasts {
            self.loss.as_mut().and_then(|loss| loss.prior.take())
        } else {
            self.loss.take().and_then(|loss| loss.prior)
        };
        if let Some((cwnd, ssthresh)) = prior {
            self.cwnd = self.cwnd.max(cwnd);
            self.ssthresh = self.ssthresh.max(ssthresh);
            self.note(CwndChange::Undo(proof));
        }
    }

    /// Linux's `tcp_is_cwnd_limited`: in slow start, cwnd may reach twice the most
    /// that was in flight; after it, only a sender that stopped at cwnd grows it.
    fn is_cwnd_limited(&self) -> bool {
        self.cwnd_limited || (self.cwnd < self.ssthresh && self.cwnd < self.max_flight.saturating_mul(2))
    }

    /// Linux's `tcp_cwnd_validate`, after each round of sending (`sent`: whether
    /// anything went): remembers how much of cwnd this window used. A new
    /// window starts once everything sent in the last one is acknowledged.
    /// True when the round left cwnd unfilled an RTO after cwnd last proved
    /// itself: the caller then runs [`Congestion::application_limited`].
    pub fn after_sending(&mut self, sent: bool, flight: Flight, mss: u32, clock: Clock) -> bool {
        // No room left for a full segment, or a packet held back for more
        // room (tcp_tso_should_defer): sending stopped at cwnd.
        let limited = flight.held_at_cwnd || flight.in_flight.saturating_add(mss) > self.cwnd;
        if !sent && !limited {
            return false;
        }
        if flight.snd_una >= self.usage_end || limited || (!self.cwnd_limited && flight.packets_out > self.max_flight) {
            self.cwnd_limited = limited;
            self.max_flight = flight.packets_out;
            self.usage_end = flight.snd_nxt;
        }
        if self.is_cwnd_limited() {
            // The network is fed fully.
            self.cwnd_used = 0;
            self.cwnd_stamp = clock.now;
            return false;
        }
        // The network starves: the application or the peer's window holds
        // the sender below cwnd.
        self.cwnd_used = self.cwnd_used.max(flight.packets_out);
        clock.now.saturating_sub(self.cwnd_stamp) >= clock.rto_us
    }

    /// `tcp_cwnd_application_limited` (RFC 2861 §3): a whole RTO in which
    /// cwnd was never the limit nor grew. Outside any recovery, and unless
    /// the writer is waiting for buffer room, cwnd falls halfway to what was
    /// used (at least the initial window), and ssthresh keeps three quarters
    /// of the old cwnd (`tcp_current_ssthresh`): a window not used is not
    /// known to be safe. `open`: the connection is in the Open state (no
    /// recovery, loss, SACKed or lost segments) and the writer is not
    /// waiting for buffer room (`SOCK_NOSPACE`).
    pub fn application_limited(&mut self, now: u64, initial: u32, mss: u32, open: bool) {
        if open {
            let mss = mss.max(1);
            let win_used = (self.cwnd_used / mss).max(initial);
            let cwnd = self.cwnd / mss;
            if win_used < cwnd {
                self.ssthresh = self.current_ssthresh(mss);
                self.cwnd = ((cwnd + win_used) >> 1) * mss;
                self.note(CwndChange::AppLimited);
            }
            self.cwnd_used = 0;
        }
        self.cwnd_stamp = now;
    }
}

/// When a round of sending ends, and the RTO that `tcp_cwnd_validate`
/// measures an unfilled window by.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub now: u64,
    pub rto_us: u64,
}

/// What is in the network after a round of sending, counted in packets (each
/// one MSS) as Linux's cwnd counts it: ten 5-byte messages fill a cwnd of ten.
#[derive(Clone, Copy, Debug)]
pub struct Flight {
    /// `tcp_packets_in_flight`: sent, less SACKed and lost, plus resent.
    pub in_flight: u32,
    /// `packets_out`: sent and not yet cumulatively acknowledged.
    pub packets_out: u32,
    /// A packet was held back for more room (`tcp_tso_should_defer`).
    pub held_at_cwnd: bool,
    pub snd_una: SeqNumber,
    pub snd_nxt: SeqNumber,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: u32 = 1000;

    fn seq(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    /// A flight of full segments from `una` to `nxt`, none SACKed or lost.
    fn full_segments(una: u32, nxt: u32) -> Flight {
        let bytes = nxt - una;
        Flight { in_flight: bytes, packets_out: bytes, held_at_cwnd: false, snd_una: seq(una), snd_nxt: seq(nxt) }
    }

    /// An ACK up to `ack` of `acked` data bytes.
    fn ack(ack: u32, acked: u32) -> NewAck {
        NewAck {
            ack: seq(ack),
            acked,
            data_acked: acked,
            packets_delivered: acked.div_ceil(MSS),
            now: 0,
            snd_nxt: seq(ack),
            srtt_us: None,
            ca_rtt_us: None,
            undoes: None,
        }
    }

    /// A round of sending whose RTO never runs out: RFC 2861's decay stays out of it.
    fn fed() -> Clock {
        Clock { now: 0, rto_us: u64::MAX }
    }

    /// A window of 10 segments, with `flight` bytes sent from 0.
    fn sending(flight: u32) -> Congestion {
        let mut cc = Congestion::new(SeqNumber(0), CongestionControl::Reno);
        cc.start(10, MSS, 0, seq(0));
        cc.after_sending(true, full_segments(0, flight), MSS, fed());
        cc
    }

    /// A sender whose first ten segments left at 0, since grown to `cwnd`
    /// segments with ssthresh at `ssthresh`.
    fn grown_to(cwnd: u32, ssthresh: u32) -> Congestion {
        let mut cc = sending(10 * MSS);
        cc.cwnd = cwnd * MSS;
        cc.ssthresh = ssthresh * MSS;
        cc
    }

    #[test]
    fn after_an_idle_rto_cwnd_halves_per_rto_down_to_the_initial_window() {
        // cwnd 80 segments, ssthresh 50; RTO 200 ms.
        let grown = || grown_to(80, 50);
        // 450 ms of silence: two whole RTOs and a bit, so 80 → 40 → 20, and
        // ssthresh rises to 3/4 of the 80 (tcp_current_ssthresh), where slow
        // start will hand over to congestion avoidance.
        let mut cc = grown();
        assert!(cc.restart_after_idle(0, 450_000, 200_000, 10, MSS));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (20 * MSS, 60 * MSS));
        // Exactly two RTOs halve once: the loop stops when the silence left is not positive.
        let mut cc = grown();
        cc.restart_after_idle(0, 400_000, 200_000, 10, MSS);
        assert_eq!(cc.cwnd(), 40 * MSS);
        // A long silence stops at the initial window, never below it.
        let mut cc = grown();
        cc.restart_after_idle(0, 60_000_000, 200_000, 10, MSS);
        assert_eq!(cc.cwnd(), 10 * MSS);
        // Still in its first slow start (ssthresh unset), a window already
        // below the initial one is left as it was.
        let mut cc = sending(5 * MSS);
        cc.cwnd = 4 * MSS;
        assert!(!cc.restart_after_idle(0, 60_000_000, 200_000, 10, MSS));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (4 * MSS, SSTHRESH_INFINITE));
    }

    #[test]
    fn three_quarters_of_cwnd_counts_whole_packets() {
        // tcp_current_ssthresh on packets: cwnd 3 gives (3 >> 1) + (3 >> 2) = 1,
        // so an ssthresh of 2 stays 2 where three quarters of the bytes
        // (2.25 segments) would have raised it: Linux 6.18's TCP_INFO says 2
        // after such a restart in a generated lossy exchange.
        let mut cc = grown_to(3, 2);
        assert_eq!(cc.current_ssthresh(MSS), 2 * MSS);
        cc.restart_after_idle(0, 60_000_000, 200_000, 10, MSS);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (3 * MSS, 2 * MSS));
        // cwnd 7: 3 + 1 = 4 packets, not 5.25.
        assert_eq!(grown_to(7, 2).current_ssthresh(MSS), 4 * MSS);
    }

    #[test]
    fn a_window_unused_for_an_rto_falls_halfway_to_what_was_used() {
        // cwnd 40 segments, ssthresh 30, the last proof of cwnd at 0 (the
        // start); RTO 200 ms. A round of sending, then the decay where
        // after_sending says an RTO has passed, as the connection runs it.
        let grown = || grown_to(40, 30);
        let round = |cc: &mut Congestion, from: u32, to: u32, now: u64, open: bool| {
            let clock = Clock { now, rto_us: 200_000 };
            if cc.after_sending(true, full_segments(from * MSS, to * MSS), MSS, clock) {
                cc.application_limited(now, 10, MSS, open);
            }
        };
        // Rounds of 12 segments after the first ten, cwnd never the limit:
        // nothing before the RTO is out...
        let mut cc = grown();
        round(&mut cc, 10, 22, 150_000, true);
        assert_eq!(cc.cwnd(), 40 * MSS);
        // ...then cwnd falls halfway to the 12 used, and ssthresh keeps 3/4 of 40.
        round(&mut cc, 22, 34, 200_000, true);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (26 * MSS, 30 * MSS));
        // The next RTO counts from there, with what was used since.
        round(&mut cc, 34, 36, 399_000, true);
        assert_eq!(cc.cwnd(), 26 * MSS);
        round(&mut cc, 36, 38, 400_000, true);
        assert_eq!(cc.cwnd(), 18 * MSS, "(26 + the initial 10) / 2: two segments used count as ten");
        // In recovery, or with a writer waiting for room, only the clock restarts.
        let mut cc = grown();
        round(&mut cc, 10, 22, 300_000, false);
        assert_eq!(cc.cwnd(), 40 * MSS);
        round(&mut cc, 22, 34, 400_000, true);
        assert_eq!(cc.cwnd(), 40 * MSS, "the RTO counts from the last check");
        // An ACK that could grow cwnd proves it: the RTO counts from it.
        let mut cc = grown();
        cc.on_new_ack(NewAck { now: 150_000, ..ack(MSS, MSS) }, MSS);
        round(&mut cc, 10, 22, 300_000, true);
        assert_eq!(cc.cwnd(), 40 * MSS);
    }

    #[test]
    fn slow_start_grows_by_the_packets_each_ack_covers_while_cwnd_limited() {
        // 10 000 bytes in flight fill cwnd: an ACK of one segment adds one
        // MSS, an ACK of three adds three (Linux's tcp_slow_start counts
        // pkts_acked; RFC 3465's L = 1 SMSS would add one).
        let mut cc = sending(10 * MSS);
        cc.on_new_ack(ack(1000, 1000), MSS);
        assert_eq!(cc.cwnd(), 11_000);
        cc.on_new_ack(ack(4000, 3000), MSS);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (14_000, SSTHRESH_INFINITE));
    }

    #[test]
    fn the_ack_that_undoes_a_sack_recovery_grows_the_window_it_restores() {
        // Ten segments in flight fill cwnd; SACK recovery from 10 segments
        // halves ssthresh (Reno) and the rate reduction brings cwnd to 6.
        let mut cc = sending(10 * MSS);
        cc.enter_recovery(seq(10 * MSS), MSS, false);
        cc.set_recovery_cwnd(6 * MSS);
        let ends = |undoes| NewAck { undoes, packets_delivered: 1, ..ack(10 * MSS, MSS) };
        // Not undone: recovery ends at ssthresh, in congestion avoidance,
        // where one segment delivered is not yet a window's worth.
        let mut kept = cc.clone();
        kept.take_change();
        kept.on_new_ack(ends(None), MSS);
        assert_eq!((kept.cwnd(), kept.ssthresh()), (5 * MSS, 5 * MSS));
        assert_eq!(kept.take_change(), Some(CwndChange::RecoveryEnd));
        // Undone: tcp_try_undo_recovery restores 10 and infinity before
        // tcp_cong_control, which then grows the window restored, in slow start.
        // The undo is what explains the values, not the growth after it.
        cc.take_change();
        cc.on_new_ack(ends(Some(((10 * MSS, SSTHRESH_INFINITE), Undone::RecoveryByTimestamp))), MSS);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (11 * MSS, SSTHRESH_INFINITE));
        assert!(!cc.in_recovery());
        assert_eq!(cc.take_change(), Some(CwndChange::Undo(Undone::RecoveryByTimestamp)));
        assert_eq!(cc.take_change(), None, "taken once");
    }

    #[test]
    fn a_sender_that_does_not_fill_cwnd_does_not_grow_it() {
        // One 100-byte segment in flight: twice the flight (200) is below cwnd
        // 10 000, so tcp_is_cwnd_limited says no and every ACK leaves cwnd be.
        let mut cc = sending(100);
        for i in 1..=50 {
            cc.on_new_ack(ack(100 * i, 100), MSS);
            cc.after_sending(true, full_segments(100 * i, 100 * (i + 1)), MSS, fed());
        }
        assert_eq!(cc.cwnd(), 10_000);
    }

    #[test]
    fn congestion_avoidance_adds_one_mss_per_window_of_acked_packets() {
        // A timeout with cwnd 10 000: tcp_reno_ssthresh halves the window
        // (5000), cwnd restarts at 1000.
        let mut cc = sending(10 * MSS);
        cc.on_retransmit_timeout(MSS, 0, seq(0), seq(10 * MSS));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (1000, 5000));
        // Slow start to ssthresh: 1000 → 2000 → … → 5000 (each ACK while
        // the sender keeps cwnd full).
        let mut una = 0;
        for expect in [2000, 3000, 4000, 5000] {
            cc.after_sending(true, full_segments(una, una + cc.cwnd()), MSS, fed());
            una += MSS;
            cc.on_new_ack(ack(una, MSS), MSS);
            assert_eq!(cc.cwnd(), expect);
        }
        // cwnd = ssthresh: avoidance. Five ACKed packets earn one more: +1
        // MSS at the fifth ACK, and the count starts again.
        let mut seen = Vec::new();
        for _ in 0..5 {
            cc.after_sending(true, full_segments(una, una + cc.cwnd()), MSS, fed());
            una += MSS;
            cc.on_new_ack(ack(una, MSS), MSS);
            seen.push(cc.cwnd());
        }
        assert_eq!(seen, vec![5000, 5000, 5000, 5000, 6000]);
        // Delayed ACKs of two packets each: six packets, three ACKs, to 7000.
        let mut seen = Vec::new();
        for _ in 0..3 {
            cc.after_sending(true, full_segments(una, una + cc.cwnd()), MSS, fed());
            una += 2 * MSS;
            cc.on_new_ack(ack(una, 2 * MSS), MSS);
            seen.push(cc.cwnd());
        }
        assert_eq!(seen, vec![6000, 6000, 7000]);
    }

    #[test]
    fn timeouts_in_a_row_keep_the_ssthresh_of_the_first() {
        // A partition: cwnd 10 000 at the first timeout gives ssthresh 5000;
        // the backed-off timeouts after it, nothing acknowledged, leave it
        // (tcp_enter_loss cuts once per window of data). RFC 5681 would halve
        // a one-segment flight to two segments.
        let mut cc = sending(10 * MSS);
        cc.on_retransmit_timeout(MSS, 0, seq(0), seq(10 * MSS));
        cc.on_retransmit_timeout(MSS, 0, seq(0), seq(10 * MSS));
        cc.on_retransmit_timeout(MSS, 0, seq(0), seq(10 * MSS));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (1000, 5000));
        // The link heals: one retransmission is acknowledged, cwnd 2000.
        cc.after_sending(true, full_segments(0, MSS), MSS, fed());
        cc.on_new_ack(ack(MSS, MSS), MSS);
        assert_eq!(cc.cwnd(), 2000);
        // A timeout now, after progress, is a new loss: 2000 / 2 = 1000, but
        // at least two segments.
        cc.on_retransmit_timeout(MSS, 0, seq(MSS), seq(10 * MSS));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (1000, 2000));
    }

    #[test]
    fn without_sack_recovery_holds_at_its_high_point_until_an_ack_passes_it() {
        // tcp_try_undo_recovery: an ACK of exactly high_seq ends a SACK
        // recovery but holds one without SACK, which ends only past it.
        let recovering = |without_sack| {
            let mut cc = sending(10 * MSS);
            cc.enter_recovery(seq(10 * MSS), MSS, without_sack);
            cc.set_recovery_cwnd(6 * MSS);
            cc
        };
        let mut sack = recovering(false);
        assert_eq!(sack.take_change(), Some(CwndChange::FastRecovery));
        sack.on_new_ack(ack(10 * MSS, 3 * MSS), MSS);
        assert!(!sack.in_recovery());
        assert_eq!(sack.cwnd(), 5 * MSS, "ssthresh, where recovery ends");
        let mut reno = recovering(true);
        assert_eq!(reno.take_change(), Some(CwndChange::DupAckRecovery));
        reno.on_new_ack(ack(10 * MSS, 3 * MSS), MSS);
        assert!(reno.in_recovery(), "held at high_seq");
        assert_eq!(reno.cwnd(), 6 * MSS, "left to the rate reduction");
        reno.on_new_ack(ack(11 * MSS, MSS), MSS);
        assert!(!reno.in_recovery());
        assert_eq!(reno.cwnd(), 5 * MSS);
    }

    #[test]
    fn a_timeout_in_the_middle_of_a_recovery_undoes_to_the_window_before_the_recovery() {
        // tcp_enter_loss sets prior_cwnd and prior_ssthresh only from Open or
        // Disorder: a timeout that cuts into a recovery keeps the recovery's,
        // so a later undo (F-RTO, a timestamp) restores cwnd 10 and no
        // ssthresh, not what the recovery had cut them to.
        let mut cc = sending(10 * MSS);
        cc.enter_recovery(seq(10 * MSS), MSS, false);
        cc.set_recovery_cwnd(6 * MSS);
        cc.on_retransmit_timeout(MSS, 0, seq(0), seq(10 * MSS));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (MSS, 5 * MSS));
        cc.undo_loss(Undone::TimeoutByFrto, false);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (10 * MSS, SSTHRESH_INFINITE));
    }

    #[test]
    fn a_timeout_collapses_cwnd_to_one_segment_and_abandons_recovery() {
        let mut cc = sending(10 * MSS);
        cc.enter_recovery(seq(10 * MSS), MSS, true);
        // In recovery (ssthresh 5000 already cut for this window of data),
        // the timeout keeps ssthresh and drops cwnd to one segment.
        cc.on_retransmit_timeout(MSS, 0, seq(7000), seq(10 * MSS));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (1000, 5000));
        // Out of recovery: an ACK below the old recover point grows cwnd (slow
        // start) rather than being taken for a partial ACK.
        cc.after_sending(true, full_segments(7000, 8000), MSS, fed());
        cc.on_new_ack(ack(8000, 1000), MSS);
        assert_eq!(cc.cwnd(), 2000);
    }
}
