#!/usr/bin/env bash
# `make test`: every stage in order, stopping at the first red, then ONE summary line
# `N passed, N failed` summing the real test counts of all stages.
#
# Run tools/setup.sh test first (the Makefile does). Logs: target/test-logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$ROOT/tools/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never
LOGS=target/test-logs
mkdir -p "$LOGS"

PASSED=0
FAILED=0
START=$SECONDS

summary() { echo "$PASSED passed, $FAILED failed"; }

# Adds up cargo/libtest lines: "test result: ok. 12 passed; 0 failed; ..."
count_cargo() {
    local p f
    p=$(grep -Eo 'test result: [A-Za-z]+\. [0-9]+ passed' "$1" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
    f=$(grep -Eo 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$1" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
    echo "$p $f"
}
# node --test (spec or tap reporter): "ℹ pass 3" / "# pass 3"
count_node() {
    local p f
    p=$(grep -E '^(ℹ|#) pass [0-9]+$' "$1" | awk '{s+=$3} END {print s+0}')
    f=$(grep -E '^(ℹ|#) fail [0-9]+$' "$1" | awk '{s+=$3} END {print s+0}')
    echo "$p $f"
}
# Our own checkers close with the same line as this script: "N passed, N failed"
count_plain() {
    grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1 | awk '{print $1+0, $3+0}' | grep . || echo "0 0"
}
count_none() { echo "0 0"; }

# stage NAME COUNTER FUNCTION: runs FUNCTION (under set -e), logs it, adds its counts.
N=0
stage() {
    local name=$1 counter=$2 fn=$3 log rc t0 p f
    N=$((N + 1))
    log="$LOGS/$N-$fn.log"
    echo
    echo "==== stage $N: $name ===="
    t0=$SECONDS
    (set -e; "$fn") 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    read -r p f < <("$counter" "$log")
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    if [ "$rc" -ne 0 ]; then
        [ "$f" -eq 0 ] && FAILED=$((FAILED + 1)) # a red stage counts as a failure even with no test line
        echo "==== stage $N: $name FAILED (exit $rc, $((SECONDS - t0)) s; log: $log) ===="
        summary
        exit 1
    fi
    echo "==== stage $N: $name ok ($((SECONDS - t0)) s) ===="
}

# The browser test files are the ones that configure wasm-bindgen-test.
browser_tests() {
    local args=(--lib) f
    for f in tests/*.rs; do
        grep -q 'wasm_bindgen_test_configure!' "$f" && args+=(--test "$(basename "$f" .rs)")
    done
    echo "${args[@]}"
}

fmt() { cargo fmt --all -- --check; }

clippy() {
    cargo clippy --locked --all-features --all-targets -- -D warnings
    # With the crash banner's test-only trigger (feature panic-trigger, see e2e()), so
    # its code is linted too; the command below lints the library without it.
    # shellcheck disable=SC2046
    cargo clippy --locked --target wasm32-unknown-unknown --features panic-trigger --bins $(browser_tests) -- -D warnings
    # `--lib` above lints the library without cfg(test); the page's unit tests (wasm32
    # only: they need the browser) are linted with the test profile.
    cargo clippy --locked --target wasm32-unknown-unknown --lib --profile test -- -D warnings
}

# Property tests draw a fixed seed here so a CI run is reproducible; plain `cargo test`
# still explores new random cases.
unit() { PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261126}" cargo test --locked --all-features; }

# Hook: the scenario library, once src/bin/socklab.rs and scenarios/ exist. The checker
# prints a closing "N passed, N failed" line, which is what gets counted.
scenarios() {
    cargo run --locked --quiet --features native --bin socklab -- check scenarios/*.sock
}

# Hook: tools/pcap-check (an executable, e.g. tshark reading the pcap files the suite
# writes), closing with "N passed, N failed".
pcap() { tools/pcap-check; }

# Real sockets: the scripts' call outcomes on the kernel against the model, inside
# a network namespace that has only loopback: every lesson, and the calls at the
# edges of the socket API in tests/calls/.
native_diff() {
    local lessons
    lessons=$(ls scenarios/*.sock tests/calls/*.sock)
    # shellcheck disable=SC2086
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
        cargo run --locked --quiet --features native --bin socklab -- diff $lessons
}

# Real sockets, packet by packet: every lesson's packets against the kernel's,
# the transfers through lossy, copying and reordering links in tests/faults/,
# the exchanges in tests/exchanges/ and the calls in tests/calls/, in the same
# kind of namespace; the result
# must be what docs/fidelity.md's table says (a script outside it agrees, a
# script in it still diverges).
native_packets() {
    local lessons
    lessons=$(ls scenarios/*.sock tests/faults/*.sock tests/exchanges/*.sock tests/calls/*.sock)
    # shellcheck disable=SC2086
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
        cargo run --locked --quiet --features native --bin socklab -- diff --packets \
        --expect-divergent docs/fidelity.md $lessons
}

# The lessons as real code: every lesson real sockets can run, exported to Python,
# C and Rust and each program run, inside the same loopback-only namespace.
export_programs() {
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh tools/export-check
}

# A bounded fuzz run of each target (fuzz/), replaying and extending its corpus.
fuzz_smoke() {
    if ! rustup toolchain list | grep -q '^nightly'; then
        echo "fuzz smoke: no nightly toolchain on this machine; skipped"
        return 0
    fi
    local t ok=0
    for t in script_parser packet_bytes world_commands url_fragment; do
        local seeds=() flags=()
        # The parser's fuzzer starts from every word of the language and every lesson.
        if [ "$t" = script_parser ]; then seeds=(../scenarios); flags=(-dict=script.dict); fi
        (cd fuzz && mkdir -p "corpus/$t" && cargo +nightly fuzz run -O "$t" "corpus/$t" "${seeds[@]}" -- \
            "${flags[@]}" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 2>&1 | tail -3)
        ok=$((ok + 1))
    done
    echo "$ok passed, 0 failed"
}

browser() {
    # shellcheck disable=SC2046
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
        cargo test --locked --target wasm32-unknown-unknown $(browser_tests)
}

e2e() {
    trunk build --release # offline and relative URLs: see Trunk.toml
    # The crash banner's test build (e2e/panic.test.mjs; e2e/serve.mjs PANIC_DIST): the
    # same page plus a button that panics (feature panic-trigger), kept out of dist/.
    trunk build --release --features panic-trigger --dist target/panic-dist
    mkdir -p target/e2e
    node --test --test-reporter=spec e2e/*.test.mjs
    echo "screenshots: $(ls target/e2e/*.png | tr '\n' ' ')"
}

size() {
    local wasm raw gz
    wasm=$(ls dist/*.wasm)
    raw=$(stat -c %s "$wasm")
    gz=$(gzip -9 -c "$wasm" | wc -c)
    echo "bundle: $(du -sb dist | cut -f1) bytes in dist/ ($(ls dist | wc -l) files)"
    echo "wasm_raw_bytes $raw"
    echo "wasm_gzip_bytes $gz"
}

stage "cargo fmt --check" count_none fmt
stage "clippy -D warnings (host, all features, all targets; wasm32)" count_none clippy
stage "cargo test --all-features" count_cargo unit
if [ -d scenarios ] && compgen -G 'scenarios/*.sock' >/dev/null && [ -f src/bin/socklab.rs ]; then
    stage "scenario checks" count_plain scenarios
fi
if [ -x tools/pcap-check ]; then
    stage "pcap checks (tshark)" count_plain pcap
fi
if [ -f src/bin/socklab.rs ] && grep -q '"diff"\|Diff' src/bin/socklab.rs; then
    stage "socklab diff: model vs Linux on loopback (unshare -n)" count_plain native_diff
    stage "socklab diff --packets: the model's packets vs Linux's, as docs/fidelity.md lists (unshare -n)" \
        count_plain native_packets
fi
if [ -x tools/export-check ]; then
    stage "socklab export: the lessons as Python, C and Rust programs on loopback (unshare -n)" count_plain export_programs
fi
stage "fuzz smoke (cargo fuzz, bounded)" count_plain fuzz_smoke
stage "browser tests (wasm-bindgen-test, headless Chromium)" count_cargo browser
stage "trunk build --release + end-to-end (playwright-core, served under /socklab/)" count_node e2e
stage "size report" count_none size

echo
echo "all stages green in $((SECONDS - START)) s"
summary
