#!/usr/bin/env bash
# Faasade's fuzz targets (fuzz/), each run with cargo-fuzz for a bounded time from its committed
# seed corpus; a crash in any target fails the run. Prints executions and crashes per target.
#
# Usage: bash scripts/fuzz.sh [TARGET ...]      (every target when none is named)
#   FUZZ_SECONDS=30      how long each target runs (the test command's short pass)
#   FUZZ_JOBS=2          targets run at once (one core each)
#   FUZZ_CODEGEN_UNITS=16  1 for cargo-fuzz's own default: slower to build, faster to run
#   FUZZ_SANITIZER=none  `address` for AddressSanitizer, which the C code under rustls and
#                        redb's unsafe blocks can use; Faasade's own code is safe Rust
#   FAASADE_FUZZ_TARGET_DIR  the build folder (default $FAASADE_CACHE/fuzz/target)
# request_target runs js/glue.js in the test command's Node ($FAASADE_NPM), else `node`.
# A long run by hand: FUZZ_SECONDS=3600 FUZZ_CODEGEN_UNITS=1 bash scripts/fuzz.sh
# A crash leaves its input under $FAASADE_CACHE/fuzz/artifacts/<target>/; replay it with
#   cargo +$FAASADE_FUZZ_TOOLCHAIN fuzz run <target> <file> --fuzz-dir fuzz
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export FAASADE_CACHE="${FAASADE_CACHE:-$HOME/.cache/faasade}"
# cargo-fuzz's flags need a nightly compiler; a dated one, so every run builds the same way.
toolchain="${FAASADE_FUZZ_TOOLCHAIN:-nightly-2026-10-30}"
cargo_fuzz_version=0.13.2
seconds="${FUZZ_SECONDS:-30}"
jobs="${FUZZ_JOBS:-2}"
sanitizer="${FUZZ_SANITIZER:-none}"
# cargo-fuzz builds with one codegen unit per crate for the fastest runs; 16 builds in about
# half the time, which a pass of 30 seconds a target gains more from.
codegen_units="${FUZZ_CODEGEN_UNITS:-16}"
fuzz_flags=(--fuzz-dir fuzz --sanitizer "$sanitizer" --codegen-units "$codegen_units")

if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$toolchain" --profile minimal
fi
fuzz_bin="$FAASADE_CACHE/cargo/bin/cargo-fuzz"
if ! "$fuzz_bin" --version 2>/dev/null | grep -q " $cargo_fuzz_version\$"; then
  # A debug build: it compiles in about half the time, and cargo-fuzz only drives cargo.
  cargo install --locked --debug --root "$FAASADE_CACHE/cargo" cargo-fuzz --version "$cargo_fuzz_version"
fi
export PATH="$FAASADE_CACHE/cargo/bin:$PATH" RUSTUP_TOOLCHAIN="$toolchain"
if [ -z "${FAASADE_NPM:-}" ] && [ -x "$FAASADE_CACHE/npm/node_modules/.bin/node" ]; then
  export FAASADE_NPM="$FAASADE_CACHE/npm"
fi
# Builds and findings stay outside the clone, like every other build of the test command.
export CARGO_TARGET_DIR="${FAASADE_FUZZ_TARGET_DIR:-$FAASADE_CACHE/fuzz/target}"
artifacts="$FAASADE_CACHE/fuzz/artifacts"
work="$FAASADE_CACHE/fuzz/corpus"

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz); fi
# One build of every target; each run below finds its binary built.
cargo fuzz build "${fuzz_flags[@]}"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run_one() {
  local target=$1 seeds="fuzz/corpus/$1" corpus="$work/$1"
  mkdir -p "$corpus" "$seeds" "$artifacts/$target"
  # The committed seeds are read, never written: new inputs go to the cached corpus.
  cargo fuzz run "${fuzz_flags[@]}" "$target" "$corpus" "$seeds" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/$target/" -print_final_stats=1 >"$logs/$target" 2>&1
}
pids=()
names=()
status=0
for target in "${targets[@]}"; do
  run_one "$target" &
  pids+=("$!")
  names+=("$target")
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done

printf '\n| fuzz target | seconds | executions | crashes |\n|---|---|---|---|\n'
for target in "${names[@]}"; do
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target" | tail -n 1)
  crashes=$(grep -cE '^==[0-9]+== ERROR|^SUMMARY: libFuzzer|panicked at' "$logs/$target" || true)
  printf '| %s | %s | %s | %s |\n' "$target" "$seconds" "${execs:-?}" "$crashes"
done
if [ "$status" != 0 ]; then
  for target in "${names[@]}"; do
    if grep -qE 'SUMMARY: libFuzzer|panicked at' "$logs/$target"; then
      printf '\n---- %s ----\n' "$target"
      grep -A 30 -E 'panicked at|ERROR: libFuzzer' "$logs/$target" | head -n 60
    fi
  done
  echo "scripts/fuzz.sh: a fuzz target failed; its input is under $artifacts" >&2
fi
exit "$status"
