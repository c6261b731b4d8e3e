//! The kernel's side of `socklab diff --packets`, set up to send packets as
//! the model's config says.
//!
//! Everything here changes the run's namespace, the hosts' namespaces made
//! inside it, or this thread's CPU affinity, for good: nothing is restored,
//! since the namespace, made for the run by `unshare -n`, dies with it.
//! Outside such a namespace it would change the machine's own settings, so
//! [`prepare`] refuses to run there.
//!
//! - each host has a namespace of its own, joined to the others by links with
//!   the lessons' latency ([`super::links::Links`]), of the script link's MTU, so the
//!   kernel's MSS is the model's (`tcp_mss_to_mtu`: MTU − 40);
//! - this thread runs on CPU 0 only: on two CPUs the softirqs of the two ends
//!   interleave, and captures show ACK numbers going backwards between frames;
//! - each host's TCP sysctls are written as the model's config for that host
//!   implies, never trusted.

use crate::net::tcp::TcpConfig;
use crate::script::ast::{LinkSetting, Script, StmtKind};
use crate::script::CoreMemMax;
use std::fmt;
use std::process::Command;

/// The MTU of `lo` when the script's links name none: Ethernet's, as the
/// model's links have (`LinkConfig::default`).
pub const DEFAULT_MTU: u32 = 1500;

/// Why the namespace cannot be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupError {
    /// Not a loopback-only namespace: the changes would hit the machine's own.
    NotIsolated,
    /// A tool the set-up runs is missing (`ethtool`: tools/setup.sh installs it).
    Missing(&'static str),
    /// A step failed: what it was, and what the system said.
    Failed(String, String),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::NotIsolated => write!(
                f,
                "diff --packets sets lo's MTU, its offloads and the TCP sysctls, so it runs only in a \
                 loopback-only network namespace: unshare -n sh -c 'ip link set lo up && socklab diff --packets ...'"
            ),
            SetupError::Missing(tool) => write!(f, "{tool} is not installed (tools/setup.sh test installs it)"),
            SetupError::Failed(step, why) => write!(f, "{step}: {why}"),
        }
    }
}

impl std::error::Error for SetupError {}

/// One TCP sysctl of the namespace and the value the model's config implies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sysctl {
    /// The name under /proc/sys/net/ (`ipv4/tcp_rmem`).
    pub name: &'static str,
    pub value: String,
}

/// The MTU `lo` takes for `script`: the smallest its links set, else [`DEFAULT_MTU`].
/// (One kernel has one loopback: links of different MTUs cannot all be had.)
pub fn script_mtu(script: &Script) -> u32 {
    script
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Link { settings, .. } => settings.iter().find_map(|l| match l {
                LinkSetting::Mtu(m) => Some(*m),
                _ => None,
            }),
            _ => None,
        })
        .min()
        .unwrap_or(DEFAULT_MTU)
}

/// The namespace's TCP sysctls for a model run with `config`.
///
/// SACK and timestamps are written as Linux's defaults (on): the model's
/// config has no switch for them yet, and the point of the diff is to show
/// where the model's packets are not yet Linux's. `tcp_no_metrics_save` keeps
/// one lesson's connections from seeding the next one's (`tcp_init_metrics`
/// would start a later connection with a cached ssthresh and RTT; the model
/// starts every connection fresh). A send buffer the script sets is written
/// as the bytes the model's buffer holds, for default and ceiling alike; a
/// receive buffer (`tcp recv_buffer N`: N bytes of data, as `SO_RCVBUF` N
/// gives) as twice that, Linux's memory for N bytes of data at its default
/// scaling ratio (`tcp_win_from_space`: half). One the script leaves is
/// written as Linux's default ([`LINUX_TCP_RMEM`], [`LINUX_TCP_WMEM`]), since
/// one namespace runs a whole batch of lessons and an earlier lesson's
/// buffers must not stay for the next. `net.core.rmem_max`, which with
/// `tcp_rmem[2]` chooses the window-scale shift (`tcp_select_initial_window`)
/// and caps `SO_RCVBUF`, cannot be written here: see [`rmem_max`].
pub fn sysctls(config: &TcpConfig, script_sets_buffers: (bool, bool)) -> Vec<Sysctl> {
    let on = |b: bool| if b { "1" } else { "0" }.to_string();
    let mut out = vec![
        Sysctl { name: "ipv4/tcp_window_scaling", value: on(config.window_scaling) },
        Sysctl { name: "ipv4/tcp_sack", value: on(config.sack) },
        Sysctl { name: "ipv4/tcp_timestamps", value: on(config.timestamps) },
        Sysctl { name: "ipv4/tcp_no_metrics_save", value: on(true) },
        Sysctl { name: "ipv4/tcp_early_retrans", value: if config.tail_loss_probe { "3" } else { "0" }.to_string() },
        Sysctl { name: "ipv4/tcp_frto", value: if config.frto { "2" } else { "0" }.to_string() },
        Sysctl { name: "ipv4/tcp_syn_retries", value: config.syn_retries.to_string() },
        Sysctl { name: "ipv4/tcp_syn_linear_timeouts", value: config.syn_linear_timeouts.to_string() },
        Sysctl { name: "ipv4/tcp_synack_retries", value: config.synack_retries.to_string() },
    ];
    let buffer = |set: bool, bytes: usize, linux: &str| {
        if set {
            format!("{} {bytes} {bytes}", bytes.min(4096))
        } else {
            linux.to_string()
        }
    };
    let send = buffer(script_sets_buffers.0, config.send_buffer, LINUX_TCP_WMEM);
    out.push(Sysctl { name: "ipv4/tcp_wmem", value: send });
    let recv = buffer(script_sets_buffers.1, config.recv_buffer.saturating_mul(2), LINUX_TCP_RMEM);
    out.push(Sysctl { name: "ipv4/tcp_rmem", value: recv });
    out
}

