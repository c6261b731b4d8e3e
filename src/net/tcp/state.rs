//! The eleven connection states of RFC 9293 §3.3.2.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TcpState {
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}

impl TcpState {
    pub const ALL: [TcpState; 11] = [
        TcpState::Closed,
        TcpState::Listen,
        TcpState::SynSent,
        TcpState::SynReceived,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::CloseWait,
        TcpState::Closing,
        TcpState::LastAck,
        TcpState::TimeWait,
    ];

    /// The name as RFC 9293 and `ss` write it: `SYN-SENT`, `TIME-WAIT`.
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST-ACK",
            TcpState::TimeWait => "TIME-WAIT",
        }
    }

    /// Accepts `SYN-SENT`, `SYN_SENT` and `syn-sent`.
    pub fn from_name(name: &str) -> Option<TcpState> {
        let norm = name.to_ascii_uppercase().replace('_', "-");
        let norm = if norm == "SYN-RCVD" { "SYN-RECEIVED".to_string() } else { norm };
        TcpState::ALL.into_iter().find(|s| s.name() == norm)
    }

    /// After the handshake: both sides have exchanged and acknowledged SYNs.
    pub fn is_synchronized(self) -> bool {
        !matches!(self, TcpState::Closed | TcpState::Listen | TcpState::SynSent | TcpState::SynReceived)
    }
}

impl std::fmt::Display for TcpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in TcpState::ALL {
            assert_eq!(TcpState::from_name(s.name()), Some(s));
        }
        assert_eq!(TcpState::from_name("time_wait"), Some(TcpState::TimeWait));
        assert_eq!(TcpState::from_name("bogus"), None);
    }
}
