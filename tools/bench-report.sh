#!/usr/bin/env bash
# `make bench`: runs the fixed workloads (socklab::bench) natively in release mode
# and regenerates BENCHMARKS.md with the figures, the machine, and the targets.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
runs=${SOCKLAB_BENCH_RUNS:-5}
out=$(SOCKLAB_BENCH_RUNS=$runs cargo bench --locked --features native --bench core 2>/dev/null)
echo "$out"
fig() { echo "$out" | awk -v n="$1" '$1 == n { print $2 }'; }
# Every workload again at its fixed sizes in wasm32 (headless Chromium, median of 3 runs).
# The runner's default 20 s per test is too short for all of them at full size.
wasm_figs=$(SOCKLAB_BENCH_SCALE=1 SOCKLAB_BENCH_RUNS=3 WASM_BINDGEN_TEST_TIMEOUT=900 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
    cargo test --locked --release --target wasm32-unknown-unknown --test browser_bench -- --nocapture 2>/dev/null |
    awk '$1 == "wasm" { print $2, $3, $4 }')
echo "$wasm_figs" | sed 's/^/wasm /'
wfig() { echo "$wasm_figs" | awk -v n="$1" '$1 == n { print $2 }'; }
# The rates (per second) among them, which the wasm/native budget holds.
wasm_rates=$(echo "$wasm_figs" | awk '$3 ~ /\/s$/ { print $1 }')
# The page itself: the release build (the one dist/ ships) driven by e2e/perf.test.mjs in
# headless Chromium, which prints `name value unit` lines. Built into target/bench-dist so
# dist/ is left alone; skipped (and said so) when the page's tools are not installed.
page=""
page_note="not measured: trunk, tools/node_modules, e2e/node_modules or /usr/bin/chromium missing (tools/setup.sh test)"
if command -v trunk >/dev/null && [ -d tools/node_modules ] && [ -d e2e/node_modules ] && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    export PATH="$PWD/tools/node_modules/.bin:$PATH"
    bench_dist="$PWD/target/bench-dist"
    if trunk build --release --dist "$bench_dist" >/dev/null 2>&1; then
        wasm=$(ls "$bench_dist"/*.wasm)
        page=$(SOCKLAB_DIST="$bench_dist" node --test --test-reporter=tap e2e/perf.test.mjs 2>/dev/null |
            awk '$1 == "#" && $2 ~ /^e2e_/ { print $2, $3, $4 }')
        page=$(printf '%s\nwasm_raw_bytes %s bytes\nwasm_gzip_bytes %s bytes\n' "$page" \
            "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)")
        page_note="one run each; medians and p95 over the steps or frames named"
    else
        page_note="not measured: trunk build --release failed"
    fi
fi
echo "$page" | sed 's/^/page /'
# Cost per connection at 10..10,000 concurrent connections, in two measures that do
# not move with the machine's load: this thread's CPU time (`--clock cpu`), and the
# instructions callgrind counts (when valgrind is installed).
cargo build --locked --release --quiet --features native --bin socklab
cpu=$(target/release/socklab bench --clock cpu --runs "$runs" tcp_connections_concurrent)
per_conn=""
for n in 10 100 1000 10000; do
    rate=$(echo "$cpu" | awk -v w="tcp_connections_concurrent_$n" '$1 == w { print $2 }')
    ev=$(echo "$cpu" | awk -v w="tcp_connections_concurrent_${n}_events" '$1 == w { print $2 }')
    us=$(awk -v r="$rate" 'BEGIN { if (r > 0) printf "%.1f", 1e6 / r; else print "-" }')
    ns=$(awk -v r="$ev" 'BEGIN { if (r > 0) printf "%.0f", 1e9 / r; else print "-" }')
    eval "cpu_ns_per_event_$n=$ns"
    ir="-"
    if command -v valgrind >/dev/null; then
        ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/socklab bench \
            "tcp_connections_concurrent_$n" --runs 1 2>&1 | awk '/I +refs:/ { gsub(",", "", $NF); print $NF }')
        ir=${ir:-0}
        eval "ir_per_conn_$n=$((ir / n))"
        ir=$((ir / n))
    fi
    per_conn+="| $n | $us | $ns | $ir |"$'\n'
done
pfig() { echo "$page" | awk -v n="$1" '$1 == n { print $2 }'; }
# The peers, on this machine: turmoil runs socklab's tcp_echo and tcp_connections in
# tools/peers/turmoil-echo (a crate of its own, from crates.io). The issue's own figures
# (turmoil 0.7.2: 222,000 msgs/s and 56 conns/s, another machine) stand beside them.
peers=""
if peers=$(cargo build --locked --release --quiet --manifest-path tools/peers/turmoil-echo/Cargo.toml 2>&1 &&
    tools/peers/turmoil-echo/target/release/turmoil-echo --runs 3); then
    echo "$peers" | sed 's/^/peer /'
else
    echo "peer turmoil not measured: $peers" >&2
    peers=""
fi
peer() { echo "$peers" | awk -v n="$1" '$1 == n { print $2 }'; }
turmoil_echo=$(peer turmoil_tcp_echo)
turmoil_conns=$(peer turmoil_tcp_connections)
# One row of the budgets table: what, measured value, <= or >=, limit, unit.
budget() {
    local verdict
    verdict=$(awk -v v="$2" -v op="$3" -v l="$4" 'BEGIN {
        if (v == "" || v == "-") print "not measured";
        else if ((op == "<=" && v + 0 <= l + 0) || (op == ">=" && v + 0 >= l + 0)) print "met";
        else print "**missed**" }')
    echo "| $1 | $2 $5 | $3 $4 $5 | $verdict |"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
{
    echo "# socklab benchmarks"
    echo
    echo "Regenerated by \`make bench\` (tools/bench-report.sh) on $(date -u +%Y-%m-%d): median of $runs runs,"
    echo "$(echo "$out" | head -1 | sed 's/^build //') build, $(nproc) cores. Every workload runs the whole core:"
    echo "every packet traced, every call modelled. Figures are wall-clock rates; they vary with the machine's load."
    echo
    echo '| workload | figure | unit |'
    echo '|---|---:|---|'
    echo "$out" | tail -n +2 | awk '{ printf "| %s | %s | %s |\n", $1, $2, $3 }'
    echo
    echo "## wasm32 in headless Chromium (the same sizes; after a warm-up pass, median of 3 runs)"
    echo
    echo '| workload | native | wasm32 | unit | wasm/native |'
    echo '|---|---:|---:|---|---:|'
    echo "$wasm_figs" | while read -r w x unit; do
        [ -n "$w" ] && echo "| $w | $(fig "$w") | $x | $unit | $(ratio "$x" "$(fig "$w")") |"
    done
    echo
    echo "## The page (release build, headless Chromium; e2e/perf.test.mjs)"
    echo
    echo "$page_note. Steps are on a generated 13,000-event lesson; frames while a generated"
    echo "lesson with 200 hosts and about 600 packets in flight plays at 4x. Budget: a step and a step"
    echo "back well inside one 16.7 ms frame, 60 fps while playing, and no long freeze while a long"
    echo "lesson loads."
    echo
    echo '| figure | value | unit |'
    echo '|---|---:|---|'
    echo "$page" | awk 'NF == 3 { printf "| %s | %s | %s |\n", $1, $2, $3 }'
    echo
    echo "## Against the peers named in the performance issue"
    echo
    echo "The goals are ratios to the peer on the same machine. turmoil runs the same workloads here"
    echo "(tools/peers/turmoil-echo, median of 3 runs, links without latency for tcp_echo and of 100 µs"
    echo "for tcp_connections, as socklab's); the issue's figures, from another machine, stand beside."
    echo "smoltcp's figure is the issue's."
    echo
    echo '| workload | socklab | peer on this machine | ratio | peer (measured by the issue) | ratio | goal |'
    echo '|---|---:|---:|---:|---:|---:|---|'
    echo "| tcp_echo | $(fig tcp_echo) msgs/s | turmoil 0.7.2: ${turmoil_echo:-not measured} | $(ratio "$(fig tcp_echo)" "${turmoil_echo:-0}")x | turmoil 0.7.2: 222,000 | $(ratio "$(fig tcp_echo)" 222000)x | 10x |"
    echo "| tcp_connections | $(fig tcp_connections) conns/s | turmoil 0.7.2: ${turmoil_conns:-not measured} | $(ratio "$(fig tcp_connections)" "${turmoil_conns:-0}")x | turmoil 0.7.2: 56 | $(ratio "$(fig tcp_connections)" 56)x | 1000x |"
    echo "| tcp_bulk_lo | $(fig tcp_bulk_lo) bytes/s | | | smoltcp 0.14: 12.6e9 | $(ratio "$(fig tcp_bulk_lo)" 12600000000)x | 1x |"
    echo
    echo "## Cost per connection against the number of connections"
    echo
    echo "\`socklab bench --clock cpu tcp_connections_concurrent\` (this thread's CPU time, median of"
    echo "$runs runs) and the same workloads one at a time under \`valgrind --tool=callgrind\`"
    echo "(instructions for the whole process, start-up included, which weighs on N = 10)."
    echo
    echo '| connections | CPU µs per connection | CPU ns per event | instructions per connection |'
    echo '|---:|---:|---:|---:|'
    printf '%s' "$per_conn"
    echo
    echo "## Budgets"
    echo
    echo "Set from what this machine measures, and checked on every run of this report (tests never"
    echo "assert wall time; this table is where speed is held). A missed budget is a bug to fix or"
    echo "a budget to argue about, never a number to hide."
    echo
    echo '| budget | measured | limit | |'
    echo '|---|---:|---:|---|'
    budget "step, median (10,000-event lesson)" "$(pfig e2e_step_10k_median_ms)" "<=" 12 ms
    budget "step, p95" "$(pfig e2e_step_10k_p95_ms)" "<=" 16.7 ms
    budget "step back, median" "$(pfig e2e_step_back_10k_median_ms)" "<=" 12 ms
    budget "step back, p95" "$(pfig e2e_step_back_10k_p95_ms)" "<=" 16.7 ms
    budget "frame while 200 hosts play, median" "$(pfig e2e_play_200_hosts_frame_median_ms)" "<=" 17 ms
    budget "frame while 200 hosts play, p95" "$(pfig e2e_play_200_hosts_frame_p95_ms)" "<=" 33.4 ms
    budget "navigation to first interactive frame" "$(pfig e2e_nav_to_interactive_ms)" "<=" 1000 ms
    budget "longest frame while the 19,213-step lesson loads" "$(pfig e2e_load_long_lesson_longest_frame_ms)" "<=" 200 ms
    budget ".wasm gzipped" "$(pfig wasm_gzip_bytes)" "<=" 450000 bytes
    for w in $wasm_rates; do
        budget "wasm/native, $w (within 5x)" "$(ratio "$(wfig "$w")" "$(fig "$w")")" ">=" 0.2 ""
    done
    # The goals against turmoil on this machine; the issue's figures when it was not measured.
    budget "tcp_echo: 10x turmoil" "$(fig tcp_echo)" ">=" "$(( ${turmoil_echo:-222000} * 10 ))" msgs/s
    budget "tcp_connections: 1,000x turmoil" "$(fig tcp_connections)" ">=" "$(( ${turmoil_conns:-56} * 1000 ))" conns/s
    budget "tcp_bulk_lo: smoltcp's speed" "$(fig tcp_bulk_lo)" ">=" 12600000000 bytes/s
    budget "instructions per connection at 10,000 (1.1x those at 1,000)" "${ir_per_conn_10000:-}" "<=" \
        "$(( ${ir_per_conn_1000:-0} * 11 / 10 ))" instr
    budget "CPU per event at 10,000 connections (1.5x that at 1,000)" "${cpu_ns_per_event_10000:-}" "<=" \
        "$(awk -v a="${cpu_ns_per_event_1000:-0}" 'BEGIN { printf "%.0f", a * 1.5 }')" ns
    echo
    echo "- Cost per connection must not grow with the number of connections. Instructions per"
    echo "  connection stay level from 1,000 to 10,000 (no step scans a table that grows with the"
    echo "  connections). CPU time per event does rise at 10,000: the working set, about 8.9 KB a"
    echo "  connection (two 1.5 KB control blocks, a client host, a link, sockets, queued events) and"
    echo "  1.5 KB of trace (valgrind --tool=dhat: 104 MB at the peak for 10,000), is past the size of"
    echo "  the last-level cache, so the same instructions wait on memory. 10,000 connections also take"
    echo "  more events each: the accept queue is capped at somaxconn = 4096, so final ACKs that find"
    echo "  it full are dropped and the SYN-ACK is retransmitted a second later, as on Linux."
    echo "- The server in that workload raises its descriptor limit (setrlimit NOFILE) above the"
    echo "  default 1,024, as a real server holding 10,000 connections must."
} > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