/// The namespace's `net.core.rmem_max` and `wmem_max`. Linux 6.18 keeps
/// them per namespace but read-only in all but the first, copied from the
/// namespace that made it, so the machine's tuning stays (4194304 on this
/// one, where Linux's own defaults, `SK_RMEM_MAX` and `SK_WMEM_MAX`, are
/// 212992): the model is run with them instead.
pub fn core_mem_max() -> Result<CoreMemMax, SetupError> {
    let read = |name: &str| -> Result<usize, SetupError> {
        let path = format!("/proc/sys/net/core/{name}");
        let failed = |e: String| SetupError::Failed(format!("read {path}"), e);
        let text = std::fs::read_to_string(&path).map_err(|e| failed(e.to_string()))?;
        text.trim().parse().map_err(|e: std::num::ParseIntError| failed(e.to_string()))
    };
    Ok(CoreMemMax { rmem_max: read("rmem_max")?, wmem_max: read("wmem_max")? })
}

/// `tcp_rmem` as Linux sets it at boot (`tcp_init`: a page, 128 KiB, and
/// min(32 MiB, a share of memory) — 32 MiB on any machine with a few GiB,
/// this one included; before 6.16 the ceiling was 6 MiB).
pub const LINUX_TCP_RMEM: &str = "4096 131072 33554432";
/// `tcp_wmem` as `tcp_init` sets it: a page, 16 KiB, min(4 MiB, a share of memory).
pub const LINUX_TCP_WMEM: &str = "4096 16384 4194304";

/// Whether `script` sets the send and the receive buffer (`tcp send_buffer`, `tcp recv_buffer`).
pub fn sets_buffers(script: &Script) -> (bool, bool) {
    use crate::script::ast::TcpSetting;
    let sets = |f: fn(&TcpSetting) -> bool| {
        script.statements.iter().any(|s| matches!(&s.kind, StmtKind::Tcp { setting } if f(setting)))
    };
    (sets(|t| matches!(t, TcpSetting::SendBuffer(_))), sets(|t| matches!(t, TcpSetting::RecvBuffer(_))))
}

/// The TCP config of the host named `host`: the script's stack-wide `tcp`
/// lines and that host's own (`host client tcp_sack 0`), which its namespace
/// holds alone, as the model's host does.
pub fn host_config(script: &Script, host: &str) -> TcpConfig {
    let mut config = super::script_tcp_config(script);
    for s in &script.statements {
        if let StmtKind::HostTcp { host: name, setting } = &s.kind {
            if name == host {
                setting.apply(&mut config);
            }
        }
    }
    config
}

/// What [`prepare`] set, and what the hosts' namespaces are to get
/// ([`super::links::Links::start`] makes them).
#[derive(Clone, Debug)]
pub struct Plan {
    /// What was set, one line each, for the report.
    pub done: Vec<String>,
    /// The hosts' devices' MTU: the script link's.
    pub mtu: u32,
    /// Each host's TCP sysctls, in script order.
    pub sysctls: Vec<Vec<Sysctl>>,
}

