//! Caps that keep any script, however hostile, within memory and time.

use super::shown::MAX_QUOTED_CHARS;

/// Largest script text.
pub const MAX_SCRIPT_BYTES: usize = 4 << 20;
/// Hosts a script may declare.
pub const MAX_HOSTS: usize = 1000;
/// Links a script may declare.
pub const MAX_LINKS: usize = 10_000;
/// Addresses one host may have.
pub const MAX_ADDRS_PER_HOST: usize = 16;
/// Largest payload of one send, and largest recv buffer (16 MiB).
pub const MAX_PAYLOAD: usize = 16 << 20;
/// All payload bytes a script may send in total (64 MiB).
pub const MAX_TOTAL_PAYLOAD: usize = 64 << 20;
/// Simulated time never passes one day.
pub const MAX_TIME_US: u64 = 86_400_000_000;
/// Events one run may process.
pub const MAX_EVENTS: u64 = 5_000_000;
/// Bytes a run's record may hold: its trace, its packet records and their
/// payloads, as the runner counts them (see `Runner::record_bytes` and `PacketLog::heap_bytes`). With the
/// sockets' own buffers (at most [`MAX_TOTAL_PAYLOAD`] sent in all) a CLI run
/// stays under 512 MiB; the page sets a smaller budget of its own.
pub const MAX_RECORD_BYTES: u64 = 256 << 20;
/// The longest host or descriptor name, in characters: a name is quoted whole
/// in every message (see [`MAX_QUOTED_CHARS`]) and fits a label on the page.
pub const MAX_NAME_CHARS: usize = MAX_QUOTED_CHARS;
