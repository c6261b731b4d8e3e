//! The peer figure for socklab's `tcp_echo` workload (src/bench.rs): one TCP
//! connection between two simulated hosts, 10,000 messages of 64 bytes, each
//! echoed before the next is sent, over links with no latency. The issue that
//! set socklab's goal (10x this rate) asks for both figures on the same
//! machine, so `make bench` builds and runs this beside socklab's own bench.
//!
//! `tcp_connections` too: 1,000 client hosts each connect over links of 100 µs,
//! echo 64 bytes and close (socklab runs them one after another; turmoil's
//! clients all start at once).
//!
//! Prints `turmoil_tcp_echo <msgs/s>` and `turmoil_tcp_connections <conns/s>`:
//! the median of `--runs` (5) wall-clock runs, each timed from building the
//! simulation to its end, as socklab's figures are timed from building the world.

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use turmoil::net::{TcpListener, TcpStream};

const MESSAGES: usize = 10_000;
const SIZE: usize = 64;

const CONNECTIONS: usize = 1_000;

/// A server on port 80 that echoes every connection until it closes.
fn echo_server(sim: &mut turmoil::Sim<'_>) {
    sim.host("server", || async {
        let listener = TcpListener::bind("0.0.0.0:80").await?;
        loop {
            let (mut stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let mut buf = [0u8; SIZE];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
}

fn connections_run(n: usize) -> Result<f64, String> {
    let start = Instant::now();
    let mut sim = turmoil::Builder::new()
        .simulation_duration(Duration::from_secs(24 * 3600))
        // Room for every connection at once (the default is 64 segments).
        .tcp_capacity(4 * CONNECTIONS)
        .min_message_latency(Duration::from_micros(100))
        .max_message_latency(Duration::from_micros(100))
        .build();
    echo_server(&mut sim);
    for i in 0..n {
        sim.client(format!("client{i}"), async move {
            let mut stream = TcpStream::connect(("server", 80)).await?;
            let mut back = [0u8; SIZE];
            stream.write_all(&[7u8; SIZE]).await?;
            stream.read_exact(&mut back).await?;
            drop(stream);
            Ok(())
        });
    }
    sim.run().map_err(|e| e.to_string())?;
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

fn echo_run(messages: usize) -> Result<f64, String> {
    let start = Instant::now();
    let mut sim = turmoil::Builder::new()
        // The echoes take simulated time (a tick per step); never cut them short.
        .simulation_duration(Duration::from_secs(24 * 3600))
        // socklab's tcp_echo runs over a link with no latency; so does this.
        .min_message_latency(Duration::ZERO)
        .max_message_latency(Duration::ZERO)
        .build();
    echo_server(&mut sim);
    sim.client("client", async move {
        let mut stream = TcpStream::connect(("server", 80)).await?;
        let msg = [0x42u8; SIZE];
        let mut back = [0u8; SIZE];
        for _ in 0..messages {
            stream.write_all(&msg).await?;
            stream.read_exact(&mut back).await?;
        }
        Ok(())
    });
    sim.run().map_err(|e| e.to_string())?;
    Ok(messages as f64 / start.elapsed().as_secs_f64())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut runs = 5;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--runs", Some(n)) if n > 0 => runs = n,
            _ => {
                eprintln!("usage: turmoil-echo [--runs N]");
                std::process::exit(2);
            }
        }
    }
    let workloads: [(&str, fn() -> Result<f64, String>); 2] =
        [("turmoil_tcp_echo", || echo_run(MESSAGES)), ("turmoil_tcp_connections", || connections_run(CONNECTIONS))];
    for (name, workload) in workloads {
        let mut rates = Vec::with_capacity(runs);
        for _ in 0..runs {
            match workload() {
                Ok(rate) => rates.push(rate),
                Err(e) => {
                    eprintln!("turmoil-echo: {name}: the simulation failed: {e}");
                    std::process::exit(1);
                }
            }
        }
        rates.sort_by(f64::total_cmp);
        println!("{name} {:.0}", rates[rates.len() / 2]);
    }
}
