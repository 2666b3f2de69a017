#!/usr/bin/env bash
# Runs every test: system tools, the real-PyO3 witness builds (when Rust is present), then one
# pytest run over tests/. In CI (CI=true) a missing tool is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
scripts/install-system-deps.sh
# --- build stages (each stage owns one script) ---
[ -x scripts/build-witness.sh ] && scripts/build-witness.sh
scripts/compile-examples.sh
[ -x scripts/build-bench-real.sh ] && scripts/build-bench-real.sh
[ -x scripts/build-free-threaded.sh ] && scripts/build-free-threaded.sh
# --- tests ---
exec .venv/bin/python -m pytest tests -q "$@"
