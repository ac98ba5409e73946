#!/usr/bin/env bash
# Faasade's whole test suite, runnable on a fresh machine:
#   formatting, clippy (-D warnings), unit and doc tests, the #[faasade::main] trybuild tests,
#   the target-feature checks, the examples run as processes, the cross-target conformance
#   suite (a table per target), the README support-table check, and a short run of the
#   local-vs-hyper benchmark.
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

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

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

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, doc, macro UI, features, examples, conformance, support table)"
cargo test --workspace --locked

step "benchmark: local target vs plain hyper"
FAASADE_BENCH_SECS="${FAASADE_BENCH_SECS:-2}" FAASADE_BENCH_ROUNDS="${FAASADE_BENCH_ROUNDS:-3}" \
  cargo bench --locked --bench local_vs_hyper

step "benchmark: aws target vs hand-written lambda_http (cargo-lambda emulator)"
FAASADE_BENCH_SECS="${FAASADE_BENCH_SECS:-2}" FAASADE_BENCH_ROUNDS="${FAASADE_BENCH_ROUNDS:-3}" \
  cargo bench --locked --bench aws_vs_lambda_http
