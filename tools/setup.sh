#!/usr/bin/env bash
# Idempotent set-up: installs only what is missing, so a second run takes seconds.
#
#   tools/setup.sh serve   what `make serve` needs: the wasm32 target, trunk,
#                          wasm-bindgen-cli (exactly the Cargo.lock version),
#                          binaryen's wasm-opt (npm), and the crates (cargo fetch)
#   tools/setup.sh test    all of the above, plus rustfmt/clippy, Debian's chromium,
#                          chromium-driver and tshark, python3 and a C compiler (the
#                          exported lessons), and the e2e npm packages
#
# Nothing here relies on ~/.bashrc: PATH is set below, as in the Makefile.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-serve}
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$ROOT/tools/node_modules/.bin:$PATH"

TRUNK_REQ="^0.21"        # trunk 0.22 needs a newer rustc than this machine's 1.95
TRUNK_PREFIX="trunk 0.21."
START=$SECONDS

say() { printf 'setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages (only `make test` needs them; node/npm whenever missing) ---
apt_missing=()
need_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || apt_missing+=("$1"); }
command -v npm >/dev/null || { need_deb nodejs; need_deb npm; }
command -v gzip >/dev/null || need_deb gzip
if [ "$MODE" = test ]; then
    need_deb chromium
    need_deb chromium-driver
    need_deb tshark
    need_deb fonts-nanum    # Korean glyphs for the screenshots headless Chromium takes
    command -v unshare >/dev/null || need_deb util-linux   # loopback-only namespaces for real sockets
    command -v ip >/dev/null || need_deb iproute2
    command -v python3 >/dev/null || need_deb python3   # the exported lessons (tools/export-check)
    command -v cc >/dev/null || need_deb gcc
    [ -e /usr/include/stdio.h ] || need_deb libc6-dev
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
    say "apt-get install ${apt_missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi

# --- Rust: the wasm32 target (and the linters for `make test`) ---
if ! command -v rustup >/dev/null; then
    echo "setup: rustup is missing; install the Rust toolchain first" >&2
    exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi
if [ "$MODE" = test ]; then
    for comp in rustfmt clippy; do
        if ! rustup component list --installed | grep -q "^$comp"; then
            say "rustup component add $comp"
            rustup component add "$comp"
        fi
    done
fi

# --- trunk ---
if ! trunk --version 2>/dev/null | grep -q "^$TRUNK_PREFIX"; then
    say "cargo install trunk $TRUNK_REQ (about 6 minutes on 2 cores)"
    cargo install --locked trunk --version "$TRUNK_REQ"
fi

# --- wasm-bindgen-cli at exactly the version in Cargo.lock ---
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WB_VERSION" ]; then
    echo "setup: no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
    # Not --locked: one of its locked dependency versions is gone from the registry.
    say "cargo install wasm-bindgen-cli =$WB_VERSION (about 2 minutes)"
    cargo install --force wasm-bindgen-cli --version "=$WB_VERSION"
fi

# --- cargo-fuzz, for the fuzz smoke run (it needs the nightly toolchain the machine has) ---
FUZZ_VERSION=0.13.2
if [ "$MODE" = test ] && [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $FUZZ_VERSION" ]; then
    say "cargo install cargo-fuzz $FUZZ_VERSION (about 2 minutes)"
    cargo install --locked cargo-fuzz --version "$FUZZ_VERSION"
fi

# --- npm packages, pinned by their package-lock.json ---
# A stamp of the lock file in node_modules tells whether `npm ci` is needed.
npm_ci() {
    local dir=$1 stamp="$1/node_modules/.socklab-lock"
    if ! cmp -s "$dir/package-lock.json" "$stamp"; then
        say "npm ci in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$dir/package-lock.json" "$stamp"
    fi
}
npm_ci tools    # binaryen's wasm-opt: Debian's (108) cannot read current Rust output
if [ "$MODE" = test ]; then
    npm_ci e2e  # playwright-core (it drives /usr/bin/chromium; it downloads no browser)
fi

# Trunk must find exactly the wasm-opt version that Trunk.toml names, or it would download one.
WASM_OPT_VERSION=$(wasm-opt --version | grep -o 'version_[0-9]*')
if ! grep -q "wasm_opt = \"$WASM_OPT_VERSION\"" Trunk.toml; then
    echo "setup: Trunk.toml [tools] wasm_opt must be \"$WASM_OPT_VERSION\" (the installed wasm-opt)" >&2
    exit 1
fi

# --- crates: Trunk.toml says offline = true, so everything must be fetched first ---
cargo fetch --locked --quiet

say "ready in $((SECONDS - START)) s (mode: $MODE)"