/// Sets the run up for `script` (see the module's header): checks the
/// namespace is loopback-only, pins this thread to CPU 0, and says what each
/// host's namespace is to get.
pub fn prepare(script: &Script) -> Result<Plan, SetupError> {
    if !super::map::loopback_only() {
        return Err(SetupError::NotIsolated);
    }
    let mut done = Vec::new();
    pin_to_cpu0()?;
    done.push("pinned to CPU 0".into());
    let hosts = super::script_hosts(script);
    let mtu = script_mtu(script);
    let buffers = sets_buffers(script);
    let per_host: Vec<Vec<Sysctl>> =
        hosts.iter().map(|(name, _)| sysctls(&host_config(script, name), buffers)).collect();
    done.push(format!(
        "a namespace per host, each with a TUN device of MTU {mtu}; links of {} ms one way unless a link line says otherwise",
        crate::net::link::LinkConfig::default().latency_us / 1000
    ));
    for ((name, _), sysctls) in hosts.iter().zip(&per_host) {
        let set: Vec<String> = sysctls.iter().map(|s| format!("{} = {}", s.name, s.value)).collect();
        done.push(format!("{name}: {}", set.join(", ")));
    }
    let congestion = super::script_tcp_config(script).congestion;
    done.push(format!("TCP_CONGESTION {} on every socket", congestion.name()));
    Ok(Plan { done, mtu, sysctls: per_host })
}

pub(super) fn command(tool: &'static str, args: &[&str]) -> Result<(), SetupError> {
    let out = Command::new(tool).args(args).output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => SetupError::Missing(tool),
        _ => SetupError::Failed(format!("{tool} {}", args.join(" ")), e.to_string()),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        Err(SetupError::Failed(format!("{tool} {}", args.join(" ")), why))
    }
}

/// Runs this thread (and the threads it starts) on CPU 0 only.
fn pin_to_cpu0() -> Result<(), SetupError> {
    // SAFETY: a zeroed cpu_set_t is the empty set; CPU_SET writes inside it,
    // and sched_setaffinity reads exactly its size.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(0, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(SetupError::Failed("sched_setaffinity CPU 0".into(), std::io::Error::last_os_error().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_mtu_and_the_buffers_a_script_sets_reach_the_namespace() {
        let s = crate::script::parse(
            "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 1ms mtu 1200\ntcp recv_buffer 100000\n",
        )
        .unwrap();
        assert_eq!(script_mtu(&s), 1200);
        assert_eq!(sets_buffers(&s), (false, true));
        let all = sysctls(&crate::native::script_tcp_config(&s), sets_buffers(&s));
        let get = |n: &str| all.iter().find(|x| x.name == n).map(|x| x.value.clone());
        // 100000 bytes of data take 200000 of Linux's buffer (half is its
        // default scaling ratio), as SO_RCVBUF 100000 would.
        assert_eq!(get("ipv4/tcp_rmem").as_deref(), Some("4096 200000 200000"));
        assert_eq!(
            get("ipv4/tcp_wmem").as_deref(),
            Some(LINUX_TCP_WMEM),
            "the send buffer the script leaves is Linux's"
        );
        assert_eq!(get("ipv4/tcp_window_scaling").as_deref(), Some("1"));
        assert_eq!(get("ipv4/tcp_sack").as_deref(), Some("1"));
        assert_eq!(get("ipv4/tcp_syn_retries").as_deref(), Some("6"), "Linux's defaults unless a tcp line says");
        assert_eq!(get("ipv4/tcp_syn_linear_timeouts").as_deref(), Some("4"));
        assert_eq!(get("ipv4/tcp_synack_retries").as_deref(), Some("5"));
        let plain = crate::script::parse("host a 10.0.0.1\n").unwrap();
        assert_eq!(script_mtu(&plain), DEFAULT_MTU);
    }

    #[test]
    fn a_host_that_turns_sack_timestamps_or_probes_off_turns_them_off_for_itself_alone() {
        let s = crate::script::parse(
            "host a 10.0.0.1\nhost b 10.0.0.2\nhost a tcp_sack 0\nhost b tcp_sack 1\nhost b tcp_timestamps 0\n\
             host b tcp_early_retrans 0\nhost b tcp_frto 0\n",
        )
        .unwrap();
        let of = |host: &str| sysctls(&host_config(&s, host), sets_buffers(&s));
        let get = |all: &[Sysctl], n: &str| all.iter().find(|x| x.name == n).map(|x| x.value.clone());
        let (a, b) = (of("a"), of("b"));
        assert_eq!(get(&a, "ipv4/tcp_sack").as_deref(), Some("0"));
        assert_eq!(get(&a, "ipv4/tcp_timestamps").as_deref(), Some("1"));
        assert_eq!(get(&a, "ipv4/tcp_early_retrans").as_deref(), Some("3"), "Linux's default: tail loss probes");
        assert_eq!(get(&b, "ipv4/tcp_sack").as_deref(), Some("1"));
        assert_eq!(get(&b, "ipv4/tcp_timestamps").as_deref(), Some("0"));
        assert_eq!(get(&b, "ipv4/tcp_early_retrans").as_deref(), Some("0"));
        assert_eq!(get(&a, "ipv4/tcp_frto").as_deref(), Some("2"), "Linux's default: F-RTO");
        assert_eq!(get(&b, "ipv4/tcp_frto").as_deref(), Some("0"));
    }
}
